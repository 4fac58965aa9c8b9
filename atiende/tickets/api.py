"""`/api/v1/tickets` and the reference lists a client needs to fill tickets in. Thin:
parse, call a selector or a service, return.

A ticket's representation carries `ETag: "<version>"`. Changes that overwrite what
the editor saw (PATCH, transitions) require `If-Match` with that version: 428 without
it, 412 when someone changed the ticket since. Actions that do not overwrite
(assignment, escalation, priority) check `If-Match` when it is sent.

No `from __future__ import annotations` here: Ninja's `@paginate` wrapper resolves a
view's string annotations in `ninja.pagination`'s globals, where `Query[...]` is
unknown, and every filtered list would fail with a 500.
"""

import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Query, Router, Status
from ninja.pagination import paginate
from ninja.responses import NinjaJSONEncoder

from atiende.api import idempotency
from atiende.api.pagination import KeysFirstPagination, Pagination
from atiende.api.schemas import MAX_ID
from atiende.core import selectors as core_selectors
from atiende.core.models import User
from atiende.errors import AtiendeError, Conflict, NotFound, PermissionDenied, ValidationFailed
from atiende.tickets import models, policies, selectors, services
from atiende.tickets.models import (
    LIFECYCLES,
    Channel,
    Comment,
    Kind,
    Level,
    LinkKind,
    PendingReason,
    Priority,
    ResolutionCode,
    Ticket,
    Visibility,
)
from atiende.tickets.schemas import (
    AssignmentIn,
    CategoryOut,
    CommentCreate,
    CommentOut,
    CommentUpdate,
    EscalationIn,
    EventOut,
    LinkCreate,
    LinkOut,
    MergeIn,
    PersonOut,
    PriorityIn,
    ReferenceFilters,
    ServiceOut,
    TicketCreate,
    TicketDetailOut,
    TicketFieldsOut,
    TicketFilters,
    TicketOut,
    TicketUpdate,
    TransitionIn,
    WatcherIn,
)

router = Router(tags=["tickets"])
CHANNEL = "api"
CREATE_ENDPOINT = "POST /api/v1/tickets"
_IF_MATCH = re.compile(r'\s*"(\d{1,9})"\s*')


def _header(name: str, *, required: bool, description: str) -> dict:
    """An operation's request header, for the OpenAPI document."""
    return {"parameters": [{"in": "header", "name": name, "required": required,
                            "description": description, "schema": {"type": "string"}}]}


IF_MATCH = _header("If-Match", required=True,
                   description='The version from the ticket\'s ETag, e.g. "3".')
IF_MATCH_OPTIONAL = _header("If-Match", required=False,
                            description='The version from the ticket\'s ETag, e.g. "3"; '
                                        "checked when sent.")
IDEMPOTENCY_KEY = _header("Idempotency-Key", required=False,
                          description="Up to 255 visible ASCII characters; a retry with the "
                                      "same key within 24 hours answers the first response.")


# --- versions: ETag and If-Match --------------------------------------------------------


class PreconditionRequired(AtiendeError):
    status = 428
    code = "precondition_required"
    default_message = gettext_lazy(
        "Send the header If-Match with the version from the ticket's ETag (e.g. "
        "If-Match: \"3\"), so that nobody else's change is overwritten."
    )


class StaleVersion(AtiendeError):
    """The version in If-Match is not the ticket's; the message says who changed what."""

    status = 412
    code = "stale_version"


def _etag(version: int) -> str:
    return f'"{version}"'


def _if_match(request: HttpRequest, *, required: bool) -> int | None:
    header = request.headers.get("If-Match")
    if header is None:
        if required:
            raise PreconditionRequired()
        return None
    match = _IF_MATCH.fullmatch(header)
    if match is None:
        raise ValidationFailed(
            {"If-Match": _("Send the version from the ticket's ETag, in quotes: \"3\".")},
            code="invalid_if_match",
        )
    return int(match.group(1))


@contextmanager
def _precondition() -> Iterator[None]:
    """The service's stale-version conflict, answered as HTTP's failed precondition."""
    try:
        yield
    except Conflict as error:
        if error.code == "stale_version":
            raise StaleVersion(error.message) from error
        raise


