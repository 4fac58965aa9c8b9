"""A mailbox's Microsoft 365 (Graph) settings: precise refusals of bad ids, the secret
written but never shown back, and the page reachable only by the organization's
admins."""

from __future__ import annotations

import pytest

from atiende.core.models import AuditEvent
from atiende.errors import PermissionDenied, ValidationFailed
from atiende.mail.graph_services import mailbox_graph_update
from atiende.mail.models import Mailbox

pytestmark = pytest.mark.django_db

TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
CLIENT = "a1b2c3d4-e5f6-4a5b-8c9d-0e1f2a3b4c5d"
SECRET = "Zx8Q~not.a.real.secret-value"


@pytest.fixture
def soporte(mailboxes) -> Mailbox:
    return mailboxes["soporte@cafemontana.example"]


def _url(mailbox: Mailbox) -> str:
    return f"/manage/cafe-montana/mailboxes/{mailbox.pk}/microsoft-365/"


def test_an_admin_connects_a_mailbox_and_the_audit_never_holds_the_secret(soporte, admin):
    # when
    mailbox_graph_update(actor=admin, mailbox=soporte, enabled=True, tenant_id=TENANT.upper(),
                         client_id=CLIENT, client_secret=SECRET, after="move",
                         move_to="archive")
    # then
    soporte.refresh_from_db()
    assert (soporte.graph_enabled, soporte.graph_tenant_id, soporte.graph_client_id,
            soporte.graph_client_secret, soporte.graph_after, soporte.graph_move_to) == (
        True, TENANT, CLIENT, SECRET, "move", "archive")
    audit = AuditEvent.objects.get(action="mailbox.graph_changed")
    assert SECRET not in str(audit.changes)
    assert audit.changes["graph_client_secret"] == ["…", "…"]


def test_a_tenant_may_be_named_by_its_domain(soporte, admin):
    mailbox_graph_update(actor=admin, mailbox=soporte, enabled=True,
                         tenant_id="cafemontana.onmicrosoft.com", client_id=CLIENT,
                         client_secret=SECRET)
    soporte.refresh_from_db()
    assert soporte.graph_tenant_id == "cafemontana.onmicrosoft.com"


@pytest.mark.parametrize("changes, field, message", [
    ({"tenant_id": "not a tenant"}, "tenant_id", "directory (tenant) ID"),
    ({"tenant_id": "72f988bf86f141af91ab2d7cd011db47"}, "tenant_id", "directory (tenant) ID"),
    ({"client_id": "my-app"}, "client_id", "application (client) ID"),
    ({"client_id": "a1b2c3d4-e5f6-4a5b-8c9d-0e1f2a3b4c5z"}, "client_id",
     "application (client) ID"),
    ({"tenant_id": ""}, "tenant_id", "Required"),
    ({"client_secret": ""}, "client_secret", "Required"),
    ({"client_secret": "two\nlines"}, "client_secret", "not a client secret"),
    ({"after": "move", "move_to": ""}, "move_to", "Name the folder"),
    ({"after": "delete"}, "after", "not a valid choice"),
])
def test_bad_settings_are_refused_with_the_field_and_the_reason(soporte, admin, settings,
                                                                changes, field, message):
    settings.LANGUAGE_CODE = "en"
    values = {"enabled": True, "tenant_id": TENANT, "client_id": CLIENT,
              "client_secret": SECRET, **changes}
    with pytest.raises(ValidationFailed) as refused:
        mailbox_graph_update(actor=admin, mailbox=soporte, **values)
    assert message in refused.value.fields[field]
    soporte.refresh_from_db()
    assert (soporte.graph_enabled, soporte.graph_client_secret) == (False, "")
    assert not AuditEvent.objects.filter(action="mailbox.graph_changed").exists()


def test_a_blank_secret_keeps_the_stored_one_and_a_new_tenant_restarts_the_delta(soporte,
                                                                                admin):
    mailbox_graph_update(actor=admin, mailbox=soporte, enabled=True, tenant_id=TENANT,
                         client_id=CLIENT, client_secret=SECRET)
    Mailbox.objects.filter(pk=soporte.pk).update(graph_delta_link="https://x/delta?$deltatoken=1")
    # when
    mailbox_graph_update(actor=admin, mailbox=soporte, enabled=True,
                         tenant_id="cafemontana.onmicrosoft.com", client_id=CLIENT,
                         client_secret="")
    # then
    soporte.refresh_from_db()
    assert (soporte.graph_client_secret, soporte.graph_delta_link) == (SECRET, "")


def test_only_the_organizations_admins_change_the_settings(soporte, admin_other_org, agent_ana):
    for actor in (admin_other_org, agent_ana):
        with pytest.raises(PermissionDenied):
            mailbox_graph_update(actor=actor, mailbox=soporte, enabled=True, tenant_id=TENANT,
                                 client_id=CLIENT, client_secret=SECRET)
    soporte.refresh_from_db()
    assert soporte.graph_enabled is False


@pytest.mark.parametrize("who, status", [
    ("anonymous", 302), ("requester_carla", 404), ("requester_other_org", 404),
    ("agent_other_org", 404), ("agent_bruno_other_department", 404), ("agent_ana", 404),
    ("admin_other_org", 404), ("admin", 200), ("provider_admin", 200),
])
def test_only_the_organizations_admins_reach_the_page(soporte, actors, who, status, web_client):
    client = web_client(actors[who])
    assert client.get(_url(soporte)).status_code == status
    client.post(_url(soporte), {"enabled": "on", "tenant_id": TENANT, "client_id": CLIENT,
                                "client_secret": SECRET, "after": "mark_read"})
    soporte.refresh_from_db()
    assert soporte.graph_enabled is (status == 200)


def test_a_mailbox_of_another_organization_is_not_found(mailboxes, admin, web_client):
    theirs = mailboxes["ayuda@clinicanorte.example"]
    client = web_client(admin)
    assert client.get(f"/manage/cafe-montana/mailboxes/{theirs.pk}/microsoft-365/"
                      ).status_code == 404


def _in_english(user):
    user.language = "en"
    user.save(update_fields=["language"])
    return user


def test_the_page_never_renders_the_secret(soporte, admin, web_client):
    client = web_client(_in_english(admin))
    response = client.post(_url(soporte), {"enabled": "on", "tenant_id": TENANT,
                                           "client_id": CLIENT, "client_secret": SECRET,
                                           "after": "mark_read"})
    assert response.status_code == 302
    page = client.get(_url(soporte)).content.decode()
    assert SECRET not in page
    assert "A secret is stored" in page
    # a refused save does not echo the secret either
    page = client.post(_url(soporte), {"enabled": "on", "tenant_id": "nope",
                                       "client_id": CLIENT, "client_secret": "New~" + SECRET,
                                       "after": "mark_read"}).content.decode()
    assert "directory (tenant) ID as shown in Entra ID" in page
    assert SECRET not in page
