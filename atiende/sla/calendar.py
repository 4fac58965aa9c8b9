"""Business calendars as pure arithmetic: when is work time, and how much of it lies
between two instants.

This module knows nothing of the database. A `Calendar` is a frozen, hashable value
(time zone, working intervals per weekday, public holidays by country and
subdivision, days closed and days worked by decision of an administrator, or 24x7);
`atiende.sla.loader` builds it from the models and caches it. The two central
functions are:

- `add_business_time(calendar, start, duration)`: the instant at which `duration` of
  working time has elapsed after `start`;
- `business_time_between(calendar, start, end)`: the working time in `[start, end)`.

Both take and return aware datetimes (naive ones are refused: their instant is
unknown) and are exact to the microsecond the datetime carries.

What counts as working time
---------------------------
An instant is working time when its *wall-clock reading in the calendar's time zone*
falls inside one of the working intervals of that wall-clock date, and that date is a
working day. Intervals are half-open (`08:00-12:00` is work at 11:59:59 and not at
12:00), measured in seconds since local midnight, may end at 24:00, and a day may hold
several (a split shift: `08:00-12:00` and `14:00-18:00`). An interval that crosses
midnight is written as two: `22:00-24:00` on one weekday and `00:00-06:00` on the next.

Daylight saving time (the DST rule). The rule above is applied to real instants, so:

- in a gap (clocks jump forward, e.g. America/Santiago at 00:00 on the first Sunday of
  September, to 01:00), wall-clock times that never happen give no working time: an
  interval `00:00-02:00` that day lasts one real hour, and one lying wholly in the gap
  lasts nothing;
- in an overlap (clocks fall back, e.g. America/Mexico_City at 02:00 on the last Sunday
  of October until 2022, back to 01:00), wall-clock times that happen twice are
  working time both times: an interval `00:00-03:00` that day lasts four real hours.
  A wall-clock time that happens twice belongs to its wall-clock date both times.

In other words, every working interval lasts exactly as long as the wall clock spends
inside it, which is what a person at the desk would count.

Holidays (the holiday rule). A date is a day off when it is a public holiday of the
calendar's country (and subdivision, if given) according to the `holidays` package —
which applies moving rules such as Colombia's "Ley Emiliani": in 2026 Epiphany is
observed on Monday 12 January — or when the administrator closed it (an extra holiday,
a company closure). A date the administrator marked as *worked* is a working day even
when it is a holiday: the working intervals of its weekday apply. A day off has no
working time at all, whatever its weekday intervals. A 24x7 calendar has no days off:
every instant is working time.

Speed
-----
Working time is precomputed per UTC year, lazily and once per calendar value: the
year's working intervals as sorted POSIX instants and the cumulative working seconds at
the end of each. A call is then a binary search for the start, one for the target
(`bisect`), and one datetime construction, whatever the duration; only durations that
run into a later year touch a second table. Zone transitions are found once per (zone,
year) and holiday lists once per (country, subdivision, year).

Instants from 1900-01-01 to 2200-12-31 (UTC) are supported; beyond, `CalendarError`.
"""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holidays_package

__all__ = [
    "Calendar",
    "CalendarError",
    "add_business_time",
    "business_time_between",
    "format_clock",
    "parse_clock",
    "working_periods",
]

FIRST_YEAR = 1900
LAST_YEAR = 2200
DAY = 86_400
WEEKDAYS = 7  # Monday is 0, as `date.weekday()`
_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()
# POSIX time of 1 January (UTC) of each supported year, and of the year after the last.
_YEAR_STARTS: list[int] = [
    (dt.date(year, 1, 1).toordinal() - _EPOCH_ORDINAL) * DAY
    for year in range(FIRST_YEAR, LAST_YEAR + 2)
]
_FIRST_INSTANT = _YEAR_STARTS[0]
_END_INSTANT = _YEAR_STARTS[-1]
# Years in a row without any working time after which a search gives up.
_MAX_EMPTY_YEARS = 10
# Zone offsets are sampled twice a day and each change is then pinned to the second by
# bisection. Two changes less than 12 hours apart would be missed; the time zone
# database has none closer than four days (Africa/Freetown, 1939).
_SAMPLE = 12 * 3600

Interval = tuple[int, int]
Week = tuple[tuple[Interval, ...], ...]


