"""Every change to business calendars: create, update (details, weekly intervals,
exception days), add and remove one exception day.

Each service checks permission first (organization admins and provider admins),
validates everything before writing (all field errors at once, in the active
language), writes inside one transaction holding a lock on the calendar (and on the
organization's default when it moves), moves the calendar's `updated_at` forward (the
compiled-calendar cache key), and records one AuditEvent. Errors are the project's own.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from itertools import pairwise
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from atiende.core import services as core_services
from atiende.core.models import Department, Organization, User
from atiende.core.services import time_zone_names
from atiende.errors import Conflict, PermissionDenied, ValidationFailed
from atiende.sla import policies
from atiende.sla.calendar import FIRST_YEAR, LAST_YEAR, CalendarError, supported_countries
from atiende.sla.loader import compile_calendar
from atiende.sla.models import (
    MINUTES_PER_DAY,
    BusinessCalendar,
    CalendarDay,
    DayKind,
    WorkingInterval,
)
from atiende.validation import text

AUDIT_ACTIONS = {
    "calendar.created": gettext_lazy("Business calendar created"),
    "calendar.updated": gettext_lazy("Business calendar changed"),
    "calendar.day_added": gettext_lazy("Calendar day added"),
    "calendar.day_removed": gettext_lazy("Calendar day removed"),
}

MAX_INTERVALS_PER_DAY = 24
MAX_DAYS = 2000
CALENDAR_FIELDS = {"name", "time_zone", "country", "subdivision", "is_24x7", "is_default",
                   "department", "intervals", "days"}
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")


# --- validation ---------------------------------------------------------------------------


class _Errors:
    """Field errors gathered while validating, raised together."""

    def __init__(self) -> None:
        self.fields: dict[str, str] = {}
        self.codes: list[str] = []

    def check(self, step) -> Any:
        try:
            return step()
        except ValidationFailed as error:
            self.add(error.fields, error.code)
            return None

    def add(self, fields: dict[str, str], code: str) -> None:
        self.fields.update(fields)
        self.codes.append(code)

    def raise_any(self) -> None:
        if self.fields:
            raise ValidationFailed(self.fields,
                                   code=self.codes[0] if len(self.codes) == 1 else None)


def _name(value: Any, organization: Organization, *, exclude: int | None = None) -> str:
    name = text(value, "name", max_length=120)
    others = BusinessCalendar.objects.filter(organization=organization)
    if exclude is not None:
        others = others.exclude(pk=exclude)
    folded = name.casefold()
    if any(other.casefold() == folded for other in others.values_list("name", flat=True)):
        raise ValidationFailed({"name": _("This organization already has a calendar with "
                                          "this name.")}, code="duplicate_name")
    return name


def _time_zone(value: Any) -> str:
    zone = str(value or "").strip()
    if zone not in time_zone_names():
        raise ValidationFailed(
            {"time_zone": _("“%(value)s” is not a known time zone.") % {"value": zone}},
            code="invalid_time_zone",
        )
    return zone


def _country(value: Any) -> str:
    country = str(value or "").strip().upper()
    if country and country not in supported_countries():
        raise ValidationFailed(
            {"country": _("“%(value)s” is not a country whose holidays are known. Use a "
                          "two-letter code such as CO or MX, or none for no public "
                          "holidays.") % {"value": country}},
            code="unknown_country",
        )
    return country


def _subdivision(value: Any, country: str) -> str:
    subdivision = str(value or "").strip().upper()
    if not subdivision:
        return ""
    known = supported_countries().get(country, ())
    if not country:
        message = _("Choose a country before a subdivision.")
    elif not known:
        message = _("%(country)s has no subdivisions with holidays of their own.") % {
            "country": country}
    elif subdivision not in known:
        message = _("“%(value)s” is not a subdivision of %(country)s. Use one of: "
                    "%(codes)s.") % {"value": subdivision, "country": country,
                                     "codes": ", ".join(known)}
    else:
        return subdivision
    raise ValidationFailed({"subdivision": message}, code="unknown_subdivision")


def _minute(value: Any, *, end: bool) -> int:
    """Minutes after midnight of "HH:MM" (24:00 only as an end)."""
    if isinstance(value, dt.time) and not (value.second or value.microsecond):
        return value.hour * 60 + value.minute
    match = _CLOCK.match(value.strip()) if isinstance(value, str) else None
    if match:
        hours, minutes = int(match[1]), int(match[2])
        total = hours * 60 + minutes
        if minutes < 60 and (total < MINUTES_PER_DAY or (end and total == MINUTES_PER_DAY)):
            return total
    raise ValidationFailed(
        {"intervals": _("“%(value)s” is not a time of day. Use HH:MM, from 00:00 to 24:00.")
         % {"value": value}},
        code="invalid_time",
    )


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _intervals(values: Iterable[Any]) -> list[tuple[int, int, int]]:
    """(weekday, start minute, end minute) of every interval, sorted; refused when a
    weekday is not one, a time is not a time, an interval does not run forward or two
    of one weekday overlap."""
    parsed = []
    for item in values:
        if isinstance(item, Mapping):
            weekday, start, end = item.get("weekday"), item.get("start"), item.get("end")
        else:
            weekday, start, end = item
        if isinstance(weekday, bool) or not isinstance(weekday, int) or not 0 <= weekday <= 6:
            raise ValidationFailed({"intervals": _("“%(value)s” is not a weekday. Use 0 "
                                                   "(Monday) to 6 (Sunday).")
                                    % {"value": weekday}}, code="invalid_weekday")
        first, last = _minute(start, end=False), _minute(end, end=True)
        if first >= last:
            raise ValidationFailed({"intervals": _(
                "%(weekday)s %(start)s-%(end)s must end after it starts. Write a shift "
                "that crosses midnight as two intervals, one on each day."
            ) % {"weekday": WEEKDAYS[weekday], "start": _clock(first), "end": _clock(last)}},
                code="inverted_interval")
        parsed.append((weekday, first, last))
    parsed.sort()
    for weekday in range(7):
        count = sum(1 for item in parsed if item[0] == weekday)
        if count > MAX_INTERVALS_PER_DAY:
            raise ValidationFailed({"intervals": _("%(weekday)s has %(count)d intervals; use "
                                                   "at most %(limit)d.") % {
                "weekday": WEEKDAYS[weekday], "count": count,
                "limit": MAX_INTERVALS_PER_DAY}}, code="too_many_intervals")
    for before, after in pairwise(parsed):
        if before[0] == after[0] and after[1] < before[2]:
            raise ValidationFailed({"intervals": _(
                "%(weekday)s %(start)s-%(end)s overlaps %(other_start)s-%(other_end)s."
            ) % {"weekday": WEEKDAYS[after[0]], "start": _clock(after[1]),
                 "end": _clock(after[2]), "other_start": _clock(before[1]),
                 "other_end": _clock(before[2])}}, code="overlapping_intervals")
    return parsed


def _date(value: Any, field: str) -> dt.date:
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        try:
            value = dt.date.fromisoformat(str(value).strip())
        except ValueError:
            raise ValidationFailed({field: _("“%(value)s” is not a date. Use YYYY-MM-DD.")
                                    % {"value": value}}, code="invalid_date") from None
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValidationFailed({field: _("Use a date between the years %(first)d and "
                                         "%(last)d.") % {"first": FIRST_YEAR,
                                                         "last": LAST_YEAR}},
                               code="out_of_range")
    return value


def _kind(value: Any, field: str) -> str:
    if value not in DayKind.values:
        raise ValidationFailed({field: _("“%(value)s” is not a kind of day. Use “closed” "
                                         "or “worked”.") % {"value": value}},
                               code="invalid_choice")
    return value


def _days(values: Iterable[Any]) -> list[tuple[dt.date, str, str]]:
    parsed: dict[dt.date, tuple[dt.date, str, str]] = {}
    for item in values:
        day = _date(item.get("date"), "days")
        if day in parsed:
            raise ValidationFailed({"days": _("%(date)s is listed twice.")
                                    % {"date": day.isoformat()}}, code="duplicate_day")
        parsed[day] = (day, _kind(item.get("kind"), "days"),
                       text(item.get("label", ""), "days", max_length=120, required=False))
    if len(parsed) > MAX_DAYS:
        raise ValidationFailed({"days": _("Use at most %(count)d days.") % {"count": MAX_DAYS}},
                               code="too_many_days")
    return sorted(parsed.values())


def _department(department: Department | None, organization: Organization) -> None:
    if department is not None and not department.serves(organization):
        raise ValidationFailed({"department": _("This department does not serve %(name)s.")
                                % {"name": organization.name}}, code="invalid_department")


def _no_working_time() -> ValidationFailed:
    return ValidationFailed({"intervals": _("Give the calendar at least one working interval, "
                                            "or make it 24x7.")}, code="no_working_time")


# --- writing ------------------------------------------------------------------------------


def _audit(*, actor: User, calendar: BusinessCalendar, action: str, changes: dict,
           channel: str) -> None:
    core_services.audit(actor=actor, organization_id=calendar.organization_id, action=action,
                        target=calendar, changes=changes, channel=channel)


def _touch(calendar: BusinessCalendar) -> None:
    """Move `updated_at` strictly forward: it keys the compiled-calendar cache. After
    commit, the clocks of open tickets counting on the calendar are rebuilt."""
    from atiende.sla.tasks import rebuild_calendar_clocks

    calendar_id = calendar.pk
    if calendar_id is not None:
        transaction.on_commit(lambda: rebuild_calendar_clocks.enqueue(calendar_id=calendar_id))
    now = timezone.now()
    calendar.updated_at = max(now, calendar.updated_at + dt.timedelta(microseconds=1))


def _week_summary(intervals: Iterable[tuple[int, int, int]]) -> str:
    by_day: dict[int, list[str]] = {}
    for weekday, start, end in intervals:
        by_day.setdefault(weekday, []).append(f"{_clock(start)}-{_clock(end)}")
    return "; ".join(f"{weekday}: {', '.join(times)}" for weekday, times in sorted(by_day.items()))


def _days_summary(days: Iterable[tuple[dt.date, str, str]]) -> list[str]:
    return [f"{day.isoformat()} {kind}" for day, kind, _label in days]


def _current_intervals(calendar: BusinessCalendar) -> list[tuple[int, int, int]]:
    return list(calendar.intervals.order_by("weekday", "start_minute").values_list(
        "weekday", "start_minute", "end_minute"))


def _current_days(calendar: BusinessCalendar) -> list[tuple[dt.date, str, str]]:
    return list(calendar.days.order_by("date").values_list("date", "kind", "label"))


def _write_intervals(calendar: BusinessCalendar, intervals) -> None:
    calendar.intervals.all().delete()
    WorkingInterval.objects.bulk_create(
        WorkingInterval(calendar=calendar, weekday=weekday, start_minute=start, end_minute=end)
        for weekday, start, end in intervals
    )


def _write_days(calendar: BusinessCalendar, days) -> None:
    calendar.days.all().delete()
    CalendarDay.objects.bulk_create(
        CalendarDay(calendar=calendar, date=day, kind=kind, label=label)
        for day, kind, label in days
    )


def _take_default(calendar: BusinessCalendar) -> None:
    """Make `calendar` its organization's only default (the caller saves it)."""
    BusinessCalendar.objects.select_for_update().filter(
        organization_id=calendar.organization_id, is_default=True
    ).exclude(pk=calendar.pk).update(is_default=False, updated_at=timezone.now())


