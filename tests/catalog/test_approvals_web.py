"""The approver's pages, the e-mailed signed link, and the plan's admin page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse

from atiende.catalog import approval_services, services
from atiende.catalog.approval_links import link_url
from atiende.catalog.models import Approval, ApprovalStep, Decision, FulfilmentStep
from atiende.tickets.models import Event, Ticket

pytestmark = pytest.mark.usefixtures("english_speakers")


@pytest.fixture
def needs_manager(admin, vpn):
    approval_services.approval_plan_save(actor=admin, item=vpn,
                                         steps=[{"approver_kind": "manager"}])
    return vpn


@pytest.fixture
def waiting(needs_manager, requester_carla, manager_mario):
    """Carla's VPN request, waiting for Mario."""
    request = services.request_submit(actor=requester_carla, item=needs_manager, answers={})
    return Approval.objects.get(stage__request=request, approver=manager_mario)


def _path(approval) -> str:
    """The link's path, as the e-mail gives it."""
    url = link_url(approval)
    assert url.startswith(settings.SITE_URL)
    return url.removeprefix(settings.SITE_URL)


def _written():
    return (Event.objects.count(), Approval.objects.filter(decision="pending").count())


# --- in the application ------------------------------------------------------------------


def test_the_approver_lists_and_decides_in_the_application(waiting, manager_mario,
                                                           web_client):
    client = web_client(manager_mario)
    # when
    page = client.get(reverse("approval_list"))
    # then
    assert page.status_code == 200
    assert waiting.stage.request.number in page.content.decode()
    detail = client.get(reverse("approval_detail", args=[waiting.pk]))
    assert detail.status_code == 200
    assert "Acceso a VPN" in detail.content.decode()
    # when
    response = client.post(reverse("approval_detail", args=[waiting.pk]),
                           {"decision": "approve", "comment": ""})
    # then
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert (waiting.decision, waiting.channel) == ("approved", "web")


def test_rejecting_without_a_reason_is_refused_in_the_page(waiting, manager_mario,
                                                           web_client):
    before = _written()
    response = web_client(manager_mario).post(
        reverse("approval_detail", args=[waiting.pk]), {"decision": "reject", "comment": ""})
    assert response.status_code == 422
    assert "Say why you reject the request." in response.content.decode()
    assert _written() == before


@pytest.mark.parametrize("who", ["requester_carla", "requester_diego", "agent_ana", "admin",
                                 "agent_other_org", "requester_other_org"])
def test_nobody_but_the_approver_reaches_an_approval(waiting, who, request, web_client):
    client = web_client(request.getfixturevalue(who))
    before = _written()
    assert client.get(reverse("approval_detail", args=[waiting.pk])).status_code == 404
    assert client.post(reverse("approval_detail", args=[waiting.pk]),
                       {"decision": "approve"}).status_code == 404
    assert _written() == before


def test_the_approver_sees_the_summary_not_the_request(waiting, manager_mario, web_client):
    client = web_client(manager_mario)
    number = waiting.stage.request.number
    assert client.get(reverse("ticket_detail", args=[number])).status_code == 404
    assert client.get(reverse("approval_detail", args=[waiting.pk])).status_code == 200


def test_the_approvals_list_reads_a_fixed_number_of_queries(
        needs_manager, requester_carla, manager_mario, web_client,
        django_assert_max_num_queries):
    client = web_client(manager_mario)
    services.request_submit(actor=requester_carla, item=needs_manager, answers={})
    with django_assert_max_num_queries(12) as one:
        client.get(reverse("approval_list"))
    for _ in range(5):
        services.request_submit(actor=requester_carla, item=needs_manager, answers={})
    with django_assert_max_num_queries(len(one.captured_queries)) as six:
        response = client.get(reverse("approval_list"))
    assert response.content.decode().count("Review and decide") == 6
    assert len(six.captured_queries) == len(one.captured_queries)


def test_the_requester_and_agents_read_the_decisions_in_the_timeline(
        waiting, manager_mario, requester_carla, agent_ana, web_client):
    approval_services.approval_decide(actor=manager_mario, approval_id=waiting.pk,
                                      approve=True, comment="Aprobado <script>x</script>")
    number = waiting.stage.request.number
    for reader in (requester_carla, agent_ana):
        page = web_client(reader).get(reverse("ticket_detail", args=[number]))
        text = page.content.decode()
        assert "Mario Duarte</strong> approved the request (step 1)" in text
        assert "&lt;script&gt;x&lt;/script&gt;" in text
        assert "<script>x</script>" not in text