class CalendarError(ValueError):
    """A calendar or an argument the arithmetic cannot work with. `code` names the
    problem for programs; the message is for developers (services translate)."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(message)


# --- clock times --------------------------------------------------------------------------

_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")


def parse_clock(text: str) -> int:
    """Seconds after midnight of "HH:MM" (or "HH:MM:SS"), from 00:00 to 24:00."""
    match = _CLOCK.match(str(text).strip())
    if not match:
        raise CalendarError("invalid_time", f"{text!r} is not a time of day (HH:MM).")
    hours, minutes, seconds = int(match[1]), int(match[2]), int(match[3] or 0)
    value = hours * 3600 + minutes * 60 + seconds
    if minutes > 59 or seconds > 59 or value > DAY:
        raise CalendarError("invalid_time", f"{text!r} is not a time of day (HH:MM).")
    return value


def format_clock(seconds: int) -> str:
    """"HH:MM" (with ":SS" when not on a whole minute) of seconds after midnight."""
    hours, rest = divmod(int(seconds), 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours:02d}:{minutes:02d}" + (f":{seconds:02d}" if seconds else "")


# --- holidays and zones (cached, shared by every calendar) -------------------------------


@cache
def supported_countries() -> dict[str, tuple[str, ...]]:
    """Country codes the `holidays` package knows, with their subdivision codes."""
    return {
        code: tuple(subdivisions)
        for code, subdivisions in holidays_package.list_supported_countries(
            include_aliases=False
        ).items()
    }


@lru_cache(maxsize=4096)
def holiday_dates(country: str, subdivision: str, year: int) -> frozenset[dt.date]:
    """The public holidays of one year (as observed: moved holidays on the day off)."""
    if not country:
        return frozenset()
    return frozenset(
        holidays_package.country_holidays(country, subdiv=subdivision or None, years=year)
    )


@lru_cache(maxsize=1024)
def holiday_names(
    country: str, subdivision: str, year: int, language: str | None = None
) -> dict[dt.date, str]:
    """The public holidays of one year by name, in `language` where the package has it."""
    if not country:
        return {}
    entity = holidays_package.country_holidays(country, subdiv=subdivision or None)
    supported = getattr(entity, "supported_languages", ())
    if language not in supported:
        # "en" is "en_US" there; without any match, the country's own language.
        language = next((code for code in supported
                         if language and code.startswith(f"{language}_")), None)
    return dict(holidays_package.country_holidays(
        country, subdiv=subdivision or None, years=year, language=language
    ))


@lru_cache(maxsize=512)
def _offset_segments(time_zone: str, low: int, high: int) -> tuple[tuple[int, int, int], ...]:
    """`(start, end, offset)` spans of POSIX time covering `[low, high)` during which the
    zone's UTC offset (in seconds) is constant."""
    zone = ZoneInfo(time_zone)

    def offset(instant: int) -> int:
        return int(dt.datetime.fromtimestamp(instant, zone).utcoffset().total_seconds())

    segments = []
    start, current = low, offset(low)
    probe = low
    while probe < high:
        following = min(probe + _SAMPLE, high)
        if offset(following) != current:
            # The change lies in (probe, following]: pin it to the second.
            before, after = probe, following
            while after - before > 1:
                middle = (before + after) // 2
                if offset(middle) == current:
                    before = middle
                else:
                    after = middle
            segments.append((start, after, current))
            start, current = after, offset(after)
        probe = following
    segments.append((start, high, current))
    return tuple(segments)


# --- the calendar ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Year:
    """One UTC year of working time: sorted, disjoint intervals `[starts[i], ends[i])`
    in POSIX seconds, and `cumulative[i]`, the working seconds of the year up to
    `ends[i]`."""

    starts: list[int]
    ends: list[int]
    cumulative: list[int]
    total: int

    def position(self, instant: float) -> float:
        """Working seconds of the year before `instant`."""
        index = bisect_right(self.ends, instant)
        if index == len(self.ends):
            return self.total
        start = self.starts[index]
        return self.cumulative[index] - (self.ends[index] - (instant if instant > start
                                                            else start))


