"""Reads of the agent workspace (the web UI): the queues and their counts, one keyset
page of a queue, the choices its filters and forms offer, and what a ticket's page
shows. Everything starts from the scoped selectors, so nothing here widens what an
actor may see; these are reads only (writes go through `services`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from atiende.core import selectors as core_selectors
from atiende.core.models import (
    DEPARTMENT_ROLES,
    Department,
    Membership,
    Team,
    User,
    serving,
)
from atiende.core.scoping import scope_of
from atiende.errors import NotFound
from atiende.tickets import policies, selectors
from atiende.tickets.columns import Column, chosen, related, row_fields
from atiende.tickets.models import OPEN_STATUSES, Event, Ticket

PAGE_SIZE = 50
QUEUES = ("mine", "teams", "unassigned", "at_risk", "all")
SORTS = ("newest", "priority", "updated", "due")
# The "at risk" queue: open tickets whose service level is due within this, or breached.
AT_RISK = dt.timedelta(hours=4)


def is_staff(actor: User) -> bool:
    """Whether the actor works tickets anywhere (else the workspace shows their requests)."""
    return scope_of(actor).is_staff_anywhere


# --- queues -----------------------------------------------------------------------------


def _my_teams(actor: User) -> QuerySet:
    return Team.members.through.objects.filter(user_id=actor.pk).values("team_id")


def _queue_condition(actor: User, queue: str) -> Q:
    if queue == "mine":
        return Q(assignee_id=actor.pk)
    if queue == "teams":
        return Q(team_id__in=_my_teams(actor))
    if queue == "unassigned":
        return Q(assignee__isnull=True) & scope_of(actor).work_filter()
    if queue == "at_risk":
        return Q(sla_due_at__lte=timezone.now() + AT_RISK) | Q(sla_state="breached")
    return Q()


def queue_counts(*, actor: User) -> dict[str, int]:
    """Open tickets in each queue, in one query."""
    open_visible = Ticket.objects.filter(policies.visible_tickets(actor),
                                         status__in=OPEN_STATUSES)
    return open_visible.aggregate(**{
        queue: Count("pk", filter=_queue_condition(actor, queue)) if queue != "all"
        else Count("pk") for queue in QUEUES
    })


@dataclass
class QueuePage:
    rows: list[Ticket]
    next_cursor: str = ""
    stamp: int = 0
    counts: dict[str, int] = field(default_factory=dict)


def _cursor_of(ticket: Ticket, sort: str) -> str:
    if sort == "priority":
        return f"{ticket.priority}~{ticket.pk}"
    if sort == "updated":
        return f"{ticket.updated_at.isoformat()}~{ticket.pk}"
    if sort == "due":
        due = ticket.sla_due_at.isoformat() if ticket.sla_due_at else "none"
        return f"{due}~{ticket.pk}"
    return str(ticket.pk)


def _after(sort: str, cursor: str) -> Q | None:
    """Rows after `cursor` in `sort` order; None for a cursor the server did not issue."""
    try:
        if sort == "priority":
            priority, pk = (int(part) for part in cursor.split("~"))
            return Q(priority__gt=priority) | Q(priority=priority, pk__lt=pk)
        if sort == "updated":
            moment, pk = cursor.rsplit("~", 1)
            updated = dt.datetime.fromisoformat(moment)
            return Q(updated_at__lt=updated) | Q(updated_at=updated, pk__lt=int(pk))
        if sort == "due":
            # Soonest due first, tickets without a due time last; ties by id.
            moment, pk = cursor.rsplit("~", 1)
            if moment == "none":
                return Q(sla_due_at__isnull=True, pk__gt=int(pk))
            due = dt.datetime.fromisoformat(moment)
            return (Q(sla_due_at__gt=due) | Q(sla_due_at=due, pk__gt=int(pk))
                    | Q(sla_due_at__isnull=True))
        return Q(pk__lt=int(cursor))
    except (TypeError, ValueError):
        return None


ORDER = {"newest": ("-id",), "priority": ("priority", "-id"), "updated": ("-updated_at", "-id"),
         "due": (F("sla_due_at").asc(nulls_last=True), "id")}
SORT_FIELDS = ("priority", "updated_at", "sla_due_at")  # what the cursors read


def queue_page(*, actor: User, queue: str, filters: dict, requester_search: str = "",
               sort: str = "newest", after: str = "",
               columns: Iterable[Column] = ()) -> QueuePage:
    """One page (PAGE_SIZE rows) of a queue: open tickets unless `filters` names a
    status; `after` is the cursor of the previous page's last row. The rows load what
    `columns` show (the default columns when none). Costs the same queries whatever
    the page size: the counts, the page's keys, its rows, the stamp."""
    tickets = selectors.ticket_list(actor=actor, filters=filters).filter(
        _queue_condition(actor, queue if queue in QUEUES else "all"))
    if not filters.get("status"):
        tickets = tickets.filter(status__in=OPEN_STATUSES)
    if requester_search:
        tickets = tickets.filter(Q(requester__display_name__icontains=requester_search)
                                 | Q(requester__email__icontains=requester_search))
    sort = sort if sort in SORTS else "newest"
    condition = _after(sort, after) if after else None
    if condition is not None:
        tickets = tickets.filter(condition)
    # Keys first: the database sorts and cuts the matching tickets without joining
    # anything, then joins what the columns show for the page's rows only.
    keys = list(tickets.order_by(*ORDER[sort]).values_list("pk", flat=True)[:PAGE_SIZE + 1])
    fields = (*row_fields(columns or chosen(())), *SORT_FIELDS)
    rows = list(Ticket.objects.filter(pk__in=keys).select_related(*related(fields))
                .only(*fields, *related(fields)).order_by(*ORDER[sort]))
    next_cursor = _cursor_of(rows[PAGE_SIZE - 1], sort) if len(rows) > PAGE_SIZE else ""
    return QueuePage(rows=rows[:PAGE_SIZE], next_cursor=next_cursor, stamp=latest_event_id(),
                     counts=queue_counts(actor=actor))


