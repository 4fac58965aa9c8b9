"""Every change of state of inbound mail: `ingest` (what every way in calls: the pipe
today, IMAP and Microsoft Graph later), the review of held mail, the mailboxes, and
the Message-ID map that threads replies.

`ingest` runs in one transaction: the record of the message (with its raw bytes), the
ticket or public reply it became through the tickets services (events, outbox and
all), its files through the attachment service, and the thread map are written
together or not at all. When processing fails, the transaction is rolled back, the
files it stored are deleted, and the raw message is then written alone, quarantined,
with the reason, in a transaction of its own.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.validators import validate_email
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from atiende.core import services as core_services
from atiende.core.models import Department, Organization, Team, User
from atiende.errors import (
    Conflict,
    FileTooLarge,
    FileTypeRefused,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from atiende.mail import policies
from atiende.mail.models import (
    REVIEW_TRANSITIONS,
    Direction,
    InboundMessage,
    InboundState,
    InlineImage,
    Mailbox,
    MailboxKind,
    TicketMessageId,
    UnknownSender,
)
from atiende.mail.parse import (
    ParsedMessage,
    content_hash,
    message_id_key,
    message_key,
    parse_message,
)
from atiende.mail.quotes import strip_reply
from atiende.mail.text import text_to_html
from atiende.tickets import attachments as ticket_attachments
from atiende.tickets import policies as ticket_policies
from atiende.tickets import services as ticket_services
from atiende.tickets.models import (
    FINAL_STATUSES,
    NUMBER_PREFIX,
    Category,
    Channel,
    Comment,
    Ticket,
    Visibility,
)
from atiende.validation import choice, text

logger = logging.getLogger(__name__)

CHANNEL = Channel.EMAIL
TITLE_MAX = ticket_services.TITLE_MAX

# Why a message was held, ignored, quarantined or refused: a stable code, and the
# sentence the review page shows.
REASONS = {
    # held
    "unknown_sender": gettext_lazy("The sender is not known and this mailbox holds mail "
                                   "from unknown senders."),
    "rate_limited": gettext_lazy("The sender sent too many messages in a short time."),
    "authentication_failed": gettext_lazy("The sender's address could not be verified "
                                          "(SPF, DKIM or DMARC failed): it may be forged."),
    "sender_other_organization": gettext_lazy("The sender belongs to another organization."),
    "sender_not_allowed": gettext_lazy("The sender may not open tickets in this "
                                       "department."),
    "sender_inactive": gettext_lazy("The sender's account is deactivated."),
    # ignored
    "auto_reply": gettext_lazy("Automatic reply (out of office, vacation, receipt)."),
    "bounce": gettext_lazy("Delivery status notification (bounce)."),
    "bulk": gettext_lazy("Bulk or list mail."),
    "loop": gettext_lazy("Sent by this desk itself (mail loop)."),
    "already_on_ticket": gettext_lazy("Already on the ticket (the same message came "
                                      "through another mailbox)."),
    # quarantined
    "no_sender": gettext_lazy("The message has no usable sender address."),
    "processing_failed": gettext_lazy("The message could not be processed."),
    # refused
    "refused_unknown_sender": gettext_lazy("The sender is not known and this mailbox "
                                           "refuses mail from unknown senders."),
    "too_large": gettext_lazy("The message is larger than the limit."),
    "empty": gettext_lazy("The message is empty."),
}


def reason_label(code: str) -> str:
    return str(REASONS.get(code, code))


class Action:
    """What `ingest` did with a message."""

    CREATED = "created"  # a new ticket
    COMMENTED = "commented"  # a public reply on an existing ticket
    HELD = "held"
    IGNORED = "ignored"
    QUARANTINED = "quarantined"
    DUPLICATE = "duplicate"  # delivered before: nothing written
    REFUSED = "refused"  # not stored; the mail server should bounce it


@dataclass(frozen=True)
class Outcome:
    action: str
    message: InboundMessage | None = None
    ticket: Ticket | None = None
    comment: Comment | None = None
    reason: str = ""
    detail: str = ""
    skipped_files: list = field(default_factory=list)

    @property
    def stored(self) -> bool:
        """Whether the message is in the desk's hands (the mail server may forget it)."""
        return self.action != Action.REFUSED

    def describe(self) -> str:
        """One line for logs and for the mail server's delivery report."""
        number = self.ticket.number if self.ticket else ""
        if self.action == Action.CREATED:
            return _("created %(number)s") % {"number": number}
        if self.action == Action.COMMENTED:
            return _("commented on %(number)s") % {"number": number}
        if self.action == Action.DUPLICATE:
            return _("duplicate: already received")
        labels = {Action.HELD: _("held"), Action.IGNORED: _("ignored"),
                  Action.QUARANTINED: _("quarantined"), Action.REFUSED: _("refused")}
        return f"{labels.get(self.action, self.action)}: {reason_label(self.reason)}"


