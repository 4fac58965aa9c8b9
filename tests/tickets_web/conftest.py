"""The workspace's tests speak of the named cast (tests/conftest.py) and of Carla's
incident INC-000001 in Café Montaña's IT, logged by Ana by phone."""

from __future__ import annotations

import pytest

from atiende.tickets import services
from atiende.tickets.models import Kind


@pytest.fixture
def media(settings, tmp_path):
    """Uploaded files go to a directory of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def second_incident(agent_ana, requester_carla, org_cafe, it):
    """INC-000002: another of Carla's incidents (a link target)."""
    return services.ticket_create(
        actor=agent_ana, kind=Kind.INCIDENT, title="El escáner tampoco funciona",
        organization=org_cafe, department=it, requester=requester_carla)
