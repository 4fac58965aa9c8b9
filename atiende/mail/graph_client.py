"""A small Microsoft Graph client: app-only tokens (client credentials) cached until
they expire, and requests that honour throttling.

Graph answers 429 (too many requests) or 503 (busy) with `Retry-After` seconds; a
request waits that long and tries again, up to MAX_THROTTLED_TRIES times, and gives up
(GraphThrottled) when Graph asks for more than MAX_WAIT_SECONDS: the next poll or the
notification's own retry picks up from there. A bearer token is only ever sent to
GRAPH_BASE_URL, whatever links Graph returns.

The base URLs come from settings (GRAPH_BASE_URL, LOGIN_BASE_URL), so that other
clouds, and the tests' local double, can stand in for Microsoft's.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from email.message import Message
from typing import Any

from django.conf import settings

from atiende.mail import oauth

logger = logging.getLogger(__name__)

SCOPE = "https://graph.microsoft.com/.default"
MAX_THROTTLED_TRIES = 4
MAX_WAIT_SECONDS = 30
TOKEN_MARGIN_SECONDS = 60  # a token this close to its expiry is renewed first

# Replaced by tests that count the waits instead of sleeping through them.
sleep = time.sleep


class GraphError(Exception):
    """Graph (or the token endpoint) refused a request: `status` and Graph's error code."""

    def __init__(self, message: str, *, status: int = 0, code: str = "") -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class GraphAuthError(GraphError):
    """The tenant, the application or its secret were refused."""


class GraphThrottled(GraphError):
    """Graph kept asking to wait (429/503): try again later."""


@dataclass(frozen=True)
class Credentials:
    tenant_id: str
    client_id: str
    client_secret: str

    def cache_key(self) -> tuple[str, str, str]:
        secret = hashlib.sha256(self.client_secret.encode()).hexdigest()
        return (self.tenant_id.lower(), self.client_id.lower(), secret)


@dataclass(frozen=True)
class Response:
    status: int
    headers: Message
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body or b"{}")


_tokens: dict[tuple[str, str, str], tuple[str, float]] = {}
_tokens_lock = threading.Lock()


def forget_tokens() -> None:
    """Drop every cached token (a changed secret, or a test starting afresh)."""
    with _tokens_lock:
        _tokens.clear()


def http_send(method: str, url: str, *, headers: dict[str, str], body: bytes | None,
              timeout: float | None = None) -> Response:
    """One HTTP(S) exchange; any status is returned, a network failure is GraphError."""
    if urllib.parse.urlsplit(url).scheme not in ("https", "http"):
        raise GraphError(f"Not an HTTP address: {url[:200]}")
    request = urllib.request.Request(url, data=body, method=method, headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(  # noqa: S310 (scheme checked above)
                request, timeout=timeout or settings.GRAPH_TIMEOUT_SECONDS) as answer:
            return Response(answer.status, answer.headers, answer.read())
    except urllib.error.HTTPError as error:
        with error:
            return Response(error.code, error.headers, error.read())
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise GraphError(f"Microsoft Graph could not be reached: {reason}") from error


def _token_url(tenant_id: str) -> str:
    return (f"{settings.LOGIN_BASE_URL}/{urllib.parse.quote(tenant_id, safe='')}"
            "/oauth2/v2.0/token")


def access_token(credentials: Credentials, *, renew: bool = False) -> str:
    """An app-only token for Graph, from the cache while it is valid for at least
    TOKEN_MARGIN_SECONDS more. Raises GraphAuthError when Entra ID refuses."""
    key = credentials.cache_key()
    with _tokens_lock:
        cached = _tokens.get(key)
    if cached and not renew and cached[1] - TOKEN_MARGIN_SECONDS > time.monotonic():
        return cached[0]
    try:
        answer = oauth.request_token(
            token_url=_token_url(credentials.tenant_id), client_id=credentials.client_id,
            client_secret=credentials.client_secret, scope=SCOPE,
            timeout=settings.GRAPH_TIMEOUT_SECONDS)
    except oauth.TokenError as error:
        raise GraphAuthError(f"Token refused: {error}", code="token_refused") from None
    token = answer.access_token
    expires_at = time.monotonic() + answer.expires_in
    with _tokens_lock:
        _tokens[key] = (token, expires_at)
    return token


def graph_url(path: str, query: dict[str, str] | None = None) -> str:
    """`path` (segments already quoted) under GRAPH_BASE_URL, with `query`."""
    url = f"{settings.GRAPH_BASE_URL}{path}"
    if query:
        url += "?" + urllib.parse.urlencode(query, quote_via=urllib.parse.quote, safe="$,")
    return url


def segment(value: str) -> str:
    """One path segment (a mailbox address, a message id), quoted whole."""
    return urllib.parse.quote(value, safe="@")


def _retry_after(answer: Response) -> float:
    value = (answer.headers.get("Retry-After") or "").strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        return 1.0


def _error(answer: Response) -> GraphError:
    try:
        detail = answer.json().get("error") or {}
    except (ValueError, AttributeError):
        detail = {}
    code = str(detail.get("code") or "") if isinstance(detail, dict) else ""
    message = str(detail.get("message") or "")[:300] if isinstance(detail, dict) else ""
    kind = GraphAuthError if answer.status in (401, 403) else GraphError
    return kind(f"Microsoft Graph answered {answer.status} {code}: {message}".strip(),
                status=answer.status, code=code)


def request(credentials: Credentials, method: str, url: str, *, body: bytes | None = None,
            content_type: str = "", headers: dict[str, str] | None = None,
            expect: tuple[int, ...] = (200,)) -> Response:
    """One Graph request with the application's token. A 401 renews the token once;
    429 and 503 wait as Graph asks. Any other answer than `expect` raises GraphError."""
    if not url.startswith(settings.GRAPH_BASE_URL + "/"):
        raise GraphError(f"Refusing to send a token outside Microsoft Graph: {url[:200]}")
    renewed = False
    throttled = 0
    while True:
        sent = {"Authorization": f"Bearer {access_token(credentials, renew=renewed)}",
                "Accept": "application/json", **(headers or {})}
        if content_type:
            sent["Content-Type"] = content_type
        answer = http_send(method, url, headers=sent, body=body)
        if answer.status in expect:
            return answer
        if answer.status == 401 and not renewed:
            renewed = True
            continue
        if answer.status in (429, 503):
            throttled += 1
            wait = _retry_after(answer)
            if throttled >= MAX_THROTTLED_TRIES or wait > MAX_WAIT_SECONDS:
                raise GraphThrottled(
                    f"Microsoft Graph is throttling (retry after {wait:g} s)",
                    status=answer.status, code="throttled")
            logger.info("Graph throttled (%s); waiting %s s", answer.status, wait)
            sleep(wait)
            continue
        raise _error(answer)
