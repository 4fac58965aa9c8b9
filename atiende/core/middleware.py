"""Per-request preferences of the signed-in person (language and time zone), the note
for a visitor whose session ran out, and the request size limit."""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.utils import timezone, translation

from atiende.core.auth import note_session_expiry, session_expired


class UserPreferencesMiddleware:
    """Speak the person's language and show times in their zone.

    Anonymous visitors get the language from the switcher cookie or the browser; one
    whose session ran out is told so on the sign-in page (`note_session_expiry`).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        expired = False
        if user.is_authenticated:
            activate_for(user)
            request.LANGUAGE_CODE = user.language
        else:
            timezone.deactivate()
            expired = session_expired(request)
        response = self.get_response(request)
        note_session_expiry(request, response, expired=expired)
        return response


def activate_for(user) -> None:
    translation.activate(user.language)
    try:
        timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        timezone.deactivate()


class RequestSizeLimitMiddleware:
    """Refuse a body larger than MAX_REQUEST_BODY_BYTES with 413, before reading it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = -1
        if length > settings.MAX_REQUEST_BODY_BYTES or length < 0:
            return self._refuse(request, too_large=length > 0)
        return self.get_response(request)

    @staticmethod
    def _refuse(request, *, too_large: bool):
        from django.shortcuts import render

        from atiende.api.errors import problem

        status = 413 if too_large else 400
        if request.path.startswith("/api/"):
            if too_large:
                return problem(413, "body_too_large", translation.gettext(
                    "The request body is too large."))
            return problem(400, "bad_request", translation.gettext(
                "The Content-Length header is not valid."))
        return render(request, "errors/413.html" if too_large else "errors/400.html",
                      status=status)
