"""List endpoints return exactly what the caller may see, and their cursors walk every
page once."""

from __future__ import annotations

import pytest

from atiende.core import services
from atiende.core.models import Role
from tests.api.support import ids, walk
from tests.factories import MembershipFactory, TeamFactory, UserFactory

ALL_ROLES = ("requester_carla", "agent_other_org", "agent_bruno_other_department",
             "agent_ana", "admin", "provider_admin")


@pytest.fixture
def world(cast, provider, org_cafe, org_other, it, hr, other_it, team_redes, team_nomina,
          team_other_org):
    """Everything by name, for writing expected sets."""
    return {**cast, "provider": provider, "org_cafe": org_cafe, "org_other": org_other,
            "it": it, "hr": hr, "other_it": other_it, "team_redes": team_redes,
            "team_nomina": team_nomina, "team_other_org": team_other_org}


def _ids_of(world, names: str) -> set[int]:
    return {world[name].pk for name in names.split()}


VISIBLE_ORGANIZATIONS = {
    "requester_carla": "org_cafe",
    "agent_other_org": "org_other",
    "agent_bruno_other_department": "org_cafe",
    "agent_ana": "provider org_cafe",
    "admin": "org_cafe",
    "provider_admin": "provider org_cafe org_other",
}

VISIBLE_DEPARTMENTS = {
    "requester_carla": "it hr",
    "agent_other_org": "other_it",
    "agent_bruno_other_department": "hr",
    "agent_ana": "it",
    "admin": "it hr",
    "provider_admin": "it hr other_it",
}

VISIBLE_TEAMS = {
    "requester_carla": "",
    "agent_other_org": "team_other_org",
    "agent_bruno_other_department": "team_nomina",
    "agent_ana": "team_redes",
    "admin": "team_redes team_nomina",
    "provider_admin": "team_redes team_nomina team_other_org",
}

VISIBLE_USERS = {
    "requester_carla": "requester_carla",
    "agent_other_org": "agent_other_org requester_other_org",
    "agent_bruno_other_department": "agent_bruno_other_department admin requester_carla",
    "agent_ana": "agent_ana agent_bruno_other_department admin requester_carla",
    "admin": "agent_ana agent_bruno_other_department admin requester_carla",
    "provider_admin": "provider_admin admin agent_ana agent_bruno_other_department "
                      "agent_other_org requester_carla requester_other_org",
}


@pytest.mark.parametrize("role", ALL_ROLES)
def test_organizations_lists_exactly_the_visible_ones(role, world, api_client):
    response = api_client(world[role]).get("/api/v1/organizations")
    assert ids(response) == _ids_of(world, VISIBLE_ORGANIZATIONS[role])


@pytest.mark.parametrize("role", ALL_ROLES)
def test_departments_lists_exactly_the_visible_ones(role, world, api_client):
    response = api_client(world[role]).get("/api/v1/departments")
    assert ids(response) == _ids_of(world, VISIBLE_DEPARTMENTS[role])


@pytest.mark.parametrize("role", ALL_ROLES)
def test_teams_lists_exactly_the_visible_ones(role, world, api_client):
    response = api_client(world[role]).get("/api/v1/teams")
    assert ids(response) == _ids_of(world, VISIBLE_TEAMS[role])


@pytest.mark.parametrize("role", ALL_ROLES)
def test_users_lists_exactly_the_visible_people(role, world, api_client):
    response = api_client(world[role]).get("/api/v1/users")
    assert ids(response) == _ids_of(world, VISIBLE_USERS[role])


@pytest.mark.parametrize("role", ALL_ROLES)
def test_tokens_lists_only_the_callers_own_tokens(role, world, api_client):
    # given
    for name in ALL_ROLES:
        services.token_create(actor=world[name], name="Otro equipo")
    client = api_client(world[role])

    # when
    response = client.get("/api/v1/tokens")

    # then
    assert ids(response) == set(world[role].api_tokens.values_list("pk", flat=True))
    assert len(ids(response)) == 2


def test_a_shared_department_of_the_provider_is_listed_for_every_client(
    world, provider, api_client
):
    # given
    from tests.factories import DepartmentFactory

    shared = DepartmentFactory(organization=provider, name="Mesa de ayuda", is_shared=True)

    # then
    for role in ("requester_carla", "admin", "provider_admin"):
        assert shared.pk in ids(api_client(world[role]).get("/api/v1/departments")), role
    for role in ("agent_ana", "agent_bruno_other_department"):
        assert shared.pk not in ids(api_client(world[role]).get("/api/v1/departments")), role


def test_department_list_filters_by_organization(world, api_client):
    # given
    client = api_client(world["provider_admin"])

    # when
    response = client.get("/api/v1/departments", {"organization_id": world["org_other"].pk})

    # then
    assert ids(response) == {world["other_it"].pk}


def test_team_list_filters_by_department_within_what_is_visible(world, api_client):
    # given
    client = api_client(world["admin"])

    # then
    assert ids(client.get("/api/v1/teams", {"department_id": world["hr"].pk})) == {
        world["team_nomina"].pk}
    assert ids(client.get("/api/v1/teams", {"department_id": world["other_it"].pk})) == set()


