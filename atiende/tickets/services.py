"""Every change to a ticket. Each service checks permission, validates, locks the
ticket, writes, appends one Event per visible change in the same transaction, bumps
the ticket's version, and schedules the outbox dispatch after commit.

Updates carry the `version` the editor saw; a stale one raises Conflict naming who
changed what since.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from atiende.core.models import DEPARTMENT_ROLES, Department, Membership, Organization, Team, User
from atiende.errors import Conflict, PermissionDenied, ValidationFailed
from atiende.tickets import policies
from atiende.tickets.models import (
    LIFECYCLES,
    NUMBER_PREFIX,
    Category,
    Channel,
    Comment,
    CustomField,
    DeskSettings,
    Event,
    EventKind,
    FieldType,
    IncidentDetail,
    Kind,
    Level,
    LinkKind,
    PendingReason,
    Priority,
    ResolutionCode,
    Service,
    ServiceRequestDetail,
    Status,
    Tag,
    Ticket,
    TicketLink,
    TicketSequence,
    Visibility,
)
from atiende.tickets.text import clean_html
from atiende.validation import choice, text

TITLE_MAX = 200


# --- shared ---------------------------------------------------------------------------


def _event(ticket: Ticket, *, actor: User | None, channel: str, kind: str, field: str = "",
           old: Any = None, new: Any = None, comment: Comment | None = None,
           reason: str = "", at: dt.datetime | None = None) -> Event:
    return Event.objects.create(
        ticket=ticket, actor=actor, channel=channel, kind=kind, field=field, old_value=old,
        new_value=new, comment=comment, reason=reason, ticket_version=ticket.version,
        created_at=at or timezone.now(),
    )


def _enqueue_dispatch() -> None:
    from atiende.tickets.tasks import dispatch_events

    dispatch_events.enqueue()


def dispatch_after_commit() -> None:
    """Enqueue one outbox dispatch when the transaction commits. A dispatch delivers
    every undelivered event, so one per transaction is enough however many changes it
    holds (a bulk action, the demo). A dispatch still scheduled covers this change: a
    rollback that drops it (to a savepoint open when it was scheduled, and so still
    enclosing this change) drops this change too."""
    connection = transaction.get_connection()
    if any(callback is _enqueue_dispatch for _ids, callback, _robust in connection.run_on_commit):
        return
    transaction.on_commit(_enqueue_dispatch)


def _locked(ticket: Ticket, version: int | None) -> Ticket:
    """The ticket, locked for this transaction; refuses a stale `version`."""
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if version is not None and locked.version != version:
        raise _stale(locked, version)
    return locked


def _stale(ticket: Ticket, seen_version: int) -> Conflict:
    changes = (Event.objects.filter(ticket=ticket, ticket_version__gt=seen_version)
               .select_related("actor").order_by("id"))
    described = {}
    for event in changes:
        who = event.actor.display_name if event.actor else _("the system")
        described.setdefault(who, []).append(_field_label(event.field or event.kind))
    summary = "; ".join(f"{who}: {', '.join(dict.fromkeys(fields))}"
                        for who, fields in described.items())
    return Conflict(
        _("%(number)s was changed after you opened it (%(summary)s). Reload it and apply "
          "your change again.") % {"number": ticket.number, "summary": summary},
        code="stale_version",
    )


def _field_label(name: str) -> str:
    field = {f.name: f for f in Ticket._meta.get_fields() if hasattr(f, "verbose_name")}
    if name in field:
        return str(field[name].verbose_name)
    return str(dict(EventKind.choices).get(name, name))


def _touch(ticket: Ticket, fields: list[str], *, bump: bool = True,
           at: dt.datetime | None = None) -> None:
    ticket.updated_at = at or timezone.now()
    if bump:
        ticket.version += 1
        fields = [*fields, "version"]
    ticket.save(update_fields=[*dict.fromkeys([*fields, "updated_at"])])


def _plain(value: Any) -> Any:
    if hasattr(value, "pk"):
        return {"id": value.pk, "label": str(value)}
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def _require_work(actor: User, ticket: Ticket) -> None:
    if not policies.works_on(actor, ticket):
        raise PermissionDenied()


def _level(value: Any, field: str) -> int:
    if value not in Level.values:
        raise ValidationFailed({field: _("Use 1 (high), 2 (medium) or 3 (low).")},
                               code="invalid_choice")
    return int(value)


def _settings(department: Department) -> DeskSettings:
    return DeskSettings.objects.filter(department=department).first() or DeskSettings(
        department=department
    )


def _works_in_department(user: User, department: Department, organization_id: int) -> bool:
    return Membership.objects.filter(
        user=user, department=department, organization_id=organization_id,
        role__in=DEPARTMENT_ROLES, user__is_active=True,
    ).exists()


def _next_number(kind: str) -> str:
    """The next number of `kind`. The UPDATE holds the row lock until commit, so two
    transactions never get the same number (and a rolled-back one may leave a gap)."""
    if not TicketSequence.objects.filter(kind=kind).update(last=F("last") + 1):
        try:
            with transaction.atomic():
                TicketSequence.objects.create(kind=kind, last=1)
        except IntegrityError:
            TicketSequence.objects.filter(kind=kind).update(last=F("last") + 1)
    last = TicketSequence.objects.get(kind=kind).last
    return f"{NUMBER_PREFIX[kind]}-{last:06d}"


def _custom_values(department: Department, values: Mapping[str, Any] | None,
                   current: Mapping[str, Any] | None = None) -> dict:
    """Values checked against the department's field definitions; `current` are the
    ticket's values so far (a partial update keeps the others)."""
    definitions = {field.key: field for field in CustomField.objects.filter(department=department)}
    merged = dict(current or {})
    errors: dict[str, str] = {}
    for key, value in (values or {}).items():
        definition = definitions.get(key)
        if definition is None:
            errors[f"custom_fields.{key}"] = _("Unknown field.")
            continue
        if value in (None, ""):
            merged.pop(key, None)
            continue
        checked = _custom_value(definition, value)
        if checked is None:
            errors[f"custom_fields.{key}"] = _("Enter a valid value.")
        else:
            merged[key] = checked
    for key, definition in definitions.items():
        if definition.is_required and merged.get(key) in (None, ""):
            errors.setdefault(f"custom_fields.{key}", _("This field is required."))
    if errors:
        raise ValidationFailed(errors, code="invalid_custom_field")
    return merged


