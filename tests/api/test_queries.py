"""Lists cost a fixed number of queries, however many rows they show."""

from __future__ import annotations

import pytest

from atiende.core import services
from atiende.core.models import Role
from tests.factories import MembershipFactory, TeamFactory, UserFactory

# Authenticate the token (1) and touch its "last used" time (1), build the scope (1),
# read the page (1), and for people their visible memberships (1) or for a team its
# members (1). Never one more per row.
MAX_QUERIES = 5


@pytest.fixture
def thirty_people(org_cafe, it, hr, team_redes):
    people = []
    for number in range(30):
        person = UserFactory(organization=org_cafe, display_name=f"Persona {number:02}")
        MembershipFactory(user=person, organization=org_cafe, role=Role.REQUESTER)
        if number % 3 == 0:
            MembershipFactory(user=person, organization=org_cafe,
                              department=it if number % 2 else hr, role=Role.AGENT)
        people.append(person)
    return people


@pytest.mark.parametrize("role", ["admin", "provider_admin", "agent_ana"])
def test_the_people_list_does_not_query_per_person(
    role, cast, thirty_people, api_client, django_assert_max_num_queries
):
    # given
    client = api_client(cast[role])

    # when
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get("/api/v1/users")

    # then
    results = response.json()["results"]
    assert len(results) >= 30
    assert sum(len(person["memberships"]) for person in results) >= 40


def test_the_people_list_costs_the_same_for_three_or_thirty(
    cast, org_cafe, api_client, django_assert_num_queries
):
    # given
    client = api_client(cast["admin"])
    client.get("/api/v1/users")  # the token's first use is written once
    with django_assert_num_queries(4) as few:
        client.get("/api/v1/users")
    for number in range(30):
        person = UserFactory(organization=org_cafe)
        MembershipFactory(user=person, organization=org_cafe, role=Role.REQUESTER)

    # then
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get("/api/v1/users")
    assert len(response.json()["results"]) >= 30


@pytest.mark.parametrize("path", ["/organizations", "/departments", "/teams", "/tokens"])
def test_the_other_lists_do_not_query_per_row(
    path, cast, provider, it, hr, org_cafe, api_client, django_assert_max_num_queries
):
    # given
    from tests.factories import DepartmentFactory, OrganizationFactory

    admin = cast["provider_admin"]
    for number in range(20):
        organization = OrganizationFactory()
        DepartmentFactory(organization=organization)
        team = TeamFactory(department=it if number % 2 else hr, lead=None)
        team.members.add(cast["agent_ana"] if number % 2 else cast["agent_bruno_other_department"])
        services.token_create(actor=admin, name=f"Integración {number}")
    client = api_client(admin)

    # when
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(f"/api/v1{path}")

    # then
    assert len(response.json()["results"]) >= 20


def test_a_team_with_many_members_is_read_in_a_fixed_number_of_queries(
    cast, team_redes, it, org_cafe, api_client, django_assert_max_num_queries
):
    # given
    for _number in range(25):
        person = UserFactory(organization=org_cafe)
        MembershipFactory(user=person, organization=org_cafe, department=it, role=Role.AGENT)
        team_redes.members.add(person)
    client = api_client(cast["admin"])

    # when
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(f"/api/v1/teams/{team_redes.pk}")

    # then
    assert len(response.json()["members"]) == 26


@pytest.mark.parametrize("role", ["agent_ana", "admin", "requester_carla"])
def test_me_costs_two_queries_once_the_token_is_in_use(
    role, cast, api_client, django_assert_num_queries
):
    # given: a token already used once (its "last used" time is fresh)
    client = api_client(cast[role])
    client.get("/api/v1/me")

    # when: the token with its person (1), the memberships that make the scope (1)
    with django_assert_num_queries(2):
        response = client.get("/api/v1/me")

    # then
    assert response.status_code == 200
    assert response.json()["memberships"]
