"""The `atiende` command.

    atiende run                      web server and background worker together
    atiende web                      the web server (gunicorn)
    atiende worker                   the background worker
    atiende migrate                  create or update the database
    atiende demo [--if-empty]        load the demo organizations and people
    atiende token create --user EMAIL [--name NAME] [--expires-days N]
    atiende <django command> ...     any Django management command
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time


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
    """Collect static files when they are missing (first start, or a new version)."""
    from django.conf import settings
    from django.core.management import call_command

    from atiende import __version__

    marker = settings.STATIC_ROOT / f".collected-{__version__}"
    if not marker.exists():
        call_command("collectstatic", interactive=False, verbosity=0)
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
        *arguments,
    ]
    os.execv(sys.executable, command)
    return 0  # not reached


def worker(arguments: list[str]) -> int:
    _setup()
    _manage("db_worker", "--queue-name", "*", "--no-reload", *arguments)
    return 0


def run(arguments: list[str]) -> int:
    """Start the web server and a worker; stop both on Ctrl-C or when either ends."""
    port = os.environ.get("PORT", "8000")
    host = os.environ.get("HOST", "127.0.0.1")
    children = [
        subprocess.Popen([sys.executable, "-m", "atiende.cli", "web"]),
        subprocess.Popen([sys.executable, "-m", "atiende.cli", "worker"]),
    ]
    print(f"Atiende: http://{host}:{port}/  (Ctrl-C stops the web server and the worker)",
          flush=True)

    def stop(signum=None, frame=None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    exit_code = 0
    try:
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
        exit_code = next(child.returncode for child in children if child.poll() is not None)
        print("Atiende: a process ended; stopping the other.", file=sys.stderr, flush=True)
    except KeyboardInterrupt:
        pass
    for child in children:
        if child.poll() is None:
            child.terminate()
    deadline = time.monotonic() + 15
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
    print("Atiende: stopped.", flush=True)
    return exit_code


def demo(arguments: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="atiende demo")
    parser.add_argument("--if-empty", action="store_true",
                        help="load only when the database has no organization yet")
    options = parser.parse_args(arguments)
    _setup()
    from atiende.core.demo import DEMO_PASSWORD, demo_accounts, load_demo
    from atiende.core.models import Organization

    if options.if_empty and Organization.objects.exists():
        print("Demo data: the database already has data; nothing loaded.")
    else:
        load_demo()
        print("Demo data loaded.")
    print(f"\nDemo accounts (password for all: {DEMO_PASSWORD})")
    for email, description in demo_accounts():
        print(f"  {email:<38} {description}")
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


COMMANDS = {
    "run": run, "web": web, "worker": worker, "migrate": migrate, "demo": demo, "token": token,
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
