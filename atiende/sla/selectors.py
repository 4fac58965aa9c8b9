"""Reads of business calendars, always through the scope, and the questions people ask
of one: when is this due, how much working time lies between two instants, when does
it work in the coming days.

`calendar_get` raises NotFound for what does not exist and what the actor may not see
alike. The arithmetic questions take a calendar already read through the scope and
refuse bad input with field errors in the active language.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from atiende.core.models import User
from atiende.errors import NotFound, ValidationFailed
from atiende.sla import policies
from atiende.sla.calendar import (
    FIRST_YEAR,
    LAST_YEAR,
    CalendarError,
    add_business_time,
    business_time_between,
    holiday_names,
    working_periods,
)
from atiende.sla.loader import calendar_for
from atiende.sla.models import BusinessCalendar, DayKind

# A year of minutes, and ten years of span: enough for any service level, and a bound on
# how many years of working time one request may make the server compute.
MAX_MINUTES = 366 * 24 * 60
MAX_SPAN = dt.timedelta(days=3653)


def calendar_list(*, actor: User, organization_id: int | None = None
                  ) -> QuerySet[BusinessCalendar]:
    queryset = BusinessCalendar.objects.filter(policies.visible_calendars(actor)).select_related(
        "organization", "department"
    ).prefetch_related("intervals", "days")
    if organization_id is not None:
        queryset = queryset.filter(organization_id=organization_id)
    return queryset


def calendar_get(*, actor: User, calendar_id: int) -> BusinessCalendar:
    try:
        return calendar_list(actor=actor).get(pk=calendar_id)
    except (BusinessCalendar.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound() from None


# --- questions ------------------------------------------------------------------------------


def _aware(value: dt.datetime | None, field_name: str) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        raise ValidationFailed({field_name: _("Enter a date and time.")}, code="required")
    if value.utcoffset() is None:
        raise ValidationFailed(
            {field_name: _("Give the date and time with its time zone, e.g. "
                           "2026-01-12T08:00:00-05:00.")}, code="naive_datetime")
    if not FIRST_YEAR <= value.astimezone(dt.UTC).year <= LAST_YEAR:
        raise ValidationFailed(
            {field_name: _("Use a date between the years %(first)d and %(last)d.")
             % {"first": FIRST_YEAR, "last": LAST_YEAR}}, code="out_of_range")
    return value


def calendar_due(*, calendar: BusinessCalendar, start: dt.datetime, minutes: int
                 ) -> dt.datetime:
    """When `minutes` of the calendar's working time have elapsed after `start` (in the
    calendar's time zone). Refuses a naive start and a number of minutes that is not
    positive or is more than a year's."""
    start = _aware(start, "start")
    if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes <= 0:
        raise ValidationFailed({"minutes": _("Give a positive whole number of minutes.")},
                               code="not_positive")
    if minutes > MAX_MINUTES:
        raise ValidationFailed({"minutes": _("Use at most %(count)d minutes (a year).")
                                % {"count": MAX_MINUTES}}, code="too_large")
    try:
        return add_business_time(calendar_for(calendar), start, dt.timedelta(minutes=minutes))
    except CalendarError as error:
        raise ValidationFailed({"minutes": _("The due time would lie beyond the year "
                                             "%(last)d.") % {"last": LAST_YEAR}},
                               code=error.code) from None


def calendar_between(*, calendar: BusinessCalendar, start: dt.datetime, end: dt.datetime
                     ) -> dt.timedelta:
    """The calendar's working time from `start` to `end`. Refuses naive datetimes, an
    end before the start and a span of more than ten years."""
    start, end = _aware(start, "start"), _aware(end, "end")
    # Compared as instants: datetimes of one zone compare (and subtract) as wall clocks.
    span = end.timestamp() - start.timestamp()
    if span < 0:
        raise ValidationFailed({"end": _("The end must not come before the start.")},
                               code="end_before_start")
    if span > MAX_SPAN.total_seconds():
        raise ValidationFailed({"end": _("Use a span of at most ten years.")},
                               code="too_large")
    return business_time_between(calendar_for(calendar), start, end)


