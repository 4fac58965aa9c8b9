"""`atiende ingest-mail --mailbox ADDRESS < message.eml`, as Postfix or Exim call it:
the exit status (sysexits.h) and the line the mail server logs."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest

from atiende import cli
from atiende.mail import pipe, services
from atiende.mail.models import InboundMessage
from atiende.tickets.models import Ticket
from tests.mail.conftest import eml

pytestmark = pytest.mark.django_db


def _run(monkeypatch, capsys, arguments: list[str], raw: bytes) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
    status = cli.main(["ingest-mail", *arguments])
    captured = capsys.readouterr()
    return status, captured.out.strip(), captured.err.strip()


@pytest.mark.parametrize(("name", "mailbox", "status", "says"), [
    ("new-plain-es.eml", "soporte@cafemontana.example", 0, "INC-000002"),
    ("reply-gmail-es.eml", "SOPORTE@CafeMontana.example", 0, "INC-000001"),
    ("unknown-sender-hold.eml", "ayuda@clinicanorte.example", 0, ""),
    ("dsn-bounce.eml", "soporte@cafemontana.example", 0, ""),
    ("no-sender.eml", "soporte@cafemontana.example", 0, ""),
    ("unknown-sender-refuse.eml", "cerrado@cafemontana.example", 77, ""),
    ("new-plain-es.eml", "nadie@cafemontana.example", 67, "nadie@cafemontana.example"),
])
def test_the_exit_status_tells_the_mail_server_what_to_do(world, monkeypatch, capsys, name,
                                                        mailbox, status, says):
    # when
    code, out, err = _run(monkeypatch, capsys, ["--mailbox", mailbox], eml(name))

    # then
    assert code == status
    line = out if status == 0 else err
    assert line and says in line
    assert (out == "") == (status != 0)


def test_the_second_delivery_is_stored_once_and_still_succeeds(world, monkeypatch, capsys):
    # given
    _run(monkeypatch, capsys, ["--mailbox", "soporte@cafemontana.example"],
         eml("new-plain-es.eml"))

    # when
    code, out, _err = _run(monkeypatch, capsys, ["--mailbox", "soporte@cafemontana.example"],
                           eml("new-plain-es.eml"))

    # then
    assert code == 0 and out
    assert Ticket.objects.count() == 2  # INC-000001 and the one ticket of this message
    assert InboundMessage.objects.count() == 1


def test_an_empty_message_is_refused_as_bad_data(world, monkeypatch, capsys):
    code, out, err = _run(monkeypatch, capsys, ["--mailbox", "soporte@cafemontana.example"], b"")
    assert (code, out) == (pipe.EX_DATAERR, "")
    assert err


def test_a_busy_database_asks_the_mail_server_to_try_again(world, monkeypatch, capsys):
    # given
    def busy(**kwargs):
        raise services.TransientFailure("database is locked")

    monkeypatch.setattr(pipe, "ingest", busy)

    # when
    code, out, err = _run(monkeypatch, capsys, ["--mailbox", "soporte@cafemontana.example"],
                          eml("new-plain-es.eml"))

    # then
    assert (code, out) == (pipe.EX_TEMPFAIL, "")
    assert "database is locked" in err
    assert InboundMessage.objects.count() == 0


def test_an_unexpected_failure_keeps_the_message_at_the_mail_server(world, monkeypatch, capsys):
    # given
    def broken(address, raw, **kwargs):
        raise RuntimeError("settings broken")

    monkeypatch.setattr(pipe, "deliver", broken)

    # when
    code, _out, err = _run(monkeypatch, capsys, ["--mailbox", "soporte@cafemontana.example"],
                           eml("new-plain-es.eml"))

    # then
    assert code == pipe.EX_TEMPFAIL
    assert "settings broken" in err


def test_wrong_arguments_are_a_usage_error():
    # when: a real process, as the mail server starts it
    finished = subprocess.run([sys.executable, "-m", "atiende.cli", "ingest-mail"],
                              input=b"", capture_output=True, timeout=60)

    # then
    assert finished.returncode == pipe.EX_USAGE
    assert b"--mailbox" in finished.stderr
