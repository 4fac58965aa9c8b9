"""IMAP polling: the worker fetches each new message of a mailbox's IMAP folder, hands
its raw bytes to `services.ingest` (the same path as the pipe), and only once the
message is stored moves it to another folder or flags it.

Nothing is lost and nothing is taken twice:
- a message is moved or flagged only after `ingest` has committed it; a crash (or a
  refused MOVE) in between leaves it in the folder, it is fetched again next time, and
  `ingest` recognises it (Message-ID, or content hash) and stores nothing new;
- UIDs above the last one taken are fetched (`BODY.PEEK[]`, so nothing is marked read
  before it is stored); when the folder's UIDVALIDITY changes, the folder is looked
  at from the start again, for the same reason;
- a message that cannot be processed is quarantined by `ingest` and does not hold the
  others back; one the mailbox refuses (empty, too large, unknown sender on a mailbox
  that refuses them) is left in the folder for a person to see;
- the database being unavailable, or the server failing mid-way, ends the poll: what
  was not stored stays in the folder for the next one.
The outcome of each poll (when, and the last error, in the organization's language)
is recorded on the mailbox's IMAP account, which the mailbox page shows.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import imaplib
import logging
import re
import ssl
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from atiende.core import secrets
from atiende.mail import oauth
from atiende.mail.models import ImapAccount, ImapAfter, ImapAuth, ImapSecurity
from atiende.mail.services import Action, TransientFailure, ingest

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 30
BATCH = 500  # messages per poll at most; the next poll takes the rest
FETCH_CHUNK = 25  # messages fetched, then moved or flagged, per command
_FETCHED_UID = re.compile(rb"UID (\d+)")


def _uid_set(uids: list[int]) -> str:
    return ",".join(str(uid) for uid in uids)
LEASE = dt.timedelta(minutes=15)  # a poll longer than this is presumed dead
SOURCE = "imap"


class PollFailed(Exception):
    """What stopped a poll, in words for the mailbox's administrator."""


@dataclass
class PollReport:
    """What one poll of one mailbox did."""

    address: str
    fetched: int = 0
    actions: Counter = field(default_factory=Counter)
    error: str = ""
    skipped: bool = False  # another worker was polling it

    def describe(self) -> str:
        if self.skipped:
            return f"{self.address}: " + _("being polled by another worker")
        done = ", ".join(f"{count} {action}" for action, count in sorted(self.actions.items()))
        line = f"{self.address}: " + _("%(count)d fetched") % {"count": self.fetched}
        if done:
            line += f" ({done})"
        if self.error:
            line += " · " + _("error: %(error)s") % {"error": self.error}
        return line


def folder_name(name: str) -> str:
    """A folder name as IMAP writes it: modified UTF-7 (RFC 3501 §5.1.3), so
    “Atención” reaches the server as “Atenci&APM-n”."""
    encoded: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            packed = base64.b64encode("".join(pending).encode("utf-16-be")).decode()
            encoded.append("&" + packed.rstrip("=").replace("/", ",") + "-")
            pending.clear()

    for character in name:
        if 0x20 <= ord(character) <= 0x7E:
            flush()
            encoded.append("&-" if character == "&" else character)
        else:
            pending.append(character)
    flush()
    return "".join(encoded)


def _quoted(name: str) -> str:
    """A folder name as an IMAP quoted string."""
    name = folder_name(name)
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _error_text(error: BaseException) -> str:
    """An imaplib or socket error in words (imaplib wraps the server's bytes)."""
    argument = error.args[0] if len(error.args) == 1 else None
    if isinstance(argument, bytes):
        return argument.decode("utf-8", "replace").strip()[:500]
    return str(error).strip()[:500] or type(error).__name__


def _server_text(data: object) -> str:
    """The text of a server's answer (imaplib gives lists of bytes)."""
    parts = data if isinstance(data, list | tuple) else [data]
    text = " ".join(part.decode("utf-8", "replace") if isinstance(part, bytes) else str(part)
                    for part in parts if part is not None)
    return text.strip()[:500]


