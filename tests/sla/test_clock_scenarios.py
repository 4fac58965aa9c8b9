"""Ticket clocks end to end with frozen time: the outbox consumer rebuilds them from
the event log, the sweep marks breaches at their true due time, even after a worker
was down across it."""

from __future__ import annotations

import datetime as dt

import pytest

from atiende.core import periodic
from atiende.core.models import PeriodicJob
from atiende.sla import clock_services, policy_services, services
from atiende.sla.models import SlaClock
from atiende.tickets import outbox
from atiende.tickets import services as ticket_services
from atiende.tickets.models import Event, Kind, Ticket
from tests.sla.moments import TUESDAY, local


@pytest.fixture
def policy(org_cafe, admin, cafe_calendar):
    """P3: first response in 2 working hours, resolution in 8."""
    return policy_services.sla_policy_create(
        actor=admin, organization=org_cafe, name="Estándar", calendar=cafe_calendar,
        targets=[{"priority": 3, "first_response_minutes": 120, "resolution_minutes": 480},
                 {"priority": 1, "first_response_minutes": 30, "resolution_minutes": 120}])


def new_ticket(agent_ana, requester_carla, org_cafe, it) -> Ticket:
    ticket = ticket_services.ticket_create(
        actor=agent_ana, kind=Kind.INCIDENT, title="Sin correo", description="",
        organization=org_cafe, department=it, requester=requester_carla, channel="phone")
    outbox.dispatch()
    return Ticket.objects.get(pk=ticket.pk)


def clocks(ticket: Ticket) -> dict[str, SlaClock]:
    return {clock.metric: clock for clock in SlaClock.objects.filter(ticket=ticket)}


def test_a_new_ticket_gets_its_clocks_and_the_queue_fields(clock_at, policy, agent_ana,
                                                          requester_carla, org_cafe, it):
    # given
    clock_at(TUESDAY)
    # when
    ticket = new_ticket(agent_ana, requester_carla, org_cafe, it)
    # then: 8 working hours from Tuesday 09:00 end Wednesday 09:00 (12-14 is lunch)
    found = clocks(ticket)
    assert found["first_response"].due_at == local(3, 11)
    assert found["resolution"].due_at == local(4, 9)
    assert (found["resolution"].state, found["resolution"].policy_id) == ("running", policy.pk)
    assert (ticket.sla_due_at, ticket.sla_state) == (local(3, 11), "running")


def test_pause_and_resume_move_the_due_time(clock_at, policy, agent_ana, requester_carla,
                                            org_cafe, it):
    # given
    clock_at(TUESDAY)
    ticket = new_ticket(agent_ana, requester_carla, org_cafe, it)
    ticket_services.comment_add(actor=agent_ana, ticket=ticket, body="Ya lo revisamos")
    clock_at(local(3, 10))
    ticket = ticket_services.ticket_transition(actor=agent_ana, ticket=ticket,
                                               to_status="pending", version=ticket.version,
                                               pending_reason="awaiting_requester")
    outbox.dispatch()
    assert clocks(ticket)["resolution"].state == "paused"
    assert Ticket.objects.get(pk=ticket.pk).sla_due_at is None
    # when: the requester answers at 15:00, five hours later (two of them lunch)
    clock_at(local(3, 15))
    ticket = ticket_services.ticket_transition(actor=agent_ana, ticket=ticket,
                                               to_status="in_progress", version=ticket.version)
    outbox.dispatch()
    # then: one working hour was used, seven are left: 15-18 today, 08-12 tomorrow
    resolution = clocks(ticket)["resolution"]
    assert (resolution.state, resolution.due_at) == ("running", local(4, 12))
    assert resolution.elapsed_seconds == 3600
    history = clock_services.explain(Ticket.objects.get(pk=ticket.pk))["resolution"]
    assert [step["step"] for step in history] == ["policy", "started", "paused",
                                                             "resumed"]
    assert clocks(ticket)["first_response"].state == "met"


def test_resolve_then_reopen_counts_on(clock_at, policy, agent_ana, requester_carla,
                                       org_cafe, it):
    clock_at(TUESDAY)
    ticket = new_ticket(agent_ana, requester_carla, org_cafe, it)
    clock_at(local(3, 10))
    ticket = ticket_services.ticket_transition(actor=agent_ana, ticket=ticket,
                                               to_status="in_progress", version=ticket.version)
    ticket = ticket_services.ticket_transition(
        actor=agent_ana, ticket=ticket, to_status="resolved", version=ticket.version,
        resolution_code="fixed", resolution_notes="Listo")
    outbox.dispatch()
    assert clocks(ticket)["resolution"].state == "met"
    assert Ticket.objects.get(pk=ticket.pk).sla_state == "met"
    # when: reopened on Wednesday at 08:00
    clock_at(local(4, 8))
    ticket = ticket_services.ticket_transition(actor=agent_ana, ticket=ticket,
                                               to_status="in_progress", version=ticket.version)
    outbox.dispatch()
    # then: one hour used, seven left from Wednesday 08:00 (lunch 12-14)
    resolution = clocks(ticket)["resolution"]
    assert (resolution.state, resolution.due_at) == ("running", local(4, 17))