def test_user_list_filters_by_organization_and_search(world, api_client):
    # given
    client = api_client(world["provider_admin"])

    # then
    assert ids(client.get("/api/v1/users", {"organization_id": world["org_other"].pk})) == {
        world["agent_other_org"].pk, world["requester_other_org"].pk}
    assert ids(client.get("/api/v1/users", {"search": "RUEDA"})) == {world["requester_carla"].pk}
    assert ids(client.get("/api/v1/users", {"search": "clinicanorte"})) == {
        world["agent_other_org"].pk, world["requester_other_org"].pk}


def test_a_filter_never_widens_what_the_caller_sees(world, api_client):
    # given
    client = api_client(world["admin"])

    # then
    assert ids(client.get("/api/v1/users", {"organization_id": world["org_other"].pk})) == set()
    assert ids(client.get("/api/v1/departments",
                          {"organization_id": world["org_other"].pk})) == set()


def test_users_list_shows_only_the_memberships_the_caller_may_see(
    world, org_other, other_it, api_client
):
    # given: Ana also serves Clínica Norte's IT desk
    ana = world["agent_ana"]
    MembershipFactory(user=ana, organization=org_other, department=other_it, role=Role.AGENT)

    # when
    cafe_view = api_client(world["admin"]).get("/api/v1/users").json()["results"]
    clinic_view = api_client(world["agent_other_org"]).get(
        f"/api/v1/users/{ana.pk}").json()

    # then
    ana_in_cafe = next(person for person in cafe_view if person["id"] == ana.pk)
    assert [(m["organization_id"], m["department_id"]) for m in ana_in_cafe["memberships"]] == [
        (world["org_cafe"].pk, world["it"].pk)]
    assert [(m["organization_id"], m["department_id"]) for m in clinic_view["memberships"]] == [
        (org_other.pk, other_it.pk)]


def test_team_detail_lists_its_members(world, agent_nico, api_client):
    # given
    team = world["team_redes"]
    team.members.add(agent_nico)

    # when
    body = api_client(world["admin"]).get(f"/api/v1/teams/{team.pk}").json()

    # then
    assert body["organization_id"] == world["org_cafe"].pk
    assert body["department_id"] == world["it"].pk
    assert sorted(member["id"] for member in body["members"]) == sorted(
        [world["agent_ana"].pk, agent_nico.pk])


# --- cursor pagination ------------------------------------------------------------------


@pytest.fixture
def crowd(world, org_cafe, org_other, it):
    """Enough of everything for several pages of two: 12 people, 5 organizations,
    6 departments, 6 teams and 5 tokens of the provider admin."""
    from tests.factories import DepartmentFactory, OrganizationFactory

    for number in range(5):
        UserFactory(organization=org_cafe if number % 2 else org_other)
    for _number in range(2):
        OrganizationFactory()
    for number in range(3):
        DepartmentFactory(organization=org_cafe, name=f"Mesa {number}", slug=f"mesa-{number}")
    for number in range(3):
        TeamFactory(department=it, name=f"Turno {number}")
    for number in range(4):
        services.token_create(actor=world["provider_admin"], name=f"Integración {number}")
    return world


@pytest.mark.parametrize(
    ("path", "expected_total"),
    [("/organizations", 5), ("/departments", 6), ("/teams", 6), ("/users", 12), ("/tokens", 5)],
)
def test_cursor_pagination_walks_every_page_once(path, expected_total, crowd, api_client):
    # given
    client = api_client(crowd["provider_admin"])
    everything = ids(client.get(f"/api/v1{path}", {"page_size": 200}))

    # when
    served = walk(client, path, page_size=2)

    # then
    assert len(everything) == expected_total
    assert len(served) == len(set(served))
    assert set(served) == everything
    assert served == sorted(served)


def test_every_page_but_the_last_is_full_and_previous_goes_back(crowd, api_client):
    # given
    client = api_client(crowd["provider_admin"])
    first = client.get("/api/v1/users", {"page_size": 2}).json()
    second = client.get(first["next"]).json()

    # when
    back = client.get(second["previous"]).json()

    # then
    assert first["previous"] is None
    assert len(first["results"]) == len(second["results"]) == 2
    assert [p["id"] for p in back["results"]] == [p["id"] for p in first["results"]]


def test_the_next_link_keeps_the_filters(crowd, org_cafe, api_client):
    # given
    client = api_client(crowd["provider_admin"])
    expected = ids(client.get("/api/v1/users", {"organization_id": org_cafe.pk,
                                                "page_size": 200}))

    # when
    served = walk(client, "/users", organization_id=org_cafe.pk, page_size=2)

    # then
    assert len(served) == len(set(served)) == len(expected) == 5
    assert set(served) == expected


def test_pagination_does_not_leak_what_the_scope_hides(crowd, api_client):
    # given
    client = api_client(crowd["agent_ana"])

    # when
    served = walk(client, "/users", page_size=2)

    # then: Ana sees the Café Montaña people of the crowd too, never Clínica Norte's
    visible = {crowd[name].pk for name in VISIBLE_USERS["agent_ana"].split()}
    visible |= set(crowd["org_cafe"].people.values_list("pk", flat=True))
    assert len(served) == len(set(served))
    assert set(served) == visible
