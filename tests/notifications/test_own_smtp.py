"""An organization's own SMTP server for its e-mail notifications: signed in with a
password or with OAuth2 (SASL XOAUTH2, the access token from a token endpoint double),
against a real SMTP server (aiosmtpd) that checks the credentials; the settings page
with write-only secrets, and its "send a test e-mail" button."""

from __future__ import annotations

import base64
import email
import email.policy
from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from django.db import connection

from atiende.core.models import AuditEvent
from atiende.errors import PermissionDenied, ValidationFailed
from atiende.mail import oauth
from atiende.notifications import transport_services
from atiende.notifications.models import Notification, OutboundMailSettings
from tests.mail.test_oauth import TokenEndpoint, token_endpoint  # noqa: F401 (fixture)
from tests.notifications.conftest import _free_port
from tests.web.support import all_field_errors, flash_messages

pytestmark = [pytest.mark.usefixtures("english_speakers"), pytest.mark.django_db,
              pytest.mark.filterwarnings(
                  "ignore:Requiring AUTH while not requiring TLS")]  # loopback only

SENDER = "soporte@cafemontana.example"  # the token double issues its tokens for it
PAGE = "/manage/cafe-montana/notifications/sending/"


@dataclass
class OwnServer:
    """An SMTP server that accepts mail only once signed in: PLAIN/LOGIN with
    soporte@ / Clave-SMTP-1, or XOAUTH2 with an access token the endpoint issued to
    the user named in the XOAUTH2 string."""

    endpoint: TokenEndpoint
    port: int = 0
    received: list = field(default_factory=list)
    xoauth2: list[bytes] = field(default_factory=list)

    async def auth_XOAUTH2(self, server, args):
        raw = base64.b64decode(args[1]) if len(args) > 1 else b""
        self.xoauth2.append(raw)
        fields = dict(part.split("=", 1) for part in raw.decode().split("\x01") if "=" in part)
        token = fields.get("auth", "").removeprefix("Bearer ")
        if raw.endswith(b"\x01\x01") and self.endpoint.issued.get(token) == fields.get("user"):
            return AuthResult(success=True)
        return AuthResult(success=False, handled=False,
                          message="535 5.7.3 Authentication unsuccessful")

    async def handle_DATA(self, server, session, envelope):
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.received.append((session.auth_data, list(envelope.rcpt_tos), parsed))
        return "250 2.0.0 OK"


def _password(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        SENDER.encode(), b"Clave-SMTP-1")
    return AuthResult(success=True, auth_data="password") if ok else AuthResult(
        success=False, handled=False)


@pytest.fixture
def own_smtp(token_endpoint, smtp):  # noqa: F811
    """The organization's server; the installation's (`smtp`) must receive nothing."""
    server = OwnServer(endpoint=token_endpoint, port=_free_port())
    controller = Controller(server, hostname="127.0.0.1", port=server.port,
                            authenticator=_password, auth_required=True,
                            auth_require_tls=False, auth_exclude_mechanism=["LOGIN"])
    controller.start()
    yield server
    controller.stop()


def _settings(own_smtp, **values) -> dict:
    return {"smtp_host": "127.0.0.1", "smtp_port": own_smtp.port, "smtp_security": "none",
            "smtp_username": SENDER, "smtp_auth": "password", "smtp_secret": "Clave-SMTP-1",
            **values}


def _oauth_client(own_smtp, **values) -> dict:
    return _settings(own_smtp, **{
        "smtp_auth": "oauth2_client", "smtp_secret": "secreto-app",
        "smtp_oauth_client_id": "app-1", "smtp_oauth_scope": oauth.MICROSOFT_IMAP_SCOPE,
        "smtp_oauth_token_url": f"{own_smtp.endpoint.url}/tenant-1/oauth2/v2.0/token",
        **values})


