"""What the SLA tests share: hypothesis settings, a clean calendar cache, a frozen clock
(tests/sla/moments.py names the moments), and the calendars of the cast's organizations."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from atiende.sla import loader
from tests.api.conftest import _never_a_server_error, in_english  # noqa: F401
from tests.sla.moments import TUESDAY

OFFICE_WEEK = [
    {"weekday": weekday, "start": start, "end": end}
    for weekday in range(5)
    for start, end in (("08:00", "12:00"), ("14:00", "18:00"))
] + [{"weekday": 5, "start": "08:00", "end": "12:00"}]


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    loader.forget_all()
    yield
    loader.forget_all()


@pytest.fixture
def clock_at():
    """Move the frozen clock: `clock_at(instant)`."""
    travellers = []

    def move(instant: dt.datetime) -> None:
        if travellers:
            travellers.pop().stop()
        traveller = time_machine.travel(instant, tick=False)
        traveller.start()
        travellers.append(traveller)

    yield move
    for traveller in travellers:
        traveller.stop()


@pytest.fixture
def frozen():
    """The clock stands still at TUESDAY (09:00 in Bogotá)."""
    with time_machine.travel(TUESDAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def cafe_calendar(org_cafe, admin):
    """Café Montaña's default calendar: Bogotá, split shifts, Saturday mornings,
    Colombian holidays."""
    from atiende.sla import services

    return services.calendar_create(actor=admin, organization=org_cafe, name="Oficina",
                                    time_zone="America/Bogota", country="CO",
                                    intervals=OFFICE_WEEK)


@pytest.fixture
def other_calendar(org_other, admin_other_org):
    """Clínica Norte's calendar, which nobody of Café Montaña may see."""
    from atiende.sla import services

    return services.calendar_create(actor=admin_other_org, organization=org_other,
                                    name="Clínica", time_zone="America/Bogota", country="CO",
                                    intervals=OFFICE_WEEK)


STANDARD_TARGETS = [
    {"priority": 1, "first_response_minutes": 30, "resolution_minutes": 240},
    {"priority": 2, "first_response_minutes": 60, "resolution_minutes": 480},
    {"priority": 3, "first_response_minutes": 120, "resolution_minutes": 960},
    {"priority": 4, "first_response_minutes": 240, "resolution_minutes": 1920},
    {"priority": 5, "first_response_minutes": 480, "resolution_minutes": 4800},
]


@pytest.fixture
def cafe_policy(org_cafe, admin, cafe_calendar):
    """Café Montaña's catch-all policy on its office calendar."""
    from atiende.sla import policy_services

    return policy_services.sla_policy_create(
        actor=admin, organization=org_cafe, name="Estándar", calendar=cafe_calendar,
        targets=STANDARD_TARGETS)


@pytest.fixture
def other_policy(org_other, admin_other_org, other_calendar):
    from atiende.sla import policy_services

    return policy_services.sla_policy_create(
        actor=admin_other_org, organization=org_other, name="Clínica", calendar=other_calendar,
        targets=STANDARD_TARGETS)
