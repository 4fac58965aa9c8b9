"""The `atiende` command.

    atiende run                      web server and background worker together
    atiende web                      the web server (gunicorn)
    atiende worker                   the background worker
    atiende migrate                  create or update the database
    atiende demo [--if-empty] [--tickets N]
                                     load the demo organizations, people and tickets
    atiende seed --tickets N [--organizations M] [--seed S]
                                     synthetic organizations and tickets for benchmarks
    atiende bootstrap --provider NAME --admin-email EMAIL --admin-name NAME
                                     first start without demo: the provider and its admin
    atiende token create --user EMAIL [--name NAME] [--expires-days N]
    atiende ingest-mail --mailbox ADDRESS < message.eml
                                     take one e-mail from a mail server's pipe
                                     (exit status: see atiende/mail/pipe.py)
    atiende poll-mail [--mailbox ADDRESS]
                                     fetch the new mail of IMAP mailboxes now
    atiende sweep-attachments [--dry-run]
                                     delete stored files that no attachment refers to
    atiende <django command> ...     any Django management command
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atiende.settings")
    import django

    django.setup()


def _manage(*arguments: str) -> None:
    from django.core.management import execute_from_command_line

    execute_from_command_line(["atiende", *arguments])


def migrate(arguments: list[str]) -> int:
    _setup()
    from django.core.management import call_command

    call_command("migrate", *arguments, interactive=False)
    call_command("createcachetable")
    return 0


def _collect_static_once() -> None:
    """Collect static files when they are missing or their sources changed.

    The marker's name is a fingerprint of every source file (path, size, modification
    time), so a new version or an edited stylesheet is collected again on the next start,
    while an unchanged installation starts without copying anything.
    """
    import hashlib

    from django.conf import settings
    from django.contrib.staticfiles.finders import get_finders
    from django.core.management import call_command

    from atiende import __version__

    fingerprint = hashlib.sha256(__version__.encode())
    for finder in get_finders():
        for path, storage in sorted(finder.list([]), key=lambda item: item[0]):
            status = os.stat(storage.path(path))
            fingerprint.update(f"{path}\0{status.st_size}\0{status.st_mtime_ns}\n".encode())
    marker = Path(settings.STATIC_ROOT) / f".collected-{fingerprint.hexdigest()[:16]}"
    if not marker.exists():
        call_command("collectstatic", interactive=False, verbosity=0)
        for old_marker in marker.parent.glob(".collected-*"):
            old_marker.unlink(missing_ok=True)
        marker.touch()


def web(arguments: list[str]) -> int:
    _setup()
    _collect_static_once()
    host = os.environ.get("HOST", "127.0.0.1")
    port = os.environ.get("PORT", "8000")
    command = [
        sys.executable, "-m", "gunicorn", "atiende.wsgi:application",
        "--bind", f"{host}:{port}",
        "--workers", os.environ.get("WEB_CONCURRENCY", "2"),
        "--threads", os.environ.get("WEB_THREADS", "4"),
        "--access-logfile", "-" if os.environ.get("ACCESS_LOG", "1") != "0" else "/dev/null",
        "--graceful-timeout", "10",
        "--forwarded-allow-ips", os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1"),
        *_control_socket_arguments(),
        *arguments,
    ]
    # Replace this process, so that signals and the exit status are gunicorn's own.
    os.execv(sys.executable, command)  # noqa: S606 (our own interpreter, no shell)
    return 0  # not reached


def _control_socket_arguments() -> list[str]:
    """Gunicorn 25.1+ opens a control socket at one fixed path per user by default, so two
    instances on a host (a second desk, the tests) would take it from each other. It is off
    unless GUNICORN_CONTROL_SOCKET names a path for this instance."""
    import gunicorn

    if gunicorn.version_info < (25, 1):
        return []
    path = os.environ.get("GUNICORN_CONTROL_SOCKET", "")
    return ["--control-socket", path] if path else ["--no-control-socket"]


def worker(arguments: list[str]) -> int:
    _setup()
    from atiende.core.periodic import start_scheduler

    # Enqueues the periodic jobs (the SLA sweep, ...); one run each whatever the
    # number of workers (see atiende.core.periodic).
    start_scheduler()
    _manage("db_worker", "--queue-name", "*", "--no-reload", *arguments)
    return 0


PR_SET_PDEATHSIG = 1


def _child(role: str) -> subprocess.Popen:
    """Start `atiende <role>` in its own process group, so that a Ctrl-C in the terminal
    reaches only `atiende run`, which then stops each child exactly once. On Linux the
    child also gets SIGTERM should `atiende run` die without stopping it."""
    preexec_fn = None
    if sys.platform.startswith("linux"):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)

        def preexec_fn() -> None:
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)

    return subprocess.Popen(  # noqa: S603 (our own interpreter and module)
        [sys.executable, "-m", "atiende.cli", role], process_group=0, preexec_fn=preexec_fn
    )


def run(arguments: list[str]) -> int:
    """Start the web server and a worker; stop both on Ctrl-C or SIGTERM, or when either
    ends. A second Ctrl-C, or 15 seconds without both stopping, kills what is left."""
    port = os.environ.get("PORT", "8000")
    host = os.environ.get("HOST", "127.0.0.1")
    received: list[int] = []

    def on_signal(signum: int, frame: object) -> None:
        received.append(signum)

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, on_signal)
    children: list[subprocess.Popen] = []
    exit_code = 0
    try:
        children.append(_child("web"))
        children.append(_child("worker"))
        print(f"Atiende: http://{host}:{port}/  (Ctrl-C stops the web server and the worker)",
              flush=True)
        while not received:
            ended = [child for child in children if child.poll() is not None]
            if ended:
                exit_code = ended[0].returncode or 1
                print("Atiende: a process ended; stopping the other.", file=sys.stderr,
                      flush=True)
                break
            time.sleep(0.2)
    finally:
        _stop(children, received)
    print("Atiende: stopped.", flush=True)
    return exit_code


def _stop(children: list[subprocess.Popen], received: list[int]) -> None:
    """Ask every live child to stop, wait for them, and kill what is left, with everything
    it started, after 15 seconds or a second signal."""
    signals_before = len(received)
    for child in children:
        if child.poll() is None:
            child.terminate()
    deadline = time.monotonic() + 15
    while (any(child.poll() is None for child in children)
           and time.monotonic() < deadline and len(received) == signals_before):
        time.sleep(0.1)
    for child in children:
        # The child leads its own process group: this also reaches what it started
        # (gunicorn's workers) should the child itself be gone already.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(child.pid, signal.SIGKILL)
        child.wait()


def demo(arguments: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="atiende demo")
    parser.add_argument("--if-empty", action="store_true",
                        help="load only when the database has no organization yet")
    parser.add_argument("--tickets", type=int, default=None,
                        help="how many demo tickets (default 3000)")
    options = parser.parse_args(arguments)
    if options.tickets is not None and options.tickets < 0:
        parser.error("--tickets must be 0 or more")
    _setup()
    from atiende.core.demo import DEMO_PASSWORD, demo_accounts, load_demo
    from atiende.core.models import Organization
    from atiende.tickets.demo import DEMO_TICKETS

    if options.if_empty and Organization.objects.exists():
        print("Demo data: the database already has data; nothing loaded.")
    else:
        load_demo(tickets=DEMO_TICKETS if options.tickets is None else options.tickets)
        print("Demo data loaded.")
    print(f"\nDemo accounts (password for all: {DEMO_PASSWORD})")
    for email, description in demo_accounts():
        print(f"  {email:<38} {description}")
    return 0


def seed(arguments: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="atiende seed",
        description="Synthetic organizations, people and tickets for benchmarks, written in "
                    "bulk. The same seed gives the same data.")
    parser.add_argument("--tickets", type=int, required=True, help="how many tickets")
    parser.add_argument("--organizations", type=int, default=1,
                        help="how many organizations share them (default 1)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--days", type=int, default=365,
                        help="tickets spread over the last N days (default 365)")
    parser.add_argument("--batch", type=int, default=5000,
                        help="tickets per transaction (default 5000)")
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
    options = parser.parse_args(arguments)
    if options.tickets < 0 or options.organizations < 1 or options.batch < 1:
        parser.error("--tickets must be 0 or more, --organizations and --batch 1 or more")
    _setup()
    from django.utils.translation import gettext as _

    from atiende.tickets.seed import SEED_PASSWORD, SeedConflict, seed_tickets

    def progress(done: int) -> None:
        if not options.quiet:
            print(_("%(done)d of %(total)d tickets") % {"done": done, "total": options.tickets},
                  file=sys.stderr, flush=True)

    try:
        report = seed_tickets(tickets=options.tickets, organizations=options.organizations,
                              seed=options.seed, days=options.days, batch=options.batch,
                              progress=progress)
    except SeedConflict:
        print(_("The organizations of seed %(seed)d exist already; choose another --seed.")
              % {"seed": options.seed}, file=sys.stderr)
        return 2
    print(_("Seeded %(organizations)d organizations, %(people)d people, %(tickets)d tickets, "
            "%(comments)d comments and %(events)d events in %(seconds).1f s "
            "(%(rate).0f tickets/s).") % {
        "organizations": report.organizations, "people": report.people,
        "tickets": report.tickets, "comments": report.comments, "events": report.events,
        "seconds": report.seconds, "rate": report.tickets_per_second})
    print(_("Password of every synthetic account: %(password)s. Search finds the tickets "
            "after `atiende reindex`.") % {"password": SEED_PASSWORD})
    return 0


def bootstrap(arguments: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="atiende bootstrap")
    parser.add_argument("--provider", required=True, help="the provider organization's name")
    parser.add_argument("--admin-email", required=True, help="the first provider admin's e-mail")
    parser.add_argument("--admin-name", required=True, help="the first provider admin's name")
    parser.add_argument("--language", default="es", choices=["es", "en"])
    parser.add_argument("--time-zone", default="America/Bogota")
    parser.add_argument("--country", default="CO", help="two-letter code, for holidays")
    options = parser.parse_args(arguments)
    _setup()
    from django.utils import translation

    from atiende.core import services
    from atiende.core.auth import set_password_link
    from atiende.errors import AtiendeError, ValidationFailed

    translation.activate(options.language)
    try:
        admin = services.provider_bootstrap(
            name=options.provider, admin_email=options.admin_email,
            admin_name=options.admin_name, language=options.language,
            time_zone=options.time_zone, country=options.country,
        )
    except AtiendeError as error:
        details = "; ".join(f"{k}: {v}" for k, v in getattr(error, "fields", {}).items())
        print(details if isinstance(error, ValidationFailed) and details else error.message,
              file=sys.stderr)
        return 2
    print(f"{admin.organization.name} is the provider; {admin.email} is its admin.")
    print("Open this link to choose the admin's password (it works once):")
    print(set_password_link(admin))
    return 0


def token(arguments: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="atiende token")
    sub = parser.add_subparsers(dest="action", required=True)
    create = sub.add_parser("create", help="print a new API token for a user")
    create.add_argument("--user", required=True, help="the user's e-mail")
    create.add_argument("--name", default="CLI", help="what the token is for")
    create.add_argument("--expires-days", type=int, default=0,
                        help="days until it expires (0: never)")
    options = parser.parse_args(arguments)
    _setup()
    from datetime import timedelta

    from django.utils import timezone

    from atiende.core import services
    from atiende.core.models import User
    from atiende.errors import AtiendeError

    user = User.objects.filter(email__iexact=options.user.strip(), is_active=True).first()
    if user is None:
        print(f"No active user with e-mail {options.user}.", file=sys.stderr)
        return 2
    expires_at = (timezone.now() + timedelta(days=options.expires_days)
                  if options.expires_days > 0 else None)
    try:
        _token, plaintext = services.token_create(
            actor=user, name=options.name, expires_at=expires_at, channel="cli"
        )
    except AtiendeError as error:
        print(error.message, file=sys.stderr)
        return 2
    print(plaintext)
    return 0


def ingest_mail(arguments: list[str]) -> int:
    """One message on standard input, for Postfix's or Exim's pipe. Exit status per
    sysexits.h: 0 stored (a ticket, a reply, held, ignored, quarantined, duplicate),
    65 refused as empty or too large, 67 unknown mailbox, 75 try again later, 77
    refused by the mailbox's policy; 64 for wrong arguments."""
    parser = argparse.ArgumentParser(
        prog="atiende ingest-mail",
        description="Take one e-mail message from standard input into a mailbox.")
    parser.add_argument("--mailbox", required=True, help="the address it was delivered to")
    try:
        options = parser.parse_args(arguments)
    except SystemExit as stop:
        return 64 if stop.code else 0  # EX_USAGE
    _setup()
    from django.conf import settings

    from atiende.mail.pipe import EX_OK, EX_TEMPFAIL, deliver

    try:
        raw = sys.stdin.buffer.read(settings.MAIL_MAX_BYTES + 1)
        status, line = deliver(options.mailbox, raw)
    except Exception as error:  # whatever it is, the mail server must keep the message
        print(f"Temporary failure: {type(error).__name__}: {error}", file=sys.stderr)
        return EX_TEMPFAIL
    print(line, file=sys.stdout if status == EX_OK else sys.stderr)
    return status


COMMANDS = {
    "run": run, "web": web, "worker": worker, "migrate": migrate, "demo": demo,
    "seed": seed, "bootstrap": bootstrap, "token": token, "ingest-mail": ingest_mail,
}


def main(argv: list[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else argv
    if not arguments or arguments[0] in {"-h", "--help", "help"}:
        print(__doc__)
        return 0
    command = COMMANDS.get(arguments[0])
    if command is not None:
        return command(arguments[1:])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atiende.settings")
    _manage(*arguments)
    return 0


if __name__ == "__main__":
    sys.exit(main())
