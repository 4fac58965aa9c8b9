"""`/api/v1/` endpoints for the caller, organizations, departments, teams, people and
API tokens. Thin: parse, call a selector or a service, return.

No `from __future__ import annotations` here: Ninja's `@paginate` wrapper resolves a
view's string annotations in `ninja.pagination`'s globals, where `Query[ListFilters]`
is unknown, and every filtered list would fail with a 500.
"""

from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.pagination import paginate

from atiende.api.pagination import Pagination
from atiende.api.schemas import FilterId, Filters
from atiende.core import selectors, services
from atiende.core.schemas import (
    DepartmentCreate,
    DepartmentOut,
    DepartmentUpdate,
    MembershipCreate,
    MembershipOut,
    MeOut,
    MeUpdate,
    OrganizationCreate,
    OrganizationOut,
    OrganizationUpdate,
    TeamCreate,
    TeamDetailOut,
    TeamMemberAdd,
    TeamOut,
    TeamUpdate,
    TokenCreate,
    TokenCreated,
    TokenOut,
    UserCreate,
    UserOut,
    UserUpdate,
)
from atiende.core.scoping import scope_of

router = Router()
CHANNEL = "api"


class ListFilters(Filters):
    organization_id: FilterId | None = None
    department_id: FilterId | None = None
    search: str = ""


# --- the caller -------------------------------------------------------------------------


def _me(request: HttpRequest):
    user = selectors.me(actor=request.auth)
    scope = scope_of(request.auth)
    user.capabilities = {
        "provider_admin": scope.everything,
        "administered_organization_ids": sorted(scope.administered_organizations),
        "agent_of": [
            {"organization_id": organization_id, "department_id": department_id}
            for organization_id, department_id in sorted(scope.department_pairs)
        ],
        "requester_of": sorted(scope.requester_organizations),
    }
    return user


@router.get("/me", response=MeOut, tags=["me"], summary="The signed-in caller")
def me(request: HttpRequest):
    return _me(request)


@router.patch("/me", response=MeOut, tags=["me"], summary="Change own preferences")
def me_update(request: HttpRequest, payload: MeUpdate):
    services.profile_update(actor=request.auth, changes=payload.changes(), channel=CHANNEL)
    return _me(request)


# --- organizations ----------------------------------------------------------------------


@router.get("/organizations", response=list[OrganizationOut], tags=["organizations"])
@paginate(Pagination, ordering=("id",))
def organization_list(request: HttpRequest):
    return selectors.organization_list(actor=request.auth)


@router.get("/organizations/{organization_id}", response=OrganizationOut, tags=["organizations"])
def organization_detail(request: HttpRequest, organization_id: int):
    return selectors.organization_get(actor=request.auth, organization_id=organization_id)


@router.post("/organizations", response={201: OrganizationOut}, tags=["organizations"])
def organization_create(request: HttpRequest, payload: OrganizationCreate):
    organization = services.organization_create(
        actor=request.auth, channel=CHANNEL, **payload.model_dump()
    )
    return Status(201, organization)


@router.patch(
    "/organizations/{organization_id}", response=OrganizationOut, tags=["organizations"]
)
def organization_update(request: HttpRequest, organization_id: int, payload: OrganizationUpdate):
    organization = selectors.organization_get(actor=request.auth, organization_id=organization_id)
    return services.organization_update(
        actor=request.auth, organization=organization, changes=payload.changes(), channel=CHANNEL
    )


# --- departments ------------------------------------------------------------------------


@router.get("/departments", response=list[DepartmentOut], tags=["departments"])
@paginate(Pagination, ordering=("id",))
def department_list(request: HttpRequest, filters: Query[ListFilters]):
    return selectors.department_list(actor=request.auth, organization_id=filters.organization_id)


@router.get("/departments/{department_id}", response=DepartmentOut, tags=["departments"])
def department_detail(request: HttpRequest, department_id: int):
    return selectors.department_get(actor=request.auth, department_id=department_id)


@router.post("/departments", response={201: DepartmentOut}, tags=["departments"])
def department_create(request: HttpRequest, payload: DepartmentCreate):
    data = payload.model_dump()
    organization = selectors.organization_get(
        actor=request.auth, organization_id=data.pop("organization_id")
    )
    department = services.department_create(
        actor=request.auth, organization=organization, channel=CHANNEL, **data
    )
    return Status(201, department)


@router.patch("/departments/{department_id}", response=DepartmentOut, tags=["departments"])
def department_update(request: HttpRequest, department_id: int, payload: DepartmentUpdate):
    department = selectors.department_get(actor=request.auth, department_id=department_id)
    return services.department_update(
        actor=request.auth, department=department, changes=payload.changes(), channel=CHANNEL
    )


# --- teams ------------------------------------------------------------------------------


@router.get("/teams", response=list[TeamOut], tags=["teams"])
@paginate(Pagination, ordering=("id",))
def team_list(request: HttpRequest, filters: Query[ListFilters]):
    return selectors.team_list(actor=request.auth, department_id=filters.department_id)


@router.get("/teams/{team_id}", response=TeamDetailOut, tags=["teams"])
def team_detail(request: HttpRequest, team_id: int):
    return selectors.team_get(actor=request.auth, team_id=team_id)


