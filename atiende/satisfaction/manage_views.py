"""The organization admin's satisfaction settings, at /manage/<slug>/satisfaction/: the
score at or below which an answer alerts the team lead. Any organization the actor
does not administer answers 404."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from atiende.core.manage_views import administered_organization
from atiende.core.web import add_service_errors, handles_errors, posted
from atiende.errors import ValidationFailed
from atiende.satisfaction import services
from atiende.satisfaction.models import low_score_of


class SettingsForm(forms.Form):
    # Text: the service judges the value (one rule), the form only offers the choices.
    low_score = forms.CharField(
        label=gettext_lazy("Alert the team lead when the score is at most"),
        widget=forms.Select(choices=[(str(score), str(score)) for score in range(1, 5)]))


@login_required
@require_http_methods(["GET", "POST"])
@handles_errors
def satisfaction_settings(request, slug: str):
    organization = administered_organization(request, slug)
    form = SettingsForm(posted(request),
                        initial={"low_score": str(low_score_of(organization.pk))})
    if form.is_valid():
        try:
            services.settings_save(actor=request.user, organization=organization,
                                   low_score=form.cleaned_data["low_score"])
        except ValidationFailed as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Satisfaction settings saved."))
            return redirect("manage_satisfaction", slug=organization.slug)
    return render(request, "satisfaction/manage_settings.html",
                  {"organization": organization, "tab": "satisfaction", "form": form},
                  status=422 if form.errors else 200)
