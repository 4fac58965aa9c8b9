"""Who hears of what: the outbox consumer that turns ticket events into notifications.

For each event it finds the people concerned and their reason (`NotificationKind`),
drops whoever may not hear of it, and writes one Notification per person and channel
they chose (`preferences`). The rules:

- created: the requester gets the acknowledgment (even when they logged it themselves:
  it is the receipt); the assignee, or else the members of the team, are told it is
  theirs;
- a public reply: the requester and the watchers; the assignee too when the reply
  comes from the requester (agent or not) or from outside the desk (a watcher);
- an internal note: only the agents of the ticket's department it mentions (`@e-mail`
  or `@Name`), never anyone else;
- a status change: the requester and the watchers when it is news to them (being
  worked, pending, resolved with the reopen window, closed, cancelled); the assignee
  (or the team) when the requester made it (a reopen, a cancellation);
- an assignment or an escalation to a team: the new assignee, or every member of the
  new team when no agent was chosen;
- `sla_warning` and `sla_breached`: the assignee, or the team's members.

Whoever made the change is never told of it (but for the acknowledgment). Nobody is
told of a ticket they may not see (`atiende.tickets.policies.visible_tickets`), and
whoever does not work on the ticket hears only of what their timeline shows
(`REQUESTER_EVENT_KINDS`, never an internal note). Idempotent: a second delivery of
the same event writes nothing (one row per event, recipient and channel).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from atiende.core.models import DEPARTMENT_ROLES, User
from atiende.mail.models import Direction, Mailbox
from atiende.mail.text import html_to_text
from atiende.notifications import preferences
from atiende.notifications.models import (
    Notification,
    NotificationChannel,
    NotificationKind,
    NotificationState,
)
from atiende.tickets import outbox
from atiende.tickets.models import Event, EventKind, Status, Ticket, Visibility
from atiende.tickets.policies import visible_tickets, works_on
from atiende.tickets.selectors import REQUESTER_EVENT_KINDS

# Status changes the requester and watchers hear of (as `status_changed`; resolved
# has its own kind).
NEWS_TO_REQUESTER = frozenset({Status.IN_PROGRESS, Status.PENDING, Status.CLOSED,
                               Status.CANCELLED})
SLA_KINDS = frozenset({"sla_warning", "sla_breached"})


def unread_cache_key(user_id: int) -> str:
    return f"notifications:unread:{user_id}"


def forget_unread(user_id: int) -> None:
    cache.delete(unread_cache_key(user_id))


# --- who -----------------------------------------------------------------------------


def _team_members(team_id: int | None) -> list[User]:
    if not team_id:
        return []
    return list(User.objects.filter(teams__id=team_id, teams__is_active=True, is_active=True)
                .order_by("id"))


def _user(user_id: int | None) -> list[User]:
    if not user_id:
        return []
    return list(User.objects.filter(pk=user_id, is_active=True))


def _desk(ticket: Ticket) -> list[User]:
    """Who carries the ticket: its assignee, or the members of its team."""
    return _user(ticket.assignee_id) or _team_members(ticket.team_id)


def _requester_side(ticket: Ticket) -> list[User]:
    return [ticket.requester, *ticket.watchers.filter(is_active=True).order_by("id")]


def mentioned_agents(ticket: Ticket, body_html: str) -> list[User]:
    """Agents of the ticket's department (for its organization) that `body_html` names
    as `@e-mail` or `@Full Name` (any case)."""
    text = html_to_text(body_html)
    if "@" not in text:
        return []
    agents = (User.objects.filter(
        is_active=True, memberships__organization_id=ticket.organization_id,
        memberships__department_id=ticket.department_id,
        memberships__role__in=DEPARTMENT_ROLES).distinct().order_by("id"))
    found = []
    for agent in agents:
        names = [agent.email, agent.display_name]
        if any(name and re.search(rf"(?<![\w@])@{re.escape(name)}(?![\w])", text,
                                  re.IGNORECASE) for name in names):
            found.append(agent)
    return found


def _from_requester_side(event: Event, ticket: Ticket) -> bool:
    """Whether the change came from the requester (even one who is also an agent) or
    from someone outside the desk (a watcher)."""
    if event.actor is None:
        return False
    return event.actor_id == ticket.requester_id or not works_on(event.actor, ticket)


def audience(event: Event, ticket: Ticket) -> list[tuple[User, str]]:
    """(person, kind) for everyone the event concerns, before anyone is left out."""
    kind = event.kind
    if kind == EventKind.CREATED:
        return ([(ticket.requester, NotificationKind.TICKET_CREATED)]
                + [(user, NotificationKind.ASSIGNED) for user in _desk(ticket)])
    if kind == EventKind.COMMENTED:
        comment = event.comment
        if comment is None or comment.deleted_at is not None:
            return []
        if comment.visibility == Visibility.INTERNAL:
            return [(user, NotificationKind.MENTIONED)
                    for user in mentioned_agents(ticket, comment.body)]
        told = [(user, NotificationKind.PUBLIC_REPLY) for user in _requester_side(ticket)]
        if _from_requester_side(event, ticket):
            told += [(user, NotificationKind.PUBLIC_REPLY) for user in _user(ticket.assignee_id)]
        return told
    if kind == EventKind.STATUS:
        told = []
        if event.new_value == Status.RESOLVED:
            told = [(user, NotificationKind.RESOLVED) for user in _requester_side(ticket)]
        elif event.new_value in NEWS_TO_REQUESTER:
            told = [(user, NotificationKind.STATUS_CHANGED) for user in _requester_side(ticket)]
        if _from_requester_side(event, ticket):
            told += [(user, NotificationKind.STATUS_CHANGED) for user in _desk(ticket)]
        return told
    if kind == EventKind.ASSIGNED or (kind == EventKind.ESCALATED and event.field == "team"):
        new = event.new_value if isinstance(event.new_value, dict) else {}
        assignee, team = new.get("assignee") or {}, new.get("team") or {}
        people = _user(assignee.get("id")) or _team_members(team.get("id"))
        return [(user, NotificationKind.ASSIGNED) for user in people]
    if kind in SLA_KINDS:
        return [(user, kind) for user in _desk(ticket)]
    return []


def may_hear(user: User, ticket: Ticket, event: Event) -> bool:
    """Whether `user` may be told of `event`: they can see the ticket, and, when they do
    not work on it, the event is one their timeline shows (never an internal note)."""
    if not user.is_active:
        return False
    if not Ticket.objects.filter(visible_tickets(user), pk=ticket.pk).exists():
        return False
    if works_on(user, ticket):
        return True
    if event.kind not in REQUESTER_EVENT_KINDS:
        return False
    if event.comment is not None and event.comment.visibility != Visibility.PUBLIC:
        return False
    return not (event.kind == EventKind.ATTACHED
                and isinstance(event.new_value, dict) and event.new_value.get("is_internal"))


def recipients(event: Event, ticket: Ticket) -> list[tuple[User, str]]:
    """The people to tell, once each (their first reason), after the rules above."""
    chosen: dict[int, tuple[User, str]] = {}
    for user, kind in audience(event, ticket):
        if user.pk in chosen:
            continue
        if user.pk == event.actor_id and kind != NotificationKind.TICKET_CREATED:
            continue
        if may_hear(user, ticket, event):
            chosen[user.pk] = (user, kind)
    return list(chosen.values())


# --- writing the notifications ---------------------------------------------------------


def sender_mailbox(ticket: Ticket) -> Mailbox | None:
    """The mailbox the desk answers from for this ticket: the organization's active
    mailbox of the ticket's department (replies then come back to it)."""
    return (Mailbox.objects.filter(organization_id=ticket.organization_id,
                                   department_id=ticket.department_id, is_active=True)
            .order_by("id").first())


