"""What the workspace tests share: the picture of a ticket's data before and after a
request, and a page's live part as htmx asks for it."""

from __future__ import annotations

from atiende.tickets.models import Comment, Event, Ticket, TicketLink

HTMX = {"HTTP_HX_REQUEST": "true"}


def ticket_state() -> dict[str, list]:
    """Every ticket row, comment, link and event, to compare before and after."""
    return {
        "tickets": list(Ticket.objects.order_by("pk").values_list(
            "pk", "status", "priority", "impact", "urgency", "team_id", "assignee_id",
            "support_line", "version", "category_id", "title")),
        "watchers": list(Ticket.watchers.through.objects.order_by("pk").values_list(
            "ticket_id", "user_id")),
        "comments": list(Comment.objects.order_by("pk").values_list("pk", "body")),
        "links": list(TicketLink.objects.order_by("pk").values_list("pk", flat=True)),
        "events": list(Event.objects.order_by("pk").values_list("pk", flat=True)),
    }


def new_events(before: dict[str, list]) -> list[Event]:
    return list(Event.objects.exclude(pk__in=before["events"]).order_by("pk"))
