"""Mailbox services: who may create and change them, and what a mailbox may point to."""

from __future__ import annotations

import pytest

from atiende.core.models import AuditEvent
from atiende.errors import PermissionDenied, ValidationFailed
from atiende.mail import services
from atiende.mail.models import Mailbox, MailboxKind, UnknownSender
from tests.factories import TeamFactory

pytestmark = pytest.mark.django_db


def test_an_admin_creates_a_mailbox_with_defaults_of_its_department(admin, org_cafe, it,
                                                                     impresoras, team_redes):
    # when
    mailbox = services.mailbox_create(
        actor=admin, organization=org_cafe, address=" Soporte@CafeMontana.example ",
        department=it, kind=MailboxKind.SERVICE_REQUEST, default_category=impresoras,
        default_team=team_redes, unknown_sender=UnknownSender.CREATE,
    )

    # then
    mailbox.refresh_from_db()
    assert (mailbox.address, mailbox.kind, mailbox.unknown_sender, mailbox.is_active) == (
        "soporte@cafemontana.example", "service_request", "create", True)
    assert (mailbox.default_category, mailbox.default_team) == (impresoras, team_redes)
    audit = AuditEvent.objects.get(action="mailbox.created")
    assert (audit.actor, audit.organization_id, audit.target_id) == (admin, org_cafe.pk,
                                                                      mailbox.pk)


def test_a_mail_to_a_mailbox_with_defaults_gets_them(admin, org_cafe, it, impresoras,
                                                     team_redes, requester_carla):
    # given
    mailbox = services.mailbox_create(actor=admin, organization=org_cafe,
                                      address="impresoras@cafemontana.example", department=it,
                                      default_category=impresoras, default_team=team_redes)

    # when
    outcome = services.ingest(mailbox=mailbox, raw=(
        b"From: carla@cafemontana.example\r\nSubject: Atasco\r\n\r\nPapel atascado.\r\n"))

    # then
    assert (outcome.ticket.category, outcome.ticket.team) == (impresoras, team_redes)


@pytest.mark.parametrize("who", ["agent_ana", "requester_carla", "admin_other_org"])
def test_only_the_organizations_admins_create_mailboxes(request, who, org_cafe, it):
    with pytest.raises(PermissionDenied):
        services.mailbox_create(actor=request.getfixturevalue(who), organization=org_cafe,
                                address="x@cafemontana.example", department=it)
    assert not Mailbox.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="mailbox.").exists()


def test_an_address_is_taken_whatever_its_case(admin, admin_other_org, org_cafe, it, org_other,
                                               other_it):
    # given
    services.mailbox_create(actor=admin, organization=org_cafe,
                            address="soporte@compartido.example", department=it)

    # when / then: not even another organization may take it
    with pytest.raises(ValidationFailed) as error:
        services.mailbox_create(actor=admin_other_org, organization=org_other,
                                address="SOPORTE@compartido.example", department=other_it)
    assert error.value.code == "duplicate_address"
    assert list(error.value.fields) == ["address"]


def test_a_mailbox_points_only_inside_its_organization_and_department(
        admin, org_cafe, it, hr, other_it, impresoras, team_nomina):
    # when / then
    cases = [
        ({"department": other_it}, "department"),
        ({"department": hr, "default_category": impresoras}, "default_category"),
        ({"department": it, "default_team": team_nomina}, "default_team"),
        ({"department": it, "address": "no es correo"}, "address"),
        ({"department": it, "kind": "change"}, "kind"),
        ({"department": it, "unknown_sender": "maybe"}, "unknown_sender"),
    ]
    for values, field in cases:
        arguments = {"address": "nuevo@cafemontana.example", **values}
        with pytest.raises(ValidationFailed) as error:
            services.mailbox_create(actor=admin, organization=org_cafe, **arguments)
        assert field in error.value.fields, (values, error.value.fields)
    assert not Mailbox.objects.exists()


def test_a_shared_department_of_the_provider_may_feed_a_clients_mailbox(
        provider_admin, provider, org_cafe):
    # given
    from tests.factories import DepartmentFactory

    shared = DepartmentFactory(organization=provider, name="Mesa compartida", is_shared=True)

    # when
    mailbox = services.mailbox_create(actor=provider_admin, organization=org_cafe,
                                      address="mesa@cafemontana.example", department=shared)

    # then
    assert (mailbox.organization, mailbox.department) == (org_cafe, shared)


def test_changing_a_mailbox_audits_what_changed(admin, org_cafe, it):
    # given
    mailbox = services.mailbox_create(actor=admin, organization=org_cafe,
                                      address="soporte@cafemontana.example", department=it)
    team = TeamFactory(department=it, name="Campo")

    # when
    services.mailbox_update(actor=admin, mailbox=mailbox, changes={
        "unknown_sender": UnknownSender.REFUSE, "default_team": team, "is_active": False})
    services.mailbox_update(actor=admin, mailbox=mailbox, changes={"is_active": False})

    # then
    mailbox.refresh_from_db()
    assert (mailbox.unknown_sender, mailbox.default_team, mailbox.is_active) == (
        "refuse", team, False)
    audits = AuditEvent.objects.filter(action="mailbox.updated")
    assert [audit.changes for audit in audits] == [{
        "unknown_sender": ["hold", "refuse"], "default_team": [None, team.pk],
        "is_active": [True, False]}]


def test_a_mailbox_keeps_its_address_unless_free(admin, org_cafe, it):
    # given
    first = services.mailbox_create(actor=admin, organization=org_cafe,
                                    address="uno@cafemontana.example", department=it)
    services.mailbox_create(actor=admin, organization=org_cafe,
                            address="dos@cafemontana.example", department=it)

    # when / then
    with pytest.raises(ValidationFailed):
        services.mailbox_update(actor=admin, mailbox=first,
                                changes={"address": "DOS@cafemontana.example"})
    with pytest.raises(ValidationFailed):
        services.mailbox_update(actor=admin, mailbox=first, changes={"organization": None})
    first.refresh_from_db()
    assert first.address == "uno@cafemontana.example"
