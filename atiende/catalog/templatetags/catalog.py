"""The catalog answers of a service request, shown as filled on the ticket's page."""

from __future__ import annotations

from django import template
from django.urls import reverse

from atiende.catalog import selectors
from atiende.catalog.forms_schema import visible_keys
from atiende.catalog.services import display_value

register = template.Library()


@register.inclusion_tag("catalog/_answers.html")
def catalog_answers(ticket) -> dict:
    """The form version answered, field by field (only the fields that were shown).
    `ticket` was read through the ticket selectors, so whoever sees it sees this."""
    stored = selectors.answers_of(ticket=ticket) if ticket.kind == "service_request" else None
    if stored is None:
        return {"stored": None}
    fields = stored.form_version.fields
    answers = stored.answers
    rows = []
    for field in fields:
        if field["key"] not in answers or field["key"] not in visible_keys(fields, answers):
            continue
        value = answers[field["key"]]
        link = ""
        if field["type"] == "attachment" and isinstance(value, dict) and value.get(
                "attachment_id"):
            link = reverse("attachments:download", args=[ticket.number, value["attachment_id"]])
        rows.append({"label": field["label"], "value": display_value(field, value),
                     "link": link, "long": field["type"] == "long_text"})
    return {"stored": stored, "rows": rows}


@register.filter
def row_value(row: dict, name: str) -> str:
    """A builder row's attribute by name (templates cannot index by a variable)."""
    return row.get(name, "") if isinstance(row, dict) else ""