def _custom_value(definition: CustomField, value: Any) -> Any:
    if definition.field_type == FieldType.TEXT:
        return str(value)[:2000] if isinstance(value, str) and "\x00" not in value else None
    if definition.field_type == FieldType.NUMBER:
        return value if isinstance(value, int | float) and not isinstance(value, bool) else None
    if definition.field_type == FieldType.DATE:
        try:
            return dt.date.fromisoformat(str(value)).isoformat()
        except ValueError:
            return None
    if definition.field_type == FieldType.CHOICE:
        return value if value in definition.choices else None
    if definition.field_type == FieldType.USER:
        exists = isinstance(value, int) and not isinstance(value, bool) and User.objects.filter(
            pk=value, organization__isnull=False).exists()
        return value if exists else None
    return None


def _category(department: Department, category: Category | None) -> Category | None:
    if category is not None and (category.department_id != department.pk
                                 or not category.is_active):
        raise ValidationFailed({"category_id": _("This category does not belong to the "
                                                 "ticket's department.")},
                               code="category_other_department")
    return category


def _service(department: Department, service: Service | None) -> Service | None:
    if service is not None and (service.department_id != department.pk or not service.is_active):
        raise ValidationFailed({"service_id": _("This service does not belong to the "
                                                "ticket's department.")},
                               code="service_other_department")
    return service


def _tags(department: Department, names: Iterable[str]) -> list[Tag]:
    tags = []
    for raw in names:
        name = text(raw, "tags", max_length=50).lower()
        tag, _created = Tag.objects.get_or_create(department=department, name=name)
        tags.append(tag)
    return tags