class TransientFailure(Exception):
    """The database could not be reached or was busy: nothing was stored, deliver again
    later (EX_TEMPFAIL for a mail server)."""


class _Refused(Exception):
    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


# --- the Message-ID map ---------------------------------------------------------------


def message_id_register(*, ticket: Ticket, message_id: str, comment: Comment | None = None,
                        direction: str = Direction.INBOUND) -> None:
    """Remember that `message_id` belongs to `ticket`'s conversation, so replies naming
    it in In-Reply-To or References reach the ticket. Outbound mail calls this with
    the Message-IDs it generates. Safe to call twice."""
    message_id = (message_id or "").strip().strip("<>")
    if not message_id:
        return
    choice(direction, "direction", Direction.values)
    key = message_id_key(message_id)
    with transaction.atomic():
        if not TicketMessageId.objects.filter(key=key, ticket=ticket).exists():
            TicketMessageId.objects.create(key=key, message_id=message_id, ticket=ticket,
                                           comment=comment, direction=direction)


def outbound_message_ids_register(*, ticket: Ticket, message_ids: list[str],
                                  comment: Comment | None = None) -> None:
    """`message_id_register` for the fresh Message-IDs of many e-mails the desk is about
    to send about `ticket` (new, so none is there yet): one query in all."""
    keys = {message_id_key(clean): clean for clean in (
        (message_id or "").strip().strip("<>") for message_id in message_ids) if clean}
    TicketMessageId.objects.bulk_create([
        TicketMessageId(key=key, message_id=message_id, ticket=ticket, comment=comment,
                        direction=Direction.OUTBOUND) for key, message_id in keys.items()])


_PREFIXES = "|".join(NUMBER_PREFIX.values())
_TAG = re.compile(rf"\[\s*#?\s*({_PREFIXES})-(\d{{1,12}})\s*\]", re.IGNORECASE)
_REPLY_PREFIX = re.compile(r"^\s*(?:(?:re|fw|fwd|rv|res|enc|aw|wg|sv|tr|rif)"
                           r"(?:\[\d+\])?\s*:\s*)+", re.IGNORECASE)


def _tagged_numbers(subject: str) -> list[str]:
    return [f"{prefix.upper()}-{int(digits):06d}" for prefix, digits in _TAG.findall(subject)]


def _candidates(parsed: ParsedMessage) -> list[Ticket]:
    """Tickets the message says it belongs to: the subject's tags first, then the
    Message-IDs it answers, the closest first."""
    found: list[Ticket] = []
    numbers = _tagged_numbers(parsed.subject)
    if numbers:
        by_number = {t.number: t for t in Ticket.objects.filter(number__in=numbers)}
        found += [by_number[number] for number in numbers if number in by_number]
    thread = parsed.thread_ids
    if thread:
        keys = [message_id_key(message_id) for message_id in thread]
        rank = {key: index for index, key in enumerate(keys)}
        rows = sorted(TicketMessageId.objects.filter(key__in=keys).select_related("ticket"),
                      key=lambda row: rank[row.key])
        found += [row.ticket for row in rows]
    return list({ticket.pk: ticket for ticket in found}.values())


