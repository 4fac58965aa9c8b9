"""The write path for organizations, departments, teams, people, roles and tokens."""

from __future__ import annotations

import pytest
from django.core import mail

from atiende.core import services
from atiende.core.models import ApiToken, AuditEvent, Membership, Role, User, hash_token
from atiende.errors import Conflict, PermissionDenied, ValidationFailed
from tests.factories import DepartmentFactory


def test_an_organization_admin_adds_an_agent_and_the_change_is_audited(
    admin, org_cafe, it, django_capture_on_commit_callbacks
):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        person = services.user_create(
            actor=admin, organization=org_cafe, email="  Nueva.Agente@CafeMontana.example ",
            display_name="Nueva Agente", role=Role.AGENT, department=it,
        )

    # then
    assert person.email == "nueva.agente@cafemontana.example"
    assert person.language == org_cafe.language
    assert not person.has_usable_password()
    assert list(Membership.objects.filter(user=person).values_list("role", "department")) == [
        (Role.AGENT, it.pk)
    ]
    assert list(AuditEvent.objects.filter(target_id=person.pk).order_by("id")
                .values_list("action", "actor")) \
        == [("user.created", admin.pk), ("membership.granted", admin.pk)]
    assert [message.to for message in mail.outbox] == [["nueva.agente@cafemontana.example"]]


def test_a_duplicate_email_in_another_case_is_refused_and_nothing_is_written(
    admin, org_cafe, requester_carla, django_capture_on_commit_callbacks
):
    # given
    users_before, events_before = User.objects.count(), AuditEvent.objects.count()

    # when
    with django_capture_on_commit_callbacks(execute=True) as callbacks, \
            pytest.raises(ValidationFailed) as error:
        services.user_create(actor=admin, organization=org_cafe,
                             email="CARLA@cafemontana.example", display_name="Otra Carla")

    # then
    assert error.value.code == "duplicate_email"
    assert set(error.value.fields) == {"email"}
    assert (User.objects.count(), AuditEvent.objects.count()) == (users_before, events_before)
    assert callbacks == [] and mail.outbox == []
    assert mail.outbox == []


@pytest.mark.parametrize("email", ["", "sin-arroba", "a@b", "ana@@x.co", "x" * 250 + "@x.co"])
def test_an_invalid_email_is_refused(admin, org_cafe, email):
    with pytest.raises(ValidationFailed) as error:
        services.user_create(actor=admin, organization=org_cafe, email=email,
                             display_name="Alguien")
    assert error.value.code == "invalid_email"
    assert not User.objects.filter(display_name="Alguien").exists()


def test_a_failed_membership_rolls_back_the_new_person(admin, org_cafe):
    # when: an agent role without a department
    with pytest.raises(ValidationFailed) as error:
        services.user_create(actor=admin, organization=org_cafe, email="x@cafemontana.example",
                             display_name="Sin Departamento", role=Role.AGENT)

    # then
    assert error.value.code == "department_required"
    assert not User.objects.filter(email="x@cafemontana.example").exists()


def test_an_admin_of_one_client_cannot_add_people_to_another(admin, org_other):
    with pytest.raises(PermissionDenied):
        services.user_create(actor=admin, organization=org_other, email="x@x.example",
                             display_name="Intruso")
    assert not User.objects.filter(email="x@x.example").exists()
    assert not AuditEvent.objects.exists()


def test_only_provider_admins_grant_the_provider_admin_role(
    admin, provider_admin, provider, agent_ana
):
    with pytest.raises(PermissionDenied):
        services.membership_grant(actor=admin, user=agent_ana, organization=provider,
                                  role=Role.PROVIDER_ADMIN)

    membership = services.membership_grant(actor=provider_admin, user=agent_ana,
                                           organization=provider, role=Role.PROVIDER_ADMIN)
    assert membership.role == Role.PROVIDER_ADMIN


def test_a_requester_asks_for_help_only_in_their_own_organization(
    provider_admin, requester_carla, org_other
):
    with pytest.raises(ValidationFailed) as error:
        services.membership_grant(actor=provider_admin, user=requester_carla,
                                  organization=org_other, role=Role.REQUESTER)
    assert error.value.code == "requester_other_organization"


def test_a_department_of_another_organization_cannot_be_granted(admin, agent_ana, org_cafe,
                                                                other_it):
    with pytest.raises(ValidationFailed) as error:
        services.membership_grant(actor=admin, user=agent_ana, organization=org_cafe,
                                  department=other_it, role=Role.AGENT)
    assert error.value.code == "department_not_serving"


