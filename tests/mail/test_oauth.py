"""OAuth2 sign-in to IMAP (XOAUTH2): the token request, against a token endpoint double
started by the test on a loopback port, and the whole sign-in against a real Dovecot
that checks the token with that double's introspection endpoint."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest

from atiende.mail import imap, oauth
from atiende.mail.models import ImapAccount, ImapAuth, ImapSecurity
from atiende.tickets.models import Ticket
from tests.mail.conftest import eml, running_dovecot
from tests.mail.dovecot import _free_port

SOPORTE = "soporte@cafemontana.example"


@dataclass
class TokenEndpoint:
    """A strict double of an OAuth2 token endpoint (RFC 6749 §4.4 and §6, as Microsoft
    identity platform and Google answer) with an RFC 7662 introspection endpoint."""

    url: str = ""
    requests: list[dict] = field(default_factory=list)
    clients: dict[str, str] = field(default_factory=lambda: {"app-1": "secreto-app"})
    refresh_tokens: dict[str, str] = field(default_factory=lambda: {"rt-1": SOPORTE})
    issued: dict[str, str] = field(default_factory=dict)  # access token -> user

    def answer(self, path: str, headers, form: dict[str, str]) -> tuple[int, dict]:
        self.requests.append({"path": path, "form": form,
                              "content_type": headers.get("Content-Type"),
                              "accept": headers.get("Accept")})
        if path == "/introspect":
            user = self.issued.get(form.get("token", ""))
            return 200, ({"active": "true", "username": user} if user else {"active": "false"})
        if path != "/tenant-1/oauth2/v2.0/token":
            return 404, {"error": "not_found"}
        if headers.get("Content-Type") != "application/x-www-form-urlencoded":
            return 400, {"error": "invalid_request", "error_description": "form expected"}
        if self.clients.get(form.get("client_id", "")) != form.get("client_secret"):
            return 401, {"error": "invalid_client",
                         "error_description": "AADSTS7000215: Invalid client secret provided."}
        grant = form.get("grant_type")
        if grant == "client_credentials":
            if form.get("scope") != oauth.MICROSOFT_IMAP_SCOPE:
                return 400, {"error": "invalid_scope", "error_description": "bad scope"}
            user = SOPORTE
        elif grant == "refresh_token":
            user = self.refresh_tokens.pop(form.get("refresh_token", ""), None)
            if user is None:
                return 400, {"error": "invalid_grant", "error_description": "expired"}
            self.refresh_tokens[f"rt-new-{len(self.requests)}"] = user  # rotated
        else:
            return 400, {"error": "unsupported_grant_type"}
        token = f"at-{len(self.requests)}"
        self.issued[token] = user
        answer = {"token_type": "Bearer", "expires_in": 3599, "access_token": token}
        if grant == "refresh_token":
            answer["refresh_token"] = f"rt-new-{len(self.requests)}"
        return 200, answer


@pytest.fixture
def token_endpoint() -> Iterator[TokenEndpoint]:
    endpoint = TokenEndpoint()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            form = {key: values[0] for key, values in
                    parse_qs(self.rfile.read(length).decode()).items()}
            status, answer = endpoint.answer(self.path, self.headers, form)
            body = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", _free_port()), Handler)
    endpoint.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield endpoint
    server.shutdown()
    server.server_close()


def test_the_xoauth2_string_is_the_one_microsoft_and_google_document():
    raw = oauth.xoauth2("soporte@cafemontana.example", "EwBAA1")

    assert raw == b"user=soporte@cafemontana.example\x01auth=Bearer EwBAA1\x01\x01"
    assert base64.b64encode(raw) == (
        b"dXNlcj1zb3BvcnRlQGNhZmVtb250YW5hLmV4YW1wbGUBYXV0aD1CZWFyZXIgRXdCQUExAQE=")


def test_microsofts_token_url_is_made_from_the_tenant():
    assert oauth.microsoft_token_url("contoso.onmicrosoft.com") == (
        "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token")


def test_client_credentials_are_posted_as_a_form(token_endpoint):
    # when
    token = oauth.request_token(
        token_url=f"{token_endpoint.url}/tenant-1/oauth2/v2.0/token", client_id="app-1",
        client_secret="secreto-app", scope=oauth.MICROSOFT_IMAP_SCOPE)

    # then
    assert (token.access_token, token.expires_in, token.refresh_token) == ("at-1", 3599, "")
    [request] = token_endpoint.requests
    assert request == {
        "path": "/tenant-1/oauth2/v2.0/token",
        "form": {"grant_type": "client_credentials", "client_id": "app-1",
                 "client_secret": "secreto-app",
                 "scope": "https://outlook.office365.com/.default"},
        "content_type": "application/x-www-form-urlencoded", "accept": "application/json",
    }


def test_a_refresh_token_grant_returns_the_rotated_refresh_token(token_endpoint):
    token = oauth.request_token(
        token_url=f"{token_endpoint.url}/tenant-1/oauth2/v2.0/token", client_id="app-1",
        client_secret="secreto-app", scope=oauth.GOOGLE_IMAP_SCOPE, refresh_token="rt-1")

    assert (token.access_token, token.refresh_token) == ("at-1", "rt-new-1")
    assert token_endpoint.requests[0]["form"]["grant_type"] == "refresh_token"
    assert token_endpoint.requests[0]["form"]["refresh_token"] == "rt-1"


@pytest.mark.parametrize(("secret", "expected"), [
    ("otro", "invalid_client: AADSTS7000215: Invalid client secret provided."),
])
def test_a_refused_token_request_says_why(token_endpoint, secret, expected):
    with pytest.raises(oauth.TokenError) as refused:
        oauth.request_token(token_url=f"{token_endpoint.url}/tenant-1/oauth2/v2.0/token",
                            client_id="app-1", client_secret=secret,
                            scope=oauth.MICROSOFT_IMAP_SCOPE)

    assert str(refused.value) == expected


def test_an_unreachable_token_endpoint_says_where():
    url = f"http://127.0.0.1:{_free_port()}/token"

    with pytest.raises(oauth.TokenError) as refused:
        oauth.request_token(token_url=url, client_id="app-1", client_secret="x")

    assert str(refused.value).startswith(url + ": ")


# --- the whole sign-in, against Dovecot ------------------------------------------------


@pytest.fixture
def oauth_dovecot(token_endpoint):
    """A Dovecot that accepts XOAUTH2 tokens the double has issued (and only those)."""
    with running_dovecot({SOPORTE: "clave-soporte"},
                         introspection_url=f"{token_endpoint.url}/introspect") as server:
        yield server


def _oauth_account(world, server, endpoint, **values) -> ImapAccount:
    return ImapAccount.objects.create(
        mailbox=world.mailboxes[SOPORTE], host=server.host, port=server.port,
        security=ImapSecurity.NONE, username=SOPORTE,
        oauth_token_url=f"{endpoint.url}/tenant-1/oauth2/v2.0/token",
        oauth_client_id="app-1", after_target="Procesados", **values)


@pytest.mark.django_db
def test_application_credentials_sign_in_with_xoauth2_and_fetch_mail(
        world, oauth_dovecot, token_endpoint):
    # given: Microsoft 365 app-only access
    account = _oauth_account(world, oauth_dovecot, token_endpoint,
                             auth=ImapAuth.OAUTH2_CLIENT, secret="secreto-app",
                             oauth_scope=oauth.MICROSOFT_IMAP_SCOPE)
    oauth_dovecot.append(SOPORTE, [eml("new-plain-es.eml")])

    # when
    report = imap.poll_account(account)

    # then: the token was asked for, then checked by the IMAP server
    assert (report.error, dict(report.actions)) == ("", {"created": 1})
    assert [r["path"] for r in token_endpoint.requests] == [
        "/tenant-1/oauth2/v2.0/token", "/introspect"]
    assert Ticket.objects.filter(title="La impresora del piso 2 no enciende").exists()


@pytest.mark.django_db
def test_a_refresh_token_signs_in_and_the_rotated_one_is_kept(world, oauth_dovecot,
                                                             token_endpoint):
    # given: Google-style delegated access
    account = _oauth_account(world, oauth_dovecot, token_endpoint,
                             auth=ImapAuth.OAUTH2_REFRESH, secret="secreto-app",
                             oauth_refresh_token="rt-1", oauth_scope=oauth.GOOGLE_IMAP_SCOPE)

    # when
    report = imap.poll_account(account)

    # then
    account.refresh_from_db()
    assert report.error == ""
    assert account.oauth_refresh_token == "rt-new-1"
    assert list(token_endpoint.refresh_tokens) == ["rt-new-1"]  # the old one is spent


@pytest.mark.django_db
def test_a_token_the_server_rejects_is_recorded_on_the_mailbox(world, oauth_dovecot,
                                                               token_endpoint, monkeypatch):
    # given: the endpoint hands out a token the IMAP server does not accept
    account = _oauth_account(world, oauth_dovecot, token_endpoint,
                             auth=ImapAuth.OAUTH2_CLIENT, secret="secreto-app",
                             oauth_scope=oauth.MICROSOFT_IMAP_SCOPE)

    # when
    report = imap.poll_account(account, token_source=lambda _account: "token-revocado")

    # then
    account.refresh_from_db()
    assert SOPORTE in report.error and account.last_error == report.error
    assert account.last_success_at is None


@pytest.mark.django_db
def test_a_refused_token_request_is_recorded_on_the_mailbox(world, oauth_dovecot,
                                                            token_endpoint):
    account = _oauth_account(world, oauth_dovecot, token_endpoint,
                             auth=ImapAuth.OAUTH2_CLIENT, secret="caducado",
                             oauth_scope=oauth.MICROSOFT_IMAP_SCOPE)

    imap.poll_account(account)

    account.refresh_from_db()
    assert "invalid_client: AADSTS7000215" in account.last_error
    assert [r["path"] for r in token_endpoint.requests] == ["/tenant-1/oauth2/v2.0/token"]
