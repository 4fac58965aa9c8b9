"""One mapping from every error to an RFC 9457 problem document.

`{"type", "title", "status", "detail", "code", "errors": [{"field", "message", "code"}]}`
with `Content-Type: application/problem+json`, in the caller's language.
"""

from __future__ import annotations

import json
import logging

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from atiende.errors import AtiendeError

logger = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"


def _titles() -> dict[int, str]:
    return {
        400: _("Bad request"),
        401: _("Not signed in"),
        403: _("Forbidden"),
        404: _("Not found"),
        405: _("Method not allowed"),
        409: _("Conflict"),
        412: _("Precondition failed"),
        413: _("Request too large"),
        415: _("Unsupported media type"),
        422: _("Invalid data"),
        428: _("Precondition required"),
        429: _("Too many requests"),
        500: _("Server error"),
    }


def problem(
    status: int, code: str, detail: str, errors: list[dict] | None = None
) -> HttpResponse:
    body = {
        "type": "about:blank",
        "title": _titles().get(status, _("Error")),
        "status": status,
        "detail": str(detail),
        "code": code,
    }
    if errors is not None:
        body["errors"] = errors
    return HttpResponse(
        json.dumps(body, ensure_ascii=False), status=status, content_type=PROBLEM_CONTENT_TYPE
    )


class ApiAuthenticationFailed(AuthenticationError):
    """Raised by the API's authentication with a precise reason."""

    def __init__(self, code: str) -> None:
        self.code = code
        super().__init__(401, code)


def _authentication_messages() -> dict[str, str]:
    return {
        "not_authenticated": _("Sign in, or send an API token as “Authorization: Bearer …”."),
        "session_expired": _("Your session has expired. Sign in again."),
        "invalid": _("The API token is not valid."),
        "revoked": _("The API token has been revoked."),
        "expired": _("The API token has expired."),
        "inactive": _("The account of this API token is deactivated."),
        "malformed_authorization": _("Use the header “Authorization: Bearer <token>”."),
    }


def _field_message(error: dict) -> str:
    kind = error.get("type", "")
    context = error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind == "extra_forbidden":
        return _("Unknown field.")
    if kind == "string_too_long":
        return _("Use at most %(count)d characters.") % {"count": context.get("max_length", 0)}
    if kind == "string_too_short":
        return _("Use at least %(count)d characters.") % {"count": context.get("min_length", 0)}
    if kind == "nul_character":
        return _("Remove the NUL character from the text.")
    if kind.startswith("string"):
        return _("Enter text.")
    if kind.startswith("int") or kind.startswith("float"):
        return _("Enter a number.")
    if kind.startswith("bool"):
        return _("Enter true or false.")
    if kind.startswith(("datetime", "date", "timezone")):
        return _("Enter a date and time in ISO 8601 format, with its time zone.")
    if kind in ("literal_error", "enum"):
        return _("Not a valid choice.")
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return _("Send a JSON object.")
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        return _("The value is out of range.")
    if kind == "list_type":
        return _("Send a list.")
    if kind == "invalid_cursor":
        return _("This cursor is not valid. Start again from the first page.")
    return _("Enter a valid value.")


def _field_name(location) -> str:
    parts = [str(part) for part in location]
    if parts and parts[0] in {"body", "query", "path", "header", "cookie", "form", "file"}:
        parts = parts[1:]
    if parts and parts[0] == "payload":
        parts = parts[1:]
    return ".".join(parts) or "body"


def install(api: NinjaAPI) -> None:
    @api.exception_handler(AtiendeError)
    def atiende_error(request: HttpRequest, exc: AtiendeError) -> HttpResponse:
        errors = None
        if hasattr(exc, "fields"):
            errors = [
                {"field": name, "message": message, "code": exc.code}
                for name, message in exc.fields.items()
            ]
        return problem(exc.status, exc.code, exc.message, errors)

    @api.exception_handler(NinjaValidationError)
    def validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        errors = [
            {
                "field": _field_name(error.get("loc", ())),
                "message": _field_message(error),
                "code": error.get("type", "invalid"),
            }
            for error in exc.errors
        ]
        return problem(422, "validation_failed", _("Some values are not valid."), errors)

    @api.exception_handler(AuthenticationError)
    def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        code = getattr(exc, "code", "not_authenticated")
        if code == "not_authenticated":
            from atiende.core.auth import session_expired

            if session_expired(request):
                code = "session_expired"
        return problem(401, code, _authentication_messages()[code])

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if exc.status_code == 400 and exc.__cause__ is not None:
            return problem(400, "malformed_body", _("The request body is not valid JSON."))
        if exc.status_code == 403:
            return problem(403, "csrf_failed", _("The CSRF check failed. Reload the page."))
        if exc.status_code == 429:
            return problem(429, "throttled", _("Too many requests. Try again later."))
        return problem(exc.status_code, "http_error", str(exc))

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return problem(404, "not_found", _("Not found."))

    @api.exception_handler(RequestDataTooBig)
    def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return problem(413, "body_too_large", _("The request body is too large."))

    @api.exception_handler(SuspiciousOperation)
    def suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
        return problem(400, "bad_request", _("The request could not be processed."))

    @api.exception_handler(Exception)
    def unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("Unhandled API error", exc_info=exc)
        return problem(500, "server_error", _("Something went wrong on our side. It has been "
                                              "logged; try again."))