class Session:
    """One signed-in connection to an account's server, with its folder selected."""

    def __init__(self, account: ImapAccount,
                 token_source: Callable[[ImapAccount], str] | None = None) -> None:
        self.account = account
        self.connection = self._connect()
        try:
            self._sign_in(token_source or access_token)
            self.capabilities = {str(c).upper() for c in self.connection.capabilities}
            self._refresh_capabilities()
        except BaseException:
            self.close()
            raise

    def _connect(self) -> imaplib.IMAP4:
        account = self.account
        where = {"host": account.host, "port": account.port}
        try:
            if account.security == ImapSecurity.TLS:
                return imaplib.IMAP4_SSL(account.host, account.port,
                                         ssl_context=ssl.create_default_context(),
                                         timeout=TIMEOUT_SECONDS)
            connection = imaplib.IMAP4(account.host, account.port, timeout=TIMEOUT_SECONDS)
            if account.security == ImapSecurity.STARTTLS:
                connection.starttls(ssl_context=ssl.create_default_context())
            return connection
        except ssl.SSLError as error:
            raise PollFailed(_("The secure connection to %(host)s:%(port)s failed: "
                               "%(detail)s") % {**where, "detail": _error_text(error)}) from None
        except (OSError, imaplib.IMAP4.error) as error:
            raise PollFailed(_("Could not connect to %(host)s:%(port)s: %(detail)s")
                             % {**where, "detail": _error_text(error)}) from None

    def _sign_in(self, token_source: Callable[[ImapAccount], str]) -> None:
        account = self.account
        try:
            if account.auth == ImapAuth.PASSWORD:
                self.connection.login(account.username, secrets.reveal(account.secret))
                return
            initial = oauth.xoauth2(account.username, token_source(account))
            sent = []

            def respond(challenge: bytes) -> bytes:
                # The first answer is the token; a second challenge is the server's
                # error report, to which the client answers empty (RFC 7628).
                sent.append(challenge)
                return initial if len(sent) == 1 else b""

            self.connection.authenticate("XOAUTH2", respond)
        except secrets.SecretUnreadable as error:
            raise PollFailed(str(error)) from None
        except oauth.TokenError as error:
            raise PollFailed(_("Could not get an OAuth2 access token: %(detail)s")
                             % {"detail": error}) from None
        except imaplib.IMAP4.error as error:
            raise PollFailed(_("The server refused to sign in %(user)s: %(detail)s")
                             % {"user": account.username, "detail": _error_text(error)}) from None

    def _refresh_capabilities(self) -> None:
        status, data = self.connection.capability()
        if status == "OK" and data:
            words = b" ".join(line for line in data if isinstance(line, bytes)).split()
            self.capabilities = {word.decode("ascii", "replace").upper() for word in words}

    def close(self) -> None:
        with contextlib.suppress(OSError, imaplib.IMAP4.error, AttributeError):
            self.connection.logout()

    def _command(self, *arguments: str) -> list:
        status, data = self.connection.uid(*arguments)
        if status != "OK":
            raise PollFailed(_("The server refused %(command)s: %(detail)s")
                             % {"command": arguments[0], "detail": _server_text(data)})
        return data

    def select(self) -> int:
        """Select the folder (read-write); its UIDVALIDITY."""
        folder = self.account.folder
        status, data = self.connection.select(_quoted(folder))
        if status != "OK":
            raise PollFailed(_("The folder %(folder)s could not be opened: %(detail)s")
                             % {"folder": folder, "detail": _server_text(data)})
        _name, values = self.connection.response("UIDVALIDITY")
        try:
            return int(values[-1])
        except (TypeError, ValueError, IndexError):
            return 0

    def new_uids(self, after_uid: int) -> list[int]:
        criteria = [f"UID {after_uid + 1}:*"]
        if self.account.after == ImapAfter.KEYWORD:
            criteria.append(f"UNKEYWORD {self.account.after_target}")
        data = self._command("SEARCH", *criteria)
        words = b" ".join(line for line in data if isinstance(line, bytes)).split()
        uids = sorted({int(word) for word in words if word.isdigit()})
        # "n:*" always matches the folder's last message, even below n.
        return [uid for uid in uids if uid > after_uid]

    def fetch(self, uids: list[int]) -> dict[int, bytes]:
        """The messages exactly as stored on the server, by UID, in one command (a
        message that has gone is missing)."""
        data = self._command("FETCH", _uid_set(uids), "(UID BODY.PEEK[])")
        found: dict[int, bytes] = {}
        pending: bytes | None = None
        for item in data:
            if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], bytes):
                pending = item[1]
                match = _FETCHED_UID.search(item[0])
            elif isinstance(item, bytes) and pending is not None:
                match = _FETCHED_UID.search(item)  # the UID after the message
            else:
                continue
            if match and pending is not None:
                found[int(match.group(1))] = pending
                pending = None
        return found

    def ensure_target_folder(self) -> None:
        if self.account.after == ImapAfter.MOVE:
            # Answered NO when it exists already: that is fine.
            self.connection.create(_quoted(self.account.after_target))

    def mark_processed(self, uids: list[int]) -> None:
        """Move or flag the messages, as the account says."""
        account = self.account
        uid = _uid_set(uids)
        if account.after == ImapAfter.SEEN:
            self._command("STORE", str(uid), "+FLAGS.SILENT", r"(\Seen)")
        elif account.after == ImapAfter.KEYWORD:
            self._command("STORE", str(uid), "+FLAGS.SILENT", f"({account.after_target})")
        elif "MOVE" in self.capabilities:
            self._command("MOVE", str(uid), _quoted(account.after_target))
        else:
            self._command("COPY", str(uid), _quoted(account.after_target))
            self._command("STORE", str(uid), "+FLAGS.SILENT", r"(\Deleted)")
            if "UIDPLUS" in self.capabilities:
                self._command("EXPUNGE", str(uid))
            else:
                self.connection.expunge()


