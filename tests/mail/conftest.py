"""The mail desk of Café Montaña and Clínica Norte, and Carla's incident INC-000001
already threaded: the desk's notification for it went out as
<INC-000001.a1b2c3@atiende.example>, and Carla's first message was
<inc1-origen@cafemontana.example>. Diego watches it.

| mailbox                         | organization  | department | kind            | unknown |
|---------------------------------|---------------|------------|-----------------|---------|
| soporte@cafemontana.example     | Café Montaña  | Tecnología | incident        | create  |
| solicitudes@cafemontana.example | Café Montaña  | Tecnología | service request | hold    |
| cerrado@cafemontana.example     | Café Montaña  | Tecnología | incident        | refuse  |
| ayuda@clinicanorte.example      | Clínica Norte | Sistemas   | incident        | hold    |
"""

from __future__ import annotations

import contextlib
import tomllib
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from atiende.mail import services
from atiende.mail.models import Direction, Mailbox, MailboxKind, UnknownSender
from tests.browser.conftest import browser, new_page  # noqa: F401 (the browser tests' fixtures)
from tests.tickets_attachments.conftest import media  # noqa: F401 (files in the test's folder)

CORPUS = Path(__file__).resolve().parent / "corpus"
EXPECTED = tomllib.loads((CORPUS / "expected.toml").read_text(encoding="utf-8"))


def eml(name: str) -> bytes:
    return (CORPUS / name).read_bytes()


@pytest.fixture
def mailboxes(org_cafe, it, org_other, other_it) -> dict[str, Mailbox]:
    rows = [
        ("soporte@cafemontana.example", org_cafe, it, MailboxKind.INCIDENT,
         UnknownSender.CREATE),
        ("solicitudes@cafemontana.example", org_cafe, it, MailboxKind.SERVICE_REQUEST,
         UnknownSender.HOLD),
        ("cerrado@cafemontana.example", org_cafe, it, MailboxKind.INCIDENT,
         UnknownSender.REFUSE),
        ("ayuda@clinicanorte.example", org_other, other_it, MailboxKind.INCIDENT,
         UnknownSender.HOLD),
    ]
    return {
        address: Mailbox.objects.create(address=address, organization=organization,
                                        department=department, kind=kind,
                                        unknown_sender=unknown)
        for address, organization, department, kind, unknown in rows
    }


@pytest.fixture
def world(mailboxes, incident, requester_carla, requester_diego, agent_ana,
          agent_bruno_other_department, requester_other_org, agent_other_org, admin,
          admin_other_org):
    services.message_id_register(ticket=incident, message_id="inc1-origen@cafemontana.example")
    services.message_id_register(ticket=incident, message_id="INC-000001.a1b2c3@atiende.example",
                                 direction=Direction.OUTBOUND)
    incident.watchers.add(requester_diego)
    return SimpleNamespace(
        mailboxes=mailboxes, incident=incident, carla=requester_carla, diego=requester_diego,
        ana=agent_ana, bruno=agent_bruno_other_department, rita=requester_other_org,
        oscar=agent_other_org, admin=admin, admin_other_org=admin_other_org,
    )


def deliver(world, name: str, mailbox: str | None = None):
    """Ingest corpus file `name` into `mailbox` (its expected mailbox by default)."""
    address = mailbox or EXPECTED[name]["mailbox"]
    return services.ingest(mailbox=world.mailboxes[address], raw=eml(name))


# --- a real IMAP server (Dovecot) --------------------------------------------------------

# Why the IMAP tests did not run here, reported at the end of the run (never silent).
IMAP_NOT_RUN: list[str] = []


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    if IMAP_NOT_RUN:
        terminalreporter.section("IMAP TESTS NOT RUN", sep="!", red=True, bold=True)
        terminalreporter.write_line(
            f"{len(IMAP_NOT_RUN)} tests against a real IMAP server were skipped: "
            f"{IMAP_NOT_RUN[0]}", red=True, bold=True)
        terminalreporter.write_line("Install Debian's dovecot-imapd (`make system-packages` "
                                    "as root) to run them.", red=True)


@contextlib.contextmanager
def running_dovecot(users: dict[str, str], **options) -> Iterator:
    """A Dovecot of this test's own on a loopback port with `users` (address: password)
    and Dovecot.start's `options`. Skips, loudly, where Dovecot is not installed or will
    not start."""
    import shutil
    import tempfile

    from tests.mail.dovecot import Dovecot, DovecotUnavailable

    # Not under pytest's tmp_path: its folders are private to root, and Dovecot reads
    # the mail as an unprivileged user.
    folder = Path(tempfile.mkdtemp(prefix="atiende-dovecot-"))
    folder.chmod(0o755)
    try:
        server = Dovecot.start(folder / "server", users, **options)
    except DovecotUnavailable as reason:
        shutil.rmtree(folder, ignore_errors=True)
        IMAP_NOT_RUN.append(str(reason))
        pytest.skip(f"IMAP TESTS NOT RUN: {reason}")
    yield server
    server.stop()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def dovecot():
    """A Dovecot with the mailbox users of the mail world (each user's password is
    "clave-<local part>")."""
    users = {address: "clave-" + address.split("@")[0] for address in (
        "soporte@cafemontana.example", "ayuda@clinicanorte.example")}
    with running_dovecot(users) as server:
        yield server