def _title(subject: str) -> str:
    title = _TAG.sub(" ", subject)
    title = _REPLY_PREFIX.sub("", title)
    title = re.sub(r"\s+", " ", title).strip()
    if not title:
        return _("(no subject)")
    return title if len(title) <= TITLE_MAX else title[:TITLE_MAX - 1].rstrip() + "…"


# --- ingest ---------------------------------------------------------------------------


def _authserv_ids() -> frozenset[str]:
    return frozenset(value.lower() for value in settings.MAIL_AUTHSERV_IDS)


def _from_this_desk(parsed: ParsedMessage) -> bool:
    """Whether one of the desk's own mailboxes sent the message, or marked it (X-Loop)."""
    addresses = {parsed.sender, *parsed.loop_markers}
    return Mailbox.objects.filter(address__in=sorted(addresses)).exists()


def ingest(*, mailbox: Mailbox, raw: bytes, source: str = "pipe",
           received_at: datetime | None = None) -> Outcome:
    """Take one message delivered to `mailbox`. Returns what became of it; raises
    TransientFailure when the database is unavailable (nothing stored) and NotFound for
    an inactive mailbox.

    In one transaction: the InboundMessage row (raw bytes included) and, for a
    message a person wrote, a new ticket (kind, department and defaults of the
    mailbox, channel "email") or a public reply on the ticket it answers, with its
    files, and its Message-ID in the thread map. A second delivery of the same message
    (same Message-ID, or same content without one) writes nothing. Auto-replies,
    bounces, bulk mail and loops are recorded as ignored; unknown senders, forged
    senders and senders over the rate limit are held for an organization admin; a
    message that fails is quarantined with its raw bytes and the reason."""
    if not mailbox.is_active:
        raise NotFound()
    raw = bytes(raw or b"")
    if not raw.strip():
        return Outcome(Action.REFUSED, reason="empty")
    if len(raw) > settings.MAIL_MAX_BYTES:
        return Outcome(Action.REFUSED, reason="too_large")
    received_at = received_at or timezone.now()
    try:
        parsed = parse_message(raw, trusted_authserv_ids=_authserv_ids())
    except Exception as error:  # a parser bug must not lose the message
        logger.exception("Could not parse a message for %s", mailbox.address)
        hashed = content_hash(raw)
        return _quarantine(mailbox=mailbox, raw=raw, key=message_key("", hashed),
                           hashed=hashed, parsed=None, source=source, received_at=received_at,
                           error=error)
    key = message_key(parsed.message_id, parsed.content_hash)
    if _received(mailbox, key):
        return Outcome(Action.DUPLICATE)
    stored_files: list[str] = []
    try:
        with transaction.atomic():
            # Written last, by `_finish`: a delivery of the same message at the same
            # moment then fails on the unique constraint and rolls back whole.
            record = InboundMessage(
                mailbox=mailbox, message_key=key, message_id=parsed.message_id,
                content_hash=parsed.content_hash, sender=parsed.sender[:254],
                sender_name=parsed.sender_name[:200], subject=parsed.subject[:1000],
                received_at=received_at, source=source[:12], raw=raw, size=len(raw),
            )
            with translation.override(mailbox.organization.language):
                return _process(record, parsed, review=False, stored_files=stored_files)
    except _Refused as refusal:
        _delete_files(stored_files)
        return Outcome(Action.REFUSED, reason=refusal.reason)
    except IntegrityError as error:
        _delete_files(stored_files)
        if _received(mailbox, key):
            return Outcome(Action.DUPLICATE)  # delivered twice at the same moment
        return _quarantine(mailbox=mailbox, raw=raw, key=key, hashed=parsed.content_hash,
                           parsed=parsed, source=source, received_at=received_at, error=error)
    except (OperationalError, InterfaceError) as error:
        _delete_files(stored_files)
        raise TransientFailure(str(error)) from error
    except Exception as error:
        _delete_files(stored_files)
        logger.exception("Could not process a message for %s", mailbox.address)
        return _quarantine(mailbox=mailbox, raw=raw, key=key, hashed=parsed.content_hash,
                           parsed=parsed, source=source, received_at=received_at, error=error)


