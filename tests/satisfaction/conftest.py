"""Satisfaction fixtures: the notifications' real SMTP server and delivery runner, and
Carla's incident worked by team Redes (Ana) and resolved.

| fixture    | what                                                               |
|------------|--------------------------------------------------------------------|
| smtp, soporte, deliver | as in tests/notifications/conftest.py                  |
| client     | an anonymous browser asking for English                            |
| resolve    | resolves a ticket as Ana (`resolve(ticket)`), returns it            |
| resolved   | INC-000001 assigned to Redes / Ana, resolved, outbox delivered     |
| survey     | the survey of `resolved`                                           |
"""

from __future__ import annotations

import pytest
from django.test import Client

from atiende.satisfaction.models import Survey
from atiende.tickets import outbox
from atiende.tickets import services as ticket_services
from atiende.tickets.models import ResolutionCode, Status
from tests.notifications import conftest as notifications_fixtures

# The notifications' real SMTP server, the desk's mailbox and the delivery runner.
smtp = notifications_fixtures.smtp
soporte = notifications_fixtures.soporte
deliver = notifications_fixtures.deliver


@pytest.fixture
def client():
    """An anonymous browser that asks for English (messages are asserted in English,
    whatever the state of the Spanish catalog)."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def resolve(agent_ana):
    def run(ticket, actor=None):
        ticket.refresh_from_db()
        return ticket_services.ticket_transition(
            actor=actor or agent_ana, ticket=ticket, to_status=Status.RESOLVED,
            version=ticket.version, resolution_code=ResolutionCode.FIXED,
            resolution_notes="<p>Cambiamos el tóner.</p>")

    return run


@pytest.fixture
def resolved(incident, team_redes, agent_ana, lead_lucia, resolve, deliver):
    with deliver():
        ticket = ticket_services.ticket_assign(actor=agent_ana, ticket=incident,
                                               team=team_redes, assignee=agent_ana,
                                               version=incident.version)
        resolve(ticket)
        outbox.dispatch()
    ticket.refresh_from_db()
    return ticket


@pytest.fixture
def survey(resolved) -> Survey:
    return Survey.objects.get(ticket=resolved)


@pytest.fixture
def make_survey(requester_carla):
    """A survey written straight to the database (for data sets of results)."""
    from atiende.tickets.models import Kind, Ticket

    counter = {"next": 1000}

    def make(*, organization, department, sent_at, score=None, team=None, agent=None,
             service=None, requester=None, comment=""):
        counter["next"] += 1
        requester = requester or requester_carla
        ticket = Ticket.objects.create(
            number=f"INC-{counter['next']:06d}", kind=Kind.INCIDENT, title="Caso",
            organization=organization, department=department, requester=requester,
            team=team, assignee=agent, service=service, status="resolved",
            resolution_code="fixed")
        return Survey.objects.create(
            ticket=ticket, organization=organization, department=department, team=team,
            agent=agent, service=service, requester=requester, resolution_event_id=0,
            sent_at=sent_at, score=score, comment=comment,
            answered_at=sent_at if score else None, answered_channel="web" if score else "")

    return make
