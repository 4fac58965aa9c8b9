"""A mailbox's IMAP settings: the service's checks, and the page at
/manage/<slug>/mailboxes/<id>/imap/ that only the organization's admins reach, where
the secrets are never shown back and the last poll and error are shown."""

from __future__ import annotations

import pytest
from django.utils import timezone

from atiende.core.models import AuditEvent
from atiende.errors import PermissionDenied, ValidationFailed
from atiende.mail.imap_services import imap_account_set
from atiende.mail.models import ImapAccount
from tests.web.support import all_field_errors, login_redirect, page, template_names

pytestmark = pytest.mark.django_db

SOPORTE = "soporte@cafemontana.example"
ACTORS = ["anonymous", "requester_carla", "requester_other_org", "agent_other_org",
          "agent_bruno_other_department", "agent_ana", "admin_other_org", "admin",
          "provider_admin"]
CAFE_ADMINS = {"admin", "provider_admin"}
VALID = {"is_enabled": True, "host": "outlook.office365.com", "port": 993, "security": "tls",
         "username": SOPORTE, "auth": "password", "secret": "Clave-Secreta-1",
         "folder": "INBOX", "after": "move", "after_target": "Atiende"}


def _form(**changes) -> dict:
    data = {**VALID, **changes}
    data = {name: value for name, value in data.items() if value is not None}
    if data.pop("is_enabled", False):
        data["is_enabled"] = "on"
    return {name: str(value) for name, value in data.items()}


def _state() -> dict:
    return {"accounts": list(ImapAccount.objects.values_list("mailbox_id", "host", "secret")),
            "audit": AuditEvent.objects.count()}


def _url(world, address: str = SOPORTE) -> str:
    box = world.mailboxes[address]
    return f"/manage/{box.organization.slug}/mailboxes/{box.pk}/imap/"


# --- the service ----------------------------------------------------------------------


def test_settings_are_saved_and_audited_without_the_secret(world):
    # when
    account = imap_account_set(actor=world.admin, mailbox=world.mailboxes[SOPORTE],
                               values=VALID)

    # then
    assert (account.host, account.secret, account.after_target) == (
        "outlook.office365.com", "Clave-Secreta-1", "Atiende")
    event = AuditEvent.objects.get(action="mailbox.imap_changed")
    assert event.changes["secret"] == [None, "***"]
    assert "Clave-Secreta-1" not in str(event.changes)


def test_a_blank_secret_keeps_the_stored_one_and_a_new_folder_starts_again(world):
    # given: polled up to UID 40
    mailbox = world.mailboxes[SOPORTE]
    account = imap_account_set(actor=world.admin, mailbox=mailbox, values=VALID)
    ImapAccount.objects.filter(pk=account.pk).update(uid_validity=7, last_uid=40)

    # when
    changed = imap_account_set(actor=world.admin, mailbox=mailbox,
                               values={**VALID, "secret": "", "folder": "Soporte"})

    # then
    assert (changed.secret, changed.folder) == ("Clave-Secreta-1", "Soporte")
    assert (changed.uid_validity, changed.last_uid) == (None, 0)


@pytest.mark.parametrize(("changes", "fields"), [
    ({"security": "none"}, ["security"]),  # no TLS to a server across the network
    ({"host": "imap ejemplo", "port": 0}, ["host", "port"]),
    ({"host": "", "username": ""}, ["host", "username"]),
    ({"secret": ""}, ["secret"]),  # a password sign-in needs one
    ({"auth": "oauth2_client", "secret": ""},
     ["secret", "oauth_token_url", "oauth_client_id"]),
    ({"auth": "oauth2_refresh", "oauth_token_url": "http://login.example/token",
      "oauth_client_id": "app"}, ["oauth_token_url", "oauth_refresh_token"]),
    ({"after": "move", "after_target": "INBOX"}, ["after_target"]),
    ({"after": "keyword", "after_target": "\\Seen"}, ["after_target"]),
    ({"after": "keyword", "after_target": "x) (\\Deleted"}, ["after_target"]),
    ({"folder": "INBOX\r\nA1 LOGOUT"}, ["folder"]),
    ({"security": "ssl3", "after": "delete"}, ["security", "after"]),
])
def test_wrong_settings_are_refused_field_by_field(world, changes, fields):
    with pytest.raises(ValidationFailed) as refused:
        imap_account_set(actor=world.admin, mailbox=world.mailboxes[SOPORTE],
                         values={**VALID, **changes})

    assert sorted(refused.value.fields) == sorted(fields)
    assert not ImapAccount.objects.exists()


