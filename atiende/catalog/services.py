"""Every change to the catalog, and asking for an item.

Each service checks permission first (`policies`), validates, writes in one
transaction and leaves an AuditEvent for administrative changes; asking for an item
writes the service request through `tickets.services.ticket_create` (its events and
outbox included) and the answers in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from contextlib import suppress
from typing import Any

from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.html import escape, linebreaks
from django.utils.translation import gettext as _

from atiende.api.schemas import MAX_ID
from atiende.catalog import approval_services, policies, selectors
from atiende.catalog.forms_schema import SchemaError, validate_answers, validate_fields
from atiende.catalog.models import (
    CatalogCategory,
    CatalogItem,
    DeliveryUnit,
    FormVersion,
    RequestAnswers,
)
from atiende.core import services as core_services
from atiende.core.models import Department, Organization, User
from atiende.errors import (
    FileTooLarge,
    FileTypeRefused,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from atiende.tickets import services as ticket_services
from atiende.tickets.models import Channel, Kind, Service, Ticket
from atiende.tickets.text import clean_html
from atiende.validation import choice, text

DESCRIPTION_MAX = 20_000
DELIVERY_MAX = 10_000


def _audit(actor: User, department: Department, action: str, target, changes: dict,
           channel: str) -> None:
    core_services.audit(actor=actor, organization_id=department.organization_id,
                        action=action, target=target, changes=changes, channel=channel)


def _require_manage(actor: User, department: Department) -> None:
    if not policies.can_manage(actor, department):
        raise PermissionDenied()


# --- categories -------------------------------------------------------------------------


def category_save(*, actor: User, department: Department, name: str, position: int = 0,
                  category: CatalogCategory | None = None, channel: str = "web"
                  ) -> CatalogCategory:
    """Create a category of `department`'s catalog, or rename/reorder `category`.
    Raises PermissionDenied, ValidationFailed (`name`, `position`)."""
    _require_manage(actor, department)
    if category is not None and category.department_id != department.pk:
        raise NotFound()
    name = text(name, "name", max_length=120)
    if not isinstance(position, int) or isinstance(position, bool) or not 0 <= position <= 10_000:
        raise ValidationFailed({"position": _("Use a whole number from 0 to 10000.")},
                               code="invalid_position")
    if CatalogCategory.objects.filter(department=department, name__iexact=name).exclude(
            pk=getattr(category, "pk", None)).exists():
        raise ValidationFailed({"name": _("This department already has a category with "
                                          "this name.")}, code="duplicate_name")
    with transaction.atomic():
        created = category is None
        category = category or CatalogCategory(department=department)
        category.name, category.position = name, position
        category.save()
        _audit(actor, department, "catalog.category_created" if created
               else "catalog.category_changed", category,
               {"name": name, "position": position}, channel)
    return category


# --- items ------------------------------------------------------------------------------


def _item_values(department: Department, values: Mapping[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}

    def check(name: str, function) -> None:
        try:
            clean[name] = function()
        except ValidationFailed as error:
            errors.update(error.fields)

    check("name", lambda: text(values.get("name"), "name", max_length=120))
    check("short_description", lambda: text(values.get("short_description"),
                                            "short_description", max_length=300,
                                            required=False))
    check("description", lambda: clean_html(text(values.get("description"), "description",
                                                 max_length=DESCRIPTION_MAX, required=False)))
    amount = values.get("delivery_amount")
    if amount in (None, ""):
        clean["delivery_amount"] = None
    elif isinstance(amount, bool) or not isinstance(amount, int) or not (
            0 < amount <= DELIVERY_MAX):
        errors["delivery_amount"] = _("Use a whole number from 1 to %(max)d.") % {
            "max": DELIVERY_MAX}
    else:
        clean["delivery_amount"] = amount
    check("delivery_unit", lambda: choice(values.get("delivery_unit") or
                                          DeliveryUnit.WORKING_DAYS, "delivery_unit",
                                          DeliveryUnit.values))
    category = values.get("category")
    if category is not None and category.department_id != department.pk:
        errors["category_id"] = _("Choose a category of this department.")
    clean["category"] = category
    service = values.get("service")
    if service is not None and service.department_id != department.pk:
        errors["service_id"] = _("Choose a service of this department.")
    clean["service"] = service
    audience = list(values.get("audience") or [])
    if any(not department.serves(organization) for organization in audience):
        errors["audience"] = _("Choose organizations this department serves.")
    clean["audience"] = audience
    if errors:
        raise ValidationFailed(errors)
    return clean


def item_save(*, actor: User, department: Department, values: Mapping[str, Any],
              item: CatalogItem | None = None, channel: str = "web") -> CatalogItem:
    """Create an item of `department`'s catalog (with an empty first form version), or
    change `item`. `values`: name, short_description, description (sanitised),
    delivery_amount, delivery_unit, category, service, audience (organizations).
    Raises PermissionDenied, ValidationFailed."""
    _require_manage(actor, department)
    if item is not None and item.department_id != department.pk:
        raise NotFound()
    clean = _item_values(department, values)
    audience = clean.pop("audience")
    if CatalogItem.objects.filter(department=department, name__iexact=clean["name"]).exclude(
            pk=getattr(item, "pk", None)).exists():
        raise ValidationFailed({"name": _("This department already offers an item with this "
                                          "name.")}, code="duplicate_name")
    with transaction.atomic():
        created = item is None
        if created:
            item = CatalogItem(department=department)
        else:
            item = CatalogItem.objects.select_for_update().get(pk=item.pk)
        for name, value in clean.items():
            setattr(item, name, value)
        item.updated_at = timezone.now()
        try:
            with transaction.atomic():
                item.save()
        except IntegrityError:
            raise ValidationFailed({"name": _("This department already offers an item with "
                                              "this name.")}, code="duplicate_name") from None
        item.audience.set(audience)
        if created:
            item.current_version = FormVersion.objects.create(item=item, number=1, fields=[],
                                                              created_by=actor)
            item.save(update_fields=["current_version"])
        _audit(actor, department, "catalog.item_created" if created
               else "catalog.item_changed", item,
               {"name": item.name, "audience": [o.pk for o in audience]}, channel)
    return item


def item_set_active(*, actor: User, item: CatalogItem, active: bool,
                    channel: str = "web") -> CatalogItem:
    """Offer an item again, or stop offering it (its requests stay as they are)."""
    _require_manage(actor, item.department)
    with transaction.atomic():
        item = CatalogItem.objects.select_for_update().get(pk=item.pk)
        if item.is_active != active:
            item.is_active, item.updated_at = active, timezone.now()
            item.save(update_fields=["is_active", "updated_at"])
            _audit(actor, item.department, "catalog.item_activated" if active
                   else "catalog.item_deactivated", item, {"is_active": active}, channel)
    return item


def form_publish(*, actor: User, item: CatalogItem, fields: Any,
                 channel: str = "web") -> FormVersion:
    """Validate `fields` and make them the item's next form version (the current one
    when nothing changed). Locks the item. Raises PermissionDenied, ValidationFailed
    with one message per broken attribute (`fields.<n>.<attribute>`)."""
    _require_manage(actor, item.department)
    try:
        clean = validate_fields(fields)
    except SchemaError as error:
        raise ValidationFailed(error.errors, _("The form has errors; nothing was saved."),
                               code="invalid_form") from None
    with transaction.atomic():
        # Only the item's row: PostgreSQL locks no nullable side of an outer join.
        item = CatalogItem.objects.select_for_update(of=("self",)).select_related(
            "current_version", "department").get(pk=item.pk)
        if item.current_version is not None and item.current_version.fields == clean:
            return item.current_version
        number = (item.versions.aggregate(last=Max("number"))["last"] or 0) + 1
        version = FormVersion.objects.create(item=item, number=number, fields=clean,
                                             created_by=actor)
        item.current_version, item.updated_at = version, timezone.now()
        item.save(update_fields=["current_version", "updated_at"])
        _audit(actor, item.department, "catalog.form_published", item,
               {"version": number, "fields": len(clean)}, channel)
    return version


# --- asking for an item -----------------------------------------------------------------


def _answer_html(fields: list[dict], answers: Mapping[str, Any]) -> str:
    """The answers as a readable list for the ticket's description."""
    rows = []
    for field in fields:
        if answers.get(field["key"]) in (None, "", []):
            continue  # the form on the ticket's page shows every question
        value = escape(display_value(field, answers[field["key"]]))
        if field["type"] == "long_text":
            value = linebreaks(value)
        rows.append(f"<li><strong>{escape(field['label'])}:</strong> {value}</li>")
    return f"<ul>{''.join(rows)}</ul>" if rows else ""


