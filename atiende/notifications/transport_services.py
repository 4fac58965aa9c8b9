"""Choosing how an organization's e-mail notifications leave (SMTP or Microsoft Graph)."""

from __future__ import annotations

import email.policy
import re
import urllib.parse
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from atiende.core import policies as core_policies
from atiende.core import services as core_services
from atiende.core.models import Organization, User
from atiende.errors import PermissionDenied, ValidationFailed
from atiende.mail.models import Mailbox
from atiende.notifications.models import (
    MailTransport,
    OutboundMailSettings,
    SmtpAuth,
    SmtpSecurity,
)
from atiende.notifications.transport import transport_for


def outbound_mail_set(*, actor: User, organization: Organization, transport: str,
                      graph_mailbox: Mailbox | None = None,
                      channel: str = "web") -> OutboundMailSettings:
    """Send `organization`'s e-mail by SMTP, or through Microsoft Graph as one of its
    active mailboxes that holds an application's credentials (tenant, client, secret).
    PermissionDenied for anyone but its admins; ValidationFailed names the field. One
    audit event when something changed."""
    if not core_policies.can_administer(actor, organization.pk):
        raise PermissionDenied()
    if transport not in MailTransport.values:
        raise ValidationFailed({"transport": _("“%(value)s” is not a valid choice.") % {
            "value": transport}})
    if transport == MailTransport.GRAPH:
        if graph_mailbox is None or graph_mailbox.organization_id != organization.pk \
                or not graph_mailbox.is_active:
            raise ValidationFailed({"graph_mailbox": _("Choose one of the organization's "
                                                       "active mailboxes.")})
        if not (graph_mailbox.graph_tenant_id and graph_mailbox.graph_client_id
                and graph_mailbox.graph_client_secret):
            raise ValidationFailed({"graph_mailbox": _(
                "This mailbox has no Microsoft 365 credentials yet: set them in its "
                "Microsoft 365 settings first.")}, code="no_credentials")
    else:
        graph_mailbox = None
    with transaction.atomic():
        current, _created = OutboundMailSettings.objects.select_for_update().get_or_create(
            organization=organization)
        changed = core_services.apply_changes(current, {"transport": transport,
                                                        "graph_mailbox": graph_mailbox})
        if changed:
            current.updated_at = timezone.now()
            current.save()
            core_services.audit(actor=actor, organization_id=organization.pk,
                                action="outbound_mail.changed", target=current,
                                changes=changed, channel=channel)
    return current


# --- the organization's own SMTP server ------------------------------------------------

SMTP_SETTINGS = ("smtp_host", "smtp_port", "smtp_security", "smtp_username", "smtp_auth",
                 "smtp_secret", "smtp_oauth_token_url", "smtp_oauth_client_id",
                 "smtp_oauth_scope", "smtp_oauth_refresh_token")
