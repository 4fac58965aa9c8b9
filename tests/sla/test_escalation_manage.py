"""The escalation editor of an SLA policy: who reaches it, levels and actions made and
removed through it, and bad input shown on the form with nothing saved."""

from __future__ import annotations

import pytest

from atiende.core.models import AuditEvent
from atiende.sla import escalation_services
from atiende.sla.models import EscalationAction, EscalationLevel


def url(org, policy, rest: str = "") -> str:
    return f"/manage/{org.slug}/sla/{policy.pk}/escalations/{rest}"


@pytest.mark.parametrize("role, expected", [
    ("anonymous", 302), ("requester_carla", 404), ("agent_ana", 404), ("agent_other_org", 404),
    ("admin_other_org", 404), ("admin", 200), ("provider_admin", 200)])
def test_who_reaches_the_editor(role, expected, actors, web_client, org_cafe, cafe_policy):
    assert web_client(actors[role]).get(url(org_cafe, cafe_policy)).status_code == expected


@pytest.mark.parametrize("role", ["requester_carla", "agent_ana", "admin_other_org"])
def test_who_may_not_add_a_level_changes_nothing(role, actors, web_client, org_cafe,
                                                 cafe_policy):
    response = web_client(actors[role]).post(url(org_cafe, cafe_policy), {
        "form": "level", "level-metric": "resolution", "level-percent": "150"})
    assert response.status_code == 404
    assert not EscalationLevel.objects.exists()


def test_a_policy_of_another_organization_is_not_found(web_client, admin, org_cafe,
                                                       other_policy, admin_other_org):
    other_level = escalation_services.escalation_level_add(
        actor=admin_other_org, policy=other_policy, metric="resolution", percent=150)
    client = web_client(admin)
    assert client.get(url(org_cafe, other_policy)).status_code == 404
    response = client.post(url(org_cafe, other_policy, f"{other_level.pk}/remove/"))
    assert response.status_code == 404
    assert EscalationLevel.objects.filter(pk=other_level.pk).exists()


def test_a_level_of_another_policy_is_not_removed(web_client, admin, org_cafe, cafe_policy,
                                                  other_policy, admin_other_org):
    other_level = escalation_services.escalation_level_add(
        actor=admin_other_org, policy=other_policy, metric="resolution", percent=150)
    response = web_client(admin).post(url(org_cafe, cafe_policy, f"{other_level.pk}/remove/"))
    assert response.status_code == 404
    assert EscalationLevel.objects.filter(pk=other_level.pk).exists()


def test_an_admin_builds_levels_and_actions_and_the_page_lists_them(
        web_client, admin, org_cafe, cafe_policy, team_redes, agent_ana, lead_lucia,
        django_assert_max_num_queries, in_english):
    client = web_client(in_english(admin))
    # when
    response = client.post(url(org_cafe, cafe_policy), {
        "form": "level", "level-metric": "resolution", "level-percent": "150"})
    assert response.status_code == 302
    level = EscalationLevel.objects.get()
    response = client.post(url(org_cafe, cafe_policy), {
        "form": "action", "action-level": str(level.pk), "action-kind": "reassign",
        "action-team": str(team_redes.pk), "action-agent": str(agent_ana.pk)})
    assert response.status_code == 302
    response = client.post(url(org_cafe, cafe_policy), {
        "form": "action", "action-level": str(level.pk), "action-kind": "notify",
        "action-whom": ["team_lead", "department_manager"],
        "action-people": [str(lead_lucia.pk)]})
    assert response.status_code == 302
    # then
    assert list(level.actions.values_list("kind", "team_id", "agent_id")) == [
        ("reassign", team_redes.pk, agent_ana.pk), ("notify", None, None)]
    assert AuditEvent.objects.filter(action__startswith="sla_escalation.").count() == 3
    with django_assert_max_num_queries(30):
        page = client.get(url(org_cafe, cafe_policy))
    text = page.content.decode()
    assert "Resolution · 150 %" in text
    assert "Reassign to Ana Gómez (Redes)" in text
    assert "Notify the team lead, the department&#x27;s managers, Lucía Prieto" in text


