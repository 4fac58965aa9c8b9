"""Who sees which organizations, departments, teams and people."""

from __future__ import annotations

import pytest

from atiende.core import selectors
from atiende.errors import NotFound


def test_an_agent_sees_only_the_departments_they_work_in(agent_ana, it, hr, other_it):
    # when
    visible = set(selectors.department_list(actor=agent_ana))

    # then
    assert visible == {it}


def test_an_organization_admin_sees_every_department_of_the_organization(
    admin, it, hr, other_it
):
    assert set(selectors.department_list(actor=admin)) == {it, hr}


def test_a_requester_sees_the_departments_that_serve_their_organization(
    requester_carla, it, hr, other_it
):
    assert set(selectors.department_list(actor=requester_carla)) == {it, hr}


def test_a_shared_department_of_the_provider_serves_every_client(
    provider, requester_carla, requester_other_org, it, hr
):
    # given
    from tests.factories import DepartmentFactory

    shared = DepartmentFactory(organization=provider, name="Mesa TI", is_shared=True)

    # then
    assert shared in selectors.department_list(actor=requester_carla)
    assert shared in selectors.department_list(actor=requester_other_org)


def test_the_provider_admin_sees_everything(provider_admin, it, hr, other_it, org_cafe,
                                            org_other):
    assert {it, hr, other_it} <= set(selectors.department_list(actor=provider_admin))
    assert {org_cafe, org_other} <= set(selectors.organization_list(actor=provider_admin))


def test_an_hr_agent_does_not_see_it_teams(agent_bruno_other_department, team_redes):
    assert list(selectors.team_list(actor=agent_bruno_other_department)) == []
    with pytest.raises(NotFound):
        selectors.team_get(actor=agent_bruno_other_department, team_id=team_redes.pk)


def test_a_requester_sees_only_themselves_in_the_directory(
    requester_carla, agent_ana, admin
):
    assert list(selectors.user_list(actor=requester_carla)) == [requester_carla]


def test_an_agent_sees_the_people_of_the_organizations_they_serve_but_no_other(
    agent_ana, requester_carla, requester_other_org, admin
):
    # when
    visible = set(selectors.user_list(actor=agent_ana))

    # then
    assert {agent_ana, requester_carla, admin} <= visible
    assert requester_other_org not in visible


def test_another_clients_organization_answers_not_found(agent_other_org, org_cafe):
    with pytest.raises(NotFound):
        selectors.organization_get(actor=agent_other_org, organization_id=org_cafe.pk)


def test_an_inactive_person_sees_nothing(agent_ana, it):
    # given
    agent_ana.is_active = False

    # then
    assert list(selectors.department_list(actor=agent_ana)) == []


def test_the_work_filter_keeps_records_of_the_departments_an_agent_works_in(
    agent_ana, admin, it, hr, other_it, org_cafe, org_other
):
    # given: records that belong to an (organization, department), as tickets will
    from atiende.core.models import Membership
    from atiende.core.scoping import scope_of
    from tests.factories import MembershipFactory, UserFactory

    records = {
        place: MembershipFactory(user=UserFactory(organization=org), organization=org,
                                 department=department, role="agent")
        for place, org, department in [("it", org_cafe, it), ("hr", org_cafe, hr),
                                       ("other", org_other, other_it)]
    }
    ids = [record.pk for record in records.values()]

    def visible(actor):
        queryset = Membership.objects.filter(pk__in=ids).filter(scope_of(actor).work_filter())
        return {place for place, record in records.items() if record in queryset}

    # then
    assert visible(agent_ana) == {"it"}
    assert visible(admin) == {"it", "hr"}
