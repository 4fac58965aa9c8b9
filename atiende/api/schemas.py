"""Base schemas shared by every app's API."""

from __future__ import annotations

from ninja import Schema
from pydantic import ConfigDict


class Input(Schema):
    """Request bodies: an unknown field is an error, never silently ignored."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    def changes(self) -> dict:
        """Only the fields the caller sent (for partial updates)."""
        return self.model_dump(exclude_unset=True)
