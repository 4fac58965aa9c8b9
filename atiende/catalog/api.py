"""`/api/v1/catalog`: the items the caller may see, one item with its current form,
and asking for an item. Thin: parse, call a selector or a service, return."""

from django.http import HttpRequest
from ninja import Router, Status

from atiende.api.schemas import MAX_ID
from atiende.catalog import policies, selectors, services
from atiende.catalog.models import CatalogItem
from atiende.catalog.schemas import CatalogItemDetailOut, CatalogItemOut, RequestIn, RequestOut
from atiende.errors import NotFound, ValidationFailed
from atiende.tickets.models import Channel

router = Router(tags=["catalog"])


def _out(item: CatalogItem, offered: set[int]) -> dict:
    return {
        "id": item.pk, "department_id": item.department_id,
        "department_name": item.department.name,
        "category": item.category.name if item.category else None, "name": item.name,
        "short_description": item.short_description, "delivery_amount": item.delivery_amount,
        "delivery_unit": item.delivery_unit, "service_id": item.service_id,
        "is_active": item.is_active, "offered": item.pk in offered,
    }


def _offered(actor, items=None) -> set[int]:
    queryset = CatalogItem.objects.filter(policies.offered_items(actor))
    if items is not None:
        queryset = queryset.filter(pk__in=items)
    return set(queryset.values_list("pk", flat=True))


def _item(actor, item_id: int) -> CatalogItem:
    if not 0 < item_id <= MAX_ID:
        raise NotFound()
    return selectors.item_get(actor=actor, item_id=item_id)


@router.get("/catalog/items", response=list[CatalogItemOut],
            summary="Catalog items the caller may see")
def catalog_item_list(request: HttpRequest):
    """Ordered by department, category and name. `offered` says which ones the caller
    may ask for (their organization's catalog); staff also see the inactive ones."""
    items = list(selectors.item_list(actor=request.auth))
    offered = _offered(request.auth)
    return [_out(item, offered) for item in items]


@router.get("/catalog/items/{item_id}", response=CatalogItemDetailOut,
            summary="One catalog item with its current form")
def catalog_item_detail(request: HttpRequest, item_id: int):
    item = _item(request.auth, item_id)
    version = item.current_version
    return {**_out(item, _offered(request.auth, [item.pk])), "description": item.description,
            "form": {"version": version.number, "fields": version.fields}}


@router.post("/catalog/items/{item_id}/requests", response={201: RequestOut},
             summary="Ask for a catalog item")
def catalog_request_create(request: HttpRequest, item_id: int, payload: RequestIn):
    """Creates a service request with the answers, checked against the item's current
    form. Errors name each answer (`answers.<key>`); nothing is written on an error."""
    item = _item(request.auth, item_id)
    try:
        ticket = services.request_submit(actor=request.auth, item=item,
                                         answers=payload.answers, channel=Channel.API)
    except ValidationFailed as error:
        raise ValidationFailed({f"answers.{key}": message for key, message in
                                error.fields.items()}, error.message, code=error.code) from None
    return Status(201, {"number": ticket.number, "title": ticket.title, "item_id": item.pk,
                 "form_version": ticket.catalog_answers.form_version.number})
