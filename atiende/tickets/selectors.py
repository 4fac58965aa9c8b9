"""Reads of tickets, always through the actor's scope. A ticket the actor may not see
answers NotFound, exactly like one that does not exist."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet

from atiende.core.models import Department, User
from atiende.errors import NotFound
from atiende.tickets.models import (
    Category,
    Comment,
    CustomField,
    DeskSettings,
    Event,
    Service,
    Status,
    Tag,
    Ticket,
    TicketLink,
    Visibility,
)
from atiende.tickets.policies import can_transition, visible_tickets, works_on

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
    if filters.get("created_after"):
        queryset = queryset.filter(created_at__gte=filters["created_after"])
    if filters.get("created_before"):
        queryset = queryset.filter(created_at__lt=filters["created_before"])
    return queryset.order_by("-id")


def _number(number: str) -> str:
    """A ticket number as stored. One that cannot be (a NUL character, which PostgreSQL
    refuses even to compare) is NotFound."""
    if not isinstance(number, str) or "\x00" in number:
        raise NotFound()
    return number.strip().upper()


def ticket_get(*, actor: User, number: str) -> Ticket:
    try:
        return (Ticket.objects.filter(visible_tickets(actor)).select_related(*LIST_RELATED)
                .get(number=_number(number)))
    except (Ticket.DoesNotExist, AttributeError):
        raise NotFound() from None


def ticket_comments(*, actor: User, ticket: Ticket,
                    include_deleted: bool = False) -> QuerySet[Comment]:
    """The conversation the actor may read: internal notes only for staff; deleted
    comments (their rows, not their text, which only the event log keeps) only when
    `include_deleted`."""
    comments = ticket.comments.select_related("author")
    if not include_deleted:
        comments = comments.filter(deleted_at__isnull=True)
    if not works_on(actor, ticket):
        comments = comments.filter(visibility=Visibility.PUBLIC)
    return comments.prefetch_related("attachments")


# What a requester's timeline tells: the conversation and the milestones of their
# ticket, not the desk's housekeeping (classification, tags, escalations and their
# reasons, watchers, internal notes and files).
REQUESTER_EVENT_KINDS = frozenset({"created", "status", "assigned", "commented", "attached",
                                   "merged", "merged_into", "approval_requested",
                                   "approval_approved", "approval_rejected"})


def ticket_events(*, actor: User, ticket: Ticket) -> QuerySet[Event]:
    """The timeline the actor may read, in the web page and the API alike."""
    events = ticket.events.select_related("actor", "comment")
    if not works_on(actor, ticket):
        events = events.filter(
            Q(kind__in=REQUESTER_EVENT_KINDS) | Q(kind="changed", field="title")
        ).exclude(Q(comment__visibility=Visibility.INTERNAL)
                  | Q(kind="attached", new_value__is_internal=True))
    return events.order_by("id")


def tickets_with_children(queryset: QuerySet[Ticket]) -> QuerySet[Ticket]:
    return queryset.prefetch_related(Prefetch("children", queryset=Ticket.objects.only(
        "id", "number", "title", "status", "parent_id")))


# --- what a ticket's page and the API show ----------------------------------------------


def tickets_with_tags(queryset: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """A list's tickets with their tag names in one extra query, whatever the page size."""
    return queryset.prefetch_related(Prefetch("tags", queryset=Tag.objects.only("id", "name")))


def ticket_detail(*, actor: User, number: str) -> Ticket:
    """A visible ticket with what its page shows, none of it pointing at a ticket the
    actor may not see: `visible_children`, `visible_links` (each with `other` and
    `direction`), `visible_parent` and `visible_merged_into` (numbers or None), tags,
    watchers, and `allowed_transitions`, the statuses this actor may move it to."""
    visible = Ticket.objects.filter(visible_tickets(actor))
    visible_ids = visible.values("pk")
    try:
        ticket = (
            visible.select_related(*LIST_RELATED)
            .prefetch_related(
                Prefetch("tags", queryset=Tag.objects.only("id", "name")),
                Prefetch("watchers", queryset=User.objects.only("id", "display_name")
                         .order_by("display_name", "id")),
                Prefetch("children", to_attr="visible_children",
                         queryset=Ticket.objects.filter(pk__in=visible_ids)
                         .only("id", "number", "parent_id").order_by("id")),
                Prefetch("links_out", to_attr="visible_links_out",
                         queryset=TicketLink.objects.filter(target__in=visible_ids)
                         .select_related("target").order_by("id")),
                Prefetch("links_in", to_attr="visible_links_in",
                         queryset=TicketLink.objects.filter(source__in=visible_ids)
                         .select_related("source").order_by("id")),
            )
            .get(number=_number(number))
        )
    except Ticket.DoesNotExist:
        raise NotFound() from None
    related = [pk for pk in (ticket.parent_id, ticket.merged_into_id) if pk is not None]
    numbers = dict(visible.filter(pk__in=related).values_list("pk", "number")) if related else {}
    ticket.visible_parent = numbers.get(ticket.parent_id)
    ticket.visible_merged_into = numbers.get(ticket.merged_into_id)
    for link in ticket.visible_links_out:
        link.other, link.direction = link.target, "outgoing"
    for link in ticket.visible_links_in:
        link.other, link.direction = link.source, "incoming"
    ticket.visible_links = sorted([*ticket.visible_links_out, *ticket.visible_links_in],
                                  key=lambda link: link.pk)
    allowed = ticket.allowed_statuses()
    ticket.allowed_transitions = [status for status in Status.values if status in allowed
                                  and can_transition(actor, ticket, status)]
    return ticket


