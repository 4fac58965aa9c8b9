"""API tokens: shown once, stored hashed, act exactly as their person, revoked for good."""

from __future__ import annotations

import hashlib

import pytest
from django.test import Client

from atiende.core import services
from atiende.core.models import ApiToken, AuditEvent
from tests.api.support import database_state, ids, problem, send


def _token_client(plaintext: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {plaintext}"})


def test_a_new_token_is_shown_once_in_full(agent_ana, api_client):
    # given
    client = api_client(agent_ana)

    # when
    response = send(client, "POST", "/tokens",
                    {"name": "Power BI", "expires_at": "2099-01-01T05:00:00Z"})

    # then
    assert response.status_code == 201
    body = response.json()
    token = ApiToken.objects.get(pk=body["id"])
    assert body["token"].startswith("atd_") and len(body["token"]) > 40
    assert body["hint"] == body["token"][:8] == token.hint
    assert (body["name"], body["expires_at"], body["revoked_at"]) == (
        "Power BI", "2099-01-01T05:00:00Z", None)
    assert token.user_id == agent_ana.pk


def test_listing_tokens_never_shows_a_plaintext(agent_ana, api_client):
    # given
    client = api_client(agent_ana)
    plaintext = send(client, "POST", "/tokens", {"name": "Power BI"}).json()["token"]

    # when
    response = client.get("/api/v1/tokens")

    # then
    assert response.status_code == 200
    for item in response.json()["results"]:
        assert set(item) == {"id", "name", "hint", "created_at", "expires_at", "last_used_at",
                             "revoked_at"}
    assert plaintext not in response.content.decode()


def test_a_token_is_stored_only_as_its_hash(agent_ana, api_client):
    # given
    client = api_client(agent_ana)

    # when
    body = send(client, "POST", "/tokens", {"name": "Power BI"}).json()

    # then
    plaintext = body["token"]
    row = ApiToken.objects.filter(pk=body["id"]).values().get()
    assert row["digest"] == hashlib.sha256(plaintext.encode()).hexdigest()
    assert all(plaintext not in str(value) for value in row.values())
    assert not any(plaintext in str(event.changes) or plaintext in event.target_label
                   for event in AuditEvent.objects.all())


def test_the_new_token_signs_in_as_its_person(agent_ana, api_client):
    # given
    plaintext = send(api_client(agent_ana), "POST", "/tokens", {"name": "cURL"}).json()["token"]

    # when
    response = _token_client(plaintext).get("/api/v1/me")

    # then
    assert response.status_code == 200
    assert response.json()["id"] == agent_ana.pk
    assert ApiToken.objects.get(hint=plaintext[:8]).last_used_at is not None


@pytest.mark.parametrize("path", ["/organizations", "/departments", "/teams", "/users",
                                  "/me"])
def test_a_token_sees_exactly_what_its_person_sees_in_the_browser(
    path, agent_ana, team_redes, team_nomina, team_other_org, requester_diego, cast, api_client
):
    # given
    browser = Client()
    browser.force_login(agent_ana)

    # when
    by_token = api_client(agent_ana).get(f"/api/v1{path}")
    by_session = browser.get(f"/api/v1{path}")

    # then
    assert by_token.status_code == by_session.status_code == 200
    assert by_token.json() == by_session.json()


def test_a_token_is_refused_what_its_person_is_refused(agent_ana, it, hr, org_cafe,
                                                       api_client):
    # given
    client = api_client(agent_ana)
    before = database_state()

    # then
    assert client.get(f"/api/v1/departments/{it.pk}").status_code == 200
    problem(client.get(f"/api/v1/departments/{hr.pk}"), 404, "not_found")
    problem(send(client, "PATCH", f"/organizations/{org_cafe.pk}", {"name": "Otra"}), 403,
            "permission_denied")
    problem(send(client, "POST", "/organizations", {"name": "Otra"}), 403, "permission_denied")
    assert database_state() == before


def test_a_token_follows_its_persons_memberships_as_they_change(admin, agent_ana, hr,
                                                                org_cafe, api_client):
    # given
    client = api_client(agent_ana)
    problem(client.get(f"/api/v1/departments/{hr.pk}"), 404, "not_found")

    # when
    services.membership_grant(actor=admin, user=agent_ana, organization=org_cafe,
                              department=hr, role="agent")

    # then
    assert client.get(f"/api/v1/departments/{hr.pk}").status_code == 200


def test_revoking_a_token_stops_it_at_once(agent_ana, api_client):
    # given
    client = api_client(agent_ana)
    created = send(client, "POST", "/tokens", {"name": "Portátil"}).json()
    other = _token_client(created["token"])
    assert other.get("/api/v1/me").status_code == 200

    # when
    response = client.delete(f"/api/v1/tokens/{created['id']}")

    # then
    assert response.status_code == 204
    assert response.content == b""
    problem(other.get("/api/v1/me"), 401, "revoked")
    listed = {item["id"]: item for item in client.get("/api/v1/tokens").json()["results"]}
    assert listed[created["id"]]["revoked_at"] is not None
    event = AuditEvent.objects.get(action="token.revoked")
    assert (event.actor_id, event.target_id, event.channel) == (agent_ana.pk, created["id"],
                                                                "api")


def test_revoking_twice_is_harmless(agent_ana, api_client):
    # given
    client = api_client(agent_ana)
    token, _plaintext = services.token_create(actor=agent_ana, name="Portátil")
    assert client.delete(f"/api/v1/tokens/{token.pk}").status_code == 204
    token.refresh_from_db()
    first_revoked_at = token.revoked_at
    before = database_state()

    # when
    response = client.delete(f"/api/v1/tokens/{token.pk}")

    # then
    assert response.status_code == 204
    assert database_state() == before
    token.refresh_from_db()
    assert token.revoked_at == first_revoked_at
    assert AuditEvent.objects.filter(action="token.revoked").count() == 1


def test_a_token_may_revoke_itself(agent_ana):
    # given
    token, plaintext = services.token_create(actor=agent_ana, name="Portátil")
    client = _token_client(plaintext)

    # when
    response = client.delete(f"/api/v1/tokens/{token.pk}")

    # then
    assert response.status_code == 204
    problem(client.get("/api/v1/me"), 401, "revoked")


@pytest.mark.parametrize("role", ["requester_carla", "agent_bruno_other_department", "admin",
                                  "provider_admin"])
def test_someone_elses_token_is_not_found(role, cast, api_client):
    # given
    token, plaintext = services.token_create(actor=cast["agent_ana"], name="Portátil")
    client = api_client(cast[role])
    before = database_state()

    # when
    response = client.delete(f"/api/v1/tokens/{token.pk}")

    # then
    problem(response, 404, "not_found")
    assert database_state() == before
    assert token.pk not in ids(client.get("/api/v1/tokens"))
    assert _token_client(plaintext).get("/api/v1/me").status_code == 200


def test_a_deactivated_person_cannot_create_tokens_with_an_old_session(agent_ana):
    # given
    browser = Client()
    browser.force_login(agent_ana)
    type(agent_ana).objects.filter(pk=agent_ana.pk).update(is_active=False)
    before = database_state()

    # when
    response = send(browser, "POST", "/tokens", {"name": "Puerta trasera"})

    # then
    problem(response, 401, "not_authenticated")
    assert database_state() == before
