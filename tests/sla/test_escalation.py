"""SLA escalation levels end to end with frozen time: a level's actions run once, at
the instant its clock crosses it (however late the sweep notices), through the ticket
services, and the timeline says what was done."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation

from atiende.core.models import Role
from atiende.errors import PermissionDenied, ValidationFailed
from atiende.notifications.models import Notification
from atiende.sla import clock_services, escalation, escalation_services, policy_services
from atiende.sla.models import EscalationAction, EscalationLevel, EscalationRun
from atiende.tickets import outbox
from atiende.tickets import services as ticket_services
from atiende.tickets.models import Event, Kind, Ticket
from atiende.tickets.templatetags.tickets import event_sentence
from tests.factories import MembershipFactory, TeamFactory, UserFactory
from tests.sla.moments import BOGOTA, TUESDAY, local

# From TUESDAY, on the office calendar (08-12, 14-18), a P2 resolution target of 8 working
# hours: 75 % at Tuesday 17:00, 100 % at Wednesday 09:00, 150 % at Wednesday 15:00.


@pytest.fixture
def policy(org_cafe, admin, cafe_calendar, it):
    """P2 resolution in 8 working hours; P1 promises the same resolution (so raising
    the priority does not move the later levels)."""
    return policy_services.sla_policy_create(
        actor=admin, organization=org_cafe, name="Incidentes TI", calendar=cafe_calendar,
        department=it,
        targets=[{"priority": 1, "first_response_minutes": 30, "resolution_minutes": 480},
                 {"priority": 2, "first_response_minutes": 60, "resolution_minutes": 480}])


@pytest.fixture
def second_line(it, agent_nico):
    team = TeamFactory(department=it, name="Segundo nivel")
    team.members.add(agent_nico)
    return team


@pytest.fixture
def manager_marta(org_cafe, it):
    user = UserFactory(email="marta@cafemontana.example", display_name="Marta Ríos",
                       organization=org_cafe, language="en")
    MembershipFactory(user=user, organization=org_cafe, department=it,
                      role=Role.DEPARTMENT_MANAGER)
    return user


@pytest.fixture
def levels(admin, policy, team_redes, lead_lucia, second_line, agent_nico):
    """75 %: tell the team lead; 100 %: reassign to the second line (Nicolás) and
    raise the priority; 150 %: tell the department's managers."""
    team_redes.lead = lead_lucia
    team_redes.save(update_fields=["lead"])
    add_level = escalation_services.escalation_level_add
    add_action = escalation_services.escalation_action_add
    warning = add_level(actor=admin, policy=policy, metric="resolution", percent=75)
    add_action(actor=admin, level=warning, kind="notify", whom=["team_lead"])
    breach = add_level(actor=admin, policy=policy, metric="resolution", percent="100")
    add_action(actor=admin, level=breach, kind="reassign", team=second_line, agent=agent_nico)
    add_action(actor=admin, level=breach, kind="raise_priority")
    overdue = add_level(actor=admin, policy=policy, metric="resolution", percent=150)
    add_action(actor=admin, level=overdue, kind="notify", whom=["department_manager"])
    return {75: warning, 100: breach, 150: overdue}


def new_incident(agent_ana, requester_carla, org_cafe, it, team_redes) -> Ticket:
    ticket = ticket_services.ticket_create(
        actor=agent_ana, kind=Kind.INCIDENT, title="Sin red en contabilidad",
        organization=org_cafe, department=it, requester=requester_carla, channel="phone",
        impact=1, urgency=2, team=team_redes)
    outbox.dispatch()
    return Ticket.objects.get(pk=ticket.pk)


def sweep_and_deliver() -> None:
    clock_services.sweep()
    outbox.dispatch()


def runs(ticket: Ticket) -> dict[int, dt.datetime]:
    return {run.percent: run.crossed_at for run in EscalationRun.objects.filter(
        ticket=ticket, ran_at__isnull=False)}


def escalated(ticket: Ticket) -> list[dict]:
    return [event.new_value for event in Event.objects.filter(
        ticket=ticket, kind="sla_escalated").order_by("id")]