def _received(mailbox: Mailbox, key: str) -> bool:
    return InboundMessage.objects.filter(mailbox=mailbox, message_key=key).exists()


def _delete_files(names: list[str]) -> None:
    """Files the attachment service stored in a transaction that was then rolled back."""
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            logger.warning("Could not delete %s after a rollback", name)


def _error_detail(error: BaseException) -> str:
    if isinstance(error, ValidationFailed) and error.fields:
        details = "; ".join(f"{name}: {message}" for name, message in error.fields.items())
        return f"{type(error).__name__}: {details}"[:2000]
    message = getattr(error, "message", None) or str(error)
    return f"{type(error).__name__}: {message}"[:2000]


def _quarantine(*, mailbox: Mailbox, raw: bytes, key: str, hashed: str,
                parsed: ParsedMessage | None, source: str, received_at: datetime,
                error: BaseException) -> Outcome:
    """The raw message, alone, in a transaction of its own, after processing failed."""
    try:
        with transaction.atomic():
            record = InboundMessage.objects.create(
                mailbox=mailbox, message_key=key,
                message_id=parsed.message_id if parsed else "", content_hash=hashed,
                sender=(parsed.sender if parsed else "")[:254],
                sender_name=(parsed.sender_name if parsed else "")[:200],
                subject=(parsed.subject if parsed else "")[:1000], received_at=received_at,
                source=source[:12], raw=raw, size=len(raw), state=InboundState.QUARANTINED,
                reason="processing_failed", detail=_error_detail(error),
            )
    except IntegrityError:
        return Outcome(Action.DUPLICATE)
    except (OperationalError, InterfaceError) as failure:
        raise TransientFailure(str(failure)) from failure
    return Outcome(Action.QUARANTINED, message=record, reason="processing_failed",
                   detail=record.detail)


def _finish(record: InboundMessage, *, state: str, reason: str = "", detail: str = "",
            ticket: Ticket | None = None, comment: Comment | None = None,
            skipped: list | None = None, fields: tuple[str, ...] = ()) -> None:
    """Record what became of the message: its row is inserted now (by `ingest`) or
    updated (by a review)."""
    record.state, record.reason, record.detail = state, reason, detail[:2000]
    record.ticket, record.comment = ticket, comment
    record.skipped_files = skipped or []
    if record.pk is None:
        record.save(force_insert=True)
    else:
        record.save(update_fields=["state", "reason", "detail", "ticket", "comment",
                                   "skipped_files", *fields])


def _set_aside(record: InboundMessage, state: str, reason: str, detail: str = "") -> Outcome:
    _finish(record, state=state, reason=reason, detail=detail)
    action = {InboundState.HELD: Action.HELD, InboundState.IGNORED: Action.IGNORED,
              InboundState.QUARANTINED: Action.QUARANTINED}[state]
    return Outcome(action, message=record, reason=reason, detail=detail)


def _over_rate_limit(record: InboundMessage) -> bool:
    limit = settings.MAIL_RATE_LIMIT
    if limit <= 0:
        return False
    since = record.received_at - timedelta(minutes=settings.MAIL_RATE_WINDOW_MINUTES)
    earlier = InboundMessage.objects.filter(
        mailbox_id=record.mailbox_id, sender=record.sender, received_at__gte=since,
        received_at__lte=record.received_at)
    if record.pk is not None:
        earlier = earlier.exclude(pk=record.pk)
    return earlier.count() >= limit