def _check_compiles(calendar: BusinessCalendar) -> None:
    """The last word on what the arithmetic accepts, read back inside the transaction."""
    try:
        compile_calendar(calendar)
    except CalendarError as error:
        field = "country" if error.code in ("unknown_country", "unknown_subdivision") else (
            "time_zone" if error.code == "invalid_time_zone" else "intervals")
        raise ValidationFailed({field: str(error)}, code=error.code) from None


def calendar_create(
    *, actor: User, organization: Organization, name: str, time_zone: str | None = None,
    country: str | None = None, subdivision: str = "", is_24x7: bool = False,
    is_default: bool | None = None, department: Department | None = None,
    intervals: Iterable[Any] = (), days: Iterable[Any] = (), channel: str = "web",
) -> BusinessCalendar:
    """A new calendar of `organization`. Without `time_zone` or `country`, the
    organization's. `is_default` None makes it the default when the organization has
    none and it has no department; True takes the default from the current one.

    Raises PermissionDenied (not an admin of the organization) and ValidationFailed
    (every field problem at once). Writes one `calendar.created` audit event.
    """
    if not policies.can_manage_calendars(actor, organization):
        raise PermissionDenied()
    errors = _Errors()
    name = errors.check(lambda: _name(name, organization))
    time_zone = errors.check(lambda: _time_zone(
        organization.time_zone if time_zone is None else time_zone))
    country = errors.check(lambda: _country(
        organization.country if country is None else country))
    if country is not None:
        subdivision = errors.check(lambda: _subdivision(subdivision, country))
    parsed_intervals = errors.check(lambda: _intervals(intervals))
    parsed_days = errors.check(lambda: _days(days))
    errors.check(lambda: _department(department, organization))
    if is_default and department is not None:
        errors.add({"is_default": _("A department's calendar cannot be the organization's "
                                    "default.")}, "default_with_department")
    if parsed_intervals == [] and not is_24x7:
        errors.add(_no_working_time().fields, "no_working_time")
    errors.raise_any()
    with transaction.atomic():
        Organization.objects.select_for_update().filter(pk=organization.pk).first()
        if is_default is None:
            is_default = department is None and not BusinessCalendar.objects.filter(
                organization=organization, is_default=True).exists()
        calendar = BusinessCalendar(
            organization=organization, department=department, name=name,
            time_zone=time_zone, country=country, subdivision=subdivision,
            is_24x7=bool(is_24x7), is_default=bool(is_default),
        )
        if calendar.is_default:
            _take_default(calendar)
        try:
            with transaction.atomic():
                calendar.save()
        except IntegrityError:
            raise ValidationFailed({"name": _("This organization already has a calendar "
                                              "with this name.")},
                                   code="duplicate_name") from None
        _write_intervals(calendar, parsed_intervals)
        _write_days(calendar, parsed_days)
        _check_compiles(calendar)
        _audit(actor=actor, calendar=calendar, action="calendar.created", channel=channel,
               changes={"intervals": [None, _week_summary(parsed_intervals)],
                        "is_24x7": [None, calendar.is_24x7],
                        "country": [None, calendar.country]})
    return calendar