def _current(request: HttpRequest, ticket: Ticket) -> int:
    """The version the caller saw: If-Match when sent, else the one just read."""
    version = _if_match(request, required=False)
    return ticket.version if version is None else version


def _detail(request: HttpRequest, response: HttpResponse, number: str) -> Ticket:
    ticket = selectors.ticket_detail(actor=request.auth, number=number)
    response["ETag"] = _etag(ticket.version)
    return ticket


# --- what a request body names ------------------------------------------------------------


def _staff_only(actor: User, ticket: Ticket) -> None:
    """Refuse a staff action before the ids in its body are looked up, so that a
    requester is told "not allowed" rather than "no such team". The service checks the
    same policy again."""
    if not policies.works_on(actor, ticket):
        raise PermissionDenied()


def _referenced(field: str, code: str, lookup: Callable[[], Any]) -> Any:
    """What `lookup` finds, or a field error: an id in a body that the caller cannot see
    is invalid input, answered like one that does not exist."""
    try:
        return lookup()
    except NotFound:
        raise ValidationFailed({field: _("No such record, or you cannot see it.")},
                               code=code) from None


def _category(actor: User, category_id: int | None):
    if category_id is None:
        return None
    return _referenced("category_id", "unknown_category",
                       lambda: selectors.category_get(actor=actor, category_id=category_id))


def _service(actor: User, service_id: int | None):
    if service_id is None:
        return None
    return _referenced("service_id", "unknown_service",
                       lambda: selectors.service_get(actor=actor, service_id=service_id))


def _team(actor: User, team_id: int | None):
    if team_id is None:
        return None
    return _referenced("team_id", "unknown_team",
                       lambda: core_selectors.team_get(actor=actor, team_id=team_id))


def _person(actor: User, user_id: int | None, field: str):
    if user_id is None:
        return None
    if user_id == actor.pk:
        return actor
    return _referenced(field, "unknown_user",
                       lambda: core_selectors.user_get(actor=actor, user_id=user_id))


def _other_ticket(actor: User, number: str | None, field: str) -> Ticket | None:
    if number is None:
        return None
    return _referenced(field, "unknown_ticket",
                       lambda: selectors.ticket_get(actor=actor, number=number))


# --- tickets -------------------------------------------------------------------------------


@router.get("/tickets", response=list[TicketOut], summary="Tickets the caller may see")
@paginate(KeysFirstPagination, ordering=("-id",))
def ticket_list(request: HttpRequest, filters: Query[TicketFilters]):
    """Newest first. `status` and `priority` may be repeated; `assignee_id=me`."""
    return selectors.tickets_with_tags(selectors.ticket_list(
        actor=request.auth, filters=_list_filters(request.auth, filters)))


def _list_filters(actor: User, filters: TicketFilters) -> dict:
    """The filters as the selector takes them. Repeated values are checked here: Ninja
    would name a bad one `filters.priority.0`, and a NUL in one would reach the
    database."""
    values = filters.model_dump()
    errors = {}
    if values["assignee_id"] == "me":
        values["assignee_id"] = actor.pk
    elif values["assignee_id"] is not None:
        digits = values["assignee_id"]
        if digits.isascii() and digits.isdigit() and int(digits) <= MAX_ID:
            values["assignee_id"] = int(digits)
        else:
            errors["assignee_id"] = _("Use a person's id or “me”.")
    if set(values["status"]) - set(models.Status.values):
        errors["status"] = _("Not a valid choice.")
    if set(values["priority"]) - {str(value) for value in Priority.values}:
        errors["priority"] = _("Not a valid choice.")
    if errors:
        raise ValidationFailed(errors, code="invalid_filter")
    values["priority"] = [int(value) for value in values["priority"]]
    return values


def _create(actor: User, payload: TicketCreate) -> Ticket:
    department = core_selectors.department_get(actor=actor, department_id=payload.department_id)
    requester = _person(actor, payload.requester_id, "requester_id") or actor
    organization_id = (requester.organization_id if payload.organization_id is None
                       else payload.organization_id)
    if organization_id is None:
        raise ValidationFailed({"organization_id": _("This field is required.")},
                               code="required")
    organization = core_selectors.organization_get(actor=actor, organization_id=organization_id)
    return services.ticket_create(
        actor=actor, kind=payload.kind, title=payload.title, description=payload.description,
        organization=organization, department=department, requester=requester,
        channel=payload.channel, category=_category(actor, payload.category_id),
        service=_service(actor, payload.service_id), impact=payload.impact,
        urgency=payload.urgency, team=_team(actor, payload.team_id),
        assignee=_person(actor, payload.assignee_id, "assignee_id"), tags=payload.tags,
        custom_fields=payload.custom_fields,
        parent=_other_ticket(actor, payload.parent, "parent"),
    )


