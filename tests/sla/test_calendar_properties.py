"""The calendar arithmetic against the independent step-by-step reference, on thousands
of generated calendars and instants: split shifts, holidays of several countries,
closed and worked days, weekends, starts outside working time, zones with daylight
saving time (Santiago, historical Mexico City, New York, Madrid, Lord Howe's half-hour
change) and without (Bogotá, Kathmandu's quarter-hour offset), year ends, 24x7.

Generated times lie on a grid (a quarter of an hour, or a minute), and the reference
steps along the same grid, which makes it exact while keeping the run short.
"""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from atiende.sla.calendar import Calendar, add_business_time, business_time_between
from tests.sla.reference import reference_add, reference_between

UTC = dt.UTC
QUARTER = 15 * 60
ZONES = ["America/Bogota", "America/Santiago", "America/Mexico_City", "America/New_York",
         "Europe/Madrid", "Australia/Lord_Howe", "Asia/Kathmandu"]
COUNTRIES = ["CO", "MX", "CL", "US", ""]
# Days around clock changes and year ends, where mistakes hide.
HOT_DAYS = [
    dt.date(2023, 9, 3), dt.date(2023, 4, 1), dt.date(2022, 9, 11), dt.date(2024, 4, 6),
    dt.date(2022, 10, 30), dt.date(2022, 4, 3), dt.date(2015, 10, 25), dt.date(2001, 5, 6),
    dt.date(2024, 3, 10), dt.date(2024, 11, 3), dt.date(2024, 10, 27), dt.date(2024, 4, 7),
    dt.date(2025, 12, 31), dt.date(2026, 1, 12), dt.date(2023, 12, 29), dt.date(2026, 4, 2),
]

PROPERTY = settings(max_examples=600, database=None, derandomize=True, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def week_from(seed: int, grid: int) -> tuple[tuple[tuple[int, int], ...], ...]:
    """Up to three non-overlapping intervals a day on the grid (seconds), from a seed:
    one draw instead of dozens keeps hypothesis's own work small."""
    rng = random.Random(seed)
    slots = 86_400 // grid
    days = []
    for _weekday in range(7):
        count = rng.choice((0, 1, 1, 2, 2, 3))
        points = sorted(rng.sample(range(slots + 1), 2 * count))
        days.append(tuple((points[i] * grid, points[i + 1] * grid)
                          for i in range(0, len(points), 2)))
    if not any(days):
        days[rng.randrange(7)] = ((8 * 3600, 12 * 3600),)
    return tuple(days)


@st.composite
def calendars(draw, grid: int = QUARTER) -> Calendar:
    seed = draw(st.integers(0, 2**32 - 1))
    rng = random.Random(seed)
    near = draw(st.sampled_from(HOT_DAYS))

    def odd_days() -> frozenset[dt.date]:
        return frozenset(near + dt.timedelta(days=rng.randint(-10, 10))
                         for _ in range(rng.randint(0, 4)))

    return Calendar(
        time_zone=draw(st.sampled_from(ZONES)), week=week_from(seed, grid),
        country=draw(st.sampled_from(COUNTRIES)), closed=odd_days(), worked=odd_days(),
        always=draw(st.integers(0, 19)) == 0,
    )


@st.composite
def starts(draw, grid: int = QUARTER) -> dt.datetime:
    """An instant on the grid: near a hot day, or anywhere from 1998 to 2031."""
    if draw(st.booleans()):
        day = draw(st.sampled_from(HOT_DAYS)) + dt.timedelta(days=draw(st.integers(-3, 3)))
    else:
        day = dt.date(1998, 1, 1) + dt.timedelta(days=draw(st.integers(0, 34 * 365)))
    moment = dt.datetime.combine(day, dt.time(), UTC) + dt.timedelta(
        seconds=grid * draw(st.integers(0, 86_400 // grid - 1)))
    # Given in a zone of its own: the arithmetic must not depend on it.
    return moment.astimezone(ZoneInfo(draw(st.sampled_from(ZONES))))


def weekly_seconds(calendar: Calendar) -> int:
    return sum(end - start for day in calendar.week for start, end in day)


def utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(UTC)


@PROPERTY
@given(calendar=calendars(), start=starts(), data=st.data())
def test_add_business_time_agrees_with_the_reference(calendar, start, data):
    # Up to three weeks' working time, so that the reference's walk stays short.
    limit = max(1, min(160, 3 * weekly_seconds(calendar) // QUARTER))
    duration = dt.timedelta(seconds=QUARTER * data.draw(st.integers(1, limit)))

    due = add_business_time(calendar, start, duration)

    assert utc(due) == utc(reference_add(calendar, start, duration, step=QUARTER))
    assert due.tzinfo == ZoneInfo(calendar.time_zone)
    assert business_time_between(calendar, start, due) == duration


@PROPERTY
@given(calendar=calendars(), start=starts(), quarters=st.integers(0, 10 * 96))
def test_business_time_between_agrees_with_the_reference(calendar, start, quarters):
    end = start + dt.timedelta(seconds=QUARTER * quarters)

    between = business_time_between(calendar, start, end)

    assert between == reference_between(calendar, start, end, step=QUARTER)
    assert business_time_between(calendar, end, start) == -between


@settings(PROPERTY, max_examples=250)
@given(calendar=calendars(grid=60), start=starts(grid=60), data=st.data())
def test_minute_grid_add_and_between_agree_with_the_minute_reference(calendar, start, data):
    limit = max(1, min(600, weekly_seconds(calendar) // 60))
    duration = dt.timedelta(minutes=data.draw(st.integers(1, limit)))
    end = start + dt.timedelta(minutes=data.draw(st.integers(0, 3 * 1440)))

    assert utc(add_business_time(calendar, start, duration)) == utc(
        reference_add(calendar, start, duration, step=60))
    assert business_time_between(calendar, start, end) == reference_between(
        calendar, start, end, step=60)


@settings(PROPERTY, max_examples=800)
@given(calendar=calendars(), start=starts(grid=1), data=st.data(),
       microseconds=st.integers(0, 999_999))
def test_between_a_start_and_its_due_time_is_the_duration(calendar, start, data,
                                                           microseconds):
    # Any second, any duration up to 30 days (or eight weeks' working time) of work; no
    # reference, so it can go far.
    limit = 30 * 86_400 if calendar.always else min(30 * 86_400, 8 * weekly_seconds(calendar))
    seconds = data.draw(st.integers(0, limit))
    start = start + dt.timedelta(microseconds=microseconds)
    duration = dt.timedelta(seconds=seconds)

    due = add_business_time(calendar, start, duration)

    assert business_time_between(calendar, start, due) == duration
    assert utc(due) >= utc(start)
    # The earliest such instant: one second less of work ends earlier.
    if seconds:
        earlier = add_business_time(calendar, start, duration - dt.timedelta(seconds=1))
        assert utc(earlier) < utc(due)