@dataclass
class PreviewDay:
    """One local date of a preview: its working periods, or why it has none."""

    date: dt.date
    periods: list[tuple[dt.datetime, dt.datetime]] = field(default_factory=list)
    holiday: str = ""  # the public holiday's name
    closed: str = ""  # the administrator's label of a closure ("" when none given)
    is_closed: bool = False
    is_worked_holiday: bool = False

    @property
    def seconds(self) -> int:
        return int(sum(end.timestamp() - start.timestamp() for start, end in self.periods))

    @property
    def labels(self) -> list[str]:
        """"08:00-12:00" (with an en dash) for each period, in the calendar's zone; a
        period that runs to the next midnight ends at "24:00"."""
        return [f"{start:%H:%M}\u2013{'24:00' if end.date() > self.date else f'{end:%H:%M}'}"
                for start, end in self.periods]

    @property
    def total_label(self) -> str:
        hours, rest = divmod(self.seconds, 3600)
        minutes = rest // 60
        if minutes:
            return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes}
        return _("%(hours)d h") % {"hours": hours}


def calendar_preview(*, calendar: BusinessCalendar, now: dt.datetime, days: int = 14
                     ) -> list[PreviewDay]:
    """The next `days` local dates from `now`'s, in the calendar's time zone, each with
    its working periods (clipped to the date) and the holiday or closure that empties
    it. Periods of today that are already over are still shown."""
    compiled = calendar_for(calendar)
    zone = compiled.zone
    today = now.astimezone(zone).date()
    exceptions = {day.date: day for day in calendar.days.all()}
    language = (get_language() or "es").split("-")[0]
    preview = []
    for offset in range(days):
        day = today + dt.timedelta(days=offset)
        start = dt.datetime.combine(day, dt.time(), zone)
        end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), zone)
        entry = PreviewDay(date=day, periods=working_periods(compiled, start, end))
        if not compiled.always:
            names = holiday_names(calendar.country, calendar.subdivision, day.year, language)
            exception = exceptions.get(day)
            entry.holiday = names.get(day, "")
            if exception is not None and exception.kind == DayKind.CLOSED:
                entry.is_closed, entry.closed = True, exception.label
            if exception is not None and exception.kind == DayKind.WORKED and entry.holiday:
                entry.is_worked_holiday = True
        preview.append(entry)
    return preview


def upcoming_holidays(*, calendar: BusinessCalendar, now: dt.datetime, days: int = 365
                      ) -> list[tuple[dt.date, str]]:
    """The public holidays of the calendar's country (and subdivision) in the next
    `days` days, by name in the active language where the holidays package has it."""
    if calendar.is_24x7 or not calendar.country:
        return []
    today = now.astimezone(calendar_for(calendar).zone).date()
    last = today + dt.timedelta(days=days)
    language = (get_language() or "es").split("-")[0]
    found: list[tuple[dt.date, str]] = []
    for year in range(today.year, last.year + 1):
        names = holiday_names(calendar.country, calendar.subdivision, year, language)
        found.extend((day, name) for day, name in names.items() if today <= day <= last)
    return sorted(found)


# --- SLA policies and clocks ----------------------------------------------------------------


def sla_policy_list(*, actor: User, organization_id: int | None = None) -> QuerySet:
    """SLA policies the actor may read (as calendars: staff of the organization)."""
    from atiende.sla.models import SlaPolicy

    queryset = SlaPolicy.objects.filter(policies.visible_calendars(actor)).select_related(
        "organization", "calendar", "department", "service", "category", "requester_group"
    ).prefetch_related("targets")
    if organization_id is not None:
        queryset = queryset.filter(organization_id=organization_id)
    return queryset