def _domain(ticket: Ticket) -> str:
    mailbox = sender_mailbox(ticket)
    address = mailbox.address if mailbox else settings.DEFAULT_FROM_EMAIL
    domain = address.rsplit("@", 1)[-1].strip(" >") if "@" in address else ""
    # Kept short: the whole Message-ID must fit its column whatever the address.
    return re.sub(r"[^A-Za-z0-9.-]", "", domain)[:180] or "atiende.localhost"


def new_message_id(ticket: Ticket, domain: str) -> str:
    """`<INC-000123.1f0c…@domain>`: unique, and naming the ticket for people reading
    headers."""
    return f"<{ticket.number}.{uuid.uuid4().hex}@{domain}>"


def queue(event: Event, ticket: Ticket, told: Iterable[tuple[User, str]]) -> list[Notification]:
    """One Notification per person and chosen channel; an e-mail gets its Message-ID
    (also in the ticket's thread map, so a reply to it reaches the ticket) and its
    delivery task after commit. Returns the rows written now."""
    from atiende.mail.services import message_id_register
    from atiende.notifications.tasks import deliver_notification

    told = list(told)
    by_kind: dict[str, list[int]] = {}
    for user, kind in told:
        by_kind.setdefault(kind, []).append(user.pk)
    channels = {kind: preferences.channels_for(ids, kind) for kind, ids in by_kind.items()}
    domain = _domain(ticket) if told else ""
    written = []
    now = timezone.now()
    for user, kind in told:
        by_email, in_app = channels[kind][user.pk]
        if in_app:
            row, created = Notification.objects.get_or_create(
                event=event, recipient=user, channel=NotificationChannel.IN_APP,
                defaults={"ticket": ticket, "kind": kind, "state": NotificationState.SENT,
                          "sent_at": now, "created_at": now})
            if created:
                written.append(row)
                transaction.on_commit(lambda user_id=user.pk: forget_unread(user_id))
        if by_email and user.email:
            message_id = new_message_id(ticket, domain)
            row, created = Notification.objects.get_or_create(
                event=event, recipient=user, channel=NotificationChannel.EMAIL,
                defaults={"ticket": ticket, "kind": kind, "state": NotificationState.QUEUED,
                          "message_id": message_id, "created_at": now})
            if created:
                written.append(row)
                message_id_register(ticket=ticket, message_id=message_id,
                                    comment=event.comment, direction=Direction.OUTBOUND)
                transaction.on_commit(
                    lambda pk=row.pk: deliver_notification.enqueue(notification_id=pk))
    return written


@outbox.consumer("notifications")
def on_event(event: Event) -> None:
    """The outbox consumer: notifications for one committed event."""
    if event.kind not in (EventKind.CREATED, EventKind.COMMENTED, EventKind.STATUS,
                          EventKind.ASSIGNED, EventKind.ESCALATED, *SLA_KINDS):
        return
    ticket = (Ticket.objects.select_related("requester", "organization", "department")
              .get(pk=event.ticket_id))
    queue(event, ticket, recipients(event, ticket))
