"""The requester group condition of SLA policies (e.g. VIP): it counts in specificity,
its tie-break, what bad input is refused with, and how "why this policy" says it."""

from __future__ import annotations

import pytest
from django.utils import translation

from atiende.core import services as core_services
from atiende.errors import ValidationFailed
from atiende.sla import clock_services, policy_services
from atiende.sla.matching import PolicyConditions, TicketFacts, match_policy
from atiende.sla.presentation import step_text
from atiende.tickets import outbox
from atiende.tickets import services as ticket_services
from atiende.tickets.models import Kind, Ticket
from tests.api.support import field_errors, problem, send
from tests.sla.conftest import STANDARD_TARGETS

FAST = [{"priority": p, "first_response_minutes": 10, "resolution_minutes": 60}
        for p in range(1, 6)]


@pytest.fixture
def vip(admin, org_cafe, requester_diego):
    group = core_services.group_create(actor=admin, organization=org_cafe, name="VIP")
    core_services.group_member_add(actor=admin, group=group, user=requester_diego)
    return group


@pytest.fixture
def vip_policy(admin, org_cafe, cafe_calendar, vip, cafe_policy):
    return policy_services.sla_policy_create(
        actor=admin, organization=org_cafe, name="VIP", calendar=cafe_calendar,
        requester_group=vip, targets=FAST)


def ticket_of(requester, agent, organization, department) -> Ticket:
    ticket = ticket_services.ticket_create(
        actor=agent, kind=Kind.INCIDENT, title="Impresora", description="",
        organization=organization, department=department, requester=requester,
        channel="phone")
    outbox.dispatch()
    return Ticket.objects.get(pk=ticket.pk)


def test_a_vip_requester_gets_the_vip_policy_and_others_the_catch_all(
    vip_policy, cafe_policy, agent_ana, requester_carla, requester_diego, org_cafe, it
):
    # when
    vip_ticket = ticket_of(requester_diego, agent_ana, org_cafe, it)
    plain_ticket = ticket_of(requester_carla, agent_ana, org_cafe, it)
    # then
    assert {c.policy_id for c in vip_ticket.sla_clocks.all()} == {vip_policy.pk}
    assert {c.policy_id for c in plain_ticket.sla_clocks.all()} == {cafe_policy.pk}
    assert vip_ticket.sla_clocks.get(metric="first_response").target_minutes == 10


def test_why_this_policy_names_the_group(vip_policy, agent_ana, requester_diego, org_cafe, it):
    ticket = ticket_of(requester_diego, agent_ana, org_cafe, it)
    # when
    step = clock_services.explain(ticket)["resolution"][0]
    with translation.override("en"):
        words = step_text(step)
    # then
    assert step["reasons"] == ["organization", "requester_group_id"]
    assert "requester group “VIP”" in words


def test_the_group_counts_in_specificity():
    # given: a department policy (2 conditions) and a VIP policy of that department (3)
    department = PolicyConditions(id=1, organization_id=7, department_id=3)
    vip = PolicyConditions(id=2, organization_id=7, department_id=3, requester_group_id=9)
    # when
    member, _ = match_policy(TicketFacts(organization_id=7, department_id=3,
                                         requester_group_ids=frozenset({9})), [department, vip])
    other, _ = match_policy(TicketFacts(organization_id=7, department_id=3), [department, vip])
    # then
    assert (member.id, other.id) == (2, 1)
    assert vip.specificity == 3


def test_two_groups_may_share_the_other_conditions_and_the_older_policy_wins_a_tie(
    admin, org_cafe, cafe_calendar, vip, requester_diego, agent_ana, it
):
    # given: a second group with the same member, and a policy for each group
    board = core_services.group_create(actor=admin, organization=org_cafe, name="Junta")
    core_services.group_member_add(actor=admin, group=board, user=requester_diego)
    older = policy_services.sla_policy_create(actor=admin, organization=org_cafe, name="VIP",
                                              calendar=cafe_calendar, requester_group=vip,
                                              targets=FAST)
    policy_services.sla_policy_create(actor=admin, organization=org_cafe, name="Junta",
                                      calendar=cafe_calendar, requester_group=board,
                                      targets=STANDARD_TARGETS)
    # when
    ticket = ticket_of(requester_diego, agent_ana, org_cafe, it)
    # then
    assert {c.policy_id for c in ticket.sla_clocks.all()} == {older.pk}


