"""Every change to internal targets: OLA targets (per team and priority) and
underpinning contracts (per supplier). Organization admins and provider admins only,
as for SLA policies; all field errors at once; one AuditEvent per change; the clocks
of the organization's open tickets rebuilt after commit.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from atiende.core import services as core_services
from atiende.core.models import Organization, Team, User
from atiende.errors import PermissionDenied, ValidationFailed
from atiende.sla import policies
from atiende.sla.models import OlaTarget, UnderpinningContract
from atiende.sla.policy_services import (
    MAX_TARGET_MINUTES,
    _calendar,
    _priority,
    _rebuild_after_commit,
)
from atiende.sla.services import _Errors
from atiende.tickets.models import PendingReason
from atiende.validation import text

AUDIT_ACTIONS = {
    "ola_target.created": gettext_lazy("OLA target created"),
    "ola_target.updated": gettext_lazy("OLA target changed"),
    "ola_target.deleted": gettext_lazy("OLA target deleted"),
    "underpinning_contract.created": gettext_lazy("Underpinning contract created"),
    "underpinning_contract.updated": gettext_lazy("Underpinning contract changed"),
    "underpinning_contract.deleted": gettext_lazy("Underpinning contract deleted"),
}
OLA_FIELDS = {"team", "priority", "calendar", "response_minutes", "resolution_minutes"}
CONTRACT_FIELDS = {"supplier", "pending_reason", "calendar", "target_minutes"}
# Waiting for the requester is never a third party's time.
THIRD_PARTY_REASONS = tuple(value for value in PendingReason.values
                            if value != PendingReason.AWAITING_REQUESTER)


def _require_admin(actor: User, organization: Organization | int) -> None:
    if not policies.can_manage_calendars(actor, organization):
        raise PermissionDenied()


def _minutes(value: Any, field: str, *, required: bool = True) -> int | None:
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationFailed({field: _("Give a whole number of working minutes.")},
                               code="invalid_target")
    if value <= 0:
        raise ValidationFailed({field: _("Use more than 0 minutes (it is %(value)d).")
                                % {"value": value}}, code="target_not_positive")
    if value > MAX_TARGET_MINUTES:
        raise ValidationFailed({field: _("Use at most %(count)d minutes (a year).")
                                % {"count": MAX_TARGET_MINUTES}}, code="target_too_long")
    return value


def _team(value: Any, organization: Organization) -> Team:
    if not isinstance(value, Team) or not value.department.serves(organization):
        raise ValidationFailed({"team": _("Choose a team of a department that serves "
                                          "%(name)s.") % {"name": organization.name}},
                               code="invalid_team")
    return value


def _validated(organization: Organization, merged: Mapping[str, Any], steps: dict
               ) -> dict[str, Any]:
    errors = _Errors()
    values = {name: errors.check(step) for name, step in steps.items()}
    errors.raise_any()
    return {**merged, **values}


# --- OLA targets ----------------------------------------------------------------------------


def _ola_values(organization: Organization, merged: Mapping[str, Any], pk: int | None
                ) -> dict[str, Any]:
    values = _validated(organization, merged, {
        "team": lambda: _team(merged.get("team"), organization),
        "priority": lambda: _priority(merged.get("priority"), "priority"),
        "calendar": lambda: _calendar(merged.get("calendar"), organization),
        "response_minutes": lambda: _minutes(merged.get("response_minutes"),
                                             "response_minutes", required=False),
        "resolution_minutes": lambda: _minutes(merged.get("resolution_minutes"),
                                               "resolution_minutes"),
    })
    twins = OlaTarget.objects.filter(organization=organization, team=values["team"],
                                     priority=values["priority"])
    if twins.exclude(pk=pk).exists():
        raise ValidationFailed({"priority": _(
            "The team “%(team)s” already has an OLA target for P%(priority)d.")
            % {"team": values["team"].name, "priority": values["priority"]}},
            code="duplicate_ola")
    return values


def ola_target_create(*, actor: User, organization: Organization, team: Team | None,
                      priority: Any, calendar: Any, resolution_minutes: Any,
                      response_minutes: Any = None, channel: str = "web") -> OlaTarget:
    """What `team` promises for `organization`'s tickets of `priority` while it has
    them. Raises PermissionDenied, ValidationFailed (fields as named here; codes
    `invalid_team`, `target_not_positive`, `duplicate_ola`, ...)."""
    _require_admin(actor, organization)
    with transaction.atomic():
        Organization.objects.select_for_update().filter(pk=organization.pk).first()
        values = _ola_values(organization, {
            "team": team, "priority": priority, "calendar": calendar,
            "response_minutes": response_minutes, "resolution_minutes": resolution_minutes,
        }, None)
        ola = OlaTarget.objects.create(organization=organization, **values)
        core_services.audit(actor=actor, organization_id=organization.pk,
                            action="ola_target.created", target=ola, channel=channel,
                            changes={"team": [None, ola.team.name],
                                     "priority": [None, ola.priority]})
        _rebuild_after_commit(organization.pk)
    return ola


def ola_target_update(*, actor: User, ola: OlaTarget, changes: Mapping[str, Any],
                      channel: str = "web") -> OlaTarget:
    _require_admin(actor, ola.organization_id)
    unknown = sorted(set(changes) - OLA_FIELDS)
    if unknown:
        raise ValidationFailed({name: _("Unknown field.") for name in unknown},
                               code="unknown_field")
    with transaction.atomic():
        Organization.objects.select_for_update().filter(pk=ola.organization_id).first()
        ola = OlaTarget.objects.select_for_update().select_related(
            "organization", "team", "calendar").get(pk=ola.pk)
        current = {name: getattr(ola, name) for name in OLA_FIELDS}
        values = _ola_values(ola.organization, {**current, **changes}, ola.pk)
        changed = {name: [_plain(current[name]), _plain(values[name])]
                   for name in OLA_FIELDS if values[name] != current[name]}
        if not changed:
            return ola
        for name in changed:
            setattr(ola, name, values[name])
        ola.updated_at = timezone.now()
        ola.save()
        core_services.audit(actor=actor, organization_id=ola.organization_id,
                            action="ola_target.updated", target=ola, changes=changed,
                            channel=channel)
        _rebuild_after_commit(ola.organization_id)
    return ola


def ola_target_delete(*, actor: User, ola: OlaTarget, channel: str = "web") -> None:
    """Delete an OLA target and the clocks measured against it."""
    _require_admin(actor, ola.organization_id)
    with transaction.atomic():
        core_services.audit(actor=actor, organization_id=ola.organization_id,
                            action="ola_target.deleted", target=ola, channel=channel)
        ola.delete()


# --- underpinning contracts -----------------------------------------------------------------


def _supplier(value: Any, organization: Organization, pk: int | None) -> str:
    supplier = text(value, "supplier", max_length=120)
    others = UnderpinningContract.objects.filter(organization=organization).exclude(pk=pk)
    if any(other.casefold() == supplier.casefold()
           for other in others.values_list("supplier", flat=True)):
        raise ValidationFailed({"supplier": _("This organization already has a contract with "
                                              "this supplier.")}, code="duplicate_contract")
    return supplier


def _third_party_reason(value: Any, organization: Organization, pk: int | None) -> str:
    if value not in THIRD_PARTY_REASONS:
        raise ValidationFailed({"pending_reason": _(
            "Choose a pending reason that means waiting for a third party.")},
            code="invalid_choice")
    twin = (UnderpinningContract.objects.filter(organization=organization,
                                                pending_reason=value)
            .exclude(pk=pk).first())
    if twin is not None:
        raise ValidationFailed({"pending_reason": _(
            "The contract with “%(supplier)s” already counts this pending reason.")
            % {"supplier": twin.supplier}}, code="duplicate_contract_reason")
    return value


def _contract_values(organization: Organization, merged: Mapping[str, Any], pk: int | None
                     ) -> dict[str, Any]:
    return _validated(organization, merged, {
        "supplier": lambda: _supplier(merged.get("supplier"), organization, pk),
        "pending_reason": lambda: _third_party_reason(merged.get("pending_reason"),
                                                      organization, pk),
        "calendar": lambda: _calendar(merged.get("calendar"), organization),
        "target_minutes": lambda: _minutes(merged.get("target_minutes"), "target_minutes"),
    })


def contract_create(*, actor: User, organization: Organization, supplier: Any,
                    pending_reason: Any, calendar: Any, target_minutes: Any,
                    channel: str = "web") -> UnderpinningContract:
    """A contract with a supplier: time pending for `pending_reason` is with them.
    Raises PermissionDenied, ValidationFailed (`duplicate_contract`,
    `duplicate_contract_reason`, `target_not_positive`, ...)."""
    _require_admin(actor, organization)
    with transaction.atomic():
        Organization.objects.select_for_update().filter(pk=organization.pk).first()
        values = _contract_values(organization, {
            "supplier": supplier, "pending_reason": pending_reason, "calendar": calendar,
            "target_minutes": target_minutes}, None)
        contract = UnderpinningContract.objects.create(organization=organization, **values)
        core_services.audit(actor=actor, organization_id=organization.pk,
                            action="underpinning_contract.created", target=contract,
                            channel=channel, changes={"supplier": [None, contract.supplier]})
        _rebuild_after_commit(organization.pk)
    return contract


def contract_update(*, actor: User, contract: UnderpinningContract,
                    changes: Mapping[str, Any], channel: str = "web") -> UnderpinningContract:
    _require_admin(actor, contract.organization_id)
    unknown = sorted(set(changes) - CONTRACT_FIELDS)
    if unknown:
        raise ValidationFailed({name: _("Unknown field.") for name in unknown},
                               code="unknown_field")
    with transaction.atomic():
        Organization.objects.select_for_update().filter(pk=contract.organization_id).first()
        contract = UnderpinningContract.objects.select_for_update().select_related(
            "organization", "calendar").get(pk=contract.pk)
        current = {name: getattr(contract, name) for name in CONTRACT_FIELDS}
        values = _contract_values(contract.organization, {**current, **changes}, contract.pk)
        changed = {name: [_plain(current[name]), _plain(values[name])]
                   for name in CONTRACT_FIELDS if values[name] != current[name]}
        if not changed:
            return contract
        for name in changed:
            setattr(contract, name, values[name])
        contract.updated_at = timezone.now()
        contract.save()
        core_services.audit(actor=actor, organization_id=contract.organization_id,
                            action="underpinning_contract.updated", target=contract,
                            changes=changed, channel=channel)
        _rebuild_after_commit(contract.organization_id)
    return contract


def contract_delete(*, actor: User, contract: UnderpinningContract,
                    channel: str = "web") -> None:
    """Delete a contract and the clocks measured against it."""
    _require_admin(actor, contract.organization_id)
    with transaction.atomic():
        core_services.audit(actor=actor, organization_id=contract.organization_id,
                            action="underpinning_contract.deleted", target=contract,
                            channel=channel)
        contract.delete()


def _plain(value: Any) -> Any:
    return getattr(value, "pk", value)
