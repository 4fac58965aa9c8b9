"""A form version as the web shows it: one row per field with its value and error.

The server is the rule (`forms_schema.validate_answers`); this module only turns a
POST into answers and back into rows to render.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from atiende.catalog.forms_schema import FIELD_TYPES

INPUT_PREFIX = "answer-"


@dataclass
class FieldRow:
    field: dict
    name: str
    value: Any
    error: str = ""
    people: Iterable = ()

    @property
    def type_label(self) -> str:
        return str(FIELD_TYPES.get(self.field["type"], ""))

    @property
    def values(self) -> list:
        return self.value if isinstance(self.value, list) else []


def answers_from_post(fields: list[dict], data: Mapping, files: Mapping) -> tuple[dict, dict]:
    """(answers, uploaded files by key) from a submitted item form."""
    answers: dict[str, Any] = {}
    uploads: dict[str, Any] = {}
    for field in fields:
        name = INPUT_PREFIX + field["key"]
        kind = field["type"]
        if kind == "attachment":
            uploads[field["key"]] = files.get(name)
        elif kind == "multiple_choice":
            answers[field["key"]] = data.getlist(name)
        else:
            answers[field["key"]] = data.get(name)
    return answers, uploads


def rows(fields: list[dict], *, answers: Mapping | None = None, errors: Mapping | None = None,
         people: Iterable = ()) -> list[FieldRow]:
    """The rows to render: what was sent (after an error) or each field's default."""
    errors = errors or {}
    result = []
    for field in fields:
        key = field["key"]
        value = answers.get(key) if answers is not None else field.get("default")
        if field["type"] == "checkbox":
            value = value in (True, "on", "true")
        result.append(FieldRow(field=field, name=INPUT_PREFIX + key, value=value,
                               error=errors.get(key, ""),
                               people=people if field["type"] == "user" else ()))
    return result
