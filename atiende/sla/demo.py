"""Demo business calendars: one per demo organization, made through the services.

Colombian organizations work Monday to Friday 08:00-12:00 and 14:00-18:00 and Saturday
mornings, with Colombia's public holidays; the Mexican one the same hours in Mexico
City with Mexico's holidays; the provider's desk runs around the clock.
"""

from __future__ import annotations

from atiende.core.models import Organization, User
from atiende.sla import services

SPLIT_SHIFT = ["08:00-12:00", "14:00-18:00"]
OFFICE_WEEK = [
    {"weekday": weekday, "start": start, "end": end}
    for weekday in range(6)
    for interval in (SPLIT_SHIFT if weekday < 5 else ["08:00-12:00"])
    for start, end in [interval.split("-")]
]


def load_demo_calendars(*, actor: User) -> None:
    """The default calendar of every organization (the provider's is 24x7)."""
    for organization in Organization.objects.order_by("pk"):
        if organization.is_provider:
            services.calendar_create(
                actor=actor, organization=organization, name="Soporte 24x7", is_24x7=True,
                country="", is_default=True, channel="cli",
            )
        else:
            services.calendar_create(
                actor=actor, organization=organization, name="Horario de oficina",
                time_zone=organization.time_zone, country=organization.country,
                intervals=OFFICE_WEEK, is_default=True, channel="cli",
            )