@dataclass(frozen=True)
class Calendar:
    """A compiled business calendar. Equal calendars are interchangeable.

    - `time_zone`: an IANA name ("America/Bogota");
    - `week`: for each weekday, Monday first, its working intervals as
      `(start, end)` seconds after local midnight (`0 <= start < end <= 86400`);
      `Calendar.weekly({...})` builds it from "HH:MM" text;
    - `country`, `subdivision`: whose public holidays are days off ("" for none);
    - `closed`: dates that are days off besides the public holidays;
    - `worked`: dates that are working days even if they are holidays or closed;
    - `always`: 24x7, every instant is working time (the rest is then ignored).

    Raises `CalendarError` for an unknown zone, country or subdivision, intervals that
    are inverted or overlap, or no working time at all.
    """

    time_zone: str
    week: Week = ((),) * WEEKDAYS
    country: str = ""
    subdivision: str = ""
    closed: frozenset[dt.date] = frozenset()
    worked: frozenset[dt.date] = frozenset()
    always: bool = False
    zone: ZoneInfo = field(init=False, repr=False, compare=False, hash=False)
    _years: dict[int, _Year] = field(
        init=False, repr=False, compare=False, hash=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        try:
            zone = ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError, TypeError):
            raise CalendarError("invalid_time_zone",
                                f"{self.time_zone!r} is not a known time zone.") from None
        object.__setattr__(self, "zone", zone)
        object.__setattr__(self, "week", _checked_week(self.week))
        object.__setattr__(self, "closed", frozenset(self.closed))
        object.__setattr__(self, "worked", frozenset(self.worked))
        if self.country and self.country not in supported_countries():
            raise CalendarError("unknown_country",
                                f"{self.country!r} is not a country the holidays package knows.")
        if self.subdivision and self.subdivision not in supported_countries().get(
            self.country, ()
        ):
            raise CalendarError("unknown_subdivision",
                                f"{self.subdivision!r} is not a subdivision of {self.country!r}.")
        if not self.always and not any(self.week):
            raise CalendarError("no_working_time", "The calendar has no working time.")

    @classmethod
    def weekly(
        cls, time_zone: str, hours: Mapping[int, Iterable[str | tuple[str, str]]], **fields
    ) -> Calendar:
        """A calendar from {weekday: ["08:00-12:00", ("14:00", "18:00")]}."""
        week: list[list[Interval]] = [[] for _ in range(WEEKDAYS)]
        for weekday, intervals in hours.items():
            for interval in intervals:
                start, end = interval.split("-") if isinstance(interval, str) else interval
                week[weekday].append((parse_clock(start), parse_clock(end)))
        return cls(time_zone, tuple(tuple(day) for day in week), **fields)

    def is_day_off(self, day: dt.date) -> bool:
        """Whether `day` (a wall-clock date) has no working time by decision: a public
        holiday or a closure that is not marked as worked."""
        if self.always or day in self.worked:
            return False
        return day in self.closed or day in holiday_dates(self.country, self.subdivision,
                                                          day.year)

    def _year(self, index: int) -> _Year:
        year = self._years.get(index)
        if year is None:
            year = self._years[index] = self._compile_year(index)
        return year

    def _compile_year(self, index: int) -> _Year:
        low, high = _YEAR_STARTS[index], _YEAR_STARTS[index + 1]
        # Wall clocks are at most a day and some hours away from UTC.
        segments = _offset_segments(self.time_zone, low - 3 * DAY, high + 3 * DAY)
        first_day, last_day = low // DAY - 2, high // DAY + 2
        first_date = dt.date.fromordinal(first_day + _EPOCH_ORDINAL)
        days_off = self._days_off(first_date.year, first_date.year + 2)
        weekday = first_date.weekday()
        week = self.week
        pieces = []
        for day_number in range(first_day, last_day):
            intervals = week[weekday]
            weekday = weekday + 1 if weekday < 6 else 0
            if not intervals or day_number in days_off:
                continue
            midnight = day_number * DAY
            for start, end in intervals:
                wall_start, wall_end = midnight + start, midnight + end
                # The instants whose wall clock (instant + offset) reads inside the
                # interval, span by span of constant offset.
                for segment_start, segment_end, offset in segments:
                    first = max(segment_start, wall_start - offset, low)
                    last = min(segment_end, wall_end - offset, high)
                    if first < last:
                        pieces.append((first, last))
        pieces.sort()
        starts: list[int] = []
        ends: list[int] = []
        for first, last in pieces:
            if ends and first <= ends[-1]:
                ends[-1] = max(ends[-1], last)
            else:
                starts.append(first)
                ends.append(last)
        cumulative, total = [], 0
        for first, last in zip(starts, ends, strict=True):
            total += last - first
            cumulative.append(total)
        return _Year(starts, ends, cumulative, total)

    def _days_off(self, first_year: int, last_year: int) -> frozenset[int]:
        """Days off of these years, as day numbers since 1970-01-01 (see `is_day_off`)."""
        dates = set(self.closed)
        for year in range(first_year, last_year + 1):
            dates |= holiday_dates(self.country, self.subdivision, year)
        return frozenset(day.toordinal() - _EPOCH_ORDINAL for day in dates - self.worked)


def _checked_week(week: Iterable[Iterable[Interval]]) -> Week:
    days = tuple(tuple(sorted((int(start), int(end)) for start, end in day)) for day in week)
    if len(days) != WEEKDAYS:
        raise CalendarError("invalid_week", "A week has seven days, Monday first.")
    for weekday, intervals in enumerate(days):
        previous_end = None
        for start, end in intervals:
            if not 0 <= start < end <= DAY:
                raise CalendarError(
                    "inverted_interval",
                    f"Weekday {weekday}: {format_clock(start)}-{format_clock(end)} does not "
                    "run forward within the day.",
                )
            if previous_end is not None and start < previous_end:
                raise CalendarError(
                    "overlapping_intervals",
                    f"Weekday {weekday}: the interval starting at {format_clock(start)} "
                    "overlaps the one before it.",
                )
            previous_end = end
    return days


