"""What every ticket history must satisfy, however it was made (the demo through the
services, the seed in bulk): one checker for both."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict

from atiende.core.models import DEPARTMENT_ROLES, Membership
from atiende.tickets.models import (
    NUMBER_PREFIX,
    Comment,
    Event,
    EventKind,
    Status,
    Ticket,
    Visibility,
)

UNFILLED = re.compile(r"\{[a-z_]+\}")


def assert_consistent(tickets: list[Ticket], *, now: dt.datetime) -> None:
    """Scoping, lifecycle fields, events and comments of `tickets` (all of their kinds'
    tickets: numbering is checked as contiguous from 1)."""
    ids = [ticket.pk for ticket in tickets]
    staff = set(Membership.objects.filter(role__in=DEPARTMENT_ROLES)
                .values_list("user_id", "organization_id", "department_id"))
    events = defaultdict(list)
    # A satisfaction answer is what the requester said of the work, not a change of the
    # ticket: it neither moves the ticket's version nor its time.
    for event in Event.objects.filter(ticket_id__in=ids).exclude(
            kind=EventKind.SATISFACTION_RATED).order_by("id"):
        events[event.ticket_id].append(event)
    comments = {comment.pk: comment for comment in Comment.objects.filter(ticket_id__in=ids)}
    numbers = defaultdict(list)
    for ticket in tickets:
        department = ticket.department
        # scoping: the department serves the organization, people belong where they act
        assert department.organization_id == ticket.organization_id or (
            department.is_shared and department.organization.is_provider), ticket.number
        assert ticket.requester.organization_id == ticket.organization_id, ticket.number
        if ticket.assignee_id is not None:
            assert (ticket.assignee_id, ticket.organization_id, ticket.department_id) in staff
        if ticket.team_id is not None:
            assert ticket.team.department_id == ticket.department_id, ticket.number
            if ticket.assignee_id is not None:
                assert ticket.team.members.filter(pk=ticket.assignee_id).exists()
        for record in (ticket.category, ticket.service):
            assert record is None or record.department_id == ticket.department_id
        # the lifecycle's fields
        if ticket.status in (Status.RESOLVED, Status.CLOSED):
            assert ticket.resolution_code and ticket.resolution_notes, ticket.number
            assert ticket.resolved_at is not None, ticket.number
        if ticket.status == Status.CLOSED:
            assert ticket.closed_at is not None and ticket.closed_at >= ticket.resolved_at
        if ticket.status == Status.PENDING:
            assert ticket.pending_reason, ticket.number
        if ticket.status in (Status.NEW,):
            assert ticket.assignee_id is None, ticket.number
        # the texts are filled in
        assert ticket.title and not UNFILLED.search(ticket.title + ticket.description)
        # the event log: created first, times never going back, versions as the ticket's
        history = events[ticket.pk]
        assert history and history[0].kind == EventKind.CREATED, ticket.number
        assert history[0].created_at == ticket.created_at, ticket.number
        times = [event.created_at for event in history]
        assert times == sorted(times), ticket.number
        assert times[-1] == ticket.updated_at <= now, ticket.number
        versions = [event.ticket_version for event in history]
        assert versions == sorted(versions) and versions[-1] == ticket.version, ticket.number
        statuses = [event for event in history if event.kind == EventKind.STATUS]
        if statuses:
            assert statuses[-1].new_value == ticket.status, ticket.number
        first_public = None
        for event in history:
            if event.kind == EventKind.COMMENTED:
                comment = comments[event.comment_id]
                assert comment.ticket_id == ticket.pk and comment.created_at == event.created_at
                assert comment.author_id == event.actor_id
                assert not UNFILLED.search(comment.body), comment.body
                is_staff = (comment.author_id, ticket.organization_id,
                            ticket.department_id) in staff
                if (first_public is None and comment.visibility == Visibility.PUBLIC
                        and is_staff and comment.author_id != ticket.requester_id):
                    first_public = comment.created_at
                if comment.visibility == Visibility.INTERNAL:
                    assert is_staff, ticket.number
        assert ticket.first_response_at == first_public, ticket.number
        numbers[ticket.kind].append((ticket.created_at, ticket.pk, ticket.number))
    for kind, made in numbers.items():
        in_order = [number for _created, _pk, number in sorted(made)]
        expected = [f"{NUMBER_PREFIX[kind]}-{index:06d}" for index in range(1, len(made) + 1)]
        assert sorted(in_order) == expected  # unique and contiguous
        assert in_order == expected  # and given in the order of creation
