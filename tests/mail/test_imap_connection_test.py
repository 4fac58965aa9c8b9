"""The "Test the connection" button of /manage/<slug>/mailboxes/<id>/imap/: against a
real Dovecot it signs in with the saved settings, opens the folder read-only and says
how many messages it holds, or precisely what failed; it writes nothing anywhere."""

from __future__ import annotations

import pytest

from atiende.core.models import AuditEvent
from atiende.mail.models import ImapAccount, ImapSecurity, InboundMessage
from tests.mail.conftest import eml
from tests.web.support import flash_messages

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_speakers")]

SOPORTE = "soporte@cafemontana.example"


def _account(world, dovecot, **values) -> ImapAccount:
    return ImapAccount.objects.create(**{
        "mailbox": world.mailboxes[SOPORTE], "host": dovecot.host, "port": dovecot.port,
        "security": ImapSecurity.NONE, "username": SOPORTE,
        "secret": dovecot.users[SOPORTE], "after_target": "Procesados", **values})


def _url(world) -> str:
    box = world.mailboxes[SOPORTE]
    return f"/manage/{box.organization.slug}/mailboxes/{box.pk}/imap/test/"


def _state(dovecot) -> tuple:
    account = ImapAccount.objects.values().get()
    return (account, AuditEvent.objects.count(), InboundMessage.objects.count(),
            dovecot.folder_uids(SOPORTE))


def test_the_test_counts_the_messages_of_the_folder_and_changes_nothing(
        world, dovecot, web_client, admin):
    # given
    _account(world, dovecot)
    dovecot.append(SOPORTE, [eml("new-plain-es.eml"), eml("new-plain-en.eml")])
    before = _state(dovecot)

    # when
    response = web_client(admin).post(_url(world), follow=True)

    # then
    assert response.status_code == 200
    assert flash_messages(response) == [
        ("success", "OK: 2 messages in folder INBOX.")]
    assert _state(dovecot) == before
    assert all("\\Seen" not in flags for flags in before[3].values())


@pytest.mark.parametrize(("change", "expected"), [
    ({"secret": "clave-equivocada"}, "The server refused to sign in soporte@"),
    ({"folder": "No-Existe"}, "The folder No-Existe could not be opened"),
    ({"port": 1}, "Could not connect to"),
])
def test_a_failing_test_says_precisely_why(world, dovecot, web_client, admin, change,
                                           expected):
    _account(world, dovecot, **change)
    before = _state(dovecot)

    response = web_client(admin).post(_url(world), follow=True)

    [(kind, text)] = flash_messages(response)
    assert kind == "error" and text.startswith("The connection test failed: ")
    assert expected in text
    assert _state(dovecot) == before


@pytest.mark.parametrize("actor", ["requester_carla", "agent_ana", "admin_other_org",
                                   "agent_other_org"])
def test_only_the_organizations_admins_may_test(world, dovecot, web_client, actors, actor):
    _account(world, dovecot)

    assert web_client(actors[actor]).post(_url(world)).status_code == 404


def test_another_organizations_mailbox_is_not_found_and_get_is_refused(
        world, dovecot, web_client, admin):
    box = world.mailboxes["ayuda@clinicanorte.example"]
    other = f"/manage/cafe-montana/mailboxes/{box.pk}/imap/test/"

    assert web_client(admin).post(other).status_code == 404
    _account(world, dovecot)
    assert web_client(admin).get(_url(world)).status_code == 405


def test_without_imap_settings_there_is_nothing_to_test(world, web_client, admin):
    assert web_client(admin).post(_url(world)).status_code == 404