# --- the arithmetic ---------------------------------------------------------------------------


def _instant(moment: dt.datetime, name: str) -> float:
    if moment.utcoffset() is None:
        raise CalendarError("naive_datetime", f"{name} needs a time zone (an aware datetime).")
    instant = moment.timestamp()
    if not _FIRST_INSTANT <= instant < _END_INSTANT:
        raise CalendarError("out_of_range",
                            f"{name} must lie between {FIRST_YEAR} and {LAST_YEAR}.")
    return instant


def _year_index(instant: float) -> int:
    return bisect_right(_YEAR_STARTS, instant) - 1


def _out(calendar: Calendar, instant: float) -> dt.datetime:
    if instant >= _END_INSTANT:
        raise CalendarError("out_of_range", f"The result lies beyond {LAST_YEAR}.")
    return dt.datetime.fromtimestamp(instant, calendar.zone)


def add_business_time(calendar: Calendar, start: dt.datetime, duration: dt.timedelta
                      ) -> dt.datetime:
    """The earliest instant at which `duration` of working time has elapsed after
    `start`, in the calendar's time zone.

    A duration that ends exactly where a working interval ends gives that end (not the
    start of the next interval). A zero duration gives `start` when it is working time,
    else the start of the next working interval. Raises `CalendarError` for a naive
    `start`, a negative duration, or a result outside the supported years.
    """
    instant = _instant(start, "start")
    needed = duration.total_seconds()
    if needed < 0:
        raise CalendarError("negative_duration", "The duration cannot be negative.")
    if calendar.always:
        return _out(calendar, instant + needed)
    index = _year_index(instant)
    empty_years = 0
    while True:
        year = calendar._years.get(index) or calendar._year(index)
        ends = year.ends
        first = bisect_right(ends, instant)
        if first < len(ends):
            interval_start = year.starts[first]
            target = year.cumulative[first] - ends[first] + (
                instant if instant > interval_start else interval_start
            ) + needed
            if target <= year.total:
                cumulative = year.cumulative
                last = bisect_left(cumulative, target, first)
                return _out(calendar, ends[last] - (cumulative[last] - target))
            needed = target - year.total
            empty_years = 0
        else:
            empty_years += 1
            if empty_years > _MAX_EMPTY_YEARS:
                raise CalendarError("no_working_time",
                                    f"No working time in {_MAX_EMPTY_YEARS} years.")
        index += 1
        if index >= len(_YEAR_STARTS) - 1:
            raise CalendarError("out_of_range", f"The result lies beyond {LAST_YEAR}.")
        instant = _YEAR_STARTS[index]


def business_time_between(calendar: Calendar, start: dt.datetime, end: dt.datetime
                          ) -> dt.timedelta:
    """The working time in `[start, end)`. When `end` comes before `start`, the working
    time of `[end, start)`, negated. Raises `CalendarError` for naive datetimes or
    instants outside the supported years."""
    low, high = _instant(start, "start"), _instant(end, "end")
    if high < low:
        return -business_time_between(calendar, end, start)
    if calendar.always:
        return dt.timedelta(seconds=high - low)
    first, last = _year_index(low), _year_index(high)
    if first == last:
        year = calendar._year(first)
        return dt.timedelta(seconds=year.position(high) - year.position(low))
    opening = calendar._year(first)
    seconds = opening.total - opening.position(low)
    for index in range(first + 1, last):
        seconds += calendar._year(index).total
    seconds += calendar._year(last).position(high)
    return dt.timedelta(seconds=seconds)


def working_periods(calendar: Calendar, start: dt.datetime, end: dt.datetime
                    ) -> list[tuple[dt.datetime, dt.datetime]]:
    """The working time in `[start, end)` as maximal periods, in the calendar's zone.
    For a 24x7 calendar, the whole span."""
    low, high = _instant(start, "start"), _instant(end, "end")
    if high <= low:
        return []
    if calendar.always:
        return [(_out(calendar, low), _out(calendar, high))]
    periods: list[tuple[float, float]] = []
    for index in range(_year_index(low), _year_index(high) + 1):
        year = calendar._year(index)
        for position in range(bisect_right(year.ends, low), len(year.ends)):
            first, last = max(year.starts[position], low), min(year.ends[position], high)
            if first >= high:
                break
            if periods and periods[-1][1] == first:  # across the turn of a UTC year
                periods[-1] = (periods[-1][0], last)
            else:
                periods.append((first, last))
    return [(_out(calendar, first), _out(calendar, last)) for first, last in periods]
