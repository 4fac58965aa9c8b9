"""IMAP polling against a real IMAP server (Dovecot, started by each test on a loopback
port): mail delivered to the server's folder becomes tickets and replies through the
same ingest as the pipe; a message leaves the folder (or is flagged) only once stored."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone, translation
from django.utils.translation import gettext

from atiende.mail import imap
from atiende.mail.models import ImapAccount, ImapAfter, ImapSecurity, InboundMessage
from atiende.mail.services import Action
from atiende.mail.tasks import poll_imap_mailboxes
from atiende.tickets.models import Comment, Ticket
from tests.mail.conftest import eml, running_dovecot

pytestmark = pytest.mark.django_db

SOPORTE = "soporte@cafemontana.example"
AYUDA = "ayuda@clinicanorte.example"


def _account(world, dovecot, address: str = SOPORTE, **values) -> ImapAccount:
    return ImapAccount.objects.create(
        mailbox=world.mailboxes[address], host=dovecot.host, port=dovecot.port,
        security=ImapSecurity.NONE, username=address, secret=dovecot.users[address],
        after_target="Procesados", **values)


def _in_language(world, message: str, **values) -> str:
    """`message` as the mailbox's organization reads it."""
    with translation.override(world.mailboxes[SOPORTE].organization.language):
        return gettext(message) % values


def _poll(account: ImapAccount) -> imap.PollReport:
    account.refresh_from_db()
    return imap.poll_account(account)


def test_new_mail_in_the_folder_becomes_a_ticket_and_leaves_the_folder(world, dovecot):
    # given
    account = _account(world, dovecot)
    dovecot.append(SOPORTE, [eml("new-plain-es.eml")])

    # when
    report = _poll(account)

    # then
    assert (report.fetched, dict(report.actions), report.error) == (1, {"created": 1}, "")
    ticket = Ticket.objects.get(title="La impresora del piso 2 no enciende")
    assert (ticket.requester.email, ticket.channel) == ("carla@cafemontana.example", "email")
    assert InboundMessage.objects.get(ticket=ticket).source == "imap"
    assert dovecot.folder_uids(SOPORTE) == {}
    assert len(dovecot.folder_uids(SOPORTE, "Procesados")) == 1
    account.refresh_from_db()
    assert (account.last_error, account.last_uid) == ("", 1)
    assert account.last_success_at is not None and account.polling_until is None


def test_a_reply_becomes_a_public_comment_on_its_ticket(world, dovecot):
    # given
    account = _account(world, dovecot)
    dovecot.append(SOPORTE, [eml("reply-gmail-es.eml")])

    # when
    report = _poll(account)

    # then
    assert dict(report.actions) == {"commented": 1}
    comment = Comment.objects.get(ticket=world.incident)
    assert comment.author == world.carla
    assert "muestra el código E-27" in comment.body


def test_a_message_delivered_twice_is_stored_once_and_both_copies_leave(world, dovecot):
    # given: the same message twice in the folder, and once more after a first poll
    account = _account(world, dovecot)
    dovecot.append(SOPORTE, [eml("new-plain-es.eml"), eml("new-plain-es.eml")])
    first = _poll(account)
    dovecot.append(SOPORTE, [eml("new-plain-es.eml")])

    # when
    second = _poll(account)

    # then
    assert dict(first.actions) == {"created": 1, "duplicate": 1}
    assert dict(second.actions) == {"duplicate": 1}
    assert Ticket.objects.filter(title="La impresora del piso 2 no enciende").count() == 1
    assert dovecot.folder_uids(SOPORTE) == {}
    assert len(dovecot.folder_uids(SOPORTE, "Procesados")) == 3


@pytest.mark.parametrize(("after", "target", "flag"), [
    (ImapAfter.SEEN, "", "\\Seen"),
    (ImapAfter.KEYWORD, "atiende-procesado", "atiende-procesado"),
])
def test_a_stored_message_can_be_flagged_instead_of_moved(world, dovecot, after, target, flag):
    # given
    account = _account(world, dovecot, after=after)
    ImapAccount.objects.filter(pk=account.pk).update(after_target=target)
    dovecot.append(SOPORTE, [eml("new-plain-es.eml")])

    # when
    first = _poll(account)
    again = _poll(account)

    # then: flagged in place, and not taken again
    assert (first.fetched, again.fetched) == (1, 0)
    [flags] = dovecot.folder_uids(SOPORTE).values()
    assert flag in flags
    assert Ticket.objects.filter(title="La impresora del piso 2 no enciende").count() == 1