def requests_of(*, actor: User, after: str = "") -> QueuePage:
    """The actor's own requests, newest first, any status (what a requester follows)."""
    tickets = selectors.ticket_list(actor=actor, filters={"requester_id": actor.pk})
    condition = _after("newest", after) if after else None
    if condition is not None:
        tickets = tickets.filter(condition)
    rows = list(tickets[:PAGE_SIZE + 1])
    next_cursor = _cursor_of(rows[PAGE_SIZE - 1], "newest") if len(rows) > PAGE_SIZE else ""
    return QueuePage(rows=rows[:PAGE_SIZE], next_cursor=next_cursor, stamp=latest_event_id())


def latest_event_id() -> int:
    """The newest event's id: a page remembers it to ask later whether anything changed."""
    return Event.objects.order_by("-id").values_list("id", flat=True).first() or 0


def queue_changed(*, actor: User, since: int) -> bool:
    """Whether any ticket the actor may see has an event newer than `since` (tickets
    leaving a queue count too). One query, cheap: it reads events after `since` only."""
    return Ticket.objects.filter(
        policies.visible_tickets(actor),
        pk__in=Event.objects.filter(id__gt=since).values("ticket_id"),
    ).exists()


# --- choices the queue filters and the forms offer ---------------------------------------


def working_departments(*, actor: User) -> QuerySet[Department]:
    """Departments whose tickets the actor works (as agent, admin or provider admin)."""
    scope = scope_of(actor)
    departments = core_selectors.department_list(actor=actor).filter(is_active=True)
    if not (scope.everything or scope.administered_organizations):
        # Organization admins work every department that serves their organization,
        # which is what `department_list` gives them; agents only their own.
        departments = departments.filter(pk__in=scope.staff_department_ids)
    return departments.order_by("organization__name", "name", "pk")


