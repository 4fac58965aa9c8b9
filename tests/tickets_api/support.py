"""What the ticket API tests share: a picture of every ticket table, to prove that a
refused request changed nothing, and the events written since."""

from __future__ import annotations

from atiende.core.models import IdempotencyKey
from atiende.tickets.models import Comment, Event, Tag, Ticket, TicketLink


def tickets_state() -> dict[str, list]:
    """Every row of tickets, their conversation, links, watchers, tags, events and
    stored idempotent answers."""
    return {
        "tickets": list(Ticket.objects.order_by("pk").values_list()),
        "comments": list(Comment.objects.order_by("pk").values_list()),
        "links": list(TicketLink.objects.order_by("pk").values_list()),
        "watchers": list(Ticket.watchers.through.objects.order_by("pk").values_list()),
        "tags": list(Tag.objects.order_by("pk").values_list()),
        "ticket_tags": list(Ticket.tags.through.objects.order_by("pk").values_list()),
        "events": list(Event.objects.order_by("pk").values_list()),
        "idempotency_keys": list(IdempotencyKey.objects.order_by("pk").values_list()),
    }


def new_events(before: dict[str, list]) -> list[Event]:
    """The events written since `before` was taken, in order."""
    known = {row[0] for row in before["events"]}
    return list(Event.objects.exclude(pk__in=known).order_by("pk"))


def if_match(version: int) -> dict[str, str]:
    """The header that says which version of a ticket the caller saw."""
    return {"HTTP_IF_MATCH": f'"{version}"'}