def test_a_crash_between_storing_and_moving_fetches_the_message_again_harmlessly(
        world, dovecot, monkeypatch):
    # given: the worker dies (here: the connection drops) right after the ticket is stored
    account = _account(world, dovecot)
    dovecot.append(SOPORTE, [eml("new-plain-es.eml"), eml("new-plain-en.eml")])
    real_mark = imap.Session.mark_processed

    def connection_lost(session, uids):
        raise OSError("connection reset by peer")

    monkeypatch.setattr(imap.Session, "mark_processed", connection_lost)
    crashed = _poll(account)
    tickets_after_crash = Ticket.objects.count()

    # when: the next poll
    monkeypatch.setattr(imap.Session, "mark_processed", real_mark)
    recovered = _poll(account)

    # then: both messages (fetched in one chunk) were stored once, and left the folder
    # the second time
    assert dict(crashed.actions) == {"created": 2}
    assert "connection reset by peer" in crashed.error
    assert len(dovecot.folder_uids(SOPORTE)) == 0
    assert dict(recovered.actions) == {"duplicate": 2}
    assert Ticket.objects.count() == tickets_after_crash
    assert len(dovecot.folder_uids(SOPORTE, "Procesados")) == 2
    account.refresh_from_db()
    assert account.last_error == ""


def test_a_message_that_cannot_be_processed_is_quarantined_and_does_not_block_the_rest(
        world, dovecot, monkeypatch):
    # given: processing the first message fails (a bug in a service)
    account = _account(world, dovecot)
    dovecot.append(SOPORTE, [eml("new-plain-es.eml"), eml("new-plain-en.eml")])
    from atiende.mail import services

    real_new_ticket = services._new_ticket
    calls = []

    def failing_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("the category tree is broken")
        return real_new_ticket(*args, **kwargs)

    monkeypatch.setattr(services, "_new_ticket", failing_once)

    # when
    report = _poll(account)

    # then
    assert dict(report.actions) == {"quarantined": 1, "created": 1}
    assert report.error == ""
    quarantined = InboundMessage.objects.get(state="quarantined")
    assert quarantined.subject == "La impresora del piso 2 no enciende"
    assert dovecot.folder_uids(SOPORTE) == {}


def test_a_refused_message_stays_in_the_folder_and_does_not_block_the_rest(world, dovecot):
    # given: the mailbox refuses unknown senders
    from atiende.mail.models import Mailbox, UnknownSender

    Mailbox.objects.filter(address=SOPORTE).update(unknown_sender=UnknownSender.REFUSE)
    account = _account(world, dovecot)
    dovecot.append(SOPORTE, [eml("unknown-sender-refuse.eml"), eml("new-plain-es.eml")])

    # when
    report = _poll(account)
    again = _poll(account)

    # then: left where a person sees it, and not fetched again
    assert dict(report.actions) == {Action.REFUSED: 1, "created": 1}
    assert again.fetched == 0
    assert list(dovecot.folder_uids(SOPORTE)) == [1]


def test_wrong_credentials_are_recorded_on_the_mailbox_in_its_language(world, dovecot):
    # given
    account = _account(world, dovecot)
    ImapAccount.objects.filter(pk=account.pk).update(secret="no-es-la-clave")
    dovecot.append(SOPORTE, [eml("new-plain-es.eml")])

    # when
    report = _poll(account)

    # then
    account.refresh_from_db()
    assert report.error == _in_language(
        world, "The server refused to sign in %(user)s: %(detail)s",
        user=SOPORTE, detail="[AUTHENTICATIONFAILED] Authentication failed.")
    assert account.last_error == report.error
    assert account.last_error_at is not None and account.last_success_at is None
    assert Ticket.objects.filter(title="La impresora del piso 2 no enciende").count() == 0
    assert len(dovecot.folder_uids(SOPORTE)) == 1


def test_a_server_that_does_not_answer_is_recorded_on_the_mailbox(world, dovecot):
    # given: nothing listens on that port any more
    account = _account(world, dovecot)
    dovecot.stop()

    # when
    report = _poll(account)

    # then
    account.refresh_from_db()
    assert report.error.startswith(_in_language(
        world, "Could not connect to %(host)s:%(port)s: %(detail)s",
        host=dovecot.host, port=dovecot.port, detail="")[:-1])
    assert account.last_error == report.error


