"""What every page's navigation needs to know about the signed-in person."""

from __future__ import annotations

from atiende.core.auth import session_expired
from atiende.core.scoping import scope_of


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"session_expired": session_expired(request) if user is not None else False}
    scope = scope_of(user)
    return {
        "nav_scope": scope,
        "nav_can_administer": scope.everything or bool(scope.administered_organizations),
        "nav_is_provider_admin": scope.everything,
    }
