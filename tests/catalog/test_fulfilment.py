"""Fulfilment tasks of catalog requests: created per stage for their teams, the request
resolving when they are done, and who sees them."""

from __future__ import annotations

import pytest

from atiende.catalog import approval_services, services
from atiende.catalog.models import Approval, Decision, RequestTask
from atiende.errors import ValidationFailed
from atiende.notifications.models import Notification
from atiende.tickets import outbox
from atiende.tickets import services as ticket_services
from atiende.tickets.models import Event, Kind, Ticket

pytestmark = pytest.mark.usefixtures("english_speakers")


@pytest.fixture
def onboarding(admin, vpn, team_redes, team_nomina):
    """Two teams in parallel (IT's Redes, HR's Nómina), then Redes again."""
    approval_services.fulfilment_plan_save(actor=admin, item=vpn, tasks=[
        {"title": "Crear cuenta VPN", "team": team_redes, "stage": 1},
        {"title": "Registrar en nómina", "team": team_nomina, "stage": 1},
        {"title": "Entregar token", "team": team_redes, "stage": 2},
    ])
    return vpn


def _tasks(request):
    return list(Ticket.objects.filter(parent=request, kind=Kind.TASK).order_by("id"))


def _resolve(agent, task):
    task.refresh_from_db()
    ticket_services.ticket_transition(actor=agent, ticket=task, to_status="resolved",
                                      version=task.version, resolution_code="fulfilled",
                                      resolution_notes="Hecho")
    outbox.dispatch()


def test_parallel_tasks_then_a_sequential_one_then_the_request_resolves(
        onboarding, requester_carla, agent_ana, agent_bruno_other_department, team_redes,
        team_nomina, hr, it):
    # when: Carla asks (no approvals)
    request = services.request_submit(actor=requester_carla, item=onboarding, answers={})
    outbox.dispatch()
    # then: the first stage's two tasks, for their teams, in their departments
    request.refresh_from_db()
    assert request.status == "in_progress"
    first, second = _tasks(request)
    assert [(t.number[:4], t.title, t.team, t.department, t.requester) for t in
            (first, second)] == [
        ("TSK-", "Crear cuenta VPN", team_redes, it, requester_carla),
        ("TSK-", "Registrar en nómina", team_nomina, hr, requester_carla)]
    # when: one is done, the sequential task waits
    _resolve(agent_ana, first)
    assert len(_tasks(request)) == 2
    # when: the other too
    _resolve(agent_bruno_other_department, second)
    # then: the second stage opens
    tasks = _tasks(request)
    assert [t.title for t in tasks] == ["Crear cuenta VPN", "Registrar en nómina",
                                        "Entregar token"]
    request.refresh_from_db()
    assert request.status == "in_progress"
    # when: the last one is done
    _resolve(agent_ana, tasks[2])
    # then: the request resolves by itself, recorded as the system's change
    request.refresh_from_db()
    assert request.status == "resolved"
    assert request.resolution_code == "fulfilled"
    assert request.resolution_notes in ("Todas las tareas completadas", "All tasks completed")
    resolved = Event.objects.get(ticket=request, kind="status", new_value="resolved")
    assert (resolved.actor, resolved.channel) == (None, "system")


def test_tasks_start_only_after_the_approval(admin, onboarding, requester_carla,
                                             manager_mario):
    # given
    approval_services.approval_plan_save(actor=admin, item=onboarding,
                                         steps=[{"approver_kind": "manager"}])
    request = services.request_submit(actor=requester_carla, item=onboarding, answers={})
    assert _tasks(request) == []
    # when
    approval = Approval.objects.get(approver=manager_mario, decision=Decision.PENDING)
    approval_services.approval_decide(actor=manager_mario, approval_id=approval.pk,
                                      approve=True)
    # then
    assert [t.title for t in _tasks(request)] == ["Crear cuenta VPN", "Registrar en nómina"]


def test_a_cancelled_task_leaves_the_request_open_for_an_agent(
        onboarding, requester_carla, agent_ana, agent_bruno_other_department):
    # given
    request = services.request_submit(actor=requester_carla, item=onboarding, answers={})
    first, second = _tasks(request)
    _resolve(agent_ana, first)
    # when: the HR task is cancelled
    second.refresh_from_db()
    ticket_services.ticket_transition(actor=agent_bruno_other_department, ticket=second,
                                      to_status="cancelled", version=second.version)
    outbox.dispatch()
    # then: nothing more is created and the request stays in progress
    request.refresh_from_db()
    assert request.status == "in_progress"
    assert len(_tasks(request)) == 2


