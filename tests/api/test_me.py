"""/me: the caller, their memberships and what they may do; and their own preferences."""

from __future__ import annotations

from atiende.core.models import AuditEvent, Role
from tests.api.support import database_state, field_errors, problem, send
from tests.factories import MembershipFactory


def test_me_shows_an_agent_their_desk_and_capabilities(agent_ana, org_cafe, it, api_client):
    # when
    response = api_client(agent_ana).get("/api/v1/me")

    # then
    assert response.status_code == 200
    body = response.json()
    membership = agent_ana.memberships.get()
    assert body == {
        "id": agent_ana.pk,
        "email": "ana@nubeandina.example",
        "display_name": "Ana Gómez",
        "organization_id": agent_ana.organization_id,
        "language": "es",
        "time_zone": "America/Bogota",
        "phone": "",
        "is_active": True,
        "memberships": [{
            "id": membership.pk,
            "organization_id": org_cafe.pk,
            "organization_name": "Café Montaña",
            "department_id": it.pk,
            "department_name": "Tecnología",
            "role": "agent",
        }],
        "capabilities": {
            "provider_admin": False,
            "administered_organization_ids": [],
            "agent_of": [{"organization_id": org_cafe.pk, "department_id": it.pk}],
            "requester_of": [],
        },
    }


def test_me_shows_an_agent_who_serves_two_clients_both_desks(
    agent_ana, org_cafe, it, org_other, other_it, api_client
):
    # given
    MembershipFactory(user=agent_ana, organization=org_other, department=other_it,
                      role=Role.AGENT)

    # when
    body = api_client(agent_ana).get("/api/v1/me").json()

    # then
    assert {(m["organization_id"], m["department_id"], m["role"])
            for m in body["memberships"]} == {
        (org_cafe.pk, it.pk, "agent"), (org_other.pk, other_it.pk, "agent")}
    assert body["capabilities"]["agent_of"] == sorted(
        [{"organization_id": org_cafe.pk, "department_id": it.pk},
         {"organization_id": org_other.pk, "department_id": other_it.pk}],
        key=lambda pair: (pair["organization_id"], pair["department_id"]),
    )


def test_me_shows_an_organization_admin_what_they_administer(admin, org_cafe, api_client):
    # when
    body = api_client(admin).get("/api/v1/me").json()

    # then
    assert [(m["organization_id"], m["department_id"], m["role"])
            for m in body["memberships"]] == [(org_cafe.pk, None, "organization_admin")]
    assert body["memberships"][0]["department_name"] is None
    assert body["capabilities"] == {
        "provider_admin": False,
        "administered_organization_ids": [org_cafe.pk],
        "agent_of": [],
        "requester_of": [],
    }


def test_me_shows_a_requester_where_they_ask_for_help(requester_carla, org_cafe, api_client):
    # when
    body = api_client(requester_carla).get("/api/v1/me").json()

    # then
    assert body["email"] == "carla@cafemontana.example"
    assert [(m["organization_id"], m["role"]) for m in body["memberships"]] == [
        (org_cafe.pk, "requester")]
    assert body["capabilities"] == {
        "provider_admin": False,
        "administered_organization_ids": [],
        "agent_of": [],
        "requester_of": [org_cafe.pk],
    }


def test_me_shows_the_provider_admin_that_they_see_everything(
    provider_admin, provider, api_client
):
    # when
    body = api_client(provider_admin).get("/api/v1/me").json()

    # then
    assert [(m["organization_id"], m["role"]) for m in body["memberships"]] == [
        (provider.pk, "provider_admin")]
    assert body["capabilities"]["provider_admin"] is True


def test_patching_me_changes_only_the_fields_sent_and_records_it(agent_ana, api_client):
    # given
    client = api_client(agent_ana)
    events_before = AuditEvent.objects.count()

    # when
    response = send(client, "PATCH", "/me",
                    {"language": "en", "time_zone": "America/Lima", "phone": "+51 1 555 0000"})

    # then
    assert response.status_code == 200
    body = response.json()
    assert (body["language"], body["time_zone"], body["phone"], body["display_name"]) == (
        "en", "America/Lima", "+51 1 555 0000", "Ana Gómez")
    agent_ana.refresh_from_db()
    assert (agent_ana.language, agent_ana.time_zone, agent_ana.phone) == (
        "en", "America/Lima", "+51 1 555 0000")
    event = AuditEvent.objects.get(action="user.updated")
    assert AuditEvent.objects.count() == events_before + 1
    assert (event.actor_id, event.target_id, event.channel) == (agent_ana.pk, agent_ana.pk, "api")
    assert event.changes == {"language": ["es", "en"], "time_zone": ["America/Bogota",
                                                                    "America/Lima"],
                             "phone": ["", "+51 1 555 0000"]}


def test_patching_me_with_the_same_values_records_nothing(agent_ana, api_client):
    # given
    client = api_client(agent_ana)
    before = database_state()

    # when
    response = send(client, "PATCH", "/me", {"display_name": "Ana Gómez", "language": "es"})

    # then
    assert response.status_code == 200
    assert database_state() == before


def test_nobody_changes_their_own_email_activity_or_memberships_through_me(
    agent_ana, api_client
):
    # given
    client = api_client(agent_ana)
    before = database_state()

    # when
    response = send(client, "PATCH", "/me", {"email": "ana@elsewhere.example",
                                             "is_active": False, "memberships": []})

    # then
    body = problem(response, 422, "validation_failed")
    assert sorted(field_errors(body)) == [
        ("email", "extra_forbidden"), ("is_active", "extra_forbidden"),
        ("memberships", "extra_forbidden")]
    assert database_state() == before
