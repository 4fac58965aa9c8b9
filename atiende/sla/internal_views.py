"""Organization admin pages for internal targets, next to the SLA policies:
/manage/<org>/sla/olas/ (OLA targets per team) and /manage/<org>/sla/contracts/
(underpinning contracts). An organization the actor does not administer, and a
target of another organization, answer 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from atiende.core.models import Organization
from atiende.core.web import add_service_errors, handles_errors, posted
from atiende.errors import ValidationFailed
from atiende.sla import internal_services, selectors
from atiende.sla.internal_forms import ContractForm, OlaForm
from atiende.sla.presentation import duration_text
from atiende.sla.views import _administered
from atiende.tickets.models import PendingReason


def _calendars(request, organization: Organization) -> dict:
    return {str(c.pk): c for c in selectors.calendar_list(actor=request.user,
                                                         organization_id=organization.pk)}


def _page(request, organization: Organization, template: str, context: dict):
    context.update({"organization": organization, "tab": "sla"})
    return render(request, template, context)


# --- OLA targets ----------------------------------------------------------------------------


def _ola_form(request, organization: Organization, initial: dict) -> tuple[OlaForm, dict]:
    teams = {str(t.pk): t for t in selectors.ola_teams(actor=request.user,
                                                       organization=organization)}
    form = OlaForm(posted(request), initial=initial,
                   teams=[(pk, f"{t.department.name} · {t.name}") for pk, t in teams.items()],
                   calendars=[(pk, c.name) for pk, c in _calendars(request,
                                                                   organization).items()])
    return form, teams


def _ola_values(request, organization: Organization, form: OlaForm, teams: dict) -> dict:
    data = form.cleaned_data
    return {"team": teams.get(data["team"]), "priority": data["priority"],
            "calendar": _calendars(request, organization).get(data["calendar"]),
            "response_minutes": data["response_minutes"],
            "resolution_minutes": data["resolution_minutes"]}


def _ola_text(ola) -> object:
    ola.response_text = (duration_text(ola.response_minutes * 60, whole_days=False)
                         if ola.response_minutes else "—")
    ola.resolution_text = duration_text(ola.resolution_minutes * 60, whole_days=False)
    return ola


@login_required
@handles_errors
def ola_list(request, slug: str):
    organization = _administered(request, slug)
    form, teams = _ola_form(request, organization, {"priority": 3})
    if request.method == "POST" and form.is_valid():
        try:
            internal_services.ola_target_create(
                actor=request.user, organization=organization,
                **_ola_values(request, organization, form, teams))
        except ValidationFailed as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The OLA target has been created."))
            return redirect("manage_sla_olas", slug=slug)
    olas = selectors.ola_list(actor=request.user, organization_id=organization.pk)
    return _page(request, organization, "manage/sla_olas.html",
                 {"olas": [_ola_text(ola) for ola in olas], "form": form})


@login_required
@handles_errors
def ola_detail(request, slug: str, ola_id: int):
    organization = _administered(request, slug)
    ola = selectors.ola_get(actor=request.user, organization=organization, ola_id=ola_id)
    form, teams = _ola_form(request, organization, {
        "team": str(ola.team_id), "priority": ola.priority, "calendar": str(ola.calendar_id),
        "response_minutes": ola.response_minutes,
        "resolution_minutes": ola.resolution_minutes})
    if request.method == "POST" and form.is_valid():
        try:
            internal_services.ola_target_update(
                actor=request.user, ola=ola,
                changes=_ola_values(request, organization, form, teams))
        except ValidationFailed as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The changes have been saved."))
            return redirect("manage_sla_olas", slug=slug)
    return _page(request, organization, "manage/sla_ola.html", {"form": form, "ola": ola})


@login_required
@require_POST
@handles_errors
def ola_delete(request, slug: str, ola_id: int):
    organization = _administered(request, slug)
    ola = selectors.ola_get(actor=request.user, organization=organization, ola_id=ola_id)
    internal_services.ola_target_delete(actor=request.user, ola=ola)
    messages.success(request, _("The OLA target has been deleted."))
    return redirect("manage_sla_olas", slug=slug)


# --- underpinning contracts -----------------------------------------------------------------


def _contract_form(request, organization: Organization, initial: dict) -> ContractForm:
    return ContractForm(posted(request), initial=initial, calendars=[
        (pk, c.name) for pk, c in _calendars(request, organization).items()])


def _contract_values(request, organization: Organization, form: ContractForm) -> dict:
    data = form.cleaned_data
    return {"supplier": data["supplier"], "pending_reason": data["pending_reason"],
            "calendar": _calendars(request, organization).get(data["calendar"]),
            "target_minutes": data["target_minutes"]}


def _contract_text(contract) -> object:
    contract.reason_text = dict(PendingReason.choices).get(contract.pending_reason,
                                                           contract.pending_reason)
    contract.target_text = duration_text(contract.target_minutes * 60, whole_days=False)
    return contract


@login_required
@handles_errors
def contract_list(request, slug: str):
    organization = _administered(request, slug)
    form = _contract_form(request, organization, {"pending_reason": "third_party"})
    if request.method == "POST" and form.is_valid():
        try:
            internal_services.contract_create(actor=request.user, organization=organization,
                                              **_contract_values(request, organization, form))
        except ValidationFailed as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The underpinning contract has been created."))
            return redirect("manage_sla_contracts", slug=slug)
    contracts = selectors.contract_list(actor=request.user, organization_id=organization.pk)
    return _page(request, organization, "manage/sla_contracts.html",
                 {"contracts": [_contract_text(c) for c in contracts], "form": form})


@login_required
@handles_errors
def contract_detail(request, slug: str, contract_id: int):
    organization = _administered(request, slug)
    contract = selectors.contract_get(actor=request.user, organization=organization,
                                      contract_id=contract_id)
    form = _contract_form(request, organization, {
        "supplier": contract.supplier, "pending_reason": contract.pending_reason,
        "calendar": str(contract.calendar_id), "target_minutes": contract.target_minutes})
    if request.method == "POST" and form.is_valid():
        try:
            internal_services.contract_update(
                actor=request.user, contract=contract,
                changes=_contract_values(request, organization, form))
        except ValidationFailed as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The changes have been saved."))
            return redirect("manage_sla_contracts", slug=slug)
    return _page(request, organization, "manage/sla_contract.html",
                 {"form": form, "contract": contract})


@login_required
@require_POST
@handles_errors
def contract_delete(request, slug: str, contract_id: int):
    organization = _administered(request, slug)
    contract = selectors.contract_get(actor=request.user, organization=organization,
                                      contract_id=contract_id)
    internal_services.contract_delete(actor=request.user, contract=contract)
    messages.success(request, _("The underpinning contract has been deleted."))
    return redirect("manage_sla_contracts", slug=slug)
