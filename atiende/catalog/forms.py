"""Web forms of the catalog's administration: they shape input; the rules live in
`services` and `forms_schema`."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from atiende.catalog.forms_schema import FIELD_TYPES
from atiende.catalog.models import DeliveryUnit
from atiende.core.widgets import ChoiceField
from atiende.tickets.forms import ObjectChoiceField


class CategoryForm(forms.Form):
    department = ObjectChoiceField(label=_("Department"), required=True, empty_label=None)
    name = forms.CharField(label=_("Name"), max_length=120)
    position = forms.IntegerField(label=_("Position"), min_value=0, max_value=10_000, initial=0,
                                  help_text=_("Lower numbers come first."))

    def __init__(self, *args, departments, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].set_objects(departments)


class ItemForm(forms.Form):
    category = ObjectChoiceField(label=_("Category"))
    name = forms.CharField(label=_("Name"), max_length=120)
    short_description = forms.CharField(label=_("Short description"), max_length=300,
                                        required=False,
                                        help_text=_("One line, shown in the catalog."))
    description = forms.CharField(label=_("Description"), required=False, max_length=20_000,
                                  widget=forms.Textarea(attrs={"rows": 5}),
                                  help_text=_("Shown on the item's page. Basic HTML "
                                              "formatting is kept."))
    delivery_amount = forms.IntegerField(label=_("Expected delivery"), required=False,
                                         min_value=1, max_value=10_000)
    delivery_unit = ChoiceField(label=_("Counted in"), choices=DeliveryUnit.choices,
                                initial=DeliveryUnit.WORKING_DAYS)
    service = ObjectChoiceField(label=_("Service"),
                                help_text=_("Requests for this item carry this service."))
    audience = forms.MultipleChoiceField(
        label=_("Who may request it"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every organization the department serves."))

    def __init__(self, *args, categories, services, organizations, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].set_objects(categories)
        self.fields["service"].set_objects(services)
        self.organizations = {str(o.pk): o for o in organizations}
        self.fields["audience"].choices = [(str(o.pk), o.name) for o in organizations]

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        data["audience"] = [self.organizations[pk] for pk in data["audience"]]
        return data


# --- the form builder -------------------------------------------------------------------

ROW_ATTRIBUTES = ("key", "label", "type", "required", "help", "choices", "min", "max",
                  "pattern", "show_if_field", "show_if_equals", "default")
MAX_ROWS = 50
_TRUE = {"true", "yes", "sí", "si", "1", "on", "x"}
_FALSE = {"false", "no", "0", "off"}
# Where a schema error on an attribute is shown in a builder row.
ERROR_TARGET = {"show_if": "show_if_field"}


def type_choices() -> list[tuple[str, str]]:
    return [(key, str(label)) for key, label in FIELD_TYPES.items()]


def rows_from_post(data: Mapping) -> list[dict[str, str]]:
    """The builder's rows as sent (`row-<n>-<attribute>`), in order."""
    try:
        count = min(int(data.get("rows", 0)), MAX_ROWS)
    except (TypeError, ValueError):
        count = 0
    rows = []
    for index in range(count):
        row = {name: str(data.get(f"row-{index}-{name}", "")).strip()
               for name in ROW_ATTRIBUTES}
        row["required"] = "on" if data.get(f"row-{index}-required") else ""
        rows.append(row)
    return rows


def rows_from_fields(fields: list[dict]) -> list[dict[str, str]]:
    """A saved form version as builder rows."""
    rows = []
    for field in fields:
        show_if = field.get("show_if") or {}
        equals = show_if.get("equals", "")
        default = field.get("default")
        rows.append({
            "key": field["key"], "label": field["label"], "type": field["type"],
            "required": "on" if field.get("required") else "", "help": field.get("help", ""),
            "choices": "\n".join(field.get("choices") or []),
            "min": "" if field.get("min") is None else str(field["min"]),
            "max": "" if field.get("max") is None else str(field["max"]),
            "pattern": field.get("pattern", ""), "show_if_field": show_if.get("field", ""),
            "show_if_equals": ("true" if equals is True else "false" if equals is False
                               else str(equals)),
            "default": ("" if default in (None, False) else "true" if default is True
                        else ", ".join(default) if isinstance(default, list) else str(default)),
        })
    return rows


def blank_row() -> dict[str, str]:
    return {**dict.fromkeys(ROW_ATTRIBUTES, ""), "type": "text"}


def _key_from(label: str, taken: set[str]) -> str:
    ascii_label = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
    base = slugify(ascii_label).replace("-", "_")[:36] or "field"
    if not base[0].isalpha():
        base = f"f_{base}"[:36]
    key, counter = base, 2
    while key in taken:
        key, counter = f"{base}_{counter}", counter + 1
    return key


def fields_from_rows(rows: list[dict[str, str]]) -> list[dict[str, Any]]:
    """The rows as the schema's fields (`forms_schema.validate_fields` judges them). A
    row without a key gets one made from its label."""
    taken = {row["key"] for row in rows if row["key"]}
    types = {}
    fields = []
    for row in rows:
        key = row["key"] or _key_from(row["label"], taken)
        taken.add(key)
        types[key] = row["type"]
        field: dict[str, Any] = {"key": key, "label": row["label"], "type": row["type"],
                                 "required": bool(row["required"]), "help": row["help"]}
        if row["type"] in {"choice", "multiple_choice"} or row["choices"]:
            field["choices"] = [line.strip() for line in row["choices"].splitlines()
                                if line.strip()]
        for bound in ("min", "max"):
            if row[bound]:
                field[bound] = row[bound]
        if row["pattern"]:
            field["pattern"] = row["pattern"]
        if row["show_if_field"]:
            equals: Any = row["show_if_equals"]
            if types.get(row["show_if_field"]) == "checkbox":
                lowered = equals.lower()
                equals = True if lowered in _TRUE else False if lowered in _FALSE else equals
            field["show_if"] = {"field": row["show_if_field"], "equals": equals}
        if row["default"]:
            field["default"] = ([part.strip() for part in row["default"].split(",")]
                                if row["type"] == "multiple_choice" else row["default"])
        fields.append(field)
    return fields


def errors_by_row(errors: Mapping[str, str]) -> tuple[dict[int, dict[str, str]], list[str]]:
    """Schema errors (`fields.<n>.<attribute>`) by row and attribute; the rest on top."""
    by_row: dict[int, dict[str, str]] = {}
    general = []
    for name, message in errors.items():
        parts = name.split(".")
        if len(parts) >= 2 and parts[0] == "fields" and parts[1].isdigit():
            attribute = parts[2] if len(parts) > 2 else "label"
            by_row.setdefault(int(parts[1]), {})[ERROR_TARGET.get(attribute, attribute)] = (
                message)
        else:
            general.append(message)
    return by_row, general