def _raw(column: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM notifications_outboundmailsettings")
        return cursor.fetchone()[0]


# --- sending ---------------------------------------------------------------------------


def test_notifications_leave_through_the_organizations_server_signed_in_with_xoauth2(
        own_smtp, smtp, admin, soporte, deliver, incident):
    # given
    transport_services.outbound_smtp_set(actor=admin, organization=soporte.organization,
                                         values=_oauth_client(own_smtp))
    # when
    with deliver():
        pass
    # then: the acknowledgment went through the organization's server, not the installation's
    [(_auth, to, message)] = own_smtp.received
    assert to == ["carla@cafemontana.example"] and "INC-000001" in message["Subject"]
    assert smtp.messages == []
    # signed in with the XOAUTH2 string of a token the endpoint issued for the sender
    [sent] = own_smtp.xoauth2
    [grant] = [r["form"] for r in own_smtp.endpoint.requests]
    assert grant["grant_type"] == "client_credentials" and grant["client_id"] == "app-1"
    token = sent.split(b"Bearer ")[1].split(b"\x01")[0].decode()
    assert sent == oauth.xoauth2(SENDER, token)
    assert Notification.objects.get(channel="email").state == "sent"


def test_a_rotated_refresh_token_is_kept_encrypted_for_next_time(
        own_smtp, admin, soporte, deliver, incident):
    transport_services.outbound_smtp_set(
        actor=admin, organization=soporte.organization, values=_oauth_client(
            own_smtp, smtp_auth="oauth2_refresh", smtp_oauth_refresh_token="rt-1"))
    own_smtp.endpoint.refresh_tokens = {"rt-1": SENDER}

    with deliver():
        pass

    assert len(own_smtp.received) == 1
    kept = OutboundMailSettings.objects.get().smtp_oauth_refresh_token
    assert kept.startswith("rt-new-") and kept not in _raw("smtp_oauth_refresh_token")


def test_a_password_signs_in_and_is_stored_encrypted_and_never_audited(
        own_smtp, admin, soporte, deliver, incident):
    transport_services.outbound_smtp_set(actor=admin, organization=soporte.organization,
                                         values=_settings(own_smtp))
    with deliver():
        pass

    [(auth, _to, _message)] = own_smtp.received
    assert auth == "password"
    assert "Clave" not in _raw("smtp_secret") and _raw("smtp_secret").startswith("gAAAAA")
    event = AuditEvent.objects.get(action="outbound_mail.smtp_changed")
    assert event.changes["smtp_secret"] == ["…", "…"] and "Clave" not in str(event.changes)


@pytest.mark.parametrize(("values", "expected"), [
    ({"smtp_secret": "equivocada"}, "535"),
    ({"smtp_auth": "oauth2_client", "smtp_secret": "equivocado", "smtp_oauth_client_id": "app-1",
      "smtp_oauth_token_url": "TOKEN"}, "invalid_client"),
])
def test_a_refused_sign_in_keeps_the_notification_queued_with_the_reason(
        own_smtp, admin, soporte, deliver, incident, values, expected):
    values = {key: value.replace("TOKEN", f"{own_smtp.endpoint.url}/tenant-1/oauth2/v2.0/token")
              for key, value in values.items()}
    transport_services.outbound_smtp_set(actor=admin, organization=soporte.organization,
                                         values=_settings(own_smtp, **values))
    with deliver():
        pass

    notification = Notification.objects.get(channel="email")
    assert notification.state == "queued" and expected in notification.last_error
    assert own_smtp.received == []


# --- the settings ----------------------------------------------------------------------


@pytest.mark.parametrize(("values", "fields"), [
    ({"smtp_host": "no es un host"}, {"smtp_host"}),
    ({"smtp_port": 0}, {"smtp_port"}),
    ({"smtp_security": "ssl3"}, {"smtp_security"}),
    ({"smtp_auth": "kerberos"}, {"smtp_auth"}),
    ({"smtp_secret": ""}, {"smtp_secret"}),
    ({"smtp_username": "", "smtp_secret": "x\r\nRCPT TO:<otro@x>"},
     {"smtp_username", "smtp_secret"}),
    ({"smtp_auth": "oauth2_refresh"}, {"smtp_oauth_token_url", "smtp_oauth_client_id",
                                       "smtp_oauth_refresh_token"}),
    ({"smtp_auth": "oauth2_client", "smtp_oauth_token_url": "file:///etc/passwd",
      "smtp_oauth_client_id": "a"}, {"smtp_oauth_token_url"}),
])
def test_wrong_settings_are_refused_field_by_field_and_nothing_is_stored(
        own_smtp, admin, soporte, values, fields):
    with pytest.raises(ValidationFailed) as refused:
        transport_services.outbound_smtp_set(actor=admin, organization=soporte.organization,
                                             values=_settings(own_smtp, **values))
    assert set(refused.value.fields) == fields
    assert not OutboundMailSettings.objects.filter(smtp_host__gt="").exists()
    assert not AuditEvent.objects.filter(action="outbound_mail.smtp_changed").exists()


def test_only_the_organizations_admins_set_its_smtp_server(own_smtp, soporte, admin_other_org,
                                                          agent_ana):
    for actor in (admin_other_org, agent_ana):
        with pytest.raises(PermissionDenied):
            transport_services.outbound_smtp_set(actor=actor, organization=soporte.organization,
                                                 values=_settings(own_smtp))
    assert not OutboundMailSettings.objects.exists()


def test_the_page_saves_the_server_and_never_shows_the_secret_back(
        own_smtp, admin, soporte, web_client):
    client = web_client(admin)
    response = client.post(PAGE + "smtp/", _settings(own_smtp))
    assert (response.status_code, response["Location"]) == (302, PAGE)
    shown = client.get(PAGE)
    assert shown.status_code == 200
    assert "Clave-SMTP-1" not in shown.content.decode()
    assert "gAAAAA" not in shown.content.decode()
    # a blank secret keeps the stored one
    client.post(PAGE + "smtp/", _settings(own_smtp, smtp_secret="", smtp_port=2525))
    saved = OutboundMailSettings.objects.get()
    assert (saved.smtp_port, saved.smtp_secret) == (2525, "Clave-SMTP-1")
    # a refusal shows on the page, by field
    refused = client.post(PAGE + "smtp/", _settings(own_smtp, smtp_host="mal host!"))
    assert refused.status_code == 200 and "smtp_host" in all_field_errors(refused)


def test_the_test_button_sends_to_the_admin_through_the_chosen_server(
        own_smtp, smtp, admin, soporte, web_client):
    transport_services.outbound_smtp_set(actor=admin, organization=soporte.organization,
                                         values=_oauth_client(own_smtp))
    audits = AuditEvent.objects.count()

    response = web_client(admin).post(PAGE + "test/", follow=True)

    assert flash_messages(response)[-1][0] == "success"
    [(_auth, to, message)] = own_smtp.received
    assert to == [admin.email] and message["Auto-Submitted"] == "auto-generated"
    assert smtp.messages == [] and AuditEvent.objects.count() == audits
    assert not Notification.objects.exists()


def test_the_test_button_shows_the_servers_refusal(own_smtp, admin, soporte, web_client):
    transport_services.outbound_smtp_set(
        actor=admin, organization=soporte.organization,
        values=_settings(own_smtp, smtp_secret="equivocada"))

    response = web_client(admin).post(PAGE + "test/", follow=True)

    [(kind, text)] = flash_messages(response)
    assert kind == "error" and "could not be sent" in text and "535" in text
    assert own_smtp.received == []


@pytest.mark.parametrize("actor", ["agent_ana", "admin_other_org", "requester_carla"])
def test_nobody_else_reaches_the_smtp_settings_or_the_test(own_smtp, soporte, actors,
                                                           web_client, actor):
    client = web_client(actors[actor])
    assert client.post(PAGE + "smtp/", _settings(own_smtp)).status_code == 404
    assert client.post(PAGE + "test/").status_code == 404
    assert not OutboundMailSettings.objects.exists() and own_smtp.received == []
