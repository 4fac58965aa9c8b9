"""Next-response clocks: each later wait of the requester side for the desk, as a pure
replay and end to end (the consumer, the persisted cycle and its tally, the ticket
page's words)."""

from __future__ import annotations

import pytest
import time_machine
from django.utils import timezone, translation
from django.utils.html import escape

from atiende.sla import clock_services, policy_services
from atiende.sla.clocks import NEXT_RESPONSE, Message, StatusChange, clocks_for
from atiende.sla.models import SlaClock
from atiende.sla.presentation import metric_label, step_text
from atiende.tickets import outbox
from atiende.tickets import services as ticket_services
from atiende.tickets.models import Kind, Ticket
from tests.sla.moments import ALWAYS, BOGOTA, MONDAY, TUESDAY, at, local


def desk(hours: float) -> Message:
    return Message(at(hours), from_desk=True)


def requester(hours: float) -> Message:
    return Message(at(hours), from_desk=False)


def next_response(messages, *, changes=(), first_response_at=at(0.5), now=at(10)):
    results = clocks_for(created_at=MONDAY, changes=[StatusChange(MONDAY, "new"), *changes],
                         first_response_at=first_response_at, calendar=ALWAYS, now=now,
                         targets={NEXT_RESPONSE: 60}, messages=messages)
    return results[0] if results else None


def test_no_clock_until_the_requester_writes_after_the_first_response():
    assert next_response([desk(0.5)]) is None
    assert next_response([requester(0.2), desk(0.5)]) is None
    assert next_response([requester(2)], first_response_at=None) is None


def test_a_requester_message_starts_a_wait_that_the_next_desk_reply_stops():
    # when: the requester writes at 2 h and again at 2.5 h; the desk answers at 2.75 h
    result = next_response([desk(0.5), requester(2), requester(2.5), desk(2.75)])
    # then: one wait from the first unanswered message, met
    assert (result.started_at, result.stopped_at, result.state) == (at(2), at(2.75), "met")
    assert result.elapsed_seconds == 45 * 60
    assert (result.cycles_met, result.cycles_breached) == (1, 0)
    assert [step["step"] for step in result.history] == ["waiting", "answered", "met"]


def test_every_wait_is_a_cycle_and_the_clock_is_the_latest():
    # given: answered late once (2 h), in time once, and a third wait still open
    messages = [desk(0.5), requester(1), desk(3), requester(4), desk(4.5), requester(9)]
    # when
    result = next_response(messages, now=at(9.5))
    # then
    assert (result.started_at, result.state, result.due_at) == (at(9), "running", at(10))
    assert (result.cycles_met, result.cycles_breached) == (1, 1)
    assert result.next_warning_at == at(9.75)


def test_an_open_wait_past_its_target_is_breached_and_counted():
    result = next_response([desk(0.5), requester(1)], now=at(5))
    assert (result.state, result.breached_at, result.cycles_breached) == ("breached", at(2), 1)


def test_a_wait_pauses_like_resolution_and_stops_when_resolved():
    # given: pending on the requester from 1.5 h to 3 h, resolved at 3.5 h
    changes = [StatusChange(at(1.5), "pending", "awaiting_requester"),
               StatusChange(at(3), "in_progress"), StatusChange(at(3.5), "resolved")]
    # when
    paused = next_response([desk(0.5), requester(1)], changes=changes, now=at(2))
    done = next_response([desk(0.5), requester(1)], changes=changes, now=at(4))
    # then
    assert (paused.state, paused.paused_since, paused.elapsed_seconds) == (
        "paused", at(1.5), 30 * 60)
    assert (done.state, done.stopped_at, done.elapsed_seconds) == ("met", at(3.5), 60 * 60)
    assert [step["step"] for step in done.history][-2:] == ["resolved", "met"]


def test_a_message_on_a_resolved_ticket_starts_no_wait():
    changes = [StatusChange(at(1), "resolved")]
    assert next_response([desk(0.5), requester(2)], changes=changes) is None


# --- end to end -------------------------------------------------------------------------


