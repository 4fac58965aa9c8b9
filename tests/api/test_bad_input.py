"""Bad input: each mistake is one precise 4xx problem document, and nothing is written.

The callers prefer English here, so messages are the source strings; the Spanish ones
are checked in test_language.py.
"""

from __future__ import annotations

import base64

import pytest
from django.core import mail

from atiende.core.models import Membership
from tests.api.support import database_state, field_errors, problem, send


@pytest.fixture
def boss(provider_admin, in_english, api_client):
    """The provider admin, who may call every write, with their API client."""
    return api_client(in_english(provider_admin))


@pytest.fixture
def refs(cast, org_cafe, it, hr, team_redes, requester_diego, agent_nico):
    return {
        "org_cafe": org_cafe.pk, "it": it.pk, "hr": hr.pk, "team_redes": team_redes.pk,
        "requester_diego": requester_diego.pk, "agent_nico": agent_nico.pk,
        "agent_ana": cast["agent_ana"].pk,
    }


def _refused(client, method, path, body, status, code) -> dict:
    """Send, check the problem, check that nothing changed; return the problem."""
    before = database_state()
    response = send(client, method, path, body)
    answer = problem(response, status, code)
    assert database_state() == before
    assert mail.outbox == []
    return answer


# Every write endpoint, with a valid body (given the ids of the targets).
WRITES = {
    "PATCH /me": lambda r: {"phone": "+57 601 555 0101"},
    "POST /organizations": lambda r: {"name": "Ferretería del Sur"},
    "PATCH /organizations/{org_cafe}": lambda r: {"name": "Café Montaña S.A.S."},
    "POST /departments": lambda r: {"organization_id": r["org_cafe"], "name": "Finanzas"},
    "PATCH /departments/{it}": lambda r: {"name": "Tecnología e Innovación"},
    "POST /teams": lambda r: {"department_id": r["it"], "name": "Soporte en sitio"},
    "PATCH /teams/{team_redes}": lambda r: {"description": "Switches, Wi-Fi y VPN"},
    "POST /teams/{team_redes}/members": lambda r: {"user_id": r["agent_nico"]},
    "POST /users": lambda r: {"organization_id": r["org_cafe"],
                              "email": "elena@cafemontana.example",
                              "display_name": "Elena Castro"},
    "PATCH /users/{requester_diego}": lambda r: {"phone": "+57 601 555 0199"},
    "POST /users/{requester_diego}/memberships": lambda r: {
        "organization_id": r["org_cafe"], "department_id": r["it"], "role": "agent"},
    "POST /tokens": lambda r: {"name": "Integración Power BI"},
}


def _split(request_line: str, refs: dict) -> tuple[str, str]:
    method, path = request_line.split(" ", 1)
    return method, path.format(**refs)


# --- the body as a whole ----------------------------------------------------------------


@pytest.mark.parametrize("request_line", WRITES)
def test_malformed_json_is_a_400(request_line, boss, refs):
    method, path = _split(request_line, refs)
    body = _refused(boss, method, path, '{"name": "Finanzas",', 400, "malformed_body")
    assert body["detail"] == "The request body is not valid JSON."
    assert "errors" not in body


@pytest.mark.parametrize("request_line", WRITES)
def test_a_json_array_instead_of_an_object_is_a_422(request_line, boss, refs):
    method, path = _split(request_line, refs)
    body = _refused(boss, method, path, [WRITES[request_line](refs)], 422, "validation_failed")
    assert body["detail"] == "Some values are not valid."
    assert body["errors"] == [
        {"field": "body", "message": "Send a JSON object.", "code": "model_attributes_type"}]


@pytest.mark.parametrize("request_line", WRITES)
def test_an_unknown_field_is_named_and_refused(request_line, boss, refs):
    method, path = _split(request_line, refs)
    payload = {**WRITES[request_line](refs), "priority": "high"}
    body = _refused(boss, method, path, payload, 422, "validation_failed")
    assert body["errors"] == [
        {"field": "priority", "message": "Unknown field.", "code": "extra_forbidden"}]


