"""The catalog answers of a service request, shown as filled on the ticket's page."""

from __future__ import annotations

from django import template

from atiende.catalog import selectors

register = template.Library()


@register.inclusion_tag("catalog/_answers.html", takes_context=True)
def catalog_answers(context, ticket, links: bool = True) -> dict:
    """The form version answered, field by field (only the fields that were shown).
    `ticket` was read through the ticket selectors, so whoever sees it sees this; an
    approver, who may not open the request's files, reads it without `links`."""
    stored = selectors.answers_of(ticket=ticket) if ticket.kind == "service_request" else None
    if stored is None:
        return {"stored": None}
    rows = selectors.answer_rows(stored, ticket_number=ticket.number if links else "")
    shown = {"stored": stored, "rows": rows}
    reader = getattr(context.get("request"), "user", None)
    if links and reader is not None:
        # On the request's own page: its approval steps and fulfilment tasks (the
        # tasks' pages linked only for whoever may open them).
        from atiende.catalog import approvals_selectors

        shown["stages"] = list(approvals_selectors.stages_of(request=ticket))
        shown["tasks"] = approvals_selectors.tasks_of(actor=reader, request=ticket)
    return shown


@register.filter
def row_value(row: dict, name: str) -> str:
    """A builder row's attribute by name (templates cannot index by a variable)."""
    return row.get(name, "") if isinstance(row, dict) else ""