@router.post("/teams", response={201: TeamDetailOut}, tags=["teams"])
def team_create(request: HttpRequest, payload: TeamCreate):
    department = selectors.department_get(actor=request.auth, department_id=payload.department_id)
    lead = (
        selectors.user_get(actor=request.auth, user_id=payload.lead_id)
        if payload.lead_id is not None
        else None
    )
    team = services.team_create(
        actor=request.auth, department=department, name=payload.name,
        description=payload.description, lead=lead, channel=CHANNEL,
    )
    return Status(201, selectors.team_get(actor=request.auth, team_id=team.pk))


@router.patch("/teams/{team_id}", response=TeamDetailOut, tags=["teams"])
def team_update(request: HttpRequest, team_id: int, payload: TeamUpdate):
    team = selectors.team_get(actor=request.auth, team_id=team_id)
    services.team_update(actor=request.auth, team=team, changes=payload.changes(),
                         channel=CHANNEL)
    return selectors.team_get(actor=request.auth, team_id=team_id)


@router.post("/teams/{team_id}/members", response={201: TeamDetailOut}, tags=["teams"])
def team_member_add(request: HttpRequest, team_id: int, payload: TeamMemberAdd):
    team = selectors.team_get(actor=request.auth, team_id=team_id)
    user = selectors.user_get(actor=request.auth, user_id=payload.user_id)
    services.team_member_add(actor=request.auth, team=team, user=user, channel=CHANNEL)
    return Status(201, selectors.team_get(actor=request.auth, team_id=team_id))


@router.delete("/teams/{team_id}/members/{user_id}", response={204: None}, tags=["teams"])
def team_member_remove(request: HttpRequest, team_id: int, user_id: int):
    team = selectors.team_get(actor=request.auth, team_id=team_id)
    user = selectors.user_get(actor=request.auth, user_id=user_id)
    services.team_member_remove(actor=request.auth, team=team, user=user, channel=CHANNEL)
    return Status(204, None)


# --- people -----------------------------------------------------------------------------


@router.get("/users", response=list[UserOut], tags=["users"])
@paginate(Pagination, ordering=("id",))
def user_list(request: HttpRequest, filters: Query[ListFilters]):
    queryset = selectors.user_list(
        actor=request.auth, organization_id=filters.organization_id, search=filters.search
    )
    return selectors.users_with_memberships(queryset, actor=request.auth)


@router.get("/users/{user_id}", response=UserOut, tags=["users"])
def user_detail(request: HttpRequest, user_id: int):
    return selectors.user_with_memberships(actor=request.auth, user_id=user_id)


@router.post("/users", response={201: UserOut}, tags=["users"])
def user_create(request: HttpRequest, payload: UserCreate):
    data = payload.model_dump()
    organization = selectors.organization_get(
        actor=request.auth, organization_id=data.pop("organization_id")
    )
    department_id = data.pop("department_id")
    department = (
        selectors.department_get(actor=request.auth, department_id=department_id)
        if department_id is not None
        else None
    )
    user = services.user_create(
        actor=request.auth, organization=organization, department=department,
        invite=data.pop("send_invitation"), channel=CHANNEL, **data,
    )
    return Status(201, selectors.user_with_memberships(actor=request.auth, user_id=user.pk))


@router.patch("/users/{user_id}", response=UserOut, tags=["users"])
def user_update(request: HttpRequest, user_id: int, payload: UserUpdate):
    user = selectors.user_get(actor=request.auth, user_id=user_id)
    services.user_update(actor=request.auth, user=user, changes=payload.changes(),
                         channel=CHANNEL)
    return selectors.user_with_memberships(actor=request.auth, user_id=user_id)


@router.post("/users/{user_id}/memberships", response={201: MembershipOut}, tags=["users"])
def membership_create(request: HttpRequest, user_id: int, payload: MembershipCreate):
    user = selectors.user_get(actor=request.auth, user_id=user_id)
    organization = selectors.organization_get(
        actor=request.auth, organization_id=payload.organization_id
    )
    department = (
        selectors.department_get(actor=request.auth, department_id=payload.department_id)
        if payload.department_id is not None
        else None
    )
    membership = services.membership_grant(
        actor=request.auth, user=user, organization=organization, department=department,
        role=payload.role, channel=CHANNEL,
    )
    return Status(201, membership)


@router.delete(
    "/users/{user_id}/memberships/{membership_id}", response={204: None}, tags=["users"]
)
def membership_delete(request: HttpRequest, user_id: int, membership_id: int):
    user = selectors.user_get(actor=request.auth, user_id=user_id)
    membership = selectors.membership_get(actor=request.auth, user=user,
                                          membership_id=membership_id)
    services.membership_revoke(actor=request.auth, membership=membership, channel=CHANNEL)
    return Status(204, None)


# --- API tokens -------------------------------------------------------------------------


@router.get("/tokens", response=list[TokenOut], tags=["tokens"])
@paginate(Pagination, ordering=("id",))
def token_list(request: HttpRequest):
    return selectors.token_list(actor=request.auth)


@router.post("/tokens", response={201: TokenCreated}, tags=["tokens"])
def token_create(request: HttpRequest, payload: TokenCreate):
    token, plaintext = services.token_create(
        actor=request.auth, name=payload.name, expires_at=payload.expires_at, channel=CHANNEL
    )
    token.token = plaintext
    return Status(201, token)


@router.delete("/tokens/{token_id}", response={204: None}, tags=["tokens"])
def token_revoke(request: HttpRequest, token_id: int):
    token = selectors.token_get(actor=request.auth, token_id=token_id)
    services.token_revoke(actor=request.auth, token=token, channel=CHANNEL)
    return Status(204, None)