def _check_assignment(ticket: Ticket, team: Team | None, assignee: User | None) -> None:
    if team is not None and team.department_id != ticket.department_id:
        raise ValidationFailed({"team_id": _("This team does not belong to the ticket's "
                                             "department.")}, code="team_other_department")
    if assignee is not None:
        if not _works_in_department(assignee, ticket.department, ticket.organization_id):
            raise ValidationFailed({"assignee_id": _("Only agents of the ticket's department "
                                                     "can be assigned.")},
                                   code="assignee_other_department")
        if team is not None and not team.members.filter(pk=assignee.pk).exists():
            raise ValidationFailed({"assignee_id": _("The assignee is not a member of the "
                                                     "team.")}, code="assignee_not_in_team")


# --- create ---------------------------------------------------------------------------


def ticket_create(
    *, actor: User, kind: str, title: str, organization: Organization, department: Department,
    requester: User, description: str = "", channel: str = Channel.PORTAL,
    category: Category | None = None, service: Service | None = None,
    impact: int = Level.MEDIUM, urgency: int = Level.MEDIUM, team: Team | None = None,
    assignee: User | None = None, tags: Iterable[str] = (),
    custom_fields: Mapping[str, Any] | None = None, parent: Ticket | None = None,
    created_at: dt.datetime | None = None,
) -> Ticket:
    """Register a ticket. Returns it with its number. Writes one `created` event.
    `actor=None` is Atiende itself following a rule its caller checked (fulfilment
    tasks of a catalog request)."""
    if actor is not None and not policies.can_create(
            actor, organization=organization, department=department, requester=requester):
        raise PermissionDenied()
    choice(kind, "kind", LIFECYCLES)
    choice(channel, "channel", Channel.values)
    if not department.serves(organization):
        raise ValidationFailed({"department_id": _("This department does not serve the "
                                                   "organization.")},
                               code="department_not_serving")
    if requester.organization_id != organization.pk:
        raise ValidationFailed({"requester_id": _("The requester does not belong to the "
                                                  "organization.")},
                               code="requester_other_organization")
    title = text(title, "title", max_length=TITLE_MAX)
    body = clean_html(text(description, "description", max_length=100_000, required=False))
    impact, urgency = _level(impact, "impact"), _level(urgency, "urgency")
    probe = Ticket(organization=organization, department=department)
    _check_assignment(probe, team, assignee)
    with transaction.atomic():
        ticket = Ticket(
            number=_next_number(kind), kind=kind, title=title, description=body,
            organization=organization, department=department, requester=requester,
            channel=channel, category=_category(department, category),
            service=_service(department, service), impact=impact, urgency=urgency,
            priority=_settings(department).priority_for(impact, urgency), team=team,
            assignee=assignee, status=Status.ASSIGNED if assignee else Status.NEW,
            custom_fields=_custom_values(department, custom_fields), parent=parent,
        )
        if created_at is not None:
            ticket.created_at = ticket.updated_at = created_at
        ticket.save()
        if kind == Kind.INCIDENT:
            IncidentDetail.objects.create(ticket=ticket)
        elif kind == Kind.SERVICE_REQUEST:
            ServiceRequestDetail.objects.create(ticket=ticket)
        if tags:
            ticket.tags.set(_tags(department, tags))
        _event(ticket, actor=actor, channel=channel, kind=EventKind.CREATED,
               new={"title": title, "status": ticket.status, "priority": ticket.priority},
               at=created_at)
        dispatch_after_commit()
    return ticket


# --- update -----------------------------------------------------------------------------

EDITABLE = {"title", "description", "category", "service", "impact", "urgency", "tags",
            "custom_fields", "parent"}


