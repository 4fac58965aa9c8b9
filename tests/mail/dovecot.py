"""A real IMAP server for the tests and the benchmark: Debian's Dovecot, started as a
foreground process (not a daemon) on a free loopback port, with a configuration of its
own in a temporary folder: passwd-file users, maildirs in that folder, no TLS, and
optionally XOAUTH2 checked against a token introspection URL.

`Dovecot.start(folder)` returns a running server, or raises `DovecotUnavailable` with
the reason (not installed, would not start): the callers report the tests as not run.
"""

from __future__ import annotations

import contextlib
import imaplib
import os
import pwd
import random
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

BINARY_PLACES = ("/usr/sbin/dovecot", "/usr/local/sbin/dovecot")
PORTS = range(14300, 14400)


class DovecotUnavailable(Exception):
    """Dovecot is not installed here or would not start: the reason."""


def binary() -> str | None:
    """Dovecot's program: DOVECOT_BINARY when set (a path, or "none" to run without
    it), else the one on PATH or where Debian puts it."""
    chosen = os.environ.get("DOVECOT_BINARY")
    if chosen is not None:
        return chosen if os.access(chosen, os.X_OK) else None
    found = shutil.which("dovecot")
    if found:
        return found
    return next((place for place in BINARY_PLACES if os.access(place, os.X_OK)), None)


def _free_port(taken: set[int] = frozenset()) -> int:
    """A free loopback port of PORTS, looked for from a random place in the range."""
    offset = random.randrange(len(PORTS))
    for port in [*PORTS[offset:], *PORTS[:offset]]:
        if port in taken:
            continue
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise DovecotUnavailable("no free loopback port in 14300-14399")


def _self_signed_certificate(folder: Path) -> Path:
    """A certificate for 127.0.0.1 (and localhost), made with the openssl command."""
    program = shutil.which("openssl")
    if program is None:
        raise DovecotUnavailable("the openssl command is missing (to make a certificate)")
    certificate = folder / "certificate.pem"
    made = subprocess.run(
        [program, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
         "-keyout", str(folder / "key.pem"), "-out", str(certificate)],
        capture_output=True, timeout=60)
    if made.returncode != 0:
        raise DovecotUnavailable(f"openssl could not make a certificate: {made.stderr[-300:]}")
    return certificate


def _users() -> tuple[str, str, int, int]:
    """The system users Dovecot runs its parts as, and the uid/gid mail is kept under:
    as root, Debian's `dovecot`/`dovenull` accounts and `nobody` (Dovecot refuses mail
    access as uid 0); otherwise the current user for everything."""
    if os.getuid() != 0:
        name = pwd.getpwuid(os.getuid()).pw_name
        return name, name, os.getuid(), os.getgid()
    try:
        pwd.getpwnam("dovecot")
        pwd.getpwnam("dovenull")
        nobody = pwd.getpwnam("nobody")
    except KeyError as missing:
        raise DovecotUnavailable(f"system user missing: {missing}") from None
    return "dovecot", "dovenull", nobody.pw_uid, nobody.pw_gid


