"""Two more people the web pages need besides the cast of tests/conftest.py.

| name            | who                                                          |
|-----------------|--------------------------------------------------------------|
| admin_other_org | organization admin of Clínica Norte (not of Café Montaña)    |
| agent_diego     | agent of Café Montaña's IT, not yet in team Redes            |
"""

from __future__ import annotations

import pytest

from atiende.core.models import Role
from tests.factories import MembershipFactory, TeamFactory, UserFactory


@pytest.fixture
def admin_other_org(org_other, other_it):
    user = UserFactory(email="valeria@clinicanorte.example", display_name="Valeria Ortiz",
                       organization=org_other, language="es")
    MembershipFactory(user=user, organization=org_other, role=Role.ORGANIZATION_ADMIN)
    return user


@pytest.fixture
def agent_diego(org_cafe, it):
    user = UserFactory(email="diego@cafemontana.example", display_name="Diego Lozano",
                       organization=org_cafe, language="es")
    MembershipFactory(user=user, organization=org_cafe, department=it, role=Role.AGENT)
    return user


@pytest.fixture
def team_other_org(other_it, agent_other_org):
    team = TeamFactory(department=other_it, name="Soporte clínico")
    team.members.add(agent_other_org)
    return team


@pytest.fixture
def actors(cast, admin_other_org) -> dict:
    """The cast by name, plus the admin of the other organization."""
    return {**cast, "admin_other_org": admin_other_org}
