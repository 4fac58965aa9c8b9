"""`atiende seed`: bulk synthetic desks, as consistent as the services would make them."""

from __future__ import annotations

import pytest
from django.db import transaction

from atiende.cli import main
from atiende.core.models import Department, Membership, Organization, Role, User
from atiende.tickets import outbox, services
from atiende.tickets.models import (
    Comment,
    Event,
    IncidentDetail,
    Kind,
    ResolutionCode,
    ServiceRequestDetail,
    Status,
    Ticket,
    TicketSequence,
)
from atiende.tickets.seed import SeedConflict, seed_tickets
from tests.tickets_seed.checks import assert_consistent
from tests.tickets_seed.conftest import NOW

pytestmark = pytest.mark.django_db


def _tickets() -> list[Ticket]:
    return list(Ticket.objects.select_related("department__organization", "requester", "team",
                                              "category", "service").order_by("pk"))


def test_a_seed_writes_what_was_asked_with_consistent_histories():
    # given: an empty database
    # when: 500 tickets are seeded over two organizations, in batches of 120
    report = seed_tickets(tickets=500, organizations=2, seed=3, now=NOW, batch=120)

    # then: the counts are right, every history passes the demo's checks, the details
    # exist, the numbering continues from the sequences, and the outbox is empty
    tickets = _tickets()
    assert (report.tickets, report.organizations) == (500, 2)
    assert len(tickets) == 500 and Organization.objects.count() == 2
    assert Department.objects.count() == 6
    assert (report.comments, report.events) == (Comment.objects.count(), Event.objects.count())
    assert report.events > 3 * report.tickets and report.comments > report.tickets / 2
    assert report.people == User.objects.count()
    assert_consistent(tickets, now=NOW)
    incidents = sum(ticket.kind == Kind.INCIDENT for ticket in tickets)
    assert IncidentDetail.objects.count() == incidents
    assert ServiceRequestDetail.objects.count() == 500 - incidents
    assert dict(TicketSequence.objects.values_list("kind", "last")) == {
        Kind.INCIDENT: incidents, Kind.SERVICE_REQUEST: 500 - incidents}
    assert not Event.objects.filter(delivered_at__isnull=True).exists()
    assert outbox.dispatch() == 0
    assert {ticket.status for ticket in tickets} >= {Status.CLOSED, Status.CANCELLED}
    assert Membership.objects.filter(role=Role.REQUESTER).count() > 0


def test_the_same_seed_gives_the_same_desk_and_another_seed_another():
    # given: seeding done and undone on an empty database
    def seeded(seed: int) -> list[tuple]:
        with transaction.atomic():
            seed_tickets(tickets=200, organizations=1, seed=seed, now=NOW, batch=64)
            made = list(Ticket.objects.order_by("number").values_list(
                "number", "title", "status", "requester__email", "assignee__email",
                "created_at", "updated_at"))
            transaction.set_rollback(True)
        return made

    # when / then: seed 5 twice gives the same tickets; seed 6 others
    first = seeded(5)
    assert len(first) == 200
    assert seeded(5) == first
    assert seeded(6) != first


def test_the_services_carry_on_where_the_seed_stopped():
    # given: a seeded desk of recent tickets
    seed_tickets(tickets=80, organizations=1, seed=7, now=NOW, days=2)
    last_event = Event.objects.order_by("-pk").first().pk
    last_ticket = Ticket.objects.order_by("-pk").first().pk
    ticket = Ticket.objects.filter(status=Status.IN_PROGRESS).first()
    agent, requester = ticket.assignee, ticket.requester

    # when: its agent resolves a seeded ticket and logs a new one for its requester
    resolved = services.ticket_transition(
        actor=agent, ticket=ticket, to_status=Status.RESOLVED, version=ticket.version,
        resolution_code=ResolutionCode.FIXED, resolution_notes="Listo.")
    created = services.ticket_create(
        actor=agent, kind=Kind.INCIDENT, title="Otro más", organization=ticket.organization,
        department=ticket.department, requester=requester)

    # then: the agent may work it, numbers and ids go on after the seeded ones
    assert resolved.status == Status.RESOLVED and resolved.version == ticket.version + 1
    incidents = Ticket.objects.filter(kind=Kind.INCIDENT).count()
    assert created.number == f"INC-{incidents:06d}"
    assert created.pk > last_ticket
    assert Event.objects.filter(pk__gt=last_event).count() == 2
    assert Event.objects.filter(delivered_at__isnull=True).count() == 2


def test_seeding_one_seed_twice_is_refused(capsys):
    # given: `atiende seed` run once
    assert main(["seed", "--tickets", "30", "--organizations", "1", "--seed", "4",
                 "--quiet"]) == 0
    assert "30" in capsys.readouterr().out

    # when: the same seed runs again
    code = main(["seed", "--tickets", "30", "--organizations", "1", "--seed", "4", "--quiet"])

    # then: it is refused and nothing more is written
    assert code == 2
    assert "4" in capsys.readouterr().err
    assert Ticket.objects.count() == 30
    with pytest.raises(SeedConflict):
        seed_tickets(tickets=1, seed=4)