@router.post("/tickets", response={201: TicketDetailOut}, summary="Register a ticket",
             openapi_extra=IDEMPOTENCY_KEY)
def ticket_create(request: HttpRequest, payload: TicketCreate):
    """With an `Idempotency-Key` header, a retry within 24 hours answers the first
    response again instead of registering a second ticket."""
    actor = request.auth
    key = idempotency.checked_key(request.headers.get(idempotency.HEADER))

    def run() -> tuple[int, str]:
        ticket = _create(actor, payload)
        shown = TicketDetailOut.from_orm(selectors.ticket_detail(actor=actor,
                                                                 number=ticket.number))
        return 201, json.dumps(shown.model_dump(), cls=NinjaJSONEncoder)

    if key is None:
        status, content = run()
    else:
        status, content = idempotency.once(
            user=actor, key=key, endpoint=CREATE_ENDPOINT, run=run,
            fingerprint=idempotency.body_hash(payload.model_dump(mode="json")),
        )
    response = HttpResponse(content, status=status,
                            content_type="application/json; charset=utf-8")
    response["ETag"] = _etag(json.loads(content)["version"])
    return response


@router.get("/tickets/{number}", response=TicketDetailOut, summary="One ticket")
def ticket_detail(request: HttpRequest, response: HttpResponse, number: str):
    return _detail(request, response, number)


@router.patch("/tickets/{number}", response=TicketDetailOut, summary="Change fields",
              openapi_extra=IF_MATCH)
def ticket_update(request: HttpRequest, response: HttpResponse, number: str,
                  payload: TicketUpdate):
    """Requires `If-Match`. Only the fields sent change."""
    actor = request.auth
    ticket = selectors.ticket_get(actor=actor, number=number)
    _staff_only(actor, ticket)
    version = _if_match(request, required=True)
    changes = payload.changes()
    if "category_id" in changes:
        changes["category"] = _category(actor, changes.pop("category_id"))
    if "service_id" in changes:
        changes["service"] = _service(actor, changes.pop("service_id"))
    if "parent" in changes:
        changes["parent"] = _other_ticket(actor, changes["parent"], "parent")
    for name, empty in (("tags", []), ("custom_fields", {})):
        if name in changes and changes[name] is None:
            changes[name] = empty
    with _precondition():
        services.ticket_update(actor=actor, ticket=ticket, changes=changes, version=version,
                               channel=CHANNEL)
    return _detail(request, response, number)


@router.post("/tickets/{number}/transitions", response=TicketDetailOut,
             summary="Move along the lifecycle", openapi_extra=IF_MATCH)
def ticket_transition(request: HttpRequest, response: HttpResponse, number: str,
                      payload: TransitionIn):
    """Requires `If-Match`. The ticket's `allowed_transitions` say where it may go."""
    ticket = selectors.ticket_get(actor=request.auth, number=number)
    version = _if_match(request, required=True)
    with _precondition():
        services.ticket_transition(
            actor=request.auth, ticket=ticket, to_status=payload.status, version=version,
            pending_reason=payload.pending_reason, resolution_code=payload.resolution_code,
            resolution_notes=payload.resolution_notes, channel=CHANNEL,
        )
    return _detail(request, response, number)


@router.post("/tickets/{number}/assignment", response=TicketDetailOut,
             summary="Give to a team and an agent", openapi_extra=IF_MATCH_OPTIONAL)
def ticket_assign(request: HttpRequest, response: HttpResponse, number: str,
                  payload: AssignmentIn):
    actor = request.auth
    ticket = selectors.ticket_get(actor=actor, number=number)
    _staff_only(actor, ticket)
    team = _team(actor, payload.team_id)
    assignee = _person(actor, payload.assignee_id, "assignee_id")
    with _precondition():
        services.ticket_assign(actor=actor, ticket=ticket, team=team, assignee=assignee,
                               version=_current(request, ticket), channel=CHANNEL)
    return _detail(request, response, number)