def test_the_same_group_twice_with_the_same_conditions_is_a_tie_refused(
    admin, org_cafe, cafe_calendar, vip, vip_policy
):
    with pytest.raises(ValidationFailed) as refused:
        policy_services.sla_policy_create(actor=admin, organization=org_cafe, name="VIP 2",
                                          calendar=cafe_calendar, requester_group=vip,
                                          targets=FAST)
    assert refused.value.code == "overlapping_policies"


def test_a_group_of_another_organization_is_refused(admin, api_client, cafe_policy,
                                                    org_other, admin_other_org):
    # given
    foreign = core_services.group_create(actor=admin_other_org, organization=org_other,
                                         name="VIP")
    client = api_client(admin)
    # when
    foreign_group = send(client, "PATCH", f"/sla-policies/{cafe_policy.pk}",
                         {"requester_group_id": foreign.pk})
    missing_group = send(client, "PATCH", f"/sla-policies/{cafe_policy.pk}",
                         {"requester_group_id": 999_999})
    # then: the same answer whether the group is elsewhere or nowhere
    for response in (foreign_group, missing_group):
        body = problem(response, 422, "invalid_requester_group")
        assert field_errors(body) == [("requester_group", "invalid_requester_group")]
    cafe_policy.refresh_from_db()
    assert cafe_policy.requester_group_id is None


def test_the_api_sets_and_shows_the_group(admin, api_client, cafe_policy, vip):
    response = send(api_client(admin), "PATCH", f"/sla-policies/{cafe_policy.pk}",
                    {"requester_group_id": vip.pk})
    assert response.status_code == 200, response.content
    assert response.json()["requester_group_id"] == vip.pk


def test_the_admin_form_offers_the_organizations_groups(admin, web_client, org_cafe, vip,
                                                        cafe_policy, org_other,
                                                        admin_other_org):
    core_services.group_create(actor=admin_other_org, organization=org_other, name="Ajenos")
    client = web_client(admin)
    page = client.get(f"/manage/{org_cafe.slug}/sla/{cafe_policy.pk}/").content.decode()
    assert 'name="requester_group"' in page
    assert ">VIP<" in page and "Ajenos" not in page
    # when: saved with the group
    form = {"name": "Estándar", "calendar": cafe_policy.calendar_id, "requester_group": vip.pk,
            "is_active": "on", "warning_percentages": "75, 90",
            "pause_reasons": ["awaiting_requester"],
            "p3_first_response_minutes": 60, "p3_resolution_minutes": 480}
    response = client.post(f"/manage/{org_cafe.slug}/sla/{cafe_policy.pk}/", form)
    # then
    assert response.status_code == 302, response.content.decode()[:2000]
    cafe_policy.refresh_from_db()
    assert cafe_policy.requester_group_id == vip.pk


def test_joining_and_leaving_the_group_moves_open_tickets_to_the_right_policy(
    admin, vip, vip_policy, cafe_policy, agent_ana, requester_carla, org_cafe, it,
    django_capture_on_commit_callbacks,
):
    ticket = ticket_of(requester_carla, agent_ana, org_cafe, it)
    assert {c.policy_id for c in ticket.sla_clocks.all()} == {cafe_policy.pk}

    with django_capture_on_commit_callbacks(execute=True):
        core_services.group_member_add(actor=admin, group=vip, user=requester_carla)
    joined = {c.policy_id for c in ticket.sla_clocks.all()}
    with django_capture_on_commit_callbacks(execute=True):
        core_services.group_member_remove(actor=admin, group=vip, user=requester_carla)
    left = {c.policy_id for c in ticket.sla_clocks.all()}

    assert (joined, left) == ({vip_policy.pk}, {cafe_policy.pk})
