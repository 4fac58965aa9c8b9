"""Sending one e-mail notification: its context, its message (headers built by
Python's `email` package with the default policy, which refuses CR or LF in any header
value, so no text can add a header), its threading, and the delivery with retries.

A delivery claims the row first (queued -> sending, one UPDATE that only one task can
win), so a notification is sent once however often its task runs. A failed attempt
puts it back in the queue with an exponential backoff and the error; after
MAX_ATTEMPTS it stays failed, visible with its last error.
"""

from __future__ import annotations

import datetime as dt
import email.policy
import email.utils
import logging
from email.headerregistry import Address
from email.message import EmailMessage

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone, translation

from atiende.catalog.approval_links import email_context as approval_context
from atiende.errors import ValidationFailed
from atiende.mail.models import TicketMessageId
from atiende.mail.text import html_to_text
from atiende.notifications import rendering
from atiende.notifications.models import (
    Notification,
    NotificationChannel,
    NotificationKind,
    NotificationState,
)
from atiende.notifications.recipients import may_be_told, sender_mailbox
from atiende.notifications.transport import transport_for
from atiende.satisfaction.links import email_context as satisfaction_context
from atiende.tickets.models import DeskSettings, PendingReason, Priority, Status, Ticket

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
FIRST_RETRY = dt.timedelta(minutes=1)
REFERENCES_KEPT = 10


def backoff(attempts: int) -> dt.timedelta:
    """Wait before attempt `attempts + 1`: 1, 4, 16, 64 minutes."""
    return FIRST_RETRY * (4 ** max(0, attempts - 1))


# --- what the e-mail says ----------------------------------------------------------------


def ticket_link(ticket: Ticket) -> str:
    return f"{settings.SITE_URL}/tickets/{ticket.number}/"


def context_for(notification: Notification) -> dict[str, str]:
    """The template's variables for `notification`, as plain strings, in the active
    language. Rich text becomes plain text (it is escaped again in the HTML part)."""
    ticket, event, recipient = notification.ticket, notification.event, notification.recipient
    comment = event.comment
    team = ""
    new = event.new_value if isinstance(event.new_value, dict) else {}
    if notification.kind == NotificationKind.ASSIGNED and not (new.get("assignee") or {}).get("id"):
        team = (new.get("team") or {}).get("label", "")
    desk = DeskSettings.objects.filter(department_id=ticket.department_id).first()
    return {
        "number": ticket.number,
        "title": ticket.title,
        "status": str(dict(Status.choices).get(ticket.status, ticket.status)),
        "priority": str(dict(Priority.choices).get(ticket.priority, ticket.priority)),
        "link": ticket_link(ticket),
        "organization": ticket.organization.name,
        "department": ticket.department.name,
        "team": team,
        "requester_name": ticket.requester.display_name,
        "recipient_name": recipient.display_name,
        "actor_name": event.actor.display_name if event.actor else "",
        "comment": html_to_text(comment.body)[:10_000] if comment is not None else "",
        "reason": (str(dict(PendingReason.choices).get(ticket.pending_reason, ""))
                   if ticket.status == Status.PENDING else ""),
        "resolution": html_to_text(ticket.resolution_notes)[:5_000],
        "reopen_days": str(desk.reopen_window_days if desk else
                           DeskSettings._meta.get_field("reopen_window_days").default),
        **satisfaction_context(notification),
        **approval_context(notification),
    }


def _language(notification: Notification) -> str:
    languages = dict(settings.LANGUAGES)
    for language in (notification.recipient.language, notification.ticket.organization.language):
        if language in languages:
            return language
    return settings.LANGUAGE_CODE


def render_notification(notification: Notification) -> rendering.Rendered:
    language = _language(notification)
    with translation.override(language):
        subject, body = rendering.template_source(
            organization_id=notification.ticket.organization_id, kind=notification.kind,
            language=language)
        context = context_for(notification)
        try:
            return rendering.render(subject=subject, body=body, context=context,
                                    tag=notification.ticket.number)
        except ValidationFailed:
            # A stored template that no longer parses (written around the editor's
            # checks): the shipped wording rather than no e-mail at all.
            logger.warning("Notification template %s/%s of organization %s does not parse",
                           notification.kind, language, notification.ticket.organization_id)
            subject, body = rendering.shipped_source(notification.kind, language)
            return rendering.render(subject=subject, body=body, context=context,
                                    tag=notification.ticket.number)


# --- the message -----------------------------------------------------------------------


class OutboundMessage(EmailMessage):
    """A standard-library message that Django's mail backends can send: they ask for
    its bytes with `linesep=`."""

    def as_bytes(self, unixfrom: bool = False, policy=None, linesep: str | None = None):
        policy = policy or self.policy
        if linesep is not None:
            policy = policy.clone(linesep=linesep)
        return super().as_bytes(unixfrom=unixfrom, policy=policy)


def sender(ticket: Ticket) -> Address:
    """From: the organization's mailbox of the ticket's department, named after the
    organization and department; else DEFAULT_FROM_EMAIL."""
    mailbox = sender_mailbox(ticket)
    if mailbox is not None:
        name = f"{ticket.organization.name} · {ticket.department.name}"
        return Address(display_name=rendering.one_line(name, 120), addr_spec=mailbox.address)
    name, address = email.utils.parseaddr(settings.DEFAULT_FROM_EMAIL)
    return Address(display_name=rendering.one_line(name or ticket.organization.name, 120),
                   addr_spec=address or "atiende@localhost")


