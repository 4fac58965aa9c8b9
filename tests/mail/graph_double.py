"""A strict local double of the Microsoft Graph endpoints Atiende calls, served over
real HTTP on a loopback port (14400-14499), with the Entra ID token endpoint beside it.

It answers only what is documented, in the documented shapes, and refuses everything
else with Graph's error shape (`{"error": {"code", "message", "innerError"}}`; the token
endpoint's own `{"error", "error_description", "error_codes"}`):

- POST /{tenant}/oauth2/v2.0/token: form-encoded client credentials, the scope
  https://graph.microsoft.com/.default; tokens expire (`expires_in`);
- GET /v1.0/users/{mailbox}/mailFolders/inbox/messages/delta: only the documented query
  options on the first call (`$select`, `$top`, `$expand`, `$filter` on receivedDateTime,
  `$orderby=receivedDateTime desc`, `changeType`), only `$skiptoken`/`$deltatoken` on
  the links it returns; pages of `Prefer: odata.maxpagesize` items, `@odata.nextLink`
  until the last page, which carries `@odata.deltaLink`;
- GET /v1.0/users/{mailbox}/messages/{id}/$value: the MIME;
- PATCH /v1.0/users/{mailbox}/messages/{id} with `{"isRead": bool}`;
- POST /v1.0/users/{mailbox}/messages/{id}/move with `{"destinationId": ...}`;
- POST /v1.0/users/{mailbox}/sendMail: MIME, base64, as `Content-Type: text/plain`.

Every Graph request needs a valid bearer token of an application allowed (by its
permissions) to do it. `throttle(n, retry_after)` makes the next n Graph requests
answer 429 with Retry-After. `requests` records what came in; `sent` the mail sent.
"""

from __future__ import annotations

import base64
import binascii
import email
import email.policy
import itertools
import json
import re
import secrets
import socket
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.loopback import PORTS, serve_http

SCOPE = "https://graph.microsoft.com/.default"
WELL_KNOWN_FOLDERS = {"inbox", "archive", "deleteditems", "junkemail", "drafts", "sentitems"}
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
FIRST_CALL_OPTIONS = {"$select", "$top", "$expand", "$filter", "$orderby", "changeType"}
MESSAGE_FIELDS = {"id", "isRead", "internetMessageId", "receivedDateTime", "subject",
                  "parentFolderId", "conversationId", "hasAttachments", "from", "bodyPreview"}


@dataclass
class App:
    tenant_id: str
    client_id: str
    client_secret: str
    permissions: set[str] = field(default_factory=lambda: {"Mail.ReadWrite", "Mail.Send"})


@dataclass
class StoredMessage:
    id: str
    mailbox: str
    mime: bytes
    sequence: int
    received: str
    folder: str = "inbox"
    is_read: bool = False

    def resource(self, selected: set[str] | None) -> dict:
        parsed = email.message_from_bytes(self.mime, policy=email.policy.default)
        full = {
            "id": self.id, "isRead": self.is_read, "receivedDateTime": self.received,
            "internetMessageId": str(parsed.get("Message-ID", "")),
            "subject": str(parsed.get("Subject", "")), "parentFolderId": self.folder,
            "conversationId": "conv-" + self.id[:8], "hasAttachments": False,
            "bodyPreview": "", "from": {"emailAddress": {"name": "", "address": ""}},
        }
        if selected:
            return {key: value for key, value in full.items() if key in selected or key == "id"}
        return full


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes


