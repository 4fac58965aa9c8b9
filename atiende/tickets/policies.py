"""Who may see and do what with tickets. Scoping itself comes from `atiende.core`."""

from __future__ import annotations

from django.db.models import Q

from atiende.core.models import Department, Organization, User
from atiende.core.scoping import scope_of
from atiende.tickets.models import Status, Ticket

# What a requester may do to their own ticket's status.
REQUESTER_TRANSITIONS = {
    Status.NEW: {Status.CANCELLED},
    Status.ASSIGNED: {Status.CANCELLED},
    Status.IN_PROGRESS: {Status.CANCELLED},
    Status.PENDING: {Status.CANCELLED},
    Status.RESOLVED: {Status.CLOSED, Status.IN_PROGRESS},
}


def visible_tickets(actor: User) -> Q:
    """Tickets of the departments the actor works in, and the actor's own requests."""
    scope = scope_of(actor)
    if scope.user_id is None:
        return Q(pk__in=[])
    return scope.work_filter() | Q(requester_id=actor.pk)


def works_on(actor: User, ticket: Ticket) -> bool:
    """Agents of the ticket's department, its organization's admins, provider admins."""
    return scope_of(actor).works_in(ticket.organization_id, ticket.department_id)


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