def served_departments(*, actor: User) -> QuerySet[Department]:
    """Departments a requester may ask for help from: their organization's and the
    provider's shared ones."""
    scope = scope_of(actor)
    return core_selectors.department_list(actor=actor).filter(is_active=True).filter(
        serving(scope.requester_organizations)).order_by("name")


def agents_of(*, actor: User, departments: QuerySet[Department]) -> QuerySet[User]:
    """Active people who work in `departments` (agents, leads, managers)."""
    working = Membership.objects.filter(department__in=departments,
                                        role__in=DEPARTMENT_ROLES).values("user_id")
    return core_selectors.user_list(actor=actor).filter(pk__in=working, is_active=True).order_by(
        "display_name", "pk")


def filter_choices(*, actor: User) -> dict:
    """What the queue filters offer: the actor's departments, their teams, agents,
    categories and services (five queries)."""
    departments = working_departments(actor=actor)
    return {
        "departments": list(departments.select_related("organization")),
        "teams": list(core_selectors.team_list(actor=actor).filter(
            department__in=departments, is_active=True).order_by("name", "pk")),
        "agents": list(agents_of(actor=actor, departments=departments)),
        "categories": [category for category in selectors.category_list(actor=actor)
                       if category.is_active],
        "services": list(selectors.service_list(actor=actor).filter(
            is_active=True, department__in=departments)),
    }


def people_for_requester(*, actor: User, search: str = "") -> QuerySet[User]:
    """Active people of an organization the actor may see, who may be a ticket's
    requester (search by name or e-mail)."""
    return core_selectors.user_list(actor=actor, search=search).filter(
        is_active=True, organization__isnull=False).order_by("display_name", "pk")


# --- a ticket's page --------------------------------------------------------------------


def ticket_agents(*, actor: User, ticket: Ticket, team: Team | None = None) -> QuerySet[User]:
    """Who may be the ticket's assignee: active agents of its department (in its
    organization), and of `team` when given."""
    working = Membership.objects.filter(
        department_id=ticket.department_id, organization_id=ticket.organization_id,
        role__in=DEPARTMENT_ROLES).values("user_id")
    agents = User.objects.filter(pk__in=working, is_active=True)
    if team is not None:
        agents = agents.filter(pk__in=Team.members.through.objects.filter(
            team_id=team.pk).values("user_id"))
    return agents.order_by("display_name", "pk")


def ticket_teams(*, actor: User, ticket: Ticket) -> QuerySet[Team]:
    return core_selectors.team_list(actor=actor, department_id=ticket.department_id).filter(
        is_active=True).order_by("name", "pk")


def ticket_choices(*, actor: User, ticket: Ticket) -> dict:
    """What a ticket's forms offer: its department's active categories and services (and
    the ticket's own even if retired), teams, agents, and the agents of its team."""
    teams = list(ticket_teams(actor=actor, ticket=ticket))
    agents = list(ticket_agents(actor=actor, ticket=ticket))
    team = next((team for team in teams if team.pk == ticket.team_id), None)
    return {
        "categories": [category for category in selectors.category_list(
            actor=actor, department_id=ticket.department_id)
            if category.is_active or category.pk == ticket.category_id],
        "services": list(selectors.service_list(
            actor=actor, department_id=ticket.department_id).filter(
                Q(is_active=True) | Q(pk=ticket.service_id))),
        "teams": teams,
        "agents": agents,
        "team_agents": agents if team is None else list(
            ticket_agents(actor=actor, ticket=ticket, team=team)),
    }


def team_get(*, actor: User, ticket: Ticket, team_id: int) -> Team | None:
    """A team of the ticket's department, or None."""
    return ticket_teams(actor=actor, ticket=ticket).filter(pk=team_id).first()


