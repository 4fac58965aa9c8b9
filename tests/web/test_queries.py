"""List pages cost the same number of queries however many rows they show."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from atiende.core.models import Role
from tests.factories import DepartmentFactory, MembershipFactory, TeamFactory, UserFactory


def _people(organization, departments, count: int) -> None:
    """`count` more people in the organization, alternately requesters and agents."""
    for number in range(count):
        person = UserFactory(organization=organization, display_name=f"Persona {number:03}")
        if number % 2:
            MembershipFactory(user=person, organization=organization, role=Role.REQUESTER)
        else:
            MembershipFactory(user=person, organization=organization, role=Role.AGENT,
                              department=departments[number % len(departments)])


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_people_page_with_sixty_people_is_not_n_plus_one(
    admin, org_cafe, it, hr, web_client, django_assert_max_num_queries
):
    # given
    _people(org_cafe, [it, hr], 60)
    client = web_client(admin)

    # when
    with django_assert_max_num_queries(7):
        response = client.get("/manage/cafe-montana/people/")

    # then
    assert response.status_code == 200
    assert len(response.context["page"]) == 50
    assert response.context["page"].paginator.count == 61


@pytest.mark.parametrize("url", [
    "/manage/cafe-montana/people/",
    "/manage/cafe-montana/people/?q=persona",
    "/manage/cafe-montana/activity/",
    "/manage/cafe-montana/teams/",
])
def test_list_pages_cost_the_same_for_five_rows_as_for_fifty(
    admin, org_cafe, it, hr, web_client, url
):
    # given
    client = web_client(admin)
    _people(org_cafe, [it, hr], 5)
    for number in range(3):
        TeamFactory(department=it).members.add(admin)
    client.post("/manage/cafe-montana/departments/", {"name": "Compras", "function": "other"})
    few = _queries(client, url)

    # when
    _people(org_cafe, [it, hr], 45)
    for number in range(20):
        TeamFactory(department=hr)
    for number in range(40):
        client.post("/manage/cafe-montana/departments/",
                    {"name": f"Área {number}", "function": "other"})
    many = _queries(client, url)

    # then
    assert many == few


def test_the_person_page_costs_the_same_for_one_role_as_for_many(
    admin, requester_carla, org_cafe, web_client
):
    # given
    client = web_client(admin)
    url = f"/manage/cafe-montana/people/{requester_carla.pk}/"
    few = _queries(client, url)

    # when
    for number in range(10):
        department = DepartmentFactory(organization=org_cafe, name=f"Área {number}")
        MembershipFactory(user=requester_carla, organization=org_cafe, department=department,
                          role=Role.AGENT)
    many = _queries(client, url)

    # then
    assert many == few