def access_token(account: ImapAccount, *, keep_rotated: bool = True) -> str:
    """A fresh OAuth2 access token for the account; a refresh token the provider
    rotates is kept for next time (unless `keep_rotated` is false: a connection test
    writes nothing)."""
    token = oauth.request_token(
        token_url=account.oauth_token_url, client_id=account.oauth_client_id,
        client_secret=secrets.reveal(account.secret), scope=account.oauth_scope,
        refresh_token=secrets.reveal(account.oauth_refresh_token)
        if account.auth == ImapAuth.OAUTH2_REFRESH
        else "")
    if keep_rotated and token.refresh_token and account.auth == ImapAuth.OAUTH2_REFRESH \
            and token.refresh_token != account.oauth_refresh_token:
        ImapAccount.objects.filter(pk=account.pk).update(oauth_refresh_token=token.refresh_token)
        account.oauth_refresh_token = token.refresh_token
    return token.access_token


def connection_test(account: ImapAccount) -> int:
    """Connect, sign in and open the folder read-only (EXAMINE), as a poll would, and
    say how many messages it holds. Writes nothing, here or on the server (a refresh
    token the provider rotates is not kept). PollFailed says precisely what failed."""
    session = Session(account, lambda chosen: access_token(chosen, keep_rotated=False))
    try:
        folder = account.folder
        status, data = session.connection.select(_quoted(folder), readonly=True)
        if status != "OK":
            raise PollFailed(_("The folder %(folder)s could not be opened: %(detail)s")
                             % {"folder": folder, "detail": _server_text(data)})
        try:
            return int(data[0])
        except (TypeError, ValueError, IndexError):
            return 0
    except (OSError, imaplib.IMAP4.error) as error:
        raise PollFailed(_("The connection to the server failed: %(detail)s") % {
            "detail": _error_text(error)}) from None
    finally:
        session.close()


# --- polling ----------------------------------------------------------------------------


def _claim(account: ImapAccount, now: dt.datetime) -> bool:
    free = Q(polling_until__isnull=True) | Q(polling_until__lt=now)
    return ImapAccount.objects.filter(free, pk=account.pk).update(
        polling_until=now + LEASE) == 1


def _record(account: ImapAccount, report: PollReport, started: dt.datetime) -> None:
    """The poll's outcome on the account (a plain UPDATE: an administrator's change of
    the settings meanwhile is not overwritten)."""
    now = timezone.now()
    values = {"polling_until": None, "last_polled_at": started}
    if report.error:
        values |= {"last_error": report.error[:2000], "last_error_at": now}
    else:
        values |= {"last_error": "", "last_success_at": now}
    ImapAccount.objects.filter(pk=account.pk).update(**values)
    for name, value in values.items():
        setattr(account, name, value)