def _process(record: InboundMessage, parsed: ParsedMessage, *, review: bool,
             stored_files: list[str]) -> Outcome:
    """Decide what the message becomes and do it, inside the caller's transaction.
    `review` is an organization admin's retry: the rate limit and the sender checks
    (verification, unknown sender) no longer hold the message back."""
    mailbox = record.mailbox
    if not parsed.sender:
        return _set_aside(record, InboundState.QUARANTINED, "no_sender")
    if parsed.auto:
        return _set_aside(record, InboundState.IGNORED, parsed.auto, parsed.auto_detail)
    if _from_this_desk(parsed):
        return _set_aside(record, InboundState.IGNORED, "loop", parsed.sender)
    if not review and parsed.authentication == "fail":
        return _set_aside(record, InboundState.HELD, "authentication_failed")
    if not review and _over_rate_limit(record):
        return _set_aside(record, InboundState.HELD, "rate_limited")

    sender = User.objects.filter(email=parsed.sender).select_related("organization").first()
    if sender is not None and not sender.is_active:
        return _set_aside(record, InboundState.HELD, "sender_inactive")

    ticket = _ticket_answered(mailbox, parsed, sender)
    if ticket is not None:
        return _reply(record, parsed, sender, ticket, stored_files)

    if sender is None:
        policy = mailbox.unknown_sender
        if policy == UnknownSender.REFUSE and not review:
            raise _Refused("refused_unknown_sender")
        if policy == UnknownSender.HOLD and not review:
            return _set_aside(record, InboundState.HELD, "unknown_sender")
        sender = _requester_create(mailbox.organization, parsed)
    if sender.organization_id != mailbox.organization_id:
        return _set_aside(record, InboundState.HELD, "sender_other_organization")
    if not ticket_policies.can_create(sender, organization=mailbox.organization,
                                      department=mailbox.department, requester=sender):
        return _set_aside(record, InboundState.HELD, "sender_not_allowed")
    return _new_ticket(record, parsed, sender, stored_files)


def _ticket_answered(mailbox: Mailbox, parsed: ParsedMessage, sender: User | None) -> (
        Ticket | None):
    """The ticket this message is a reply to: one of the mailbox's organization that
    is still open to replies, whose requester, watcher or staff the sender is. Anything
    else (another organization's ticket, a stranger's reply) is not a reply: the
    message is handled as a new one, and never reaches that ticket."""
    if sender is None:
        return None
    for ticket in _candidates(parsed):
        if ticket.organization_id != mailbox.organization_id:
            continue
        if ticket.status in FINAL_STATUSES:
            continue
        if ticket_policies.can_reply(sender, ticket):
            return ticket
    return None


def _requester_create(organization: Organization, parsed: ParsedMessage) -> User:
    """An unknown sender, under a mailbox that creates requesters: a requester of the
    organization, without a password (a reset link or an invitation gives one later).
    Audited as the organization's other new people are, through the e-mail channel."""
    name = parsed.sender_name.strip() or parsed.sender.split("@")[0]
    try:
        with transaction.atomic():
            user = core_services.requester_register(
                organization=organization, email=parsed.sender, display_name=name,
                channel=CHANNEL)
    except IntegrityError:  # the same stranger's other message got there first
        user = User.objects.get(email=parsed.sender)
    return user


def _new_ticket(record: InboundMessage, parsed: ParsedMessage, sender: User,
                stored_files: list[str]) -> Outcome:
    mailbox = record.mailbox
    category = mailbox.default_category
    if category is not None and (not category.is_active
                                 or category.department_id != mailbox.department_id):
        category = None
    team = mailbox.default_team
    if team is not None and (not team.is_active or team.department_id != mailbox.department_id):
        team = None
    description = parsed.html or text_to_html(parsed.text)
    ticket = ticket_services.ticket_create(
        actor=sender, kind=mailbox.kind, title=_title(parsed.subject),
        description=description[:100_000], organization=mailbox.organization,
        department=mailbox.department, requester=sender, channel=CHANNEL, category=category,
        team=team,
    )
    skipped = _attach(parsed, sender, ticket, None, stored_files)
    _thread(ticket, parsed, None)
    _finish(record, state=InboundState.PROCESSED, ticket=ticket, skipped=skipped)
    return Outcome(Action.CREATED, message=record, ticket=ticket, skipped_files=skipped)


