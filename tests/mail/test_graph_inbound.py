"""Microsoft 365 shared mailboxes read through Microsoft Graph (against the strict local
double of tests/mail/graph_double.py): delta rounds, paging, throttling, tokens, and
messages marked or moved only once stored."""

from __future__ import annotations

import pytest

from atiende.mail import graph as graph_polling
from atiende.mail.models import InboundMessage, InboundState
from atiende.tickets.models import Ticket
from tests.mail.conftest import eml
from tests.mail.graph_support import connect, graph_double  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db


def _mime(number: int, sender: str = "carla@cafemontana.example",
          to: str = "soporte@cafemontana.example") -> bytes:
    return (f"From: Carla Rueda <{sender}>\r\nTo: {to}\r\n"
            f"Subject: Equipo {number} no enciende\r\n"
            f"Message-ID: <graph-{number}@cafemontana.example>\r\n"
            "Date: Thu, 06 Nov 2025 09:30:00 -0500\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\n"
            f"El equipo {number} no enciende desde esta mañana.\r\n").encode()


@pytest.fixture
def soporte(mailboxes, graph, requester_carla):
    mailbox = mailboxes["soporte@cafemontana.example"]
    connect(mailbox, graph)
    return mailbox


def test_a_first_round_pages_through_the_inbox_and_turns_new_mail_into_tickets(
        soporte, graph, monkeypatch):
    # given: three unread messages and one read before the mailbox was connected
    monkeypatch.setattr(graph_polling, "PAGE_SIZE", 2)
    unread = [graph.deliver(soporte.address, _mime(n)) for n in (1, 2, 3)]
    already_read = graph.deliver(soporte.address, _mime(4), is_read=True)
    # when
    result = graph_polling.poll_graph_mailbox(soporte)
    # then: every page was read, each unread message became a ticket and was marked read
    assert (result.seen, result.stored, result.skipped_read, result.completed, result.error) == (
        4, 3, 1, True, "")
    assert sorted(Ticket.objects.values_list("title", flat=True)) == [
        "Equipo 1 no enciende", "Equipo 2 no enciende", "Equipo 3 no enciende"]
    assert set(InboundMessage.objects.values_list("source", flat=True)) == {"graph"}
    assert [m.is_read for m in unread] == [True, True, True]
    assert already_read.is_read is True and already_read.folder == "inbox"
    assert InboundMessage.objects.filter(message_id="graph-4@cafemontana.example").count() == 0
    # and: three delta pages (2 + 2 items), the MIME of each new message, one token
    deltas = [r for r in graph.graph_requests("GET") if r.path.endswith("/delta")]
    assert len(deltas) == 2
    assert deltas[0].query == {"changeType": ["created"], "$select": [
        "id,isRead,internetMessageId,receivedDateTime,subject"]}
    assert set(deltas[1].query) == {"$skiptoken"}
    assert all(r.headers["prefer"] == "odata.maxpagesize=2" for r in deltas)
    assert len([r for r in graph.graph_requests("GET") if r.path.endswith("/$value")]) == 3
    assert graph.token_requests == 1
    soporte.refresh_from_db()
    assert "$deltatoken=" in soporte.graph_delta_link
    assert soporte.graph_polled_at is not None and soporte.graph_last_error == ""


def test_the_next_round_calls_the_stored_delta_link_and_sees_only_new_mail(soporte, graph):
    # given: a first round over one message
    graph.deliver(soporte.address, _mime(1))
    graph_polling.poll_graph_mailbox(soporte)
    graph.requests.clear()
    # when: a new message arrives and the next round runs
    graph.deliver(soporte.address, _mime(2))
    result = graph_polling.poll_graph_mailbox(soporte)
    # then: only the new one, asked through the delta link alone, with the cached token
    assert (result.seen, result.stored) == (1, 1)
    delta = [r for r in graph.graph_requests("GET") if r.path.endswith("/delta")]
    assert [set(r.query) for r in delta] == [{"$deltatoken"}]
    assert graph.token_requests == 1
    assert InboundMessage.objects.filter(state=InboundState.PROCESSED).count() == 2


def test_messages_are_moved_when_the_mailbox_says_so(soporte, graph):
    # given
    soporte.graph_after, soporte.graph_move_to = "move", "archive"
    soporte.save()
    message = graph.deliver(soporte.address, _mime(1))
    # when
    graph_polling.poll_graph_mailbox(soporte)
    # then
    assert (message.folder, message.is_read) == ("archive", False)
    moves = graph.graph_requests("POST")
    assert [r.path.rsplit("/", 1)[-1] for r in moves] == ["move"]
    assert moves[0].headers["content-type"] == "application/json"


def test_throttling_is_waited_out_as_graph_asks(soporte, graph):
    # given: Graph answers 429 twice, asking for 3 seconds
    graph.deliver(soporte.address, _mime(1))
    graph.throttle(2, retry_after=3)
    # when
    result = graph_polling.poll_graph_mailbox(soporte)
    # then
    assert graph.waits == [3.0, 3.0]
    assert (result.stored, result.completed, result.error) == (1, True, "")