def test_a_shared_provider_department_can_be_granted_per_client(
    provider_admin, provider, agent_ana, org_other
):
    # given
    shared = DepartmentFactory(organization=provider, name="Mesa TI", is_shared=True)

    # when
    membership = services.membership_grant(actor=provider_admin, user=agent_ana,
                                           organization=org_other, department=shared,
                                           role=Role.AGENT)

    # then
    assert (membership.organization, membership.department) == (org_other, shared)


def test_the_same_place_cannot_be_granted_twice(admin, agent_ana, org_cafe, it):
    with pytest.raises(Conflict) as error:
        services.membership_grant(actor=admin, user=agent_ana, organization=org_cafe,
                                  department=it, role=Role.TEAM_LEAD)
    assert error.value.code == "duplicate_membership"


def test_revoking_a_department_role_takes_the_person_out_of_its_teams(
    admin, agent_ana, team_redes
):
    # given
    membership = Membership.objects.get(user=agent_ana, department=team_redes.department)

    # when
    services.membership_revoke(actor=admin, membership=membership)

    # then
    assert list(team_redes.members.all()) == []
    assert AuditEvent.objects.filter(action="membership.revoked", target_id=agent_ana.pk).exists()


def test_an_admin_cannot_remove_their_own_admin_role(admin):
    membership = Membership.objects.get(user=admin, role=Role.ORGANIZATION_ADMIN)
    with pytest.raises(ValidationFailed):
        services.membership_revoke(actor=admin, membership=membership)
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_only_agents_of_the_department_join_its_teams(admin, team_redes,
                                                      agent_bruno_other_department):
    with pytest.raises(ValidationFailed) as error:
        services.team_member_add(actor=admin, team=team_redes,
                                 user=agent_bruno_other_department)
    assert error.value.code == "not_in_department"
    assert agent_bruno_other_department not in team_redes.members.all()


def test_a_department_manager_manages_the_teams_of_their_department(
    it, org_cafe, team_redes
):
    # given
    from tests.factories import MembershipFactory, UserFactory

    manager = UserFactory(organization=org_cafe)
    MembershipFactory(user=manager, organization=org_cafe, department=it,
                      role=Role.DEPARTMENT_MANAGER)

    # when
    team = services.team_create(actor=manager, department=it, name="Soporte en sitio")

    # then
    assert team.department == it


def test_team_names_are_unique_in_a_department_whatever_the_case(admin, team_redes):
    with pytest.raises(ValidationFailed) as error:
        services.team_create(actor=admin, department=team_redes.department, name="REDES")
    assert error.value.code == "duplicate_name"


def test_only_provider_departments_can_be_shared(admin, org_cafe):
    with pytest.raises(ValidationFailed):
        services.department_create(actor=admin, organization=org_cafe, name="Compartido",
                                   is_shared=True)


def test_the_profile_accepts_only_known_languages_and_time_zones(requester_carla):
    with pytest.raises(ValidationFailed) as error:
        services.profile_update(actor=requester_carla, changes={"time_zone": "Marte/Olympus"})
    assert error.value.code == "invalid_time_zone"

    services.profile_update(actor=requester_carla,
                            changes={"language": "en", "time_zone": "America/Lima"})
    requester_carla.refresh_from_db()
    assert (requester_carla.language, requester_carla.time_zone) == ("en", "America/Lima")


def test_a_token_is_stored_only_as_a_hash_and_stops_working_when_revoked(agent_ana):
    # when
    token, plaintext = services.token_create(actor=agent_ana, name="Power BI")

    # then
    assert plaintext.startswith("atd_") and len(plaintext) > 40
    assert token.digest == hash_token(plaintext) and plaintext not in token.digest
    assert services.token_authenticate(plaintext) == (agent_ana, "")

    services.token_revoke(actor=agent_ana, token=token)
    assert services.token_authenticate(plaintext) == (None, "revoked")
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


def test_the_provider_is_bootstrapped_once(db):
    admin = services.provider_bootstrap(name="Nube", admin_email="jefa@nube.example",
                                        admin_name="Jefa")
    assert admin.organization.is_provider
    with pytest.raises(Conflict):
        services.provider_bootstrap(name="Otra", admin_email="otra@nube.example",
                                    admin_name="Otra")
