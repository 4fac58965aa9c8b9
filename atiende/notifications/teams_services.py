"""Every change to an organization's Microsoft Teams channels, and the test card.
Organization admins only; each change writes one audit event (which never holds the
webhook URL: it is a secret, since whoever has it may post to the channel)."""

from __future__ import annotations

import ipaddress
import urllib.parse
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from atiende.core import policies as core_policies
from atiende.core import services as core_services
from atiende.core.models import Department, Organization, Team, User
from atiende.errors import PermissionDenied, ValidationFailed
from atiende.notifications.models import NotificationState, TeamsChannel, TeamsEvent, TeamsPost
from atiende.validation import is_loopback

NAME_MAX = 120
URL_MAX = 2000


def _private_address(host: str) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host == "localhost" or host.endswith(".localhost")
    return address.is_private or address.is_loopback or address.is_link_local


def webhook_url_checked(value: Any) -> str:
    """A Teams incoming webhook or Workflows URL: https, a public host, no credentials.
    Plain http is accepted only for a loopback host, and only where
    WEBHOOK_ALLOW_LOOPBACK is set (tests, development)."""
    url = str(value or "").strip()
    if not url:
        raise ValidationFailed({"webhook_url": _("Paste the channel's webhook URL.")})
    if len(url) > URL_MAX or any(ord(c) < 33 for c in url):
        raise ValidationFailed({"webhook_url": _("This is not a web address.")})
    parts = urllib.parse.urlsplit(url)
    host = (parts.hostname or "").lower()
    allow_loopback = settings.WEBHOOK_ALLOW_LOOPBACK and is_loopback(host)
    if parts.scheme != "https" and not (parts.scheme == "http" and allow_loopback):
        raise ValidationFailed({"webhook_url": _("The webhook URL must start with "
                                                 "https://.")}, code="insecure_url")
    if parts.username or parts.password:
        raise ValidationFailed({"webhook_url": _("The webhook URL must not hold a user "
                                                 "name or password.")})
    if allow_loopback:
        return url
    if _private_address(host):
        raise ValidationFailed({"webhook_url": _("The webhook URL must point to Microsoft "
                                                 "Teams or Power Automate, not to a private "
                                                 "address.")}, code="private_url")
    if "." not in host:
        raise ValidationFailed({"webhook_url": _("The webhook URL has no valid host.")})
    return url


def _events(values: Iterable[str]) -> list[str]:
    chosen = [str(value) for value in values or []]
    unknown = sorted(set(chosen) - set(TeamsEvent.values))
    if unknown:
        raise ValidationFailed({"events": _("“%(value)s” is not a valid choice.") % {
            "value": unknown[0]}})
    if not chosen:
        raise ValidationFailed({"events": _("Choose at least one event.")})
    return [value for value in TeamsEvent.values if value in chosen]


def _checked(organization: Organization, values: Mapping[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    checked: dict[str, Any] = {}
    name = " ".join(str(values.get("name") or "").split())
    if not name:
        errors["name"] = _("This field is required.")
    elif len(name) > NAME_MAX:
        errors["name"] = _("At most %(count)d characters.") % {"count": NAME_MAX}
    checked["name"] = name
    department: Department | None = values.get("department")
    if department is None or department.organization_id != organization.pk \
            or not department.is_active:
        errors["department"] = _("Choose one of the organization's departments.")
    checked["department"] = department
    team: Team | None = values.get("team")
    if team is not None and (department is None or team.department_id != department.pk
                             or not team.is_active):
        errors["team"] = _("This team does not belong to the department.")
    checked["team"] = team
    for field, check in (("webhook_url", webhook_url_checked), ("events", _events)):
        if field not in values:
            continue
        try:
            checked[field] = check(values[field])
        except ValidationFailed as error:
            errors.update(error.fields)
    checked["is_active"] = bool(values.get("is_active", True))
    if errors:
        raise ValidationFailed(errors)
    return checked


def _allowed(actor: User, organization_id: int) -> None:
    if not core_policies.can_administer(actor, organization_id):
        raise PermissionDenied()


def teams_channel_create(*, actor: User, organization: Organization, name: str,
                         department: Department, webhook_url: str, events: Iterable[str],
                         team: Team | None = None, is_active: bool = True,
                         channel: str = "web") -> TeamsChannel:
    """A Teams channel of `organization`. PermissionDenied for anyone but its admins;
    ValidationFailed names the field (a URL that is not https, a department of
    another organization, a team of another department, no event). One audit event."""
    _allowed(actor, organization.pk)
    values = _checked(organization, {"name": name, "department": department, "team": team,
                                     "webhook_url": webhook_url, "events": events,
                                     "is_active": is_active})
    with transaction.atomic():
        created = TeamsChannel.objects.create(organization=organization, **values)
        core_services.audit(actor=actor, organization_id=organization.pk,
                            action="teams_channel.created", target=created,
                            changes={"name": [None, created.name]}, channel=channel)
    return created


def teams_channel_update(*, actor: User, teams_channel: TeamsChannel,
                         changes: Mapping[str, Any], channel: str = "web") -> TeamsChannel:
    """Change a channel; the same checks as `teams_channel_create`. A blank
    `webhook_url` keeps the stored one. One audit event naming what changed."""
    _allowed(actor, teams_channel.organization_id)
    with transaction.atomic():
        locked = TeamsChannel.objects.select_for_update().get(pk=teams_channel.pk)
        merged = {"name": locked.name, "department": locked.department, "team": locked.team,
                  "events": locked.events, "is_active": locked.is_active, **changes}
        if not str(merged.get("webhook_url") or "").strip():
            merged.pop("webhook_url", None)
        values = _checked(locked.organization, merged)
        new_url = values.pop("webhook_url", None)
        changed = core_services.apply_changes(locked, values)
        if new_url is not None and new_url != locked.webhook_url:
            locked.webhook_url = new_url
            changed["webhook_url"] = ["…", "…"]
        if changed:
            locked.save()
            core_services.audit(actor=actor, organization_id=locked.organization_id,
                                action="teams_channel.updated", target=locked,
                                changes=changed, channel=channel)
    return locked


def teams_channel_delete(*, actor: User, teams_channel: TeamsChannel,
                         channel: str = "web") -> None:
    _allowed(actor, teams_channel.organization_id)
    with transaction.atomic():
        core_services.audit(actor=actor, organization_id=teams_channel.organization_id,
                            action="teams_channel.deleted", target=teams_channel,
                            changes={"name": [teams_channel.name, None]}, channel=channel)
        teams_channel.delete()


def teams_test_card(*, actor: User, teams_channel: TeamsChannel,
                    channel: str = "web") -> TeamsPost:
    """Queue a test card to the channel (posted after commit, with retries)."""
    from atiende.notifications.teams import TEST_KIND, post_to_teams

    _allowed(actor, teams_channel.organization_id)
    with transaction.atomic():
        post = TeamsPost.objects.create(channel=teams_channel, kind=TEST_KIND,
                                        state=NotificationState.QUEUED)
        core_services.audit(actor=actor, organization_id=teams_channel.organization_id,
                            action="teams_channel.tested", target=teams_channel,
                            channel=channel)
        transaction.on_commit(lambda: post_to_teams.enqueue(post_id=post.pk))
    return post