def ticket_update(*, actor: User, ticket: Ticket, changes: Mapping[str, Any], version: int,
                  channel: str = "web") -> Ticket:
    """Change classification fields. `changes` holds model objects for category,
    service and parent, a list of names for tags. One event per changed field."""
    _require_work(actor, ticket)
    unknown = sorted(set(changes) - EDITABLE)
    if unknown:
        raise ValidationFailed({name: _("Unknown field.") for name in unknown},
                               code="unknown_field")
    with transaction.atomic():
        ticket = _locked(ticket, version)
        if ticket.status in (Status.CLOSED, Status.CANCELLED):
            raise Conflict(_("A closed or cancelled ticket cannot be changed."),
                           code="ticket_final")
        values: dict[str, Any] = {}
        if "title" in changes:
            values["title"] = text(changes["title"], "title", max_length=TITLE_MAX)
        if "description" in changes:
            values["description"] = clean_html(text(changes["description"], "description",
                                                     max_length=100_000, required=False))
        if "category" in changes:
            values["category"] = _category(ticket.department, changes["category"])
        if "service" in changes:
            values["service"] = _service(ticket.department, changes["service"])
        if "impact" in changes:
            values["impact"] = _level(changes["impact"], "impact")
        if "urgency" in changes:
            values["urgency"] = _level(changes["urgency"], "urgency")
        if "custom_fields" in changes:
            values["custom_fields"] = _custom_values(ticket.department, changes["custom_fields"],
                                                     ticket.custom_fields)
        if "parent" in changes:
            values["parent"] = _parent(ticket, changes["parent"])
        if ("impact" in values or "urgency" in values) and not ticket.priority_overridden:
            values["priority"] = _settings(ticket.department).priority_for(
                values.get("impact", ticket.impact), values.get("urgency", ticket.urgency))
        changed = [name for name, value in values.items() if getattr(ticket, name) != value]
        old = {name: getattr(ticket, name) for name in changed}
        new_tags = None
        if "tags" in changes:
            current = sorted(ticket.tags.values_list("name", flat=True))
            new_tags = _tags(ticket.department, changes["tags"])
            if sorted(tag.name for tag in new_tags) == current:
                new_tags = None
        if not changed and new_tags is None:
            return ticket
        for name in changed:
            setattr(ticket, name, values[name])
        _touch(ticket, changed)
        for name in changed:
            _event(ticket, actor=actor, channel=channel, kind=EventKind.CHANGED, field=name,
                   old=_plain(old[name]), new=_plain(values[name]))
        if new_tags is not None:
            ticket.tags.set(new_tags)
            _event(ticket, actor=actor, channel=channel, kind=EventKind.CHANGED, field="tags",
                   old=current, new=sorted(tag.name for tag in new_tags))
        dispatch_after_commit()
    return ticket


def _parent(ticket: Ticket, parent: Ticket | None) -> Ticket | None:
    if parent is None:
        return None
    if parent.pk == ticket.pk or parent.organization_id != ticket.organization_id:
        raise ValidationFailed({"parent": _("The parent must be another ticket of the same "
                                            "organization.")}, code="invalid_parent")
    ancestor = parent
    while ancestor.parent_id is not None:
        if ancestor.parent_id == ticket.pk:
            raise ValidationFailed({"parent": _("A ticket cannot be its own ancestor.")},
                                   code="invalid_parent")
        ancestor = ancestor.parent
    return parent


def ticket_set_priority(*, actor: User | None, ticket: Ticket, priority: int, reason: str,
                        version: int, channel: str = "web") -> Ticket:
    """Override the matrix's priority; the reason is recorded. `actor=None` is Atiende
    itself following a rule its caller checked (an SLA escalation)."""
    if actor is not None and not policies.can_override_priority(actor, ticket):
        raise PermissionDenied(_("Only team leads, department managers and admins can set "
                                 "the priority by hand."))
    if priority not in Priority.values:
        raise ValidationFailed({"priority": _("Use a priority from 1 to 5.")},
                               code="invalid_choice")
    reason = text(reason, "reason", max_length=1000)
    with transaction.atomic():
        ticket = _locked(ticket, version)
        old = ticket.priority
        ticket.priority, ticket.priority_overridden = priority, True
        _touch(ticket, ["priority", "priority_overridden"])
        _event(ticket, actor=actor, channel=channel, kind=EventKind.PRIORITY_OVERRIDDEN,
               field="priority", old=old, new=priority, reason=reason)
        dispatch_after_commit()
    return ticket


# --- lifecycle --------------------------------------------------------------------------


def _refuse_while_awaiting_approval(actor: User | None, ticket: Ticket, to_status: str) -> None:
    """A precise Conflict, not a bare PermissionDenied, for a hand on a request that
    awaits approval (the rule is `policies.awaiting_approval_refusal`)."""
    refusal = policies.awaiting_approval_refusal(actor, ticket, to_status)
    if refusal:
        raise Conflict(refusal, code="awaiting_approval")