class GraphDouble:
    def __init__(self) -> None:
        self.apps: dict[tuple[str, str], App] = {}
        self.mailboxes: set[str] = set()
        self.messages: dict[str, StoredMessage] = {}
        self.tokens: dict[str, tuple[App, float]] = {}
        self.token_requests = 0
        self.token_lifetime = 3599
        self.requests: list[Recorded] = []
        self.sent: list[tuple[str, email.message.EmailMessage]] = []
        self.throttled: list[tuple[int, str]] = []  # (status, Retry-After) still to answer
        self.default_page_size = 10
        self._sequence = itertools.count(1)
        self._lock = threading.Lock()
        self.server: ThreadingHTTPServer | None = None

    # --- set-up by the tests ----------------------------------------------------------

    def add_app(self, tenant_id: str, client_id: str, client_secret: str,
                permissions: set[str] | None = None) -> App:
        app = App(tenant_id.lower(), client_id.lower(), client_secret)
        if permissions is not None:
            app.permissions = permissions
        self.apps[(app.tenant_id, app.client_id)] = app
        return app

    def add_mailbox(self, address: str) -> None:
        self.mailboxes.add(address.lower())

    def deliver(self, mailbox: str, mime: bytes, *, is_read: bool = False,
                received: str = "2026-11-24T13:00:00Z") -> StoredMessage:
        """A message arrives in `mailbox`'s Inbox."""
        with self._lock:
            message = StoredMessage(
                id="AAMkAG" + base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
                + "/+=", mailbox=mailbox.lower(), mime=mime, sequence=next(self._sequence),
                received=received, is_read=is_read)
            self.messages[message.id] = message
        return message

    def throttle(self, times: int, retry_after: int | str = 1, status: int = 429) -> None:
        """The next `times` Graph requests answer `status` (429, or 503) with Retry-After."""
        self.throttled.extend([(status, str(retry_after))] * times)

    def expire_tokens(self) -> None:
        self.tokens = {token: (app, 0.0) for token, (app, _) in self.tokens.items()}

    @property
    def base_url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def graph_requests(self, method: str | None = None) -> list[Recorded]:
        return [item for item in self.requests if item.path.startswith("/v1.0/")
                and (method is None or item.method == method)]

    # --- the server -------------------------------------------------------------------

    def start(self) -> None:
        self.server = serve_http(type("Handler", (_Handler,), {"double": self}))

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


def free_port() -> int:
    for port in PORTS:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("No free loopback port in 14400-14499")


