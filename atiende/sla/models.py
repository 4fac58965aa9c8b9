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


# --- service level policies -----------------------------------------------------------------

DEFAULT_WARNING_PERCENTAGES = [75, 90]
DEFAULT_PAUSE_REASONS = ["awaiting_requester"]


def _default_warnings() -> list[int]:
    return list(DEFAULT_WARNING_PERCENTAGES)


def _default_pause_reasons() -> list[str]:
    return list(DEFAULT_PAUSE_REASONS)


class SlaPolicy(models.Model):
    """The service levels one organization promises for the tickets its conditions
    match, counted on one business calendar.

    Every condition left empty matches any ticket; the policy whose set conditions all
    hold and that sets the most of them applies (`atiende.sla.matching`). Two active
    policies of one organization that could match the same ticket with as many
    conditions each are refused when saved, so the choice is never a coin toss.
    `updated_at` moves with every change to the policy or its targets.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="sla_policies",
        verbose_name=_("organization"),
    )
    name = models.CharField(_("name"), max_length=120)
    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.PROTECT, related_name="sla_policies",
        verbose_name=_("business calendar"),
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="sla_policies", null=True,
        blank=True, verbose_name=_("department"),
    )
    kind = models.CharField(_("ticket kind"), max_length=20, blank=True)
    service = models.ForeignKey(
        "tickets.Service", on_delete=models.PROTECT, related_name="sla_policies", null=True,
        blank=True, verbose_name=_("service"),
    )
    category = models.ForeignKey(
        "tickets.Category", on_delete=models.PROTECT, related_name="sla_policies", null=True,
        blank=True, verbose_name=_("category"),
    )
    ticket_channel = models.CharField(_("channel"), max_length=12, blank=True)
    priorities = models.JSONField(_("priorities"), default=list, blank=True)  # [] is any
    pause_reasons = models.JSONField(_("pending reasons that pause resolution"),
                                     default=_default_pause_reasons, blank=True)
    warning_percentages = models.JSONField(_("warnings at (percent)"), default=_default_warnings,
                                           blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("changed"), default=timezone.now)

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint("organization", Lower("name"), name="sla_policy_name"),
        ]

    def __str__(self) -> str:
        return self.name


class SlaTarget(models.Model):
    """What a policy promises for tickets of one priority, in working minutes of the
    policy's calendar: the first public reply, and the resolution (and, recorded for
    later, each next reply)."""

    policy = models.ForeignKey(SlaPolicy, on_delete=models.CASCADE, related_name="targets",
                               verbose_name=_("SLA policy"))
    priority = models.PositiveSmallIntegerField(_("priority"))
    first_response_minutes = models.PositiveIntegerField(_("first response (minutes)"))
    resolution_minutes = models.PositiveIntegerField(_("resolution (minutes)"))
    next_response_minutes = models.PositiveIntegerField(_("next response (minutes)"),
                                                        null=True, blank=True)

    class Meta:
        verbose_name = _("SLA target")
        verbose_name_plural = _("SLA targets")
        ordering = ["priority"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "priority"], name="sla_target_once"),
            models.CheckConstraint(condition=Q(priority__gte=1, priority__lte=5),
                                   name="sla_target_priority"),
            models.CheckConstraint(
                condition=Q(first_response_minutes__gt=0, resolution_minutes__gt=0)
                & (Q(next_response_minutes__isnull=True) | Q(next_response_minutes__gt=0)),
                name="sla_target_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.policy_id} P{self.priority}"


class Metric(models.TextChoices):
    """What a clock measures."""

    FIRST_RESPONSE = "first_response", _("First response")
    RESOLUTION = "resolution", _("Resolution")


class ClockState(models.TextChoices):
    RUNNING = "running", _("Running")  # counting working time towards its due time
    PAUSED = "paused", _("Paused")  # not counting (a pause rule holds)
    MET = "met", _("Met")  # stopped before its due time
    BREACHED = "breached", _("Breached")  # its due time passed before it stopped


class SlaClock(models.Model):
    """One target of one ticket as last rebuilt from the ticket's event log
    (`atiende.sla.clocks`): never edited by hand, only replaced by a rebuild or marked
    breached or warned by the sweep. `elapsed_seconds` is working time counted up to
    `computed_at` (or `stopped_at`). Its history (the "why") is not stored: the ticket
    page replays it (`clock_services.explain`), which is cheap for one ticket and keeps
    bulk rebuilds small."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE,
                               related_name="sla_clocks")
    metric = models.CharField(_("measures"), max_length=20, choices=Metric.choices)
    policy = models.ForeignKey(SlaPolicy, on_delete=models.CASCADE, related_name="clocks")
    target_minutes = models.PositiveIntegerField(_("target (minutes)"))
    calendar_id_used = models.PositiveIntegerField()
    started_at = models.DateTimeField(_("started"))
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    paused_since = models.DateTimeField(_("paused since"), null=True, blank=True)
    elapsed_seconds = models.PositiveIntegerField(_("working time used (seconds)"), default=0)
    state = models.CharField(_("state"), max_length=10, choices=ClockState.choices)
    stopped_at = models.DateTimeField(_("stopped"), null=True, blank=True)
    breached_at = models.DateTimeField(_("breached"), null=True, blank=True)
    next_warning_at = models.DateTimeField(null=True, blank=True)
    next_warning_level = models.PositiveSmallIntegerField(null=True, blank=True)
    warned_levels = models.JSONField(_("warnings given (percent)"), default=list, blank=True)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("SLA clock")
        verbose_name_plural = _("SLA clocks")
        ordering = ["ticket", "metric"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "metric"], name="sla_clock_once"),
        ]
        indexes = [
            models.Index(fields=["due_at"], condition=Q(state="running"),
                         name="sla_clock_due"),
            models.Index(fields=["next_warning_at"], condition=Q(state="running"),
                         name="sla_clock_warning"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.metric} {self.state}"
