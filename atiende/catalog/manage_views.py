"""Organization admin pages of the catalog: categories, items and the form builder.

Every page is reached through `administered_organization` (an organization the actor does not
administer is 404) and every item or category through the organization's own
departments, so one organization's catalog is never shown or changed from another's.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from atiende.catalog import forms as catalog_forms
from atiende.catalog import selectors, services, web_forms
from atiende.catalog.forms_schema import TRIGGER_TYPES, SchemaError, validate_fields
from atiende.catalog.models import CatalogCategory, CatalogItem
from atiende.core import selectors as core_selectors
from atiende.core.manage_views import administered_organization
from atiende.core.models import Department, Organization
from atiende.core.web import add_service_errors, handles_errors, posted
from atiende.errors import NotFound, ValidationFailed
from atiende.tickets import selectors as ticket_selectors


def _departments(request, organization: Organization) -> list[Department]:
    return list(core_selectors.department_list(actor=request.user).filter(
        organization=organization).order_by("name"))


def _item(request, organization: Organization, item_id: int) -> CatalogItem:
    item = selectors.item_get(actor=request.user, item_id=item_id)
    if item.department.organization_id != organization.pk:
        raise NotFound()
    return item


def _served(request, department: Department) -> list[Organization]:
    """The organizations an item of `department` may be offered to."""
    if department.is_shared and department.organization.is_provider:
        return [o for o in core_selectors.organization_list(actor=request.user)
                if not o.is_provider and o.is_active]
    return [department.organization]


def _item_form(request, department: Department, data=None, initial=None):
    return catalog_forms.ItemForm(
        data, initial=initial,
        categories=department.catalog_categories.all(),
        services=ticket_selectors.service_list(actor=request.user).filter(
            department=department, is_active=True),
        organizations=_served(request, department))


def _page(request, organization, template: str, context: dict):
    context.update({"organization": organization, "tab": "catalog"})
    return render(request, template, context)


@login_required
@handles_errors
def manage_catalog(request, slug: str):
    organization = administered_organization(request, slug)
    departments = list(selectors.department_catalog(actor=request.user,
                                                    organization=organization))
    form = catalog_forms.CategoryForm(posted(request), departments=departments)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.category_save(actor=request.user, department=data["department"],
                                   name=data["name"], position=data["position"])
        except ValidationFailed as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The category has been created."))
            return redirect("manage_catalog", slug=slug)
    return _page(request, organization, "catalog/manage/index.html",
                 {"departments": departments, "form": form})


@login_required
@handles_errors
def manage_category(request, slug: str, category_id: int):
    organization = administered_organization(request, slug)
    departments = _departments(request, organization)
    try:
        category = CatalogCategory.objects.select_related("department").get(
            pk=category_id, department__in=departments)
    except CatalogCategory.DoesNotExist:
        raise NotFound() from None
    form = catalog_forms.CategoryForm(posted(request), departments=[category.department],
                                      initial={"department": category.department_id,
                                               "name": category.name,
                                               "position": category.position})
    if request.method == "POST" and form.is_valid():
        try:
            services.category_save(actor=request.user, department=category.department,
                                   category=category, name=form.cleaned_data["name"],
                                   position=form.cleaned_data["position"])
        except ValidationFailed as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The category has been saved."))
            return redirect("manage_catalog", slug=slug)
    return _page(request, organization, "catalog/manage/category.html",
                 {"form": form, "category": category})


@login_required
@handles_errors
def manage_item_new(request, slug: str, department_id: int):
    organization = administered_organization(request, slug)
    department = next((d for d in _departments(request, organization)
                       if d.pk == department_id), None)
    if department is None:
        raise NotFound()
    form = _item_form(request, department, posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            item = services.item_save(actor=request.user, department=department,
                                      values=form.values())
        except ValidationFailed as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The item has been created. Now build its form."))
            return redirect("manage_catalog_form", slug=slug, item_id=item.pk)
    return _page(request, organization, "catalog/manage/item.html",
                 {"form": form, "department": department, "item": None})


@login_required
@handles_errors
def manage_item(request, slug: str, item_id: int):
    organization = administered_organization(request, slug)
    item = _item(request, organization, item_id)
    initial = {"category": item.category_id, "name": item.name,
               "short_description": item.short_description, "description": item.description,
               "delivery_amount": item.delivery_amount, "delivery_unit": item.delivery_unit,
               "service": item.service_id,
               "audience": [str(o.pk) for o in item.audience.all()]}
    form = _item_form(request, item.department, posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.item_save(actor=request.user, department=item.department, item=item,
                               values=form.values())
        except ValidationFailed as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The item has been saved."))
            return redirect("manage_catalog_item", slug=slug, item_id=item.pk)
    return _page(request, organization, "catalog/manage/item.html", {
        "form": form, "department": item.department, "item": item,
        "versions": selectors.versions_of(actor=request.user, item=item)})


@login_required
@require_POST
@handles_errors
def manage_item_active(request, slug: str, item_id: int):
    organization = administered_organization(request, slug)
    item = _item(request, organization, item_id)
    active = request.POST.get("active") == "1"
    services.item_set_active(actor=request.user, item=item, active=active)
    messages.success(request, _("The item is offered again.") if active
                     else _("The item is no longer offered."))
    return redirect("manage_catalog_item", slug=slug, item_id=item.pk)


@login_required
@handles_errors
def manage_item_form(request, slug: str, item_id: int):
    """The form builder: rows of fields; add, remove, move, preview, save (a new
    version). Everything but saving only re-renders the rows sent."""
    organization = administered_organization(request, slug)
    item = _item(request, organization, item_id)
    if request.method != "POST":
        rows = catalog_forms.rows_from_fields(item.current_version.fields)
        return _builder(request, organization, item, rows)
    rows = catalog_forms.rows_from_post(request.POST)
    action, _sep, target = request.POST.get("action", "").partition(":")
    index = int(target) if target.isdigit() and int(target) < len(rows) else None
    if action == "add" and len(rows) < catalog_forms.MAX_ROWS:
        rows.append(catalog_forms.blank_row())
    elif action == "remove" and index is not None:
        rows.pop(index)
    elif action in {"up", "down"} and index is not None:
        other = index - 1 if action == "up" else index + 1
        if 0 <= other < len(rows):
            rows[index], rows[other] = rows[other], rows[index]
    elif action == "preview":
        return _builder(request, organization, item, rows, preview=True)
    elif action == "save":
        try:
            version = services.form_publish(actor=request.user, item=item,
                                            fields=catalog_forms.fields_from_rows(rows))
        except ValidationFailed as error:
            return _builder(request, organization, item, rows, errors=error.fields, status=422)
        messages.success(request, _("Form version %(number)s is now the one requesters fill "
                                    "in.") % {"number": version.number})
        return redirect("manage_catalog_form", slug=slug, item_id=item.pk)
    return _builder(request, organization, item, rows)


def _builder(request, organization, item, rows, *, errors=None, preview=False, status=200):
    by_row, general = catalog_forms.errors_by_row(errors or {})
    preview_rows = None
    if preview:
        try:
            fields = validate_fields(catalog_forms.fields_from_rows(rows))
        except SchemaError as error:
            by_row, general = catalog_forms.errors_by_row(error.errors)
            status = 422
        else:
            preview_rows = web_forms.rows(fields)
    fields = catalog_forms.fields_from_rows(rows)
    for index, row in enumerate(rows):
        row["errors"] = by_row.get(index, {})
        # The fields above this one that a condition may name.
        row["triggers"] = [(field["key"], field["label"] or field["key"])
                           for field in fields[:index] if field["type"] in TRIGGER_TYPES]
        if row["show_if_field"] and row["show_if_field"] not in dict(row["triggers"]):
            row["triggers"].append((row["show_if_field"], row["show_if_field"]))
    return render(request, "catalog/manage/builder.html", {
        "organization": organization, "tab": "catalog", "item": item, "rows": rows,
        "general_errors": general, "types": catalog_forms.type_choices(),
        "preview_rows": preview_rows,
    }, status=status)
