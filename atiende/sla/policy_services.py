"""Every change to SLA policies: create and update (conditions, calendar, pause rules,
warnings and the targets per priority, which an update replaces whole).

A service checks permission first (organization admins and provider admins, as for
calendars), validates everything before writing (all field errors at once, in the
active language), refuses a policy that would tie with another one (see
`atiende.sla.matching`), writes inside one transaction, records one AuditEvent, and
after commit queues the rebuild of the clocks of the organization's open tickets.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from atiende.core import services as core_services
from atiende.core.models import Department, Organization, PersonGroup, User
from atiende.errors import PermissionDenied, ValidationFailed
from atiende.sla import policies
from atiende.sla.matching import PolicyConditions, overlapping
from atiende.sla.models import BusinessCalendar, SlaPolicy, SlaTarget
from atiende.sla.services import _Errors
from atiende.tickets.models import Category, Channel, Kind, PendingReason, Service
from atiende.validation import text

AUDIT_ACTIONS = {
    "sla_policy.created": gettext_lazy("SLA policy created"),
    "sla_policy.updated": gettext_lazy("SLA policy changed"),
}

# A year of minutes: more is surely a typing mistake.
MAX_TARGET_MINUTES = 366 * 24 * 60
MAX_WARNINGS = 5
POLICY_FIELDS = {"name", "calendar", "department", "kind", "service", "category",
                 "ticket_channel", "priorities", "pause_reasons", "warning_percentages",
                 "is_active", "targets", "requester_group"}
TARGET_METRICS = ("first_response_minutes", "resolution_minutes", "next_response_minutes")


# --- validation ---------------------------------------------------------------------------


def _name(value: Any, organization: Organization, exclude: int | None) -> str:
    name = text(value, "name", max_length=120)
    others = SlaPolicy.objects.filter(organization=organization)
    if exclude is not None:
        others = others.exclude(pk=exclude)
    if any(other.casefold() == name.casefold()
           for other in others.values_list("name", flat=True)):
        raise ValidationFailed({"name": _("This organization already has an SLA policy "
                                          "with this name.")}, code="duplicate_name")
    return name


def _calendar(value: Any, organization: Organization) -> BusinessCalendar:
    if not isinstance(value, BusinessCalendar):
        raise ValidationFailed({"calendar": _("Choose a business calendar.")},
                               code="required")
    if value.organization_id != organization.pk:
        raise ValidationFailed({"calendar": _("Choose a calendar of %(name)s.")
                                % {"name": organization.name}}, code="invalid_calendar")
    return value


def _requester_group(value: Any, organization: Organization) -> PersonGroup | None:
    if value is None or value == "":
        return None
    if not isinstance(value, PersonGroup) or value.organization_id != organization.pk:
        raise ValidationFailed({"requester_group": _(
            "Choose a group of people of this organization.")}, code="invalid_requester_group")
    return value


def _department(value: Any, organization: Organization) -> Department | None:
    if value is not None and not value.serves(organization):
        raise ValidationFailed({"department": _("This department does not serve %(name)s.")
                                % {"name": organization.name}}, code="invalid_department")
    return value


def _of_desk(value: Any, field: str, department: Department | None,
             organization: Organization) -> Any:
    """A service or category of the policy's department (of a desk serving the
    organization when the policy has none)."""
    if value is None:
        return None
    desk = value.department
    if (department is not None and desk.pk != department.pk) or not desk.serves(organization):
        message = (_("Choose a service of the policy's department.") if field == "service"
                   else _("Choose a category of the policy's department."))
        raise ValidationFailed({field: message}, code=f"invalid_{field}")
    return value


def _one_of(value: Any, field: str, allowed: Iterable[str]) -> str:
    value = str(value or "").strip()
    if value and value not in allowed:
        raise ValidationFailed({field: _("“%(value)s” is not a valid choice.")
                                % {"value": value}}, code="invalid_choice")
    return value


def _priority(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise ValidationFailed({field: _("“%(value)s” is not a priority. Use 1 (critical) to "
                                         "5 (planning).") % {"value": value}},
                               code="invalid_priority")
    return value


def _priorities(values: Any) -> list[int]:
    return sorted({_priority(value, "priorities") for value in values or ()})


def _pause_reasons(values: Any) -> list[str]:
    reasons = []
    for value in values or ():
        if value not in PendingReason.values:
            raise ValidationFailed({"pause_reasons": _("“%(value)s” is not a pending reason.")
                                    % {"value": value}}, code="invalid_choice")
        reasons.append(value)
    return sorted(set(reasons))


def _warnings(values: Any) -> list[int]:
    found = set()
    for value in values or ():
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 99:
            raise ValidationFailed({"warning_percentages": _(
                "“%(value)s” is not a percentage for a warning. Use whole numbers from 1 to "
                "99; the breach is always at 100.") % {"value": value}},
                code="invalid_percentage")
        found.add(value)
    if len(found) > MAX_WARNINGS:
        raise ValidationFailed({"warning_percentages": _("Use at most %(count)d warnings.")
                                % {"count": MAX_WARNINGS}}, code="too_many_warnings")
    return sorted(found)


def _minutes(value: Any, priority: int, label: str, *, required: bool) -> int | None:
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationFailed({"targets": _("P%(priority)d, %(target)s: give a whole number "
                                             "of minutes.")
                                % {"priority": priority, "target": label}},
                               code="invalid_target")
    if value <= 0:
        raise ValidationFailed({"targets": _("P%(priority)d, %(target)s: use more than 0 "
                                             "minutes (it is %(value)d).")
                                % {"priority": priority, "target": label, "value": value}},
                               code="target_not_positive")
    if value > MAX_TARGET_MINUTES:
        raise ValidationFailed({"targets": _("P%(priority)d, %(target)s: use at most "
                                             "%(count)d minutes (a year).")
                                % {"priority": priority, "target": label,
                                   "count": MAX_TARGET_MINUTES}}, code="target_too_large")
    return value


def _targets(values: Any, priorities: list[int]) -> list[dict]:
    """Each target as {"priority", "first_response_minutes", "resolution_minutes",
    "next_response_minutes"}, by priority; refused when there is none, a priority
    repeats or lies outside the policy's priorities, or a target is not positive."""
    labels = {"first_response_minutes": _("first response"),
              "resolution_minutes": _("resolution"),
              "next_response_minutes": _("next response")}
    parsed: dict[int, dict] = {}
    for item in values or ():
        item = dict(item)
        priority = _priority(item.get("priority"), "targets")
        if priority in parsed:
            raise ValidationFailed({"targets": _("P%(priority)d has two targets; give one.")
                                    % {"priority": priority}}, code="duplicate_target")
        if priorities and priority not in priorities:
            raise ValidationFailed({"targets": _("P%(priority)d is not among the policy's "
                                                 "priorities.") % {"priority": priority}},
                                   code="target_outside_priorities")
        parsed[priority] = {"priority": priority, **{
            metric: _minutes(item.get(metric), priority, str(labels[metric]),
                             required=metric != "next_response_minutes")
            for metric in TARGET_METRICS}}
    if not parsed:
        raise ValidationFailed({"targets": _("Give at least one target: the first response "
                                             "and resolution times of a priority.")},
                               code="no_targets")
    return [parsed[priority] for priority in sorted(parsed)]


