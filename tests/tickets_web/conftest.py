"""The workspace's tests speak of the named cast (tests/conftest.py) and of Carla's
incident INC-000001 in Café Montaña's IT, logged by Ana by phone."""

from __future__ import annotations

import pytest

from atiende.core.models import Role
from atiende.tickets import services
from atiende.tickets.models import Category, Kind
from tests.factories import MembershipFactory, UserFactory


@pytest.fixture
def impresoras(it):
    hardware = Category.objects.create(department=it, name="Hardware")
    return Category.objects.create(department=it, parent=hardware, name="Impresoras")


@pytest.fixture
def incident(agent_ana, requester_carla, org_cafe, it):
    """INC-000001: Carla's printer, logged by Ana by phone."""
    return services.ticket_create(
        actor=agent_ana, kind=Kind.INCIDENT, title="La impresora del piso 3 no imprime",
        description="<p>Sale una hoja en blanco.</p>", organization=org_cafe, department=it,
        requester=requester_carla, channel="phone",
    )


@pytest.fixture
def lead_lucia(org_cafe, it, team_redes):
    """A team lead of Café Montaña's IT (may set priorities by hand), in team Redes."""
    user = UserFactory(email="lucia@cafemontana.example", display_name="Lucía Prieto",
                       organization=org_cafe)
    MembershipFactory(user=user, organization=org_cafe, department=it, role=Role.TEAM_LEAD)
    team_redes.members.add(user)
    return user


@pytest.fixture
def actors(cast, admin_other_org) -> dict:
    """The cast by name (None for anonymous), plus the admin of the other organization."""
    return {**cast, "admin_other_org": admin_other_org}


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
