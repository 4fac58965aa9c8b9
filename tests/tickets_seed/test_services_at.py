"""Backdated changes (`at=`) for imports and demo histories, and one outbox dispatch per
transaction."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from atiende.errors import Conflict
from atiende.tickets import services
from atiende.tickets.models import Comment, Event, Kind, ResolutionCode, Status, Ticket

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2025, 1, 6, 13, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)


@pytest.fixture
def old_ticket(agent_ana, requester_carla, org_cafe, it):
    """Carla's incident, logged by Ana at T0."""
    return services.ticket_create(actor=agent_ana, kind=Kind.INCIDENT, title="Sin correo",
                                  organization=org_cafe, department=it,
                                  requester=requester_carla, created_at=T0)


def _resolve(actor, ticket, at):
    return services.ticket_transition(actor=actor, ticket=ticket, to_status=Status.RESOLVED,
                                      version=ticket.version, resolution_code=ResolutionCode.FIXED,
                                      resolution_notes="Buzón ampliado.", at=at)


def test_backdated_changes_carry_their_moment_to_events_and_timestamps(
        old_ticket, agent_ana, requester_carla, team_redes):
    # given: Carla's incident of T0
    ticket = old_ticket

    # when: a day's work is recorded afterwards, each change with its own moment
    ticket = services.ticket_assign(actor=agent_ana, ticket=ticket, team=team_redes,
                                    assignee=agent_ana, version=ticket.version, at=T0 + HOUR)
    reply = services.comment_add(actor=agent_ana, ticket=ticket, body="Lo reviso.",
                                 at=T0 + 2 * HOUR)
    ticket = services.ticket_transition(actor=agent_ana, ticket=ticket,
                                        to_status=Status.IN_PROGRESS, version=ticket.version,
                                        at=T0 + 3 * HOUR)
    ticket = services.ticket_escalate(actor=agent_ana, ticket=ticket, reason="Segundo nivel",
                                      version=ticket.version, at=T0 + 4 * HOUR)
    ticket = _resolve(agent_ana, ticket, T0 + 5 * HOUR)
    ticket = services.ticket_transition(actor=requester_carla, ticket=ticket,
                                        to_status=Status.IN_PROGRESS, version=ticket.version,
                                        at=T0 + 6 * HOUR)
    ticket = _resolve(agent_ana, ticket, T0 + 7 * HOUR)
    ticket = services.ticket_transition(actor=requester_carla, ticket=ticket,
                                        to_status=Status.CLOSED, version=ticket.version,
                                        at=T0 + 8 * HOUR)

    # then: every event, the comment and the ticket's times say when it happened
    times = list(Event.objects.filter(ticket=ticket).order_by("id")
                 .values_list("created_at", flat=True))
    assert times == [T0, T0 + HOUR, T0 + HOUR, *(T0 + n * HOUR for n in range(2, 9))]
    assert Comment.objects.get(pk=reply.pk).created_at == T0 + 2 * HOUR
    stored = Ticket.objects.get(pk=ticket.pk)
    assert stored.first_response_at == T0 + 2 * HOUR
    assert stored.resolved_at == T0 + 7 * HOUR
    assert stored.closed_at == stored.updated_at == T0 + 8 * HOUR
    assert stored.status == Status.CLOSED and stored.version == 8  # comments keep it


def test_the_reopen_window_is_judged_at_the_moment_given(old_ticket, agent_ana,
                                                         requester_carla):
    # given: the incident resolved at T0 + 1 h (the window is 7 days)
    ticket = _resolve(agent_ana, old_ticket, T0 + HOUR)
    events = Event.objects.count()

    # when: Carla reopens it, recorded as of eight days later
    with pytest.raises(Conflict) as error:
        services.ticket_transition(actor=requester_carla, ticket=ticket,
                                   to_status=Status.IN_PROGRESS, version=ticket.version,
                                   at=T0 + dt.timedelta(days=8))

    # then: it is refused as too late, and nothing is written
    assert error.value.code == "reopen_window_passed"
    assert Event.objects.count() == events
    assert Ticket.objects.get(pk=ticket.pk).status == Status.RESOLVED


def test_without_a_moment_changes_happen_now(old_ticket, agent_ana, time_machine):
    # given: the clock at a known moment
    now = dt.datetime(2025, 2, 1, 9, 30, tzinfo=dt.UTC)
    time_machine.move_to(now, tick=False)

    # when: the incident is worked without `at`
    ticket = services.ticket_transition(actor=agent_ana, ticket=old_ticket,
                                        to_status=Status.IN_PROGRESS, version=old_ticket.version)
    comment = services.comment_add(actor=agent_ana, ticket=ticket, body="En eso.")

    # then: everything is stamped now
    assert comment.created_at == now
    assert list(Event.objects.filter(ticket=ticket).order_by("id")
                .values_list("created_at", flat=True)) == [T0, now, now]
    assert Ticket.objects.get(pk=ticket.pk).updated_at == now


def _log(agent, requester, organization, department, title):
    return services.ticket_create(actor=agent, kind=Kind.INCIDENT, title=title,
                                  organization=organization, department=department,
                                  requester=requester)


def test_one_transaction_schedules_one_outbox_dispatch(
        agent_ana, requester_carla, org_cafe, it, django_capture_on_commit_callbacks):
    # given / when: four changes in one transaction
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        ticket = _log(agent_ana, requester_carla, org_cafe, it, "Sin correo")
        ticket = services.ticket_transition(actor=agent_ana, ticket=ticket,
                                            to_status=Status.IN_PROGRESS, version=ticket.version)
        services.comment_add(actor=agent_ana, ticket=ticket, body="Uno.")
        services.comment_add(actor=agent_ana, ticket=ticket, body="Dos.")

    # then: one dispatch delivers their events
    assert len(callbacks) == 1
    assert Event.objects.filter(ticket=ticket).count() == 4


def test_a_dispatch_dropped_with_its_savepoint_is_scheduled_again(
        agent_ana, requester_carla, org_cafe, it, django_capture_on_commit_callbacks):
    # given: a change rolled back to its savepoint (and its dispatch with it)
    class Undo(Exception):
        pass

    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        with pytest.raises(Undo), transaction.atomic():
            _log(agent_ana, requester_carla, org_cafe, it, "Se deshace")
            raise Undo
        # when: another change follows in the same transaction
        _log(agent_ana, requester_carla, org_cafe, it, "Se queda")

    # then: the surviving change has a dispatch of its own
    assert len(callbacks) == 1
    assert list(Ticket.objects.values_list("title", flat=True)) == ["Se queda"]