def _thread(ticket: Ticket, parsed: ParsedMessage, comment: Comment | None) -> None:
    """The message's own Message-ID in the thread map (new: `_reply` checked it)."""
    if parsed.message_id:
        TicketMessageId.objects.create(
            key=message_id_key(parsed.message_id), message_id=parsed.message_id,
            ticket=ticket, comment=comment, direction=Direction.INBOUND)


def _reply(record: InboundMessage, parsed: ParsedMessage, sender: User, ticket: Ticket,
           stored_files: list[str]) -> Outcome:
    if parsed.message_id and TicketMessageId.objects.filter(
            key=message_id_key(parsed.message_id), ticket=ticket).exists():
        # The same reply through a second mailbox, or the desk's own message back.
        return _set_aside(record, InboundState.IGNORED, "already_on_ticket")
    body = strip_reply(parsed.text)
    if not body:
        body = (_("(No text; see the attached files.)") if parsed.attachments
                else parsed.text.strip() or _("(No text.)"))
    comment = ticket_services.comment_add(
        actor=sender, ticket=ticket, body=text_to_html(body)[:100_000],
        visibility=_reply_visibility(parsed, sender, ticket), channel=CHANNEL,
    )
    skipped = _attach(parsed, sender, ticket, comment, stored_files)
    _thread(ticket, parsed, comment)
    _finish(record, state=InboundState.PROCESSED, ticket=ticket, comment=comment,
            skipped=skipped)
    return Outcome(Action.COMMENTED, message=record, ticket=ticket, comment=comment,
                   skipped_files=skipped)


def _reply_visibility(parsed: ParsedMessage, sender: User, ticket: Ticket) -> str:
    """Internal when staff answer a message about an internal note (a mention): what an
    agent writes back to such a message must never reach the requester."""
    keys = [message_id_key(message_id) for message_id in parsed.thread_ids]
    answers_a_note = keys and TicketMessageId.objects.filter(
        key__in=keys, ticket=ticket, comment__visibility=Visibility.INTERNAL).exists()
    if answers_a_note and ticket_policies.works_on(sender, ticket):
        return Visibility.INTERNAL
    return Visibility.PUBLIC


def _attach(parsed: ParsedMessage, sender: User, ticket: Ticket, comment: Comment | None,
            stored_files: list[str]) -> list[dict]:
    """The message's files on the ticket (on the reply, for a reply), through the
    attachment service and its checks. A file it refuses (type, size, empty) is left
    out and listed; the raw message still holds it. An image the HTML shows by its
    Content-ID is remembered, so the ticket's page shows it in place."""
    skipped = []
    for attachment in parsed.attachments:
        upload = ContentFile(attachment.data, name=attachment.file_name)
        try:
            added = ticket_attachments.attachment_add(
                actor=sender, ticket=ticket, uploaded_file=upload, comment=comment,
                channel=CHANNEL,
            )
        except (FileTypeRefused, FileTooLarge, ValidationFailed) as error:
            skipped.append({"file_name": attachment.file_name, "reason": error.code})
            continue
        stored_files.append(added.file.name)
        if attachment.inline and attachment.content_id:
            InlineImage.objects.create(ticket=ticket, attachment=added,
                                       content_id=attachment.content_id[:255])
    return skipped


# --- review ---------------------------------------------------------------------------


def _locked_for_review(actor: User, message: InboundMessage) -> InboundMessage:
    if not policies.can_review_mail(actor, message.mailbox.organization_id):
        raise NotFound()
    locked = (InboundMessage.objects.select_for_update().select_related("mailbox")
              .get(pk=message.pk))
    if locked.state not in REVIEW_TRANSITIONS:
        raise Conflict(_("This message has been dealt with already."), code="not_reviewable")
    return locked


