"""Microsoft Teams: ticket events posted to channels as adaptive cards.

The outbox consumer `on_event` decides which channels hear of an event (the channels of
the ticket's department, or of the team it concerns, that chose that kind of event) and
writes one TeamsPost per channel, delivered after commit by a background task. A post
is claimed first (queued -> sending), so it is sent once however often its task runs;
a failed attempt is retried with the e-mail notifications' backoff, up to their
MAX_ATTEMPTS. The card is the documented webhook message: `{"type": "message",
"attachments": [{"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl":
null, "content": <AdaptiveCard>}]}`, with the ticket's number, title, priority,
status and requester, and an Action.OpenUrl back to the ticket. Ticket text is data:
markdown and card expressions in it are escaped.
"""

from __future__ import annotations

import json
import logging
import re

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from atiende.core import secrets
from atiende.mail.graph_client import GraphError, http_send
from atiende.notifications.delivery import MAX_ATTEMPTS, backoff, ticket_link
from atiende.notifications.models import (
    NotificationState,
    TeamsChannel,
    TeamsEvent,
    TeamsPost,
)
from atiende.tickets import outbox
from atiende.tickets.models import Event, EventKind, Priority, Status, Ticket

logger = logging.getLogger(__name__)

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
CARD_VERSION = "1.4"
TEXT_MAX = 300
TIMEOUT_SECONDS = 15
TEST_KIND = "test"

# What Teams would read as markdown (emphasis, links, code, headings) or as a card
# function (`{{DATE(…)}}`) in card text; a list marker counts only at the start.
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#<>~])")
_LIST_MARKER = re.compile(r"^([-+]|\d+\.)(\s)")


def escape(value: str, limit: int = TEXT_MAX) -> str:
    """Ticket text shown as itself in a card: one line, bounded, markdown escaped."""
    line = " ".join(str(value or "").split())
    if len(line) > limit:
        line = line[:limit - 1] + "…"
    return _LIST_MARKER.sub(r"\\\1\2", _MARKDOWN.sub(r"\\\1", line))


# --- which channels hear of what --------------------------------------------------------


def teams_event(event: Event, ticket: Ticket) -> tuple[str, int | None] | None:
    """(TeamsEvent, team id it concerns) for an event channels may hear of, else None."""
    if event.kind == EventKind.CREATED:
        return TeamsEvent.TICKET_CREATED, ticket.team_id
    if event.kind == EventKind.STATUS and event.new_value == Status.RESOLVED:
        return TeamsEvent.RESOLVED, ticket.team_id
    if event.kind in (EventKind.SLA_WARNING, EventKind.SLA_BREACHED):
        return str(event.kind), ticket.team_id
    if event.kind == EventKind.ASSIGNED or (event.kind == EventKind.ESCALATED
                                            and event.field == "team"):
        new = event.new_value if isinstance(event.new_value, dict) else {}
        old = event.old_value if isinstance(event.old_value, dict) else {}
        team_id = (new.get("team") or {}).get("id")
        if team_id and team_id != (old.get("team") or {}).get("id"):
            return TeamsEvent.TEAM_ASSIGNED, team_id
    return None


def channels_for(event: Event, ticket: Ticket) -> list[TeamsChannel]:
    found = teams_event(event, ticket)
    if found is None:
        return []
    kind, team_id = found
    candidates = TeamsChannel.objects.filter(is_active=True, department_id=ticket.department_id)
    candidates = candidates.filter(Q(team__isnull=True) | Q(team_id=team_id)) if team_id \
        else candidates.filter(team__isnull=True)
    return [channel for channel in candidates.order_by("id") if kind in (channel.events or [])]


@outbox.consumer("teams")
def on_event(event: Event) -> None:
    """The outbox consumer: one post per channel that hears of the event (once)."""
    if event.kind not in (EventKind.CREATED, EventKind.STATUS, EventKind.ASSIGNED,
                          EventKind.ESCALATED, EventKind.SLA_WARNING, EventKind.SLA_BREACHED):
        return
    ticket = Ticket.objects.get(pk=event.ticket_id)
    kind = (teams_event(event, ticket) or ("", None))[0]
    for channel in channels_for(event, ticket):
        post, created = TeamsPost.objects.get_or_create(
            channel=channel, event=event, defaults={"ticket": ticket, "kind": kind})
        if created:
            transaction.on_commit(lambda pk=post.pk: post_to_teams.enqueue(post_id=pk))


# --- the card ---------------------------------------------------------------------------


def _headline(kind: str) -> str:
    labels = dict(TeamsEvent.choices)
    return str(labels.get(kind, _("Test card")))


