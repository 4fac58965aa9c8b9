"""The `atiende` command as administrators run it: real processes, a temporary DATA_DIR,
a free loopback port.

The processes use SQLite in the temporary DATA_DIR, or, when the suite itself runs on
PostgreSQL (DATABASE_URL), a database of their own named `<that database>_cli`, created
here and dropped afterwards.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

AGENT = "ana.gomez@nubeandina.example"
PROVIDER_ADMIN = "laura.martinez@nubeandina.example"
DEMO_ACCOUNTS = [
    "laura.martinez@nubeandina.example",
    "ana.gomez@nubeandina.example",
    "diego.herrera@nubeandina.example",
    "mateo.ramirez@cafemontana.example",
    "sofia.castro@cafemontana.example",
    "valentina.lopez@cafemontana.example",
]


# --- the desk: a DATA_DIR, a database, and the processes started on it -----------------


class Desk:
    """One installation: its environment, and every process the tests start on it."""

    def __init__(self, data_dir: Path, database_url: str) -> None:
        self.data_dir = data_dir
        self.database_url = database_url
        self.started: list[subprocess.Popen] = []
        self.logs: dict[int, Path] = {}
        self.migrated: subprocess.CompletedProcess | None = None
        self.first_demo: subprocess.CompletedProcess | None = None
        self.environment = {
            name: value for name, value in os.environ.items()
            if name not in {"DJANGO_ALLOW_ASYNC_UNSAFE", "REDIS_URL", "SECRET_KEY",
                            "DJANGO_SETTINGS_MODULE", "TASKS_BACKEND", "EMAIL_HOST"}
        } | {
            "DATA_DIR": str(data_dir),
            "DATABASE_URL": database_url,
            "HOST": "127.0.0.1",
            "DEBUG": "0",
            "ACCESS_LOG": "0",
            "LOG_LEVEL": "WARNING",
            "WEB_CONCURRENCY": "1",
            "WEB_THREADS": "2",
            "PYTHONDONTWRITEBYTECODE": "1",
        }

    def atiende(self, *arguments: str, timeout: float = 60) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "atiende.cli", *arguments], env=self.environment,
            capture_output=True, text=True, timeout=timeout,
        )

    def start(self, *arguments: str, port: int) -> subprocess.Popen:
        """Start `atiende <arguments>` in a session of its own (like a terminal would),
        logging to a file in DATA_DIR."""
        path = self.data_dir / f"{arguments[0]}-{port}.log"
        with path.open("w") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "atiende.cli", *arguments],
                env=self.environment | {"PORT": str(port)}, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True,
            )
        self.started.append(process)
        self.logs[process.pid] = path
        return process

    def log(self, process: subprocess.Popen) -> str:
        return self.logs[process.pid].read_text(errors="replace")

    def processes(self) -> dict[int, str]:
        """Every live process started with this DATA_DIR: pid and command line."""
        marker = f"DATA_DIR={self.data_dir}".encode()
        found = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                if marker not in (entry / "environ").read_bytes().split(b"\0"):
                    continue
                if (entry / "stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
                    continue  # exited, waiting to be reaped
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            found[int(entry.name)] = command.strip()
        return found

    def scalar(self, sql: str) -> int:
        if self.database_url.startswith("sqlite:"):
            with sqlite3.connect(self.data_dir / "atiende.sqlite3") as connection:
                return connection.execute(sql).fetchone()[0]
        import psycopg

        with psycopg.connect(self.database_url) as connection:
            return connection.execute(sql).fetchone()[0]

    def stop_everything(self) -> None:
        """After a failure: kill what the tests started, and what that started in turn."""
        for process in self.started:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        for pid in self.processes():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def cli_database_url(tmp_path_factory) -> Iterator[str]:
    session_url = os.environ.get("DATABASE_URL", "")
    if not session_url.startswith(("postgres://", "postgresql://")):
        data_dir = tmp_path_factory.mktemp("atiende-cli")
        yield f"sqlite:///{data_dir / 'atiende.sqlite3'}"
        return
    import psycopg

    parts = urlsplit(session_url)
    name = f"{parts.path.lstrip('/') or 'atiende'}_cli"
    server_url = parts._replace(path="/postgres").geturl()
    with psycopg.connect(server_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    yield parts._replace(path=f"/{name}").geturl()
    with psycopg.connect(server_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def desk(cli_database_url, tmp_path_factory) -> Iterator[Desk]:
    """A migrated installation with the demo loaded (`demo --if-empty` on an empty one)."""
    if cli_database_url.startswith("sqlite:"):
        data_dir = Path(urlsplit(cli_database_url).path).parent
    else:
        data_dir = tmp_path_factory.mktemp("atiende-cli")
    desk = Desk(data_dir, cli_database_url)
    desk.migrated = desk.atiende("migrate", "--verbosity", "0")
    # A smaller demo than the default 3,000 tickets: these tests are about the processes.
    desk.first_demo = (desk.atiende("demo", "--if-empty", "--tickets", "200")
                       if desk.migrated.returncode == 0 else None)
    yield desk
    desk.stop_everything()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(port: int, path: str, token: str | None = None) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    result = response.status, response.read()
    connection.close()
    return result


def post_json(port: int, path: str, token: str, body: dict) -> tuple[int, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("POST", path, body=json.dumps(body), headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    response = connection.getresponse()
    result = response.status, json.loads(response.read() or b"null")
    connection.close()
    return result


def wait_for_health(desk: Desk, process: subprocess.Popen, port: int,
                    timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, f"ended with {process.returncode}:\n{desk.log(process)}"
        try:
            if get(port, "/health/")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    pytest.fail(f"no answer from /health/ within {timeout} s:\n{desk.log(process)}")


def wait_until(condition, timeout: float, step: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()


def children(pid: int) -> dict[int, str]:
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found[int(entry.name)] = (entry / "cmdline").read_bytes().replace(
                        b"\0", b" ").decode().strip()
            except OSError:
                continue
    return found


def token_for(desk: Desk, email: str) -> str:
    created = desk.atiende("token", "create", "--user", email, "--name", "tests")
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip()
    assert len(token.splitlines()) == 1
    return token


# --- migrate and demo -------------------------------------------------------------------


def test_migrate_then_demo_if_empty_twice_loads_once_and_lists_the_accounts(desk):
    # given: `atiende migrate` and a first `atiende demo --if-empty` on an empty database
    assert desk.migrated.returncode == 0, desk.migrated.stderr
    first = desk.first_demo
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("Demo data loaded.\n")
    people = desk.scalar("SELECT COUNT(*) FROM core_user")
    organizations = desk.scalar("SELECT COUNT(*) FROM core_organization")
    assert organizations == 4  # the provider and its three clients

    # when: the same command runs again
    second = desk.atiende("demo", "--if-empty", "--tickets", "200")

    # then: it loads nothing, and both times it lists the demo accounts and their password
    assert second.returncode == 0, second.stderr
    assert second.stdout.startswith("Demo data: the database already has data; nothing loaded.")
    for output in (first.stdout, second.stdout):
        assert "Demo accounts (password for all: atiende-demo)" in output
        listed = [line.split()[0] for line in output.splitlines() if "@" in line]
        assert listed == DEMO_ACCOUNTS
    assert desk.scalar("SELECT COUNT(*) FROM core_user") == people
    assert desk.scalar("SELECT COUNT(*) FROM core_organization") == organizations


# --- tokens -----------------------------------------------------------------------------


def test_token_create_prints_a_token_that_authenticates_against_atiende_web(desk):
    # given: a token printed for the demo agent, and `atiende web` started
    token = token_for(desk, AGENT)
    port = free_port()
    web = desk.start("web", port=port)
    wait_for_health(desk, web, port)

    # when: the API is called with it, and without it
    status, body = get(port, "/api/v1/me", token)
    anonymous_status, _ = get(port, "/api/v1/me")

    # then: the token speaks for the agent; without it, nobody
    assert status == 200, body
    assert json.loads(body)["email"] == AGENT
    assert anonymous_status == 401

    # when: the web server is asked to stop
    web.send_signal(signal.SIGTERM)

    # then: it stops, with its gunicorn workers
    assert web.wait(timeout=15) == 0, desk.log(web)
    assert wait_until(lambda: desk.processes() == {}, timeout=5), desk.processes()


def test_token_create_for_an_unknown_user_fails_with_a_clear_message(desk):
    # when
    created = desk.atiende("token", "create", "--user", "nadie@nubeandina.example")

    # then: no token, a non-zero exit and the reason
    assert created.returncode == 2
    assert created.stdout == ""
    assert created.stderr.strip() == "No active user with e-mail nadie@nubeandina.example."


# --- run: web and worker together -------------------------------------------------------


def test_run_serves_and_works_then_ctrl_c_stops_both_children(desk):
    # given: `atiende run` in a terminal session of its own
    token = token_for(desk, PROVIDER_ADMIN)
    port = free_port()
    run = desk.start("run", port=port)
    wait_for_health(desk, run, port)

    # then: it has two live children, gunicorn and the worker
    started = children(run.pid)
    assert len(started) == 2, started
    web_pid = next(pid for pid, command in started.items() if "gunicorn" in command)
    worker_pid = next(pid for pid, command in started.items()
                      if command.endswith("atiende.cli worker"))
    assert children(web_pid), "gunicorn has no worker process"

    # when: a person is created through the API
    organization_id = desk.scalar("SELECT id FROM core_organization WHERE slug = 'cafe-montana'")
    created_status, created = post_json(port, "/api/v1/users", token, {
        "organization_id": organization_id, "email": "nuevo.ingreso@cafemontana.example",
        "display_name": "Nuevo Ingreso"})

    # then: the worker delivers the invitation (written to DATA_DIR/mail without SMTP)
    assert created_status == 201, created
    mail_dir = desk.data_dir / "mail"
    assert wait_until(lambda: mail_dir.exists() and any(mail_dir.iterdir()), timeout=15), \
        desk.log(run)
    [message] = [path.read_text() for path in mail_dir.iterdir()]
    assert "To: nuevo.ingreso@cafemontana.example" in message

    # when: Ctrl-C is pressed in the terminal (SIGINT to its foreground process group)
    interrupted_at = time.monotonic()
    os.killpg(run.pid, signal.SIGINT)

    # then: `atiende run` stops both children and exits, leaving no process behind
    exit_code = run.wait(timeout=20)
    took = time.monotonic() - interrupted_at
    log = desk.log(run)
    assert exit_code == 0, log
    assert took < 15, log
    assert "Atiende: stopped." in log
    assert "terminating current task" not in log  # the worker was asked once, not twice
    assert desk.processes() == {}, log
    assert not any(Path(f"/proc/{pid}").exists() for pid in (web_pid, worker_pid))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="parent-death signal: Linux")
def test_run_killed_outright_leaves_no_process_behind(desk):
    # given: `atiende run` serving
    port = free_port()
    run = desk.start("run", port=port)
    wait_for_health(desk, run, port)
    assert len(children(run.pid)) == 2

    # when: it is killed without a chance to stop its children (OOM killer, kill -9)
    run.kill()
    run.wait(timeout=5)

    # then: gunicorn, its workers and the worker stop by themselves
    assert wait_until(lambda: desk.processes() == {}, timeout=15), desk.processes()
