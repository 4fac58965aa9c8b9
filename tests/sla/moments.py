"""The moments the SLA tests speak of, in Bogotá (no daylight saving time there)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from atiende.sla.calendar import Calendar

BOGOTA = ZoneInfo("America/Bogota")
ALWAYS = Calendar(time_zone="America/Bogota", week=((),) * 7, always=True)  # every hour counts
MONDAY = dt.datetime(2026, 3, 2, 9, 0, tzinfo=BOGOTA)
# Tuesday 3 March 2026, 09:00 in Bogotá: a working day of the office calendar.
TUESDAY = dt.datetime(2026, 3, 3, 9, 0, tzinfo=BOGOTA)


def at(hours: float) -> dt.datetime:
    """`hours` after Monday 09:00."""
    return MONDAY + dt.timedelta(hours=hours)


def local(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """That day of March 2026, at that time in Bogotá."""
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=BOGOTA)
