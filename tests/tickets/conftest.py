"""Tickets around the named cast: Carla's incident in Café Montaña's IT."""

from __future__ import annotations

import pytest

from atiende.core.models import Role
from atiende.tickets import services
from atiende.tickets.models import Category, Kind
from tests.factories import MembershipFactory


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
    """A team lead of Café Montaña's IT (may set priorities by hand)."""
    from tests.factories import UserFactory

    user = UserFactory(email="lucia@cafemontana.example", display_name="Lucía Prieto",
                       organization=org_cafe)
    MembershipFactory(user=user, organization=org_cafe, department=it, role=Role.TEAM_LEAD)
    team_redes.members.add(user)
    return user