def test_each_level_runs_once_at_its_crossing_and_not_before(
        clock_at, levels, agent_ana, requester_carla, org_cafe, it, team_redes, lead_lucia,
        second_line, agent_nico, manager_marta):
    # given
    clock_at(TUESDAY)
    ticket = new_incident(agent_ana, requester_carla, org_cafe, it, team_redes)
    assert ticket.priority == 2
    # when: a minute before 75 %
    clock_at(local(3, 16, 59))
    sweep_and_deliver()
    # then
    assert runs(ticket) == {}
    # when: at 75 %
    clock_at(local(3, 17))
    sweep_and_deliver()
    # then: the team lead is told, nothing else changes
    assert runs(ticket) == {75: local(3, 17)}
    assert [value["notified"] for value in escalated(ticket)] == [
        [{"id": lead_lucia.pk, "label": "Lucía Prieto"}]]
    assert Notification.objects.filter(recipient=lead_lucia, kind="sla_escalated").exists()
    ticket.refresh_from_db()
    assert (ticket.team_id, ticket.priority) == (team_redes.pk, 2)
    # when: a minute before the breach, then at it
    clock_at(local(4, 8, 59))
    sweep_and_deliver()
    assert set(runs(ticket)) == {75}
    clock_at(local(4, 9))
    sweep_and_deliver()
    # then: reassigned to the second line and raised to P1 by Atiende itself
    ticket.refresh_from_db()
    assert (ticket.team_id, ticket.assignee_id, ticket.priority) == (
        second_line.pk, agent_nico.pk, 1)
    assert runs(ticket) == {75: local(3, 17), 100: local(4, 9)}
    system_changes = list(Event.objects.filter(
        ticket=ticket, kind__in=["assigned", "priority_overridden"], actor__isnull=True)
        .values_list("kind", "channel"))
    assert system_changes == [("assigned", "system"), ("priority_overridden", "system")]
    assert escalated(ticket)[-1]["priority"] == {"old": 2, "new": 1}
    assert escalated(ticket)[-1]["reassigned"]["team"] == "Segundo nivel"
    # when: a minute before 150 %, then at it
    clock_at(local(4, 14, 59))
    sweep_and_deliver()
    assert set(runs(ticket)) == {75, 100}
    clock_at(local(4, 15))
    sweep_and_deliver()
    # then: the department manager is told, once
    assert runs(ticket)[150] == local(4, 15)
    assert escalated(ticket)[-1]["notified"] == [{"id": manager_marta.pk,
                                                 "label": "Marta Ríos"}]
    level_events = Event.objects.filter(ticket=ticket, kind="sla_level")
    assert [event.new_value["percent"] for event in level_events] == [150]
    # and: sweeping again does nothing more
    clock_at(local(5, 12))
    sweep_and_deliver()
    assert len(escalated(ticket)) == 3
    assert Event.objects.filter(ticket=ticket, kind="sla_level").count() == 1


def test_a_worker_down_across_levels_runs_each_at_its_true_instant(
        clock_at, levels, agent_ana, requester_carla, org_cafe, it, team_redes, agent_nico,
        manager_marta):
    # given: swept on Tuesday at 16:00, then the worker died until Wednesday 16:00
    clock_at(TUESDAY)
    ticket = new_incident(agent_ana, requester_carla, org_cafe, it, team_redes)
    clock_at(local(3, 16))
    sweep_and_deliver()
    assert runs(ticket) == {}
    # when
    clock_at(local(4, 16))
    sweep_and_deliver()
    # then: all three levels ran once, each recorded at its true crossing
    assert runs(ticket) == {75: local(3, 17), 100: local(4, 9), 150: local(4, 15)}
    assert [value["percent"] for value in escalated(ticket)] == [75, 100, 150]
    level_event = Event.objects.get(ticket=ticket, kind="sla_level")
    assert dt.datetime.fromisoformat(level_event.new_value["at"]) == local(4, 15)
    ticket.refresh_from_db()
    assert (ticket.assignee_id, ticket.priority) == (agent_nico.pk, 1)


def test_a_redelivered_event_does_not_act_twice(
        clock_at, levels, agent_ana, requester_carla, org_cafe, it, team_redes, lead_lucia):
    # given
    clock_at(TUESDAY)
    ticket = new_incident(agent_ana, requester_carla, org_cafe, it, team_redes)
    clock_at(local(4, 9, 30))
    sweep_and_deliver()
    breach = Event.objects.get(ticket=ticket, kind="sla_breached", field="resolution")
    before = (Event.objects.filter(ticket=ticket).count(),
              Notification.objects.filter(ticket=ticket).count())
    # when: the outbox offers the breach again (a crash before its delivery mark)
    escalation.escalate_on_event(breach)
    escalation.escalate_on_event(breach)
    outbox.dispatch()
    # then
    assert (Event.objects.filter(ticket=ticket).count(),
            Notification.objects.filter(ticket=ticket).count()) == before
    assert EscalationRun.objects.filter(ticket=ticket).count() == 2