def ticket_transition(
    *, actor: User, ticket: Ticket, to_status: str, version: int, pending_reason: str = "",
    resolution_code: str = "", resolution_notes: str = "", channel: str = "web",
    at: dt.datetime | None = None,
) -> Ticket:
    """Move the ticket along its kind's lifecycle (`LIFECYCLES`). `at` backdates the
    change (imports and demo histories); it defaults to now. `actor=None` is Atiende
    itself following a rule its caller checked (a catalog request's approvals)."""
    choice(to_status, "status", Status.values)
    _refuse_while_awaiting_approval(actor, ticket, to_status)
    if actor is not None and not policies.can_transition(actor, ticket, to_status):
        raise PermissionDenied()
    with transaction.atomic():
        ticket = _locked(ticket, version)
        _refuse_while_awaiting_approval(actor, ticket, to_status)  # as locked
        if to_status not in ticket.allowed_statuses():
            raise Conflict(
                _("A ticket that is “%(current)s” cannot become “%(target)s”.")
                % {"current": Status(ticket.status).label, "target": Status(to_status).label},
                code="transition_not_allowed",
            )
        now = at or timezone.now()
        old_status = ticket.status
        fields = ["status"]
        if to_status == Status.PENDING:
            if pending_reason not in PendingReason.values:
                raise ValidationFailed({"pending_reason": _("Say what the ticket is waiting "
                                                            "for.")}, code="pending_reason")
            ticket.pending_reason = pending_reason
        elif ticket.pending_reason:
            ticket.pending_reason = ""
        fields.append("pending_reason")
        if to_status == Status.RESOLVED:
            errors = {}
            if resolution_code not in ResolutionCode.values:
                errors["resolution_code"] = _("Choose a resolution code.")
            notes = (resolution_notes or "").strip()
            if not notes:
                errors["resolution_notes"] = _("Describe the resolution.")
            if errors:
                raise ValidationFailed(errors, code="resolution_required")
            ticket.resolution_code = resolution_code
            ticket.resolution_notes = clean_html(text(notes, "resolution_notes",
                                                       max_length=20_000))
            ticket.resolved_at = now
            fields += ["resolution_code", "resolution_notes", "resolved_at"]
        if old_status == Status.RESOLVED and to_status == Status.IN_PROGRESS:
            window = dt.timedelta(days=_settings(ticket.department).reopen_window_days)
            if ticket.resolved_at and now - ticket.resolved_at > window:
                raise Conflict(_("The reopen window of %(days)d days has passed; open a new "
                                 "ticket instead.") % {"days": window.days},
                               code="reopen_window_passed")
            ticket.resolution_code, ticket.resolution_notes, ticket.resolved_at = "", "", None
            fields += ["resolution_code", "resolution_notes", "resolved_at"]
        if to_status == Status.CLOSED:
            ticket.closed_at = now
            fields.append("closed_at")
        if to_status == Status.NEW:
            ticket.assignee = None
            fields.append("assignee")
        ticket.status = to_status
        _touch(ticket, fields, at=now)
        _event(ticket, actor=actor, channel=channel, kind=EventKind.STATUS, field="status",
               old=old_status, new=to_status,
               reason=ticket.pending_reason or ticket.resolution_code, at=now)
        dispatch_after_commit()
    return ticket


# --- assignment -------------------------------------------------------------------------


