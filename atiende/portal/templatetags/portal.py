"""What the portal's templates say of a ticket: the badge tone and the SLA promise."""

from __future__ import annotations

from django import template

from atiende.portal.selectors import sla_promise
from atiende.tickets.models import Status

register = template.Library()

_TONES = {Status.RESOLVED: "badge-ok", Status.CLOSED: "badge-ok",
          Status.PENDING: "badge-warn", Status.CANCELLED: ""}


@register.filter
def status_tone(ticket) -> str:
    return _TONES.get(ticket.status, "")


@register.filter
def promise(ticket) -> str:
    return sla_promise(ticket)