def test_the_timeline_says_what_each_escalation_did(
        clock_at, levels, agent_ana, requester_carla, org_cafe, it, team_redes, manager_marta):
    # given
    clock_at(TUESDAY)
    ticket = new_incident(agent_ana, requester_carla, org_cafe, it, team_redes)
    clock_at(local(4, 16))
    sweep_and_deliver()
    events = list(Event.objects.filter(ticket=ticket, kind__in=["sla_level", "sla_escalated"])
                  .order_by("id"))
    # when
    with translation.override("en"), timezone.override(BOGOTA):
        sentences = [str(event_sentence(event)) for event in events]
    # then
    assert any("notified Lucía Prieto" in text and "75 %" in text for text in sentences)
    assert any("reassigned to Nicolás Vega (Segundo nivel)" in text
               and "priority raised from P2 High to P1 Critical" in text
               for text in sentences)
    assert any("notified Marta Ríos" in text and "150 %" in text for text in sentences)
    assert "Resolution: 150 % of the service level target reached at March 4, 2026, 3 p.m." \
        in sentences


def test_a_level_after_a_priority_raise_counts_on_the_new_target(
        clock_at, admin, policy, agent_ana, requester_carla, org_cafe, it, team_redes,
        manager_marta):
    # given: P1 promises resolution in 4 working hours; the breach raises P2 to P1
    policy_services.sla_policy_update(actor=admin, policy=policy, changes={"targets": [
        {"priority": 1, "first_response_minutes": 30, "resolution_minutes": 240},
        {"priority": 2, "first_response_minutes": 60, "resolution_minutes": 480}]})
    breach = escalation_services.escalation_level_add(actor=admin, policy=policy,
                                                      metric="resolution", percent=100)
    escalation_services.escalation_action_add(actor=admin, level=breach,
                                              kind="raise_priority", priority=1)
    overdue = escalation_services.escalation_level_add(actor=admin, policy=policy,
                                                       metric="resolution", percent=200)
    escalation_services.escalation_action_add(actor=admin, level=overdue, kind="notify",
                                              whom=["department_manager"])
    clock_at(TUESDAY)
    ticket = new_incident(agent_ana, requester_carla, org_cafe, it, team_redes)
    # when: the breach at Wednesday 09:00 raises the priority
    clock_at(local(4, 9))
    sweep_and_deliver()
    # then: under P1's 4 hours, 200 % (8 hours) was reached at that same instant, and
    # the sweep announces it once
    clock_at(local(4, 9, 1))
    sweep_and_deliver()
    assert runs(ticket) == {100: local(4, 9), 200: local(4, 9)}


# --- configuration --------------------------------------------------------------------------


@pytest.mark.parametrize("percent", [0, -5, "abc", "", None, 1001, "7.5", True])
def test_a_bad_percent_is_refused(admin, policy, percent):
    with pytest.raises(ValidationFailed) as error:
        escalation_services.escalation_level_add(actor=admin, policy=policy,
                                                 metric="resolution", percent=percent)
    assert error.value.code == "invalid_percent"
    assert not EscalationLevel.objects.exists()


def test_a_duplicate_level_and_an_unknown_clock_are_refused(admin, policy):
    escalation_services.escalation_level_add(actor=admin, policy=policy,
                                             metric="resolution", percent=150)
    with pytest.raises(ValidationFailed) as error:
        escalation_services.escalation_level_add(actor=admin, policy=policy,
                                                 metric="resolution", percent=150)
    assert error.value.code == "duplicate_level"
    with pytest.raises(ValidationFailed) as error:
        escalation_services.escalation_level_add(actor=admin, policy=policy,
                                                 metric="<script>", percent=50)
    assert error.value.code == "invalid_metric"
    assert EscalationLevel.objects.count() == 1


@pytest.mark.parametrize("who", ["agent_ana", "requester_carla", "admin_other_org",
                                 "agent_other_org"])
def test_only_the_organizations_admins_configure_escalations(request, who, policy):
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        escalation_services.escalation_level_add(actor=actor, policy=policy,
                                                 metric="resolution", percent=150)
    assert not EscalationLevel.objects.exists()


