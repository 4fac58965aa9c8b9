"""The lifecycle of incidents and service requests, one constant for each kind."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
import time_machine

from atiende.errors import Conflict, PermissionDenied, ValidationFailed
from atiende.tickets import services
from atiende.tickets.models import LIFECYCLES, Event, Kind, Status, Ticket

EVERY_STATUS = list(Status.values)


def _put_in(ticket: Ticket, status: str) -> Ticket:
    """Place a ticket in a status directly, to test transitions from there."""
    extra = {}
    if status == Status.PENDING:
        extra["pending_reason"] = "third_party"
    if status in (Status.RESOLVED, Status.CLOSED):
        extra.update(resolution_code="fixed", resolved_at=dt.datetime.now(dt.UTC))
    Ticket.objects.filter(pk=ticket.pk).update(status=status, **extra)
    ticket.refresh_from_db()
    return ticket


def _details(to_status: str) -> dict:
    if to_status == Status.PENDING:
        return {"pending_reason": "awaiting_requester"}
    if to_status == Status.RESOLVED:
        return {"resolution_code": "fixed", "resolution_notes": "Se cambió el tóner."}
    return {}


@pytest.mark.parametrize("kind", [Kind.INCIDENT, Kind.SERVICE_REQUEST])
@pytest.mark.parametrize(("from_status", "to_status"),
                         list(itertools.product(EVERY_STATUS, EVERY_STATUS)))
def test_every_transition_is_allowed_or_refused_as_the_lifecycle_says(
    kind, from_status, to_status, agent_ana, requester_carla, org_cafe, it
):
    # given
    ticket = services.ticket_create(actor=agent_ana, kind=kind, title="Algo", organization=org_cafe,
                                    department=it, requester=requester_carla)
    ticket = _put_in(ticket, from_status)
    events_before = Event.objects.filter(ticket=ticket).count()
    allowed = to_status in LIFECYCLES[kind][from_status]

    # when
    if allowed:
        moved = services.ticket_transition(actor=agent_ana, ticket=ticket, to_status=to_status,
                                           version=ticket.version, **_details(to_status))

        # then
        assert moved.status == to_status
        status_event = Event.objects.filter(ticket=ticket).latest("id")
        assert (status_event.kind, status_event.old_value, status_event.new_value) == (
            "status", from_status, to_status)
    else:
        with pytest.raises(Conflict) as error:
            services.ticket_transition(actor=agent_ana, ticket=ticket, to_status=to_status,
                                       version=ticket.version, **_details(to_status))
        assert error.value.code == "transition_not_allowed"
        ticket.refresh_from_db()
        assert ticket.status == from_status
        assert Event.objects.filter(ticket=ticket).count() == events_before


def test_resolving_needs_a_code_and_notes(incident, agent_ana):
    with pytest.raises(ValidationFailed) as error:
        services.ticket_transition(actor=agent_ana, ticket=incident, to_status="resolved",
                                   version=incident.version)
    assert set(error.value.fields) == {"resolution_code", "resolution_notes"}
    incident.refresh_from_db()
    assert incident.status == Status.NEW


def test_pending_needs_a_reason_and_leaving_pending_clears_it(incident, agent_ana):
    with pytest.raises(ValidationFailed):
        services.ticket_transition(actor=agent_ana, ticket=incident, to_status="pending",
                                   version=incident.version)

    pending = services.ticket_transition(actor=agent_ana, ticket=incident, to_status="pending",
                                         pending_reason="third_party", version=incident.version)
    assert pending.pending_reason == "third_party"

    working = services.ticket_transition(actor=agent_ana, ticket=pending,
                                         to_status="in_progress", version=pending.version)
    assert working.pending_reason == ""


def test_a_resolved_ticket_reopens_within_the_window_and_not_after(incident, agent_ana,
                                                                    requester_carla):
    # given
    with time_machine.travel(dt.datetime(2026, 11, 2, 15, tzinfo=dt.UTC), tick=False):
        resolved = services.ticket_transition(
            actor=agent_ana, ticket=incident, to_status="resolved", version=incident.version,
            resolution_code="fixed", resolution_notes="Tóner nuevo.")

    # when: the requester reopens six days later (the default window is seven)
    with time_machine.travel(dt.datetime(2026, 11, 8, 15, tzinfo=dt.UTC), tick=False):
        reopened = services.ticket_transition(actor=requester_carla, ticket=resolved,
                                              to_status="in_progress", version=resolved.version)

    # then
    assert (reopened.status, reopened.resolution_code, reopened.resolved_at) == (
        "in_progress", "", None)

    # and when resolved again and reopened too late
    with time_machine.travel(dt.datetime(2026, 11, 9, 15, tzinfo=dt.UTC), tick=False):
        again = services.ticket_transition(
            actor=agent_ana, ticket=reopened, to_status="resolved", version=reopened.version,
            resolution_code="fixed", resolution_notes="Otra vez.")
    with time_machine.travel(dt.datetime(2026, 11, 17, 15, tzinfo=dt.UTC), tick=False), \
            pytest.raises(Conflict) as error:
        services.ticket_transition(actor=requester_carla, ticket=again,
                                   to_status="in_progress", version=again.version)
    assert error.value.code == "reopen_window_passed"


def test_a_requester_may_only_cancel_reopen_or_accept(incident, requester_carla):
    with pytest.raises(PermissionDenied):
        services.ticket_transition(actor=requester_carla, ticket=incident,
                                   to_status="in_progress", version=incident.version)
    cancelled = services.ticket_transition(actor=requester_carla, ticket=incident,
                                           to_status="cancelled", version=incident.version)
    assert cancelled.status == Status.CANCELLED


def test_closed_is_final(incident, agent_ana):
    resolved = services.ticket_transition(
        actor=agent_ana, ticket=incident, to_status="resolved", version=incident.version,
        resolution_code="fixed", resolution_notes="Listo.")
    closed = services.ticket_transition(actor=agent_ana, ticket=resolved, to_status="closed",
                                        version=resolved.version)
    assert closed.closed_at is not None
    assert closed.allowed_statuses() == set()
