"""`/api/v1/ticket-views`: the caller's saved queue views and those shared with their
teams. Thin: parse, call `atiende.tickets.saved_views`, shape.

No `from __future__ import annotations` here: Ninja reads the annotations of the views
and of the schemas at import time.
"""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from atiende.api.pagination import Pagination
from atiende.api.schemas import Id, Input
from atiende.tickets import saved_views
from atiende.tickets.columns import chosen
from atiende.tickets.schemas import PersonOut, TeamRefOut

router = Router(tags=["saved views"])

QUERY_HELP = ("The queue's parameters, as in the workspace's URL: `queue` (mine, teams, "
              "unassigned, all), `sort` (newest, priority, updated), `status`, `priority`, "
              "`kind`, `department`, `team`, `assignee`, `category` (ids), `requester` "
              "(words) and `col` (a list of column names).")


class SavedViewOut(Schema):
    id: int
    name: str
    owner: PersonOut
    team: TeamRefOut | None = Field(None, description="The team it is shared with.")
    query: dict[str, Any] = Field(description=QUERY_HELP)
    columns: list[str] = Field(description="The columns it shows, in order.")
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_columns(view) -> list[str]:
        return [column.key for column in chosen(view.query.get("col", []))]


class SavedViewCreate(Input):
    name: str
    query: dict[str, Any] = Field(default_factory=dict, description=QUERY_HELP)
    team_id: Id | None = Field(None, description="Share with this team (one you belong to).")


class SavedViewUpdate(Input):
    name: str | None = None
    query: dict[str, Any] | None = Field(None, description=QUERY_HELP)
    team_id: Id | None = Field(None, description="null stops sharing.")


@router.get("/ticket-views", response=list[SavedViewOut], summary="Saved queue views")
@paginate(Pagination, ordering=("name", "id"))
def saved_view_list(request: HttpRequest):
    """The caller's views and those shared with a team the caller belongs to."""
    return saved_views.saved_view_list(actor=request.auth)


@router.post("/ticket-views", response={201: SavedViewOut}, summary="Save a queue view")
def saved_view_create(request: HttpRequest, payload: SavedViewCreate):
    view = saved_views.saved_view_create(actor=request.auth, name=payload.name,
                                         query=payload.query, team=payload.team_id)
    return Status(201, view)


@router.get("/ticket-views/{view_id}", response=SavedViewOut, summary="One saved view")
def saved_view_detail(request: HttpRequest, view_id: int):
    return saved_views.saved_view_get(actor=request.auth, view_id=view_id)


@router.patch("/ticket-views/{view_id}", response=SavedViewOut,
              summary="Rename, share or change a view (its owner only)")
def saved_view_update(request: HttpRequest, view_id: int, payload: SavedViewUpdate):
    view = saved_views.saved_view_get(actor=request.auth, view_id=view_id)
    changes = payload.changes()
    if "team_id" in changes:
        changes["team"] = changes.pop("team_id")
    return saved_views.saved_view_update(actor=request.auth, view=view, **changes)


@router.delete("/ticket-views/{view_id}", response={204: None},
               summary="Delete a view (its owner only)")
def saved_view_delete(request: HttpRequest, view_id: int):
    view = saved_views.saved_view_get(actor=request.auth, view_id=view_id)
    saved_views.saved_view_delete(actor=request.auth, view=view)
    return Status(204, None)