def _conditions(organization: Organization, values: Mapping[str, Any], pk: int | None
                ) -> PolicyConditions:
    return PolicyConditions(
        id=pk, organization_id=organization.pk,
        department_id=getattr(values.get("department"), "pk", None),
        kind=values.get("kind") or "",
        service_id=getattr(values.get("service"), "pk", None),
        category_id=getattr(values.get("category"), "pk", None),
        ticket_channel=values.get("ticket_channel") or "",
        priorities=frozenset(values.get("priorities") or ()),
        requester_group_id=getattr(values.get("requester_group"), "pk", None),
    )


def _refuse_overlap(organization: Organization, values: Mapping[str, Any],
                    pk: int | None) -> None:
    if not values.get("is_active", True):
        return
    others = SlaPolicy.objects.filter(organization=organization, is_active=True)
    if pk is not None:
        others = others.exclude(pk=pk)
    rows = {policy.pk: policy for policy in others}
    other = overlapping(_conditions(organization, values, pk),
                        [PolicyConditions.of(row) for row in rows.values()])
    if other is not None:
        raise ValidationFailed({"conditions": _(
            "These conditions tie with the policy “%(name)s”: a ticket could match both "
            "with as many conditions each, and neither would be more specific. Add a "
            "condition to one of them, or make a condition they share differ."
        ) % {"name": rows[other.id].name}}, code="overlapping_policies")