class _Refusal(Exception):
    def __init__(self, status: int, code: str, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers or {}


def _graph_error(status: int, code: str, message: str) -> dict:
    return {"error": {"code": code, "message": message, "innerError": {
        "date": time.strftime("%Y-%m-%dT%H:%M:%S"), "request-id": str(uuid.uuid4()),
        "client-request-id": str(uuid.uuid4())}}}


class _Handler(BaseHTTPRequestHandler):
    double: GraphDouble
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args) -> None:  # quiet
        return

    def _answer(self, status: int, payload: dict | bytes | None = None,
                content_type: str = "application/json", headers: dict | None = None) -> None:
        body = json.dumps(payload).encode() if isinstance(payload, dict) else payload or b""
        self.send_response(status)
        if body:
            self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        split = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(split.query, keep_blank_values=True)
        double = self.double
        double.requests.append(Recorded(self.command, split.path, query,
                                        {k.lower(): v for k, v in self.headers.items()}, body))
        if split.path.endswith("/oauth2/v2.0/token"):
            return self._token(split.path, body)
        if not split.path.startswith("/v1.0/"):
            return self._answer(404, _graph_error(404, "BadRequest", "Unknown path."))
        try:
            app = self._authenticated()
            if double.throttled:
                status, retry_after = double.throttled.pop(0)
                code = "TooManyRequests" if status == 429 else "ServiceUnavailable"
                raise _Refusal(status, code, "Too many requests." if status == 429 else
                               "The service is temporarily unavailable.",
                               {"Retry-After": retry_after})
            self._graph(app, split.path, query, body)
        except _Refusal as refusal:
            self._answer(refusal.status, _graph_error(refusal.status, refusal.code,
                                                      refusal.message), headers=refusal.headers)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _handle

    # --- Entra ID ---------------------------------------------------------------------

    def _token_error(self, status: int, error: str, code: int, description: str) -> None:
        self._answer(status, {"error": error, "error_description": f"AADSTS{code}: {description}",
                              "error_codes": [code], "timestamp": time.strftime("%F %T"),
                              "trace_id": str(uuid.uuid4()), "correlation_id": str(uuid.uuid4())})

    def _token(self, path: str, body: bytes) -> None:
        double = self.double
        tenant = urllib.parse.unquote(path.split("/")[1]).lower()
        if self.command != "POST":
            return self._token_error(405, "invalid_request", 900561,
                                     "The endpoint only accepts POST requests.")
        if not self.headers.get("Content-Type", "").startswith(
                "application/x-www-form-urlencoded"):
            return self._token_error(400, "invalid_request", 900144,
                                     "The request body must contain the following parameter: "
                                     "'grant_type'.")
        form = {key: values[0] for key, values in urllib.parse.parse_qs(body.decode()).items()}
        if not any(app.tenant_id == tenant for app in double.apps.values()):
            return self._token_error(400, "invalid_request", 90002,
                                     f"Tenant '{tenant}' not found.")
        if form.get("grant_type") != "client_credentials":
            return self._token_error(400, "unsupported_grant_type", 70003,
                                     "The app requested an unsupported grant type.")
        app = double.apps.get((tenant, form.get("client_id", "").lower()))
        if app is None:
            return self._token_error(400, "unauthorized_client", 700016,
                                     "Application was not found in the directory.")
        if form.get("client_secret") != app.client_secret:
            return self._token_error(401, "invalid_client", 7000215,
                                     "Invalid client secret provided.")
        if form.get("scope") != SCOPE:
            return self._token_error(400, "invalid_scope", 1002012,
                                     "The provided value for scope is not valid.")
        token = "eyJ0eXAiOiJKV1QifQ." + secrets.token_urlsafe(24)
        double.tokens[token] = (app, time.monotonic() + double.token_lifetime)
        double.token_requests += 1
        self._answer(200, {"token_type": "Bearer", "expires_in": double.token_lifetime,
                           "ext_expires_in": double.token_lifetime, "access_token": token})

    # --- Graph ------------------------------------------------------------------------

    def _authenticated(self) -> App:
        header = self.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            raise _Refusal(401, "InvalidAuthenticationToken", "Access token is empty.")
        known = self.double.tokens.get(header[len("Bearer "):])
        if known is None:
            raise _Refusal(401, "InvalidAuthenticationToken", "Access token validation failure.")
        if known[1] <= time.monotonic():
            raise _Refusal(401, "InvalidAuthenticationToken", "Lifetime validation failed, "
                           "the token is expired.")
        return known[0]

    def _mailbox(self, upn: str) -> str:
        address = urllib.parse.unquote(upn).lower()
        if address not in self.double.mailboxes:
            raise _Refusal(404, "ErrorInvalidUser", f"The requested user '{address}' is invalid.")
        return address

    def _message(self, mailbox: str, encoded_id: str) -> StoredMessage:
        message = self.double.messages.get(urllib.parse.unquote(encoded_id))
        if message is None or message.mailbox != mailbox:
            raise _Refusal(404, "ErrorItemNotFound", "The specified object was not found in "
                           "the store.")
        return message

    @staticmethod
    def _needs(app: App, *permissions: str) -> None:
        if not app.permissions & set(permissions):
            raise _Refusal(403, "ErrorAccessDenied", "Access is denied. Check credentials and "
                           "try again.")

    def _json_body(self, body: bytes) -> dict:
        if not self.headers.get("Content-Type", "").startswith("application/json"):
            raise _Refusal(415, "UnsupportedMediaType", "A JSON body is required.")
        try:
            payload = json.loads(body)
        except ValueError:
            raise _Refusal(400, "BadRequest", "Unable to read JSON request payload.") from None
        if not isinstance(payload, dict):
            raise _Refusal(400, "BadRequest", "The request payload must be a JSON object.")
        return payload

    def _graph(self, app: App, path: str, query: dict, body: bytes) -> None:
        parts = path.split("/")[2:]  # after "", "v1.0"
        if len(parts) < 3 or parts[0] != "users":
            raise _Refusal(400, "BadRequest", f"Resource not found for the segment "
                           f"'{parts[0] if parts else ''}'.")
        mailbox = self._mailbox(parts[1])
        rest, method = parts[2:], self.command
        if rest == ["mailFolders", "inbox", "messages", "delta"] and method == "GET":
            self._needs(app, "Mail.Read", "Mail.ReadWrite")
            return self._delta(mailbox, query)
        if rest == ["sendMail"] and method == "POST":
            self._needs(app, "Mail.Send")
            return self._send_mail(mailbox, body)
        if len(rest) >= 2 and rest[0] == "messages":
            message = self._message(mailbox, rest[1])
            if rest[2:] == ["$value"] and method == "GET" and not query:
                self._needs(app, "Mail.Read", "Mail.ReadWrite")
                return self._answer(200, message.mime, content_type="text/plain")
            if rest[2:] == [] and method == "PATCH" and not query:
                self._needs(app, "Mail.ReadWrite")
                payload = self._json_body(body)
                if set(payload) != {"isRead"} or not isinstance(payload["isRead"], bool):
                    raise _Refusal(400, "ErrorInvalidProperty", "Only isRead (a boolean) may "
                                   "be changed here.")
                message.is_read = payload["isRead"]
                return self._answer(200, message.resource(None))
            if rest[2:] == ["move"] and method == "POST" and not query:
                self._needs(app, "Mail.ReadWrite")
                payload = self._json_body(body)
                destination = payload.get("destinationId")
                if set(payload) != {"destinationId"} or not isinstance(destination, str) \
                        or not destination:
                    raise _Refusal(400, "ErrorInvalidIdMalformed", "destinationId is required.")
                if destination.lower() not in WELL_KNOWN_FOLDERS and not destination.startswith(
                        "AAMkAG"):
                    raise _Refusal(404, "ErrorItemNotFound", "The specified folder could not "
                                   "be found in the store.")
                message.folder = destination
                return self._answer(201, message.resource(None))
        raise _Refusal(400, "BadRequest", f"Unsupported request: {method} {path}")

    def _delta(self, mailbox: str, query: dict) -> None:
        double = self.double
        single = {key: values[0] for key, values in query.items()}
        if any(len(values) > 1 for values in query.values()):
            raise _Refusal(400, "BadRequest", "A query option was given twice.")
        if "$skiptoken" in single or "$deltatoken" in single:
            if len(single) != 1:
                raise _Refusal(400, "BadRequest", "Query options are encoded in the state "
                               "token; pass them only on the first call.")
            state = _decode_state(single.get("$skiptoken") or single["$deltatoken"])
        else:
            unknown = set(single) - FIRST_CALL_OPTIONS
            if unknown:
                raise _Refusal(400, "BadRequest", f"Query option '{sorted(unknown)[0]}' is "
                               "not supported by delta.")
            if "$filter" in single and not re.fullmatch(
                    r"receivedDateTime (ge|gt) \S+", single["$filter"]):
                raise _Refusal(400, "BadRequest", "Only receivedDateTime ge|gt is supported.")
            if single.get("$orderby", "receivedDateTime desc") != "receivedDateTime desc":
                raise _Refusal(400, "BadRequest", "Only $orderby=receivedDateTime desc.")
            if single.get("changeType", "created") not in {"created", "updated", "deleted"}:
                raise _Refusal(400, "BadRequest", "changeType: created, updated or deleted.")
            selected = single.get("$select", "")
            fields = {name.strip() for name in selected.split(",") if name.strip()}
            if fields - MESSAGE_FIELDS:
                raise _Refusal(400, "BadRequest", f"Could not find a property named "
                               f"'{sorted(fields - MESSAGE_FIELDS)[0]}' on type "
                               "'microsoft.graph.message'.")
            state = {"since": 0, "offset": 0, "until": None, "select": sorted(fields),
                     "mailbox": mailbox}
        if state.get("mailbox") != mailbox:
            raise _Refusal(400, "BadRequest", "The state token belongs to another mailbox.")
        prefer = self.headers.get("Prefer", "")
        size_match = re.search(r"odata\.maxpagesize=(\d+)", prefer)
        size = int(size_match.group(1)) if size_match else double.default_page_size
        with double._lock:
            until = state["until"] or max((m.sequence for m in double.messages.values()),
                                          default=0)
            changes = sorted((m for m in double.messages.values()
                              if m.mailbox == mailbox and m.folder == "inbox"
                              and state["since"] < m.sequence <= until),
                             key=lambda m: m.sequence)
        page = changes[state["offset"]:state["offset"] + size]
        base = (f"{double.base_url}/v1.0/users/{urllib.parse.quote(mailbox)}"
                "/mailFolders/inbox/messages/delta")
        payload = {"@odata.context": f"{double.base_url}/v1.0/$metadata#Collection(message)",
                   "value": [m.resource(set(state["select"])) for m in page]}
        if state["offset"] + size < len(changes):
            token = _encode_state({**state, "offset": state["offset"] + size, "until": until})
            payload["@odata.nextLink"] = f"{base}?$skiptoken={token}"
        else:
            token = _encode_state({**state, "since": until, "offset": 0, "until": None})
            payload["@odata.deltaLink"] = f"{base}?$deltatoken={token}"
        self._answer(200, payload)

    def _send_mail(self, mailbox: str, body: bytes) -> None:
        if not self.headers.get("Content-Type", "").startswith("text/plain"):
            raise _Refusal(400, "ErrorMimeContentInvalid", "This double accepts MIME only "
                           "(Content-Type: text/plain).")
        try:
            raw = base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            raise _Refusal(400, "ErrorMimeContentInvalidBase64String",
                           "Invalid base64 string for MIME content.") from None
        message = email.message_from_bytes(raw, policy=email.policy.default)
        if not message["To"] or not message["From"]:
            raise _Refusal(400, "ErrorMimeContentInvalid", "The MIME content has no "
                           "recipients or no sender.")
        self.double.sent.append((mailbox, message))
        self._answer(202)


def _encode_state(state: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(state).encode()).decode().rstrip("=")


def _decode_state(token: str) -> dict:
    try:
        return json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (ValueError, binascii.Error):
        raise _Refusal(400, "BadRequest", "The state token is not valid.") from None
