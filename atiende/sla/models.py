"""Business calendars as data: when an organization (or one of its desks) works.

The arithmetic lives in `atiende.sla.calendar` and never touches these models;
`atiende.sla.loader` compiles a `BusinessCalendar` into a `calendar.Calendar`.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from atiende.core.models import DEFAULT_TIME_ZONE, Department, Organization

MINUTES_PER_DAY = 24 * 60


class BusinessCalendar(models.Model):
    """When one organization works, for SLA clocks: a time zone, working intervals per
    weekday, public holidays of a country (and subdivision), and days an administrator
    closed or worked; or around the clock (24x7).

    A calendar with a department applies to that desk where it differs from the
    organization's. Each organization has at most one default calendar, which has no
    department. `updated_at` changes with every change to the calendar, its intervals
    or its days, so compiled calendars can be cached by (id, updated_at).
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="business_calendars",
        verbose_name=_("organization"),
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="business_calendars",
        null=True, blank=True, verbose_name=_("department"),
    )
    name = models.CharField(_("name"), max_length=120)
    time_zone = models.CharField(_("time zone"), max_length=64, default=DEFAULT_TIME_ZONE)
    is_24x7 = models.BooleanField(_("around the clock (24x7)"), default=False)
    country = models.CharField(_("holidays of country"), max_length=2, blank=True,
                               default="CO")
    subdivision = models.CharField(_("holidays of subdivision"), max_length=10, blank=True)
    is_default = models.BooleanField(_("organization's default"), default=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("changed"), default=timezone.now)

    class Meta:
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "organization", Lower("name"), name="business_calendar_name",
            ),
            models.UniqueConstraint(
                fields=["organization"], condition=Q(is_default=True),
                name="business_calendar_one_default",
            ),
            models.CheckConstraint(
                condition=Q(is_default=False) | Q(department__isnull=True),
                name="business_calendar_default_has_no_department",
            ),
            models.CheckConstraint(
                condition=Q(subdivision="") | ~Q(country=""),
                name="business_calendar_subdivision_needs_country",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Weekday(models.IntegerChoices):
    """Days of the week as `date.weekday()` numbers them."""

    MONDAY = 0, WEEKDAYS[0]
    TUESDAY = 1, WEEKDAYS[1]
    WEDNESDAY = 2, WEEKDAYS[2]
    THURSDAY = 3, WEEKDAYS[3]
    FRIDAY = 4, WEEKDAYS[4]
    SATURDAY = 5, WEEKDAYS[5]
    SUNDAY = 6, WEEKDAYS[6]


class WorkingInterval(models.Model):
    """One stretch of work on one weekday, in the calendar's local time: from
    `start_minute` to `end_minute` after midnight (half-open; 1440 is 24:00, which a
    time of day cannot hold). Intervals of a weekday never overlap (checked by the
    services; the database refuses two starting at the same minute)."""

    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="intervals",
        verbose_name=_("calendar"),
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start_minute = models.PositiveSmallIntegerField(_("starts (minutes after midnight)"))
    end_minute = models.PositiveSmallIntegerField(_("ends (minutes after midnight)"))

    class Meta:
        verbose_name = _("working interval")
        verbose_name_plural = _("working intervals")
        ordering = ["weekday", "start_minute"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "weekday", "start_minute"],
                                    name="working_interval_start"),
            models.CheckConstraint(condition=Q(weekday__gte=0, weekday__lte=6),
                                   name="working_interval_weekday"),
            models.CheckConstraint(
                condition=Q(start_minute__gte=0, end_minute__lte=MINUTES_PER_DAY,
                            start_minute__lt=models.F("end_minute")),
                name="working_interval_runs_forward",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start_label}-{self.end_label}"

    @property
    def start_label(self) -> str:
        return _clock(self.start_minute)

    @property
    def end_label(self) -> str:
        return _clock(self.end_minute)


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


class DayKind(models.TextChoices):
    """What an administrator decided about one date."""

    CLOSED = "closed", _("Closed (extra holiday or company closure)")  # no working time
    WORKED = "worked", _("Worked (holiday removed)")  # the weekday's intervals apply


class CalendarDay(models.Model):
    """One date of a calendar that differs from its rules: closed although it would be
    a working day, or worked although it is a public holiday."""

    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="days",
        verbose_name=_("calendar"),
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=10, choices=DayKind.choices)
    label = models.CharField(_("label"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="calendar_day_once"),
            models.CheckConstraint(condition=Q(kind__in=DayKind.values),
                                   name="calendar_day_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.get_kind_display()}"
