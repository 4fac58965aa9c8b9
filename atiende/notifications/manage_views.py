"""Organization admin pages for notifications, under /manage/<slug>/notifications/: the
e-mail templates (edit with a live preview on a sample ticket, reset to the default)
and the delivery log. Any organization the actor does not administer answers 404."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from atiende.core.manage_views import administered_organization
from atiende.core.web import add_service_errors, handles_errors, posted
from atiende.errors import ValidationFailed
from atiende.notifications import rendering, selectors, services
from atiende.notifications.models import NotificationKind, NotificationState, NotificationTemplate


class TemplateForm(forms.Form):
    subject = forms.CharField(label=gettext_lazy("Subject"), max_length=rendering.SUBJECT_MAX)
    body = forms.CharField(label=gettext_lazy("Body"), max_length=rendering.BODY_MAX,
                           widget=forms.Textarea(attrs={"rows": 14, "spellcheck": "true"}))


def _organization(request, slug: str):
    return administered_organization(request, slug)


def _target(kind: str, language: str) -> tuple[str, str]:
    if kind not in NotificationKind.values or language not in dict(settings.LANGUAGES):
        raise Http404()
    return kind, language


@login_required
@require_safe
@handles_errors
def templates(request, slug: str):
    organization = _organization(request, slug)
    return render(request, "notifications/manage_templates.html", {
        "organization": organization, "tab": "notifications",
        "rows": selectors.template_rows(actor=request.user, organization=organization)})


def _preview(organization, language: str, subject: str, body: str) -> dict:
    """The e-mail on a sample ticket, in the template's language (as it would be sent)."""
    try:
        rendering.check_template(subject, body)  # errors in the admin's language
        with translation.override(language):
            rendered = rendering.render(
                subject=subject, body=body, tag="INC-000123",
                context=rendering.sample_context(organization_name=organization.name,
                                                 language=language))
    except ValidationFailed as error:
        return {"errors": list(error.fields.values())}
    return {"rendered": rendered}


@login_required
@handles_errors
def template_edit(request, slug: str, kind: str, language: str):
    organization = _organization(request, slug)
    kind, language = _target(kind, language)
    own = NotificationTemplate.objects.filter(organization=organization, kind=kind,
                                              language=language).first()
    subject, body = (own.subject, own.body) if own else rendering.template_source(
        organization_id=None, kind=kind, language=language)
    form = TemplateForm(posted(request), initial={"subject": subject, "body": body})
    if request.method == "POST" and form.is_valid():
        try:
            services.template_save(actor=request.user, organization=organization, kind=kind,
                                   language=language, subject=form.cleaned_data["subject"],
                                   body=form.cleaned_data["body"])
        except ValidationFailed as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The template has been saved."))
            return redirect("manage_notification_template", organization.slug, kind, language)
    shown = (form.data.get("subject", subject), form.data.get("body", body)) if form.is_bound \
        else (subject, body)
    return render(request, "notifications/manage_template.html", {
        "organization": organization, "tab": "notifications", "form": form, "own": own,
        "kind": kind, "kind_label": dict(NotificationKind.choices)[kind], "language": language,
        "language_label": dict(settings.LANGUAGES)[language],
        "variables": rendering.VARIABLES.items(), "variable_example": "{{ title }}",
        "if_example": "{% if team %}…{% else %}…{% endif %}",
        **_preview(organization, language, *shown)})


@login_required
@require_POST
@handles_errors
def template_preview(request, slug: str, kind: str, language: str):
    """The preview of the text being edited (htmx, as the admin types)."""
    organization = _organization(request, slug)
    kind, language = _target(kind, language)
    return render(request, "notifications/_preview.html", _preview(
        organization, language, request.POST.get("subject", "")[:rendering.SUBJECT_MAX],
        request.POST.get("body", "")[:rendering.BODY_MAX]))


@login_required
@require_POST
@handles_errors
def template_reset(request, slug: str, kind: str, language: str):
    organization = _organization(request, slug)
    kind, language = _target(kind, language)
    if services.template_reset(actor=request.user, organization=organization, kind=kind,
                               language=language):
        messages.success(request, _("The template is back to the default wording."))
    return redirect("manage_notification_template", organization.slug, kind, language)


@login_required
@require_safe
@handles_errors
def delivery_log(request, slug: str):
    organization = _organization(request, slug)
    state = request.GET.get("state", "")
    if state not in NotificationState.values:
        state = ""
    rows = selectors.delivery_log(actor=request.user, organization=organization, state=state)
    return render(request, "notifications/manage_log.html", {
        "organization": organization, "tab": "notifications", "state": state,
        "states": NotificationState.choices,
        "page": Paginator(rows, 50).get_page(request.GET.get("page"))})
