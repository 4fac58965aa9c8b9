"""Who may see and do what with tickets. Scoping itself comes from `atiende.core`."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from atiende.core.models import Department, Organization, User
from atiende.core.scoping import scope_of
from atiende.tickets.models import Comment, Kind, PendingReason, Status, Ticket

# What a requester may do to their own ticket's status.
REQUESTER_TRANSITIONS = {
    Status.NEW: {Status.CANCELLED},
    Status.ASSIGNED: {Status.CANCELLED},
    Status.IN_PROGRESS: {Status.CANCELLED},
    Status.PENDING: {Status.CANCELLED},
    Status.RESOLVED: {Status.CLOSED, Status.IN_PROGRESS},
}


# What requesters may follow of their colleagues, where a desk shares them.
SHARED_KINDS = (Kind.INCIDENT, Kind.SERVICE_REQUEST)


def shared_requests(actor: User) -> Q:
    """Incidents and requests the actor follows as a requester of their organization, in
    desks that let requesters follow each other's requests (their own included)."""
    return Q(organization_id__in=scope_of(actor).requester_organizations,
             department__requesters_share_tickets=True, kind__in=SHARED_KINDS)


def visible_tickets(actor: User) -> Q:
    """Tickets of the departments the actor works in, the actor's own requests, the
    tickets the actor watches and, in desks that share them, the incidents and requests
    of the organizations where the actor is a requester."""
    scope = scope_of(actor)
    if scope.user_id is None:
        return Q(pk__in=[])
    if scope.everything:
        # Not `Q() | Q(requester_id=...)`: an empty Q drops out of an OR, which would
        # narrow a provider admin to their own requests.
        return Q()
    # The requester side (the requester, and watchers outside the desk) follows a request,
    # not the desk's fulfilment tasks of it, though a task carries the request's
    # requester: a task is seen only through the work filter, by its department's staff.
    not_a_task = ~Q(kind=Kind.TASK)
    visible = scope.work_filter() | (Q(requester_id=actor.pk) & not_a_task)
    if scope.requester_organizations:
        visible |= shared_requests(actor)
    watched = watched_ticket_ids(actor)
    return visible | (Q(pk__in=watched) & not_a_task) if watched else visible


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


def prime_watched(actors) -> None:
    """`watched_ticket_ids` for many actors at once (one query in all)."""
    pending = {actor.pk: actor for actor in actors if actor is not None
               and actor.pk is not None and getattr(actor, _WATCHED_ATTRIBUTE, None) is None}
    if not pending:
        return
    watched: dict[int, list[int]] = {pk: [] for pk in pending}
    for user_id, ticket_id in (Ticket.watchers.through.objects
                               .filter(user_id__in=list(pending))
                               .values_list("user_id", "ticket_id")):
        watched[user_id].append(ticket_id)
    for actor in actors:
        if actor is not None and actor.pk in watched \
                and getattr(actor, _WATCHED_ATTRIBUTE, None) is None:
            setattr(actor, _WATCHED_ATTRIBUTE, watched[actor.pk])


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


def awaiting_approval_refusal(actor: User | None, ticket: Ticket, to_status: str) -> str:
    """Why `actor` may not move `ticket` to `to_status` now because it awaits approval
    (empty when they may). While a request waits for its approvers, only their decisions
    move it on (the catalog's approval service, acting as the system: `actor` None);
    its requester may still cancel it, which withdraws the approvals. Kept here, next
    to the other transition rules, so the page's buttons and the service agree."""
    if (actor is None or ticket.status != Status.PENDING
            or ticket.pending_reason != PendingReason.AWAITING_APPROVAL):
        return ""
    if to_status == Status.CANCELLED and ticket.requester_id == actor.pk:
        return ""
    return _("This request awaits approval: only its approvers' decisions move it on. "
             "Its requester may still cancel it.")


def can_transition(actor: User, ticket: Ticket, to_status: str) -> bool:
    if awaiting_approval_refusal(actor, ticket, to_status):
        return False
    if works_on(actor, ticket):
        return True
    return (ticket.requester_id == actor.pk
            and to_status in REQUESTER_TRANSITIONS.get(ticket.status, set()))
