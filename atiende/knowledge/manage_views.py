"""An organization admin's knowledge categories, at /manage/<slug>/knowledge/categories/:
list per department, add, rename, delete. Any organization the actor does not
administer answers 404."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from atiende.core.manage_views import administered_organization
from atiende.core.models import Department
from atiende.core.web import add_service_errors, handles_errors, posted
from atiende.errors import ValidationFailed
from atiende.knowledge import selectors, services


class CategoryForm(forms.Form):
    # Text: the service judges the values (one rule); the form renders and parses.
    department = forms.CharField(label=gettext_lazy("Department"), widget=forms.Select)
    name = forms.CharField(label=gettext_lazy("Name"), required=False,
                           widget=forms.TextInput(attrs={
                               "maxlength": services.MAX_CATEGORY_NAME}))

    def __init__(self, *args, departments, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].widget.choices = [(str(d.pk), d.name) for d in departments]


def _page(request, organization, form, status: int = 200):
    return render(request, "knowledge/manage_categories.html", {
        "organization": organization, "tab": "knowledge", "form": form,
        "categories": selectors.organization_categories(organization=organization),
    }, status=status)


def _departments(organization):
    return Department.objects.filter(organization=organization, is_active=True).order_by("name")


@login_required
@require_http_methods(["GET", "POST"])
@handles_errors
def categories(request, slug: str):
    organization = administered_organization(request, slug)
    form = CategoryForm(posted(request), departments=_departments(organization))
    if form.is_valid():
        try:
            category = services.category_create(
                actor=request.user, organization=organization,
                department_id=form.cleaned_data["department"], name=form.cleaned_data["name"])
        except ValidationFailed as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Category “%(name)s” added.") % {"name": category.name})
            return redirect("manage_knowledge_categories", slug=organization.slug)
    return _page(request, organization, form, status=422 if form.errors else 200)


@login_required
@require_POST
@handles_errors
def category_rename(request, slug: str, category_id: int):
    organization = administered_organization(request, slug)
    try:
        services.category_rename(actor=request.user, organization=organization,
                                 category_id=category_id, name=request.POST.get("name", ""))
    except ValidationFailed as error:
        form = CategoryForm(departments=_departments(organization))
        form.is_valid()
        form.add_error(None, " ".join(error.fields.values()) or error.message)
        return _page(request, organization, form, status=422)
    messages.success(request, _("Category renamed."))
    return redirect("manage_knowledge_categories", slug=organization.slug)


@login_required
@require_POST
@handles_errors
def category_delete(request, slug: str, category_id: int):
    organization = administered_organization(request, slug)
    services.category_delete(actor=request.user, organization=organization,
                             category_id=category_id)
    messages.success(request, _("Category deleted."))
    return redirect("manage_knowledge_categories", slug=organization.slug)