def inbound_retry(*, actor: User, message: InboundMessage, channel: str = "web") -> Outcome:
    """Process a held or quarantined message again, as reviewed by an organization
    admin: the rate limit and the sender checks no longer hold it (an unknown sender
    becomes a requester whatever the mailbox's policy). It may still be held for what
    only the admin can fix elsewhere (an inactive account, another organization's
    person), or quarantined again. Writes one audit event. Raises NotFound (not an
    admin of the mailbox's organization) and Conflict (already dealt with)."""
    with transaction.atomic():
        _locked_for_review(actor, message)  # NotFound or Conflict before any work
    stored_files: list[str] = []
    try:
        with transaction.atomic():
            record = _locked_for_review(actor, message)
            old_state = record.state
            parsed = parse_message(bytes(record.raw), trusted_authserv_ids=_authserv_ids())
            record.attempts += 1
            record.reviewed_by, record.reviewed_at = actor, timezone.now()
            record.save(update_fields=["attempts", "reviewed_by", "reviewed_at"])
            with translation.override(record.mailbox.organization.language):
                outcome = _process(record, parsed, review=True, stored_files=stored_files)
            core_services.audit(actor=actor, organization_id=record.mailbox.organization_id,
                                 action="mail.retried", target=record,
                                 changes={"state": [old_state, record.state]}, channel=channel)
    except (OperationalError, InterfaceError) as error:
        _delete_files(stored_files)
        raise TransientFailure(str(error)) from error
    except Exception as error:
        _delete_files(stored_files)
        if isinstance(error, Conflict) and error.code == "not_reviewable":
            raise  # a second admin got there first
        logger.exception("Retrying inbound message %s failed", message.pk)
        with transaction.atomic():
            record = _locked_for_review(actor, message)
            old_state = record.state
            record.attempts += 1
            record.state, record.reason = InboundState.QUARANTINED, "processing_failed"
            record.detail = _error_detail(error)
            record.reviewed_by, record.reviewed_at = actor, timezone.now()
            record.save(update_fields=["attempts", "state", "reason", "detail",
                                       "reviewed_by", "reviewed_at"])
            core_services.audit(actor=actor, organization_id=record.mailbox.organization_id,
                                 action="mail.retried", target=record,
                                 changes={"state": [old_state, record.state]}, channel=channel)
        return Outcome(Action.QUARANTINED, message=record, reason="processing_failed",
                       detail=record.detail)
    return outcome


def inbound_discard(*, actor: User, message: InboundMessage, channel: str = "web") -> (
        InboundMessage):
    """Throw a held or quarantined message away: its raw bytes are dropped, its row
    stays (a later delivery of it is still recognised as a duplicate). Writes one
    audit event. Raises NotFound and Conflict as `inbound_retry`."""
    with transaction.atomic():
        record = _locked_for_review(actor, message)
        old_state = record.state
        record.state, record.raw = InboundState.DISCARDED, b""
        record.reviewed_by, record.reviewed_at = actor, timezone.now()
        record.save(update_fields=["state", "raw", "reviewed_by", "reviewed_at"])
        core_services.audit(actor=actor, organization_id=record.mailbox.organization_id,
                             action="mail.discarded", target=record,
                             changes={"state": [old_state, record.state]}, channel=channel)
    return record


# --- mailboxes ------------------------------------------------------------------------

MAILBOX_FIELDS = {"address", "department", "kind", "default_category", "default_team",
                  "unknown_sender", "is_active"}


def _address(value: Any) -> str:
    address = text(value, "address", max_length=254).lower()
    try:
        validate_email(address)
    except DjangoValidationError:
        raise ValidationFailed({"address": _("Enter a valid e-mail address.")},
                               code="invalid_email") from None
    return address