def ticket_assign(*, actor: User | None, ticket: Ticket, team: Team | None,
                  assignee: User | None, version: int, channel: str = "web",
                  at: dt.datetime | None = None) -> Ticket:
    """Give the ticket to a team and/or an agent of that team. A new ticket with an
    agent becomes Assigned. `at` backdates the change; it defaults to now. `actor=None`
    is Atiende itself following a rule its caller checked (an SLA escalation)."""
    if actor is not None:
        _require_work(actor, ticket)
    with transaction.atomic():
        ticket = _locked(ticket, version)
        if not ticket.is_open:
            raise Conflict(_("Only open tickets can be assigned."), code="ticket_not_open")
        _check_assignment(ticket, team, assignee)
        old = {"team": _plain(ticket.team), "assignee": _plain(ticket.assignee)}
        new = {"team": _plain(team), "assignee": _plain(assignee)}
        if old == new:
            return ticket
        old_status = ticket.status
        ticket.team, ticket.assignee = team, assignee
        fields = ["team", "assignee"]
        if assignee is not None and ticket.status == Status.NEW:
            ticket.status = Status.ASSIGNED
            fields.append("status")
        if assignee is None and ticket.status == Status.ASSIGNED:
            ticket.status = Status.NEW
            fields.append("status")
        _touch(ticket, fields, at=at)
        _event(ticket, actor=actor, channel=channel, kind=EventKind.ASSIGNED, old=old, new=new,
               at=at)
        if ticket.status != old_status:
            _event(ticket, actor=actor, channel=channel, kind=EventKind.STATUS, field="status",
                   old=old_status, new=ticket.status, at=at)
        dispatch_after_commit()
    return ticket


def ticket_escalate(*, actor: User, ticket: Ticket, reason: str, version: int,
                    team: Team | None = None, channel: str = "web",
                    at: dt.datetime | None = None) -> Ticket:
    """Functional escalation (to `team`, leaving the agent choice to that team) when a
    team is given; otherwise hierarchic escalation to the next support line. `at`
    backdates the change; it defaults to now."""
    _require_work(actor, ticket)
    reason = text(reason, "reason", max_length=1000)
    with transaction.atomic():
        ticket = _locked(ticket, version)
        if not ticket.is_open:
            raise Conflict(_("Only open tickets can be escalated."), code="ticket_not_open")
        if team is not None:
            _check_assignment(ticket, team, None)
            if team.pk == ticket.team_id:
                raise ValidationFailed({"team_id": _("The ticket is already with this team.")},
                                       code="same_team")
            old = {"team": _plain(ticket.team), "assignee": _plain(ticket.assignee)}
            ticket.team, ticket.assignee = team, None
            fields = ["team", "assignee"]
            if ticket.status == Status.ASSIGNED:
                ticket.status = Status.NEW
                fields.append("status")
            new = {"team": _plain(team), "assignee": None}
            field = "team"
        else:
            old, new = ticket.support_line, ticket.support_line + 1
            ticket.support_line = new
            fields, field = ["support_line"], "support_line"
        _touch(ticket, fields, at=at)
        _event(ticket, actor=actor, channel=channel, kind=EventKind.ESCALATED, field=field,
               old=old, new=new, reason=reason, at=at)
        dispatch_after_commit()
    return ticket


# --- conversation -----------------------------------------------------------------------


def comment_add(*, actor: User, ticket: Ticket, body: str, visibility: str = Visibility.PUBLIC,
                channel: str = "web", at: dt.datetime | None = None) -> Comment:
    """A public reply or an internal note. The first public reply of staff sets the
    ticket's first response time. `at` backdates the comment; it defaults to now."""
    choice(visibility, "visibility", Visibility.values)
    staff = policies.works_on(actor, ticket)
    if visibility == Visibility.INTERNAL and not staff:
        raise PermissionDenied()
    if not policies.can_reply(actor, ticket):
        raise PermissionDenied()
    cleaned = clean_html(text(body, "body", max_length=100_000))
    if not cleaned:
        raise ValidationFailed({"body": _("This field is required.")}, code="required")
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if ticket.status in (Status.CLOSED, Status.CANCELLED) and not staff:
            raise Conflict(_("This ticket is closed; open a new one."), code="ticket_final")
        comment = Comment.objects.create(ticket=ticket, author=actor, visibility=visibility,
                                         body=cleaned, channel=channel,
                                         created_at=at or timezone.now())
        fields = []
        if (staff and visibility == Visibility.PUBLIC and ticket.first_response_at is None
                and actor.pk != ticket.requester_id):
            ticket.first_response_at = comment.created_at
            fields.append("first_response_at")
        _touch(ticket, fields, bump=False, at=comment.created_at)
        _event(ticket, actor=actor, channel=channel, kind=EventKind.COMMENTED,
               new={"visibility": visibility}, comment=comment, at=comment.created_at)
        dispatch_after_commit()
    return comment