def calendar_update(
    *, actor: User, calendar: BusinessCalendar, changes: Mapping[str, Any],
    channel: str = "web",
) -> BusinessCalendar:
    """Change a calendar's details; `intervals` and `days`, when given, replace the
    weekly intervals and the exception days whole. `department` is a Department or
    None. Making a calendar the default takes it from the current default; the
    default cannot be unset (make another one the default instead).

    Raises PermissionDenied, ValidationFailed. Writes one `calendar.updated` audit
    event when something changed, and nothing otherwise.
    """
    if not policies.can_manage_calendars(actor, calendar.organization_id):
        raise PermissionDenied()
    unknown = sorted(set(changes) - CALENDAR_FIELDS)
    if unknown:
        raise ValidationFailed({name: _("Unknown field.") for name in unknown},
                               code="unknown_field")
    organization = calendar.organization
    errors = _Errors()
    values: dict[str, Any] = {}
    if "name" in changes:
        values["name"] = errors.check(
            lambda: _name(changes["name"], organization, exclude=calendar.pk))
    if "time_zone" in changes:
        values["time_zone"] = errors.check(lambda: _time_zone(changes["time_zone"]))
    country = calendar.country
    if "country" in changes:
        country = values["country"] = errors.check(lambda: _country(changes["country"]))
    moved = "country" in changes and country != calendar.country
    if ("subdivision" in changes or moved) and country is not None:
        # A new country drops the old subdivision unless one is given.
        subdivision = changes.get("subdivision", "" if moved else calendar.subdivision)
        values["subdivision"] = errors.check(lambda: _subdivision(subdivision, country))
    if "is_24x7" in changes:
        values["is_24x7"] = bool(changes["is_24x7"])
    if "department" in changes:
        values["department"] = changes["department"]
        errors.check(lambda: _department(changes["department"], organization))
    department = values.get("department", calendar.department)
    if "is_default" in changes:
        wanted = bool(changes["is_default"])
        if calendar.is_default and not wanted:
            errors.add({"is_default": _("Make another calendar the default instead: an "
                                        "organization keeps one.")}, "default_required")
        elif wanted and department is not None:
            errors.add({"is_default": _("A department's calendar cannot be the "
                                        "organization's default.")}, "default_with_department")
        values["is_default"] = wanted
    elif calendar.is_default and department is not None:
        errors.add({"department": _("The organization's default calendar cannot belong to "
                                    "a department.")}, "default_with_department")
    intervals = days = None
    if "intervals" in changes:
        intervals = errors.check(lambda: _intervals(changes["intervals"] or ()))
    if "days" in changes:
        days = errors.check(lambda: _days(changes["days"] or ()))
    errors.raise_any()
    with transaction.atomic():
        calendar = BusinessCalendar.objects.select_for_update().get(pk=calendar.pk)
        changed: dict[str, list] = {}
        for name, value in values.items():
            old = getattr(calendar, name)
            if old != value:
                setattr(calendar, name, value)
                changed[name] = [getattr(old, "pk", old), getattr(value, "pk", value)]
        if intervals is not None:
            before = _current_intervals(calendar)
            if before != intervals:
                changed["intervals"] = [_week_summary(before), _week_summary(intervals)]
                _write_intervals(calendar, intervals)
        if days is not None:
            before_days = _current_days(calendar)
            if before_days != days:
                changed["days"] = [_days_summary(before_days), _days_summary(days)]
                _write_days(calendar, days)
        if not calendar.is_24x7 and not calendar.intervals.exists():
            raise _no_working_time()
        if not changed:
            return calendar
        if changed.get("is_default") == [False, True]:
            _take_default(calendar)
        _touch(calendar)
        fields = [name for name in changed if name not in ("intervals", "days")]
        try:
            with transaction.atomic():
                calendar.save(update_fields=[*fields, "updated_at"])
        except IntegrityError:
            raise ValidationFailed({"name": _("This organization already has a calendar "
                                              "with this name.")},
                                   code="duplicate_name") from None
        _check_compiles(calendar)
        _audit(actor=actor, calendar=calendar, action="calendar.updated", changes=changed,
               channel=channel)
    return calendar


