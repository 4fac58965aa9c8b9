"""How a built e-mail leaves: the transport an organization chose (`OutboundMailSettings`).

- SMTP (the default): any Django mail backend (SMTP, or files without EMAIL_HOST), or
  the organization's own SMTP server when it set one (`smtp_host`): TLS or STARTTLS,
  signed in with a password or with OAuth2 (SASL XOAUTH2, the access token from
  `atiende.mail.oauth`, as for IMAP).
- Microsoft Graph: `POST /users/{sender}/sendMail` with the whole MIME message, base64,
  as `Content-Type: text/plain`. Sent as MIME, every header survives as written
  (Message-ID, In-Reply-To, References, Auto-Submitted), which Graph's JSON form would
  not allow (it takes only custom `x-` headers). Graph sends as the sending mailbox:
  its address becomes the From, and the department's mailbox stays the Reply-To, so
  answers still come back to the desk.

A transport raises on failure; `delivery.deliver` records it and retries with backoff.
"""

from __future__ import annotations

import base64
import copy
import email.policy
import smtplib
import ssl
from email.headerregistry import Address
from typing import Protocol

from django.core.mail import EmailMessage as DjangoEmailMessage
from django.core.mail import get_connection

from atiende.core import secrets
from atiende.mail import oauth
from atiende.mail.graph import credentials_of
from atiende.mail.graph_client import graph_url, request, segment
from atiende.mail.models import Mailbox
from atiende.notifications.models import (
    MailTransport,
    OutboundMailSettings,
    SmtpAuth,
    SmtpSecurity,
)

SMTP_TIMEOUT_SECONDS = 30


class Transport(Protocol):
    def send(self, message, *, envelope_from: str, recipient: str) -> None: ...


class _Prebuilt(DjangoEmailMessage):
    """Hands a message built by `delivery` to any Django mail backend."""

    def __init__(self, message, envelope_from: str, to: str) -> None:
        super().__init__(from_email=envelope_from, to=[to])
        self.prebuilt = message

    def message(self, *args, **kwargs):
        return self.prebuilt


class SmtpTransport:
    def send(self, message, *, envelope_from: str, recipient: str) -> None:
        with get_connection(fail_silently=False) as connection:
            sent = connection.send_messages([_Prebuilt(message, envelope_from, recipient)])
        if not sent:
            raise RuntimeError("The mail backend did not accept the message.")


class SmtpFailed(Exception):
    """What went wrong with an organization's SMTP server, in words for its admin."""


