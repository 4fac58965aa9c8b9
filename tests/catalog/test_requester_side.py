"""What the requester side sees of a catalog request: the request, never its internal
fulfilment tasks (those are the desk's), and a request awaiting approval that nobody
moves by hand."""

from __future__ import annotations

import io

import pytest
from django.core.files import File
from django.urls import reverse

from atiende.catalog import approval_services, approvals_selectors, services
from atiende.catalog.models import Approval, Decision
from atiende.errors import Conflict
from atiende.portal import selectors as portal_selectors
from atiende.tickets import attachments, outbox
from atiende.tickets import selectors as ticket_selectors
from atiende.tickets import services as ticket_services
from atiende.tickets.models import Event, Kind, Status, Ticket

pytestmark = pytest.mark.usefixtures("english_speakers")

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def onboarding(admin, vpn, team_redes):
    approval_services.fulfilment_plan_save(actor=admin, item=vpn, tasks=[
        {"title": "Crear cuenta VPN zanahoria", "team": team_redes, "stage": 1}])
    return vpn


@pytest.fixture
def fulfilling(onboarding, requester_carla):
    """Carla's request, with its one task open for Redes (IT)."""
    request = services.request_submit(actor=requester_carla, item=onboarding, answers={})
    task = Ticket.objects.get(parent=request, kind=Kind.TASK)
    return request, task


# --- tasks are the desk's -------------------------------------------------------------------


def test_the_requester_lists_the_request_not_its_tasks(fulfilling, requester_carla, agent_ana,
                                                       web_client, api_client):
    request, task = fulfilling
    # the selector every list reads, the portal's own list, the web queue and the API
    assert list(ticket_selectors.ticket_list(actor=requester_carla)) == [request]
    assert [t.number for t in portal_selectors.own_tickets(actor=requester_carla)] == [
        request.number]
    html = web_client(requester_carla).get(reverse("ticket_queue")).content.decode()
    assert request.number in html and task.number not in html
    listed = api_client(requester_carla).get("/api/v1/tickets").json()["results"]
    assert [row["number"] for row in listed] == [request.number]
    # the desk still sees both
    assert set(ticket_selectors.ticket_list(actor=agent_ana)) == {request, task}


def test_a_task_answers_404_to_the_requester_everywhere(fulfilling, requester_carla,
                                                        agent_ana, web_client, api_client):
    request, task = fulfilling
    web, api = web_client(requester_carla), api_client(requester_carla)
    assert web.get(reverse("ticket_detail", args=[task.number])).status_code == 404
    assert web.get(reverse("portal_ticket", args=[task.number])).status_code == 404
    assert api.get(f"/api/v1/tickets/{task.number}").status_code == 404
    assert api.get(f"/api/v1/tickets/{task.number}/events").status_code == 404
    assert web.get(reverse("ticket_detail", args=[request.number])).status_code == 200
    assert web_client(agent_ana).get(
        reverse("ticket_detail", args=[task.number])).status_code == 200


def test_the_search_does_not_find_a_task_for_the_requester(fulfilling, requester_carla,
                                                           agent_ana, api_client):
    _request, task = fulfilling
    outbox.dispatch()  # the search index is kept by the outbox
    carla = api_client(requester_carla)
    words = carla.get("/api/v1/search/tickets?q=zanahoria").json()
    assert [hit["number"] for hit in words["results"]] == []
    by_number = carla.get(f"/api/v1/search/tickets?q={task.number}").json()
    assert by_number["results"] == []
    found = api_client(agent_ana).get("/api/v1/search/tickets?q=zanahoria").json()
    assert [hit["number"] for hit in found["results"]] == [task.number]


def test_a_tasks_files_are_404_to_the_requester(fulfilling, requester_carla, agent_ana,
                                                web_client, api_client):
    _request, task = fulfilling
    attachment = attachments.attachment_add(
        actor=agent_ana, ticket=task, uploaded_file=File(io.BytesIO(PDF), name="acta.pdf"),
        channel="web")
    path = reverse("attachments:download", args=[task.number, attachment.pk])
    assert web_client(requester_carla).get(path).status_code == 404
    api = f"/api/v1/tickets/{task.number}/attachments"
    assert api_client(requester_carla).get(api).status_code == 404
    assert api_client(requester_carla).get(f"{api}/{attachment.pk}").status_code == 404
    assert web_client(agent_ana).get(path).status_code == 200


def test_a_requester_side_watcher_does_not_see_a_task(fulfilling, agent_ana, requester_diego,
                                                      api_client):
    request, task = fulfilling
    for ticket in (request, task):
        ticket_services.watcher_add(actor=agent_ana, ticket=ticket, user=requester_diego)
    numbers = [row["number"] for row in
               api_client(requester_diego).get("/api/v1/tickets").json()["results"]]
    assert numbers == [request.number]
    assert api_client(requester_diego).get(f"/api/v1/tickets/{task.number}").status_code == 404