def calendar_day_add(
    *, actor: User, calendar: BusinessCalendar, date: Any, kind: str, label: str = "",
    channel: str = "web",
) -> CalendarDay:
    """Close one date (an extra holiday or a closure) or work one holiday.

    Raises PermissionDenied, ValidationFailed (fields `date`, `kind`, `label`), and
    Conflict when the date already has an exception. Writes `calendar.day_added`.
    """
    if not policies.can_manage_calendars(actor, calendar.organization_id):
        raise PermissionDenied()
    errors = _Errors()
    day = errors.check(lambda: _date(date, "date"))
    kind = errors.check(lambda: _kind(kind, "kind"))
    label = errors.check(lambda: text(label, "label", max_length=120, required=False))
    errors.raise_any()
    with transaction.atomic():
        calendar = BusinessCalendar.objects.select_for_update().get(pk=calendar.pk)
        if calendar.days.filter(date=day).exists():
            raise Conflict(_("%(date)s already has an exception in this calendar; remove it "
                             "first.") % {"date": day.isoformat()}, code="duplicate_day")
        if calendar.days.count() >= MAX_DAYS:
            raise ValidationFailed({"date": _("Use at most %(count)d days.")
                                    % {"count": MAX_DAYS}}, code="too_many_days")
        created = CalendarDay.objects.create(calendar=calendar, date=day, kind=kind,
                                             label=label)
        _touch(calendar)
        calendar.save(update_fields=["updated_at"])
        _audit(actor=actor, calendar=calendar, action="calendar.day_added", channel=channel,
               changes={"day": [None, f"{day.isoformat()} {kind}"], "label": [None, label]})
    return created


def calendar_day_remove(
    *, actor: User, calendar: BusinessCalendar, day: CalendarDay, channel: str = "web"
) -> None:
    """Remove one exception day: the date follows the calendar's rules again.
    Raises PermissionDenied. Writes `calendar.day_removed`."""
    if not policies.can_manage_calendars(actor, calendar.organization_id):
        raise PermissionDenied()
    with transaction.atomic():
        calendar = BusinessCalendar.objects.select_for_update().get(pk=calendar.pk)
        deleted, _rows = CalendarDay.objects.filter(pk=day.pk, calendar=calendar).delete()
        if not deleted:
            return
        _touch(calendar)
        calendar.save(update_fields=["updated_at"])
        _audit(actor=actor, calendar=calendar, action="calendar.day_removed", channel=channel,
               changes={"day": [f"{day.date.isoformat()} {day.kind}", None]})