def my_team_for(*, actor: User, ticket: Ticket) -> Team | None:
    """The team to keep when the actor takes the ticket: its own team when the actor is
    a member, else the actor's first team of its department, else none."""
    teams = list(Team.objects.filter(members=actor, department_id=ticket.department_id,
                                     is_active=True).order_by("name", "pk"))
    for team in teams:
        if team.pk == ticket.team_id:
            return team
    return teams[0] if teams else None


@dataclass
class TicketPage:
    ticket: Ticket
    staff: bool
    timeline: list[Event]
    attachments: list
    last_event_id: int
    can_override_priority: bool
    watching: bool


def ticket_page(*, actor: User, number: str) -> TicketPage:
    """Everything a ticket's page shows, as the actor may see it: the ticket (with
    `selectors.ticket_detail`'s links, watchers, allowed transitions), the timeline
    (events with their comments, in order) and the files."""
    from atiende.tickets.attachments import attachment_list

    ticket = selectors.ticket_detail(actor=actor, number=number)
    staff = policies.works_on(actor, ticket)
    files = list(attachment_list(actor=actor, ticket=ticket))
    visible_files = {attachment.pk for attachment in files}
    events = list(selectors.ticket_events(actor=actor, ticket=ticket))
    timeline = [event for event in events if staff or _public_event(event, visible_files)]
    by_comment: dict[int, list] = {}
    for attachment in files:
        if attachment.comment_id:
            by_comment.setdefault(attachment.comment_id, []).append(attachment)
    for event in timeline:
        event.files = by_comment.get(event.comment_id, []) if event.kind == "commented" else []
    changes_seen = _add_comment_changes(actor, ticket, timeline)
    return TicketPage(
        ticket=ticket, staff=staff, timeline=timeline,
        attachments=[attachment for attachment in files if not attachment.comment_id],
        # What `ticket_changed` compares with: every event the selector lets this
        # actor read, shown or not, so a hidden one does not refresh the page forever
        # (and the edits of the comments shown, which a requester's timeline omits).
        last_event_id=max([*(event.pk for event in events), changes_seen]),
        can_override_priority=staff and policies.can_override_priority(actor, ticket),
        watching=any(watcher.pk == actor.pk for watcher in ticket.watchers.all()),
    )


def _add_comment_changes(actor: User, ticket: Ticket, timeline: list[Event]) -> int:
    """Each comment of the timeline gets `changes` (its edits and deletion, as the actor
    may know them) and `can_change` (whether the actor may edit or delete it). Returns
    the id of the newest of those edits and deletions (0 without any)."""
    commented = [event for event in timeline
                 if event.kind == "commented" and event.comment is not None]
    changes = selectors.comment_changes(
        actor=actor, ticket=ticket, comment_ids=[event.comment_id for event in commented]
    ) if any(event.comment.edited_at or event.comment.deleted_at for event in commented) else {}
    for event in commented:
        event.changes = changes.get(event.comment_id) or selectors.CommentChanges()
        event.can_change = (event.comment.deleted_at is None
                            and policies.can_change_comment(actor, event.comment))
    return max((found.last_event_id for found in changes.values()), default=0)


def comment_entry(page: TicketPage, comment_id: int) -> Event:
    """The timeline entry (the `commented` event) that shows one comment of the page."""
    for event in page.timeline:
        if event.kind == "commented" and event.comment_id == comment_id:
            return event
    raise NotFound()


def _public_event(event: Event, visible_files: set[int]) -> bool:
    """Whether a requester's timeline shows an event the selector lets through: files
    they may not download (such as those of a deleted comment) are not announced."""
    if event.kind == "attached":
        return (event.new_value or {}).get("attachment_id") in visible_files
    return True


def ticket_changed(*, actor: User, ticket: Ticket, since: int) -> bool:
    """Whether the ticket has an event the actor may see newer than `since`, or a comment
    the actor reads was edited or deleted since."""
    events = selectors.ticket_events(actor=actor, ticket=ticket)
    if not policies.works_on(actor, ticket):
        events = events | selectors.comment_change_events(actor=actor, ticket=ticket)
    return events.filter(id__gt=since).exists()
