"""`/api/v1/ticket-views`: the same saved views as the queue page, through the API."""

from __future__ import annotations

import pytest

from atiende.tickets import saved_views
from atiende.tickets.models import SavedView


def _post(client, body: dict):
    return client.post("/api/v1/ticket-views", body, content_type="application/json")


def test_an_agent_saves_lists_changes_and_deletes_a_view(api_client, agent_ana, team_redes):
    client = api_client(agent_ana)

    created = _post(client, {"name": "P1 de Redes", "team_id": team_redes.pk,
                             "query": {"queue": "teams", "priority": "1",
                                       "col": ["title", "priority"]}})

    assert created.status_code == 201
    body = created.json()
    assert body["name"] == "P1 de Redes"
    assert body["team"] == {"id": team_redes.pk, "name": team_redes.name}
    assert body["owner"]["id"] == agent_ana.pk
    assert body["columns"] == ["number", "title", "priority"]
    listed = client.get("/api/v1/ticket-views").json()["results"]
    assert [view["id"] for view in listed] == [body["id"]]

    changed = client.patch(f"/api/v1/ticket-views/{body['id']}",
                           {"name": "Urgentes", "team_id": None},
                           content_type="application/json")
    assert changed.status_code == 200
    assert (changed.json()["name"], changed.json()["team"]) == ("Urgentes", None)

    assert client.delete(f"/api/v1/ticket-views/{body['id']}").status_code == 204
    assert not SavedView.objects.exists()


def test_a_teammate_reads_a_shared_view_but_cannot_change_it(
        api_client, agent_ana, lead_lucia, team_redes):
    view = saved_views.saved_view_create(actor=agent_ana, name="Todo", query={"queue": "all"},
                                         team=team_redes)
    client = api_client(lead_lucia)

    assert client.get(f"/api/v1/ticket-views/{view.pk}").json()["name"] == "Todo"
    refused = client.patch(f"/api/v1/ticket-views/{view.pk}", {"name": "Mía"},
                           content_type="application/json")
    assert refused.status_code == 403
    assert client.delete(f"/api/v1/ticket-views/{view.pk}").status_code == 403
    view.refresh_from_db()
    assert view.name == "Todo"


@pytest.mark.parametrize("who", ["agent_other_org", "agent_bruno_other_department",
                                 "requester_carla", "admin_other_org"])
def test_nobody_else_finds_a_view(api_client, actors, agent_ana, team_redes, who):
    view = saved_views.saved_view_create(actor=agent_ana, name="Todo", query={},
                                         team=team_redes)
    client = api_client(actors[who])

    assert client.get(f"/api/v1/ticket-views/{view.pk}").status_code == 404
    assert client.delete(f"/api/v1/ticket-views/{view.pk}").status_code == 404
    assert client.get("/api/v1/ticket-views").json()["results"] == []
    assert SavedView.objects.count() == 1


@pytest.mark.parametrize(("body", "field"), [
    ({"query": {}}, "name"),
    ({"name": "  ", "query": {}}, "name"),
    ({"name": "x" * 81}, "name"),
    ({"name": "Rara", "query": {"owner": "1"}}, "query"),
    ({"name": "Rara", "query": {"status": {"a": 1}}}, "query"),
    ({"name": "Rara", "query": ["queue"]}, "query"),
    ({"name": "Rara", "team_id": 999}, "team"),
    ({"name": "Rara", "team_id": True}, "team_id"),
    ({"name": "Rara", "owner_id": 1}, "owner_id"),
])
def test_bad_input_is_refused_with_the_field_and_nothing_saved(api_client, agent_ana, body,
                                                              field):
    response = _post(api_client(agent_ana), body)

    assert response.status_code in (400, 422)
    assert field in str(response.json().get("errors", {}))
    assert not SavedView.objects.exists()


def test_a_requester_cannot_save_views(api_client, requester_carla):
    response = _post(api_client(requester_carla), {"name": "Mía"})

    assert response.status_code == 403
    assert not SavedView.objects.exists()


def test_a_duplicate_name_is_a_conflict_of_the_owner_only(api_client, agent_ana, agent_nico):
    saved_views.saved_view_create(actor=agent_ana, name="Mía", query={})

    assert _post(api_client(agent_ana), {"name": "Mía"}).status_code == 422
    assert _post(api_client(agent_nico), {"name": "Mía"}).status_code == 201
