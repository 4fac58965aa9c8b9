"""A small corpus around the named cast, indexed through the outbox as in production.

The word "impresora" is in:

| ticket      | where                       | organization / department | requester |
|-------------|-----------------------------|---------------------------|-----------|
| it_title    | title ("Impresoras ...")    | Café Montaña / IT         | Carla     |
| it_comment  | a public reply              | Café Montaña / IT         | Carla     |
| it_internal | an internal note only       | Café Montaña / IT         | Carla     |
| it_deleted  | a reply, since deleted      | Café Montaña / IT         | Carla     |
| hr_ticket   | title                       | Café Montaña / HR         | Diego     |
| other_org   | title                       | Clínica Norte / IT        | Rita      |
"""

from __future__ import annotations

import logging

import pytest

from atiende.tickets import outbox, services
from atiende.tickets.models import Kind, Visibility
from atiende.tickets.search import search_tickets

# Who finds what by "impresora" (by corpus name).
EXPECTED_HITS = {
    "requester_carla": {"it_title", "it_comment"},
    "requester_other_org": {"other_org"},
    "agent_other_org": {"other_org"},
    "agent_bruno_other_department": {"hr_ticket"},
    "agent_ana": {"it_title", "it_comment", "it_internal"},
    "admin": {"it_title", "it_comment", "it_internal", "hr_ticket"},
    "provider_admin": {"it_title", "it_comment", "it_internal", "hr_ticket", "other_org"},
}


@pytest.fixture(autouse=True)
def _index_failures_fail_the_test(caplog):
    """The outbox logs (and retries) an event a consumer could not take: in these
    tests that is a failure of the search consumer."""
    yield
    failed = [record.getMessage() for record in caplog.get_records("call")
              if record.name == "atiende.tickets.outbox" and record.levelno >= logging.ERROR]
    assert failed == []


@pytest.fixture
def make_ticket(agent_ana, requester_carla, org_cafe, it):
    """A ticket in Café Montaña's IT for Carla, unless told otherwise."""

    def make(title: str, description: str = "", *, actor=None, organization=None,
             department=None, requester=None, kind: str = Kind.INCIDENT):
        return services.ticket_create(
            actor=actor or agent_ana, kind=kind, title=title, description=description,
            organization=organization or org_cafe, department=department or it,
            requester=requester or requester_carla,
        )

    return make


@pytest.fixture
def corpus(make_ticket, agent_ana, requester_carla, requester_diego, requester_other_org,
           agent_bruno_other_department, agent_other_org, org_cafe, hr, org_other, other_it,
           admin, provider_admin):
    tickets = {
        "it_title": make_ticket("Impresoras del piso 3 no imprimen",
                                "<p>Sale una hoja en blanco.</p>"),
        "it_comment": make_ticket("Equipo lento", "<p>Tarda en arrancar.</p>"),
        "it_internal": make_ticket("Correo no sincroniza", "<p>Desde ayer.</p>"),
        "it_deleted": make_ticket("Teclado roto", "<p>Faltan teclas.</p>"),
        "hr_ticket": make_ticket("Certificado laboral sin impresora",
                                 actor=agent_bruno_other_department, department=hr,
                                 requester=requester_diego),
        "other_org": make_ticket("Impresora de rayos X", actor=agent_other_org,
                                 organization=org_other, department=other_it,
                                 requester=requester_other_org),
    }
    services.comment_add(actor=requester_carla, ticket=tickets["it_comment"],
                         body="También falla la impresora.")
    services.comment_add(actor=agent_ana, ticket=tickets["it_internal"],
                         body="Cambiar la impresora de red del servidor Exchange.",
                         visibility=Visibility.INTERNAL)
    gone = services.comment_add(actor=requester_carla, ticket=tickets["it_deleted"],
                                body="Y la impresora tampoco.")
    services.comment_delete(actor=requester_carla, comment=gone)
    outbox.dispatch()
    return tickets


@pytest.fixture
def found():
    """The corpus names of what `actor` finds with `query`, best first."""

    def names(corpus: dict, actor, query: str, **filters) -> list[str]:
        by_id = {ticket.pk: name for name, ticket in corpus.items()}
        return [by_id.get(ticket.pk, ticket.number)
                for ticket in search_tickets(actor=actor, query=query, filters=filters)[:100]]

    return names
