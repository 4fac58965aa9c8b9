"""Mail credentials at rest: IMAP passwords, OAuth2 secrets and refresh tokens, and
Microsoft 365 client secrets are Fernet tokens in their columns, read back in clear by
the code that signs in; keys that no longer open them give the mailbox pages a clear
warning (never a 500) and the poll a precise error. The migration that introduced the
encryption turns the plain values already stored into tokens, and back."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db import connection

from atiende.core import secrets
from atiende.mail import imap
from atiende.mail.models import ImapAccount, ImapAuth, ImapSecurity, Mailbox
from tests.web.support import page

pytestmark = pytest.mark.django_db

SOPORTE = "soporte@cafemontana.example"


def _raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def _account(world, **values) -> ImapAccount:
    return ImapAccount.objects.create(**{
        "mailbox": world.mailboxes[SOPORTE], "host": "127.0.0.1", "port": 1,
        "security": ImapSecurity.NONE, "username": SOPORTE, "secret": "Clave-Secreta-1",
        "oauth_refresh_token": "1//refresco-largo", **values})


def test_imap_and_graph_credentials_are_tokens_in_the_database_and_clear_in_python(world):
    # given
    account = _account(world)
    mailbox = world.mailboxes[SOPORTE]
    mailbox.graph_client_secret = "graph~secreto"
    mailbox.save()

    # then
    raw = {_raw("mail_imapaccount", "secret", account.pk),
           _raw("mail_imapaccount", "oauth_refresh_token", account.pk),
           _raw("mail_mailbox", "graph_client_secret", mailbox.pk)}
    assert all(value.startswith("gAAAAA") for value in raw)
    assert not any(clear in value for value in raw
                   for clear in ("Clave", "refresco", "graph~secreto"))
    account = ImapAccount.objects.get()
    assert (account.secret, account.oauth_refresh_token) == ("Clave-Secreta-1",
                                                             "1//refresco-largo")
    assert Mailbox.objects.get(pk=mailbox.pk).graph_client_secret == "graph~secreto"
    # a blank secret stays blank, so "is one stored?" still works in queries
    ImapAccount.objects.update(oauth_refresh_token="")
    assert _raw("mail_imapaccount", "oauth_refresh_token", account.pk) == ""
    assert ImapAccount.objects.filter(oauth_refresh_token="").count() == 1


def test_the_migration_encrypts_the_plain_values_already_stored_and_back(world):
    # given: rows written before the encryption
    account = _account(world)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE mail_imapaccount SET secret = %s, oauth_refresh_token = ''",
                       ["Clave-Antigua"])
    forwards, backwards = secrets.encrypting(("mail_imapaccount", "secret"),
                                             ("mail_imapaccount", "oauth_refresh_token"))
    editor = SimpleNamespace(connection=connection)

    # when
    forwards(None, editor)
    forwards(None, editor)  # a second run leaves the tokens as they are

    # then
    token = _raw("mail_imapaccount", "secret", account.pk)
    assert token.startswith("gAAAAA") and "Antigua" not in token
    assert ImapAccount.objects.get().secret == "Clave-Antigua"
    assert _raw("mail_imapaccount", "oauth_refresh_token", account.pk) == ""

    # and backwards
    backwards(None, editor)
    assert _raw("mail_imapaccount", "secret", account.pk) == "Clave-Antigua"


def test_the_migration_backwards_refuses_tokens_the_keys_do_not_open(world, settings):
    _account(world)
    settings.SECRETS_KEY = ["otra-clave"]
    _forwards, backwards = secrets.encrypting(("mail_imapaccount", "secret"))

    with pytest.raises(secrets.SecretUnreadable, match="SECRETS_KEY"):
        backwards(None, SimpleNamespace(connection=connection))


def test_with_the_wrong_key_the_mailbox_pages_warn_and_saving_keeps_the_token(
        world, web_client, admin, settings):
    # given
    account = _account(world)
    mailbox = world.mailboxes[SOPORTE]
    mailbox.graph_client_secret = "graph~secreto"
    mailbox.save()
    token = _raw("mail_imapaccount", "secret", account.pk)
    settings.SECRETS_KEY = ["una-clave-distinta"]
    base = f"/manage/{mailbox.organization.slug}/mailboxes/{mailbox.pk}"

    # when
    imap_page = web_client(admin).get(f"{base}/imap/")
    graph_page = web_client(admin).get(f"{base}/microsoft-365/")

    # then
    for response in (imap_page, graph_page):
        assert response.status_code == 200
        alerts = [node.text for node in page(response).find_all("p", cls="alert-error")]
        assert any("SECRETS_KEY" in text for text in alerts), alerts
        assert "gAAAAA" not in response.content.decode()
    # the account is saved again without its secret being typed: the token is kept
    loaded = ImapAccount.objects.get()
    loaded.folder = "Soporte"
    loaded.save()
    assert _raw("mail_imapaccount", "secret", account.pk) == token


def test_with_the_wrong_key_a_poll_records_why_it_cannot_sign_in(world, settings):
    account = _account(world, auth=ImapAuth.OAUTH2_REFRESH, oauth_client_id="app",
                       oauth_token_url="http://127.0.0.1:9/token")
    settings.SECRETS_KEY = ["una-clave-distinta"]
    account = ImapAccount.objects.get(pk=account.pk)

    with pytest.raises(secrets.SecretUnreadable):
        imap.access_token(account)