def test_a_priority_change_mid_life_counts_the_new_target_from_the_start(
    clock_at, policy, agent_ana, requester_carla, org_cafe, it, admin
):
    clock_at(TUESDAY)
    ticket = new_ticket(agent_ana, requester_carla, org_cafe, it)
    # when: at 10:00 it becomes critical (2 working hours of resolution)
    clock_at(local(3, 10))
    ticket_services.ticket_set_priority(actor=admin, ticket=ticket, priority=1,
                                        reason="Todo el piso", version=ticket.version)
    outbox.dispatch()
    # then: as if it had been P1 from 09:00
    assert clocks(ticket)["resolution"].due_at == local(3, 11)
    assert clocks(ticket)["first_response"].due_at == local(3, 9, 30)
    assert clocks(ticket)["first_response"].state == "breached"


def test_a_calendar_change_rebuilds_open_tickets(clock_at, policy, agent_ana,
                                                 requester_carla, org_cafe, it, admin,
                                                 cafe_calendar, django_capture_on_commit_callbacks):
    clock_at(TUESDAY)
    ticket = new_ticket(agent_ana, requester_carla, org_cafe, it)
    # when: the office now works around the clock
    with django_capture_on_commit_callbacks(execute=True):
        services.calendar_update(actor=admin, calendar=cafe_calendar,
                                 changes={"is_24x7": True})
    # then
    assert clocks(ticket)["resolution"].due_at == local(3, 17)


def test_a_worker_down_across_the_due_time_breaches_at_the_true_due_time(
    clock_at, policy, agent_ana, requester_carla, org_cafe, it
):
    # given: first response due at 11:00, its 75 % warning at 10:30; the sweep ran at
    # 10:45, then the worker died
    clock_at(TUESDAY)
    ticket = new_ticket(agent_ana, requester_carla, org_cafe, it)
    clock_at(local(3, 10, 45))
    assert clock_services.sweep() == 1
    # when: it comes back on Wednesday at 10:00 and sweeps
    clock_at(local(4, 10))
    clock_services.sweep()
    # then
    first = clocks(ticket)["first_response"]
    assert (first.state, first.breached_at) == ("breached", local(3, 11))
    resolution = clocks(ticket)["resolution"]
    assert (resolution.state, resolution.breached_at) == ("breached", local(4, 9))
    assert Ticket.objects.get(pk=ticket.pk).sla_state == "breached"
    events = list(Event.objects.filter(ticket=ticket, kind__startswith="sla_")
                  .order_by("id").values_list("kind", "field", "new_value__percent"))
    assert events == [("sla_warning", "first_response", 75),
                      ("sla_breached", "first_response", 100),
                      ("sla_breached", "resolution", 100)]
    # and: sweeping again announces nothing more
    clock_services.sweep()
    assert Event.objects.filter(ticket=ticket, kind__startswith="sla_").count() == 3


def test_only_one_worker_enqueues_a_periodic_job(clock_at, db):
    # given
    clock_at(TUESDAY)
    # when: two workers tick at the same instant
    first = periodic.enqueue_due()
    second = periodic.enqueue_due()
    # then
    assert "sla.sweep" in first
    assert "sla.sweep" not in second
    assert PeriodicJob.objects.get(name="sla.sweep").next_run_at == TUESDAY + dt.timedelta(
        minutes=1)
    clock_at(TUESDAY + dt.timedelta(minutes=1))
    assert "sla.sweep" in periodic.enqueue_due()


def test_a_policy_change_rebuilds_open_tickets(clock_at, policy, agent_ana, requester_carla,
                                               org_cafe, it, admin,
                                               django_capture_on_commit_callbacks):
    clock_at(TUESDAY)
    ticket = new_ticket(agent_ana, requester_carla, org_cafe, it)
    # when: P3's resolution target becomes 4 working hours
    with django_capture_on_commit_callbacks(execute=True):
        policy_services.sla_policy_update(actor=admin, policy=policy, changes={"targets": [
            {"priority": 3, "first_response_minutes": 120, "resolution_minutes": 240}]})
    # then
    assert clocks(ticket)["resolution"].due_at == local(3, 15)


def test_an_answered_late_first_response_does_not_colour_a_resolution_on_time(
    clock_at, policy, agent_ana, requester_carla, org_cafe, it
):
    # given: the first reply comes at 12:00 (due 11:00)
    clock_at(TUESDAY)
    ticket = new_ticket(agent_ana, requester_carla, org_cafe, it)
    clock_at(local(3, 12))
    ticket_services.comment_add(actor=agent_ana, ticket=ticket, body="Revisando")
    outbox.dispatch()
    # then: the ticket shows the resolution clock, still running
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert clocks(ticket)["first_response"].state == "breached"
    assert (ticket.sla_state, ticket.sla_due_at) == ("running", local(4, 9))


def test_a_ticket_no_policy_matches_has_no_clocks(clock_at, agent_ana, requester_carla,
                                                  org_cafe, it):
    clock_at(TUESDAY)
    ticket = new_ticket(agent_ana, requester_carla, org_cafe, it)
    assert clocks(ticket) == {}
    assert (ticket.sla_due_at, ticket.sla_state) == (None, "")


def test_the_worker_runs_the_periodic_jobs_every_app_needs():
    assert {name: job.every for name, job in periodic.jobs().items()} == {
        "sla.sweep": dt.timedelta(minutes=1),
        "tickets.outbox": dt.timedelta(minutes=1),
        "tickets.attachment_sweep": dt.timedelta(hours=1),
        "notifications.deliver_due": dt.timedelta(minutes=1),
        "mail.imap_poll": dt.timedelta(minutes=1),
        "mail.graph_poll": dt.timedelta(minutes=1),
    }
