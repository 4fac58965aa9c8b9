"""The portal's look, edited by the organization's admins at /manage/<org>/portal/."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from atiende.core.manage_views import administered_organization
from atiende.core.web import add_service_errors, handles_errors, posted
from atiende.errors import ValidationFailed
from atiende.portal import branding, selectors, services
from atiende.portal.forms import BrandingForm


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@handles_errors
def manage_portal(request, slug: str):
    organization = administered_organization(request, slug)
    current = selectors.branding_for_admin(actor=request.user, organization=organization)
    form = BrandingForm(posted(request), request.FILES or None, initial={
        "title": current.title, "primary_colour": current.primary_colour})
    if request.method == "POST" and form.is_valid():
        try:
            services.branding_update(actor=request.user, organization=organization,
                                     **form.service_arguments())
        except ValidationFailed as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The portal's look has been saved."))
            return redirect("manage_portal", slug=slug)
    look = selectors.look_of(organization)
    return render(request, "portal/manage.html", {
        "organization": organization, "tab": "portal", "form": form, "look": look,
        "contrast": round(branding.contrast_with_white(look.primary_colour), 1),
        "deflections": selectors.top_deflecting_articles(actor=request.user,
                                                         organization=organization),
    }, status=422 if form.is_bound and form.errors else 200)
