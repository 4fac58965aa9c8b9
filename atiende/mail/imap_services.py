"""The IMAP settings of a mailbox: one service that creates or changes them. The
polling itself is in `atiende.mail.imap`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from django.db import transaction
from django.utils.translation import gettext as _

from atiende.core import services as core_services
from atiende.core.models import User
from atiende.errors import PermissionDenied, ValidationFailed
from atiende.mail import policies
from atiende.mail.imap import valid_keyword
from atiende.mail.models import ImapAccount, ImapAfter, ImapAuth, ImapSecurity, Mailbox
from atiende.validation import is_loopback

# What an administrator sets; the secrets are write-only (a blank value keeps the
# stored one) and never appear in the audit trail.
SETTINGS = ("is_enabled", "host", "port", "security", "username", "auth", "secret",
            "oauth_token_url", "oauth_client_id", "oauth_scope", "oauth_refresh_token",
            "folder", "after", "after_target")
SECRETS = frozenset({"secret", "oauth_refresh_token"})
# Changing any of these points at another folder: its UIDs start again.
WHERE = ("host", "port", "username", "folder")

_HOST = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$|^\[?[0-9a-fA-F:.]+\]?$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _text(values: Mapping[str, Any], name: str, max_length: int) -> str:
    value = values.get(name)
    return "" if value is None else str(value).strip()[:max_length + 1]


def _checked(values: Mapping[str, Any], current: ImapAccount | None) -> dict[str, Any]:
    errors: dict[str, str] = {}
    checked: dict[str, Any] = {"is_enabled": bool(values.get("is_enabled", True))}
    required = _("This field is required.")

    host = _text(values, "host", 253)
    if not host:
        errors["host"] = required
    elif len(host) > 253 or not _HOST.match(host):
        errors["host"] = _("Enter a server name such as imap.example.com.")
    checked["host"] = host

    try:
        port = int(values.get("port") or 0)
    except (TypeError, ValueError):
        port = 0
    if not 1 <= port <= 65535:
        errors["port"] = _("Enter a port between 1 and 65535.")
    checked["port"] = port

    security = values.get("security") or ImapSecurity.TLS
    if security not in ImapSecurity.values:
        errors["security"] = _("“%(value)s” is not a valid choice.") % {"value": security}
    elif security == ImapSecurity.NONE and host and not is_loopback(host):
        errors["security"] = _("Without TLS the password would cross the network in the "
                               "clear: only a server on this machine may go without it.")
    checked["security"] = security

    checked["username"] = _text(values, "username", 254)
    if not checked["username"]:
        errors["username"] = required
    elif len(checked["username"]) > 254 or _CONTROL.search(checked["username"]):
        errors["username"] = _("Enter the user name the server expects.")

    auth = values.get("auth") or ImapAuth.PASSWORD
    if auth not in ImapAuth.values:
        errors["auth"] = _("“%(value)s” is not a valid choice.") % {"value": auth}
    checked["auth"] = auth

    # Secrets: a blank value keeps what is stored.
    for name in SECRETS:
        given = str(values.get(name) or "")
        if _CONTROL.search(given):
            errors[name] = _("This value may not contain control characters.")
        checked[name] = given if given else (getattr(current, name) if current else "")

    for name, max_length in (("oauth_token_url", 500), ("oauth_client_id", 200),
                             ("oauth_scope", 500)):
        checked[name] = _text(values, name, max_length)
        if len(checked[name]) > max_length:
            errors[name] = _("At most %(count)d characters.") % {"count": max_length}

    if auth == ImapAuth.PASSWORD:
        if not checked["secret"]:
            errors["secret"] = required
    elif auth in ImapAuth.values:
        url = checked["oauth_token_url"]
        if not url:
            errors["oauth_token_url"] = required
        elif not _token_url_allowed(url):
            errors["oauth_token_url"] = _("Enter the https:// address of the token endpoint.")
        if not checked["oauth_client_id"]:
            errors["oauth_client_id"] = required
        if auth == ImapAuth.OAUTH2_CLIENT and not checked["secret"]:
            errors["secret"] = required
        if auth == ImapAuth.OAUTH2_REFRESH and not checked["oauth_refresh_token"]:
            errors["oauth_refresh_token"] = required

    checked["folder"] = _text(values, "folder", 200) or "INBOX"
    if len(checked["folder"]) > 200 or _CONTROL.search(checked["folder"]):
        errors["folder"] = _("Enter a folder name such as INBOX.")

    after = values.get("after") or ImapAfter.MOVE
    target = _text(values, "after_target", 200)
    if after not in ImapAfter.values:
        errors["after"] = _("“%(value)s” is not a valid choice.") % {"value": after}
    elif after == ImapAfter.MOVE:
        if not target or len(target) > 200 or _CONTROL.search(target):
            errors["after_target"] = _("Enter the folder processed messages are moved to.")
        elif target == checked["folder"]:
            errors["after_target"] = _("Messages must be moved to another folder than the "
                                       "one polled.")
    elif after == ImapAfter.KEYWORD and not valid_keyword(target):
        errors["after_target"] = _("Enter a keyword of letters, digits, “_”, “-” or “.”.")
    checked["after"] = after
    checked["after_target"] = target if after != ImapAfter.SEEN else ""
    if errors:
        raise ValidationFailed(errors)
    return checked


def _token_url_allowed(url: str) -> bool:
    parts = urlsplit(url)
    if not parts.hostname:
        return False
    return parts.scheme == "https" or (parts.scheme == "http" and is_loopback(parts.hostname))


def imap_account_set(*, actor: User, mailbox: Mailbox, values: Mapping[str, Any],
                     channel: str = "web") -> ImapAccount:
    """Create or change the mailbox's IMAP settings. Organization admins only
    (PermissionDenied); ValidationFailed names each wrong field (no TLS to a server
    that is not this machine, an OAuth2 sign-in without its endpoint, client or
    secret, a move to the folder polled, ...). Pointing at another server, user or
    folder starts its UIDs again. One audit event with what changed (secrets only as
    "changed"), none when nothing did."""
    if not policies.can_manage_mailboxes(actor, mailbox.organization_id):
        raise PermissionDenied()
    unknown = sorted(set(values) - set(SETTINGS))
    if unknown:
        raise ValidationFailed({name: _("Unknown field.") for name in unknown},
                               code="unknown_field")
    with transaction.atomic():
        current = ImapAccount.objects.select_for_update().filter(mailbox=mailbox).first()
        checked = _checked(values, current)
        if current is None:
            account = ImapAccount.objects.create(mailbox=mailbox, **checked)
            changes = {name: [None, "***" if name in SECRETS else value]
                       for name, value in checked.items() if value not in ("", None)}
        else:
            account = current
            changes = core_services.apply_changes(account, checked)
            if changes:
                fields = list(changes)
                if any(name in changes for name in WHERE):
                    account.uid_validity, account.last_uid = None, 0
                    fields += ["uid_validity", "last_uid"]
                account.save(update_fields=fields)
            changes = {name: (["***", "***"] if name in SECRETS else change)
                       for name, change in changes.items()}
        if changes:
            core_services.audit(actor=actor, organization_id=mailbox.organization_id,
                                 action="mailbox.imap_changed", target=mailbox,
                                 changes=changes, channel=channel)
    return account
