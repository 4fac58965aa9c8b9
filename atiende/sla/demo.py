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


DEMO_TARGETS = [
    {"priority": 1, "first_response_minutes": 30, "resolution_minutes": 240},
    {"priority": 2, "first_response_minutes": 60, "resolution_minutes": 480},
    {"priority": 3, "first_response_minutes": 120, "resolution_minutes": 960},
    {"priority": 4, "first_response_minutes": 240, "resolution_minutes": 1920},
    {"priority": 5, "first_response_minutes": 480, "resolution_minutes": 4800},
]


def load_demo_policies(*, actor: User) -> int:
    """A standard SLA policy per client organization, on its default calendar, then
    the clocks of every demo ticket, rebuilt in bulk (the history's warnings and
    breaches are recorded as already announced: they happened before the desk was
    installed). Returns how many tickets were rebuilt."""
    from atiende.sla import clock_services, policy_services
    from atiende.sla.models import BusinessCalendar
    from atiende.tickets.models import Ticket

    for organization in Organization.objects.filter(is_provider=False).order_by("pk"):
        calendar = BusinessCalendar.objects.filter(organization=organization,
                                                   is_default=True).first()
        if calendar is None:
            continue
        policy_services.sla_policy_create(
            actor=actor, organization=organization, name="ANS estándar", calendar=calendar,
            targets=DEMO_TARGETS, channel="cli")
    return clock_services.rebuild_clocks(Ticket.objects.values_list("pk", flat=True),
                                         announce=False)
