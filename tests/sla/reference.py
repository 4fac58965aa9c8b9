"""An independent, slow reference for the calendar arithmetic: it walks through time
one step (a minute, by default) at a time and asks zoneinfo for the wall clock of each
step, and the `holidays` package (through its own auto-expanding lookup) whether that
date is a holiday. It shares nothing with `atiende.sla.calendar` but the calendar's
fields.

Exact when every boundary lies on the step grid: starts, ends and durations on it, and
working intervals and zone offsets multiples of it (true of the zones and the minute
or quarter-hour grids the tests use).
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from zoneinfo import ZoneInfo

import holidays

from atiende.sla.calendar import Calendar

UTC = dt.UTC
MAX_STEPS = 2_000_000


@cache
def _public_holidays(country: str, subdivision: str):
    return holidays.country_holidays(country, subdiv=subdivision or None)


def _closed(calendar: Calendar, day: dt.date) -> bool:
    if day in calendar.worked:
        return False
    return day in calendar.closed or bool(
        calendar.country and day in _public_holidays(calendar.country, calendar.subdivision))


def is_working(calendar: Calendar, instant: dt.datetime, closed_days: dict | None = None
               ) -> bool:
    """Whether the step starting at `instant` is working time. `closed_days` remembers
    what was decided about each date (the holiday lookup is slow)."""
    if calendar.always:
        return True
    local = instant.astimezone(ZoneInfo(calendar.time_zone))
    day = local.date()
    if closed_days is None:
        closed_days = {}
    if day not in closed_days:
        closed_days[day] = _closed(calendar, day)
    if closed_days[day]:
        return False
    seconds = local.hour * 3600 + local.minute * 60 + local.second
    return any(start <= seconds < end for start, end in calendar.week[day.weekday()])


def reference_add(calendar: Calendar, start: dt.datetime, duration: dt.timedelta,
                  step: int = 60) -> dt.datetime:
    """The end of the step that completes `duration` (a positive multiple of `step`)."""
    remaining = int(duration.total_seconds())
    assert remaining > 0 and remaining % step == 0
    instant = start.astimezone(UTC)
    delta = dt.timedelta(seconds=step)
    closed_days: dict = {}
    for _ in range(MAX_STEPS):
        if is_working(calendar, instant, closed_days):
            remaining -= step
            if remaining == 0:
                return instant + delta
        instant += delta
    raise AssertionError("the reference walked too far")


def reference_between(calendar: Calendar, start: dt.datetime, end: dt.datetime,
                      step: int = 60) -> dt.timedelta:
    instant, stop = start.astimezone(UTC), end.astimezone(UTC)
    delta = dt.timedelta(seconds=step)
    total = 0
    closed_days: dict = {}
    while instant < stop:
        if is_working(calendar, instant, closed_days):
            total += step
        instant += delta
    return dt.timedelta(seconds=total)
