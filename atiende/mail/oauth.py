"""OAuth2 for IMAP (SASL XOAUTH2): an access token from the provider's token endpoint,
and the string the IMAP server is given to sign in with it.

Two grants: the application's own credentials (`client_credentials`: Microsoft 365
app-only access, scope https://outlook.office365.com/.default) and a refresh token an
administrator obtained once (`refresh_token`: Google, or Microsoft delegated access).
The token endpoint is configured per mailbox; the constants below are the usual ones.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

MICROSOFT_TOKEN_URL = "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token"
MICROSOFT_IMAP_SCOPE = "https://outlook.office365.com/.default"
GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token"
GOOGLE_IMAP_SCOPE = "https://mail.google.com/"

TIMEOUT_SECONDS = 20
_MAX_RESPONSE = 1_000_000


class TokenError(Exception):
    """The token endpoint refused, or could not be reached: the reason, as it said."""


@dataclass(frozen=True)
class Token:
    access_token: str
    expires_in: int
    refresh_token: str = ""  # a new one, when the provider rotates them


def microsoft_token_url(tenant: str) -> str:
    return MICROSOFT_TOKEN_URL.format(tenant=urllib.parse.quote(tenant.strip(), safe=""))


def request_token(*, token_url: str, client_id: str, client_secret: str = "",
                  scope: str = "", refresh_token: str = "",
                  timeout: float = TIMEOUT_SECONDS) -> Token:
    """POST the grant to `token_url` (form-encoded, as RFC 6749 says): the refresh
    token grant when `refresh_token` is given, otherwise client credentials. Raises
    TokenError with the endpoint's `error` and `error_description`."""
    form = {"client_id": client_id}
    if refresh_token:
        form |= {"grant_type": "refresh_token", "refresh_token": refresh_token}
    else:
        form |= {"grant_type": "client_credentials"}
    if client_secret:
        form["client_secret"] = client_secret
    if scope:
        form["scope"] = scope
    if urllib.parse.urlsplit(token_url).scheme not in {"https", "http"}:
        raise TokenError(f"{token_url}: not an http(s) address")
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        token_url, data=urllib.parse.urlencode(form).encode("ascii"), method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded",
                 "Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            body = response.read(_MAX_RESPONSE)
    except urllib.error.HTTPError as error:
        raise TokenError(_refusal(error.code, error.read(_MAX_RESPONSE))) from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise TokenError(f"{token_url}: {reason}") from None
    try:
        answer = json.loads(body)
        access_token = str(answer["access_token"])
    except (ValueError, KeyError, TypeError):
        raise TokenError("the token endpoint answered without an access_token") from None
    try:
        expires_in = int(answer.get("expires_in") or 3600)
    except (TypeError, ValueError):
        expires_in = 3600
    return Token(access_token=access_token, expires_in=expires_in,
                 refresh_token=str(answer.get("refresh_token") or ""))


def _refusal(status: int, body: bytes) -> str:
    try:
        answer = json.loads(body)
    except ValueError:
        return f"HTTP {status}"
    if not isinstance(answer, dict):
        return f"HTTP {status}"
    error = str(answer.get("error") or f"HTTP {status}")
    description = str(answer.get("error_description") or "").splitlines()
    return f"{error}: {description[0]}" if description else error


def xoauth2(username: str, access_token: str) -> bytes:
    """The SASL XOAUTH2 initial response, before base64 (imaplib encodes it)."""
    return f"user={username}\x01auth=Bearer {access_token}\x01\x01".encode()