@pytest.fixture
def policy(org_cafe, admin, cafe_calendar):
    """P3: first response in 2 working hours, resolution in 8, each next reply in 1."""
    return policy_services.sla_policy_create(
        actor=admin, organization=org_cafe, name="Estándar", calendar=cafe_calendar,
        targets=[{"priority": 3, "first_response_minutes": 120, "resolution_minutes": 480,
                  "next_response_minutes": 60}])


def say(actor, ticket, when, body="Mensaje"):
    with time_machine.travel(when, tick=False):
        ticket_services.comment_add(actor=actor, ticket=ticket, body=body)
        outbox.dispatch()


def test_the_requester_side_waits_and_the_desk_answers_end_to_end(
    policy, agent_ana, requester_carla, requester_diego, org_cafe, it, web_client
):
    # given: a ticket answered at 09:30 on Tuesday
    with time_machine.travel(TUESDAY, tick=False):
        ticket = ticket_services.ticket_create(
            actor=agent_ana, kind=Kind.INCIDENT, title="Sin correo", description="",
            organization=org_cafe, department=it, requester=requester_carla, channel="phone")
        ticket_services.watcher_add(actor=agent_ana, ticket=ticket, user=requester_diego)
        outbox.dispatch()
    say(agent_ana, ticket, local(3, 9, 30))
    assert not SlaClock.objects.filter(ticket=ticket, metric=NEXT_RESPONSE).exists()
    # when: a watcher writes at 11:30; the desk answers only at 14:30 (lunch 12-14)
    say(requester_diego, ticket, local(3, 11, 30), "¿Alguna novedad?")
    waiting = SlaClock.objects.get(ticket=ticket, metric=NEXT_RESPONSE)
    say(agent_ana, ticket, local(3, 14, 30))
    # then: the wait was due at 14:30 - 1 h of work = 14:30; answered at 14:30: met
    assert (waiting.state, waiting.due_at) == ("running", local(3, 14, 30))
    answered = SlaClock.objects.get(ticket=ticket, metric=NEXT_RESPONSE)
    assert (answered.state, answered.elapsed_seconds, answered.cycles_met) == ("met", 3600, 1)
    # and when: the requester writes at 15:00 and nobody answers until 17:00
    say(requester_carla, ticket, local(3, 15))
    with time_machine.travel(local(3, 17), tick=False):
        clock_services.sweep()
        html = web_client(agent_ana).get(f"/tickets/{ticket.number}/").content.decode()
    late = SlaClock.objects.get(ticket=ticket, metric=NEXT_RESPONSE)
    assert (late.state, late.breached_at, late.cycles_met, late.cycles_breached) == (
        "breached", local(3, 16), 1, 1)
    assert Ticket.objects.get(pk=ticket.pk).sla_state == "breached"
    # and: the ticket page names the clock and tells its history in plain words
    with translation.override("es"), timezone.override(BOGOTA):
        label = metric_label(NEXT_RESPONSE)
        steps = [step_text({"at": local(3, 11, 30).isoformat(), "step": "waiting"}),
                 step_text({"at": local(3, 14, 30).isoformat(), "step": "answered",
                            "elapsed": 3600})]
    assert f"<h3>{label}</h3>" in html
    assert all(escape(step) in html for step in steps)


def test_internal_notes_neither_start_nor_stop_a_wait(policy, agent_ana, requester_carla,
                                                     org_cafe, it):
    with time_machine.travel(TUESDAY, tick=False):
        ticket = ticket_services.ticket_create(
            actor=agent_ana, kind=Kind.INCIDENT, title="Sin correo", description="",
            organization=org_cafe, department=it, requester=requester_carla, channel="phone")
    say(agent_ana, ticket, local(3, 9, 30))
    say(requester_carla, ticket, local(3, 10))
    with time_machine.travel(local(3, 10, 15), tick=False):
        ticket_services.comment_add(actor=agent_ana, ticket=ticket, body="Nota",
                                    visibility="internal")
        outbox.dispatch()
    clock = SlaClock.objects.get(ticket=ticket, metric=NEXT_RESPONSE)
    assert (clock.state, clock.started_at) == ("running", local(3, 10))