def test_a_server_on_this_machine_may_go_without_tls(world):
    account = imap_account_set(actor=world.admin, mailbox=world.mailboxes[SOPORTE],
                               values={**VALID, "host": "127.0.0.1", "port": 14300,
                                       "security": "none"})

    assert account.security == "none"


@pytest.mark.parametrize("actor", ["agent_ana", "admin_other_org", "requester_carla"])
def test_only_the_organizations_admins_change_the_settings(world, actors, actor):
    with pytest.raises(PermissionDenied):
        imap_account_set(actor=actors[actor], mailbox=world.mailboxes[SOPORTE], values=VALID)

    assert not ImapAccount.objects.exists()


# --- the page -------------------------------------------------------------------------


@pytest.mark.parametrize("actor", ACTORS)
def test_the_page_opens_only_to_the_organizations_admins(world, actors, web_client, actor):
    # given
    url = _url(world)
    before = _state()

    # when
    seen = web_client(actors[actor]).get(url)
    posted = web_client(actors[actor]).post(url, _form())

    # then
    if actor == "anonymous":
        assert (seen.status_code, seen["Location"]) == (302, login_redirect(url))
        assert posted.status_code == 302 and _state() == before
    elif actor in CAFE_ADMINS:
        assert seen.status_code == 200
        assert (posted.status_code, posted["Location"]) == (302, url)
        assert ImapAccount.objects.get().host == "outlook.office365.com"
    else:
        assert seen.status_code == posted.status_code == 404
        assert "errors/404.html" in template_names(seen)
        assert _state() == before


def test_another_organizations_mailbox_is_not_found_under_this_one(world, admin, web_client):
    box = world.mailboxes["ayuda@clinicanorte.example"]
    url = f"/manage/cafe-montana/mailboxes/{box.pk}/imap/"

    assert web_client(admin).get(url).status_code == 404
    assert web_client(admin).post(url, _form()).status_code == 404
    assert not ImapAccount.objects.exists()


def test_the_stored_secret_is_never_shown_back(world, admin, web_client):
    # given
    web_client(admin).post(_url(world), _form(secret="Clave-Secreta-1"))

    # when
    response = web_client(admin).get(_url(world))

    # then
    html = response.content.decode()
    assert "Clave-Secreta-1" not in html
    [secret] = page(response).find_all("input", name="secret")
    assert secret.attrs["type"] == "password"
    assert not secret.attrs.get("value")


def test_the_page_shows_the_services_errors(world, admin, web_client):
    response = web_client(admin).post(_url(world), _form(host="imap.example.com",
                                                         security="none"))

    assert response.status_code == 200
    assert list(all_field_errors(response)) == ["security"]
    assert not ImapAccount.objects.exists()


def test_the_mailbox_page_shows_the_last_poll_and_error(world, admin, web_client):
    # given: the last poll failed
    now = timezone.now()
    ImapAccount.objects.create(
        mailbox=world.mailboxes[SOPORTE], host="imap.cafemontana.example",
        username=SOPORTE, secret="x", last_polled_at=now, last_error_at=now,
        last_error="The server refused to sign in soporte@cafemontana.example: "
                   "[AUTHENTICATIONFAILED] Authentication failed.")

    # when
    for url in [f"/manage/cafe-montana/mailboxes/{world.mailboxes[SOPORTE].pk}/", _url(world)]:
        response = web_client(admin).get(url)

        # then
        [status] = page(response).find_all("dl", id="imap-status")
        status = status.text
        assert "[AUTHENTICATIONFAILED] Authentication failed." in status, url
        assert "imap.cafemontana.example:993" in status