def thread_of(notification: Notification) -> list[str]:
    """The ticket's earlier Message-IDs (received and sent), oldest first: the first
    one and the latest REFERENCES_KEPT - 1, each in angle brackets."""
    own = notification.message_id.strip("<>")
    ids = list(TicketMessageId.objects.filter(ticket_id=notification.ticket_id,
                                              created_at__lte=notification.created_at)
               .exclude(message_id=own).order_by("created_at", "id")
               .values_list("message_id", flat=True))
    if len(ids) > REFERENCES_KEPT:
        ids = [ids[0], *ids[-(REFERENCES_KEPT - 1):]]
    return [f"<{message_id}>" for message_id in ids]


def build_message(notification: Notification) -> OutboundMessage:
    rendered = render_notification(notification)
    recipient = notification.recipient
    message = OutboundMessage(policy=email.policy.SMTP)
    from_address = sender(notification.ticket)
    message["Subject"] = rendered.subject
    message["From"] = from_address
    message["Reply-To"] = from_address
    message["To"] = Address(display_name=rendering.one_line(recipient.display_name, 120),
                            addr_spec=recipient.email)
    message["Date"] = email.utils.format_datetime(timezone.now())
    message["Message-ID"] = notification.message_id
    thread = thread_of(notification)
    if thread:
        message["In-Reply-To"] = thread[-1]
        message["References"] = " ".join(thread)
    # RFC 3834: an automatic message; Exchange is asked not to answer it automatically.
    message["Auto-Submitted"] = "auto-generated"
    message["X-Auto-Response-Suppress"] = "All"
    message["X-Atiende-Ticket"] = notification.ticket.number
    message.set_content(rendered.text)
    message.add_alternative(rendered.html, subtype="html")
    return message


# --- delivery --------------------------------------------------------------------------


def _load(notification_id: int) -> Notification:
    return Notification.objects.select_related(
        "recipient", "ticket__organization", "ticket__department", "ticket__requester",
        "event__actor", "event__comment",
    ).get(pk=notification_id)


def _finish(notification: Notification, state: str, **fields) -> None:
    Notification.objects.filter(pk=notification.pk, state=NotificationState.SENDING).update(
        state=state, **fields)


def deliver(notification_id: int) -> str | None:
    """Send one e-mail notification if it is due and nobody else is sending it; return
    its new state (None when there was nothing to do). Never raises for a failed
    delivery: the failure is recorded and a retry scheduled (`retry_at`)."""
    now = timezone.now()
    claimed = (Notification.objects.filter(pk=notification_id, channel=NotificationChannel.EMAIL,
                                           state=NotificationState.QUEUED)
               .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
               .update(state=NotificationState.SENDING, attempts=F("attempts") + 1))
    if not claimed:
        return None
    notification = _load(notification_id)
    recipient = notification.recipient
    told = recipient.is_active and may_be_told(recipient, notification.kind,
                                               notification.ticket, notification.event)
    if not (recipient.email and told):
        # The person left, or lost sight of the ticket, since it was queued.
        _finish(notification, NotificationState.SKIPPED, next_attempt_at=None)
        return NotificationState.SKIPPED
    try:
        message = build_message(notification)
        envelope_from = str(message["From"].addresses[0].addr_spec)
        # SMTP or Microsoft Graph, as the organization chose (`transport`).
        transport_for(notification.ticket.organization_id).send(
            message, envelope_from=envelope_from, recipient=notification.recipient.email)
    except Exception as error:
        logger.warning("Notification %s: attempt %s failed: %s", notification.pk,
                       notification.attempts, error)
        detail = f"{type(error).__name__}: {error}"[:2000]
        if notification.attempts >= MAX_ATTEMPTS:
            _finish(notification, NotificationState.FAILED, last_error=detail,
                    next_attempt_at=None)
            return NotificationState.FAILED
        retry_at = timezone.now() + backoff(notification.attempts)
        _finish(notification, NotificationState.QUEUED, last_error=detail,
                next_attempt_at=retry_at)
        _schedule_retry(notification.pk, retry_at)
        return NotificationState.QUEUED
    _finish(notification, NotificationState.SENT, sent_at=timezone.now(), next_attempt_at=None,
            last_error="")
    return NotificationState.SENT


def _schedule_retry(notification_id: int, retry_at: dt.datetime) -> None:
    """A deferred task when the task backend can defer; `deliver_due` (run by the
    worker's periodic sweep, or by hand) catches the rest."""
    from atiende.notifications.tasks import deliver_notification

    if deliver_notification.get_backend().supports_defer:
        deliver_notification.using(run_after=retry_at).enqueue(notification_id=notification_id)


def deliver_due(limit: int = 500) -> int:
    """Deliver the queued e-mails that are due (retries whose time came, and any whose
    task was lost); return how many were sent."""
    now = timezone.now()
    due = list(Notification.objects.filter(
        channel=NotificationChannel.EMAIL, state=NotificationState.QUEUED)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .order_by("id").values_list("pk", flat=True)[:limit])
    return sum(1 for pk in due if deliver(pk) == NotificationState.SENT)