def comment_changeable(*, actor: User, comment: Comment) -> None:
    """Whether `actor` may edit or delete `comment` now: PermissionDenied when they are
    not its author (`policies.can_change_comment`), Conflict (`comment_deleted`) when it
    has been deleted. Every comment change starts with it; an editor may ask it before
    it opens."""
    if not policies.can_change_comment(actor, comment):
        raise PermissionDenied(_("Only the author can change a comment."))
    if comment.deleted_at is not None:
        raise Conflict(_("This comment has been deleted; it can no longer be changed."),
                       code="comment_deleted")


def _locked_comment(actor: User, comment: Comment) -> Comment:
    """The comment locked for this transaction, checked again under the lock (a second
    window may have deleted it meanwhile)."""
    locked = Comment.objects.select_for_update().select_related("ticket").get(pk=comment.pk)
    comment_changeable(actor=actor, comment=locked)
    return locked


def comment_edit(*, actor: User, comment: Comment, body: str, channel: str = "web",
                 seen_revision: str | None = None) -> Comment:
    """Replace the text of one's own comment. Writes one `comment_edited` event holding
    the text before and after (none when the text is the same). `seen_revision` is the
    `Comment.revision` the editor saw: an edit made on an older text is refused
    (Conflict `stale_comment`). Raises PermissionDenied, Conflict (`comment_deleted`),
    ValidationFailed (`body`)."""
    comment_changeable(actor=actor, comment=comment)
    cleaned = clean_html(text(body, "body", max_length=100_000))
    if not cleaned:
        raise ValidationFailed({"body": _("This field is required.")}, code="required")
    with transaction.atomic():
        comment = _locked_comment(actor, comment)
        if seen_revision is not None and seen_revision != comment.revision:
            raise Conflict(_("This comment was edited after you opened it. Reload the "
                             "ticket to see its new text, then edit it again."),
                           code="stale_comment")
        old = comment.body
        if old == cleaned:
            return comment
        comment.body, comment.edited_at = cleaned, timezone.now()
        comment.save(update_fields=["body", "edited_at"])
        _event(comment.ticket, actor=actor, channel=channel, kind=EventKind.COMMENT_EDITED,
               field="body", old=old, new=cleaned, comment=comment, at=comment.edited_at)
        dispatch_after_commit()
    return comment


def comment_delete(*, actor: User, comment: Comment, channel: str = "web") -> None:
    """Hide one's own comment: it keeps its row with `deleted_at` set, and its text
    stays in the one `comment_deleted` event written (for staff only). Raises
    PermissionDenied, Conflict (`comment_deleted`, when it is deleted already)."""
    comment_changeable(actor=actor, comment=comment)
    with transaction.atomic():
        comment = _locked_comment(actor, comment)
        comment.deleted_at = timezone.now()
        comment.save(update_fields=["deleted_at"])
        _event(comment.ticket, actor=actor, channel=channel, kind=EventKind.COMMENT_DELETED,
               field="body", old=comment.body, comment=comment, at=comment.deleted_at)
        dispatch_after_commit()


# --- watchers, links, merge -------------------------------------------------------------


def watcher_add(*, actor: User | None, ticket: Ticket, user: User,
                channel: str = "web") -> None:
    """Staff add anyone who may see the ticket; anyone may add themselves. `actor=None`
    is Atiende itself following a rule its caller checked (an SLA escalation)."""
    if actor is not None and user.pk != actor.pk:
        _require_work(actor, ticket)
    if not (policies.works_on(user, ticket) or user.organization_id == ticket.organization_id):
        raise ValidationFailed({"user_id": _("This person cannot see the ticket.")},
                               code="watcher_cannot_see")
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if ticket.watchers.filter(pk=user.pk).exists():
            return
        ticket.watchers.add(user)
        policies.forget_watched(user)
        _event(ticket, actor=actor, channel=channel, kind=EventKind.WATCHER_ADDED,
               new=_plain(user))


def watcher_remove(*, actor: User, ticket: Ticket, user: User, channel: str = "web") -> None:
    if user.pk != actor.pk:
        _require_work(actor, ticket)
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if not ticket.watchers.filter(pk=user.pk).exists():
            return
        ticket.watchers.remove(user)
        policies.forget_watched(user)
        _event(ticket, actor=actor, channel=channel, kind=EventKind.WATCHER_REMOVED,
               old=_plain(user))


