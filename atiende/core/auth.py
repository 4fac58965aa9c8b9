"""Sign-in rules that allauth asks us about."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.urls import reverse


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        # People are created by their organization's admins (or provisioned by SSO),
        # never by signing themselves up.
        return False


SESSION_EXPIRED_COOKIE = "atiende_session_expired"
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


def session_expired(request) -> bool:
    """True when the visitor was signed in and no longer is, without having signed out:
    the request brings the cookie of a session that is gone (expired, or ended
    elsewhere), or the note `note_session_expiry` left on the redirect that led here."""
    if request.user.is_authenticated:
        return False
    return bool(request.COOKIES.get(SESSION_EXPIRED_COOKIE)) or _brings_dead_session(request)


def _brings_dead_session(request) -> bool:
    key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if not key:
        return False
    # Loading a missing or expired session leaves the store without the cookie's key.
    # (`exists()` would not do: the database backend answers True for a row past its
    # expiry date until `clearsessions` removes it.)
    request.session.keys()
    return request.session.session_key != key


def note_session_expiry(request, response, *, expired: bool) -> None:
    """Carry the news of an expired session across the redirect to the sign-in page.

    The session middleware drops the dead session cookie on that redirect, so the
    sign-in page could no longer tell; a short-lived cookie tells it instead, and is
    dropped by the first page that is not a redirect (the one that showed the note)."""
    redirect = response.status_code in _REDIRECTS
    if expired and redirect and not request.user.is_authenticated:
        response.set_cookie(SESSION_EXPIRED_COOKIE, "1", max_age=600, httponly=True,
                            samesite="Lax", secure=settings.SECURE_COOKIES)
    elif request.COOKIES.get(SESSION_EXPIRED_COOKIE) and not redirect:
        response.delete_cookie(SESSION_EXPIRED_COOKIE, samesite="Lax")


def set_password_link(user) -> str:
    """A link that lets `user` choose a password; it stops working once used (the
    token depends on the current password) and after PASSWORD_RESET_TIMEOUT."""
    key = default_token_generator.make_token(user)
    path = reverse(
        "account_reset_password_from_key", kwargs={"uidb36": user_pk_to_url_str(user), "key": key}
    )
    return settings.SITE_URL + path
