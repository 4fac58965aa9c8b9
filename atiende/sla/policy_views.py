"""Organization admin pages for SLA policies, under /manage/<org>/sla/.

Reached through `_administered` (as calendars): an organization the actor does not
administer, and a policy of another organization, answer 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from atiende.core.models import Organization, PersonGroup
from atiende.core.web import add_service_errors, handles_errors, posted
from atiende.errors import NotFound, ValidationFailed
from atiende.sla import policy_services, selectors
from atiende.sla.models import SlaPolicy
from atiende.sla.policy_forms import PolicyForm
from atiende.sla.presentation import duration_text
from atiende.sla.views import _administered, _departments
from atiende.tickets.models import Category, Channel, Kind, PendingReason, Service

NEW_POLICY = {"is_active": True, "pause_reasons": ["awaiting_requester"],
              "warning_percentages": "75, 90",
              "p1_first_response_minutes": 30, "p1_resolution_minutes": 240,
              "p2_first_response_minutes": 60, "p2_resolution_minutes": 480,
              "p3_first_response_minutes": 120, "p3_resolution_minutes": 960,
              "p4_first_response_minutes": 240, "p4_resolution_minutes": 1920,
              "p5_first_response_minutes": 480, "p5_resolution_minutes": 4800}


def _form(request, organization: Organization, initial: dict) -> PolicyForm:
    departments = _departments(request, organization)
    desk_ids = [int(pk) for pk, _name in departments]
    return PolicyForm(
        posted(request), initial=initial,
        calendars=[(str(c.pk), c.name) for c in selectors.calendar_list(
            actor=request.user, organization_id=organization.pk)],
        departments=departments,
        services=[(str(s.pk), f"{s.department.name} · {s.name}") for s in Service.objects
                  .filter(department_id__in=desk_ids, is_active=True)
                  .select_related("department").order_by("department__name", "name")],
        categories=[(str(c.pk), f"{c.department.name} · {c}") for c in Category.objects
                    .filter(department_id__in=desk_ids, is_active=True)
                    .select_related("department", "parent").order_by("department__name",
                                                                     "name")],
        groups=[(str(g.pk), g.name) for g in PersonGroup.objects.filter(
            organization=organization).order_by("name")],
    )


def _values(request, organization: Organization, form: PolicyForm) -> dict:
    """The form's values with ids turned into records the actor may use."""
    data = form.cleaned_data
    calendars = {str(c.pk): c for c in selectors.calendar_list(
        actor=request.user, organization_id=organization.pk)}
    return {
        "name": data["name"], "calendar": calendars.get(data["calendar"]),
        "department": _pick(form, "department", lambda pk: _department_of(request, pk)),
        "kind": data["kind"], "ticket_channel": data["ticket_channel"],
        "service": _pick(form, "service", lambda pk: Service.objects.get(pk=pk)),
        "category": _pick(form, "category", lambda pk: Category.objects.get(pk=pk)),
        "requester_group": _pick(form, "requester_group",
                                 lambda pk: PersonGroup.objects.get(pk=pk)),
        "priorities": [int(value) for value in data["priorities"]],
        "pause_reasons": list(data["pause_reasons"]),
        "warning_percentages": data["warning_percentages"],
        "is_active": data["is_active"], "targets": form.targets(),
    }


def _department_of(request, pk: int):
    from atiende.core import selectors as core_selectors

    return core_selectors.department_get(actor=request.user, department_id=pk)


def _pick(form: PolicyForm, name: str, read):
    # The form's choices already hold only what the actor may pick.
    value = form.cleaned_data[name]
    return read(int(value)) if value else None


def conditions_text(policy: SlaPolicy) -> list[str]:
    """What a policy applies to, in words ("Any ticket of the organization" when it
    sets no condition)."""
    parts = []
    if policy.department_id:
        parts.append(policy.department.name)
    if policy.kind:
        parts.append(str(dict(Kind.choices).get(policy.kind, policy.kind)))
    if policy.service_id:
        parts.append(policy.service.name)
    if policy.category_id:
        parts.append(str(policy.category))
    if policy.ticket_channel:
        parts.append(str(dict(Channel.choices).get(policy.ticket_channel,
                                                   policy.ticket_channel)))
    if policy.requester_group_id:
        parts.append(_("Requesters in “%(group)s”") % {"group": policy.requester_group.name})
    if policy.priorities:
        parts.append(", ".join(f"P{value}" for value in policy.priorities))
    return parts or [_("Any ticket of the organization")]


def _describe(policy: SlaPolicy) -> SlaPolicy:
    policy.conditions = conditions_text(policy)
    policy.target_texts = [
        (f"P{target.priority}", duration_text(target.first_response_minutes * 60, whole_days=False),
         duration_text(target.resolution_minutes * 60, whole_days=False))
        for target in policy.targets.all()]
    reasons = dict(PendingReason.choices)
    policy.pause_texts = [str(reasons.get(value, value)) for value in policy.pause_reasons]
    return policy


def _page(request, organization: Organization, template: str, context: dict):
    context.update({"organization": organization, "tab": "sla"})
    return render(request, template, context)


@login_required
@handles_errors
def policy_list(request, slug: str):
    organization = _administered(request, slug)
    policies = sorted(selectors.sla_policy_list(actor=request.user,
                                                organization_id=organization.pk),
                      key=lambda policy: (not policy.is_active, policy.name.casefold()))
    return _page(request, organization, "manage/sla_policies.html",
                 {"policies": [_describe(policy) for policy in policies]})


@login_required
@handles_errors
def policy_new(request, slug: str):
    organization = _administered(request, slug)
    default = next((c for c in selectors.calendar_list(actor=request.user,
                                                       organization_id=organization.pk)
                    if c.is_default), None)
    form = _form(request, organization, {**NEW_POLICY,
                                         "calendar": str(default.pk) if default else ""})
    if request.method == "POST" and form.is_valid():
        try:
            policy = policy_services.sla_policy_create(
                actor=request.user, organization=organization,
                **_values(request, organization, form))
        except ValidationFailed as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The SLA policy has been created."))
            return redirect("manage_sla_policy", slug=slug, policy_id=policy.pk)
    return _page(request, organization, "manage/sla_policy.html", {"form": form})


@login_required
@handles_errors
def policy_detail(request, slug: str, policy_id: int):
    organization = _administered(request, slug)
    policy = selectors.sla_policy_get(actor=request.user, policy_id=policy_id)
    if policy.organization_id != organization.pk:
        raise NotFound()
    form = _form(request, organization, PolicyForm.initial_of(policy))
    if request.method == "POST" and form.is_valid():
        try:
            policy_services.sla_policy_update(actor=request.user, policy=policy,
                                              changes=_values(request, organization, form))
        except ValidationFailed as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The changes have been saved."))
            return redirect("manage_sla_policy", slug=slug, policy_id=policy.pk)
    return _page(request, organization, "manage/sla_policy.html",
                 {"form": form, "policy": policy})

