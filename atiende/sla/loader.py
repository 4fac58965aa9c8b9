"""From the models to compiled `Calendar` values, cached per process.

The SLA engine (policies, ticket clocks) asks for a calendar by id and does arithmetic
on the answer:

    from atiende.sla.calendar import add_business_time
    from atiende.sla.loader import calendar_by_id

    due = add_business_time(calendar_by_id(ticket_calendar_id), opened_at, resolve_within)

A compiled calendar is cached under (id, updated_at): every service that changes a
calendar, its intervals or its days moves `updated_at` forward, so a stale entry is
never found again, in this process or any other. The cache also keeps each calendar's
precomputed years, which is what makes repeated calls cheap. No actor is involved:
callers decide visibility before (see `atiende.sla.selectors`).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import datetime

from atiende.errors import NotFound
from atiende.sla.calendar import WEEKDAYS, Calendar
from atiende.sla.models import BusinessCalendar, DayKind

CACHE_SIZE = 512

_cache: OrderedDict[tuple[int, datetime], Calendar] = OrderedDict()
_lock = threading.Lock()


def compile_calendar(row: BusinessCalendar) -> Calendar:
    """The calendar value of a row, its intervals and its days (prefetched or read).
    Never cached: for rows about to be saved, or for checking them."""
    week: list[list[tuple[int, int]]] = [[] for _ in range(WEEKDAYS)]
    for interval in row.intervals.all():
        week[interval.weekday].append((interval.start_minute * 60, interval.end_minute * 60))
    days = list(row.days.all())
    return Calendar(
        time_zone=row.time_zone,
        week=tuple(tuple(day) for day in week),
        country=row.country,
        subdivision=row.subdivision,
        closed=frozenset(day.date for day in days if day.kind == DayKind.CLOSED),
        worked=frozenset(day.date for day in days if day.kind == DayKind.WORKED),
        always=row.is_24x7,
    )


def calendar_for(row: BusinessCalendar) -> Calendar:
    """The compiled calendar of a row as it was read (no query when cached)."""
    key = (row.pk, row.updated_at)
    with _lock:
        compiled = _cache.get(key)
        if compiled is not None:
            _cache.move_to_end(key)
            return compiled
    compiled = compile_calendar(row)
    with _lock:
        _cache[key] = compiled
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return compiled


def calendar_by_id(calendar_id: int) -> Calendar:
    """The compiled calendar with this id: one indexed query for its version when
    cached, three when not. Raises NotFound when there is no such calendar."""
    row = BusinessCalendar.objects.filter(pk=calendar_id).only(
        "id", "updated_at", "time_zone", "country", "subdivision", "is_24x7"
    ).first()
    if row is None:
        raise NotFound()
    return calendar_for(row)


def forget_all() -> None:
    """Empty the cache (tests; nothing else needs it)."""
    with _lock:
        _cache.clear()