@pytest.mark.parametrize(
    "raw",
    ["null", "1", '"Finanzas"', "true", b"\xff\xfe{}", "[" * 5000 + "]" * 5000,
     '{"name": NaN}', '{"name": 1e999}', "{'name': 'Finanzas'}"],
    ids=["null", "number", "string", "boolean", "not-utf8", "deeply-nested", "nan",
         "infinity", "single-quotes"],
)
def test_no_body_at_all_is_ever_a_server_error(raw, boss, refs):
    # when
    before = database_state()
    responses = [send(boss, *_split(line, refs), raw) for line in WRITES]

    # then
    for line, response in zip(WRITES, responses, strict=True):
        assert response.status_code in (400, 422), (line, response.content)
        assert response["Content-Type"] == "application/problem+json"
    assert database_state() == before


def test_a_body_sent_as_form_data_is_refused(boss, refs):
    # when
    before = database_state()
    response = boss.post("/api/v1/organizations", {"name": "Ferretería del Sur"})

    # then
    problem(response, 400, "malformed_body")
    assert database_state() == before


# --- required fields, types and lengths -------------------------------------------------


@pytest.mark.parametrize(
    ("request_line", "payload", "expected"),
    [
        ("POST /organizations", {}, [("name", "missing")]),
        ("POST /departments", {"name": "Finanzas"}, [("organization_id", "missing")]),
        ("POST /teams", {"name": "Turno noche"}, [("department_id", "missing")]),
        ("POST /teams/{team_redes}/members", {}, [("user_id", "missing")]),
        ("POST /users", {"display_name": "Elena Castro"},
         [("organization_id", "missing"), ("email", "missing")]),
        ("POST /users/{requester_diego}/memberships", {"organization_id": 1},
         [("role", "missing")]),
        ("POST /tokens", {}, [("name", "missing")]),
    ],
)
def test_a_missing_required_field_is_named(request_line, payload, expected, boss, refs):
    method, path = _split(request_line, refs)
    body = _refused(boss, method, path, payload, 422, "validation_failed")
    assert field_errors(body) == expected
    assert {error["message"] for error in body["errors"]} == {"This field is required."}


@pytest.mark.parametrize(
    ("request_line", "payload", "expected"),
    [
        ("POST /departments", {"organization_id": "Café Montaña", "name": "Finanzas"},
         [("organization_id", "int_type", "Enter a number.")]),
        ("POST /departments", {"organization_id": True, "name": "Finanzas"},
         [("organization_id", "int_type", "Enter a number.")]),
        ("POST /departments", {"organization_id": 1.0, "name": "Finanzas"},
         [("organization_id", "int_type", "Enter a number.")]),
        ("POST /organizations", {"name": 42}, [("name", "string_type", "Enter text.")]),
        ("POST /organizations", {"name": ["Ferretería"]},
         [("name", "string_type", "Enter text.")]),
        ("PATCH /organizations/{org_cafe}", {"is_active": "maybe"},
         [("is_active", "bool_parsing", "Enter true or false.")]),
        ("PATCH /me", {"display_name": None}, [("display_name", "string_type", "Enter text.")]),
        ("PATCH /teams/{team_redes}", {"lead_id": "Ana"},
         [("lead_id", "int_type", "Enter a number.")]),
        ("POST /users", {"organization_id": 1, "email": "elena@cafemontana.example",
                         "display_name": "Elena Castro", "send_invitation": "please"},
         [("send_invitation", "bool_parsing", "Enter true or false.")]),
        ("POST /tokens", {"name": "Power BI", "expires_at": "next Tuesday"},
         [("expires_at", "datetime_from_date_parsing",
           "Enter a date and time in ISO 8601 format, with its time zone.")]),
        ("POST /tokens", {"name": "Power BI", "expires_at": "2099-01-01T00:00:00"},
         [("expires_at", "timezone_aware",
           "Enter a date and time in ISO 8601 format, with its time zone.")]),
    ],
    ids=["id-as-text", "id-as-boolean", "id-as-float", "text-as-number", "text-as-list",
         "boolean-as-text", "null-text", "lead-as-name", "flag-as-text", "date-as-words",
         "date-without-zone"],
)
def test_a_wrong_type_is_named_with_its_own_message(request_line, payload, expected, boss,
                                                    refs):
    method, path = _split(request_line, refs)
    body = _refused(boss, method, path, payload, 422, "validation_failed")
    assert [(e["field"], e["code"], e["message"]) for e in body["errors"]] == expected