@dataclass
class Dovecot:
    """One running server; `users` maps user names to passwords."""

    folder: Path
    port: int
    process: subprocess.Popen
    users: dict[str, str] = field(default_factory=dict)
    host: str = "127.0.0.1"
    tls_port: int = 0  # implicit TLS, when started with `tls`
    certificate: Path | None = None  # the self-signed certificate it presents

    @classmethod
    def start(cls, folder: Path, users: dict[str, str], *,
              introspection_url: str = "", tls: bool = False) -> Dovecot:
        """Start on a free port; another one when the port was taken meanwhile (the
        children of a Dovecot just stopped may hold theirs a moment longer)."""
        for attempt in range(4):
            try:
                return cls._start_once(folder, users, introspection_url=introspection_url,
                                       tls=tls)
            except DovecotUnavailable as failure:
                if "Address already in use" not in str(failure) or attempt == 3:
                    raise
                time.sleep(0.2)
        raise AssertionError("unreachable")

    @classmethod
    def _start_once(cls, folder: Path, users: dict[str, str], *,
                    introspection_url: str = "", tls: bool = False) -> Dovecot:
        program = binary()
        if program is None:
            raise DovecotUnavailable("dovecot is not installed (Debian package dovecot-imapd)")
        folder.mkdir(parents=True, exist_ok=True)
        internal_user, login_user, mail_uid, mail_gid = _users()
        mail_root = folder / "mail"
        mail_root.mkdir(exist_ok=True)
        for path in (folder, mail_root):
            os.chown(path, mail_uid, mail_gid) if os.getuid() == 0 else None
            path.chmod(0o755)
        (folder / "passwd").write_text("".join(
            f"{name}:{{PLAIN}}{password}:{mail_uid}:{mail_gid}::{mail_root / name}\n"
            for name, password in users.items()))
        port = _free_port()
        tls_port, certificate, ssl_settings = 0, None, "ssl = no"
        if tls:
            tls_port = _free_port(taken={port})
            certificate = _self_signed_certificate(folder)
            ssl_settings = (f"ssl = yes\nssl_cert = <{certificate}\n"
                            f"ssl_key = <{folder / 'key.pem'}")
        config = folder / "dovecot.conf"
        oauth = ""
        mechanisms = "plain login"
        if introspection_url:
            mechanisms += " xoauth2"
            (folder / "oauth2.conf").write_text(
                f"introspection_mode = post\nintrospection_url = {introspection_url}\n"
                "username_attribute = username\nactive_attribute = active\n"
                "active_value = true\nforce_introspection = yes\n")
            oauth = (f"passdb {{\n  driver = oauth2\n  mechanisms = xoauth2\n"
                     f"  args = {folder / 'oauth2.conf'}\n}}\n")
        config.write_text(f"""
protocols = imap
listen = 127.0.0.1
base_dir = {folder / 'run'}
state_dir = {folder / 'state'}
log_path = {folder / 'dovecot.log'}
info_log_path = {folder / 'dovecot.log'}
{ssl_settings}
disable_plaintext_auth = no
auth_mechanisms = {mechanisms}
default_internal_user = {internal_user}
default_internal_group = {internal_user}
default_login_user = {login_user}
first_valid_uid = {min(mail_uid, 500)}
first_valid_gid = 0
mail_location = maildir:~/Maildir
namespace inbox {{
  inbox = yes
  separator = /
}}
{oauth}passdb {{
  driver = passwd-file
  mechanisms = plain login
  args = scheme=PLAIN {folder / 'passwd'}
}}
userdb {{
  driver = passwd-file
  args = {folder / 'passwd'}
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port}
  }}
}}
service stats {{
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
""")
        log = (folder / "stdout.log").open("wb")
        process = subprocess.Popen([program, "-F", "-c", str(config)], stdout=log,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        server = cls(folder=folder, port=port, process=process, users=dict(users),
                     tls_port=tls_port, certificate=certificate)
        server._wait_until_listening()
        return server

    def _wait_until_listening(self) -> None:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise DovecotUnavailable(f"dovecot exited at start: {self.log_tail()}")
            with contextlib.suppress(OSError), socket.create_connection(
                    (self.host, self.port), timeout=0.5) as connection:
                if connection.recv(100).startswith(b"* OK"):
                    return
            time.sleep(0.1)
        self.stop()
        raise DovecotUnavailable(f"dovecot did not answer on port {self.port}: "
                                 f"{self.log_tail()}")

    def log_tail(self) -> str:
        text = ""
        for name in ("stdout.log", "dovecot.log"):
            with contextlib.suppress(OSError):
                text += (self.folder / name).read_text(errors="replace")[-1500:]
        return text.strip()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)

    # --- what a sender's mail server and a person's mail client would do ----------------

    def client(self, user: str) -> imaplib.IMAP4:
        connection = imaplib.IMAP4(self.host, self.port, timeout=10)
        connection.login(user, self.users[user])
        return connection

    def append(self, user: str, messages: list[bytes], folder: str = "INBOX") -> None:
        """Deliver `messages` into `user`'s folder (created when missing)."""
        connection = self.client(user)
        try:
            connection.create(folder) if folder != "INBOX" else None
            for raw in messages:
                status, answer = connection.append(folder, "", None, raw)
                if status != "OK":
                    raise RuntimeError(f"APPEND refused: {answer}")
        finally:
            connection.logout()

    def folder_uids(self, user: str, folder: str = "INBOX") -> dict[int, set[str]]:
        """The messages of `user`'s folder: UID -> flags (keywords included)."""
        connection = self.client(user)
        try:
            status, _data = connection.select(_quoted(folder), readonly=True)
            if status != "OK":
                return {}
            status, data = connection.uid("FETCH", "1:*", "(FLAGS)")
            result: dict[int, set[str]] = {}
            for line in data:
                if not line:
                    continue
                text = line.decode() if isinstance(line, bytes) else str(line)
                uid = int(text.split("UID ")[1].split()[0].rstrip(")"))
                flags = text.split("FLAGS (")[1].split(")")[0]
                result[uid] = set(flags.split())
            return result
        finally:
            connection.logout()


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'
