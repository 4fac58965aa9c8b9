"""`GET /api/v1/search/tickets`: the search box of the API. Thin: parse, search, shape.

No `from __future__ import annotations` here: Ninja reads the annotations of the view
and of the schemas at import time.
"""

import base64
import binascii

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import ValidationError as NinjaValidationError

from atiende.api.schemas import Filters
from atiende.errors import ValidationFailed
from atiende.tickets.models import Kind, Status
from atiende.tickets.search import search_tickets
from atiende.tickets.search.query import MAX_QUERY, MAX_RESULTS

router = Router(tags=["search"])
_CURSOR_PREFIX = "search:"


class SearchFilters(Filters):
    q: str = Field(min_length=1, max_length=MAX_QUERY,
                   description="Words, or a ticket number (INC-000123, inc-123, #123).")
    kind: str | None = None
    status: list[str] = Field(default_factory=list, description="Repeat for several.")
    organization_id: int | None = None
    department_id: int | None = None
    page_size: int = Field(20, ge=1, le=100)
    cursor: str | None = Field(None, max_length=100)


class ReferenceOut(Schema):
    id: int
    name: str


class TicketHitOut(Schema):
    number: str
    kind: str
    title: str
    status: str
    priority: int
    organization: ReferenceOut
    department: ReferenceOut
    snippet: str = Field(alias="search_snippet", description=(
        "HTML: a short passage of the ticket's text with every character escaped and the "
        "words found in <mark>."))


class TicketSearchOut(Schema):
    exact: bool = Field(description="The query was a ticket number: the one result is that "
                                    "ticket (a client may go straight to it).")
    next: str | None
    previous: str | None
    results: list[TicketHitOut]


def _encode(offset: int) -> str:
    return base64.urlsafe_b64encode(f"{_CURSOR_PREFIX}{offset}".encode()).decode()


def _offset(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        decoded = base64.urlsafe_b64decode(cursor.encode("ascii")).decode("ascii")
        offset = int(decoded.removeprefix(_CURSOR_PREFIX))
        if not decoded.startswith(_CURSOR_PREFIX) or not 0 <= offset < MAX_RESULTS:
            raise ValueError(cursor)
    except (ValueError, UnicodeError, binascii.Error):
        raise NinjaValidationError([{"loc": ("query", "cursor"), "type": "invalid_cursor",
                                     "msg": "Invalid cursor"}]) from None
    return offset


def _link(request: HttpRequest, offset: int | None) -> str | None:
    if offset is None:
        return None
    query = request.GET.copy()
    query.pop("cursor", None)
    if offset:
        query["cursor"] = _encode(offset)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


def _filters(filters: SearchFilters) -> dict:
    if filters.kind is not None and filters.kind not in Kind.values:
        raise ValidationFailed({"kind": _("Not a valid choice.")}, code="invalid_choice")
    if any(status not in Status.values for status in filters.status):
        raise ValidationFailed({"status": _("Not a valid choice.")}, code="invalid_choice")
    return {"kind": filters.kind, "status": filters.status,
            "organization_id": filters.organization_id,
            "department_id": filters.department_id}


@router.get("/search/tickets", response=TicketSearchOut, summary="Search tickets")
def ticket_search(request: HttpRequest, filters: Query[SearchFilters]):
    """Tickets the caller may see whose title, description or comments hold every word
    of `q` (accents and word endings aside: "impresora" finds "Impresoras"), best first.
    Internal notes count only for staff of the ticket. A ticket number finds that
    ticket alone, with `exact` true."""
    offset = _offset(filters.cursor)
    results = search_tickets(actor=request.auth, query=filters.q, filters=_filters(filters))
    page = results[offset:offset + filters.page_size + 1]
    more = len(page) > filters.page_size
    return {
        "exact": results.exact,
        "next": _link(request, offset + filters.page_size) if more else None,
        "previous": _link(request, max(0, offset - filters.page_size)) if offset else None,
        "results": page[:filters.page_size],
    }
