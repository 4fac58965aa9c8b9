"""`/api/v1/approvals`: what waits on me, one approval's summary, and deciding it, with
the same rules as the approver's web page."""

from __future__ import annotations

import pytest

from atiende.catalog import approval_services, services
from atiende.catalog.models import Approval, Decision
from atiende.tickets.models import Event, Ticket


@pytest.fixture
def needs_manager(admin, laptop):
    approval_services.approval_plan_save(actor=admin, item=laptop,
                                         steps=[{"approver_kind": "manager"}])
    return laptop


@pytest.fixture
def waiting(needs_manager, requester_carla, manager_mario):
    """Carla's laptop request, with answers, waiting for Mario."""
    request = services.request_submit(actor=requester_carla, item=needs_manager, answers={
        "reason": "El mío no <b>enciende</b>", "monitor": True, "monitor_size": "27\"",
        "apps": ["Slack"]})
    return Approval.objects.get(stage__request=request, approver=manager_mario)


def _submit(requester, item):
    return services.request_submit(actor=requester, item=item,
                                   answers={"reason": "Para el equipo"})


def _written():
    return (Event.objects.count(), Approval.objects.filter(decision=Decision.PENDING).count(),
            Ticket.objects.filter(status="pending").count())


def test_the_approver_lists_what_waits_on_them(waiting, manager_mario, requester_carla,
                                                api_client):
    response = api_client(manager_mario).get("/api/v1/approvals")
    assert response.status_code == 200
    body = response.json()
    assert body["next"] is None
    assert body["results"] == [{
        "id": waiting.pk, "request_number": waiting.stage.request.number,
        "item_name": "Nuevo portátil", "requester_name": requester_carla.display_name,
        "department_name": waiting.stage.request.department.name,
        "step": {"position": 1, "label": "Mario Duarte", "rule": "any", "state": "pending"},
        "state": "pending", "requested_at": body["results"][0]["requested_at"]}]
    assert body["results"][0]["requested_at"]


@pytest.mark.parametrize("who", ["requester_carla", "agent_ana", "admin", "provider_admin",
                                 "agent_other_org", "requester_diego"])
def test_nobody_else_lists_or_reaches_the_approval(waiting, who, request, api_client):
    client = api_client(request.getfixturevalue(who))
    assert client.get("/api/v1/approvals").json()["results"] == []
    assert client.get(f"/api/v1/approvals/{waiting.pk}").status_code == 404
    before = _written()
    response = client.post(f"/api/v1/approvals/{waiting.pk}/decision",
                           {"decision": "approve"}, content_type="application/json")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert _written() == before


def test_anonymous_is_401(waiting, api_client):
    assert api_client().get("/api/v1/approvals").status_code == 401
    assert api_client().get(f"/api/v1/approvals/{waiting.pk}").status_code == 401


def test_the_detail_summarises_the_request_as_the_approver_may_see_it(
        waiting, manager_mario, requester_carla, api_client):
    body = api_client(manager_mario).get(f"/api/v1/approvals/{waiting.pk}").json()
    request = waiting.stage.request
    assert body["state"] == "pending" and body["can_decide"] is True
    assert body["step"] == {"position": 1, "label": "Mario Duarte", "rule": "any",
                            "state": "pending"}
    summary = body["request"]
    assert (summary["number"], summary["status"], summary["item_name"],
            summary["requester_id"], summary["requester_name"]) == (
        request.number, "pending", "Nuevo portátil", requester_carla.pk,
        requester_carla.display_name)
    # the answers the form showed, as text (hostile text is data, not markup)
    answers = {row["key"]: (row["label"], row["value"]) for row in summary["answers"]}
    assert answers["reason"] == ("Motivo", "El mío no <b>enciende</b>")
    assert answers["monitor"] in (("¿Necesita monitor adicional?", "Sí"),
                                  ("¿Necesita monitor adicional?", "Yes"))
    assert answers["monitor_size"] == ("Tamaño del monitor", "27\"")
    assert answers["apps"] == ("Programas", "Slack")
    assert set(summary["answers"][0]) == {"key", "label", "value"}  # no file links