def test_the_request_page_shows_task_progress_without_links(fulfilling, requester_carla,
                                                            web_client):
    request, task = fulfilling
    html = web_client(requester_carla).get(
        reverse("ticket_detail", args=[request.number])).content.decode()
    assert "Crear cuenta VPN zanahoria" in html
    assert task.get_status_display() in html
    assert task.number not in html
    assert reverse("ticket_detail", args=[task.number]) not in html


def test_an_agent_of_another_department_or_organization_does_not_see_the_task(
        fulfilling, agent_bruno_other_department, agent_other_org, api_client):
    _request, task = fulfilling
    for other in (agent_bruno_other_department, agent_other_org):
        assert api_client(other).get(f"/api/v1/tickets/{task.number}").status_code == 404


# --- a request awaiting approval --------------------------------------------------------------


@pytest.fixture
def waiting(admin, vpn, requester_carla, manager_mario):
    approval_services.approval_plan_save(actor=admin, item=vpn,
                                         steps=[{"approver_kind": "manager"}])
    request = services.request_submit(actor=requester_carla, item=vpn, answers={})
    request.refresh_from_db()
    assert (request.status, request.pending_reason) == ("pending", "awaiting_approval")
    return request


REFUSED = "This request awaits approval"


@pytest.mark.parametrize("to_status", ["in_progress", "resolved", "cancelled", "assigned"])
def test_an_agent_cannot_move_it_by_hand(waiting, agent_ana, admin, to_status):
    events = Event.objects.count()
    for hand in (agent_ana, admin):
        with pytest.raises(Conflict) as refused:
            ticket_services.ticket_transition(
                actor=hand, ticket=waiting, to_status=to_status, version=waiting.version,
                resolution_code="fulfilled", resolution_notes="Hecho")
        assert refused.value.code == "awaiting_approval"
        assert refused.value.message.startswith(REFUSED)
    assert Event.objects.count() == events
    waiting.refresh_from_db()
    assert waiting.status == "pending"


def test_the_page_offers_no_transition_and_refuses_one(waiting, agent_ana, web_client):
    client = web_client(agent_ana)
    detail = ticket_selectors.ticket_detail(actor=agent_ana, number=waiting.number)
    assert detail.allowed_transitions == []
    response = client.post(reverse("ticket_status", args=[waiting.number]),
                           {"status": "in_progress", "version": waiting.version})
    assert response.status_code == 409
    assert REFUSED in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.status == "pending"


def test_the_api_refuses_it_with_the_message(waiting, agent_ana, api_client):
    response = api_client(agent_ana).post(
        f"/api/v1/tickets/{waiting.number}/transitions", {"status": "in_progress"},
        content_type="application/json", headers={"If-Match": f'"{waiting.version}"'})
    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "awaiting_approval"
    assert REFUSED in body["detail"]
    detail = api_client(agent_ana).get(f"/api/v1/tickets/{waiting.number}").json()
    assert detail["allowed_transitions"] == []


def test_only_the_approval_moves_it(waiting, manager_mario):
    approval = Approval.objects.get(stage__request=waiting)
    approval_services.approval_decide(actor=manager_mario, approval_id=approval.pk,
                                      approve=True)
    waiting.refresh_from_db()
    assert waiting.status != "pending"
    moved = Event.objects.filter(ticket=waiting, kind="status").order_by("id").last()
    assert moved.actor is None


def test_the_requester_cancels_and_the_approvals_are_withdrawn(
        waiting, requester_carla, manager_mario, web_client, client):
    from django.conf import settings

    from atiende.catalog.approval_links import link_url

    approval = Approval.objects.get(stage__request=waiting)
    link = link_url(approval).removeprefix(settings.SITE_URL)
    detail = ticket_selectors.ticket_detail(actor=requester_carla, number=waiting.number)
    assert detail.allowed_transitions == ["cancelled"]
    # when: Carla cancels through the web page
    response = web_client(requester_carla).post(
        reverse("ticket_status", args=[waiting.number]),
        {"status": "cancelled", "version": waiting.version})
    assert response.status_code == 302
    outbox.dispatch()
    # then: the approval is withdrawn, its link and page no longer decide
    waiting.refresh_from_db()
    approval.refresh_from_db()
    assert waiting.status == Status.CANCELLED
    assert approval.decision == Decision.NOT_NEEDED
    assert list(approvals_selectors.pending_for(manager_mario)) == []
    assert client.get(link).status_code == 410
    events = Event.objects.count()
    assert client.post(link, {"decision": "approve"}).status_code == 410
    mario = web_client(manager_mario)
    page = mario.post(reverse("approval_detail", args=[approval.pk]), {"decision": "approve"})
    assert page.status_code == 409
    assert Event.objects.count() == events
    approval.refresh_from_db()
    assert approval.decision == Decision.NOT_NEEDED
    # running the withdrawal again changes nothing
    assert approval_services.approvals_withdraw(request_id=waiting.pk) == 0
