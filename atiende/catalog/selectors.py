"""Reads of the catalog, always through `policies.visible_items`: an item the actor may
not see is NotFound on every path."""

from __future__ import annotations

import unicodedata

from django.db.models import Prefetch, QuerySet

from atiende.catalog import policies
from atiende.catalog.models import CatalogCategory, CatalogItem, FormVersion, RequestAnswers
from atiende.core import selectors as core_selectors
from atiende.core.models import Organization, User
from atiende.errors import NotFound

PEOPLE_MAX = 1000


def item_list(*, actor: User) -> QuerySet[CatalogItem]:
    return CatalogItem.objects.filter(policies.visible_items(actor)).select_related(
        "department", "department__organization", "category", "current_version", "service",
    ).order_by("department__name", "category__position", "category__name", "name", "pk")


def item_get(*, actor: User, item_id: int) -> CatalogItem:
    try:
        return item_list(actor=actor).prefetch_related("audience").get(pk=item_id)
    except (CatalogItem.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound() from None


def _folded(text: str) -> str:
    """Lowercase without accents: “Portátil” and “portatil” match."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def catalog_for(*, actor: User, search: str = "") -> list[CatalogItem]:
    """The items offered to the actor's organization, matching `search` in the name or
    the short description (case- and accent-insensitive). A catalog is small (tens to
    a few hundred items), so the matching happens here, the same on every database."""
    items = list(item_list(actor=actor).filter(policies.offered_items(actor)))
    words = _folded(search).split()
    if words:
        items = [item for item in items
                 if all(word in _folded(f"{item.name} {item.short_description} "
                                        f"{item.category.name if item.category else ''}")
                        for word in words)]
    return items


def categories_of(*, actor: User, department_ids: list[int]) -> QuerySet[CatalogCategory]:
    departments = core_selectors.department_list(actor=actor).filter(pk__in=department_ids)
    return CatalogCategory.objects.filter(department__in=departments).select_related(
        "department")


def versions_of(*, actor: User, item: CatalogItem) -> QuerySet[FormVersion]:
    item_get(actor=actor, item_id=item.pk)
    return item.versions.select_related("created_by")


def pickable_people(*, actor: User, organization: Organization | None) -> QuerySet[User]:
    """Who a person field may name: active people of the requester's organization
    (which the actor must see); nobody for a person of no organization."""
    if organization is None:
        return User.objects.none()
    core_selectors.organization_get(actor=actor, organization_id=organization.pk)
    return User.objects.filter(organization=organization, is_active=True).order_by(
        "display_name", "pk")


def answers_of(*, ticket) -> RequestAnswers | None:
    """The catalog answers of a ticket the caller already read through its scope."""
    return RequestAnswers.objects.filter(ticket=ticket).select_related(
        "item", "form_version").first()


def answer_rows(stored: RequestAnswers, *, ticket_number: str = "") -> list[dict]:
    """The answers of `stored`, field by field, as the form showed them (only the fields
    that were shown): key, label, value (as text), long (a long text), link (a file's
    download, only with `ticket_number`: an approver reads them without it)."""
    from django.urls import reverse

    from atiende.catalog.forms_schema import visible_keys
    from atiende.catalog.services import display_value

    fields, answers = stored.form_version.fields, stored.answers
    shown = visible_keys(fields, answers)
    rows = []
    for field in fields:
        if field["key"] not in answers or field["key"] not in shown:
            continue
        value = answers[field["key"]]
        link = ""
        if ticket_number and field["type"] == "attachment" and isinstance(value, dict) and (
                value.get("attachment_id")):
            link = reverse("attachments:download", args=[ticket_number, value["attachment_id"]])
        rows.append({"key": field["key"], "label": field["label"],
                     "value": display_value(field, value), "link": link,
                     "long": field["type"] == "long_text"})
    return rows


def department_catalog(*, actor: User, organization: Organization):
    """An administered organization's departments with their categories and items."""
    from atiende.core import policies as core_policies

    if not core_policies.can_administer(actor, organization):
        raise NotFound()
    departments = core_selectors.department_list(actor=actor).filter(
        organization=organization).order_by("name")
    return departments.prefetch_related(
        Prefetch("catalog_categories", queryset=CatalogCategory.objects.all()),
        Prefetch("catalog_items", queryset=CatalogItem.objects.select_related(
            "category", "current_version").order_by("name")),
    )