def test_moving_the_plan_on_twice_creates_nothing_twice(onboarding, requester_carla,
                                                       agent_ana,
                                                       agent_bruno_other_department):
    # given
    request = services.request_submit(actor=requester_carla, item=onboarding, answers={})
    first, second = _tasks(request)
    _resolve(agent_ana, first)
    _resolve(agent_bruno_other_department, second)
    # when: the consumer runs again for the same request
    approval_services.fulfilment_advance(request_id=request.pk)
    approval_services.fulfilment_advance(request_id=request.pk)
    # then
    assert len(_tasks(request)) == 3
    assert RequestTask.objects.filter(request=request, task__isnull=True).count() == 0


def test_tasks_are_seen_by_their_departments_only(
        onboarding, requester_carla, agent_ana, agent_bruno_other_department, agent_other_org):
    # given
    request = services.request_submit(actor=requester_carla, item=onboarding, answers={})
    it_task, hr_task = _tasks(request)

    from atiende.tickets.policies import visible_tickets

    def seen(actor):
        return set(Ticket.objects.filter(visible_tickets(actor), kind=Kind.TASK)
                   .values_list("number", flat=True))

    # then: IT's agent sees IT's task, HR's agent HR's, another organization nothing
    assert seen(agent_ana) == {it_task.number}
    assert seen(agent_bruno_other_department) == {hr_task.number}
    assert seen(agent_other_org) == set()
    assert not Ticket.objects.filter(visible_tickets(agent_bruno_other_department),
                                     pk=request.pk).exists()


def test_the_requester_is_not_told_of_each_task(onboarding, requester_carla, agent_ana,
                                                team_redes):
    # when
    request = services.request_submit(actor=requester_carla, item=onboarding, answers={})
    outbox.dispatch()
    # then: Carla hears of her request; the teams of their tasks
    assert list(Notification.objects.filter(recipient=requester_carla, channel="email")
                .values_list("ticket__number", "kind")) == [(request.number, "ticket_created")]
    assert Notification.objects.filter(recipient=agent_ana, kind="assigned",
                                       ticket__kind=Kind.TASK).exists()


@pytest.mark.parametrize(("task", "field"), [
    ({"title": "", "stage": 1}, "tasks.0.title"),
    ({"title": "Algo", "team": None, "stage": 1}, "tasks.0.team"),
    ({"title": "Algo", "stage": 0}, "tasks.0.stage"),
    ({"title": "Algo", "stage": "1"}, "tasks.0.stage"),
    ({"title": "x" * 201, "stage": 1}, "tasks.0.title"),
])
def test_an_invalid_fulfilment_plan_is_refused_whole(admin, vpn, team_redes, task, field):
    task = {"team": team_redes, **task}
    with pytest.raises(ValidationFailed) as refused:
        approval_services.fulfilment_plan_save(actor=admin, item=vpn, tasks=[task])
    assert field in refused.value.fields
    assert not vpn.fulfilment_steps.exists()


def test_a_team_of_another_organization_cannot_fulfil(admin, vpn, team_other_org):
    with pytest.raises(ValidationFailed) as refused:
        approval_services.fulfilment_plan_save(actor=admin, item=vpn, tasks=[
            {"title": "Algo", "team": team_other_org, "stage": 1}])
    assert "tasks.0.team" in refused.value.fields


def test_editing_the_plan_does_not_change_a_running_request(admin, onboarding,
                                                          requester_carla, team_redes):
    # given
    request = services.request_submit(actor=requester_carla, item=onboarding, answers={})
    # when
    approval_services.fulfilment_plan_save(actor=admin, item=onboarding, tasks=[
        {"title": "Otra cosa", "team": team_redes, "stage": 1}])
    # then
    assert list(RequestTask.objects.filter(request=request).values_list(
        "title", flat=True)) == ["Crear cuenta VPN", "Registrar en nómina", "Entregar token"]


def test_the_requests_page_shows_the_plan_linking_only_tasks_the_reader_sees(
        onboarding, requester_carla, agent_ana, web_client):
    from django.urls import reverse

    # given
    request = services.request_submit(actor=requester_carla, item=onboarding, answers={})
    it_task, hr_task = _tasks(request)
    # when
    page = web_client(agent_ana).get(reverse("ticket_detail", args=[request.number]))
    # then: IT's task is linked for IT's agent; HR's is named without its link
    html = page.content.decode()
    assert page.status_code == 200
    assert reverse("ticket_detail", args=[it_task.number]) in html
    assert "Registrar en nómina" in html
    assert reverse("ticket_detail", args=[hr_task.number]) not in html
    assert "Entregar token" in html and "Not started" in html
