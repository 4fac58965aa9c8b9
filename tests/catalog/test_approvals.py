"""Approval steps of catalog requests: who decides, the rules, steps in sequence,
rejection, and what the approvers are told."""

from __future__ import annotations

import pytest

from atiende.catalog import approval_services, approvals_selectors, services
from atiende.catalog.models import Approval, ApprovalStage, Decision, RequestAnswers, StageState
from atiende.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from atiende.notifications.delivery import render_notification
from atiende.notifications.models import Notification
from atiende.tickets import outbox
from atiende.tickets.models import Event, Status, Ticket


def _plan(admin, item, *steps):
    return approval_services.approval_plan_save(actor=admin, item=item, steps=list(steps))


def _submit(requester, item):
    return services.request_submit(actor=requester, item=item, answers={})


def _approval(user, request):
    return Approval.objects.get(approver=user, stage__request=request,
                                decision=Decision.PENDING)


def _kinds(request):
    return list(Event.objects.filter(ticket=request).order_by("id").values_list(
        "kind", flat=True))


def test_the_managers_approval_holds_the_request_until_they_approve(
        admin, vpn, requester_carla, manager_mario):
    # given
    _plan(admin, vpn, {"approver_kind": "manager"})
    # when
    request = _submit(requester_carla, vpn)
    # then: waiting, with Mario asked
    request.refresh_from_db()
    assert (request.status, request.pending_reason) == ("pending", "awaiting_approval")
    assert list(approvals_selectors.pending_for(manager_mario)) == [
        _approval(manager_mario, request)]
    assert _kinds(request) == ["created", "status", "approval_requested"]
    requested = Event.objects.get(ticket=request, kind="approval_requested")
    assert requested.new_value == {"stage": 1, "label": "Mario Duarte", "rule": "any",
                                   "approvers": [manager_mario.pk]}
    # when
    approval_services.approval_decide(actor=manager_mario,
                                      approval_id=_approval(manager_mario, request).pk,
                                      approve=True, comment="Adelante")
    # then: approved, being worked, recorded
    request.refresh_from_db()
    assert request.status == "in_progress"
    decided = Event.objects.get(ticket=request, kind="approval_approved")
    assert (decided.actor, decided.reason) == (manager_mario, "Adelante")
    assert list(approvals_selectors.pending_for(manager_mario)) == []


def test_a_missing_manager_refuses_the_request_and_writes_nothing(
        admin, vpn, requester_carla):
    # given: Carla has no manager
    _plan(admin, vpn, {"approver_kind": "manager"})
    # when
    with pytest.raises(ValidationFailed) as refused:
        _submit(requester_carla, vpn)
    # then
    assert refused.value.code == "manager_missing"
    assert "no manager on record" in refused.value.fields["approval"]
    assert (Ticket.objects.count(), RequestAnswers.objects.count(),
            ApprovalStage.objects.count(), Event.objects.count()) == (0, 0, 0, 0)


def test_the_approver_is_emailed_a_signed_link_to_decide(
        admin, vpn, requester_carla, manager_mario):
    # given
    _plan(admin, vpn, {"approver_kind": "manager"})
    request = _submit(requester_carla, vpn)
    # when: the outbox delivers the events
    outbox.dispatch()
    # then: Mario gets an e-mail (he cannot see the request, and still hears of it)
    notification = Notification.objects.get(recipient=manager_mario)
    assert (notification.kind, notification.channel) == ("approval_requested", "email")
    rendered = render_notification(notification)
    assert rendered.subject == f"[{request.number}] Aprobación pendiente: Acceso a VPN"
    assert "/approvals/link/" in rendered.text
    # and Carla does not get a second e-mail for the status her submission set
    assert set(Notification.objects.filter(recipient=requester_carla).values_list(
        "kind", flat=True)) == {"ticket_created"}


@pytest.mark.parametrize(("rule", "decisions", "outcome"), [
    ("any", [True], "approved"),
    ("any", [False, False], "pending"),
    ("any", [False, False, False], "rejected"),
    ("all", [True, True], "pending"),
    ("all", [True, True, True], "approved"),
    ("all", [True, False], "rejected"),
    ("majority", [True, False], "pending"),
    ("majority", [True, False, True], "approved"),
    ("majority", [False, True, False], "rejected"),
    ("majority", [True, True], "approved"),
])
def test_a_group_of_three_decides_by_its_rule(admin, vpn, requester_carla, committee, rule,
                                              decisions, outcome):
    # given
    _plan(admin, vpn, {"approver_kind": "group", "group": committee, "rule": rule})
    request = _submit(requester_carla, vpn)
    members = list(committee.members.order_by("display_name"))
    # when: members decide one after the other
    for member, approve in zip(members, decisions, strict=False):
        approval_services.approval_decide(actor=member,
                                          approval_id=_approval(member, request).pk,
                                          approve=approve, comment="" if approve else "No")
    # then
    stage = ApprovalStage.objects.get(request=request)
    request.refresh_from_db()
    assert stage.state == outcome
    expected_status = {"approved": "in_progress", "rejected": "cancelled",
                       "pending": "pending"}[outcome]
    assert request.status == expected_status
    if outcome != "pending":  # whoever did not decide is no longer needed
        assert not Approval.objects.filter(stage=stage, decision=Decision.PENDING).exists()


