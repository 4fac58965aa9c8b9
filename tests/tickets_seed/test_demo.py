"""`atiende demo`'s tickets: scoped, consistent, varied, Spanish, and the same every time."""

from __future__ import annotations

import datetime as dt
import random
import string

import pytest

from atiende.core.models import Organization, Role, User
from atiende.tickets import demo_content, outbox
from atiende.tickets.demo import iter_situation_texts, texts_words
from atiende.tickets.models import (
    Category,
    Comment,
    Event,
    EventKind,
    Kind,
    SearchDocument,
    Service,
    Status,
    Ticket,
    Visibility,
)
from atiende.tickets.search import search_tickets
from tests.tickets_seed.checks import assert_consistent
from tests.tickets_seed.conftest import DEMO_SAMPLE, NOW

pytestmark = pytest.mark.django_db


def _tickets() -> list[Ticket]:
    return list(Ticket.objects.select_related("department__organization", "requester", "team",
                                              "category", "service").order_by("pk"))


def test_every_demo_ticket_is_scoped_and_its_history_consistent(demo_desk):
    # given: the demo loaded at NOW
    # when: its tickets are read back
    tickets = _tickets()

    # then: each serves its organization's desk, with people of that desk, and its
    # event log, comments and numbers are what the services would have written
    assert len(tickets) == DEMO_SAMPLE
    assert_consistent(tickets, now=NOW)
    assert all(ticket.organization.is_provider is False for ticket in tickets)
    oldest = min(ticket.created_at for ticket in tickets)
    assert (NOW - oldest).days <= 120


def test_the_demo_tells_every_kind_of_story(demo_desk):
    # given / when: the demo's tickets and events
    statuses = set(Ticket.objects.values_list("status", flat=True))
    kinds = set(Ticket.objects.values_list("kind", flat=True))
    transitions = set(Event.objects.filter(kind=EventKind.STATUS)
                      .values_list("old_value", "new_value"))
    visibilities = set(Comment.objects.values_list("visibility", flat=True))

    # then: closed, cancelled and open tickets; reopened, pending and escalated ones;
    # public replies and internal notes, from agents and from requesters
    assert {Status.CLOSED, Status.CANCELLED, Status.RESOLVED} <= statuses
    assert statuses & {Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS, Status.PENDING}
    assert kinds == {Kind.INCIDENT, Kind.SERVICE_REQUEST}
    assert (Status.RESOLVED, Status.IN_PROGRESS) in transitions  # reopened
    assert (Status.IN_PROGRESS, Status.PENDING) in transitions
    assert Event.objects.filter(kind=EventKind.ESCALATED).exists()
    assert visibilities == {Visibility.PUBLIC, Visibility.INTERNAL}
    requester_replies = Comment.objects.filter(author__memberships__role=Role.REQUESTER)
    assert requester_replies.exists()
    still_open = Ticket.objects.filter(status__in=[Status.NEW, Status.ASSIGNED,
                                                   Status.IN_PROGRESS, Status.PENDING])
    # open tickets are the recent ones (or wait long on a third party)
    assert still_open.exists()
    assert max(NOW - ticket.created_at for ticket in still_open) < dt.timedelta(days=45)


def test_the_demo_history_is_searchable_and_its_events_delivered(demo_desk):
    # given: the demo's provider admin, and a word of a demo ticket's title
    admin = User.objects.get(email="laura.martinez@nubeandina.example")
    sample = Ticket.objects.filter(title__icontains="impresora").first()

    # when: the admin searches for the plural, without accents
    found = search_tickets(actor=admin, query="impresoras")

    # then: search finds it at once, and consumers that act on news have nothing to do
    assert sample is not None and sample.pk in {ticket.pk for ticket in found[:200]}
    assert SearchDocument.objects.count() == DEMO_SAMPLE
    assert not Event.objects.filter(delivered_at__isnull=True).exists()
    assert outbox.dispatch() == 0


def test_every_client_department_gets_its_categories_services_and_tickets(demo_desk):
    # given / when: the demo's client organizations
    for organization in Organization.objects.filter(is_provider=False):
        for department in organization.departments.all():
            # then: each department has its Spanish tree, its services and tickets
            tree = demo_content.CATEGORY_TREES[department.function]
            names = set(Category.objects.filter(department=department, parent=None)
                        .values_list("name", flat=True))
            assert names == set(tree)
            assert Service.objects.filter(department=department).count() == len(
                demo_content.SERVICES[department.function])
            assert Ticket.objects.filter(department=department).exists(), department
    it = Category.objects.filter(department__function="it", name="VPN").first()
    assert it is not None and it.parent.name == "Accesos"


def test_every_demo_text_fills_all_its_placeholders():
    # given: words for a ticket, in Colombia and in Mexico
    rng = random.Random(1)
    for country in ("CO", "MX"):
        words = texts_words(rng, requester="Ana Gómez", colleagues=["Luis Pérez"],
                            places=demo_content.PLACES["cafe-montana"], country=country,
                            local=dt.datetime(2025, 1, 10, 9, tzinfo=dt.UTC))
        words |= {"equipo": "Redes", "tercero": "el proveedor"}
        # when: every template is filled
        for template in iter_situation_texts():
            names = {name for _, name, _, _ in string.Formatter().parse(template) if name}
            # then: no placeholder is unknown
            assert names <= set(words), (template, names - set(words))
            assert "{" not in template.format_map(words)
