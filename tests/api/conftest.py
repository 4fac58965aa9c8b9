"""A few more people and teams around the named cast, for the API tests.

| name              | who                                                           |
|-------------------|---------------------------------------------------------------|
| requester_diego   | a second requester of Café Montaña (Carla does not see him)   |
| agent_nico        | Café Montaña IT agent, not yet in team Redes                  |
| team_nomina       | team of Café Montaña's HR, Bruno is a member                  |
| team_soporte      | team of Clínica Norte's IT, Óscar is a member                 |
"""

from __future__ import annotations

import logging

import pytest

from atiende.core.models import Role
from tests.factories import MembershipFactory, TeamFactory, UserFactory


@pytest.fixture(autouse=True)
def _never_a_server_error(caplog):
    """Whatever a test sends, the API never answers 500: an unhandled error is logged
    by the API's error mapping, and that log fails the test."""
    yield
    unhandled = [record.getMessage() for record in caplog.get_records("call")
                 if record.levelno >= logging.ERROR
                 and record.name in ("atiende.api.errors", "django.request")]
    assert unhandled == [], "the API answered with a server error"


@pytest.fixture
def requester_diego(org_cafe):
    user = UserFactory(email="diego@cafemontana.example", display_name="Diego Torres",
                       organization=org_cafe, language="es")
    MembershipFactory(user=user, organization=org_cafe, role=Role.REQUESTER)
    return user


@pytest.fixture
def agent_nico(org_cafe, it):
    user = UserFactory(email="nico@cafemontana.example", display_name="Nicolás Vega",
                       organization=org_cafe, language="es")
    MembershipFactory(user=user, organization=org_cafe, department=it, role=Role.AGENT)
    return user


@pytest.fixture
def team_nomina(hr, agent_bruno_other_department):
    team = TeamFactory(department=hr, name="Nómina")
    team.members.add(agent_bruno_other_department)
    return team


@pytest.fixture
def team_soporte(other_it, agent_other_org):
    team = TeamFactory(department=other_it, name="Soporte")
    team.members.add(agent_other_org)
    return team


@pytest.fixture
def in_english():
    """Make a person prefer English, so messages are the source strings."""

    def make(user):
        user.language = "en"
        user.save(update_fields=["language"])
        return user

    return make
