"""`/api/v1/calendars`: business calendars and the arithmetic on them. Thin: parse,
call a selector or a service, return.

No `from __future__ import annotations` here: Ninja's `@paginate` wrapper resolves a
view's string annotations in `ninja.pagination`'s globals, where `Query[...]` is
unknown, and every filtered list would fail with a 500.
"""

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from atiende.api.pagination import Pagination
from atiende.api.schemas import FilterId, Filters
from atiende.core import selectors as core_selectors
from atiende.core.models import PersonGroup
from atiende.errors import PermissionDenied, ValidationFailed
from atiende.sla import policies, policy_services, selectors, services
from atiende.sla.schemas import (
    AddIn,
    AddOut,
    BetweenIn,
    BetweenOut,
    CalendarCreate,
    CalendarOut,
    CalendarUpdate,
    SlaPolicyCreate,
    SlaPolicyOut,
    SlaPolicyUpdate,
)
from atiende.tickets.models import Category, Service

router = Router(tags=["calendars"])
CHANNEL = "api"


class CalendarFilters(Filters):
    organization_id: FilterId | None = None


def _department(request: HttpRequest, department_id: int | None):
    if department_id is None:
        return None
    return core_selectors.department_get(actor=request.auth, department_id=department_id)


@router.get("/calendars", response=list[CalendarOut], summary="Business calendars")
@paginate(Pagination, ordering=("id",))
def calendar_list(request: HttpRequest, filters: Query[CalendarFilters]):
    return selectors.calendar_list(actor=request.auth, organization_id=filters.organization_id)


@router.get("/calendars/{calendar_id}", response=CalendarOut, summary="One business calendar")
def calendar_detail(request: HttpRequest, calendar_id: int):
    return selectors.calendar_get(actor=request.auth, calendar_id=calendar_id)


@router.post("/calendars", response={201: CalendarOut}, summary="Create a business calendar")
def calendar_create(request: HttpRequest, payload: CalendarCreate):
    data = payload.model_dump()
    organization = core_selectors.organization_get(
        actor=request.auth, organization_id=data.pop("organization_id"))
    department = _department(request, data.pop("department_id"))
    calendar = services.calendar_create(
        actor=request.auth, organization=organization, department=department,
        channel=CHANNEL, **data,
    )
    return Status(201, selectors.calendar_get(actor=request.auth, calendar_id=calendar.pk))


@router.patch("/calendars/{calendar_id}", response=CalendarOut,
              summary="Change a business calendar")
def calendar_update(request: HttpRequest, calendar_id: int, payload: CalendarUpdate):
    calendar = selectors.calendar_get(actor=request.auth, calendar_id=calendar_id)
    changes = payload.changes()
    if "department_id" in changes:
        changes["department"] = _department(request, changes.pop("department_id"))
    services.calendar_update(actor=request.auth, calendar=calendar, changes=changes,
                             channel=CHANNEL)
    return selectors.calendar_get(actor=request.auth, calendar_id=calendar_id)


@router.post("/calendars/{calendar_id}/add", response=AddOut,
             summary="When a number of working minutes after a start is over")
def calendar_add(request: HttpRequest, calendar_id: int, payload: AddIn):
    calendar = selectors.calendar_get(actor=request.auth, calendar_id=calendar_id)
    return {"due": selectors.calendar_due(calendar=calendar, start=payload.start,
                                          minutes=payload.minutes)}


@router.post("/calendars/{calendar_id}/between", response=BetweenOut,
             summary="Working time between two instants")
def calendar_between(request: HttpRequest, calendar_id: int, payload: BetweenIn):
    calendar = selectors.calendar_get(actor=request.auth, calendar_id=calendar_id)
    seconds = selectors.calendar_between(calendar=calendar, start=payload.start,
                                         end=payload.end).total_seconds()
    return {"minutes": seconds / 60, "seconds": seconds}


# --- SLA policies ---------------------------------------------------------------------------


class SlaPolicyFilters(Filters):
    organization_id: FilterId | None = None


def _desk_thing(model, value: int | None, field: str):
    """The service or category with this id; the service checks it belongs to the
    policy's desks (and says the same whether it exists elsewhere or not at all)."""
    if value is None:
        return None
    found = model.objects.select_related("department__organization").filter(pk=value).first()
    if found is None:
        message = (_("Choose a service of the policy's department.") if field == "service"
                   else _("Choose a category of the policy's department."))
        raise ValidationFailed({field: message}, code=f"invalid_{field}")
    return found


def _policy_values(request: HttpRequest, data: dict) -> dict:
    """Ids of the request turned into records read through the scope."""
    if "calendar_id" in data:
        calendar_id = data.pop("calendar_id")
        data["calendar"] = (selectors.calendar_get(actor=request.auth, calendar_id=calendar_id)
                            if calendar_id is not None else None)
    if "department_id" in data:
        data["department"] = _department(request, data.pop("department_id"))
    if "service_id" in data:
        data["service"] = _desk_thing(Service, data.pop("service_id"), "service")
    if "category_id" in data:
        data["category"] = _desk_thing(Category, data.pop("category_id"), "category")
    if "requester_group_id" in data:
        group_id = data.pop("requester_group_id")
        data["requester_group"] = (PersonGroup.objects.filter(pk=group_id).first() or group_id
                                   if group_id is not None else None)
    return data


@router.get("/sla-policies", response=list[SlaPolicyOut], summary="SLA policies",
            tags=["sla policies"])
@paginate(Pagination, ordering=("id",))
def sla_policy_list(request: HttpRequest, filters: Query[SlaPolicyFilters]):
    return selectors.sla_policy_list(actor=request.auth,
                                     organization_id=filters.organization_id)


@router.get("/sla-policies/{policy_id}", response=SlaPolicyOut, summary="One SLA policy",
            tags=["sla policies"])
def sla_policy_detail(request: HttpRequest, policy_id: int):
    return selectors.sla_policy_get(actor=request.auth, policy_id=policy_id)


@router.post("/sla-policies", response={201: SlaPolicyOut}, summary="Create an SLA policy",
             tags=["sla policies"])
def sla_policy_create(request: HttpRequest, payload: SlaPolicyCreate):
    data = payload.model_dump()
    organization = core_selectors.organization_get(
        actor=request.auth, organization_id=data.pop("organization_id"))
    if not policies.can_manage_calendars(request.auth, organization):
        raise PermissionDenied()
    data = _policy_values(request, data)
    policy = policy_services.sla_policy_create(actor=request.auth, organization=organization,
                                               channel=CHANNEL, **data)
    return Status(201, selectors.sla_policy_get(actor=request.auth, policy_id=policy.pk))


@router.patch("/sla-policies/{policy_id}", response=SlaPolicyOut,
              summary="Change an SLA policy", tags=["sla policies"])
def sla_policy_update(request: HttpRequest, policy_id: int, payload: SlaPolicyUpdate):
    policy = selectors.sla_policy_get(actor=request.auth, policy_id=policy_id)
    if not policies.can_manage_calendars(request.auth, policy.organization_id):
        raise PermissionDenied()
    changes = _policy_values(request, payload.changes())
    policy_services.sla_policy_update(actor=request.auth, policy=policy, changes=changes,
                                      channel=CHANNEL)
    return selectors.sla_policy_get(actor=request.auth, policy_id=policy_id)