def test_many_levels_do_not_read_more(web_client, admin, org_cafe, cafe_policy, team_redes):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = web_client(admin)
    counts = []
    for percent in (50, 150, 200, 300, 400):
        level = escalation_services.escalation_level_add(
            actor=admin, policy=cafe_policy, metric="resolution", percent=percent)
        escalation_services.escalation_action_add(actor=admin, level=level, kind="reassign",
                                                  team=team_redes)
        escalation_services.escalation_action_add(actor=admin, level=level, kind="notify",
                                                  whom=["assignee"])
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url(org_cafe, cafe_policy)).status_code == 200
        counts.append(len(queries))
    assert len(set(counts)) == 1, counts


@pytest.mark.parametrize("percent", ["0", "-1", "abc", "1001", "<b>1</b>"])
def test_a_bad_percent_is_shown_and_nothing_saved(percent, web_client, admin, org_cafe,
                                                  cafe_policy, in_english):
    response = web_client(in_english(admin)).post(url(org_cafe, cafe_policy), {
        "form": "level", "level-metric": "resolution", "level-percent": percent})
    assert response.status_code == 200
    assert "Use a whole percent from 1 to 1000." in response.content.decode()
    assert "<b>1</b>" not in response.content.decode()
    assert not EscalationLevel.objects.exists()


def test_a_team_of_another_organization_cannot_be_posted(web_client, admin, org_cafe,
        cafe_policy, team_other_org, in_english):
    level = escalation_services.escalation_level_add(actor=admin, policy=cafe_policy,
                                                     metric="resolution", percent=100)
    response = web_client(in_english(admin)).post(url(org_cafe, cafe_policy), {
        "form": "action", "action-level": str(level.pk), "action-kind": "reassign",
        "action-team": str(team_other_org.pk)})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not EscalationAction.objects.exists()


def test_an_agent_outside_the_team_is_shown_and_nothing_saved(
        web_client, admin, org_cafe, cafe_policy, team_redes, agent_nico, in_english):
    level = escalation_services.escalation_level_add(actor=admin, policy=cafe_policy,
                                                     metric="resolution", percent=100)
    response = web_client(in_english(admin)).post(url(org_cafe, cafe_policy), {
        "form": "action", "action-level": str(level.pk), "action-kind": "reassign",
        "action-team": str(team_redes.pk), "action-agent": str(agent_nico.pk)})
    assert response.status_code == 200
    assert "Choose an agent who is a member of the team." in response.content.decode()
    assert not EscalationAction.objects.exists()


def test_an_admin_removes_an_action_and_a_level(web_client, admin, org_cafe, cafe_policy,
                                                team_redes):
    level = escalation_services.escalation_level_add(actor=admin, policy=cafe_policy,
                                                     metric="resolution", percent=100)
    action = escalation_services.escalation_action_add(actor=admin, level=level,
                                                       kind="raise_priority", priority="1")
    client = web_client(admin)
    assert client.get(url(org_cafe, cafe_policy, f"actions/{action.pk}/remove/")
                      ).status_code == 405
    assert client.post(url(org_cafe, cafe_policy, f"actions/{action.pk}/remove/")
                       ).status_code == 302
    assert not EscalationAction.objects.exists()
    assert client.post(url(org_cafe, cafe_policy, f"{level.pk}/remove/")).status_code == 302
    assert not EscalationLevel.objects.exists()


def test_the_policy_editor_links_to_the_escalations(web_client, admin, org_cafe, cafe_policy):
    page = web_client(admin).get(f"/manage/{org_cafe.slug}/sla/{cafe_policy.pk}/").content
    assert url(org_cafe, cafe_policy).encode() in page