def _mailbox_values(organization: Organization, values: Mapping[str, Any],
                    current: Mailbox | None) -> dict[str, Any]:
    merged = {name: getattr(current, name) for name in MAILBOX_FIELDS} if current else {}
    merged.update(values)
    checked: dict[str, Any] = {}
    errors: dict[str, str] = {}
    try:
        checked["address"] = _address(merged.get("address"))
    except ValidationFailed as error:
        errors.update(error.fields)
    department: Department | None = merged.get("department")
    if department is None or not department.is_active or not department.serves(organization):
        errors["department"] = _("This department does not serve the organization.")
    checked["department"] = department
    checked["kind"] = merged.get("kind") or MailboxKind.INCIDENT
    if checked["kind"] not in MailboxKind.values:
        errors["kind"] = _("“%(value)s” is not a valid choice.") % {"value": checked["kind"]}
    checked["unknown_sender"] = merged.get("unknown_sender") or UnknownSender.HOLD
    if checked["unknown_sender"] not in UnknownSender.values:
        errors["unknown_sender"] = _("“%(value)s” is not a valid choice.") % {
            "value": checked["unknown_sender"]}
    category: Category | None = merged.get("default_category")
    if category is not None and department is not None and (
            category.department_id != department.pk or not category.is_active):
        errors["default_category"] = _("This category does not belong to the mailbox's "
                                       "department.")
    checked["default_category"] = category
    team: Team | None = merged.get("default_team")
    if team is not None and department is not None and (
            team.department_id != department.pk or not team.is_active):
        errors["default_team"] = _("This team does not belong to the mailbox's department.")
    checked["default_team"] = team
    checked["is_active"] = bool(merged.get("is_active", True))
    if errors:
        raise ValidationFailed(errors)
    taken = Mailbox.objects.filter(address=checked["address"])
    if current is not None:
        taken = taken.exclude(pk=current.pk)
    if taken.exists():
        raise _address_taken()
    return checked


def _address_taken() -> ValidationFailed:
    return ValidationFailed({"address": _("Another mailbox already uses this address.")},
                            code="duplicate_address")


def mailbox_create(*, actor: User, organization: Organization, address: str,
                   department: Department, kind: str = MailboxKind.INCIDENT,
                   default_category: Category | None = None, default_team: Team | None = None,
                   unknown_sender: str = UnknownSender.HOLD, is_active: bool = True,
                   channel: str = "web") -> Mailbox:
    """A mailbox of `organization`. Organization admins only (PermissionDenied).
    ValidationFailed names the field: an address that is invalid or taken (in any
    case), a department that does not serve the organization, a category or team of
    another department. Writes one audit event."""
    if not policies.can_manage_mailboxes(actor, organization):
        raise PermissionDenied()
    values = _mailbox_values(organization, {
        "address": address, "department": department, "kind": kind,
        "default_category": default_category, "default_team": default_team,
        "unknown_sender": unknown_sender, "is_active": is_active,
    }, None)
    try:
        with transaction.atomic():
            mailbox = Mailbox.objects.create(organization=organization, **values)
            core_services.audit(actor=actor, organization_id=organization.pk,
                                 action="mailbox.created", target=mailbox,
                                 changes={"address": [None, mailbox.address]}, channel=channel)
    except IntegrityError:
        raise _address_taken() from None
    return mailbox


def mailbox_update(*, actor: User, mailbox: Mailbox, changes: Mapping[str, Any],
                   channel: str = "web") -> Mailbox:
    """Change a mailbox; the same checks as `mailbox_create`. One audit event with
    the fields that changed, none when nothing did."""
    if not policies.can_manage_mailboxes(actor, mailbox.organization_id):
        raise PermissionDenied()
    unknown = sorted(set(changes) - MAILBOX_FIELDS)
    if unknown:
        raise ValidationFailed({name: _("Unknown field.") for name in unknown},
                               code="unknown_field")
    try:
        with transaction.atomic():
            locked = Mailbox.objects.select_for_update().get(pk=mailbox.pk)
            values = _mailbox_values(locked.organization, changes, locked)
            changed = core_services.apply_changes(locked, values)
            if changed:
                locked.save(update_fields=list(changed))
                core_services.audit(actor=actor, organization_id=locked.organization_id,
                                     action="mailbox.updated", target=locked,
                                     changes=changed, channel=channel)
    except IntegrityError:
        raise _address_taken() from None
    return locked
