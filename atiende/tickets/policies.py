"""Who may see and do what with tickets. Scoping itself comes from `atiende.core`."""

from __future__ import annotations

from django.db.models import Q

from atiende.core.models import Department, Organization, User
from atiende.core.scoping import scope_of
from atiende.tickets.models import Comment, Status, Ticket

# What a requester may do to their own ticket's status.
REQUESTER_TRANSITIONS = {
    Status.NEW: {Status.CANCELLED},
    Status.ASSIGNED: {Status.CANCELLED},
    Status.IN_PROGRESS: {Status.CANCELLED},
    Status.PENDING: {Status.CANCELLED},
    Status.RESOLVED: {Status.CLOSED, Status.IN_PROGRESS},
}


def visible_tickets(actor: User) -> Q:
    """Tickets of the departments the actor works in, the actor's own requests, and
    the tickets the actor watches."""
    scope = scope_of(actor)
    if scope.user_id is None:
        return Q(pk__in=[])
    if scope.everything:
        # Not `Q() | Q(requester_id=...)`: an empty Q drops out of an OR, which would
        # narrow a provider admin to their own requests.
        return Q()
    visible = scope.work_filter() | Q(requester_id=actor.pk)
    watched = watched_ticket_ids(actor)
    return visible | Q(pk__in=watched) if watched else visible


_WATCHED_ATTRIBUTE = "_atiende_watched"


def watched_ticket_ids(actor: User) -> list[int]:
    """The tickets the actor watches, read once per actor object. Read first, not as a
    subquery: inside the visibility OR, PostgreSQL would scan every ticket."""
    cached = getattr(actor, _WATCHED_ATTRIBUTE, None)
    if cached is None:
        cached = list(Ticket.watchers.through.objects.filter(user_id=actor.pk)
                      .values_list("ticket_id", flat=True))
        setattr(actor, _WATCHED_ATTRIBUTE, cached)
    return cached


def forget_watched(user: User) -> None:
    """Drop the cached watched tickets after the person's watching changed."""
    user.__dict__.pop(_WATCHED_ATTRIBUTE, None)


def works_on(actor: User, ticket: Ticket) -> bool:
    """Agents of the ticket's department, its organization's admins, provider admins."""
    return scope_of(actor).works_in(ticket.organization_id, ticket.department_id)


def staff_tickets(actor: User) -> Q:
    """The queryset form of `works_on`: the tickets whose internal notes the actor may
    read (search matches internal notes only there)."""
    scope = scope_of(actor)
    if scope.user_id is None:
        return Q(pk__in=[])
    return scope.work_filter()


def can_create(actor: User, *, organization: Organization, department: Department,
               requester: User) -> bool:
    """Staff of the department log tickets for anyone of the organization; anyone
    else only for themselves."""
    if scope_of(actor).works_in(organization.pk, department.pk):
        return True
    return actor.pk == requester.pk and organization.pk in scope_of(actor).requester_organizations


def can_reply(actor: User, ticket: Ticket) -> bool:
    """Public replies: staff, the requester and watchers."""
    return (works_on(actor, ticket) or ticket.requester_id == actor.pk
            or ticket.watchers.filter(pk=actor.pk).exists())


def can_change_comment(actor: User, comment: Comment) -> bool:
    """Editing or deleting a comment: its author only (nobody rewrites another's words;
    the change is an event, the text before kept in it)."""
    return comment.author_id is not None and comment.author_id == actor.pk


def can_override_priority(actor: User, ticket: Ticket) -> bool:
    """Team leads, department managers and admins of the ticket's department."""
    scope = scope_of(actor)
    return (scope.manages(ticket.organization_id, ticket.department_id)
            or (works_on(actor, ticket) and ticket.department_id in scope.led_department_ids))


def can_transition(actor: User, ticket: Ticket, to_status: str) -> bool:
    if works_on(actor, ticket):
        return True
    return (ticket.requester_id == actor.pk
            and to_status in REQUESTER_TRANSITIONS.get(ticket.status, set()))
