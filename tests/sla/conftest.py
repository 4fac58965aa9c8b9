"""What the SLA tests share: hypothesis settings, a clean calendar cache, and the
calendars of the cast's organizations."""

from __future__ import annotations

import pytest

from atiende.sla import loader
from tests.api.conftest import _never_a_server_error, in_english  # noqa: F401

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
