"""The calendar arithmetic on cases a person can check by hand: split shifts, holidays,
weekends, year ends, daylight saving changes, 24x7, and the refusals."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import holidays
import pytest

from atiende.sla.calendar import (
    Calendar,
    CalendarError,
    add_business_time,
    business_time_between,
    format_clock,
    parse_clock,
    working_periods,
)
from tests.sla.reference import reference_add, reference_between

BOGOTA = ZoneInfo("America/Bogota")
SANTIAGO = ZoneInfo("America/Santiago")
MEXICO = ZoneInfo("America/Mexico_City")
UTC = dt.UTC
SPLIT = ["08:00-12:00", "14:00-18:00"]
OFFICE = {0: SPLIT, 1: SPLIT, 2: SPLIT, 3: SPLIT, 4: SPLIT, 5: ["08:00-12:00"]}


def hours(value: float) -> dt.timedelta:
    return dt.timedelta(hours=value)


def at(zone, *parts, fold: int = 0) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=zone, fold=fold)


def utc(moment: dt.datetime) -> dt.datetime:
    """The instant in UTC. Aware datetimes compare as wall clocks within one zone, and
    never equal across zones while one of them is in a repeated hour (PEP 495), so
    instants near clock changes are compared in UTC."""
    return moment.astimezone(UTC)


@pytest.fixture
def office():
    """Bogotá, Monday to Friday 08-12 and 14-18, Saturday 08-12, Colombian holidays."""
    return Calendar.weekly("America/Bogota", OFFICE, country="CO")


# --- split shifts, weekends, holidays, year ends -----------------------------------------


def test_a_split_shift_skips_the_lunch_break(office):
    # given Tuesday 3 February 2026 at 11:00, one hour before lunch
    start = at(BOGOTA, 2026, 2, 3, 11)

    # when
    due = add_business_time(office, start, hours(3))

    # then one hour before lunch and two after it
    assert due == at(BOGOTA, 2026, 2, 3, 16)
    assert due.tzinfo is BOGOTA
    assert business_time_between(office, start, due) == hours(3)


def test_a_duration_that_ends_with_a_shift_ends_there_and_not_at_the_next_one(office):
    assert add_business_time(office, at(BOGOTA, 2026, 2, 3, 8), hours(4)) == at(
        BOGOTA, 2026, 2, 3, 12)


def test_a_start_outside_working_time_waits_for_the_next_shift(office):
    # given Tuesday at 06:30, and at 12:30 (lunch)
    assert add_business_time(office, at(BOGOTA, 2026, 2, 3, 6, 30), hours(1)) == at(
        BOGOTA, 2026, 2, 3, 9)
    assert add_business_time(office, at(BOGOTA, 2026, 2, 3, 12, 30), hours(1)) == at(
        BOGOTA, 2026, 2, 3, 15)
    assert add_business_time(office, at(BOGOTA, 2026, 2, 3, 12, 30), dt.timedelta()) == at(
        BOGOTA, 2026, 2, 3, 14)


def test_the_weekend_has_saturday_morning_and_no_sunday(office):
    # given Saturday 7 February 2026 at 11:00
    saturday = at(BOGOTA, 2026, 2, 7, 11)

    # then one hour on Saturday, the next on Monday morning
    assert add_business_time(office, saturday, hours(2)) == at(BOGOTA, 2026, 2, 9, 9)
    assert add_business_time(office, at(BOGOTA, 2026, 2, 8, 10), hours(1)) == at(
        BOGOTA, 2026, 2, 9, 9)
    assert business_time_between(office, at(BOGOTA, 2026, 2, 6, 17),
                                 at(BOGOTA, 2026, 2, 9, 9)) == hours(6)


def test_a_start_on_a_moved_colombian_holiday_waits_for_the_next_working_day(office):
    # given Epiphany 2026, moved by law from Tuesday 6 January to Monday 12 January
    colombia = holidays.country_holidays("CO", years=2026)
    assert dt.date(2026, 1, 12) in colombia and dt.date(2026, 1, 6) not in colombia

    # when a request arrives on Monday 12 January at 09:00
    due = add_business_time(office, at(BOGOTA, 2026, 1, 12, 9), hours(1))

    # then it is due on Tuesday at 09:00, while Tuesday 6 January was a normal day
    assert due == at(BOGOTA, 2026, 1, 13, 9)
    assert add_business_time(office, at(BOGOTA, 2026, 1, 6, 9), hours(1)) == at(
        BOGOTA, 2026, 1, 6, 10)
    assert business_time_between(office, at(BOGOTA, 2026, 1, 12), at(BOGOTA, 2026, 1, 13)) \
        == dt.timedelta()


def test_a_holiday_marked_as_worked_has_its_weekday_hours_and_a_closed_day_has_none():
    # given the office, working Epiphany and closed on Tuesday 3 February
    calendar = Calendar.weekly("America/Bogota", OFFICE, country="CO",
                               worked=frozenset({dt.date(2026, 1, 12)}),
                               closed=frozenset({dt.date(2026, 2, 3)}))

    # then
    assert add_business_time(calendar, at(BOGOTA, 2026, 1, 12, 9), hours(1)) == at(
        BOGOTA, 2026, 1, 12, 10)
    assert add_business_time(calendar, at(BOGOTA, 2026, 2, 3, 9), hours(1)) == at(
        BOGOTA, 2026, 2, 4, 9)
    assert calendar.is_day_off(dt.date(2026, 2, 3))
    assert not calendar.is_day_off(dt.date(2026, 1, 12))


def test_the_year_end_skips_new_years_day(office):
    # given Wednesday 31 December 2025 at 17:00; 1 January is a holiday
    start = at(BOGOTA, 2025, 12, 31, 17)

    # when
    due = add_business_time(office, start, hours(2))

    # then one hour in 2025, the next on Friday 2 January 2026
    assert due == at(BOGOTA, 2026, 1, 2, 9)
    assert business_time_between(office, start, due) == hours(2)
    assert business_time_between(office, at(BOGOTA, 2025, 1, 1), at(BOGOTA, 2026, 1, 1)) == \
        reference_between(office, at(BOGOTA, 2025, 1, 1), at(BOGOTA, 2026, 1, 1), step=3600)


def test_a_long_closure_over_the_year_end_and_thirty_working_days():
    # given a company closed from 20 December 2025 to 11 January 2026
    closure = frozenset(dt.date(2025, 12, 20) + dt.timedelta(days=offset)
                        for offset in range(23))
    calendar = Calendar.weekly("America/Bogota", OFFICE, country="CO", closed=closure)
    start = at(BOGOTA, 2025, 12, 19, 17)

    # when thirty 8-hour working days are added on the last working hour before it
    duration = hours(30 * 8)
    due = add_business_time(calendar, start, duration)

    # then: 1 hour in 2025; from Tuesday 13 January (Monday 12 is Epiphany) 36 hours that
    # week, four weeks of 44, then Monday to Wednesday and three hours on Thursday
    assert due == at(BOGOTA, 2026, 2, 19, 11)
    assert utc(due) == utc(reference_add(calendar, start, duration, step=3600))
    assert business_time_between(calendar, start, due) == duration


def test_exact_to_the_second_and_microsecond(office):
    start = at(BOGOTA, 2026, 2, 3, 8, 0, 30)
    assert add_business_time(office, start, dt.timedelta(minutes=59, seconds=30)) == at(
        BOGOTA, 2026, 2, 3, 9)
    assert add_business_time(office, at(BOGOTA, 2026, 2, 3, 11, 59, 59, 250_000),
                             dt.timedelta(seconds=1)) == at(BOGOTA, 2026, 2, 3, 14, 0, 0,
                                                             250_000)
    assert business_time_between(office, at(BOGOTA, 2026, 2, 3, 11, 59, 59),
                                 at(BOGOTA, 2026, 2, 3, 14, 0, 1)) == dt.timedelta(seconds=2)


def test_start_and_result_in_other_zones_are_the_same_instants(office):
    # given 16:00 UTC, which is 11:00 in Bogotá
    start = dt.datetime(2026, 2, 3, 16, tzinfo=UTC)

    # then the answer is given in the calendar's zone
    due = add_business_time(office, start, hours(3))
    assert (due.tzinfo, due.replace(tzinfo=None)) == (BOGOTA, dt.datetime(2026, 2, 3, 16))


def test_between_backwards_is_negative_and_working_periods_list_the_shifts(office):
    start, end = at(BOGOTA, 2026, 2, 3, 9), at(BOGOTA, 2026, 2, 4, 9)
    assert business_time_between(office, end, start) == -hours(8)
    assert working_periods(office, start, end) == [
        (at(BOGOTA, 2026, 2, 3, 9), at(BOGOTA, 2026, 2, 3, 12)),
        (at(BOGOTA, 2026, 2, 3, 14), at(BOGOTA, 2026, 2, 3, 18)),
        (at(BOGOTA, 2026, 2, 4, 8), at(BOGOTA, 2026, 2, 4, 9)),
    ]


# --- daylight saving time -------------------------------------------------------------------


def around_the_clock(zone: str, **fields) -> Calendar:
    return Calendar.weekly(zone, {day: ["00:00-24:00"] for day in range(7)}, **fields)


def test_santiago_spring_forward_day_has_23_working_hours():
    # given Santiago's clocks jumped from 00:00 to 01:00 on Sunday 3 September 2023
    calendar = around_the_clock("America/Santiago")
    saturday_noon, sunday_noon = at(SANTIAGO, 2023, 9, 2, 12), at(SANTIAGO, 2023, 9, 3, 12)

    # then
    assert business_time_between(calendar, saturday_noon, sunday_noon) == hours(23)
    assert add_business_time(calendar, saturday_noon, hours(23)) == sunday_noon
    assert working_periods(calendar, at(SANTIAGO, 2023, 9, 3), at(SANTIAGO, 2023, 9, 4)) == [
        (at(SANTIAGO, 2023, 9, 3, 1), at(SANTIAGO, 2023, 9, 4))]


def test_santiago_interval_across_the_gap_lasts_what_the_clock_spends_in_it():
    # given Sunday 00:00-02:00 and 00:00-00:30, on the day the clock skips 00:00-01:00
    calendar = Calendar.weekly("America/Santiago", {6: ["00:00-02:00", "05:00-05:30"],
                                                    0: ["08:00-09:00"]})
    sunday = at(SANTIAGO, 2023, 9, 3, 1)
    gap_only = Calendar.weekly("America/Santiago", {6: ["00:00-01:00"], 0: ["08:00-09:00"]})

    # then one real hour (01:00-02:00) and half an hour at 05:00
    assert business_time_between(calendar, at(SANTIAGO, 2023, 9, 2), at(SANTIAGO, 2023, 9, 4)) \
        == hours(1.5)
    assert add_business_time(calendar, at(SANTIAGO, 2023, 9, 2, 20), hours(1)) == at(
        SANTIAGO, 2023, 9, 3, 2)
    assert add_business_time(calendar, sunday, hours(1.25)) == at(SANTIAGO, 2023, 9, 3, 5, 15)
    # and an interval wholly in the gap gives nothing that day
    assert business_time_between(gap_only, at(SANTIAGO, 2023, 9, 2), at(SANTIAGO, 2023, 9, 4)) \
        == dt.timedelta()


def test_santiago_fall_back_saturday_has_25_working_hours_and_the_repeated_hour_twice():
    # given Santiago's clocks fell back from 24:00 to 23:00 on Saturday 1 April 2023
    calendar = around_the_clock("America/Santiago")
    late = Calendar.weekly("America/Santiago", {5: ["22:00-24:00"], 0: ["08:00-09:00"]})
    saturday, sunday = at(SANTIAGO, 2023, 4, 1), at(SANTIAGO, 2023, 4, 2)

    # then
    assert business_time_between(calendar, saturday, sunday) == hours(25)
    assert business_time_between(late, saturday, sunday) == hours(3)
    # 23:30 happens twice; both are working time, one hour apart
    first, second = at(SANTIAGO, 2023, 4, 1, 23, 30), at(SANTIAGO, 2023, 4, 1, 23, 30, fold=1)
    assert business_time_between(late, first, second) == hours(1)
    due = add_business_time(late, at(SANTIAGO, 2023, 4, 1, 22), hours(2))
    assert utc(due) == dt.datetime(2023, 4, 2, 3, tzinfo=UTC)  # 22:00-03:00 then 23:00-04:00
    assert (due.replace(tzinfo=None), due.fold) == (dt.datetime(2023, 4, 1, 23), 1)


def test_mexico_city_historical_dst_changes_and_none_since_2023():
    # given Sunday 00:00-03:00 and Sunday 01:00-04:00
    night = Calendar.weekly("America/Mexico_City", {6: ["00:00-03:00"]})
    early = Calendar.weekly("America/Mexico_City", {6: ["01:00-04:00"]})

    def sunday(calendar, *day):
        return business_time_between(calendar, at(MEXICO, *day), at(MEXICO, *day) + hours(24))

    # then the last fall back (30 October 2022, 02:00 -> 01:00) adds an hour,
    assert sunday(night, 2022, 10, 30) == hours(4)
    # the last spring forward (3 April 2022, 02:00 -> 03:00) takes one away,
    assert sunday(early, 2022, 4, 3) == hours(2)
    # and since Mexico abolished DST the first Sunday of April is an ordinary day
    assert sunday(early, 2023, 4, 2) == hours(3)
    assert sunday(night, 2015, 10, 25) == hours(4)
    due = add_business_time(early, at(MEXICO, 2022, 4, 3, 0), hours(1.5))
    assert due == at(MEXICO, 2022, 4, 3, 3, 30)


@pytest.mark.parametrize("zone, day", [
    ("America/Santiago", dt.date(2023, 9, 3)), ("America/Santiago", dt.date(2023, 4, 1)),
    ("America/Santiago", dt.date(2024, 4, 6)), ("America/Mexico_City", dt.date(2022, 10, 30)),
    ("America/Mexico_City", dt.date(2022, 4, 3)), ("America/Mexico_City", dt.date(1996, 4, 7)),
])
def test_dst_days_agree_with_the_minute_reference(zone, day):
    # given quarter-hour shifts around the clock changes, and the country's holidays
    calendar = Calendar.weekly(
        zone, {weekday: ["00:15-01:45", "02:30-03:15", "22:00-24:00"] for weekday in range(7)},
        country="CL" if "Santiago" in zone else "MX",
    )
    start = dt.datetime.combine(day - dt.timedelta(days=1), dt.time(20), ZoneInfo(zone))

    for minutes in (1, 45, 90, 200, 400, 1000):
        duration = dt.timedelta(minutes=minutes)
        assert utc(add_business_time(calendar, start, duration)) == utc(reference_add(
            calendar, start, duration))
    assert business_time_between(calendar, start, start + hours(72)) == reference_between(
        calendar, start, start + hours(72))


# --- 24x7 ------------------------------------------------------------------------------------


def test_24x7_counts_every_real_second_across_dst_and_holidays():
    # given a 24x7 calendar in Santiago (holidays do not matter)
    calendar = Calendar("America/Santiago", always=True, country="CL")
    start = at(SANTIAGO, 2023, 9, 2, 12)

    # when a day of working time is added across the spring forward
    due = add_business_time(calendar, start, hours(24))

    # then it is 24 real hours later, 13:00 on the wall clock
    assert due == at(SANTIAGO, 2023, 9, 3, 13)
    assert business_time_between(calendar, start, due) == hours(24)
    assert business_time_between(calendar, start, at(SANTIAGO, 2023, 9, 3, 12)) == hours(23)


# --- the inverse property on a grid of starts -------------------------------------------------


@pytest.mark.parametrize("zone", ["America/Bogota", "America/Santiago", "America/Mexico_City"])
def test_between_start_and_its_due_time_is_the_duration(zone):
    calendar = Calendar.weekly(zone, OFFICE, country="CO")
    first = dt.datetime(2021, 12, 20, tzinfo=ZoneInfo(zone))
    for step in range(0, 24 * 400, 37):
        start = first + dt.timedelta(hours=step)
        for minutes in (1, 61, 600, 14_400):
            duration = dt.timedelta(minutes=minutes)
            due = add_business_time(calendar, start, duration)
            assert business_time_between(calendar, start, due) == duration


# --- clocks and refusals ----------------------------------------------------------------------


def test_clock_text_round_trips():
    assert [parse_clock(text) for text in ("00:00", "8:30", "24:00", "23:59:59")] == [
        0, 30_600, 86_400, 86_399]
    assert [format_clock(value) for value in (0, 30_600, 86_400, 61)] == [
        "00:00", "08:30", "24:00", "00:01:01"]
    for text in ("24:01", "12:60", "noon", "-1:00"):
        with pytest.raises(CalendarError):
            parse_clock(text)


@pytest.mark.parametrize("build, code", [
    (lambda: Calendar.weekly("America/Bogota", {0: ["08:00-12:00", "11:00-13:00"]}),
     "overlapping_intervals"),
    (lambda: Calendar.weekly("America/Bogota", {0: ["12:00-08:00"]}), "inverted_interval"),
    (lambda: Calendar.weekly("America/Bogota", {0: ["08:00-08:00"]}), "inverted_interval"),
    (lambda: Calendar.weekly("America/Bogota", {}), "no_working_time"),
    (lambda: Calendar.weekly("America/Bogota", {0: SPLIT}, country="XX"), "unknown_country"),
    (lambda: Calendar.weekly("America/Bogota", {0: SPLIT}, country="CO", subdivision="ZZ"),
     "unknown_subdivision"),
    (lambda: Calendar.weekly("Mars/Olympus", {0: SPLIT}), "invalid_time_zone"),
    (lambda: Calendar("America/Bogota", week=((),) * 6), "invalid_week"),
])
def test_a_calendar_that_cannot_work_is_refused_with_a_reason(build, code):
    with pytest.raises(CalendarError) as refused:
        build()
    assert refused.value.code == code


def test_naive_datetimes_negative_durations_and_far_dates_are_refused(office):
    with pytest.raises(CalendarError) as naive:
        add_business_time(office, dt.datetime(2026, 1, 5, 9), hours(1))
    with pytest.raises(CalendarError) as negative:
        add_business_time(office, at(BOGOTA, 2026, 1, 5, 9), -hours(1))
    with pytest.raises(CalendarError) as naive_end:
        business_time_between(office, at(BOGOTA, 2026, 1, 5, 9), dt.datetime(2026, 1, 6))
    with pytest.raises(CalendarError) as far:
        add_business_time(office, at(BOGOTA, 2200, 12, 30, 9), hours(100))
    assert [error.value.code for error in (naive, negative, naive_end, far)] == [
        "naive_datetime", "negative_duration", "naive_datetime", "out_of_range"]


def test_calendars_are_hashable_values():
    first = Calendar.weekly("America/Bogota", OFFICE, country="CO")
    second = Calendar.weekly("America/Bogota", OFFICE, country="CO")
    add_business_time(first, at(BOGOTA, 2026, 1, 5, 9), hours(1))  # fills first's tables
    assert first == second and hash(first) == hash(second)
    assert len({first, second, Calendar("America/Bogota", always=True)}) == 2
