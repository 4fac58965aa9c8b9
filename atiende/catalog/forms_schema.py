"""Catalog forms as data: the field schema, its validation, and the answers' check.

A form is a list of fields, each a dict:
`{"key", "label", "type", "required", "default", "help", "choices", "min", "max",
"pattern", "show_if": {"field", "equals"}}`. `validate_fields` checks a form an
administrator built (precise messages under `fields.<n>.<attribute>`);
`validate_answers` checks what a requester sent against it. Both are pure.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Collection, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

FIELD_TYPES = {
    "text": gettext_lazy("Text"),
    "long_text": gettext_lazy("Long text"),
    "number": gettext_lazy("Number"),
    "date": gettext_lazy("Date"),
    "choice": gettext_lazy("Choice"),
    "multiple_choice": gettext_lazy("Multiple choice"),
    "checkbox": gettext_lazy("Checkbox"),
    "user": gettext_lazy("Person"),
    "attachment": gettext_lazy("File"),
}
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_FIELDS = 50
LABEL_MAX = 200
HELP_MAX = 500
CHOICE_MAX = 200
MAX_CHOICES = 100
PATTERN_MAX = 200
TEXT_MAX = 500  # also caps what a pattern is applied to
LONG_TEXT_MAX = 10_000
NUMBER_LIMIT = Decimal("1e15")
# A quantified group that itself holds a quantifier ("(a+)+"): the shape of patterns
# that backtrack for ever; refused, since Python's `re` has no time limit.
_NESTED_QUANTIFIER = re.compile(r"\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)\s*[+*{]")
TRIGGER_TYPES = {"choice", "checkbox"}


class SchemaError(Exception):
    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__(errors)


# --- the form an administrator builds ----------------------------------------------------


def validate_fields(raw: Any) -> list[dict]:
    """The fields, normalised; raises SchemaError with one message per broken attribute."""
    if not isinstance(raw, list):
        raise SchemaError({"fields": _("The form must be a list of fields.")})
    if len(raw) > MAX_FIELDS:
        raise SchemaError({"fields": _("A form holds at most %(count)d fields.")
                           % {"count": MAX_FIELDS}})
    errors: dict[str, str] = {}
    fields: list[dict] = []
    seen: dict[str, dict] = {}
    for index, item in enumerate(raw):
        where = f"fields.{index}"
        if not isinstance(item, Mapping):
            errors[where] = _("Each field must be an object.")
            continue
        field, field_errors = _field(item, seen)
        errors.update({f"{where}.{name}": message for name, message in field_errors.items()})
        if not field_errors:
            fields.append(field)
            seen[field["key"]] = field
    if errors:
        raise SchemaError(errors)
    return fields


def _field(item: Mapping, earlier: Mapping[str, dict]) -> tuple[dict, dict[str, str]]:
    errors: dict[str, str] = {}
    unknown = set(item) - {"key", "label", "type", "required", "default", "help", "choices",
                           "min", "max", "pattern", "show_if"}
    if unknown:
        errors["key"] = _("Unknown attributes: %(names)s.") % {"names": ", ".join(sorted(unknown))}
    key = item.get("key")
    if not isinstance(key, str) or not KEY_PATTERN.match(key):
        errors["key"] = _("Use a key of lowercase letters, digits and “_”, starting with a "
                          "letter (at most 40).")
    elif key in earlier:
        errors["key"] = _("Another field already uses the key “%(key)s”.") % {"key": key}
    label = item.get("label")
    if not isinstance(label, str) or not label.strip():
        errors["label"] = _("Give the field a label.")
    elif len(label) > LABEL_MAX:
        errors["label"] = _("Use at most %(count)d characters.") % {"count": LABEL_MAX}
    kind = item.get("type")
    if kind not in FIELD_TYPES:
        errors["type"] = _("Choose one of: %(types)s.") % {"types": ", ".join(FIELD_TYPES)}
    required = item.get("required", False)
    if not isinstance(required, bool):
        errors["required"] = _("Use true or false.")
    help_text = item.get("help") or ""
    if not isinstance(help_text, str) or len(help_text) > HELP_MAX:
        errors["help"] = _("Use a text of at most %(count)d characters.") % {"count": HELP_MAX}
    field = {"key": key, "label": (label or "").strip() if isinstance(label, str) else "",
             "type": kind, "required": required is True, "help": help_text.strip()
             if isinstance(help_text, str) else "", "choices": [], "min": None, "max": None,
             "pattern": "", "default": None, "show_if": None}
    if errors.get("type"):
        return field, errors

    choices = item.get("choices") or []
    if kind in {"choice", "multiple_choice"}:
        if (not isinstance(choices, list) or not choices or len(choices) > MAX_CHOICES
                or not all(isinstance(c, str) and c.strip() and len(c) <= CHOICE_MAX
                           for c in choices)):
            errors["choices"] = _("Give between 1 and %(count)d options, one per line.") % {
                "count": MAX_CHOICES}
        elif len({c.strip() for c in choices}) != len(choices):
            errors["choices"] = _("Each option must be different.")
        else:
            field["choices"] = [c.strip() for c in choices]
    elif choices:
        errors["choices"] = _("Only choice fields have options.")

    for bound in ("min", "max"):
        value = item.get(bound)
        if value is None or value == "":
            continue
        if kind == "number":
            number = _number(value)
            if number is None:
                errors[bound] = _("Enter a number.")
            else:
                field[bound] = _plain_number(number)
        elif kind == "date":
            if _date(value) is None:
                errors[bound] = _("Enter a date as YYYY-MM-DD.")
            else:
                field[bound] = value
        else:
            errors[bound] = _("Only number and date fields have a range.")
    if field["min"] is not None and field["max"] is not None and not errors.get("max"):
        low, high = ((Decimal(str(field["min"])), Decimal(str(field["max"])))
                     if kind == "number" else (field["min"], field["max"]))
        if low > high:
            errors["max"] = _("The maximum must not be below the minimum.")

    pattern = item.get("pattern") or ""
    if pattern:
        if kind != "text":
            errors["pattern"] = _("Only text fields have a pattern.")
        elif not isinstance(pattern, str) or len(pattern) > PATTERN_MAX:
            errors["pattern"] = _("Use a pattern of at most %(count)d characters.") % {
                "count": PATTERN_MAX}
        elif _NESTED_QUANTIFIER.search(pattern):
            errors["pattern"] = _("Nested repetitions such as “(a+)+” are not allowed.")
        else:
            try:
                re.compile(pattern)
            except (re.error, RecursionError, OverflowError) as error:
                errors["pattern"] = _("The pattern is not a valid regular expression: "
                                      "%(reason)s.") % {"reason": error}
            else:
                field["pattern"] = pattern

    show_if = item.get("show_if")
    if show_if:
        trigger = show_if.get("field") if isinstance(show_if, Mapping) else None
        if trigger not in earlier:
            errors["show_if"] = _("Show this field depending on a field above it.")
        elif earlier[trigger]["type"] not in TRIGGER_TYPES:
            errors["show_if"] = _("A field can depend only on a choice or a checkbox.")
        else:
            equals = show_if.get("equals")
            parent = earlier[trigger]
            if parent["type"] == "checkbox":
                equals = {"true": True, "false": False}.get(str(equals).lower(), equals)
                if not isinstance(equals, bool):
                    errors["show_if"] = _("A checkbox is either true or false.")
            elif equals not in parent["choices"]:
                errors["show_if"] = _("“%(value)s” is not an option of “%(label)s”.") % {
                    "value": equals, "label": parent["label"]}
            if not errors.get("show_if"):
                field["show_if"] = {"field": trigger, "equals": equals}

    default = item.get("default")
    if default not in (None, "", []) and not errors:
        if kind in {"user", "attachment"}:
            errors["default"] = _("This type of field has no default.")
        else:
            value, message = _clean(field, default, people=(), files=())
            if message:
                errors["default"] = message
            else:
                field["default"] = value
    return field, errors


# --- what a requester answers -----------------------------------------------------------


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value is False


def visible_keys(fields: list[dict], clean: Mapping[str, Any]) -> set[str]:
    """The fields shown for these answers: a field shows when it has no condition, or
    when the field it depends on is shown and answered with the expected value."""
    shown: set[str] = set()
    for field in fields:
        condition = field.get("show_if")
        if not condition or (condition["field"] in shown
                             and clean.get(condition["field"]) == condition["equals"]):
            shown.add(field["key"])
    return shown


def validate_answers(
    fields: list[dict], answers: Mapping[str, Any], *, people: Collection[int] = (),
    files: Collection[str] = (),
) -> tuple[dict[str, Any], dict[str, str]]:
    """(clean answers, errors by field key). `people` are the ids a person field may
    name (the requester's organization); `files` the keys of attachment fields that
    came with a file. A field is required only while shown; a hidden field that holds
    a value is refused; answers to no field are refused."""
    errors: dict[str, str] = {}
    by_key = {field["key"]: field for field in fields}
    for key in answers:
        if key not in by_key:
            errors[str(key)[:60]] = _("This form has no such field.")
    clean: dict[str, Any] = {}
    for field in fields:
        key = field["key"]
        raw = True if field["type"] == "attachment" and key in files else answers.get(key)
        value, message = _clean(field, raw, people=people, files=files)
        if message:
            errors[key] = message
        clean[key] = value
    shown = visible_keys(fields, clean)
    for field in fields:
        key = field["key"]
        if key in errors:
            if key not in shown:
                # A hidden field's bad value is still a value that should not be there.
                errors[key] = _("This field does not apply to your answers; leave it empty.")
            continue
        if key not in shown:
            if not _empty(clean[key]):
                errors[key] = _("This field does not apply to your answers; leave it empty.")
            clean.pop(key)
        elif field["required"] and _empty(clean[key]):
            errors[key] = (_("Tick this box to continue.") if field["type"] == "checkbox"
                           else _("This field is required."))
    return ({} if errors else clean), errors


def _clean(field: dict, raw: Any, *, people: Collection[int],
           files: Collection[str]) -> tuple[Any, str | None]:
    kind = field["type"]
    if kind == "checkbox":
        if raw in (None, "", False, "false", "off"):
            return False, None
        if raw in (True, "true", "on", "1"):
            return True, None
        return False, _("Use true or false.")
    if kind == "multiple_choice":
        if raw in (None, "", []):
            return [], None
        values = raw if isinstance(raw, list) else None
        if values is None or not all(isinstance(v, str) for v in values):
            return [], _("Choose from the list.")
        wrong = [v for v in values if v not in field["choices"]]
        if wrong:
            return [], _("“%(value)s” is not one of the options.") % {"value": wrong[0][:60]}
        return [c for c in field["choices"] if c in values], None
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, None
    if kind in {"text", "long_text"}:
        if not isinstance(raw, str):
            return None, _("Enter a text.")
        value = raw.strip()
        if "\x00" in value:
            return None, _("Remove the NUL character from the text.")
        limit = TEXT_MAX if kind == "text" else LONG_TEXT_MAX
        if len(value) > limit:
            return None, _("Use at most %(count)d characters.") % {"count": limit}
        if field.get("pattern") and not re.fullmatch(field["pattern"], value):
            return None, _("The value does not have the expected format.")
        return value, None
    if kind == "number":
        number = _number(raw)
        if number is None:
            return None, _("Enter a number.")
        if field.get("min") is not None and number < Decimal(str(field["min"])):
            return None, _("Enter a number of at least %(min)s.") % {"min": field["min"]}
        if field.get("max") is not None and number > Decimal(str(field["max"])):
            return None, _("Enter a number of at most %(max)s.") % {"max": field["max"]}
        return _plain_number(number), None
    if kind == "date":
        date = _date(raw)
        if date is None:
            return None, _("Enter a date as YYYY-MM-DD.")
        if field.get("min") and date < _date(field["min"]):
            return None, _("Enter a date on or after %(min)s.") % {"min": field["min"]}
        if field.get("max") and date > _date(field["max"]):
            return None, _("Enter a date on or before %(max)s.") % {"max": field["max"]}
        return date.isoformat(), None
    if kind == "choice":
        if raw not in field["choices"]:
            return None, _("Choose one of the options.")
        return raw, None
    if kind == "user":
        try:
            person = int(raw)
        except (TypeError, ValueError, OverflowError):
            return None, _("Choose a person of your organization.")
        if isinstance(raw, bool) or person not in people:
            return None, _("Choose a person of your organization.")
        return person, None
    if kind == "attachment":
        if field["key"] in files:
            return True, None
        return None, _("Attach the file in the form.")
    return None, _("Unknown field type.")


def _number(raw: Any) -> Decimal | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, float) and not math.isfinite(raw):
        return None
    try:
        number = Decimal(str(raw).strip().replace(",", ".")) if isinstance(
            raw, (str, int, float, Decimal)) else None
    except InvalidOperation:
        return None
    if number is None or not number.is_finite() or abs(number) >= NUMBER_LIMIT:
        return None
    return number


def _plain_number(number: Decimal) -> int | float:
    return int(number) if number == number.to_integral_value() else float(number)


def _date(raw: Any) -> dt.date | None:
    if not isinstance(raw, str) or len(raw) != 10:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        return None