def card(ticket: Ticket | None, kind: str) -> dict:
    """The webhook message for `ticket` (None: a test card), in the active language."""
    if ticket is None:
        body = [
            {"type": "TextBlock", "text": escape(_("Test card")), "weight": "Bolder",
             "size": "Medium", "wrap": True},
            {"type": "TextBlock", "wrap": True, "text": escape(
                _("This channel will hear of the tickets of Atiende."))},
        ]
        actions = [{"type": "Action.OpenUrl", "title": _("Open Atiende"),
                    "url": f"{settings.SITE_URL}/"}]
    else:
        facts = [
            {"title": _("Priority"),
             "value": escape(str(dict(Priority.choices).get(ticket.priority, ticket.priority)))},
            {"title": _("Status"),
             "value": escape(str(dict(Status.choices).get(ticket.status, ticket.status)))},
            {"title": _("Requester"), "value": escape(ticket.requester.display_name)},
            {"title": _("Department"), "value": escape(ticket.department.name)},
        ]
        if ticket.team_id:
            facts.append({"title": _("Team"), "value": escape(ticket.team.name)})
        body = [
            {"type": "TextBlock", "text": escape(_headline(kind)), "weight": "Bolder",
             "size": "Medium", "wrap": True},
            {"type": "TextBlock", "text": escape(f"{ticket.number} · {ticket.title}"),
             "wrap": True},
            {"type": "FactSet", "facts": facts},
        ]
        actions = [{"type": "Action.OpenUrl", "title": _("Open the ticket"),
                    "url": ticket_link(ticket)}]
    return {"type": "message", "attachments": [{
        "contentType": CARD_CONTENT_TYPE, "contentUrl": None,
        "content": {"$schema": CARD_SCHEMA, "type": "AdaptiveCard", "version": CARD_VERSION,
                    "body": body, "actions": actions},
    }]}


# --- delivery ---------------------------------------------------------------------------


def send_card(url: str, payload: dict) -> None:
    """POST the card; raise with the reason unless the webhook accepted it. Incoming
    webhooks answer 200 "1"; Workflows answer 202; a throttled webhook may answer 200
    with an error text that names HTTP 429."""
    answer = http_send("POST", url, body=json.dumps(payload).encode(), timeout=TIMEOUT_SECONDS,
                       headers={"Content-Type": "application/json"})
    text = answer.body[:500].decode("utf-8", "replace")
    if answer.status not in (200, 201, 202) or "429" in text:
        raise GraphError(f"The Teams webhook answered {answer.status}: {text[:200]}",
                         status=answer.status)


def _load(post_id: int) -> TeamsPost:
    return TeamsPost.objects.select_related(
        "channel__organization", "ticket__requester", "ticket__department", "ticket__team",
        "ticket__organization").get(pk=post_id)


def _finish(post: TeamsPost, state: str, **fields) -> None:
    TeamsPost.objects.filter(pk=post.pk, state=NotificationState.SENDING).update(
        state=state, **fields)


def deliver(post_id: int) -> str | None:
    """Post one card if it is due and nobody else is posting it; its new state (None:
    nothing to do). A failure is recorded and retried later, never raised."""
    now = timezone.now()
    claimed = (TeamsPost.objects.filter(pk=post_id, state=NotificationState.QUEUED)
               .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
               .update(state=NotificationState.SENDING, attempts=F("attempts") + 1))
    if not claimed:
        return None
    post = _load(post_id)
    if not post.channel.is_active and post.kind != TEST_KIND:
        _finish(post, NotificationState.SKIPPED, next_attempt_at=None)
        return NotificationState.SKIPPED
    try:
        with translation.override(post.channel.organization.language):
            payload = card(post.ticket, post.kind)
        send_card(secrets.reveal(post.channel.webhook_url), payload)
    except Exception as error:
        logger.warning("Teams post %s: attempt %s failed: %s", post.pk, post.attempts, error)
        detail = f"{type(error).__name__}: {error}"[:2000]
        if post.attempts >= MAX_ATTEMPTS:
            _finish(post, NotificationState.FAILED, last_error=detail, next_attempt_at=None)
            return NotificationState.FAILED
        retry_at = timezone.now() + backoff(post.attempts)
        _finish(post, NotificationState.QUEUED, last_error=detail, next_attempt_at=retry_at)
        if post_to_teams.get_backend().supports_defer:
            post_to_teams.using(run_after=retry_at).enqueue(post_id=post.pk)
        return NotificationState.QUEUED
    _finish(post, NotificationState.SENT, sent_at=timezone.now(), next_attempt_at=None,
            last_error="")
    return NotificationState.SENT


def deliver_due(limit: int = 500) -> int:
    """Post the queued cards that are due (retries, and any whose task was lost)."""
    now = timezone.now()
    due = list(TeamsPost.objects.filter(state=NotificationState.QUEUED)
               .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
               .order_by("id").values_list("pk", flat=True)[:limit])
    return sum(1 for pk in due if deliver(pk) == NotificationState.SENT)


@task(queue_name="mail")
def post_to_teams(*, post_id: int) -> str | None:
    """Post one card to a Teams channel (claimed first: posted once)."""
    return deliver(post_id)