def _validated(organization: Organization, merged: Mapping[str, Any], *, pk: int | None,
               checking: set[str]) -> dict[str, Any]:
    """The values of `checking` (names of POLICY_FIELDS), cleaned; every error at once."""
    errors = _Errors()
    values: dict[str, Any] = dict(merged)
    steps = {
        "name": lambda: _name(merged.get("name"), organization, pk),
        "calendar": lambda: _calendar(merged.get("calendar"), organization),
        "department": lambda: _department(merged.get("department"), organization),
        "kind": lambda: _one_of(merged.get("kind"), "kind", Kind.values),
        "ticket_channel": lambda: _one_of(merged.get("ticket_channel"), "ticket_channel",
                                          Channel.values),
        "priorities": lambda: _priorities(merged.get("priorities")),
        "requester_group": lambda: _requester_group(merged.get("requester_group"),
                                                    organization),
        "pause_reasons": lambda: _pause_reasons(merged.get("pause_reasons")),
        "warning_percentages": lambda: _warnings(merged.get("warning_percentages")),
        "is_active": lambda: bool(merged.get("is_active", True)),
    }
    for name, step in steps.items():
        if name in checking:
            values[name] = errors.check(step)
    department = values.get("department")
    for name in ("service", "category"):
        if name in checking or "department" in checking:
            values[name] = errors.check(
                lambda name=name: _of_desk(merged.get(name), name, department, organization))
    if "targets" in checking or "priorities" in checking:
        values["targets"] = errors.check(
            lambda: _targets(merged.get("targets"), values.get("priorities") or []))
    errors.raise_any()
    _refuse_overlap(organization, values, pk)
    return values


# --- writing ------------------------------------------------------------------------------


def _audit(*, actor: User, policy: SlaPolicy, action: str, changes: dict, channel: str
           ) -> None:
    core_services.audit(actor=actor, organization_id=policy.organization_id, action=action,
                        target=policy, changes=changes, channel=channel)


def _write_targets(policy: SlaPolicy, targets: list[dict]) -> None:
    policy.targets.all().delete()
    SlaTarget.objects.bulk_create(SlaTarget(policy=policy, **target) for target in targets)


def _current_targets(policy: SlaPolicy) -> list[dict]:
    return [{"priority": target.priority, **{metric: getattr(target, metric)
                                              for metric in TARGET_METRICS}}
            for target in policy.targets.order_by("priority")]


def _rebuild_after_commit(organization_id: int) -> None:
    from atiende.sla.tasks import rebuild_organization_clocks

    transaction.on_commit(lambda: rebuild_organization_clocks.enqueue(
        organization_id=organization_id))


