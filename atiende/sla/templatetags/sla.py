"""The ticket page's service level panel: `{% sla_panel ticket %}` (staff only; the
ticket was read through the scope)."""

from __future__ import annotations

from django import template
from django.utils import timezone

from atiende.sla import clock_services, selectors
from atiende.sla.presentation import clock_rows, internal_rows

register = template.Library()


@register.inclusion_tag("sla/_panel.html")
def sla_panel(ticket) -> dict:
    now = timezone.now()
    clocks = selectors.ticket_clocks(ticket=ticket)
    histories = clock_services.explain(ticket, now=now) if clocks else {}
    team_clocks, contract_clocks = selectors.ticket_internal_clocks(ticket=ticket)
    return {"rows": clock_rows(clocks, now, histories),
            "internal": internal_rows(team_clocks, contract_clocks, now)}
