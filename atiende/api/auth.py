"""API authentication: a bearer token, or the browser session with its CSRF token."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from ninja.security import APIKeyCookie
from ninja.security.http import HttpBearer
from ninja.utils import check_csrf

from atiende.api.errors import ApiAuthenticationFailed
from atiende.core.middleware import activate_for
from atiende.core.services import token_authenticate
from atiende.errors import PermissionDenied


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`. A header that is present but wrong is refused
    with its reason; the session is not tried in its place."""

    def __call__(self, request: HttpRequest):
        header = request.headers.get("Authorization")
        if header is None:
            return None
        scheme, _, credentials = header.partition(" ")
        if scheme.lower() != "bearer" or not credentials.strip():
            raise ApiAuthenticationFailed("malformed_authorization")
        return self.authenticate(request, credentials.strip())

    def authenticate(self, request: HttpRequest, token: str):
        user, reason = token_authenticate(token)
        if user is None:
            raise ApiAuthenticationFailed(reason)
        request.user = user
        activate_for(user)
        return user


class CsrfFailed(PermissionDenied):
    code = "csrf_failed"


class SessionAuth(APIKeyCookie):
    """The signed-in browser session; unsafe methods need the CSRF token."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest):
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if check_csrf(request) is not None:
            raise CsrfFailed(message=_csrf_message())
        return user


def _csrf_message() -> str:
    from django.utils.translation import gettext

    return gettext("The CSRF check failed. Reload the page and try again.")


def api_auth() -> list:
    return [TokenAuth(), SessionAuth()]