def test_a_missing_manager_is_said_on_the_items_page(needs_manager, requester_carla,
                                                     web_client):
    response = web_client(requester_carla).post(reverse("catalog_item",
                                                        args=[needs_manager.pk]), {})
    assert response.status_code == 422
    assert "you have no manager on record" in response.content.decode()
    assert Ticket.objects.count() == 0


# --- the signed link ---------------------------------------------------------------------


def test_the_link_shows_then_decides_once(waiting, client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # nobody signed in: the browser's
    path = _path(waiting)
    before = _written()
    # when: the approver opens it (no sign-in)
    page = client.get(path)
    # then: a confirmation, nothing decided
    assert page.status_code == 200
    assert "Approve" in page.content.decode()
    assert _written() == before
    # when
    response = client.post(path, {"decision": "approve"})
    # then
    assert response.status_code == 200
    assert "You approved the request" in response.content.decode()
    waiting.refresh_from_db()
    assert (waiting.decision, waiting.channel) == ("approved", "email")
    request = waiting.stage.request
    request.refresh_from_db()
    assert request.status == "in_progress"
    # when: the same link again
    after = _written()
    again_get, again_post = client.get(path), client.post(path, {"decision": "reject",
                                                                 "comment": "No"})
    # then: gone, nothing written
    assert (again_get.status_code, again_post.status_code) == (410, 410)
    assert "already used" in again_post.content.decode()
    assert _written() == after


def test_the_link_rejects_with_a_reason(waiting, client):
    path = _path(waiting)
    assert client.post(path, {"decision": "reject", "comment": ""}).status_code == 422
    response = client.post(path, {"decision": "reject", "comment": "Sin presupuesto"})
    assert response.status_code == 200
    waiting.refresh_from_db()
    assert (waiting.decision, waiting.comment) == ("rejected", "Sin presupuesto")


def test_an_expired_link_decides_nothing(waiting, client, time_machine):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # nobody signed in: the browser's
    path = _path(waiting)
    before = _written()
    time_machine.move_to(dt.datetime.now(tz=dt.UTC) + dt.timedelta(days=8))
    assert client.get(path).status_code == 410
    response = client.post(path, {"decision": "approve"})
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert _written() == before


@pytest.mark.parametrize("damage", [
    lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
    lambda token: "eyJhcHByb3ZhbCI6MX0:1vabcd:" + "x" * 43,
    lambda token: "garbage",
])
def test_a_forged_link_decides_nothing(waiting, client, damage):
    token = _path(waiting).rstrip("/").rsplit("/", 1)[-1]
    path = reverse("approval_link", args=[damage(token)])
    before = _written()
    assert client.get(path).status_code == 400
    assert client.post(path, {"decision": "approve"}).status_code == 400
    assert _written() == before


def test_a_link_signed_for_another_approval_nonce_is_refused(waiting, client):
    from django.core import signing

    forged = signing.dumps({"approval": waiting.pk, "nonce": "0" * 32},
                           salt=approval_services.LINK_SALT, compress=True)
    before = _written()
    response = client.post(reverse("approval_link", args=[forged]), {"decision": "approve"})
    assert response.status_code == 410
    assert _written() == before


def test_someone_else_signed_in_cannot_use_the_approvers_link(waiting, web_client,
                                                              requester_diego):
    client = web_client(requester_diego)
    before = _written()
    assert client.get(_path(waiting)).status_code == 404
    assert client.post(_path(waiting), {"decision": "approve"}).status_code == 404
    assert _written() == before


def test_a_link_of_a_step_decided_by_others_is_no_longer_needed(
        admin, vpn, requester_carla, committee, requester_diego, client):
    approval_services.approval_plan_save(actor=admin, item=vpn, steps=[
        {"approver_kind": "group", "group": committee, "rule": "any"}])
    request = services.request_submit(actor=requester_carla, item=vpn, answers={})
    others = list(Approval.objects.filter(stage__request=request).exclude(
        approver=requester_diego))
    approval_services.approval_decide(
        actor=requester_diego, approval_id=Approval.objects.get(
            stage__request=request, approver=requester_diego).pk, approve=True)
    others[0].refresh_from_db()
    assert others[0].decision == Decision.NOT_NEEDED
    assert client.get(_path(others[0])).status_code == 410


# --- the plan's admin page ---------------------------------------------------------------


def test_the_admin_edits_both_plans(admin, vpn, committee, team_redes, team_nomina,
                                    web_client, org_cafe):
    client = web_client(admin)
    url = reverse("manage_catalog_plan", args=[org_cafe.slug, vpn.pk])
    assert client.get(url).status_code == 200
    # when
    response = client.post(url, {
        "action": "approvals", "step-count": "3",
        "step-0-kind": "manager", "step-0-rule": "any",
        "step-1-kind": "group", "step-1-group": str(committee.pk), "step-1-rule": "majority",
        "step-2-kind": ""})
    assert response.status_code == 302
    response = client.post(url, {
        "action": "tasks", "task-count": "3",
        "task-0-title": "Crear <b>cuenta</b>", "task-0-team": str(team_redes.pk),
        "task-0-stage": "1",
        "task-1-title": "Nómina", "task-1-team": str(team_nomina.pk), "task-1-stage": "1",
        "task-2-title": "", "task-2-team": "", "task-2-stage": ""})
    assert response.status_code == 302
    # then
    assert list(ApprovalStep.objects.filter(item=vpn).values_list(
        "approver_kind", "rule", "group")) == [("manager", "any", None),
                                               ("group", "majority", committee.pk)]
    assert list(FulfilmentStep.objects.filter(item=vpn).values_list("title", "stage")) == [
        ("Crear <b>cuenta</b>", 1), ("Nómina", 1)]
    page = client.get(url).content.decode()
    assert "Crear &lt;b&gt;cuenta&lt;/b&gt;" in page


@pytest.mark.parametrize(("data", "message"), [
    ({"action": "approvals", "step-count": "1", "step-0-kind": "people"},
     "Choose at least one person."),
    ({"action": "approvals", "step-count": "1", "step-0-kind": "people",
      "step-0-people": ["999999"]}, "Choose people from the list."),
    ({"action": "approvals", "step-count": "1", "step-0-kind": "group",
      "step-0-group": "abc"}, "Choose a group."),
    ({"action": "tasks", "task-count": "1", "task-0-title": "Algo", "task-0-team": "",
      "task-0-stage": "x"}, "Choose an active team of this organization."),
])
def test_a_bad_plan_is_refused_with_the_reason(admin, vpn, web_client, org_cafe, data,
                                               message):
    response = web_client(admin).post(reverse("manage_catalog_plan",
                                              args=[org_cafe.slug, vpn.pk]), data)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not ApprovalStep.objects.exists() and not FulfilmentStep.objects.exists()


@pytest.mark.parametrize("who", ["agent_ana", "requester_carla", "admin_other_org"])
def test_only_the_organizations_admins_reach_the_plan(vpn, who, request, web_client,
                                                      org_cafe):
    client = web_client(request.getfixturevalue(who))
    url = reverse("manage_catalog_plan", args=[org_cafe.slug, vpn.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "approvals", "step-count": "1",
                             "step-0-kind": "manager"}).status_code == 404
    assert not ApprovalStep.objects.exists()


def test_an_item_of_another_organization_is_not_reached_through_mine(
        admin, other_vpn, web_client, org_cafe):
    url = reverse("manage_catalog_plan", args=[org_cafe.slug, other_vpn.pk])
    assert web_client(admin).get(url).status_code == 404


def test_the_portals_block_lists_what_waits_on_me(waiting, manager_mario, requester_carla):
    from django.template.loader import render_to_string

    from atiende.catalog.approvals_selectors import pending_for

    html = render_to_string("portal/_approvals.html", {"pending": pending_for(manager_mario)})
    assert reverse("approval_detail", args=[waiting.pk]) in html
    assert waiting.stage.request.number in html
    assert render_to_string("portal/_approvals.html",
                            {"pending": pending_for(requester_carla)}).strip() == ""
