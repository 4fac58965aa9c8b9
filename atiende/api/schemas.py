"""Base schemas shared by every app's API."""

from __future__ import annotations

from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import ConfigDict, Strict, field_validator
from pydantic_core import PydanticCustomError

# The id of a record named in a request body. Strict, so that `true` or `1.0` is refused
# instead of silently becoming the record with id 1.
# Ids are 64-bit in the database; a larger number would overflow it instead of finding
# nothing, so it is refused where it enters.
MAX_ID = 2**63 - 1
Id = Annotated[int, Strict(), Field(ge=-MAX_ID, le=MAX_ID)]
# The id of a record named in a query string (where every value arrives as text).
FilterId = Annotated[int, Field(ge=-MAX_ID, le=MAX_ID)]


class _Text(Schema):
    """No text with a NUL character: PostgreSQL cannot store it (nor compare with it), so
    it is refused here as a field error instead of failing in the database."""

    @field_validator("*", mode="after")
    @classmethod
    def _refuse_nul_characters(cls, value: Any) -> Any:
        if isinstance(value, str) and "\x00" in value:
            raise PydanticCustomError("nul_character", "Text cannot contain NUL characters.")
        return value


class Input(_Text):
    """Request bodies: an unknown field is an error, never silently ignored."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    def changes(self) -> dict:
        """Only the fields the caller sent (for partial updates)."""
        return self.model_dump(exclude_unset=True)


class Filters(_Text):
    """Query-string filters of a list."""
