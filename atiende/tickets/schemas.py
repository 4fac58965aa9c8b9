"""API shapes of tickets, their conversation and timeline, and the reference lists a
client needs to fill a ticket in."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import AwareDatetime, Strict

from atiende.api.schemas import FilterId, Filters, Id, Input
from atiende.sla import selectors as sla_selectors
from atiende.sla.schemas import SlaClockOut

# Impact, urgency and priority are small integers; strict, so that `true` is not 1.
Number = Annotated[int, Strict()]
TagName = Annotated[str, Field(max_length=50)]
TicketNumber = Annotated[str, Field(max_length=20)]
# An id in a query string; beyond a 64-bit integer SQLite cannot even compare it.


# --- out ---------------------------------------------------------------------------------


class PersonOut(Schema):
    id: int
    display_name: str


class TeamRefOut(Schema):
    id: int
    name: str


class TicketOut(Schema):
    """A ticket as a list shows it."""

    id: int
    number: str
    kind: str
    title: str
    status: str
    pending_reason: str
    priority: int
    impact: int
    urgency: int
    organization_id: int
    department_id: int
    requester: PersonOut
    assignee: PersonOut | None
    team: TeamRefOut | None
    category_id: int | None
    service_id: int | None
    channel: str
    tags: list[str]
    version: int
    created_at: datetime
    updated_at: datetime
    sla_due_at: datetime | None = Field(
        description="The earliest due time of the ticket's SLA clocks still counting.")
    sla_state: str = Field(description="The most urgent state of its SLA clocks: "
                                       "breached, running, paused, met; empty without SLA.")

    @staticmethod
    def resolve_tags(ticket) -> list[str]:
        return sorted(tag.name for tag in ticket.tags.all())


class LinkOut(Schema):
    id: int
    kind: str = Field(description="related, duplicate or caused_by, read from the source.")
    direction: str = Field(description="outgoing: this ticket is the link's source; "
                                       "incoming: its target.")
    number: str = Field(alias="other.number")
    title: str = Field(alias="other.title")
    status: str = Field(alias="other.status")
    created_at: datetime


class TicketDetailOut(TicketOut):
    """A ticket with everything its page shows, as the caller may see it."""

    description: str
    resolution_code: str
    resolution_notes: str
    support_line: int
    priority_overridden: bool
    custom_fields: dict[str, Any]
    parent: str | None = Field(alias="visible_parent")
    children: list[str]
    merged_into: str | None = Field(alias="visible_merged_into")
    watchers: list[PersonOut]
    links: list[LinkOut] = Field(alias="visible_links")
    allowed_transitions: list[str] = Field(
        description="The statuses the caller may move the ticket to now.")
    first_response_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    sla_clocks: list[SlaClockOut] = Field(
        description="Each SLA clock (staff of the ticket only; empty for others).")

    @staticmethod
    def resolve_children(ticket) -> list[str]:
        return [child.number for child in ticket.visible_children]

    @staticmethod
    def resolve_watchers(ticket) -> list:
        return list(ticket.watchers.all())

    @staticmethod
    def resolve_sla_clocks(ticket, context) -> list[dict]:
        request = (context or {}).get("request")
        return sla_selectors.api_ticket_clocks(actor=getattr(request, "auth", None),
                                               ticket=ticket)


class CommentOut(Schema):
    id: int
    author: PersonOut
    visibility: str
    body: str
    channel: str
    created_at: datetime
    edited_at: datetime | None


class EventOut(Schema):
    id: int
    created_at: datetime
    actor: PersonOut | None
    channel: str
    kind: str
    field: str
    old_value: Any
    new_value: Any
    comment_id: int | None
    reason: str
    ticket_version: int


class CategoryOut(Schema):
    id: int
    department_id: int
    parent_id: int | None
    name: str
    path: str
    is_active: bool


class ServiceOut(Schema):
    id: int
    department_id: int
    name: str
    description: str
    is_active: bool


class Choice(Schema):
    value: str | int
    label: str


class MatrixCell(Schema):
    impact: int
    urgency: int
    priority: int


class CustomFieldOut(Schema):
    key: str
    label: str
    field_type: str
    choices: list[Any]
    is_required: bool


class TicketFieldsOut(Schema):
    kinds: list[Choice]
    statuses: list[Choice]
    transitions: dict[str, dict[str, list[str]]] = Field(
        description="Per kind, from each status, the statuses it may move to.")
    pending_reasons: list[Choice]
    resolution_codes: list[Choice]
    channels: list[Choice]
    impacts: list[Choice]
    urgencies: list[Choice]
    priorities: list[Choice]
    link_kinds: list[Choice]
    visibilities: list[Choice]
    priority_matrix: list[MatrixCell] | None = Field(
        None, description="The department's impact-by-urgency matrix, with `department_id`.")
    reopen_window_days: int | None = None
    custom_fields: list[CustomFieldOut] | None = None


# --- in ----------------------------------------------------------------------------------


class TicketFilters(Filters):
    kind: str | None = None
    status: list[str] = Field(default_factory=list, description="Repeat for several.")
    priority: list[str] = Field(default_factory=list, description="1 to 5; repeat for several.")
    organization_id: FilterId | None = None
    department_id: FilterId | None = None
    team_id: FilterId | None = None
    assignee_id: str | None = Field(None, max_length=20, description="A person's id, or `me`.")
    requester_id: FilterId | None = None
    category_id: FilterId | None = None
    service_id: FilterId | None = None
    channel: str | None = None
    unassigned: bool = False
    tag: str | None = None
    created_after: AwareDatetime | None = Field(
        None, description="Created at or after this moment (ISO 8601 with its offset).")
    created_before: AwareDatetime | None = Field(
        None, description="Created before this moment (ISO 8601 with its offset).")


class TicketCreate(Input):
    kind: str = Field(max_length=20)
    title: str = Field(max_length=200)
    description: str = Field("", max_length=100_000)
    department_id: Id
    organization_id: Id | None = Field(
        None, description="Defaults to the requester's organization.")
    requester_id: Id | None = Field(None, description="Defaults to the caller.")
    channel: str = Field("api", max_length=12)
    category_id: Id | None = None
    service_id: Id | None = None
    impact: Number = 2
    urgency: Number = 2
    team_id: Id | None = None
    assignee_id: Id | None = None
    tags: list[TagName] = Field(default_factory=list, max_length=30)
    custom_fields: dict[str, Any] = Field(default_factory=dict)
    parent: TicketNumber | None = Field(None, description="The parent ticket's number.")


class TicketUpdate(Input):
    title: str = Field(None, max_length=200)
    description: str = Field(None, max_length=100_000)
    category_id: Id | None = None
    service_id: Id | None = None
    impact: Number = None
    urgency: Number = None
    tags: list[TagName] = Field(None, max_length=30)
    custom_fields: dict[str, Any] = Field(None, description="Only the keys sent change; "
                                                            "null removes a value.")
    parent: TicketNumber | None = None


class TransitionIn(Input):
    status: str = Field(max_length=20)
    pending_reason: str = Field("", max_length=20)
    resolution_code: str = Field("", max_length=20)
    resolution_notes: str = Field("", max_length=20_000)


class AssignmentIn(Input):
    team_id: Id | None = None
    assignee_id: Id | None = None


class EscalationIn(Input):
    reason: str = Field("", max_length=1000)
    team_id: Id | None = Field(None, description="Functional escalation to this team; "
                                                 "without it, to the next support line.")


class PriorityIn(Input):
    priority: Number
    reason: str = Field("", max_length=1000)


class CommentCreate(Input):
    body: str = Field(max_length=100_000)
    visibility: str = Field("public", max_length=10)


class CommentUpdate(Input):
    body: str = Field(max_length=100_000)


class WatcherIn(Input):
    user_id: Id


class LinkCreate(Input):
    number: TicketNumber
    kind: str = Field("related", max_length=12)


class MergeIn(Input):
    duplicates: list[TicketNumber] = Field(min_length=1, max_length=50)


class ReferenceFilters(Filters):
    department_id: FilterId | None = None
