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

from atiende.catalog import approval_services, selectors, services, web_forms
from atiende.catalog import forms as catalog_forms
from atiende.catalog.forms_schema import TRIGGER_TYPES, SchemaError, validate_fields
from atiende.catalog.models import ApprovalRule, ApproverKind, CatalogCategory, CatalogItem
from atiende.core import selectors as core_selectors
from atiende.core.manage_views import administered_organization
from atiende.core.models import Department, Organization, PersonGroup, Team, User
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


# --- approval and fulfilment plans ------------------------------------------------------

BLANK_STEPS, BLANK_TASKS = 1, 2


def _plan_choices(request, item: CatalogItem) -> dict:
    served = _served(request, item.department)
    return {
        "people": list(User.objects.filter(organization__in=served, is_active=True)
                       .order_by("display_name", "pk")[:selectors.PEOPLE_MAX]),
        "groups": list(PersonGroup.objects.filter(organization__in=served)
                       .select_related("organization").order_by("name", "pk")),
        "teams": list(Team.objects.filter(department__organization=item.department.organization,
                                          is_active=True).select_related("department")
                      .order_by("department__name", "name")),
    }


def _ids(values) -> list[int]:
    return [int(value) for value in values if str(value).isdigit() and len(str(value)) < 10]


def _posted_steps(data, choices: dict) -> tuple[list[dict], list[dict], dict]:
    """(rows to show again, steps for the service, errors the service cannot see:
    names that are not among the choices)."""
    people = {person.pk: person for person in choices["people"]}
    groups = {group.pk: group for group in choices["groups"]}
    rows, steps, errors = [], [], {}
    count = data.get("step-count", "")
    for index in range(min(int(count), approval_services.PLAN_MAX + BLANK_STEPS)
                       if count.isdigit() else 0):
        prefix = f"step-{index}-"
        kind = data.get(prefix + "kind", "")
        row = {"kind": kind, "rule": data.get(prefix + "rule", ""),
               "people": _ids(data.getlist(prefix + "people")),
               "group": (_ids([data.get(prefix + "group", "")]) or [None])[0]}
        rows.append(row)
        if not kind:
            continue  # an empty row is dropped
        number = len(steps)
        chosen = [people[pk] for pk in row["people"] if pk in people]
        if len(chosen) != len(row["people"]):
            errors[f"steps.{number}.people"] = _("Choose people from the list.")
        steps.append({"approver_kind": kind, "rule": row["rule"], "people": chosen,
                      "group": groups.get(row["group"])})
    return rows, steps, errors


def _posted_tasks(data, choices: dict) -> tuple[list[dict], list[dict]]:
    teams = {team.pk: team for team in choices["teams"]}
    rows, tasks = [], []
    count = data.get("task-count", "")
    for index in range(min(int(count), approval_services.PLAN_MAX + BLANK_TASKS)
                       if count.isdigit() else 0):
        prefix = f"task-{index}-"
        stage = data.get(prefix + "stage", "").strip()
        row = {"title": data.get(prefix + "title", "").strip(),
               "team": (_ids([data.get(prefix + "team", "")]) or [None])[0],
               "stage": stage}
        rows.append(row)
        if not row["title"] and row["team"] is None:
            continue
        tasks.append({"title": row["title"], "team": teams.get(row["team"]),
                      "stage": int(stage) if stage.isdigit() and len(stage) < 4 else None})
    return rows, tasks


def _plan_page(request, organization, item, choices, *, step_rows=None, task_rows=None,
               errors=None, status=200):
    if step_rows is None:
        step_rows = [{"kind": step.approver_kind, "rule": step.rule,
                      "people": [person.pk for person in step.people.all()],
                      "group": step.group_id}
                     for step in item.approval_steps.prefetch_related("people")]
    if task_rows is None:
        task_rows = [{"title": task.title, "team": task.team_id, "stage": task.stage}
                     for task in item.fulfilment_steps.all()]
    step_rows = [*step_rows, *[{"kind": "", "rule": "any", "people": [], "group": None}
                               for _blank in range(BLANK_STEPS)]]
    task_rows = [*task_rows, *[{"title": "", "team": None, "stage": ""}
                               for _blank in range(BLANK_TASKS)]]
    errors = errors or {}
    for kind, rows in (("steps", step_rows), ("tasks", task_rows)):
        for index, row in enumerate(rows):
            row["errors"] = {key.rsplit(".", 1)[-1]: message for key, message in errors.items()
                             if key.startswith(f"{kind}.{index}.")}
    return render(request, "catalog/manage/plan.html", {
        "organization": organization, "tab": "catalog", "item": item, **choices,
        "step_rows": step_rows, "task_rows": task_rows,
        "general_errors": [message for key, message in errors.items() if "." not in key],
        "approver_kinds": ApproverKind.choices, "rules": ApprovalRule.choices,
    }, status=status)


@login_required
@handles_errors
def manage_item_plan(request, slug: str, item_id: int):
    """The item's approval steps and fulfilment tasks, each saved as a whole."""
    organization = administered_organization(request, slug)
    item = _item(request, organization, item_id)
    choices = _plan_choices(request, item)
    if request.method != "POST":
        return _plan_page(request, organization, item, choices)
    action = request.POST.get("action")
    try:
        if action == "approvals":
            rows, steps, errors = _posted_steps(request.POST, choices)
            if errors:
                return _plan_page(request, organization, item, choices, step_rows=rows,
                                  errors=errors, status=422)
            approval_services.approval_plan_save(actor=request.user, item=item, steps=steps)
            messages.success(request, _("The approval steps have been saved."))
        elif action == "tasks":
            rows, tasks = _posted_tasks(request.POST, choices)
            approval_services.fulfilment_plan_save(actor=request.user, item=item, tasks=tasks)
            messages.success(request, _("The fulfilment tasks have been saved."))
    except ValidationFailed as error:
        return _plan_page(request, organization, item, choices, errors=error.fields,
                          status=422, **({"step_rows": rows} if action == "approvals"
                                         else {"task_rows": rows}))
    return redirect("manage_catalog_plan", slug=slug, item_id=item.pk)
