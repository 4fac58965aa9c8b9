"""Benchmark: inbound e-mail, 1,000 mixed messages (messages/s).

Fixed setup, fixed data, one JSON document on stdout (progress goes to stderr):

1. a fresh temporary DATA_DIR with SQLite (or the database in DATABASE_URL),
   `atiende migrate`;
2. in a separate process with Django set up, for each measure its own organization
   (an IT department, 100 requesters, a mailbox that creates unknown senders) and its
   own 1,000 messages, made the same way each time (seed 1):

   | share | message |
   |---|---|
   | 38% | a new ticket, plain text |
   | 22% | a reply to one of the sender's earlier messages (In-Reply-To), quoted history below |
   | 10% | HTML with an inline image and a PDF |
   |  3% | ISO-8859-1, quoted-printable |
   |  8% | auto-reply, bulk, or a bounce (never a ticket) |
   |  5% | the same message delivered again |
   |  5% | an unknown sender (a requester is created) |
   |  7% | one sender's flood (held after the rate limit) |
   |  2% | a forged sender (DMARC failed: held) |

   - `service`: `atiende.mail.services.ingest` for each message, one after the other;
   - `pipe`: `atiende.mail.pipe.deliver` for each, the code path of
     `atiende ingest-mail` (address lookup, ingest, exit status) without starting a
     process per message;
   - `imap`: the 1,000 messages APPENDed to a Dovecot started by the benchmark on a
     loopback port (not timed), then polled as the worker does (`atiende.mail.imap`:
     UID SEARCH, FETCH BODY.PEEK[], ingest, MOVE once stored) until the folder is
     empty; only where Dovecot is installed (Debian's dovecot-imapd), otherwise
     `{"not_run": reason}`;
3. `processes`: `atiende ingest-mail --mailbox ADDRESS < message.eml` as a mail server
   runs it, a new process per message, for a sample (`--mail-processes`, default 30):
   its rate is bound by starting Python and Django, not by the ingest.

    python bench/mail.py [--mail-messages 1000] [--mail-processes 30]
    python bench/mail.py measure service|pipe|imap COUNT                (internal)
    python bench/mail.py processes COUNT                                (internal)
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from common import (
    ROOT,
    STEP_TIMEOUT,
    atiende,
    command_line,
    data_dir_environment,
    database_info,
    helper,
    log,
    machine_facts,
    percentiles,
    setup_django,
)

MESSAGES = 1000
PROCESSES = 30
REQUESTERS = 100
SEED = 1
TARGET = {"messages_per_second": 100, "vendor": "sqlite",
          "text": "at least 100 messages/s ingested on SQLite"}
PNG = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJ"
       "RU5ErkJggg==")
PDF = ("JVBERi0xLjQKMSAwIG9iaiA8PCAvVHlwZSAvQ2F0YWxvZyA+PiBlbmRvYmoKdHJhaWxlciA8PCAvUm9vdCAx"
       "IDAgUiA+PgolJUVPRgo=")
MIX = [("new", 38), ("reply", 22), ("rich", 10), ("latin1", 3), ("auto", 8),
       ("duplicate", 5), ("unknown", 5), ("flood", 7), ("forged", 2)]
SUBJECTS = ["La impresora no imprime", "Sin acceso a la VPN", "El correo no sincroniza",
            "Cambio de contraseña", "Pantalla azul en el portátil", "Solicitud de software",
            "No carga el ERP", "Teléfono sin tono", "Acceso a carpeta compartida"]


# --- the messages ---------------------------------------------------------------------


def _headers(sender: str, to: str, subject: str, message_id: str, extra: str = "") -> str:
    return (f"Received: from mail.example by mx.atiende.example; Mon, 03 Nov 2025 10:00:00 -0500\n"
            f"From: {sender}\nTo: {to}\nSubject: {subject}\n"
            f"Date: Mon, 03 Nov 2025 10:00:00 -0500\nMessage-ID: <{message_id}>\n{extra}"
            "MIME-Version: 1.0\n")


def messages(count: int, *, tag: str, domain: str, mailbox: str) -> list[tuple[str, bytes]]:
    """`count` (kind, raw) pairs, the same ones for the same arguments."""
    rng = random.Random(SEED)
    kinds = [kind for kind, share in MIX for _ in range(share)]
    sent: dict[str, list[str]] = {}
    raws: list[bytes] = []
    made: list[tuple[str, bytes]] = []
    for number in range(count):
        kind = kinds[rng.randrange(len(kinds))]
        person = f"persona{rng.randrange(REQUESTERS) + 1}@{domain}"
        message_id = f"{tag}-{number}@{domain}"
        subject = f"{rng.choice(SUBJECTS)} ({number})"
        if kind == "reply" and not sent.get(person):
            kind = "new"
        if kind == "duplicate" and not raws:
            kind = "new"
        if kind == "duplicate":
            raw = rng.choice(raws)
        elif kind == "reply":
            parent = rng.choice(sent[person])
            raw = (_headers(person, mailbox, f"Re: {subject}", message_id,
                            f"In-Reply-To: <{parent}>\nReferences: <{parent}>\n")
                   + "Content-Type: text/plain; charset=utf-8\n\n"
                   + "Sigue fallando después de reiniciar.\n\n"
                   + f"El lun, 3 nov 2025 a las 10:00, Mesa <{mailbox}> escribió:\n"
                   + "> ¿Ya intentó reiniciar?\n> Saludos\n").encode()
        elif kind == "rich":
            raw = (_headers(person, mailbox, subject, message_id)
                   + 'Content-Type: multipart/mixed; boundary="m"\n\n--m\n'
                   + 'Content-Type: multipart/related; boundary="r"\n\n--r\n'
                   + "Content-Type: text/html; charset=utf-8\n\n"
                   + "<p>Sale este <b>error</b>:</p><img src=\"cid:img1@x\">"
                   + "<script>alert(1)</script>\n--r\n"
                   + "Content-Type: image/png\nContent-ID: <img1@x>\n"
                   + f"Content-Transfer-Encoding: base64\n\n{PNG}\n--r--\n--m\n"
                   + 'Content-Type: application/pdf\nContent-Disposition: attachment; '
                   + "filename*=UTF-8''informe%20a%C3%B1o.pdf\n"
                   + f"Content-Transfer-Encoding: base64\n\n{PDF}\n--m--\n").encode()
        elif kind == "latin1":
            raw = (_headers(person, mailbox, "=?ISO-8859-1?Q?Contrase=F1a_vencida?=", message_id)
                   + "Content-Type: text/plain; charset=ISO-8859-1\n"
                   + "Content-Transfer-Encoding: quoted-printable\n\n"
                   + "La contrase=F1a venci=F3 otra vez este a=F1o.\n").encode()
        elif kind == "auto":
            extra, auto_subject = rng.choice([
                ("Auto-Submitted: auto-replied\n", f"Re: {subject}"),
                ("Precedence: bulk\n", "Boletín"),
                ("", f"Respuesta automática: {subject}"),
                ("X-Auto-Response-Suppress: All\n", f"Automatic reply: {subject}"),
            ])
            raw = (_headers(person, mailbox, auto_subject, message_id, extra)
                   + "Content-Type: text/plain; charset=utf-8\n\nEstoy de vacaciones.\n").encode()
        else:
            sender = {"unknown": f"nuevo{number}@{domain}", "flood": f"persona1@{domain}",
                      "forged": f"persona2@{domain}"}.get(kind, person)
            extra = ("Authentication-Results: mx.atiende.example; spf=fail; dmarc=fail\n"
                     if kind == "forged" else "")
            raw = (_headers(sender, mailbox, subject, message_id, extra)
                   + "Content-Type: text/plain; charset=utf-8\n\n"
                   + "Hola, necesito ayuda con esto.\nGracias.\n").encode()
            if kind in ("new", "flood"):
                sent.setdefault(sender, []).append(message_id)
        raws.append(raw)
        made.append((kind, raw))
    return made


# --- the measures (own process, Django set up) ------------------------------------------


def _organization(tag: str):
    """An organization with an IT desk, REQUESTERS requesters and a mailbox."""
    from atiende.core import services as core
    from atiende.core.models import Organization, Role, User
    from atiende.mail import services as mail

    admin = User.objects.filter(memberships__role=Role.PROVIDER_ADMIN).first()
    if admin is None:
        admin = core.provider_bootstrap(name="Proveedor bench", admin_email="admin@bench.example",
                                        admin_name="Admin")
    organization = core.organization_create(actor=admin, name=f"Bench {tag}", slug=f"bench-{tag}")
    department = core.department_create(actor=admin, organization=organization,
                                        name="Tecnología")
    domain = f"{tag}.bench.example"
    for number in range(1, REQUESTERS + 1):
        core.user_create(actor=admin, organization=organization, invite=False,
                         email=f"persona{number}@{domain}", display_name=f"Persona {number}")
    mailbox = mail.mailbox_create(actor=admin, organization=organization,
                                  address=f"soporte@{domain}", department=department,
                                  unknown_sender="create")
    assert Organization.objects.filter(pk=organization.pk).exists()
    return mailbox, domain


def _dovecot_or_reason(folder: Path, address: str):
    """A Dovecot for the IMAP measure (tests/mail/dovecot.py), or why there is none."""
    sys.path.insert(0, str(ROOT))
    from tests.mail.dovecot import Dovecot, DovecotUnavailable

    try:
        return Dovecot.start(folder, {address: "clave-bench"}), ""
    except DovecotUnavailable as reason:
        return None, str(reason)


def measure_imap(count: int) -> dict:
    """The messages APPENDed to a Dovecot, then polled until the folder is empty."""
    setup_django()
    from atiende.mail import imap
    from atiende.mail.models import ImapAccount, ImapSecurity

    mailbox, domain = _organization("imap")
    made = messages(count, tag="imap", domain=domain, mailbox=mailbox.address)
    with tempfile.TemporaryDirectory(prefix="atiende-dovecot-") as folder:
        Path(folder).chmod(0o755)
        server, reason = _dovecot_or_reason(Path(folder) / "server", mailbox.address)
        if server is None:
            return {"not_run": reason}
        try:
            appending = time.perf_counter()
            server.append(mailbox.address, [raw for _kind, raw in made])
            append_seconds = time.perf_counter() - appending
            account = ImapAccount.objects.create(
                mailbox=mailbox, host=server.host, port=server.port,
                security=ImapSecurity.NONE, username=mailbox.address, secret="clave-bench",
                after_target="Procesados")
            actions: Counter = Counter()
            polls, errors = 0, []
            started, cpu_started = time.perf_counter(), time.process_time()
            while True:
                report = imap.poll_account(account, batch=200)
                polls += 1
                actions.update(report.actions)
                if report.error:
                    errors.append(report.error)
                if report.fetched == 0 or report.error or polls > count:
                    break
            seconds = time.perf_counter() - started
            cpu_seconds = time.process_time() - cpu_started
            left = len(server.folder_uids(mailbox.address))
            moved = len(server.folder_uids(mailbox.address, "Procesados"))
        finally:
            server.stop()
    fetched = sum(actions.values())
    return {
        "messages": count,
        "seconds": round(seconds, 2),
        "messages_per_second": round(fetched / seconds, 1),
        "cpu_seconds": round(cpu_seconds, 2),  # this process only, not Dovecot's
        "messages_per_cpu_second": round(fetched / cpu_seconds, 1),
        "polls": polls,
        "append_seconds": round(append_seconds, 2),
        "outcomes": dict(sorted(actions.items())),
        "left_in_folder": left,  # refused messages stay for a person to see
        "moved": moved,
        "errors": errors,
        "database": database_info(),
    }


def measure(mode: str, count: int) -> dict:
    if mode == "imap":
        return measure_imap(count)
    setup_django()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from atiende.mail import pipe, services

    mailbox, domain = _organization(mode)
    made = messages(count, tag=mode, domain=domain, mailbox=mailbox.address)
    actions: Counter = Counter()
    latencies = []
    started, cpu_started = time.perf_counter(), time.process_time()
    for _kind, raw in made:
        begun = time.perf_counter()
        if mode == "service":
            actions[services.ingest(mailbox=mailbox, raw=raw).action] += 1
        else:
            status, line = pipe.deliver(mailbox.address, raw)
            if status != pipe.EX_OK:
                raise SystemExit(f"exit status {status}: {line}")
            actions[line.split(" ")[0].rstrip(":")] += 1
        latencies.append(time.perf_counter() - begun)
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    # SQL statements of one more message of each kind (not timed)
    extra = messages(count + len(MIX) * 3, tag=f"{mode}-q", domain=domain,
                     mailbox=mailbox.address)[count:]
    queries: dict[str, int] = {}
    for kind, raw in extra:
        if kind in queries or kind == "duplicate":
            continue
        with CaptureQueriesContext(connection) as captured:
            services.ingest(mailbox=mailbox, raw=raw)
        queries[kind] = len(captured.captured_queries)
    return {
        "messages": count,
        "seconds": round(seconds, 2),
        "messages_per_second": round(count / seconds, 1),
        # The ingest waits for nothing but the database file: on a busy host the CPU
        # time of this process tells what an idle one would do.
        "cpu_seconds": round(cpu_seconds, 2),
        "messages_per_cpu_second": round(count / cpu_seconds, 1),
        "latency_ms": percentiles(sorted(latencies)),
        "outcomes": dict(sorted(actions.items())),
        "mix": dict(sorted(Counter(kind for kind, _raw in made).items())),
        "sql_queries_per_message": queries,
        "bytes_mean": round(sum(len(raw) for _kind, raw in made) / count),
        "database": database_info(),
    }


def processes(count: int) -> dict:
    """`atiende ingest-mail` in a new process per message, as a mail server runs it."""
    setup_django()
    mailbox, domain = _organization("processes")
    made = messages(count, tag="processes", domain=domain, mailbox=mailbox.address)
    statuses: Counter = Counter()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        for number, (_kind, raw) in enumerate(made):
            path = Path(folder) / f"{number}.eml"
            path.write_bytes(raw)
            with path.open("rb") as stdin:
                finished = subprocess.run(
                    [sys.executable, "-m", "atiende.cli", "ingest-mail", "--mailbox",
                     mailbox.address], stdin=stdin, capture_output=True, cwd=ROOT,
                    timeout=120)
            statuses[str(finished.returncode)] += 1
    seconds = time.perf_counter() - started
    return {"messages": count, "seconds": round(seconds, 2),
            "messages_per_second": round(count / seconds, 1),
            "exit_statuses": dict(statuses)}


# --- orchestration ----------------------------------------------------------------------


def bench(options: argparse.Namespace) -> dict:
    script = Path(__file__).resolve()
    results: dict[str, dict] = {}
    with data_dir_environment(1, 1) as environment:
        atiende(environment, "migrate", "--verbosity", "0")
        for mode in ("service", "pipe", "imap"):
            log(f"mail {mode}: {options.mail_messages} messages")
            results[mode] = helper(script, environment, "measure", mode,
                                   str(options.mail_messages), timeout=STEP_TIMEOUT * 2)
        if options.mail_processes:
            log(f"mail processes: {options.mail_processes} `atiende ingest-mail` processes")
            results["processes"] = helper(script, environment, "processes",
                                          str(options.mail_processes), timeout=STEP_TIMEOUT * 2)
    database = results["service"].pop("database")
    results["pipe"].pop("database")
    results["imap"].pop("database", None)
    targets = []
    if database["vendor"] == TARGET["vendor"]:
        for mode in ("service", "pipe", "imap"):
            if "not_run" in results[mode]:
                targets.append(f"{mode}: not run — {results[mode]['not_run']}")
                continue
            rate = results[mode]["messages_per_second"]
            verdict = "met" if rate >= TARGET["messages_per_second"] else "MISSED"
            targets.append(f"{mode}: {rate} messages/s — {TARGET['text']}: {verdict}")
    return {
        "benchmark": ("inbound e-mail: mixed messages through the ingest service, the pipe "
                      "and IMAP"),
        "targets": targets,
        "measures": results,
        "database": database,
        **machine_facts(),
    }


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--mail-messages", type=int, default=MESSAGES,
                        help="messages of the service and pipe measures")
    parser.add_argument("--mail-processes", type=int, default=PROCESSES,
                        help="messages through a process each (0: skip)")


def check_arguments(parser: argparse.ArgumentParser, options: argparse.Namespace) -> None:
    if not (1 <= options.mail_messages <= 100_000 and 0 <= options.mail_processes <= 1000):
        parser.error("mail messages must be 1..100000 and mail processes 0..1000")


def main() -> int:
    return command_line("mail", __doc__, bench, add_arguments, check_arguments,
                        {"measure": lambda path, count: measure(path, int(count)),
                         "processes": lambda count: processes(int(count))})


if __name__ == "__main__":
    sys.exit(main())