def display_value(field: dict, value: Any) -> str:
    """One stored answer as people read it."""
    kind = field["type"]
    if value in (None, "", []):
        return "—"
    if kind == "checkbox":
        return _("Yes") if value else _("No")
    if kind == "multiple_choice":
        return ", ".join(value)
    if kind == "user":
        return value.get("name", "") if isinstance(value, dict) else str(value)
    if kind == "attachment":
        return value.get("file_name", "") if isinstance(value, dict) else str(value)
    return str(value)


def request_submit(*, actor: User, item: CatalogItem, answers: Mapping[str, Any],
                   files: Mapping[str, File] | None = None,
                   channel: str = Channel.PORTAL) -> Ticket:
    """Ask for `item` as the actor, for their own organization: checks the answers
    against the item's current form version, then creates the service request
    (`ticket_create`: title = item name, description = the answers, the item's
    service), stores each file through `attachment_add` and the answers with the
    version answered, all in one transaction. Raises NotFound (an item the actor may
    not see), PermissionDenied (may see it, may not ask for it), ValidationFailed
    (one message per field key; nothing written; also `approval` when the item needs
    the requester's manager and they have none, `fulfilment` when a task's team cannot
    work for the organization). Then the request waits for its approvals or its tasks
    start (`approval_services.request_started`)."""
    from atiende.tickets.attachments import attachment_add, sanitize_file_name

    item = selectors.item_get(actor=actor, item_id=item.pk)
    if not policies.can_request(actor, item):
        raise PermissionDenied(_("This item is not offered to you."))
    version = item.current_version
    if version is None:
        raise NotFound()
    fields = version.fields
    files = {key: upload for key, upload in (files or {}).items() if upload is not None}
    organization: Organization = actor.organization
    wanted = set()
    for field in fields:
        raw = answers.get(field["key"])
        if field["type"] == "user" and raw not in (None, "") and not isinstance(raw, bool):
            with suppress(TypeError, ValueError, OverflowError):
                if 0 < int(raw) <= MAX_ID:
                    wanted.add(int(raw))
    people = {person.pk: person for person in selectors.pickable_people(
        actor=actor, organization=organization).filter(pk__in=wanted)} if wanted else {}
    clean, errors = validate_answers(fields, answers, people=people.keys(), files=files.keys())
    if errors:
        raise ValidationFailed(errors, _("Some answers are not valid; nothing was sent."),
                               code="invalid_answers")
    by_type = {field["key"]: field["type"] for field in fields}
    for key, value in clean.items():
        if by_type[key] == "user" and value is not None:
            clean[key] = {"id": value, "name": people[value].display_name}
    attached = _attachment_keys(fields, clean)
    shown = {**clean, **{key: {"file_name": sanitize_file_name(files[key].name)}
                         for key in attached}}
    with transaction.atomic():
        ticket = ticket_services.ticket_create(
            actor=actor, kind=Kind.SERVICE_REQUEST, title=item.name,
            description=_answer_html(fields, shown), organization=organization,
            department=item.department, requester=actor, channel=channel,
            service=_active_service(item.service),
        )
        for key in attached:
            try:
                attachment = attachment_add(actor=actor, ticket=ticket,
                                            uploaded_file=files[key], channel=channel)
            except (FileTooLarge, FileTypeRefused, ValidationFailed) as error:
                # Rolls the whole request back; said next to the field it belongs to.
                raise ValidationFailed({key: error.message}, code=error.code) from None
            clean[key] = {"attachment_id": attachment.pk, "file_name": attachment.file_name}
        RequestAnswers.objects.create(ticket=ticket, item=item, form_version=version,
                                      answers=clean)
        approval_services.request_started(request=ticket, item=item, requester=actor)
    return ticket


def _active_service(service: Service | None) -> Service | None:
    return service if service is not None and service.is_active else None


def _attachment_keys(fields: list[dict], clean: Mapping[str, Any]) -> Iterable[str]:
    return [field["key"] for field in fields
            if field["type"] == "attachment" and clean.get(field["key"]) is True]