def ticket_link(*, actor: User, source: Ticket, target: Ticket, kind: str = LinkKind.RELATED,
                channel: str = "web") -> TicketLink:
    _require_work(actor, source)
    choice(kind, "kind", LinkKind.values)
    if source.pk == target.pk:
        raise ValidationFailed({"target": _("A ticket cannot be linked to itself.")},
                               code="link_itself")
    if target.organization_id != source.organization_id:
        raise ValidationFailed({"target": _("Only tickets of the same organization can be "
                                            "linked.")}, code="link_other_organization")
    with transaction.atomic():
        if TicketLink.objects.filter(source__in=[source, target],
                                     target__in=[source, target]).exists():
            raise Conflict(_("These tickets are already linked."), code="already_linked")
        link = TicketLink.objects.create(source=source, target=target, kind=kind)
        for one, other in ((source, target), (target, source)):
            _event(one, actor=actor, channel=channel, kind=EventKind.LINKED,
                   new={"ticket": other.number, "kind": kind})
        dispatch_after_commit()
    return link


def ticket_unlink(*, actor: User, link: TicketLink, channel: str = "web") -> None:
    _require_work(actor, link.source)
    with transaction.atomic():
        for one, other in ((link.source, link.target), (link.target, link.source)):
            _event(one, actor=actor, channel=channel, kind=EventKind.UNLINKED,
                   old={"ticket": other.number, "kind": link.kind})
        link.delete()
        dispatch_after_commit()


def ticket_merge(*, actor: User, duplicates: Iterable[Ticket], into: Ticket,
                 channel: str = "web") -> Ticket:
    """Fold duplicates into one ticket: each is cancelled as a duplicate, its requester
    and watchers follow the surviving ticket."""
    _require_work(actor, into)
    duplicates = list(duplicates)
    if not duplicates:
        raise ValidationFailed({"duplicates": _("Choose at least one ticket to merge.")},
                               code="required")
    with transaction.atomic():
        into = Ticket.objects.select_for_update().get(pk=into.pk)
        if not into.is_open:
            raise Conflict(_("Tickets can only be merged into an open ticket."),
                           code="ticket_not_open")
        for duplicate in duplicates:
            _require_work(actor, duplicate)
            duplicate = Ticket.objects.select_for_update().get(pk=duplicate.pk)
            if duplicate.pk == into.pk or duplicate.organization_id != into.organization_id:
                raise ValidationFailed({"duplicates": _("%(number)s cannot be merged into "
                                                        "%(target)s.")
                                        % {"number": duplicate.number, "target": into.number}},
                                       code="merge_not_allowed")
            if not duplicate.is_open:
                raise Conflict(_("%(number)s is no longer open.") % {"number": duplicate.number},
                               code="ticket_not_open")
            old_status = duplicate.status
            duplicate.status, duplicate.merged_into = Status.CANCELLED, into
            duplicate.resolution_code = ResolutionCode.DUPLICATE
            _touch(duplicate, ["status", "merged_into", "resolution_code"])
            _event(duplicate, actor=actor, channel=channel, kind=EventKind.MERGED_INTO,
                   field="status", old=old_status, new={"ticket": into.number})
            into.watchers.add(duplicate.requester, *duplicate.watchers.all())
            _event(into, actor=actor, channel=channel, kind=EventKind.MERGED,
                   new={"ticket": duplicate.number})
        into.watchers.remove(into.requester)
        _touch(into, [])
        dispatch_after_commit()
    return into


# --- events decided elsewhere -----------------------------------------------------------


def ticket_record(*, actor: User | None, ticket: Ticket, kind: str, channel: str = "web",
                  field: str = "", new: Any = None, reason: str = "") -> Event:
    """Append one event whose change another app's service made and checked (an
    approval requested or decided, atiende.catalog), inside the caller's transaction;
    the outbox delivers it after commit."""
    choice(kind, "kind", EventKind.values)
    event = _event(ticket, actor=actor, channel=channel, kind=kind, field=field, new=new,
                   reason=reason)
    dispatch_after_commit()
    return event
