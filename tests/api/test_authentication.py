"""Who is calling: bearer tokens, the browser session and its CSRF token, and the precise
401 for every way a credential can be wrong."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from atiende.core import services
from tests.api.support import database_state, problem, send


def _bearer(value: str) -> Client:
    return Client(headers={"Authorization": value, "Accept-Language": "en"})


# --- no credential, or a malformed one --------------------------------------------------


def test_no_credential_is_a_401(db):
    response = Client(headers={"Accept-Language": "en"}).get("/api/v1/me")
    body = problem(response, 401, "not_authenticated")
    assert body["detail"] == "Sign in, or send an API token as “Authorization: Bearer …”."
    assert body["title"] == "Not signed in"


def test_authentication_comes_before_reading_the_body(db):
    # given
    before = database_state()

    # when
    response = send(Client(), "POST", "/organizations", '{"name": ')

    # then
    problem(response, 401, "not_authenticated")
    assert database_state() == before


@pytest.mark.parametrize(
    "header",
    ["Token atd_abc", "Basic bGF1cmE6Y2xhdmU=", "Bearer", "Bearer    ", "atd_abc", ""],
    ids=["token-scheme", "basic", "bearer-without-token", "bearer-blank", "no-scheme",
         "empty"],
)
def test_a_malformed_authorization_header_is_a_401(header, db):
    body = problem(_bearer(header).get("/api/v1/me"), 401, "malformed_authorization")
    assert body["detail"] == "Use the header “Authorization: Bearer <token>”."


def test_the_scheme_is_case_insensitive(agent_ana):
    # given
    _token, plaintext = services.token_create(actor=agent_ana, name="cURL")

    # when
    response = _bearer(f"bearer {plaintext}").get("/api/v1/me")

    # then
    assert response.status_code == 200
    assert response.json()["id"] == agent_ana.pk


# --- a token that does not (or no longer) work ------------------------------------------


def test_an_unknown_token_is_a_401(db):
    body = problem(_bearer("Bearer atd_" + "x" * 43).get("/api/v1/me"), 401, "invalid")
    assert body["detail"] == "The API token is not valid."


def test_a_revoked_token_is_a_401(agent_ana):
    # given
    token, plaintext = services.token_create(actor=agent_ana, name="Portátil")
    services.token_revoke(actor=agent_ana, token=token)

    # when
    response = _bearer(f"Bearer {plaintext}").get("/api/v1/me")

    # then
    body = problem(response, 401, "revoked")
    assert body["detail"] == "The API token has been revoked."


def test_an_expired_token_is_a_401(agent_ana):
    # given
    _token, plaintext = services.token_create(
        actor=agent_ana, name="Temporal", expires_at=timezone.now() + timedelta(hours=1))
    client = _bearer(f"Bearer {plaintext}")
    assert client.get("/api/v1/me").status_code == 200

    # when
    with time_machine.travel(timezone.now() + timedelta(hours=1, seconds=1)):
        response = client.get("/api/v1/me")

    # then
    body = problem(response, 401, "expired")
    assert body["detail"] == "The API token has expired."


def test_the_token_of_a_deactivated_person_is_a_401(provider_admin, agent_ana):
    # given
    _token, plaintext = services.token_create(actor=agent_ana, name="Portátil")
    services.user_update(actor=provider_admin, user=agent_ana, changes={"is_active": False})

    # when
    response = _bearer(f"Bearer {plaintext}").get("/api/v1/me")

    # then
    body = problem(response, 401, "inactive")
    assert body["detail"] == "The account of this API token is deactivated."


def test_a_wrong_token_is_not_rescued_by_a_signed_in_session(agent_ana):
    # given
    client = _bearer("Bearer atd_not-a-real-token")
    client.force_login(agent_ana)

    # when
    response = client.get("/api/v1/me")

    # then
    problem(response, 401, "invalid")


def test_a_refused_token_writes_nothing(agent_ana):
    # given
    token, plaintext = services.token_create(actor=agent_ana, name="Portátil")
    services.token_revoke(actor=agent_ana, token=token)
    before = database_state()

    # when
    response = send(_bearer(f"Bearer {plaintext}"), "POST", "/tokens", {"name": "Otro"})

    # then
    problem(response, 401, "revoked")
    assert database_state() == before


# --- the browser session ----------------------------------------------------------------


def test_the_session_reads_without_a_csrf_token(agent_ana):
    # given
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent_ana)

    # when
    response = client.get("/api/v1/me")

    # then
    assert response.status_code == 200
    assert response.json()["id"] == agent_ana.pk


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [("POST", "/tokens", {"name": "Desde el navegador"}),
     ("PATCH", "/me", {"phone": "+57 300 000 0000"}),
     ("DELETE", "/tokens/{token}", None)],
)
def test_a_session_write_without_the_csrf_token_is_a_403(method, path, body, agent_ana):
    # given
    token, _plaintext = services.token_create(actor=agent_ana, name="Portátil")
    client = Client(enforce_csrf_checks=True, headers={"Accept-Language": "en"})
    client.force_login(agent_ana)
    before = database_state()

    # when
    response = send(client, method, path.format(token=token.pk), body)

    # then
    problem(response, 403, "csrf_failed")
    assert database_state() == before


def test_a_session_write_with_a_wrong_csrf_token_is_a_403(agent_ana):
    # given
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent_ana)
    client.cookies["csrftoken"] = "a" * 32
    before = database_state()

    # when
    response = send(client, "POST", "/tokens", {"name": "Navegador"},
                    headers={"X-CSRFToken": "b" * 32})

    # then
    problem(response, 403, "csrf_failed")
    assert database_state() == before


def test_a_session_write_with_the_csrf_token_is_accepted(agent_ana):
    # given
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent_ana)
    client.cookies["csrftoken"] = "a" * 32

    # when
    response = send(client, "POST", "/tokens", {"name": "Navegador"},
                    headers={"X-CSRFToken": "a" * 32})

    # then
    assert response.status_code == 201
    assert agent_ana.api_tokens.get().name == "Navegador"


def test_a_session_that_has_ended_says_so(agent_ana):
    # given
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(agent_ana)
    client.session.delete()

    # when
    response = client.get("/api/v1/me")

    # then
    body = problem(response, 401, "session_expired")
    assert body["detail"] == "Your session has expired. Sign in again."


def test_the_session_of_a_deactivated_person_is_a_401(agent_ana):
    # given
    client = Client()
    client.force_login(agent_ana)
    type(agent_ana).objects.filter(pk=agent_ana.pk).update(is_active=False)

    # when
    response = client.get("/api/v1/me")

    # then
    problem(response, 401, "not_authenticated")