@pytest.mark.parametrize(
    ("request_line", "field", "limit"),
    [
        ("POST /organizations", "name", 200),
        ("PATCH /departments/{it}", "name", 120),
        ("PATCH /teams/{team_redes}", "description", 2000),
        ("PATCH /users/{requester_diego}", "display_name", 150),
        ("PATCH /me", "phone", 40),
        ("POST /tokens", "name", 100),
    ],
)
def test_a_too_long_text_says_the_limit(request_line, field, limit, boss, refs):
    # given
    method, path = _split(request_line, refs)
    payload = {**WRITES[request_line](refs), field: "x" * (limit + 1)}

    # then
    body = _refused(boss, method, path, payload, 422, "validation_failed")
    assert body["errors"] == [{"field": field, "message": f"Use at most {limit} characters.",
                               "code": "string_too_long"}]


def test_text_at_exactly_the_limit_is_accepted(boss, refs):
    response = send(boss, "PATCH", f"/users/{refs['requester_diego']}",
                    {"display_name": "x" * 150})
    assert response.status_code == 200
    assert response.json()["display_name"] == "x" * 150


def test_a_blank_required_text_is_refused_after_trimming(boss, refs):
    body = _refused(boss, "POST", "/organizations", {"name": "   "}, 422, "required")
    assert body["errors"] == [
        {"field": "name", "message": "This field is required.", "code": "required"}]


def test_text_with_a_nul_character_is_refused(boss, refs):
    body = _refused(boss, "PATCH", "/me", {"display_name": "Laura\x00"}, 422,
                    "validation_failed")
    assert field_errors(body) == [("display_name", "nul_character")]


# --- e-mail addresses -------------------------------------------------------------------


@pytest.mark.parametrize("email", ["elena", "elena@", "@cafemontana.example",
                                   "elena castro@cafemontana.example", ""])
def test_an_invalid_email_is_refused_on_create(email, boss, refs):
    payload = {**WRITES["POST /users"](refs), "email": email}
    body = _refused(boss, "POST", "/users", payload, 422, "invalid_email")
    assert body["errors"] == [{"field": "email", "message": "Enter a valid e-mail address.",
                               "code": "invalid_email"}]


def test_an_invalid_email_is_refused_on_update(boss, refs):
    body = _refused(boss, "PATCH", f"/users/{refs['requester_diego']}",
                    {"email": "diego(at)cafemontana.example"}, 422, "invalid_email")
    assert field_errors(body) == [("email", "invalid_email")]


@pytest.mark.parametrize("email", ["carla@cafemontana.example", "CARLA@CafeMontana.Example",
                                   "  Carla@cafemontana.example  "])
def test_a_taken_email_is_refused_whatever_its_case(email, boss, refs):
    payload = {**WRITES["POST /users"](refs), "email": email}
    body = _refused(boss, "POST", "/users", payload, 422, "duplicate_email")
    assert body["errors"] == [{"field": "email",
                               "message": "A user with this e-mail address already exists.",
                               "code": "duplicate_email"}]


def test_changing_an_email_to_a_taken_one_is_refused_whatever_its_case(boss, refs):
    body = _refused(boss, "PATCH", f"/users/{refs['requester_diego']}",
                    {"email": "Carla@CAFEMONTANA.example"}, 422, "duplicate_email")
    assert field_errors(body) == [("email", "duplicate_email")]


def test_a_person_may_keep_their_own_email_in_another_case(boss, refs, requester_diego):
    response = send(boss, "PATCH", f"/users/{refs['requester_diego']}",
                    {"email": "DIEGO@cafemontana.example"})
    assert response.status_code == 200
    assert response.json()["email"] == "diego@cafemontana.example"


# --- choices: time zones, languages, roles, functions -----------------------------------


