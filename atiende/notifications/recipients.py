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
- `sla_warning` and `sla_breached`: the assignee, or the team's members;
- `sla_escalated`: exactly the people the escalation level notified (listed in the
  event by `atiende.sla.escalation_services`, which chose people who can see the
  ticket), even when they do not work on it (a requester's manager watching it);
- a catalog request's approval step: its approvers (`approval_requested`, heard
  although they may not see the request: the e-mail carries their signed link); a
  rejection: the requester (`approval_rejected`, with the reason). The status changes
  the catalog makes on submitting or rejecting (channel "catalog") are not announced
  again;
- a fulfilment task (kind "task"): its desk only; the requester hears of the request.

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
from django.db.models import BooleanField, ExpressionWrapper
from django.utils import timezone

from atiende.core.models import DEPARTMENT_ROLES, User
from atiende.core.scoping import prime_scopes
from atiende.mail.models import Mailbox
from atiende.mail.text import html_to_text
from atiende.notifications import preferences
from atiende.notifications.models import (
    Notification,
    NotificationChannel,
    NotificationKind,
    NotificationState,
)
from atiende.tickets import outbox
from atiende.tickets.models import Event, EventKind, Kind, Status, Ticket, Visibility
from atiende.tickets.policies import prime_watched, visible_tickets, works_on
from atiende.tickets.selectors import REQUESTER_EVENT_KINDS

# Status changes the requester and watchers hear of (as `status_changed`; resolved
# has its own kind).
NEWS_TO_REQUESTER = frozenset({Status.IN_PROGRESS, Status.PENDING, Status.CLOSED,
                               Status.CANCELLED})
SLA_KINDS = frozenset({"sla_warning", "sla_breached"})
APPROVAL_KINDS = frozenset({"approval_requested", "approval_rejected"})
QUIET_CHANNEL = "catalog"  # atiende.catalog.approval_services.QUIET_CHANNEL


def unread_cache_key(user_id: int) -> str:
    return f"notifications:unread:{user_id}"


def forget_unread(user_id: int) -> None:
    cache.delete(unread_cache_key(user_id))


def forget_unread_many(user_ids: Iterable[int]) -> None:
    cache.delete_many([unread_cache_key(user_id) for user_id in user_ids])


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
    if ticket.kind == Kind.TASK:
        return []  # the requester follows the request, not its fulfilment tasks
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
        acknowledged = [] if ticket.kind == Kind.TASK else [
            (ticket.requester, NotificationKind.TICKET_CREATED)]
        return acknowledged + [(user, NotificationKind.ASSIGNED) for user in _desk(ticket)]
    if kind == EventKind.APPROVAL_REQUESTED:
        approvers = (event.new_value or {}).get("approvers") or []
        return [(user, NotificationKind.APPROVAL_REQUESTED) for user in User.objects.filter(
            pk__in=[pk for pk in approvers if isinstance(pk, int)], is_active=True)
            .order_by("id")]
    if kind == EventKind.APPROVAL_REJECTED:
        return [(ticket.requester, NotificationKind.APPROVAL_REJECTED)]
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
        if event.channel == QUIET_CHANNEL:
            return []
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
    if kind == EventKind.SLA_ESCALATED:
        listed = (event.new_value or {}).get("notified") or []
        ids = [person.get("id") for person in listed if isinstance(person, dict)]
        return [(user, NotificationKind.SLA_ESCALATED)
                for user in User.objects.filter(pk__in=ids, is_active=True).order_by("id")]
    return []


SEEING_CHUNK = 200  # people whose sight of a ticket one query checks


def seeing(users: Iterable[User], ticket: Ticket) -> set[int]:
    """The ids of `users` who may see `ticket` (`visible_tickets`, the one rule), asked
    in one query per SEEING_CHUNK people rather than one (or three) per person."""
    people = list({user.pk: user for user in users if user.is_active}.values())
    prime_scopes(people)
    prime_watched(people)
    seen: set[int] = set()
    for start in range(0, len(people), SEEING_CHUNK):
        checks = {f"sees_{user.pk}": ExpressionWrapper(visible_tickets(user),
                                                       output_field=BooleanField())
                  for user in people[start:start + SEEING_CHUNK]}
        row = Ticket.objects.filter(pk=ticket.pk).values(**checks).first() or {}
        seen |= {int(name.removeprefix("sees_")) for name, sees in row.items() if sees}
    return seen


