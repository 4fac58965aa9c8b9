"""`/api/v1/articles`: scoped, problem+json errors, nothing written on refusals."""

from __future__ import annotations

import pytest

from atiende.knowledge.models import (
    Article,
    ArticleEvent,
    ArticleFeedback,
    ArticleTicketLink,
    ArticleVersion,
)
from tests.api.support import field_errors, problem, send


def _knowledge_state() -> dict:
    return {model.__name__: sorted(model.objects.values_list())
            for model in (Article, ArticleVersion, ArticleEvent, ArticleFeedback,
                          ArticleTicketLink)}


@pytest.mark.parametrize(("who", "status"), [
    ("requester_carla", 200), ("agent_bruno_other_department", 200), ("agent_ana", 200),
    ("requester_other_org", 404), ("agent_other_org", 404), ("admin_other_org", 404)])
def test_detail_matrix(who, status, actors, library, api_client):
    response = send(api_client(actors[who]), "get", f"/articles/{library['it_public'].pk}")
    if status == 404:
        problem(response, 404, "not_found")
    else:
        assert response.status_code == 200
        assert response.json()["title"] == "Configurar la impresora del piso"


def test_anonymous_is_refused(library, api_client):
    assert send(api_client(None), "get", "/articles").status_code == 401


def test_list_is_scoped(library, requester_carla, api_client):
    body = send(api_client(requester_carla), "get", "/articles").json()
    assert sorted(item["title"] for item in body["results"]) == [
        "Conectarse a la VPN", "Configurar la impresora del piso",
        "Pedir un certificado laboral"]


def test_search_is_scoped_and_snippets_escaped(library, requester_carla, agent_ana,
                                               api_client):
    hits = send(api_client(requester_carla), "get", "/articles/search?q=impresoras").json()
    assert [hit["title"] for hit in hits] == ["Configurar la impresora del piso"]
    assert "<mark>impresoras</mark>" in hits[0]["snippet"]
    staff = send(api_client(agent_ana), "get", "/articles/search?q=impresoras").json()
    assert sorted(hit["title"] for hit in staff) == [
        "Configurar la impresora del piso", "Reiniciar la cola de impresoras"]


def test_create_publish_update_journey(agent_ana, it, incident, api_client):
    client = api_client(agent_ana)
    created = send(client, "post", "/articles", {
        "department_id": it.pk, "title": "VPN desde casa", "visibility": "public",
        "body": "<p>Instale el cliente<script>x()</script></p>",
        "ticket_number": incident.number})
    assert created.status_code == 201, created.content
    article = created.json()
    assert [(v["number"], v["state"], v["body"]) for v in article["versions"]] == [
        (1, "draft", "<p>Instale el cliente</p>")]
    published = send(client, "post", f"/articles/{article['id']}/publish", {"language": "es"})
    assert published.json()["is_published"] is True
    edited = send(client, "patch", f"/articles/{article['id']}", {"body": "<p>Nuevo</p>"})
    assert [(v["number"], v["state"]) for v in edited.json()["versions"]] == [
        (2, "draft"), (1, "published")]
    assert list(ArticleEvent.objects.order_by("id").values_list("action", "channel")) == [
        ("created", "api"), ("linked", "api"), ("published", "api"), ("edited", "api")]


@pytest.mark.parametrize(("who", "method", "path", "body", "status", "code"), [
    ("agent_other_org", "post", "/articles/{it_public}/retire", {"language": "es"}, 404,
     "not_found"),
    ("agent_other_org", "patch", "/articles/{it_public}", {"title": "Mío"}, 404, "not_found"),
    ("requester_other_org", "put", "/articles/{it_public}/feedback", {"useful": True}, 404,
     "not_found"),
    ("requester_carla", "patch", "/articles/{it_public}", {"title": "Mío"}, 403,
     "permission_denied"),
    ("requester_carla", "post", "/articles/{it_public}/retire", {"language": "es"}, 403,
     "permission_denied"),
    ("agent_bruno_other_department", "get", "/articles/{it_internal}", None, 404, "not_found"),
    ("agent_ana", "post", "/articles/{it_draft}/retire", {"language": "es"}, 409,
     "invalid_transition"),
    ("agent_ana", "put", "/articles/{it_draft}/feedback", {"useful": True}, 409,
     "not_published"),
])
def test_refusals_write_nothing(who, method, path, body, status, code, actors, library,
                                api_client):
    before = _knowledge_state()
    response = send(api_client(actors[who]), method,
                    path.format(**{name: a.pk for name, a in library.items()}), body)
    problem(response, status, code)
    assert _knowledge_state() == before


@pytest.mark.parametrize(("body", "fields"), [
    ({"title": ""}, [("title", "required")]),
    ({"department_id": "{other_it}"}, [("department_id", "invalid_department")]),
    ({"department_id": 999999}, [("department_id", "invalid_department")]),
    ({"visibility": "secret"}, [("visibility", "literal_error")]),
    ({"unknown": 1}, [("unknown", "extra_forbidden")]),
])
def test_bad_creations_are_422(body, fields, agent_ana, it, other_it, api_client):
    payload = {"department_id": it.pk, "title": "Bien", **body}
    if payload["department_id"] == "{other_it}":
        payload["department_id"] = other_it.pk
    response = send(api_client(agent_ana), "post", "/articles", payload)
    assert field_errors(problem(response, 422, response.json()["code"])) == fields
    assert Article.objects.count() == 0


def test_feedback_is_changeable(library, requester_carla, api_client):
    client = api_client(requester_carla)
    path = f"/articles/{library['it_public'].pk}/feedback"
    send(client, "put", path, {"useful": False, "comment": "No"})
    answer = send(client, "put", path, {"useful": True})
    assert (answer.status_code, answer.json()["useful"]) == (200, True)
    assert ArticleFeedback.objects.count() == 1