@pytest.mark.parametrize(
    ("request_line", "field", "value", "code"),
    [
        ("PATCH /me", "time_zone", "Mars/Olympus_Mons", "invalid_time_zone"),
        ("PATCH /me", "time_zone", "bogota", "invalid_time_zone"),
        ("POST /users", "time_zone", "GMT+5:00", "invalid_time_zone"),
        ("PATCH /organizations/{org_cafe}", "time_zone", "", "invalid_time_zone"),
        ("PATCH /me", "language", "fr", "invalid_choice"),
        ("POST /users", "language", "ES", "invalid_choice"),
        ("PATCH /organizations/{org_cafe}", "language", "klingon", "invalid_choice"),
        ("POST /users", "role", "superuser", "invalid_choice"),
        ("POST /users/{requester_diego}/memberships", "role", "owner", "invalid_choice"),
        ("PATCH /departments/{it}", "function", "marketing", "invalid_choice"),
    ],
)
def test_an_unknown_choice_is_refused(request_line, field, value, code, boss, refs):
    method, path = _split(request_line, refs)
    payload = {**WRITES[request_line](refs), field: value}
    body = _refused(boss, method, path, payload, 422, code)
    assert field_errors(body) == [(field, code)]
    assert value in body["errors"][0]["message"]


# --- rules the services check -----------------------------------------------------------


def test_a_team_lead_must_be_a_member(boss, refs):
    body = _refused(boss, "PATCH", f"/teams/{refs['team_redes']}",
                    {"lead_id": refs["agent_nico"]}, 422, "lead_not_member")
    assert field_errors(body) == [("lead_id", "lead_not_member")]


def test_only_agents_of_the_department_join_its_team(boss, refs):
    body = _refused(boss, "POST", f"/teams/{refs['team_redes']}/members",
                    {"user_id": refs["requester_diego"]}, 422, "not_in_department")
    assert field_errors(body) == [("user_id", "not_in_department")]


def test_a_department_role_needs_a_department(boss, refs):
    body = _refused(boss, "POST", f"/users/{refs['requester_diego']}/memberships",
                    {"organization_id": refs["org_cafe"], "role": "agent"}, 422,
                    "department_required")
    assert field_errors(body) == [("department_id", "department_required")]


def test_the_same_membership_twice_is_a_conflict(boss, refs):
    # given
    diego = refs["requester_diego"]
    Membership.objects.create(user_id=diego, organization_id=refs["org_cafe"],
                              department_id=refs["it"], role="agent")

    # then
    body = _refused(boss, "POST", f"/users/{diego}/memberships",
                    {"organization_id": refs["org_cafe"], "department_id": refs["it"],
                     "role": "team_lead"}, 409, "duplicate_membership")
    assert "errors" not in body


def test_a_duplicate_department_name_is_refused(boss, refs):
    body = _refused(boss, "POST", "/departments",
                    {"organization_id": refs["org_cafe"], "name": "TECNOLOGÍA"}, 422,
                    "duplicate_name")
    assert field_errors(body) == [("name", "duplicate_name")]


def test_a_token_cannot_expire_in_the_past(boss):
    body = _refused(boss, "POST", "/tokens",
                    {"name": "Power BI", "expires_at": "2020-01-01T00:00:00Z"}, 422,
                    "validation_failed")
    assert body["errors"] == [{"field": "expires_at",
                               "message": "The expiry must be in the future.",
                               "code": "validation_failed"}]


def test_nobody_deactivates_themselves(admin, in_english, api_client):
    client = api_client(in_english(admin))
    body = _refused(client, "PATCH", f"/users/{admin.pk}", {"is_active": False}, 422,
                    "validation_failed")
    assert field_errors(body) == [("is_active", "validation_failed")]


# --- size -------------------------------------------------------------------------------


def test_a_body_over_the_request_limit_is_a_413(boss, refs, settings):
    # given
    settings.MAX_REQUEST_BODY_BYTES = 1024
    payload = {**WRITES["POST /users"](refs), "display_name": "x" * 2000}

    # then
    body = _refused(boss, "POST", "/users", payload, 413, "body_too_large")
    assert body["detail"] == "The request body is too large."


