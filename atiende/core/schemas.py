"""API shapes of organizations, departments, teams, people and tokens."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema
from pydantic import AwareDatetime

from atiende.api.schemas import Id, Input


class OrganizationOut(Schema):
    id: int
    name: str
    slug: str
    is_provider: bool
    language: str
    time_zone: str
    country: str
    is_active: bool


class OrganizationCreate(Input):
    name: str = Field(max_length=200)
    slug: str = Field("", max_length=60)
    language: str = "es"
    time_zone: str = "America/Bogota"
    country: str = "CO"


class OrganizationUpdate(Input):
    name: str = Field(None, max_length=200)
    language: str = None
    time_zone: str = None
    country: str = None
    is_active: bool = None


class DepartmentOut(Schema):
    id: int
    organization_id: int
    name: str
    slug: str
    function: str
    is_shared: bool
    is_active: bool


class DepartmentCreate(Input):
    organization_id: Id
    name: str = Field(max_length=120)
    slug: str = Field("", max_length=60)
    function: str = "other"
    is_shared: bool = False


class DepartmentUpdate(Input):
    name: str = Field(None, max_length=120)
    function: str = None
    is_shared: bool = None
    is_active: bool = None


class PersonRef(Schema):
    id: int
    display_name: str
    email: str


class TeamOut(Schema):
    id: int
    department_id: int
    organization_id: int = Field(alias="department.organization_id")
    name: str
    description: str
    lead_id: int | None
    is_active: bool


class TeamDetailOut(TeamOut):
    members: list[PersonRef]

    @staticmethod
    def resolve_members(team) -> list:
        return list(team.members.all())


class TeamCreate(Input):
    department_id: Id
    name: str = Field(max_length=120)
    description: str = Field("", max_length=2000)
    lead_id: Id | None = None


class TeamUpdate(Input):
    name: str = Field(None, max_length=120)
    description: str = Field(None, max_length=2000)
    lead_id: Id | None = None
    is_active: bool = None


class TeamMemberAdd(Input):
    user_id: Id


class MembershipOut(Schema):
    id: int
    organization_id: int
    organization_name: str = Field(alias="organization.name")
    department_id: int | None
    department_name: str | None = Field(None, alias="department.name")
    role: str


class MembershipCreate(Input):
    organization_id: Id
    role: str
    department_id: Id | None = None


class UserOut(Schema):
    id: int
    email: str
    display_name: str
    organization_id: int | None
    language: str
    time_zone: str
    phone: str
    is_active: bool
    memberships: list[MembershipOut] = Field(alias="visible_memberships")


class UserCreate(Input):
    organization_id: Id
    email: str = Field(max_length=254)
    display_name: str = Field(max_length=150)
    role: str = "requester"
    department_id: Id | None = None
    language: str | None = None
    time_zone: str | None = None
    phone: str = Field("", max_length=40)
    send_invitation: bool = True


class UserUpdate(Input):
    display_name: str = Field(None, max_length=150)
    email: str = Field(None, max_length=254)
    phone: str = Field(None, max_length=40)
    language: str = None
    time_zone: str = None
    is_active: bool = None


class MeUpdate(Input):
    display_name: str = Field(None, max_length=150)
    phone: str = Field(None, max_length=40)
    language: str = None
    time_zone: str = None


class Capabilities(Schema):
    provider_admin: bool
    administered_organization_ids: list[int]
    agent_of: list[dict]
    requester_of: list[int]


class MeOut(UserOut):
    capabilities: Capabilities


class TokenOut(Schema):
    id: int
    name: str
    hint: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreated(TokenOut):
    token: str = Field(description="Shown only now; store it safely.")


class TokenCreate(Input):
    name: str = Field(max_length=100)
    expires_at: AwareDatetime | None = None