def sla_policy_get(*, actor: User, policy_id: int):
    from atiende.sla.models import SlaPolicy

    try:
        return sla_policy_list(actor=actor).get(pk=policy_id)
    except (SlaPolicy.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound() from None


def ticket_internal_clocks(*, ticket) -> tuple[list, list]:
    """The OLA clocks (by team) and underpinning contract clocks of a ticket already
    read through the scope as staff: never for requesters."""
    from atiende.sla.models import ContractClock, TeamClock

    teams = list(TeamClock.objects.filter(ticket=ticket).select_related("team")
                 .order_by("started_at", "team_id", "metric"))
    contracts = list(ContractClock.objects.filter(ticket=ticket).select_related("contract")
                     .order_by("started_at"))
    return teams, contracts


def api_ticket_clocks(*, actor: User, ticket) -> list[dict]:
    """A visible ticket's SLA clocks as the API shows them: to staff of the ticket only,
    as the ticket page does (never the internal OLA or contract clocks)."""
    from atiende.sla.presentation import _used
    from atiende.tickets.policies import works_on

    # An empty `sla_state` means no clock at all: no query for tickets without a policy.
    if not getattr(ticket, "sla_state", "") or actor is None or not works_on(actor, ticket):
        return []
    now = timezone.now()
    return [{"metric": clock.metric, "target_minutes": clock.target_minutes,
             "started_at": clock.started_at, "due_at": clock.due_at,
             "elapsed_business_minutes": round(_used(clock, now) / 60, 2),
             "state": clock.state, "breached_at": clock.breached_at,
             "stopped_at": clock.stopped_at, "paused": clock.state == "paused",
             "cycles_met": clock.cycles_met, "cycles_breached": clock.cycles_breached}
            for clock in ticket_clocks(ticket=ticket)]


def ticket_clocks(*, ticket) -> list:
    """The clocks of a ticket already read through the scope, first response first."""
    from atiende.sla.models import SlaClock

    order = {"first_response": 0, "next_response": 1, "resolution": 2}
    clocks = list(SlaClock.objects.filter(ticket=ticket).select_related("policy"))
    return sorted(clocks, key=lambda clock: order.get(clock.metric, 9))


def ola_teams(*, actor: User, organization) -> list:
    """Active teams of the departments that serve the organization (for OLA targets of
    an organization the actor administers)."""
    from atiende.core.models import Team, serving

    if not policies.can_manage_calendars(actor, organization):
        return []
    return list(Team.objects.filter(serving([organization.pk], via="department__"),
                                    is_active=True, department__is_active=True)
                .select_related("department").order_by("department__name", "name"))


def ola_list(*, actor: User, organization_id: int) -> list:
    """OLA targets of an organization the actor administers."""
    from atiende.sla.models import OlaTarget

    if not policies.can_manage_calendars(actor, organization_id):
        raise NotFound()
    return list(OlaTarget.objects.filter(organization_id=organization_id)
                .select_related("team", "team__department", "calendar")
                .order_by("team__name", "priority"))


def ola_get(*, actor: User, organization, ola_id: int):
    found = next((ola for ola in ola_list(actor=actor, organization_id=organization.pk)
                  if ola.pk == ola_id), None)
    if found is None:
        raise NotFound()
    return found


def contract_list(*, actor: User, organization_id: int) -> list:
    """Underpinning contracts of an organization the actor administers."""
    from atiende.sla.models import UnderpinningContract

    if not policies.can_manage_calendars(actor, organization_id):
        raise NotFound()
    return list(UnderpinningContract.objects.filter(organization_id=organization_id)
                .select_related("calendar").order_by("supplier"))


def contract_get(*, actor: User, organization, contract_id: int):
    found = next((c for c in contract_list(actor=actor, organization_id=organization.pk)
                  if c.pk == contract_id), None)
    if found is None:
        raise NotFound()
    return found
