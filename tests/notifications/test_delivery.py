"""E-mail notifications received by a real SMTP server (aiosmtpd, started by the
tests): headers, threading, parts, language, retries, and what never leaves."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from atiende.mail import services as mail_services
from atiende.notifications import delivery
from atiende.notifications.models import Notification, NotificationTemplate
from atiende.tickets import outbox
from atiende.tickets import services as ticket_services
from atiende.tickets.models import Comment, Kind, ResolutionCode, Status, Ticket, Visibility
from tests.notifications.conftest import to

pytestmark = pytest.mark.django_db


def subject(message) -> str:
    """The subject as a reader sees it (a long one is folded after "Subject:", and
    Python's parser keeps the fold's space)."""
    return str(message["Subject"]).strip()


def _parts(message) -> dict[str, str]:
    return {part.get_content_type(): part.get_content() for part in message.walk()
            if not part.is_multipart()}


def test_the_acknowledgment_arrives_threaded_tagged_and_in_the_requesters_language(
        smtp, soporte, deliver, incident, requester_carla):
    # when: the outbox delivers the new ticket's event
    with deliver():
        outbox.dispatch()
    # then: one message, to Carla only, from the desk's mailbox
    assert [(item.mail_from, item.rcpt_tos) for item in smtp.messages] == [
        ("soporte@cafemontana.example", ["carla@cafemontana.example"])]
    message = smtp.messages[0].message
    notification = Notification.objects.get(channel="email")
    assert subject(message) == ("[INC-000001] Recibimos su solicitud: La impresora del piso "
                                  "3 no imprime")
    assert message["From"] == "Café Montaña · Tecnología <soporte@cafemontana.example>"
    assert message["Reply-To"] == message["From"]
    assert message["To"] == "Carla Rueda <carla@cafemontana.example>"
    assert message["Message-ID"] == notification.message_id
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["In-Reply-To"] is None  # nothing earlier on this ticket
    assert message.get_content_type() == "multipart/alternative"
    parts = _parts(message)
    assert "Registramos su caso INC-000001" in parts["text/plain"]
    assert "https://atiende.example/tickets/INC-000001/" in parts["text/plain"]
    assert "Registramos su caso INC-000001" in parts["text/html"]
    assert 'href="https://atiende.example/tickets/INC-000001/"' in parts["text/html"]
    # and the delivery is recorded
    assert (notification.state, notification.attempts, notification.last_error) == ("sent", 1, "")
    assert notification.sent_at is not None


def test_replies_thread_both_ways(smtp, soporte, deliver, incident, agent_ana,
                                  requester_carla):
    # given: the acknowledgment went out
    with deliver():
        outbox.dispatch()
    acknowledgment = smtp.messages[0].message["Message-ID"]
    # when: Ana answers publicly
    with deliver():
        ticket_services.comment_add(actor=agent_ana, ticket=incident, body="<p>Voy en camino</p>")
    # then: her reply answers the acknowledgment
    reply = to(smtp, "carla@cafemontana.example")[-1]
    assert subject(reply) == "[INC-000001] Nueva respuesta: La impresora del piso 3 no imprime"
    assert reply["In-Reply-To"] == acknowledgment
    assert reply["References"] == acknowledgment
    assert "Voy en camino" in _parts(reply)["text/plain"]
    # when: Carla answers that message from her mail program, without the subject's tag
    raw = (f"From: Carla Rueda <carla@cafemontana.example>\r\n"
           f"To: soporte@cafemontana.example\r\nSubject: Re: Nueva respuesta\r\n"
           f"Message-ID: <respuesta-carla@cafemontana.example>\r\n"
           f"In-Reply-To: {reply['Message-ID']}\r\nReferences: {reply['References']} "
           f"{reply['Message-ID']}\r\nDate: Tue, 24 Nov 2026 09:00:00 -0500\r\n\r\n"
           f"Gracias, ya imprime.\r\n").encode()
    outcome = mail_services.ingest(mailbox=soporte, raw=raw)
    # then: it lands on the ticket as her public reply
    assert (outcome.action, outcome.ticket.pk) == ("commented", incident.pk)
    assert Comment.objects.filter(ticket=incident, author=requester_carla).count() == 1


def test_each_person_reads_in_their_own_language(smtp, soporte, deliver, incident, agent_ana,
                                                 requester_diego):
    # given: Diego reads English and watches the ticket
    requester_diego.language = "en"
    requester_diego.save(update_fields=["language"])
    ticket_services.watcher_add(actor=agent_ana, ticket=incident, user=requester_diego)
    # when
    with deliver():
        ticket_services.comment_add(actor=agent_ana, ticket=incident, body="<p>On my way</p>")
    # then
    [english] = to(smtp, "diego@cafemontana.example")
    assert subject(english) == "[INC-000001] New reply: La impresora del piso 3 no imprime"
    assert "Ana Gómez replied on INC-000001" in _parts(english)["text/plain"]
    assert "Open INC-000001" in _parts(english)["text/html"]
    [spanish] = [m for m in to(smtp, "carla@cafemontana.example")
                 if "Nueva respuesta" in subject(m)]
    assert "Ana Gómez respondió en INC-000001" in _parts(spanish)["text/plain"]


def test_an_internal_note_never_reaches_the_requester(smtp, soporte, deliver, incident,
                                                      agent_ana, agent_nico):
    with deliver():
        outbox.dispatch()
    smtp.messages.clear()
    # when
    with deliver():
        ticket_services.comment_add(actor=agent_ana, ticket=incident,
                                    visibility=Visibility.INTERNAL,
                                    body="<p>@nico@cafemontana.example la clave es 1234</p>")
    # then
    assert [item.rcpt_tos for item in smtp.messages] == [["nico@cafemontana.example"]]
    assert "la clave es 1234" in _parts(smtp.messages[0].message)["text/plain"]


def test_an_agent_answering_a_mention_by_e_mail_writes_an_internal_note(
        smtp, soporte, deliver, incident, agent_ana, agent_nico):
    # given: Nico is mentioned in an internal note, and receives it
    with deliver():
        outbox.dispatch()
        ticket_services.comment_add(actor=agent_ana, ticket=incident,
                                    visibility=Visibility.INTERNAL,
                                    body="<p>@nico@cafemontana.example ¿revisas el tóner?</p>")
    [mention] = to(smtp, "nico@cafemontana.example")
    smtp.messages.clear()
    # when: he answers it from his mail program
    raw = (f"From: Nico <nico@cafemontana.example>\r\nTo: soporte@cafemontana.example\r\n"
           f"Subject: Re: {mention['Subject']}\r\n"
           f"Message-ID: <respuesta-nico@cafemontana.example>\r\n"
           f"In-Reply-To: {mention['Message-ID']}\r\n"
           f"Date: Tue, 24 Nov 2026 09:00:00 -0500\r\n\r\nYa lo cambié, era el tóner.\r\n"
           ).encode()
    with deliver():
        outcome = mail_services.ingest(mailbox=soporte, raw=raw)
    # then: his answer is an internal note, and the requester hears nothing of it
    assert outcome.action == "commented"
    assert outcome.comment.visibility == Visibility.INTERNAL
    assert to(smtp, "carla@cafemontana.example") == []


def test_another_organizations_people_receive_nothing(
        smtp, soporte, deliver, org_other, other_it, agent_other_org, requester_other_org,
        admin_other_org, agent_ana, requester_carla, org_cafe, it):
    # when: work happens on Café Montaña's ticket
    with deliver():
        ticket = ticket_services.ticket_create(
            actor=agent_ana, kind=Kind.INCIDENT, title="Sin red", organization=org_cafe,
            department=it, requester=requester_carla, assignee=agent_ana)
        ticket_services.comment_add(actor=agent_ana, ticket=ticket, body="<p>@Óscar Pineda</p>",
                                    visibility=Visibility.INTERNAL)
    # then: nothing for Clínica Norte
    received = {address for item in smtp.messages for address in item.rcpt_tos}
    assert received == {"carla@cafemontana.example"}


def test_header_injection_is_impossible_and_user_text_is_never_template(
        smtp, soporte, deliver, incident, agent_ana):
    # given: a title with line breaks and template syntax (as a mail import might store)
    Ticket.objects.filter(pk=incident.pk).update(
        title="Falla\r\nBcc: intruso@evil.example\r\n\r\n{{ link }} {% if 1 %}x{% endif %}")
    # when
    with deliver():
        outbox.dispatch()
    # then: one recipient, the subject on one line, no added header
    [item] = smtp.messages
    assert item.rcpt_tos == ["carla@cafemontana.example"]
    message = item.message
    assert message["Bcc"] is None
    assert subject(message) == ("[INC-000001] Recibimos su solicitud: Falla Bcc: "
                                  "intruso@evil.example {{ link }} {% if 1 %}x{% endif %}")
    assert "{{ link }} {% if 1 %}x{% endif %}" in _parts(message)["text/plain"]


def test_a_resolution_says_how_long_it_may_be_reopened(smtp, soporte, deliver, incident,
                                                       agent_ana):
    # given: Café Montaña's IT keeps resolved tickets open to a reopen for 5 days
    from atiende.tickets.models import DeskSettings

    DeskSettings.objects.create(department=incident.department, reopen_window_days=5)
    # when
    with deliver():
        ticket_services.ticket_transition(
            actor=agent_ana, ticket=incident, to_status=Status.RESOLVED,
            version=incident.version, resolution_code=ResolutionCode.FIXED,
            resolution_notes="<p>Cambié el <b>tóner</b></p>")
    # then
    resolved = [m for m in smtp.messages if subject(m.message).startswith(
        "[INC-000001] Resuelto")]
    text = _parts(resolved[0].message)["text/plain"]
    assert "Cambié el tóner" in text
    assert "en los próximos 5 días" in text


def test_the_organizations_own_template_is_used(smtp, soporte, deliver, incident, org_cafe):
    # given
    NotificationTemplate.objects.create(
        organization=org_cafe, kind="ticket_created", language="es",
        subject="Caso {{ number }} abierto",
        body="Estimada {{ recipient_name }}: {% if title %}«{{ title }}»{% endif %} "
             "{{ settings }}{{ ticket }}.")
    # when
    with deliver():
        outbox.dispatch()
    # then: unknown names print nothing
    message = smtp.messages[0].message
    assert subject(message) == "[INC-000001] Caso INC-000001 abierto"
    assert _parts(message)["text/plain"].startswith(
        "Estimada Carla Rueda: «La impresora del piso 3 no imprime» .")


def test_a_failed_delivery_is_retried_with_backoff_and_stays_visible(
        smtp, soporte, deliver, incident):
    # given: the mail server refuses for now
    smtp.fail = True
    with time_machine.travel(dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC), tick=False):
        with deliver():
            outbox.dispatch()
        notification = Notification.objects.get(channel="email")
        # then: queued again, one minute later, with the error
        assert (notification.state, notification.attempts) == ("queued", 1)
        assert notification.next_attempt_at == timezone.now() + dt.timedelta(minutes=1)
        assert "451" in notification.last_error
        # and not sent before its time
        assert delivery.deliver(notification.pk) is None
    # when: the server is back and the time has come
    smtp.fail = False
    with time_machine.travel(dt.datetime(2026, 11, 24, 9, 2, tzinfo=dt.UTC), tick=False):
        assert delivery.deliver_due() == 1
        # a second run of its task sends nothing more
        assert delivery.deliver(notification.pk) is None
    notification.refresh_from_db()
    assert (notification.state, notification.attempts, notification.last_error) == ("sent", 2, "")
    assert len(smtp.messages) == 1


def test_delivery_gives_up_after_the_last_attempt(smtp, soporte, incident):
    # given
    smtp.fail = True
    outbox.dispatch()
    notification = Notification.objects.get(channel="email")
    # when: every attempt fails
    for _ in range(delivery.MAX_ATTEMPTS):
        Notification.objects.filter(pk=notification.pk).update(next_attempt_at=None)
        delivery.deliver(notification.pk)
    # then
    notification.refresh_from_db()
    assert (notification.state, notification.attempts) == ("failed", delivery.MAX_ATTEMPTS)
    assert notification.next_attempt_at is None and "451" in notification.last_error


def test_someone_who_lost_sight_of_the_ticket_is_skipped(smtp, soporte, incident, agent_ana,
                                                         agent_nico):
    # given: Nico is mentioned, then leaves the department before the e-mail goes
    ticket_services.comment_add(actor=agent_ana, ticket=incident, visibility=Visibility.INTERNAL,
                                body="<p>@Nicolás Vega</p>")
    outbox.dispatch()
    agent_nico.memberships.all().delete()
    mention = Notification.objects.get(channel="email", recipient=agent_nico)
    # when
    state = delivery.deliver(mention.pk)
    # then
    assert state == "skipped"
    assert to(smtp, "nico@cafemontana.example") == []


def test_without_a_mailbox_the_default_sender_is_used(smtp, settings, incident):
    settings.DEFAULT_FROM_EMAIL = "Mesa de ayuda <mesa@nubeandina.example>"
    outbox.dispatch()
    delivery.deliver_due()
    [item] = smtp.messages
    assert item.mail_from == "mesa@nubeandina.example"
    assert item.message["From"] == "Mesa de ayuda <mesa@nubeandina.example>"
    assert item.message["Message-ID"].endswith("@nubeandina.example>")


def test_a_stored_template_that_does_not_parse_falls_back_to_the_shipped_one(
        smtp, soporte, deliver, incident, org_cafe):
    # given: a row written around the editor's checks
    NotificationTemplate.objects.create(organization=org_cafe, kind="ticket_created",
                                        language="es", subject="{{ _secret }}", body="{% x %}")
    # when
    with deliver():
        outbox.dispatch()
    # then
    assert subject(smtp.messages[0].message).startswith("[INC-000001] Recibimos su solicitud")