def _remember_uid(account: ImapAccount, *, uid_validity: int, last_uid: int) -> None:
    ImapAccount.objects.filter(pk=account.pk).update(uid_validity=uid_validity,
                                                     last_uid=last_uid)
    account.uid_validity, account.last_uid = uid_validity, last_uid


def poll_account(account: ImapAccount, *, batch: int = BATCH,
                 token_source: Callable[[ImapAccount], str] | None = None) -> PollReport:
    """Fetch and ingest the account's new messages (at most `batch`), moving or
    flagging each once stored. Never raises for what the server or a message does:
    the report (and the account) carry the error."""
    mailbox = account.mailbox
    report = PollReport(address=mailbox.address)
    started = timezone.now()
    if not _claim(account, started):
        report.skipped = True
        return report
    with translation.override(mailbox.organization.language):
        try:
            _poll(account, report, batch=batch, token_source=token_source)
        except PollFailed as failure:
            report.error = str(failure)
        except (OSError, imaplib.IMAP4.error) as error:
            report.error = _("The connection to the server failed: %(detail)s") % {
                "detail": _error_text(error)}
        except TransientFailure as error:
            report.error = _("The database was unavailable; the message stays on the "
                             "server for the next poll: %(detail)s") % {"detail": error}
        except Exception as error:  # recorded and logged; the next mailbox is polled
            logger.exception("Polling %s failed", mailbox.address)
            report.error = f"{type(error).__name__}: {error}"
        finally:
            _record(account, report, started)
    if report.error:
        logger.warning("IMAP poll of %s: %s", mailbox.address, report.error)
    return report


def _poll(account: ImapAccount, report: PollReport, *, batch: int,
          token_source: Callable[[ImapAccount], str] | None) -> None:
    session = Session(account, token_source)
    try:
        uid_validity = session.select()
        last_uid = account.last_uid if account.uid_validity == uid_validity else 0
        if last_uid != account.last_uid or account.uid_validity != uid_validity:
            _remember_uid(account, uid_validity=uid_validity, last_uid=last_uid)
        uids = session.new_uids(last_uid)[:batch]
        if uids:
            session.ensure_target_folder()
        # A few messages per round trip; each is stored before any of them leaves the
        # folder, and a failure half-way leaves the chunk to the next poll (ingest
        # knows the ones already stored).
        for start in range(0, len(uids), FETCH_CHUNK):
            chunk = uids[start:start + FETCH_CHUNK]
            messages, stored = session.fetch(chunk), []
            for uid in chunk:
                raw = messages.get(uid)
                if raw is None:
                    continue
                report.fetched += 1
                outcome = ingest(mailbox=account.mailbox, raw=raw, source=SOURCE)
                report.actions[outcome.action] += 1
                if outcome.action != Action.REFUSED:
                    stored.append(uid)
            if stored:
                session.mark_processed(stored)
            _remember_uid(account, uid_validity=uid_validity, last_uid=chunk[-1])
    finally:
        session.close()


def accounts_to_poll(address: str | None = None):
    accounts = (ImapAccount.objects.filter(is_enabled=True, mailbox__is_active=True,
                                           mailbox__organization__is_active=True)
                .select_related("mailbox__organization", "mailbox__department")
                .order_by("mailbox__address"))
    if address is not None:
        accounts = accounts.filter(mailbox__address=address.strip().lower())
    return accounts


def poll_all(address: str | None = None) -> list[PollReport]:
    """Poll every enabled IMAP account of an active mailbox (or the one of `address`),
    one after the other; one account's failure does not stop the others."""
    return [poll_account(account) for account in accounts_to_poll(address)]


_KEYWORD = re.compile(r"^[A-Za-z0-9_.$-]{1,100}$")


def valid_keyword(value: str) -> bool:
    """An IMAP keyword (an atom; system flags such as \\Seen are not keywords)."""
    return bool(_KEYWORD.match(value))