def test_two_steps_run_in_sequence(admin, vpn, requester_carla, manager_mario, committee,
                                   requester_diego):
    # given: the manager, then the committee (any)
    _plan(admin, vpn, {"approver_kind": "manager"},
          {"approver_kind": "group", "group": committee, "rule": "any"})
    request = _submit(requester_carla, vpn)
    # then: the committee is not asked yet
    assert list(approvals_selectors.pending_for(requester_diego)) == []
    # when
    approval_services.approval_decide(actor=manager_mario,
                                      approval_id=_approval(manager_mario, request).pk,
                                      approve=True)
    # then: the second step asks the committee; the request still waits
    request.refresh_from_db()
    assert request.status == "pending"
    assert [a.stage.position for a in approvals_selectors.pending_for(requester_diego)] == [2]
    assert _kinds(request).count("approval_requested") == 2
    # when
    approval_services.approval_decide(actor=requester_diego,
                                      approval_id=_approval(requester_diego, request).pk,
                                      approve=True)
    # then
    request.refresh_from_db()
    assert request.status == "in_progress"
    assert list(ApprovalStage.objects.filter(request=request).values_list(
        "state", flat=True)) == ["approved", "approved"]


def test_a_rejection_needs_a_reason_cancels_and_tells_the_requester(
        admin, vpn, requester_carla, manager_mario):
    # given
    _plan(admin, vpn, {"approver_kind": "manager"})
    request = _submit(requester_carla, vpn)
    approval = _approval(manager_mario, request)
    events = Event.objects.count()
    # when: without a reason
    with pytest.raises(ValidationFailed) as refused:
        approval_services.approval_decide(actor=manager_mario, approval_id=approval.pk,
                                          approve=False, comment="  ")
    # then: nothing written
    assert refused.value.fields == {"comment": "This field is required."}
    assert Event.objects.count() == events
    # when
    approval_services.approval_decide(actor=manager_mario, approval_id=approval.pk,
                                      approve=False, comment="No hay presupuesto <b>este</b> mes")
    outbox.dispatch()
    # then: cancelled, the reason recorded, Carla told once, with the reason
    request.refresh_from_db()
    assert request.status == "cancelled"
    rejected = Event.objects.get(ticket=request, kind="approval_rejected")
    assert rejected.reason == "No hay presupuesto <b>este</b> mes"
    told = Notification.objects.filter(recipient=requester_carla).exclude(
        kind="ticket_created")
    assert {(n.kind, n.channel) for n in told} == {("approval_rejected", "email"),
                                                   ("approval_rejected", "in_app")}
    email = told.get(channel="email")
    rendered = render_notification(email)
    assert "Mario Duarte rechazó su solicitud" in rendered.text
    assert "No hay presupuesto <b>este</b> mes" in rendered.text
    assert "<b>este</b>" not in rendered.html


def test_a_decided_approval_cannot_be_decided_again_and_others_cannot_decide_it(
        admin, vpn, requester_carla, manager_mario, requester_diego, agent_ana):
    # given
    _plan(admin, vpn, {"approver_kind": "manager"})
    request = _submit(requester_carla, vpn)
    approval = _approval(manager_mario, request)
    # when / then: nobody else reaches it, not even staff of the desk
    for other in (requester_diego, agent_ana, requester_carla):
        with pytest.raises(NotFound):
            approval_services.approval_decide(actor=other, approval_id=approval.pk,
                                              approve=True)
    approval_services.approval_decide(actor=manager_mario, approval_id=approval.pk,
                                      approve=True)
    events = Event.objects.count()
    with pytest.raises(Conflict):
        approval_services.approval_decide(actor=manager_mario, approval_id=approval.pk,
                                          approve=False, comment="Cambié de idea")
    assert Event.objects.count() == events


def test_a_request_cancelled_by_its_requester_no_longer_waits_for_approval(
        admin, vpn, requester_carla, manager_mario):
    from atiende.tickets import services as ticket_services

    # given
    _plan(admin, vpn, {"approver_kind": "manager"})
    request = _submit(requester_carla, vpn)
    request.refresh_from_db()
    approval = _approval(manager_mario, request)
    # when
    ticket_services.ticket_transition(actor=requester_carla, ticket=request,
                                      to_status=Status.CANCELLED, version=request.version)
    # then
    assert list(approvals_selectors.pending_for(manager_mario)) == []
    with pytest.raises(Conflict):
        approval_services.approval_decide(actor=manager_mario, approval_id=approval.pk,
                                          approve=True)


