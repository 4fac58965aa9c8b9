"""Benchmark: business-calendar arithmetic on one core (issue #4's scenario).

Fixed scenario, one JSON document on stdout:

- the calendar: America/Bogota, Monday to Friday 08:00-12:00 and 14:00-18:00, Saturday
  08:00-12:00, Colombia's public holidays (`atiende.sla.calendar.Calendar`, no database);
- 20,000 calls prepared beforehand from a fixed seed: starts anywhere in 2026 (to the
  second, in or out of working time, weekends and holidays included) and durations
  from one minute to 30 working days of 8 hours (14,400 minutes), so that many cross
  into 2027;
- the years involved are compiled by the first call that reaches each (its time is
  reported as `first_call_of_a_year_ms`), as a running server would have them after its
  first calls;
- `add_business_time` over the 20,000 calls, five rounds, and `business_time_between`
  over the same starts and the due times found; the best round's calls per second is
  the figure (the least disturbed by other processes), the median is reported too.

The measurement runs in a child process pinned to one CPU (`sched_setaffinity`), so
that nothing of it runs elsewhere and the parent's affinity is left alone.

    python bench/calendar_bench.py                (the section alone)
    python bench/calendar_bench.py measure        (internal: the pinned child)
"""

from __future__ import annotations

import json
import os
import platform
import random
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

CALLS = 20_000
ROUNDS = 5
SEED = 4


def measure() -> dict:
    allowed = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    if allowed:
        os.sched_setaffinity(0, {allowed[-1]})
    from atiende.sla.calendar import Calendar, add_business_time, business_time_between

    split = ["08:00-12:00", "14:00-18:00"]
    calendar = Calendar.weekly(
        "America/Bogota", {0: split, 1: split, 2: split, 3: split, 4: split,
                           5: ["08:00-12:00"]}, country="CO")
    zone = ZoneInfo("America/Bogota")
    rng = random.Random(SEED)
    year_start = datetime(2026, 1, 1, tzinfo=zone)
    starts = [year_start + timedelta(seconds=rng.randrange(365 * 86_400)) for _ in range(CALLS)]
    durations = [timedelta(minutes=rng.randint(1, 30 * 8 * 60)) for _ in range(CALLS)]

    cold = []
    for year in (2026, 2027):
        started = time.perf_counter()
        add_business_time(calendar, datetime(year, 1, 2, 9, tzinfo=zone), timedelta(minutes=1))
        cold.append((time.perf_counter() - started) * 1000)
    dues = [add_business_time(calendar, start, duration)
            for start, duration in zip(starts, durations, strict=True)]
    years = len(calendar._years)

    def rounds(call) -> list[float]:
        rates = []
        for _ in range(ROUNDS):
            started = time.perf_counter()
            call()
            rates.append(CALLS / (time.perf_counter() - started))
        return rates

    def adds() -> None:
        for start, duration in zip(starts, durations, strict=True):
            add_business_time(calendar, start, duration)

    def betweens() -> None:
        for start, due in zip(starts, dues, strict=True):
            business_time_between(calendar, start, due)

    add_rates, between_rates = rounds(adds), rounds(betweens)
    return {
        "benchmark": "atiende.sla.calendar on one core: split shifts, Colombian holidays, "
                     "durations up to 30 working days",
        "add_business_time_calls_per_second": round(max(add_rates)),
        "add_business_time_calls_per_second_median": round(statistics.median(add_rates)),
        "business_time_between_calls_per_second": round(max(between_rates)),
        "business_time_between_calls_per_second_median": round(
            statistics.median(between_rates)),
        "target_add_business_time_calls_per_second": 100_000,
        "calls_per_round": CALLS,
        "rounds": ROUNDS,
        "years_compiled": years,
        "first_call_of_a_year_ms": [round(value, 2) for value in cold],
        "pinned_to_cpu": allowed[-1] if allowed else None,
        "python": platform.python_version(),
    }


def bench() -> dict:
    """The section, measured in a pinned child process."""
    import subprocess

    finished = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "measure"],
        capture_output=True, text=True, timeout=300, check=False,
    )
    if finished.returncode != 0:
        raise RuntimeError(f"calendar benchmark failed:\n{finished.stderr}")
    return json.loads(finished.stdout)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "measure":
        print(json.dumps(measure()))
    else:
        print(json.dumps(bench(), indent=2))