class OwnSmtpTransport:
    """The organization's own SMTP server (`OutboundMailSettings.smtp_*`)."""

    def __init__(self, chosen: OutboundMailSettings) -> None:
        self.chosen = chosen

    def _connect(self) -> smtplib.SMTP:
        chosen = self.chosen
        context = ssl.create_default_context()
        if chosen.smtp_security == SmtpSecurity.TLS:
            return smtplib.SMTP_SSL(chosen.smtp_host, chosen.smtp_port, context=context,
                                    timeout=SMTP_TIMEOUT_SECONDS)
        server = smtplib.SMTP(chosen.smtp_host, chosen.smtp_port,
                              timeout=SMTP_TIMEOUT_SECONDS)
        if chosen.smtp_security == SmtpSecurity.STARTTLS:
            server.starttls(context=context)
        return server

    def access_token(self) -> str:
        """An OAuth2 access token for the server; a refresh token the provider rotates
        is kept for next time."""
        chosen = self.chosen
        refreshing = chosen.smtp_auth == SmtpAuth.OAUTH2_REFRESH
        token = oauth.request_token(
            token_url=chosen.smtp_oauth_token_url, client_id=chosen.smtp_oauth_client_id,
            client_secret=secrets.reveal(chosen.smtp_secret), scope=chosen.smtp_oauth_scope,
            refresh_token=secrets.reveal(chosen.smtp_oauth_refresh_token) if refreshing else "")
        if refreshing and token.refresh_token \
                and token.refresh_token != chosen.smtp_oauth_refresh_token:
            OutboundMailSettings.objects.filter(pk=chosen.pk).update(
                smtp_oauth_refresh_token=token.refresh_token)
            chosen.smtp_oauth_refresh_token = token.refresh_token
        return token.access_token

    def _sign_in(self, server: smtplib.SMTP) -> None:
        chosen = self.chosen
        if chosen.smtp_auth == SmtpAuth.NONE:
            return
        if chosen.smtp_auth == SmtpAuth.PASSWORD:
            server.login(chosen.smtp_username, secrets.reveal(chosen.smtp_secret))
            return
        initial = oauth.xoauth2(chosen.smtp_username, self.access_token()).decode()
        # The first answer is the token; a second challenge is the server's error
        # report, to which the client answers empty (RFC 7628).
        server.auth("XOAUTH2", lambda challenge=None: "" if challenge else initial)

    def send(self, message, *, envelope_from: str, recipient: str) -> None:
        chosen = self.chosen
        where = f"{chosen.smtp_host}:{chosen.smtp_port}"
        try:
            with self._connect() as server:
                server.ehlo_or_helo_if_needed()
                self._sign_in(server)
                server.sendmail(envelope_from, [recipient],
                                message.as_bytes(policy=email.policy.SMTP))
        except smtplib.SMTPAuthenticationError as error:
            raise SmtpFailed(f"{where} refused to sign in {chosen.smtp_username}: "
                             f"{error.smtp_code} {_said(error.smtp_error)}") from None
        except smtplib.SMTPResponseException as error:
            raise SmtpFailed(f"{where} answered {error.smtp_code} "
                             f"{_said(error.smtp_error)}") from None
        except smtplib.SMTPRecipientsRefused as error:
            code, said = next(iter(error.recipients.values()))
            raise SmtpFailed(f"{where} refused {recipient}: {code} {_said(said)}") from None
        except oauth.TokenError as error:
            raise SmtpFailed(f"Could not get an OAuth2 access token: {error}") from None
        except secrets.SecretUnreadable as error:
            raise SmtpFailed(str(error)) from None
        except (smtplib.SMTPException, ssl.SSLError, OSError) as error:
            raise SmtpFailed(f"{where}: {error or type(error).__name__}") from None


def _said(text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return " ".join(str(text).split())[:500]


class GraphTransport:
    def __init__(self, mailbox: Mailbox) -> None:
        self.mailbox = mailbox

    def mime(self, message) -> bytes:
        """The message as Graph will send it: from the sending mailbox."""
        sending = copy.deepcopy(message)
        current = message["From"].addresses[0] if message["From"] else None
        if current is None or current.addr_spec.lower() != self.mailbox.address:
            del sending["From"]
            sending["From"] = Address(display_name=current.display_name if current else "",
                                      addr_spec=self.mailbox.address)
        return sending.as_bytes(policy=email.policy.SMTP)

    def send(self, message, *, envelope_from: str, recipient: str) -> None:
        body = base64.b64encode(self.mime(message))
        request(credentials_of(self.mailbox), "POST",
                graph_url(f"/users/{segment(self.mailbox.address)}/sendMail"),
                body=body, content_type="text/plain", expect=(202,))


class UnusableTransport:
    """Graph was chosen but its sending mailbox is gone or inactive: every attempt fails
    with the reason, visible in the delivery log, until an admin fixes it."""

    def send(self, message, *, envelope_from: str, recipient: str) -> None:
        raise RuntimeError("The organization sends through Microsoft 365, but its sending "
                           "mailbox is missing or inactive.")


def transport_for(organization_id: int) -> Transport:
    """The organization's chosen transport (SMTP when it chose none)."""
    chosen = (OutboundMailSettings.objects.select_related("graph_mailbox")
              .filter(organization_id=organization_id).first())
    if chosen is None or chosen.transport != MailTransport.GRAPH:
        return OwnSmtpTransport(chosen) if chosen and chosen.smtp_host else SmtpTransport()
    mailbox = chosen.graph_mailbox
    if mailbox is None or not mailbox.is_active:
        return UnusableTransport()
    return GraphTransport(mailbox)
