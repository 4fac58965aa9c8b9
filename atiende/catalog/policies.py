"""Who may see, request and manage catalog items. Scoping comes from `atiende.core`."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from atiende.catalog.models import CatalogItem
from atiende.core.models import Department, User, serving
from atiende.core.scoping import scope_of


def _audience_open() -> Q:
    return ~Q(Exists(CatalogItem.audience.through.objects.filter(catalogitem_id=OuterRef("pk"))))


def _offered_to(organization_id: int) -> Q:
    """Active items of active departments that serve the organization and whose
    audience includes it (an empty audience is every organization served)."""
    serves = serving([organization_id], via="department__")
    audience = _audience_open() | Q(Exists(CatalogItem.audience.through.objects.filter(
        catalogitem_id=OuterRef("pk"), organization_id=organization_id)))
    return Q(is_active=True, department__is_active=True) & serves & audience


def requesting_organizations(actor: User) -> frozenset[int]:
    """Organizations the actor asks for things in: as requester, or as their admin."""
    scope = scope_of(actor)
    return scope.requester_organizations | scope.administered_organizations


def visible_items(actor: User) -> Q:
    """Items of the departments the actor works in or administers (inactive ones too),
    and the items offered to the organizations the actor requests in."""
    scope = scope_of(actor)
    if scope.user_id is None:
        return Q(pk__in=[])
    if scope.everything:
        return Q()
    condition = Q(department_id__in=sorted(scope.staff_department_ids)) | Q(
        department__organization_id__in=sorted(scope.administered_organizations))
    for organization_id in sorted(requesting_organizations(actor)):
        condition |= _offered_to(organization_id)
    return condition


def offered_items(actor: User) -> Q:
    """What the actor's catalog page lists: the items offered to their organization."""
    organization_id = actor.organization_id if actor.is_authenticated else None
    if organization_id is None or organization_id not in requesting_organizations(actor):
        return Q(pk__in=[])
    return _offered_to(organization_id)


def can_request(actor: User, item: CatalogItem) -> bool:
    """People may ask for an item offered to their home organization, where they are a
    requester or its admin."""
    organization_id = actor.organization_id
    if organization_id is None or organization_id not in requesting_organizations(actor):
        return False
    return CatalogItem.objects.filter(_offered_to(organization_id), pk=item.pk).exists()


def can_manage(actor: User, department: Department) -> bool:
    """Admins of the department's organization (and provider admins) run its catalog."""
    return scope_of(actor).administers(department.organization_id)