@router.post("/tickets/{number}/escalations", response=TicketDetailOut,
             summary="Escalate to a team or the next line",
             openapi_extra=IF_MATCH_OPTIONAL)
def ticket_escalate(request: HttpRequest, response: HttpResponse, number: str,
                    payload: EscalationIn):
    actor = request.auth
    ticket = selectors.ticket_get(actor=actor, number=number)
    _staff_only(actor, ticket)
    team = _team(actor, payload.team_id)
    with _precondition():
        services.ticket_escalate(actor=actor, ticket=ticket, reason=payload.reason, team=team,
                                 version=_current(request, ticket), channel=CHANNEL)
    return _detail(request, response, number)


@router.post("/tickets/{number}/priority", response=TicketDetailOut,
             summary="Set the priority by hand, with a reason",
             openapi_extra=IF_MATCH_OPTIONAL)
def ticket_set_priority(request: HttpRequest, response: HttpResponse, number: str,
                        payload: PriorityIn):
    ticket = selectors.ticket_get(actor=request.auth, number=number)
    with _precondition():
        services.ticket_set_priority(actor=request.auth, ticket=ticket,
                                     priority=payload.priority, reason=payload.reason,
                                     version=_current(request, ticket), channel=CHANNEL)
    return _detail(request, response, number)


@router.post("/tickets/{number}/merge", response=TicketDetailOut,
             summary="Fold duplicates into this ticket")
def ticket_merge(request: HttpRequest, response: HttpResponse, number: str, payload: MergeIn):
    actor = request.auth
    into = selectors.ticket_get(actor=actor, number=number)
    _staff_only(actor, into)
    duplicates = [_other_ticket(actor, duplicate, "duplicates")
                  for duplicate in dict.fromkeys(payload.duplicates)]
    services.ticket_merge(actor=actor, duplicates=duplicates, into=into, channel=CHANNEL)
    return _detail(request, response, number)


# --- conversation and timeline ------------------------------------------------------------


@router.get("/tickets/{number}/comments", response=list[CommentOut],
            summary="The conversation (internal notes only for staff)")
@paginate(Pagination, ordering=("id",))
def comment_list(request: HttpRequest, number: str):
    ticket = selectors.ticket_get(actor=request.auth, number=number)
    return selectors.ticket_comments(actor=request.auth, ticket=ticket)


@router.post("/tickets/{number}/comments", response={201: CommentOut},
             summary="Reply, or add an internal note")
def comment_add(request: HttpRequest, number: str, payload: CommentCreate):
    ticket = selectors.ticket_get(actor=request.auth, number=number)
    comment = services.comment_add(actor=request.auth, ticket=ticket, body=payload.body,
                                   visibility=payload.visibility, channel=CHANNEL)
    return Status(201, comment)


def _comment(request: HttpRequest, number: str, comment_id: int) -> Comment:
    ticket = selectors.ticket_get(actor=request.auth, number=number)
    return selectors.comment_get(actor=request.auth, ticket=ticket, comment_id=comment_id)


@router.patch("/tickets/{number}/comments/{comment_id}", response=CommentOut,
              summary="Edit own comment")
def comment_edit(request: HttpRequest, number: str, comment_id: int, payload: CommentUpdate):
    comment = _comment(request, number, comment_id)
    return services.comment_edit(actor=request.auth, comment=comment, body=payload.body,
                                 channel=CHANNEL)


@router.delete("/tickets/{number}/comments/{comment_id}", response={204: None},
               summary="Delete own comment (it stays in the timeline)")
def comment_delete(request: HttpRequest, number: str, comment_id: int):
    comment = _comment(request, number, comment_id)
    services.comment_delete(actor=request.auth, comment=comment, channel=CHANNEL)
    return Status(204, None)


@router.get("/tickets/{number}/events", response=list[EventOut],
            summary="The timeline the caller may see")
@paginate(Pagination, ordering=("id",))
def event_list(request: HttpRequest, number: str):
    ticket = selectors.ticket_get(actor=request.auth, number=number)
    return selectors.ticket_events(actor=request.auth, ticket=ticket)


# --- watchers and links ---------------------------------------------------------------------


@router.post("/tickets/{number}/watchers", response={201: list[PersonOut]},
             summary="Follow a ticket, or make someone follow it")