def may_hear(user: User, ticket: Ticket, event: Event, *, sees: bool | None = None) -> bool:
    """Whether `user` may be told of `event`: they can see the ticket (`sees`, when the
    caller checked it for many people at once), and, when they do not work on it, the
    event is one their timeline shows (never an internal note)."""
    if not user.is_active:
        return False
    if sees is None:
        sees = Ticket.objects.filter(visible_tickets(user), pk=ticket.pk).exists()
    if not sees:
        return False
    if works_on(user, ticket) or event.kind == EventKind.SLA_ESCALATED:
        return True
    if event.kind not in REQUESTER_EVENT_KINDS:
        return False
    if event.comment is not None and event.comment.visibility != Visibility.PUBLIC:
        return False
    return not (event.kind == EventKind.ATTACHED
                and isinstance(event.new_value, dict) and event.new_value.get("is_internal"))


def may_be_told(user: User, kind: str, ticket: Ticket, event: Event, *,
                sees: bool | None = None) -> bool:
    """`may_hear`, but an approver need not see the request: they decide through the
    e-mail's signed link. The one rule for choosing recipients and for delivering."""
    return kind == NotificationKind.APPROVAL_REQUESTED or may_hear(user, ticket, event,
                                                                    sees=sees)


def recipients(event: Event, ticket: Ticket) -> list[tuple[User, str]]:
    """The people to tell, once each (their first reason), after the rules above."""
    chosen: dict[int, tuple[User, str]] = {}
    told = audience(event, ticket)
    sees = seeing([user for user, kind in told if kind != NotificationKind.APPROVAL_REQUESTED],
                  ticket)
    for user, kind in told:
        if user.pk in chosen:
            continue
        if user.pk == event.actor_id and kind != NotificationKind.TICKET_CREATED:
            continue
        if may_be_told(user, kind, ticket, event, sees=user.pk in sees):
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
    delivery task after commit. Returns the rows written now. A constant number of
    queries whatever the number of people: preferences per kind, the rows already
    written, and the new rows in bulk."""
    from atiende.mail.services import outbound_message_ids_register
    from atiende.notifications.tasks import deliver_notification

    told = list(told)
    if not told:
        return []
    by_kind: dict[str, list[int]] = {}
    for user, kind in told:
        by_kind.setdefault(kind, []).append(user.pk)
    channels = {kind: preferences.channels_for(ids, kind) for kind, ids in by_kind.items()}
    existing = set(Notification.objects.filter(
        event=event, recipient_id__in=[user.pk for user, _kind in told])
        .values_list("recipient_id", "channel"))
    domain = _domain(ticket)
    now = timezone.now()
    rows = []
    for user, kind in told:
        by_email, in_app = channels[kind][user.pk]
        if in_app and (user.pk, NotificationChannel.IN_APP) not in existing:
            rows.append(Notification(event=event, recipient=user, ticket=ticket, kind=kind,
                                     channel=NotificationChannel.IN_APP,
                                     state=NotificationState.SENT, sent_at=now,
                                     created_at=now))
        if by_email and user.email and (user.pk, NotificationChannel.EMAIL) not in existing:
            rows.append(Notification(event=event, recipient=user, ticket=ticket, kind=kind,
                                     channel=NotificationChannel.EMAIL,
                                     state=NotificationState.QUEUED, created_at=now,
                                     message_id=new_message_id(ticket, domain)))
    if not rows:
        return []
    written = Notification.objects.bulk_create(rows)
    emails = [row for row in written if row.channel == NotificationChannel.EMAIL]
    outbound_message_ids_register(ticket=ticket, comment=event.comment,
                                  message_ids=[row.message_id for row in emails])
    readers = [row.recipient_id for row in written if row.channel == NotificationChannel.IN_APP]
    if readers:
        transaction.on_commit(lambda: forget_unread_many(readers))
    for row in emails:
        transaction.on_commit(lambda pk=row.pk: deliver_notification.enqueue(notification_id=pk))
    return written


@outbox.consumer("notifications")
def on_event(event: Event) -> None:
    """The outbox consumer: notifications for one committed event."""
    if event.kind not in (EventKind.CREATED, EventKind.COMMENTED, EventKind.STATUS,
                          EventKind.ASSIGNED, EventKind.ESCALATED, *SLA_KINDS,
                          *APPROVAL_KINDS, EventKind.SLA_ESCALATED):
        return
    ticket = (Ticket.objects.select_related("requester", "organization", "department")
              .get(pk=event.ticket_id))
    queue(event, ticket, recipients(event, ticket))
