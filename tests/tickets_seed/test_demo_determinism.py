"""The demo is a function of its seed and its moment."""

from __future__ import annotations

import pytest
from django.db import transaction

from atiende.tickets.models import Event, Ticket
from tests.tickets_seed.conftest import NOW

pytestmark = pytest.mark.django_db


def test_the_demo_is_the_same_for_the_same_seed_and_moment():
    # given: the demo loaded twice at the same moment, each time on an empty database
    from atiende.core.demo import load_demo

    def load() -> list[tuple]:
        with transaction.atomic():
            load_demo(tickets=60, now=NOW)
            made = list(Ticket.objects.order_by("number").values_list(
                "number", "title", "status", "requester__email", "assignee__email",
                "created_at", "updated_at"))
            events = Event.objects.count()
            transaction.set_rollback(True)
        return [*made, events]

    # when / then: the tickets, their people, times and histories are the same
    first = load()
    assert first == load()
    assert len(first) == 61