def comment_get(*, actor: User, ticket: Ticket, comment_id: int,
                include_deleted: bool = False) -> Comment:
    """A comment of the conversation the actor may read (an internal note is NotFound
    for a requester; a deleted comment too, unless `include_deleted`)."""
    try:
        return ticket_comments(actor=actor, ticket=ticket,
                               include_deleted=include_deleted).get(pk=comment_id)
    except (Comment.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


@dataclass
class CommentChanges:
    """What became of a comment after it was written, as one reader may know it: who
    edited it last and when, who deleted it and when; for the ticket's staff also the
    earlier texts (oldest first) and the deleted text, as the event log keeps them."""

    edited_by: User | None = None
    edited_at: dt.datetime | None = None
    deleted_by: User | None = None
    deleted_at: dt.datetime | None = None
    earlier: list[str] = field(default_factory=list)
    deleted_text: str = ""
    last_event_id: int = 0


COMMENT_CHANGE_KINDS = ("comment_edited", "comment_deleted")


def comment_change_events(*, actor: User, ticket: Ticket) -> QuerySet[Event]:
    """The edits and deletions of the comments the actor may read: what changes a text
    their page shows. A requester's timeline (`ticket_events`) leaves these events out,
    their texts with them; read only their ids and times for a requester."""
    events = ticket.events.filter(kind__in=COMMENT_CHANGE_KINDS)
    if not works_on(actor, ticket):
        events = events.filter(comment__visibility=Visibility.PUBLIC)
    return events


def comment_changes(*, actor: User, ticket: Ticket,
                    comment_ids: Iterable[int]) -> dict[int, CommentChanges]:
    """The edits and deletions of `comment_ids` (comments of `ticket` the caller has
    shown the actor), by comment id, in one query. The texts are read for the ticket's
    staff only: a requester learns that a comment was edited or deleted, and by whom,
    never the words it had."""
    staff = works_on(actor, ticket)
    events = (comment_change_events(actor=actor, ticket=ticket)
              .filter(comment_id__in=list(comment_ids)).select_related("actor").order_by("id"))
    if not staff:
        events = events.defer("old_value", "new_value", "reason")
    changes: dict[int, CommentChanges] = {}
    for event in events:
        found = changes.setdefault(event.comment_id, CommentChanges())
        found.last_event_id = event.pk
        if event.kind == "comment_edited":
            found.edited_by, found.edited_at = event.actor, event.created_at
            if staff and isinstance(event.old_value, str):
                found.earlier.append(event.old_value)
        else:
            found.deleted_by, found.deleted_at = event.actor, event.created_at
            if staff and isinstance(event.old_value, str):
                found.deleted_text = event.old_value
    return changes


def ticket_link_get(*, actor: User, ticket: Ticket, link_id: int) -> TicketLink:
    """A link of `ticket` whose other end the actor may see."""
    visible_ids = Ticket.objects.filter(visible_tickets(actor)).values("pk")
    try:
        return TicketLink.objects.select_related("source", "target").filter(
            Q(source=ticket, target__in=visible_ids) | Q(target=ticket, source__in=visible_ids)
        ).get(pk=link_id)
    except (TicketLink.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


# --- reference data of the departments an actor may see ---------------------------------


def _visible_departments(actor: User, department_id: int | None) -> QuerySet:
    """Ids of the departments the actor may see; only `department_id` when given
    (NotFound when the actor may not see it)."""
    from atiende.core.selectors import department_get, department_list

    if department_id is not None:
        return Department.objects.filter(
            pk=department_get(actor=actor, department_id=department_id).pk).values("pk")
    return department_list(actor=actor).values("pk")


def category_list(*, actor: User, department_id: int | None = None) -> list[Category]:
    """The category trees of the departments the actor may see, flat, each category
    with `path` ("Hardware / Impresoras"), ordered by department and path."""
    categories = list(Category.objects.filter(
        department__in=_visible_departments(actor, department_id)))
    by_id = {category.pk: category for category in categories}

    def path(category: Category) -> list[str]:
        names, seen = [], set()
        while category is not None and category.pk not in seen:
            seen.add(category.pk)
            names.append(category.name)
            category = by_id.get(category.parent_id)
        return names[::-1]

    for category in categories:
        category.path_names = path(category)
        category.path = " / ".join(category.path_names)
    return sorted(categories, key=lambda c: (c.department_id,
                                             [name.casefold() for name in c.path_names]))


def category_get(*, actor: User, category_id: int) -> Category:
    """A category of a department the actor may see."""
    try:
        return Category.objects.get(department__in=_visible_departments(actor, None),
                                    pk=category_id)
    except (Category.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def service_list(*, actor: User, department_id: int | None = None) -> QuerySet[Service]:
    return Service.objects.filter(
        department__in=_visible_departments(actor, department_id)
    ).order_by("department_id", "name", "id")


def service_get(*, actor: User, service_id: int) -> Service:
    try:
        return service_list(actor=actor).get(pk=service_id)
    except (Service.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def desk_settings(*, actor: User, department_id: int) -> DeskSettings:
    """How a department the actor may see runs its tickets (the defaults without a
    row), with its custom fields prefetched as `field_definitions`."""
    from atiende.core.selectors import department_get

    department = department_get(actor=actor, department_id=department_id)
    found = DeskSettings.objects.filter(department=department).first()
    settings = found or DeskSettings(department=department)
    settings.field_definitions = list(CustomField.objects.filter(department=department))
    return settings