def test_a_missing_folder_is_recorded_on_the_mailbox(world, dovecot):
    account = _account(world, dovecot, folder="No existe")

    report = _poll(account)

    assert report.error.startswith(_in_language(
        world, "The folder %(folder)s could not be opened: %(detail)s",
        folder="No existe", detail="")[:-1])


def test_a_reply_from_another_organization_never_reaches_the_ticket(world, dovecot):
    # given: Rita (Clínica Norte) answers Café Montaña's ticket, to each desk's mailbox
    soporte = _account(world, dovecot)
    ayuda = _account(world, dovecot, address=AYUDA)
    rita_to_cafe = (eml("cross-org-in-reply-to.eml")
                    .replace(b"To: ayuda@clinicanorte.example", f"To: {SOPORTE}".encode())
                    .replace(b"cross-org-irt-0019", b"cross-org-irt-0020"))
    dovecot.append(SOPORTE, [rita_to_cafe])
    dovecot.append(AYUDA, [eml("cross-org-in-reply-to.eml")])

    # when
    at_cafe = _poll(soporte)
    at_clinic = _poll(ayuda)

    # then: held at Café Montaña, a ticket of her own at Clínica Norte
    assert dict(at_cafe.actions) == {"held": 1}
    assert InboundMessage.objects.get(mailbox__address=SOPORTE).reason == (
        "sender_other_organization")
    assert dict(at_clinic.actions) == {"created": 1}
    assert not Comment.objects.filter(ticket=world.incident).exists()


def test_a_new_uidvalidity_looks_at_the_folder_again_without_storing_twice(world, dovecot):
    # given: polled once; then the server renumbers the folder
    account = _account(world, dovecot, after=ImapAfter.SEEN)
    ImapAccount.objects.filter(pk=account.pk).update(after_target="")
    dovecot.append(SOPORTE, [eml("new-plain-es.eml")])
    _poll(account)
    ImapAccount.objects.filter(pk=account.pk).update(uid_validity=1, last_uid=99)

    # when
    report = _poll(account)

    # then
    assert dict(report.actions) == {"duplicate": 1}
    account.refresh_from_db()
    assert account.last_uid == 1 and account.uid_validity != 1


def test_a_mailbox_being_polled_by_another_worker_is_skipped(world, dovecot):
    account = _account(world, dovecot)
    ImapAccount.objects.filter(pk=account.pk).update(
        polling_until=timezone.now() + timezone.timedelta(minutes=5))
    dovecot.append(SOPORTE, [eml("new-plain-es.eml")])

    report = _poll(account)

    assert report.skipped and report.fetched == 0
    assert len(dovecot.folder_uids(SOPORTE)) == 1


def test_the_periodic_job_polls_every_enabled_mailbox(world, dovecot):
    # given: two mailboxes, one of them with polling disabled
    _account(world, dovecot)
    _account(world, dovecot, address=AYUDA, is_enabled=False)
    dovecot.append(SOPORTE, [eml("new-plain-es.eml")])
    dovecot.append(AYUDA, [eml("cross-org-tag.eml")])

    # when
    fetched = poll_imap_mailboxes.call()

    # then
    assert fetched == 1
    assert len(dovecot.folder_uids(AYUDA)) == 1


def test_poll_mail_command_polls_one_mailbox_and_reports(world, dovecot):
    # given
    _account(world, dovecot)
    dovecot.append(SOPORTE, [eml("new-plain-es.eml")])
    out = io.StringIO()

    # when
    with translation.override("en"):
        call_command("poll-mail", "--mailbox", SOPORTE.upper(), stdout=out)

    # then
    assert out.getvalue().startswith(f"{SOPORTE}: 1 fetched (1 created)")


def test_poll_mail_command_fails_on_errors_and_unknown_mailboxes(world, dovecot):
    account = _account(world, dovecot)
    ImapAccount.objects.filter(pk=account.pk).update(secret="mala")
    errors = io.StringIO()

    with pytest.raises(CommandError) as failed:
        call_command("poll-mail", stderr=errors)
    with pytest.raises(CommandError) as unknown:
        call_command("poll-mail", "--mailbox", "nadie@cafemontana.example")

    assert failed.value.returncode == 1
    assert "AUTHENTICATIONFAILED" in errors.getvalue()
    assert unknown.value.returncode == 2


def test_folder_names_are_written_in_imaps_modified_utf7():
    # RFC 3501 §5.1.3's own example, and an ampersand
    assert imap.folder_name("~peter/mail/台北/日本語") == "~peter/mail/&U,BTFw-/&ZeVnLIqe-"
    assert imap.folder_name("Atención & Soporte") == "Atenci&APM-n &- Soporte"


