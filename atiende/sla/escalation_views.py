"""Organization admin pages for a policy's escalation levels, under
/manage/<org>/sla/<policy>/escalations/. A policy of another organization, and a level
or action of another policy, answer 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from atiende.core.models import Organization
from atiende.core.web import add_service_errors, handles_errors, posted
from atiende.errors import NotFound, ValidationFailed
from atiende.sla import escalation_selectors, escalation_services, selectors
from atiende.sla.escalation_forms import ActionForm, LevelForm
from atiende.sla.escalation_presentation import action_text
from atiende.sla.models import SlaPolicy
from atiende.sla.presentation import metric_label
from atiende.sla.views import _administered


def _policy(request, slug: str, policy_id: int) -> tuple[Organization, SlaPolicy]:
    organization = _administered(request, slug)
    policy = selectors.sla_policy_get(actor=request.user, policy_id=policy_id)
    if policy.organization_id != organization.pk:
        raise NotFound()
    return organization, policy


def _action_form(request, policy: SlaPolicy, levels: list) -> ActionForm:
    teams = list(escalation_selectors.escalation_teams(policy=policy))
    people = list(escalation_selectors.escalation_people(policy=policy))
    return ActionForm(
        posted(request) if request.POST.get("form") == "action" else None,
        levels=[(str(level.pk), f"{metric_label(level.metric)} · {level.percent} %")
                for level in levels],
        people=[(str(person.pk), str(person)) for person in people],
        teams=[(str(team.pk), f"{team.department.name} · {team.name}") for team in teams],
        agents=[(str(person.pk), str(person)) for person in people])


def _add_action(request, policy: SlaPolicy, form: ActionForm) -> None:
    data = form.cleaned_data
    level = escalation_selectors.escalation_level_get(policy=policy, level_id=int(data["level"]))
    teams = {str(team.pk): team for team in escalation_selectors.escalation_teams(policy=policy)}
    people = {str(person.pk): person
              for person in escalation_selectors.escalation_people(policy=policy)}
    escalation_services.escalation_action_add(
        actor=request.user, level=level, kind=data["kind"], whom=data["whom"],
        people=[int(pk) for pk in data["people"]], team=teams.get(data["team"]),
        agent=people.get(data["agent"]), priority=data["priority"] or None)


@login_required
@handles_errors
def escalations(request, slug: str, policy_id: int):
    organization, policy = _policy(request, slug, policy_id)
    levels = escalation_selectors.escalation_levels(policy=policy)
    which = request.POST.get("form")
    level_form = LevelForm(posted(request) if which == "level" else None)
    action_form = _action_form(request, policy, levels)
    form = {"level": level_form, "action": action_form}.get(which)
    if form is not None and form.is_valid():
        try:
            if which == "level":
                escalation_services.escalation_level_add(
                    actor=request.user, policy=policy, **form.cleaned_data)
            else:
                _add_action(request, policy, form)
        except ValidationFailed as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The changes have been saved."))
            return redirect("manage_sla_escalations", slug=slug, policy_id=policy.pk)
    for level in levels:
        level.label = metric_label(level.metric)
        level.action_texts = [(action.pk, action_text(action)) for action in level.actions.all()]
    return render(request, "sla/escalations.html", {
        "organization": organization, "tab": "sla", "policy": policy, "levels": levels,
        "level_form": level_form, "action_form": action_form,
        "warnings": policy.warning_percentages})


@login_required
@require_POST
@handles_errors
def escalation_level_remove(request, slug: str, policy_id: int, level_id: int):
    _organization, policy = _policy(request, slug, policy_id)
    level = escalation_selectors.escalation_level_get(policy=policy, level_id=level_id)
    escalation_services.escalation_level_remove(actor=request.user, level=level)
    messages.success(request, _("The level has been removed."))
    return redirect("manage_sla_escalations", slug=slug, policy_id=policy.pk)


@login_required
@require_POST
@handles_errors
def escalation_action_remove(request, slug: str, policy_id: int, action_id: int):
    _organization, policy = _policy(request, slug, policy_id)
    action = escalation_selectors.escalation_action_get(policy=policy, action_id=action_id)
    escalation_services.escalation_action_remove(actor=request.user, action=action)
    messages.success(request, _("The action has been removed."))
    return redirect("manage_sla_escalations", slug=slug, policy_id=policy.pk)
