"""A real SMTP server (aiosmtpd) on a free loopback port, Django's SMTP backend
pointed at it, and Café Montaña's support mailbox (the desk's sender address).

| fixture   | what                                                                  |
|-----------|-----------------------------------------------------------------------|
| smtp      | the server; `.messages` are the received messages (parsed), `.fail`   |
|           | makes it answer 451 to every DATA                                     |
| soporte   | soporte@cafemontana.example, Café Montaña's IT mailbox                |
| deliver   | runs what commits schedule (the outbox dispatch, the delivery tasks)  |
"""

from __future__ import annotations

import email
import email.policy
import socket
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller

from atiende.mail.models import Mailbox, MailboxKind, UnknownSender
from atiende.tickets import outbox


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: email.message.EmailMessage


@dataclass
class _Handler:
    messages: list[Received] = field(default_factory=list)
    fail: bool = False

    async def handle_DATA(self, server, session, envelope):
        if self.fail:
            return "451 4.3.0 Try again later"
        parsed = email.message_from_bytes(envelope.original_content or envelope.content,
                                          policy=email.policy.default)
        self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 2.0.0 OK"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(settings):
    handler = _Handler()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 10
    settings.SITE_URL = "https://atiende.example"
    try:
        yield handler
    finally:
        controller.stop()


def to(handler: _Handler, address: str) -> list[email.message.EmailMessage]:
    return [item.message for item in handler.messages if address in item.rcpt_tos]


@pytest.fixture
def soporte(org_cafe, it) -> Mailbox:
    return Mailbox.objects.create(address="soporte@cafemontana.example", organization=org_cafe,
                                  department=it, kind=MailboxKind.INCIDENT,
                                  unknown_sender=UnknownSender.CREATE)


@pytest.fixture
def deliver(django_capture_on_commit_callbacks):
    """`with deliver():` runs, at the end of the block, the outbox dispatch and what it
    scheduled (the immediate task backend runs the delivery tasks at once). The test's
    transaction never commits, so the dispatch a service schedules may already sit in
    the pending callbacks of an earlier block: it is run here explicitly."""

    @contextmanager
    def run():
        with django_capture_on_commit_callbacks(execute=True):
            yield
            outbox.dispatch()

    return run
