"""Reads of tickets, always through the actor's scope. A ticket the actor may not see
answers NotFound, exactly like one that does not exist."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from atiende.core.models import User
from atiende.errors import NotFound
from atiende.tickets.models import Comment, Event, Ticket, Visibility
from atiende.tickets.policies import visible_tickets, works_on

LIST_RELATED = ("organization", "department", "requester", "assignee", "team", "category",
                "service")


def ticket_list(*, actor: User, filters: dict | None = None) -> QuerySet[Ticket]:
    """Visible tickets, newest first, with what a list shows (no query per row)."""
    queryset = Ticket.objects.filter(visible_tickets(actor)).select_related(*LIST_RELATED)
    filters = filters or {}
    exact = {
        "kind": "kind", "status": "status__in", "priority": "priority__in",
        "organization_id": "organization_id", "department_id": "department_id",
        "team_id": "team_id", "assignee_id": "assignee_id", "requester_id": "requester_id",
        "category_id": "category_id", "service_id": "service_id", "channel": "channel",
    }
    for name, lookup in exact.items():
        value = filters.get(name)
        if value not in (None, "", []):
            queryset = queryset.filter(**{lookup: value})
    if filters.get("unassigned"):
        queryset = queryset.filter(assignee__isnull=True)
    if filters.get("tag"):
        queryset = queryset.filter(tags__name=filters["tag"])
    return queryset.order_by("-id")


def ticket_get(*, actor: User, number: str) -> Ticket:
    try:
        return (Ticket.objects.filter(visible_tickets(actor)).select_related(*LIST_RELATED)
                .get(number=number.strip().upper()))
    except (Ticket.DoesNotExist, AttributeError):
        raise NotFound() from None


def ticket_comments(*, actor: User, ticket: Ticket) -> QuerySet[Comment]:
    """The conversation the actor may read: internal notes only for staff."""
    comments = ticket.comments.select_related("author").filter(deleted_at__isnull=True)
    if not works_on(actor, ticket):
        comments = comments.filter(visibility=Visibility.PUBLIC)
    return comments.prefetch_related("attachments")


def ticket_events(*, actor: User, ticket: Ticket) -> QuerySet[Event]:
    """The timeline the actor may read: requesters do not see internal notes' events."""
    events = ticket.events.select_related("actor", "comment")
    if not works_on(actor, ticket):
        events = events.exclude(Q(comment__visibility=Visibility.INTERNAL)
                                | Q(kind__in=["comment_edited", "comment_deleted"]))
    return events.order_by("id")


def tickets_with_children(queryset: QuerySet[Ticket]) -> QuerySet[Ticket]:
    return queryset.prefetch_related(Prefetch("children", queryset=Ticket.objects.only(
        "id", "number", "title", "status", "parent_id")))