def test_a_hidden_answer_is_not_shown(needs_manager, requester_carla, manager_mario,
                                      api_client):
    # given: no extra monitor, so its size was never asked
    request = services.request_submit(actor=requester_carla, item=needs_manager,
                                      answers={"reason": "Nuevo", "monitor": False})
    approval = Approval.objects.get(stage__request=request)
    body = api_client(manager_mario).get(f"/api/v1/approvals/{approval.pk}").json()
    keys = [row["key"] for row in body["request"]["answers"]]
    assert "reason" in keys and "monitor_size" not in keys


def test_the_approver_approves_through_the_api(waiting, manager_mario, api_client):
    client = api_client(manager_mario)
    response = client.post(f"/api/v1/approvals/{waiting.pk}/decision",
                           {"decision": "approve", "comment": "Adelante"},
                           content_type="application/json")
    assert response.status_code == 200
    body = response.json()
    assert (body["state"], body["comment"], body["can_decide"]) == ("approved", "Adelante",
                                                                     False)
    assert body["step"]["state"] == "approved"
    request = waiting.stage.request
    request.refresh_from_db()
    assert request.status != "pending"
    event = Event.objects.get(ticket=request, kind="approval_approved")
    assert (event.actor, event.channel) == (manager_mario, "api")
    # then: decided already is a conflict, and nothing is written
    before = _written()
    again = client.post(f"/api/v1/approvals/{waiting.pk}/decision",
                        {"decision": "reject", "comment": "Cambié de idea"},
                        content_type="application/json")
    assert again.status_code == 409
    assert again.json()["code"] == "approval_decided"
    assert _written() == before
    assert client.get("/api/v1/approvals").json()["results"] == []


def test_a_rejection_needs_a_comment_then_cancels(waiting, manager_mario, api_client):
    client = api_client(manager_mario)
    path = f"/api/v1/approvals/{waiting.pk}/decision"
    before = _written()
    for blank in ({"decision": "reject"}, {"decision": "reject", "comment": "   "}):
        refused = client.post(path, blank, content_type="application/json")
        assert refused.status_code == 422
        assert "comment" in str(refused.json())
    assert _written() == before
    response = client.post(path, {"decision": "reject", "comment": "Sin presupuesto"},
                           content_type="application/json")
    assert response.status_code == 200
    assert response.json()["state"] == "rejected"
    assert Ticket.objects.get(pk=waiting.stage.request_id).status == "cancelled"


@pytest.mark.parametrize("payload", [
    {}, {"decision": "maybe"}, {"decision": "approve", "extra": 1},
    {"decision": "approve", "comment": "x" * 2001}, {"decision": ["approve"]},
    {"decision": "approve", "comment": 5},
])
def test_bad_input_is_a_precise_422(waiting, manager_mario, api_client, payload):
    before = _written()
    response = api_client(manager_mario).post(f"/api/v1/approvals/{waiting.pk}/decision",
                                              payload, content_type="application/json")
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert _written() == before


@pytest.mark.parametrize("approval_id", ["0", "-1", str(2**63), "99999999", "abc"])
def test_an_unknown_approval_is_404_or_422(waiting, manager_mario, api_client, approval_id):
    response = api_client(manager_mario).get(f"/api/v1/approvals/{approval_id}")
    assert response.status_code in (404, 422)
    assert response.status_code == (422 if approval_id == "abc" else 404)


def test_the_list_pages_and_reads_a_fixed_number_of_queries(
        needs_manager, requester_carla, manager_mario, api_client,
        django_assert_max_num_queries):
    client = api_client(manager_mario)
    _submit(requester_carla, needs_manager)
    client.get("/api/v1/approvals")  # the token's first use is recorded once
    with django_assert_max_num_queries(6) as one:
        assert len(client.get("/api/v1/approvals").json()["results"]) == 1
    for _ in range(7):
        _submit(requester_carla, needs_manager)
    with django_assert_max_num_queries(len(one.captured_queries)) as eight:
        assert len(client.get("/api/v1/approvals").json()["results"]) == 8
    assert len(eight.captured_queries) == len(one.captured_queries)
    first = client.get("/api/v1/approvals?page_size=5").json()
    assert len(first["results"]) == 5 and first["next"]
    rest = client.get(first["next"]).json()
    ids = [row["id"] for row in first["results"] + rest["results"]]
    assert len(ids) == 8 == len(set(ids))
    assert ids == sorted(ids)  # oldest first
    assert client.get("/api/v1/approvals?cursor=bm9wZQ").status_code == 422