def watcher_add(request: HttpRequest, number: str, payload: WatcherIn):
    actor = request.auth
    ticket = selectors.ticket_get(actor=actor, number=number)
    if payload.user_id != actor.pk:
        _staff_only(actor, ticket)
    user = _person(actor, payload.user_id, "user_id")
    services.watcher_add(actor=actor, ticket=ticket, user=user, channel=CHANNEL)
    return Status(201, selectors.ticket_detail(actor=actor, number=number).watchers.all())


@router.delete("/tickets/{number}/watchers/{user_id}", response={204: None},
               summary="Stop following, or remove a watcher")
def watcher_remove(request: HttpRequest, number: str, user_id: int):
    actor = request.auth
    ticket = selectors.ticket_get(actor=actor, number=number)
    if user_id == actor.pk:
        user = actor
    else:
        _staff_only(actor, ticket)
        user = core_selectors.user_get(actor=actor, user_id=user_id)
    services.watcher_remove(actor=actor, ticket=ticket, user=user, channel=CHANNEL)
    return Status(204, None)


@router.post("/tickets/{number}/links", response={201: LinkOut}, summary="Link two tickets")
def link_create(request: HttpRequest, number: str, payload: LinkCreate):
    actor = request.auth
    source = selectors.ticket_get(actor=actor, number=number)
    _staff_only(actor, source)
    target = _other_ticket(actor, payload.number, "number")
    link = services.ticket_link(actor=actor, source=source, target=target, kind=payload.kind,
                                channel=CHANNEL)
    link.other, link.direction = target, "outgoing"
    return Status(201, link)


@router.delete("/tickets/{number}/links/{link_id}", response={204: None},
               summary="Remove a link")
def link_delete(request: HttpRequest, number: str, link_id: int):
    ticket = selectors.ticket_get(actor=request.auth, number=number)
    link = selectors.ticket_link_get(actor=request.auth, ticket=ticket, link_id=link_id)
    services.ticket_unlink(actor=request.auth, link=link, channel=CHANNEL)
    return Status(204, None)


# --- reference lists ------------------------------------------------------------------------


@router.get("/categories", response=list[CategoryOut], tags=["reference"],
            summary="Category trees, flat, with each category's path")
def category_list(request: HttpRequest, filters: Query[ReferenceFilters]):
    return selectors.category_list(actor=request.auth, department_id=filters.department_id)


@router.get("/services", response=list[ServiceOut], tags=["reference"],
            summary="Services of the departments")
def service_list(request: HttpRequest, filters: Query[ReferenceFilters]):
    return selectors.service_list(actor=request.auth, department_id=filters.department_id)


def _choices(choices) -> list[dict]:
    return [{"value": value, "label": str(label)} for value, label in choices.choices]


@router.get("/ticket-fields", response=TicketFieldsOut, tags=["reference"],
            summary="Kinds, statuses, lifecycles and the other values of a ticket")
def ticket_fields(request: HttpRequest, filters: Query[ReferenceFilters]):
    """With `department_id`: that department's priority matrix, reopen window and
    custom fields too."""
    fields: dict[str, Any] = {
        "kinds": [choice for choice in _choices(Kind) if choice["value"] in LIFECYCLES],
        "statuses": _choices(models.Status),
        "transitions": {
            kind: {status: [to for to in models.Status.values if to in targets]
                   for status, targets in lifecycle.items()}
            for kind, lifecycle in LIFECYCLES.items()
        },
        "pending_reasons": _choices(PendingReason),
        "resolution_codes": _choices(ResolutionCode),
        "channels": _choices(Channel),
        "impacts": _choices(Level),
        "urgencies": _choices(Level),
        "priorities": _choices(Priority),
        "link_kinds": _choices(LinkKind),
        "visibilities": _choices(Visibility),
    }
    if filters.department_id is not None:
        desk = selectors.desk_settings(actor=request.auth, department_id=filters.department_id)
        fields["priority_matrix"] = [
            {"impact": impact, "urgency": urgency,
             "priority": desk.priority_for(impact, urgency)}
            for impact in Level.values for urgency in Level.values
        ]
        fields["reopen_window_days"] = desk.reopen_window_days
        fields["custom_fields"] = desk.field_definitions
    return fields