def test_a_busy_graph_503_is_waited_out_too(soporte, graph):
    # given
    graph.deliver(soporte.address, _mime(1))
    graph.throttle(1, retry_after=2, status=503)
    # when
    result = graph_polling.poll_graph_mailbox(soporte)
    # then
    assert (graph.waits, result.stored, result.completed) == ([2.0], 1, True)


def test_a_long_throttle_ends_the_round_and_the_next_one_resumes_without_duplicates(
        soporte, graph):
    # given: a first round stored one message
    first = graph.deliver(soporte.address, _mime(1))
    graph_polling.poll_graph_mailbox(soporte)
    soporte.refresh_from_db()
    delta_link = soporte.graph_delta_link
    # when: Graph asks to wait two minutes
    graph.deliver(soporte.address, _mime(2))
    graph.throttle(1, retry_after=120)
    throttled = graph_polling.poll_graph_mailbox(soporte)
    # then: the round stopped, the delta link is kept, the reason is shown to admins
    soporte.refresh_from_db()
    assert (throttled.completed, graph.waits) == (False, [])
    assert "throttling" in soporte.graph_last_error
    assert soporte.graph_delta_link == delta_link
    # when: the next round runs
    resumed = graph_polling.poll_graph_mailbox(soporte)
    # then: the new message is taken, the old one never twice
    assert (resumed.stored, resumed.completed) == (1, True)
    assert InboundMessage.objects.count() == 2
    assert first.is_read


def test_a_message_refused_by_the_mailbox_stays_unread_in_the_inbox(mailboxes, graph):
    # given: the mailbox refuses unknown senders
    cerrado = mailboxes["cerrado@cafemontana.example"]
    connect(cerrado, graph)
    message = graph.deliver(cerrado.address, _mime(1, sender="nadie@desconocido.example",
                                                   to=cerrado.address))
    # when
    result = graph_polling.poll_graph_mailbox(cerrado)
    # then: not stored, so not touched
    assert (result.refused, result.stored, message.is_read) == (1, 0, False)
    assert not graph.graph_requests("PATCH")
    assert InboundMessage.objects.count() == 0


def test_the_same_message_delivered_twice_is_stored_once(soporte, graph):
    # given
    copies = [graph.deliver(soporte.address, eml("new-8bit-utf8-headers.eml")) for _ in (1, 2)]
    # when
    result = graph_polling.poll_graph_mailbox(soporte)
    # then: one ticket, both copies marked read (the second is a duplicate)
    assert (result.stored, result.duplicates) == (1, 1)
    assert InboundMessage.objects.count() == 1
    assert [c.is_read for c in copies] == [True, True]


def test_an_expired_token_is_renewed_once(soporte, graph):
    # given: a first round, then the token expires at Graph's side
    graph_polling.poll_graph_mailbox(soporte)
    graph.expire_tokens()
    graph.deliver(soporte.address, _mime(1))
    # when
    result = graph_polling.poll_graph_mailbox(soporte)
    # then
    assert (result.stored, result.error) == (1, "")
    assert graph.token_requests == 2


def test_a_refused_secret_stops_the_round_with_the_reason(soporte, graph):
    # given
    soporte.graph_client_secret = "not-the-secret"
    soporte.save()
    graph.deliver(soporte.address, _mime(1))
    # when
    result = graph_polling.poll_graph_mailbox(soporte)
    # then
    soporte.refresh_from_db()
    assert result.stored == 0 and not result.completed
    assert "invalid_client" in soporte.graph_last_error
    assert "AADSTS7000215" in soporte.graph_last_error
    assert InboundMessage.objects.count() == 0
    assert graph.graph_requests() == []


def test_without_write_permission_the_message_is_stored_and_the_reason_kept(
        soporte, graph):
    # given: the application may only read mail
    graph.apps.clear()
    from tests.mail.graph_support import CLIENT, SECRET, TENANT

    graph.add_app(TENANT, CLIENT, SECRET, permissions={"Mail.Read"})
    message = graph.deliver(soporte.address, _mime(1))
    # when
    result = graph_polling.poll_graph_mailbox(soporte)
    # then
    soporte.refresh_from_db()
    assert (result.stored, message.is_read) == (1, False)
    assert "ErrorAccessDenied" in soporte.graph_last_error
    assert result.completed


def test_an_unknown_mailbox_at_microsoft_is_reported(soporte, graph):
    # given: Graph does not know the address
    graph.mailboxes.clear()
    # when
    result = graph_polling.poll_graph_mailbox(soporte)
    # then
    assert "ErrorInvalidUser" in result.error


def test_inactive_or_unconnected_mailboxes_are_not_polled(mailboxes, graph):
    # given: one connected but inactive mailbox, the rest not connected
    solicitudes = mailboxes["solicitudes@cafemontana.example"]
    connect(solicitudes, graph, is_active=False)
    # when
    results = graph_polling.poll_graph_mailboxes()
    # then
    assert results == {}
    assert graph.requests == []


def test_the_poll_mail_command_reads_microsoft_365_mailboxes_too(soporte, graph):
    from io import StringIO

    from django.core.management import call_command

    graph.deliver(soporte.address, _mime(7))
    out = StringIO()

    call_command("poll-mail", "--mailbox", soporte.address.upper(), stdout=out)

    assert list(Ticket.objects.values_list("title", flat=True)) == ["Equipo 7 no enciende"]
    assert soporte.address in out.getvalue()
