"""`ingest` beyond the corpus: idempotency, all-or-nothing, transient failures, the
rate limit, threading by Message-ID, closed tickets, and the review of held mail."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import OperationalError
from django.utils import timezone

from atiende.core.models import AuditEvent, User
from atiende.errors import Conflict, NotFound
from atiende.mail import services
from atiende.mail.models import Direction, InboundMessage, InboundState, TicketMessageId
from atiende.mail.services import Action, TransientFailure
from atiende.tickets import attachments as ticket_attachments
from atiende.tickets import services as ticket_services
from atiende.tickets.models import Attachment, Comment, Event, Status, Ticket
from tests.mail.conftest import deliver, eml
from tests.tickets_attachments.conftest import stored_files

pytestmark = pytest.mark.django_db

SOPORTE = "soporte@cafemontana.example"


def _message(sender: str = "carla@cafemontana.example", subject: str = "Sin internet",
             message_id: str | None = "m-1@cafemontana.example", extra: str = "",
             body: str = "No hay internet en la sede norte.") -> bytes:
    lines = [f"From: {sender}", f"To: {SOPORTE}", f"Subject: {subject}"]
    if message_id:
        lines.append(f"Message-ID: <{message_id}>")
    lines += [line for line in extra.split("\n") if line]
    lines += ["Content-Type: text/plain; charset=utf-8", "", body, ""]
    return "\n".join(lines).encode()


def _counts() -> dict:
    return {"tickets": Ticket.objects.count(), "comments": Comment.objects.count(),
            "events": Event.objects.count(), "attachments": Attachment.objects.count(),
            "inbound": InboundMessage.objects.count(), "users": User.objects.count(),
            "thread": TicketMessageId.objects.count()}


# --- idempotency ----------------------------------------------------------------------


def test_the_same_message_delivered_twice_is_stored_once(world):
    # given
    mailbox = world.mailboxes[SOPORTE]
    first = services.ingest(mailbox=mailbox, raw=_message())
    before = _counts()

    # when
    second = services.ingest(mailbox=mailbox, raw=_message())

    # then
    assert (first.action, second.action) == (Action.CREATED, Action.DUPLICATE)
    assert _counts() == before


def test_one_message_to_two_mailboxes_is_taken_by_each(world):
    # given: Carla writes to both of Café Montaña's mailboxes at once
    raw = _message()

    # when
    one = services.ingest(mailbox=world.mailboxes[SOPORTE], raw=raw)
    other = services.ingest(mailbox=world.mailboxes["solicitudes@cafemontana.example"],
                            raw=raw)

    # then
    assert (one.action, other.action) == (Action.CREATED, Action.CREATED)
    assert (one.ticket.kind, other.ticket.kind) == ("incident", "service_request")


def test_a_duplicate_that_arrives_at_the_same_moment_is_still_stored_once(world, monkeypatch):
    # given: the second delivery passed the first check before the first committed
    mailbox = world.mailboxes[SOPORTE]
    services.ingest(mailbox=mailbox, raw=_message())
    before = _counts()
    answers = iter([False])
    real = services._received
    monkeypatch.setattr(services, "_received",
                        lambda box, key: next(answers, None) or real(box, key))

    # when
    outcome = services.ingest(mailbox=mailbox, raw=_message())

    # then: the unique constraint turned it away
    assert outcome.action == Action.DUPLICATE
    assert _counts() == before


# --- all or nothing -------------------------------------------------------------------


def test_a_crash_mid_ingest_leaves_nothing_but_the_quarantined_original(world, media,
                                                                         monkeypatch):
    # given: storing the second file fails, after the ticket and the first file exist
    real = ticket_attachments.attachment_add
    calls = []

    def failing(**kwargs):
        calls.append(kwargs["uploaded_file"].name)
        if len(calls) == 2:
            raise RuntimeError("disk on fire")
        return real(**kwargs)

    monkeypatch.setattr(ticket_attachments, "attachment_add", failing)
    raw = eml("path-separator-filenames.eml")
    before = _counts()

    # when
    outcome = deliver(world, "path-separator-filenames.eml")

    # then
    assert calls == ["informe.pdf", "notas.txt"]
    assert outcome.action == Action.QUARANTINED
    assert {k: v for k, v in _counts().items() if k != "inbound"} == {
        k: v for k, v in before.items() if k != "inbound"}
    assert stored_files(media) == []
    record = InboundMessage.objects.get()
    assert (record.state, record.reason) == (InboundState.QUARANTINED, "processing_failed")
    assert record.detail == "RuntimeError: disk on fire"
    assert bytes(record.raw) == raw
    assert record.ticket_id is None


def test_a_quarantined_message_is_recognised_when_delivered_again(world, monkeypatch):
    # given
    monkeypatch.setattr(services, "_process", lambda *args, **kwargs: 1 / 0)
    deliver(world, "new-plain-es.eml")
    monkeypatch.undo()

    # when
    again = deliver(world, "new-plain-es.eml")

    # then
    assert again.action == Action.DUPLICATE
    assert InboundMessage.objects.get().state == InboundState.QUARANTINED


def test_a_busy_database_stores_nothing_and_asks_to_try_again(world, monkeypatch):
    # given
    def locked(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(ticket_services, "ticket_create", locked)
    before = _counts()

    # when
    with pytest.raises(TransientFailure):
        deliver(world, "new-plain-es.eml")

    # then
    assert _counts() == before


def test_an_inactive_mailbox_takes_nothing(world):
    # given
    mailbox = world.mailboxes[SOPORTE]
    mailbox.is_active = False
    mailbox.save(update_fields=["is_active"])

    # when / then
    with pytest.raises(NotFound):
        services.ingest(mailbox=mailbox, raw=_message())
    assert InboundMessage.objects.count() == 0


@pytest.mark.parametrize(("raw", "reason"), [(b"", "empty"), (b" \r\n", "empty")])
def test_an_empty_message_is_refused(world, raw, reason):
    outcome = services.ingest(mailbox=world.mailboxes[SOPORTE], raw=raw)
    assert (outcome.action, outcome.reason) == (Action.REFUSED, reason)
    assert InboundMessage.objects.count() == 0


def test_a_message_over_the_limit_is_refused(world, settings):
    # given
    settings.MAIL_MAX_BYTES = 100

    # when
    outcome = services.ingest(mailbox=world.mailboxes[SOPORTE], raw=_message(body="x" * 200))

    # then
    assert (outcome.action, outcome.reason) == (Action.REFUSED, "too_large")
    assert InboundMessage.objects.count() == 0


# --- rate limit -----------------------------------------------------------------------


def test_a_sender_over_the_rate_limit_is_held_until_the_window_passes(world, settings):
    # given
    settings.MAIL_RATE_LIMIT, settings.MAIL_RATE_WINDOW_MINUTES = 3, 10
    mailbox = world.mailboxes[SOPORTE]
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        outcomes = [services.ingest(mailbox=mailbox, raw=_message(message_id=f"r{n}@x.example"))
                    for n in range(4)]
    # Diego is not Carla: his own limit
    with time_machine.travel(start, tick=False):
        diego = services.ingest(mailbox=mailbox, raw=_message(
            sender="diego@cafemontana.example", message_id="d1@x.example"))

    # when: eleven minutes later
    with time_machine.travel(start + dt.timedelta(minutes=11), tick=False):
        later = services.ingest(mailbox=mailbox, raw=_message(message_id="r9@x.example"))

    # then
    assert [o.action for o in outcomes] == [Action.CREATED] * 3 + [Action.HELD]
    assert outcomes[3].reason == "rate_limited"
    assert diego.action == Action.CREATED
    assert later.action == Action.CREATED


# --- threading ------------------------------------------------------------------------


def test_a_reply_to_the_message_that_opened_a_ticket_reaches_it(world):
    # given
    opened = deliver(world, "new-plain-es.eml")
    reply = _message(subject="Re: La impresora", message_id="r-1@cafemontana.example",
                     extra="In-Reply-To: <20251103100000.1a2b@cafemontana.example>",
                     body="Ya enciende, gracias.")

    # when
    outcome = services.ingest(mailbox=world.mailboxes[SOPORTE], raw=reply)

    # then
    assert (outcome.action, outcome.ticket.pk) == (Action.COMMENTED, opened.ticket.pk)
    assert TicketMessageId.objects.filter(ticket=opened.ticket).count() == 2


def test_outbound_message_ids_registered_later_thread_replies(world):
    # given: outbound mail (a later issue) registers the Message-ID it sent
    services.message_id_register(ticket=world.incident, message_id="<out-7@atiende.example>",
                                 direction=Direction.OUTBOUND)
    services.message_id_register(ticket=world.incident, message_id="out-7@atiende.example",
                                 direction=Direction.OUTBOUND)  # twice is harmless
    reply = _message(subject="Re: algo", message_id="r-2@cafemontana.example",
                     extra="References: <out-7@atiende.example>", body="Recibido.")

    # when
    outcome = services.ingest(mailbox=world.mailboxes[SOPORTE], raw=reply)

    # then
    assert (outcome.action, outcome.ticket.number) == (Action.COMMENTED, "INC-000001")
    assert TicketMessageId.objects.filter(message_id="out-7@atiende.example").count() == 1


def test_a_reply_to_a_closed_ticket_opens_a_new_one(world):
    # given
    ticket = world.incident
    ticket = ticket_services.ticket_transition(
        actor=world.ana, ticket=ticket, to_status=Status.RESOLVED, version=ticket.version,
        resolution_code="fixed", resolution_notes="Se cambió el fusor.")
    ticket_services.ticket_transition(actor=world.ana, ticket=ticket, to_status=Status.CLOSED,
                                      version=ticket.version)

    # when
    outcome = deliver(world, "reply-gmail-es.eml")

    # then
    assert outcome.action == Action.CREATED
    assert outcome.ticket.number != "INC-000001"
    assert outcome.ticket.title == "La impresora del piso 3 no imprime"
    assert world.incident.comments.count() == 0


def test_an_agent_of_another_organization_never_reaches_the_ticket(world):
    # given: Óscar (Clínica Norte) writes to Café Montaña with Carla's ticket tag
    raw = _message(sender="oscar@clinicanorte.example", message_id="o-1@clinicanorte.example",
                   subject="Re: [INC-000001] La impresora del piso 3 no imprime")

    # when
    outcome = services.ingest(mailbox=world.mailboxes[SOPORTE], raw=raw)

    # then
    assert (outcome.action, outcome.reason) == (Action.HELD, "sender_other_organization")
    assert world.incident.comments.count() == 0


def test_another_organizations_requester_cannot_read_a_ticket_through_its_tag(world):
    # given
    deliver(world, "cross-org-tag.eml")

    # then: Rita's new ticket is Clínica Norte's; Carla's incident knows nothing of it
    rita_ticket = Ticket.objects.get(requester=world.rita)
    assert rita_ticket.organization.slug == "clinica-norte"
    assert world.incident.comments.count() == 0
    assert list(world.incident.watchers.all()) == [world.diego]
    assert not Event.objects.filter(ticket=world.incident).exclude(kind="created").exists()


# --- review ---------------------------------------------------------------------------


def test_an_admin_retries_a_held_unknown_sender_and_the_requester_is_created(world):
    # given
    held = deliver(world, "unknown-sender-hold.eml")

    # when
    outcome = services.inbound_retry(actor=world.admin_other_org, message=held.message)

    # then
    assert outcome.action == Action.CREATED
    record = InboundMessage.objects.get(pk=held.message.pk)
    assert (record.state, record.ticket_id, record.attempts) == (
        InboundState.PROCESSED, outcome.ticket.pk, 2)
    assert (record.reviewed_by_id, record.reviewed_at is not None) == (
        world.admin_other_org.pk, True)
    assert outcome.ticket.requester.email == "alguien@desconocido.example"
    audit = AuditEvent.objects.get(action="mail.retried")
    assert (audit.actor_id, audit.target_id, audit.changes) == (
        world.admin_other_org.pk, record.pk, {"state": ["held", "processed"]})


def test_a_retried_spoofed_reply_goes_on_the_ticket_as_the_admin_decided(world):
    # given
    held = deliver(world, "spoofed-requester.eml")
    assert world.incident.comments.count() == 0

    # when
    outcome = services.inbound_retry(actor=world.admin, message=held.message)

    # then
    assert (outcome.action, outcome.ticket.pk) == (Action.COMMENTED, world.incident.pk)


def test_a_retry_that_fails_again_stays_quarantined_with_the_new_reason(world, monkeypatch):
    # given
    monkeypatch.setattr(services, "_process", lambda *args, **kwargs: 1 / 0)
    quarantined = deliver(world, "new-plain-es.eml")

    # when
    outcome = services.inbound_retry(actor=world.admin, message=quarantined.message)

    # then
    record = InboundMessage.objects.get()
    assert outcome.action == Action.QUARANTINED
    assert (record.state, record.attempts) == (InboundState.QUARANTINED, 2)
    assert record.detail == "ZeroDivisionError: division by zero"
    assert Ticket.objects.count() == 1


def test_discarding_drops_the_original_but_remembers_the_message(world):
    # given
    held = deliver(world, "unknown-sender-hold.eml")

    # when
    services.inbound_discard(actor=world.admin_other_org, message=held.message)
    again = deliver(world, "unknown-sender-hold.eml")

    # then
    record = InboundMessage.objects.get()
    assert (record.state, bytes(record.raw)) == (InboundState.DISCARDED, b"")
    assert again.action == Action.DUPLICATE
    assert AuditEvent.objects.filter(action="mail.discarded", target_id=record.pk).count() == 1
    with pytest.raises(Conflict):
        services.inbound_retry(actor=world.admin_other_org, message=record)


@pytest.mark.parametrize("actor", ["admin", "ana", "carla", "oscar"])
def test_only_the_mailboxes_organization_admins_review_its_mail(world, actor):
    # given: mail held in Clínica Norte's mailbox
    held = deliver(world, "unknown-sender-hold.eml")
    before = _counts()

    # when / then
    for review in (services.inbound_retry, services.inbound_discard):
        with pytest.raises(NotFound):
            review(actor=getattr(world, actor), message=held.message)
    assert _counts() == before
    assert InboundMessage.objects.get().state == InboundState.HELD
    assert not AuditEvent.objects.filter(action__startswith="mail.").exists()


def test_a_reply_sent_to_two_mailboxes_goes_on_the_ticket_once(world):
    # given: Carla's reply was addressed to both of Café Montaña's mailboxes
    raw = eml("reply-gmail-es.eml")
    first = services.ingest(mailbox=world.mailboxes[SOPORTE], raw=raw)

    # when
    second = services.ingest(mailbox=world.mailboxes["solicitudes@cafemontana.example"],
                             raw=raw)

    # then
    assert (first.action, second.action, second.reason) == (
        Action.COMMENTED, Action.IGNORED, "already_on_ticket")
    assert world.incident.comments.count() == 1