# Write-only: a blank value keeps the stored one; the audit says only that it changed.
SMTP_SECRETS = frozenset({"smtp_secret", "smtp_oauth_refresh_token"})
_HOST = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _smtp_checked(values: Mapping[str, Any], current: OutboundMailSettings) -> dict[str, Any]:
    """The SMTP settings to store, or ValidationFailed naming every wrong field. A blank
    host means the server's own mail settings (the rest is then kept but unused)."""
    errors: dict[str, str] = {}
    checked: dict[str, Any] = {}
    for name in SMTP_SETTINGS:
        raw = values.get(name, "")
        checked[name] = raw.strip() if isinstance(raw, str) else raw
    host = checked["smtp_host"] or ""
    if host and not _HOST.match(host):
        errors["smtp_host"] = _("Enter a host name or an IP address.")
    try:
        port = int(checked["smtp_port"] or 0)
    except (TypeError, ValueError):
        port = 0
    if not 1 <= port <= 65535:
        errors["smtp_port"] = _("Enter a port between 1 and 65535.")
    checked["smtp_port"] = port
    if checked["smtp_security"] not in SmtpSecurity.values:
        errors["smtp_security"] = _("Choose one of the options.")
    auth = checked["smtp_auth"]
    if auth not in SmtpAuth.values:
        errors["smtp_auth"] = _("Choose one of the options.")
    for name in ("smtp_username", "smtp_secret", "smtp_oauth_client_id", "smtp_oauth_scope",
                 "smtp_oauth_refresh_token"):
        value = checked[name] or ""
        if _CONTROL.search(value) or len(value) > 4000:
            errors[name] = _("This value is not valid.")
    url = checked["smtp_oauth_token_url"] or ""
    if url and urllib.parse.urlsplit(url).scheme not in {"https", "http"}:
        errors["smtp_oauth_token_url"] = _("Enter an http(s) address.")

    def stored(name: str) -> bool:
        return bool(checked[name] or getattr(current, name))

    required = _("Required for this way of signing in.")
    if host and auth != SmtpAuth.NONE and not checked["smtp_username"]:
        errors.setdefault("smtp_username", required)
    if host and auth in (SmtpAuth.PASSWORD, SmtpAuth.OAUTH2_CLIENT) \
            and not stored("smtp_secret"):
        errors.setdefault("smtp_secret", required)
    if host and auth in (SmtpAuth.OAUTH2_CLIENT, SmtpAuth.OAUTH2_REFRESH):
        for name in ("smtp_oauth_token_url", "smtp_oauth_client_id"):
            if not checked[name]:
                errors.setdefault(name, required)
    if host and auth == SmtpAuth.OAUTH2_REFRESH and not stored("smtp_oauth_refresh_token"):
        errors.setdefault("smtp_oauth_refresh_token", required)
    if errors:
        raise ValidationFailed(errors)
    for name in SMTP_SECRETS:
        if not checked[name]:
            checked.pop(name)
    return checked


def outbound_smtp_set(*, actor: User, organization: Organization, values: Mapping[str, Any],
                      channel: str = "web") -> OutboundMailSettings:
    """Send `organization`'s e-mail through its own SMTP server (a blank host: the
    server's mail settings). PermissionDenied for anyone but its admins;
    ValidationFailed names each wrong field; a blank secret keeps the stored one. One
    audit event naming what changed (secrets only as "changed")."""
    if not core_policies.can_administer(actor, organization.pk):
        raise PermissionDenied()
    with transaction.atomic():
        current, _created = OutboundMailSettings.objects.select_for_update().get_or_create(
            organization=organization)
        checked = _smtp_checked(values, current)
        new_secrets = {name: checked.pop(name) for name in SMTP_SECRETS if name in checked}
        changed = core_services.apply_changes(current, checked)
        for name, value in new_secrets.items():
            if value != getattr(current, name):
                setattr(current, name, value)
                changed[name] = ["…", "…"]
        if changed:
            current.updated_at = timezone.now()
            current.save()
            core_services.audit(actor=actor, organization_id=organization.pk,
                                action="outbound_mail.smtp_changed", target=current,
                                changes=changed, channel=channel)
    return current


def outbound_mail_test(*, actor: User, organization: Organization) -> str:
    """Send a short test e-mail to the actor, now, the way the organization's
    notifications leave; the address it went to. PermissionDenied for anyone but its
    admins; ValidationFailed (`transport`) with the server's or provider's own words
    when sending failed. Writes nothing."""
    if not core_policies.can_administer(actor, organization.pk):
        raise PermissionDenied()
    sender = settings.DEFAULT_FROM_EMAIL
    message = EmailMessage(policy=email.policy.default)
    message["From"] = sender
    message["To"] = actor.email
    message["Subject"] = _("Atiende test e-mail for %(organization)s") % {
        "organization": organization.name}
    message["Message-ID"] = make_msgid(domain="atiende.localhost")
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(_("This e-mail shows that %(organization)s's notifications can "
                          "be sent. Nothing needs to be done.") % {
        "organization": organization.name})
    try:
        transport_for(organization.pk).send(message, envelope_from=sender,
                                            recipient=actor.email)
    except Exception as error:  # the admin reads the reason; nothing was written
        raise ValidationFailed({"transport": _("The test e-mail could not be sent: "
                                               "%(detail)s") % {"detail": error}},
                               code="send_failed") from None
    return actor.email
