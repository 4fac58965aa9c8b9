"""The project's own errors. Services raise them; the web UI and the API map them once.

Every error has a stable `code` (for programs) and a message in the active language
(for people). Field errors carry one message per field.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class AtiendeError(Exception):
    status = 400
    code = "bad_request"
    default_message = _("The request could not be processed.")

    def __init__(self, message: str | None = None, *, code: str | None = None) -> None:
        self.message = str(message or self.default_message)
        if code:
            self.code = code
        super().__init__(self.message)


class NotFound(AtiendeError):
    """Missing, or not visible to the actor: both look the same from outside."""

    status = 404
    code = "not_found"
    default_message = _("Not found.")


class PermissionDenied(AtiendeError):
    """The actor may see the thing but not do this to it."""

    status = 403
    code = "permission_denied"
    default_message = _("You do not have permission to do this.")


class Conflict(AtiendeError):
    status = 409
    code = "conflict"
    default_message = _("This conflicts with the current state.")


class FileTooLarge(AtiendeError):
    """An uploaded file is larger than the configured limit."""

    status = 413
    code = "file_too_large"
    default_message = _("The file is too large.")


class FileTypeRefused(AtiendeError):
    """An uploaded file's type is not allowed, or its content is not what its name says."""

    status = 415
    code = "file_type_refused"
    default_message = _("Files of this type are not accepted.")


class ValidationFailed(AtiendeError):
    status = 422
    code = "validation_failed"
    default_message = _("Some values are not valid.")

    def __init__(
        self, fields: dict[str, str] | None = None, message: str | None = None, *,
        code: str | None = None,
    ) -> None:
        self.fields = {name: str(text) for name, text in (fields or {}).items()}
        super().__init__(message, code=code)
