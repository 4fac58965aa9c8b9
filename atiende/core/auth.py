"""Sign-in rules that allauth asks us about."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        # People are created by their organization's admins (or provisioned by SSO),
        # never by signing themselves up.
        return False


def session_expired(request) -> bool:
    """True when the request brings a session cookie whose session is gone (expired
    or ended elsewhere): the visitor was signed in and no longer is."""
    if request.user.is_authenticated:
        return False
    key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    return bool(key) and not request.session.exists(key)