def test_a_team_of_another_organization_or_department_is_refused(
        admin, policy, team_other_org, team_nomina, team_redes, agent_other_org,
        agent_bruno_other_department, agent_nico, requester_other_org):
    level = escalation_services.escalation_level_add(actor=admin, policy=policy,
                                                     metric="resolution", percent=100)
    add = escalation_services.escalation_action_add
    cases = [
        ({"kind": "reassign", "team": team_other_org}, "team_other_organization"),
        ({"kind": "reassign", "team": team_nomina}, "team_other_department"),
        ({"kind": "reassign", "team": None}, "required"),
        ({"kind": "reassign", "team": team_redes, "agent": agent_nico}, "agent_not_in_team"),
        ({"kind": "reassign", "team": team_redes, "agent": agent_other_org},
         "agent_not_in_team"),
        ({"kind": "notify", "people": [requester_other_org.pk]}, "person_other_organization"),
        ({"kind": "notify", "whom": ["everyone"]}, "invalid_whom"),
        ({"kind": "notify"}, "required"),
        ({"kind": "add_watcher", "people": ["1; drop"]}, "invalid_people"),
        ({"kind": "raise_priority", "priority": 9}, "invalid_choice"),
        ({"kind": "delete_everything"}, "invalid_kind"),
    ]
    for values, code in cases:
        with pytest.raises(ValidationFailed) as error:
            add(actor=admin, level=level, **values)
        assert error.value.code == code, values
    assert not EscalationAction.objects.exists()


def test_an_escalation_never_reassigns_to_a_team_of_another_organization(
        clock_at, admin, policy, agent_ana, requester_carla, org_cafe, it, team_redes,
        team_other_org, agent_other_org):
    # given: a reassignment to another organization's team written past the services
    level = escalation_services.escalation_level_add(actor=admin, policy=policy,
                                                     metric="resolution", percent=100)
    EscalationAction.objects.create(level=level, kind="reassign", team=team_other_org,
                                    agent=agent_other_org)
    clock_at(TUESDAY)
    ticket = new_incident(agent_ana, requester_carla, org_cafe, it, team_redes)
    # when
    clock_at(local(4, 9))
    sweep_and_deliver()
    # then: the ticket stays where it was, and the timeline says why
    ticket.refresh_from_db()
    assert (ticket.team_id, ticket.assignee_id) == (team_redes.pk, None)
    assert not Event.objects.filter(ticket=ticket, kind="assigned").exists()
    failed = escalated(ticket)[-1]["failed"]
    assert [(item["action"], item["code"]) for item in failed] == [
        ("reassign", "team_other_department")]


@pytest.mark.parametrize("watches", [True, False])
def test_the_requesters_manager_is_told_only_when_they_can_see_the_ticket(
        watches, clock_at, admin, policy, agent_ana, requester_carla, org_cafe, it,
        team_redes):
    # given: Carla's manager is a requester of Café Montaña, not an agent
    jorge = UserFactory(email="jorge@cafemontana.example", display_name="Jorge Lara",
                        organization=org_cafe)
    MembershipFactory(user=jorge, organization=org_cafe, role=Role.REQUESTER)
    requester_carla.manager = jorge
    requester_carla.save(update_fields=["manager"])
    breach = escalation_services.escalation_level_add(actor=admin, policy=policy,
                                                      metric="resolution", percent=100)
    if watches:
        escalation_services.escalation_action_add(actor=admin, level=breach,
                                                  kind="add_watcher", whom=["requester_manager"])
    escalation_services.escalation_action_add(actor=admin, level=breach, kind="notify",
                                              whom=["requester_manager"])
    clock_at(TUESDAY)
    ticket = new_incident(agent_ana, requester_carla, org_cafe, it, team_redes)
    # when
    clock_at(local(4, 9))
    sweep_and_deliver()
    # then
    done = escalated(ticket)[-1]
    told = Notification.objects.filter(recipient=jorge, kind="sla_escalated").exists()
    if watches:
        assert ticket.watchers.filter(pk=jorge.pk).exists()
        assert (done["notified"], done["not_notified"], told) == (
            [{"id": jorge.pk, "label": "Jorge Lara"}], [], True)
    else:
        assert (done["notified"], done["not_notified"], told) == (
            [], [{"id": jorge.pk, "label": "Jorge Lara"}], False)


def test_a_level_below_the_breach_that_is_not_a_warning_runs_at_its_instant(
        clock_at, admin, policy, agent_ana, requester_carla, org_cafe, it, team_redes,
        lead_lucia):
    # given: half the resolution target (4 working hours: Tuesday 15:00) tells Lucía
    half = escalation_services.escalation_level_add(actor=admin, policy=policy,
                                                    metric="resolution", percent=50)
    escalation_services.escalation_action_add(actor=admin, level=half, kind="notify",
                                              people=[lead_lucia.pk])
    clock_at(TUESDAY)
    ticket = new_incident(agent_ana, requester_carla, org_cafe, it, team_redes)
    # when / then
    clock_at(local(3, 14, 59))
    sweep_and_deliver()
    assert runs(ticket) == {}
    clock_at(local(3, 15))
    sweep_and_deliver()
    assert runs(ticket) == {50: local(3, 15)}
    assert escalated(ticket)[-1]["notified"] == [{"id": lead_lucia.pk, "label": "Lucía Prieto"}]
