"""Changing how a mailbox is read through Microsoft Graph: the Entra ID application's
tenant, client id and secret, and what happens to a message once stored."""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from atiende.core import services as core_services
from atiende.core.models import User
from atiende.errors import PermissionDenied, ValidationFailed
from atiende.mail import policies
from atiende.mail.graph_client import forget_tokens
from atiende.mail.models import GraphAfterProcessing, Mailbox

GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                  r"[0-9a-fA-F]{12}$")
# A tenant is named by its id or by one of its domains (contoso.onmicrosoft.com).
TENANT_DOMAIN = re.compile(r"^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+"
                           r"[a-z]{2,63}$")
SECRET_MAX = 512
FOLDER_MAX = 255
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _clean(value: Any) -> str:
    return str(value or "").strip()


def _checked(mailbox: Mailbox, *, enabled: bool, tenant_id: str, client_id: str,
             client_secret: str, after: str, move_to: str) -> dict[str, Any]:
    errors: dict[str, str] = {}
    tenant_id, client_id = _clean(tenant_id).lower(), _clean(client_id).lower()
    move_to, after = _clean(move_to), _clean(after) or GraphAfterProcessing.MARK_READ
    if tenant_id and not (GUID.match(tenant_id) or TENANT_DOMAIN.match(tenant_id)):
        errors["tenant_id"] = _("Enter the directory (tenant) ID as shown in Entra ID, "
                                "e.g. 72f988bf-86f1-41af-91ab-2d7cd011db47, or one of the "
                                "tenant's domains, e.g. contoso.onmicrosoft.com.")
    if client_id and not GUID.match(client_id):
        errors["client_id"] = _("Enter the application (client) ID as shown in Entra ID: "
                                "32 hexadecimal digits in five groups, e.g. "
                                "a1b2c3d4-e5f6-4a5b-8c9d-0e1f2a3b4c5d.")
    if len(client_secret) > SECRET_MAX or _CONTROL.search(client_secret):
        errors["client_secret"] = _("This is not a client secret value.")
    if after not in GraphAfterProcessing.values:
        errors["after"] = _("“%(value)s” is not a valid choice.") % {"value": after}
    if after == GraphAfterProcessing.MOVE and not move_to:
        errors["move_to"] = _("Name the folder messages are moved to (a folder id, or "
                              "archive, deleteditems…).")
    if len(move_to) > FOLDER_MAX or _CONTROL.search(move_to):
        errors["move_to"] = _("This is not a folder name or id.")
    if enabled:
        if not tenant_id:
            errors.setdefault("tenant_id", _("Required to read the mailbox through "
                                             "Microsoft Graph."))
        if not client_id:
            errors.setdefault("client_id", _("Required to read the mailbox through "
                                             "Microsoft Graph."))
        if not (client_secret or mailbox.graph_client_secret):
            errors.setdefault("client_secret", _("Required to read the mailbox through "
                                                 "Microsoft Graph."))
    if errors:
        raise ValidationFailed(errors)
    values = {"graph_enabled": bool(enabled), "graph_tenant_id": tenant_id,
              "graph_client_id": client_id, "graph_after": after,
              "graph_move_to": move_to if after == GraphAfterProcessing.MOVE else ""}
    if client_secret:
        values["graph_client_secret"] = client_secret
    return values


def mailbox_graph_update(*, actor: User, mailbox: Mailbox, enabled: bool, tenant_id: str,
                         client_id: str, client_secret: str = "", after: str = "",
                         move_to: str = "", channel: str = "web") -> Mailbox:
    """Read `mailbox` through Microsoft Graph (or stop). Organization admins only
    (PermissionDenied). A blank `client_secret` keeps the stored one. ValidationFailed
    names the field: a tenant that is neither an id nor a domain, a client id that is
    not one, a missing credential while enabled, a move without a folder. Another
    tenant or application starts the delta query afresh. One audit event, which says
    that the secret changed but never what it is."""
    if not policies.can_manage_mailboxes(actor, mailbox.organization_id):
        raise PermissionDenied()
    client_secret = str(client_secret or "").strip()
    with transaction.atomic():
        locked = Mailbox.objects.select_for_update().get(pk=mailbox.pk)
        values = _checked(locked, enabled=enabled, tenant_id=tenant_id, client_id=client_id,
                          client_secret=client_secret, after=after, move_to=move_to)
        secret_changed = "graph_client_secret" in values and (
            values.pop("graph_client_secret") != locked.graph_client_secret)
        changed = core_services.apply_changes(locked, values)
        if secret_changed:
            locked.graph_client_secret = client_secret
            changed["graph_client_secret"] = ["…", "…"]
        if {"graph_tenant_id", "graph_client_id"} & set(changed):
            locked.graph_delta_link = ""
        if changed:
            locked.graph_last_error = ""
            locked.save(update_fields=[*changed, "graph_delta_link", "graph_last_error"])
            core_services.audit(actor=actor, organization_id=locked.organization_id,
                                action="mailbox.graph_changed", target=locked,
                                changes=changed, channel=channel)
    if secret_changed:
        transaction.on_commit(forget_tokens)
    return locked