def test_a_body_over_the_upload_memory_limit_is_a_413(boss, refs, settings):
    # given
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    payload = {**WRITES["POST /users"](refs), "display_name": "x" * 2000}

    # then
    _refused(boss, "POST", "/users", payload, 413, "body_too_large")


# --- query strings and paths ------------------------------------------------------------


def _cursor(text: bytes) -> str:
    return base64.b64encode(text).decode()


@pytest.mark.parametrize(
    "cursor",
    ["not base64!", _cursor(b"p=Ana"), _cursor(b"o=-1"), _cursor(b"o=99999999999"),
     _cursor(b"r=sometimes"), _cursor("p=ñ".encode()), _cursor(b"\xff\xfe"), "é"],
    ids=["not-base64", "text-position", "negative-offset", "huge-offset", "bad-direction",
         "non-ascii", "binary", "non-ascii-raw"],
)
@pytest.mark.parametrize("path", ["/organizations", "/departments", "/teams", "/users",
                                  "/tokens"])
def test_an_invalid_cursor_is_a_422_on_the_cursor(cursor, path, boss):
    body = _refused(boss, "GET", f"{path}?cursor={cursor}", None, 422, "validation_failed")
    assert body["errors"] == [{
        "field": "cursor",
        "message": "This cursor is not valid. Start again from the first page.",
        "code": "invalid_cursor",
    }]


@pytest.mark.parametrize("cursor", [_cursor(b"p=99999999999999999999999999"),
                                    _cursor(b"p=-99999999999999999999999999&r=True")])
def test_a_cursor_past_either_end_gives_an_empty_page(cursor, boss):
    response = boss.get("/api/v1/users", {"cursor": cursor})
    assert response.status_code == 200
    assert response.json()["results"] == []


@pytest.mark.parametrize(
    ("query", "field", "code"),
    [({"page_size": "ten"}, "page_size", "int_parsing"),
     ({"organization_id": "cafe"}, "organization_id", "int_parsing"),
     ({"search": "ana\x00"}, "search", "nul_character")],
)
def test_an_invalid_filter_is_a_422(query, field, code, boss):
    response = boss.get("/api/v1/users", query)
    assert field_errors(problem(response, 422, "validation_failed")) == [(field, code)]


@pytest.mark.parametrize("page_size", ["0", "-5", "100000"])
def test_an_out_of_range_page_size_is_clamped(page_size, boss):
    response = boss.get("/api/v1/users", {"page_size": page_size})
    assert response.status_code == 200


@pytest.mark.parametrize(("path", "field"), [("/users/ana", "user_id"), ("/teams/1.5", "team_id"),
                                             ("/organizations/-", "organization_id"),
                                             ("/users/%00", "user_id")])
def test_a_path_id_that_is_not_a_number_is_refused(path, field, boss):
    response = boss.get(f"/api/v1{path}")
    assert field_errors(problem(response, 422, "validation_failed")) == [(field, "int_parsing")]


@pytest.mark.parametrize("path", ["/users/999999", "/users/99999999999999999999999",
                                  "/teams/0", "/tokens/-1"])
def test_an_id_that_does_not_exist_is_a_404(path, boss):
    method = "DELETE" if path.startswith("/tokens") else "GET"
    _refused(boss, method, path, None, 404, "not_found")


def test_a_duplicate_team_name_is_refused_whatever_its_accents_case(boss, refs, team_nomina):
    body = _refused(boss, "POST", "/teams", {"department_id": refs["hr"], "name": "NÓMINA"},
                    422, "duplicate_name")
    assert field_errors(body) == [("name", "duplicate_name")]


@pytest.mark.parametrize("path", [
    "/api/v1/departments?organization_id=99999999999999999999999",
    "/api/v1/users?department_id=-99999999999999999999999",
    "/api/v1/organizations/99999999999999999999999",
    "/api/v1/users/99999999999999999999999",
])
def test_ids_beyond_64_bits_are_refused_or_not_found_never_a_500(path, admin, api_client):
    response = api_client(admin).get(path)
    assert response.status_code in (404, 422)
    assert response["Content-Type"] == "application/problem+json"