def test_approvers_come_from_the_requesters_organization_only(
        admin, vpn, requester_carla, requester_other_org, org_cafe):
    from atiende.core.models import PersonGroup

    # given: a group whose only member is of another organization (written around the
    # admin page, which offers only people of the organizations served)
    group = PersonGroup.objects.create(organization=org_cafe, name="Externos")
    group.members.add(requester_other_org)
    _plan(admin, vpn, {"approver_kind": "group", "group": group, "rule": "any"})
    # when / then
    with pytest.raises(ValidationFailed) as refused:
        _submit(requester_carla, vpn)
    assert refused.value.code == "no_approvers"
    assert Ticket.objects.count() == 0


@pytest.mark.parametrize(("steps", "field"), [
    ([{"approver_kind": "boss"}], "steps.0.approver_kind"),
    ([{"approver_kind": "people", "people": []}], "steps.0.people"),
    ([{"approver_kind": "group", "group": None}], "steps.0.group"),
    ([{"approver_kind": "manager"}, {"approver_kind": "manager", "rule": "most"}],
     "steps.1.rule"),
])
def test_an_invalid_approval_plan_is_refused_whole(admin, vpn, steps, field):
    # given
    _plan(admin, vpn, {"approver_kind": "manager"})
    # when
    with pytest.raises(ValidationFailed) as refused:
        _plan(admin, vpn, *steps)
    # then: the error names the step; the plan before is kept
    assert field in refused.value.fields
    assert list(vpn.approval_steps.values_list("approver_kind", flat=True)) == ["manager"]


def test_people_of_another_organization_cannot_be_named(admin, vpn, requester_other_org,
                                                        org_other):
    from atiende.core.models import PersonGroup

    with pytest.raises(ValidationFailed) as refused:
        _plan(admin, vpn, {"approver_kind": "people", "people": [requester_other_org]})
    assert "steps.0.people" in refused.value.fields
    group = PersonGroup.objects.create(organization=org_other, name="Ajeno")
    with pytest.raises(ValidationFailed) as refused:
        _plan(admin, vpn, {"approver_kind": "group", "group": group})
    assert "steps.0.group" in refused.value.fields


def test_only_the_items_administrators_edit_its_plans(vpn, agent_ana, admin_other_org,
                                                      requester_carla):
    for actor in (agent_ana, admin_other_org, requester_carla):
        with pytest.raises(PermissionDenied):
            _plan(actor, vpn, {"approver_kind": "manager"})
        with pytest.raises(PermissionDenied):
            approval_services.fulfilment_plan_save(actor=actor, item=vpn, tasks=[])
    assert not vpn.approval_steps.exists()


def test_named_people_decide_with_all(admin, vpn, requester_carla, requester_diego,
                                      manager_mario):
    # given
    _plan(admin, vpn, {"approver_kind": "people", "people": [requester_diego, manager_mario],
                       "rule": "all"})
    request = _submit(requester_carla, vpn)
    stage = ApprovalStage.objects.get(request=request)
    assert stage.label == ", ".join(sorted([requester_diego.display_name,
                                            manager_mario.display_name]))
    # when
    for person in (requester_diego, manager_mario):
        approval_services.approval_decide(actor=person,
                                          approval_id=_approval(person, request).pk,
                                          approve=True)
    # then
    stage.refresh_from_db()
    assert stage.state == StageState.APPROVED


@pytest.mark.parametrize(("rule", "approved", "rejected", "total", "outcome"), [
    ("any", 1, 0, 3, "approved"), ("any", 0, 2, 3, "pending"), ("any", 0, 3, 3, "rejected"),
    ("all", 2, 0, 3, "pending"), ("all", 3, 0, 3, "approved"), ("all", 2, 1, 3, "rejected"),
    ("majority", 2, 0, 3, "approved"), ("majority", 1, 1, 3, "pending"),
    ("majority", 1, 2, 3, "rejected"), ("majority", 2, 2, 4, "rejected"),
    ("majority", 3, 1, 4, "approved"),
])
def test_stage_outcome(rule, approved, rejected, total, outcome):
    assert approval_services.stage_outcome(rule, approved, rejected, total) == outcome


def test_nobody_approves_their_own_request(admin, vpn, committee, requester_diego):
    # given: Diego is a member of the committee that approves
    _plan(admin, vpn, {"approver_kind": "group", "group": committee, "rule": "all"})
    # when
    request = _submit(requester_diego, vpn)
    # then: the two other members decide
    assert sorted(Approval.objects.filter(stage__request=request).values_list(
        "approver__display_name", flat=True)) == ["Elena Ríos", "Fabio Sierra"]