def test_messages_are_moved_to_a_folder_with_accents(world, dovecot):
    # given
    account = _account(world, dovecot)
    ImapAccount.objects.filter(pk=account.pk).update(after_target="Atendidos por la mesa ñ")
    dovecot.append(SOPORTE, [eml("new-plain-es.eml")])

    # when
    report = _poll(account)

    # then
    assert (report.error, report.fetched) == ("", 1)
    assert len(dovecot.folder_uids(SOPORTE, imap.folder_name("Atendidos por la mesa ñ"))) == 1


def test_a_server_without_move_gets_copy_and_expunge(world, dovecot, monkeypatch):
    # given: a server that does not announce MOVE (nor UIDPLUS)
    account = _account(world, dovecot)
    dovecot.append(SOPORTE, [eml("new-plain-es.eml"), eml("new-plain-en.eml")])
    real_refresh = imap.Session._refresh_capabilities

    def older_server(session):
        real_refresh(session)
        session.capabilities -= {"MOVE", "UIDPLUS"}

    monkeypatch.setattr(imap.Session, "_refresh_capabilities", older_server)

    # when
    report = _poll(account)

    # then
    assert (report.error, report.fetched) == ("", 2)
    assert dovecot.folder_uids(SOPORTE) == {}
    assert len(dovecot.folder_uids(SOPORTE, "Procesados")) == 2


def test_many_messages_are_taken_in_batches_in_order(world, dovecot):
    # given: more messages than one poll takes
    account = _account(world, dovecot)
    dovecot.append(SOPORTE, [eml("new-plain-es.eml").replace(
        b"Message-ID: <", f"Message-ID: <lote-{number}-".encode()) for number in range(60)])

    # when
    first = imap.poll_account(account, batch=25)
    rest = [imap.poll_account(account, batch=25) for _ in range(3)]

    # then
    assert [first.fetched, *(report.fetched for report in rest)] == [25, 25, 10, 0]
    account.refresh_from_db()
    assert account.last_uid == 60


# --- TLS ---------------------------------------------------------------------------------


@pytest.fixture
def tls_dovecot():
    """A Dovecot that speaks TLS (implicit, and STARTTLS on the plain port) with a
    self-signed certificate for 127.0.0.1."""
    with running_dovecot({SOPORTE: "clave-soporte"}, tls=True) as server:
        yield server


def _tls_account_with_mail(world, server, security) -> ImapAccount:
    """Soporte's account on the TLS Dovecot, implicit TLS or STARTTLS, one message in."""
    account = ImapAccount.objects.create(
        mailbox=world.mailboxes[SOPORTE], host=server.host, security=security,
        port=server.tls_port if security == ImapSecurity.TLS else server.port,
        username=SOPORTE, secret="clave-soporte", after_target="Procesados")
    server.append(SOPORTE, [eml("new-plain-es.eml")])
    return account


@pytest.mark.parametrize("security", [ImapSecurity.TLS, ImapSecurity.STARTTLS])
def test_mail_is_fetched_over_tls_from_a_server_the_desk_trusts(world, tls_dovecot,
                                                                 monkeypatch, security):
    # given: the server's certificate is among those the desk trusts
    monkeypatch.setenv("SSL_CERT_FILE", str(tls_dovecot.certificate))
    account = _tls_account_with_mail(world, tls_dovecot, security)

    # when
    report = _poll(account)

    # then
    assert (report.error, dict(report.actions)) == ("", {"created": 1})


@pytest.mark.parametrize("security", [ImapSecurity.TLS, ImapSecurity.STARTTLS])
def test_a_certificate_nobody_vouches_for_is_refused_and_recorded(world, tls_dovecot,
                                                                  security):
    # given: a self-signed certificate the desk has no reason to trust
    account = _tls_account_with_mail(world, tls_dovecot, security)

    # when
    report = _poll(account)

    # then: nothing was sent in the clear, nothing fetched, and the reason is on the mailbox
    assert report.fetched == 0
    assert "CERTIFICATE_VERIFY_FAILED" in report.error
    assert report.error.startswith(_in_language(
        world, "The secure connection to %(host)s:%(port)s failed: %(detail)s",
        host=tls_dovecot.host, port=account.port, detail="")[:-1])
    account.refresh_from_db()
    assert account.last_error == report.error