def sla_policy_create(*, actor: User, organization: Organization, name: Any,
                      calendar: BusinessCalendar | None, targets: Iterable[Mapping],
                      department: Department | None = None, kind: str = "",
                      service: Service | None = None, category: Category | None = None,
                      ticket_channel: str = "", priorities: Iterable[int] = (),
                      pause_reasons: Iterable[str] | None = None,
                      warning_percentages: Iterable[int] | None = None,
                      is_active: bool = True, requester_group: PersonGroup | None = None,
                      channel: str = "web") -> SlaPolicy:
    """Create a policy with its targets. Raises PermissionDenied, ValidationFailed
    (fields as named here, `targets` and `conditions`; code `overlapping_policies` for
    a tie with another policy). Writes `sla_policy.created`."""
    if not policies.can_manage_calendars(actor, organization):
        raise PermissionDenied()
    merged = {
        "name": name, "calendar": calendar, "department": department, "kind": kind,
        "service": service, "category": category, "ticket_channel": ticket_channel,
        "priorities": list(priorities or ()),
        "pause_reasons": (list(pause_reasons) if pause_reasons is not None
                          else ["awaiting_requester"]),
        "warning_percentages": (list(warning_percentages) if warning_percentages is not None
                                else [75, 90]),
        "is_active": is_active, "targets": list(targets or ()),
        "requester_group": requester_group,
    }
    with transaction.atomic():
        Organization.objects.select_for_update().filter(pk=organization.pk).first()
        values = _validated(organization, merged, pk=None, checking=POLICY_FIELDS)
        targets_values = values.pop("targets")
        try:
            with transaction.atomic():
                policy = SlaPolicy.objects.create(organization=organization, **values)
        except IntegrityError:
            raise ValidationFailed({"name": _("This organization already has an SLA policy "
                                              "with this name.")},
                                   code="duplicate_name") from None
        _write_targets(policy, targets_values)
        _audit(actor=actor, policy=policy, action="sla_policy.created", channel=channel,
               changes={"name": [None, policy.name], "targets": [None, targets_values]})
        _rebuild_after_commit(organization.pk)
    return policy


def sla_policy_update(*, actor: User, policy: SlaPolicy, changes: Mapping[str, Any],
                      channel: str = "web") -> SlaPolicy:
    """Change a policy; `targets`, when given, replaces all its targets. Raises
    PermissionDenied, ValidationFailed as `sla_policy_create`. Writes one
    `sla_policy.updated` audit event when something changed, and nothing otherwise."""
    if not policies.can_manage_calendars(actor, policy.organization_id):
        raise PermissionDenied()
    unknown = sorted(set(changes) - POLICY_FIELDS)
    if unknown:
        raise ValidationFailed({name: _("Unknown field.") for name in unknown},
                               code="unknown_field")
    organization = policy.organization
    with transaction.atomic():
        Organization.objects.select_for_update().filter(pk=organization.pk).first()
        policy = SlaPolicy.objects.select_for_update().get(pk=policy.pk)
        current = {name: getattr(policy, name) for name in POLICY_FIELDS - {"targets"}}
        current["targets"] = _current_targets(policy)
        merged = {**current, **changes}
        values = _validated(organization, merged, pk=policy.pk, checking=set(changes))
        changed: dict[str, list] = {}
        for name in POLICY_FIELDS:
            if name in changes and values[name] != current[name]:
                changed[name] = [getattr(current[name], "pk", current[name]),
                                 getattr(values[name], "pk", values[name])]
        if not changed:
            return policy
        for name in changed:
            if name != "targets":
                setattr(policy, name, values[name])
        if "targets" in changed:
            _write_targets(policy, values["targets"])
        policy.updated_at = timezone.now()
        try:
            with transaction.atomic():
                policy.save(update_fields=[*(name for name in changed if name != "targets"),
                                           "updated_at"])
        except IntegrityError:
            raise ValidationFailed({"name": _("This organization already has an SLA policy "
                                              "with this name.")},
                                   code="duplicate_name") from None
        _audit(actor=actor, policy=policy, action="sla_policy.updated", channel=channel,
               changes=changed)
        _rebuild_after_commit(organization.pk)
    return policy
