"""The SLA consumer of the ticket event log: rebuild a ticket's clocks when an event
changes what they depend on (status, priority and what sets it, the policy's
conditions, the first public reply)."""

from __future__ import annotations

from atiende.sla import clock_services
from atiende.tickets import outbox
from atiende.tickets.models import Event, EventKind

REBUILDING_KINDS = frozenset({EventKind.CREATED, EventKind.STATUS,
                              EventKind.PRIORITY_OVERRIDDEN, EventKind.COMMENTED,
                              EventKind.ASSIGNED, EventKind.MERGED_INTO})
REBUILDING_FIELDS = frozenset({"priority", "impact", "urgency", "category", "service",
                               "kind", "department", "channel"})


@outbox.consumer("sla")
def rebuild_on_event(event: Event) -> None:
    if event.kind in REBUILDING_KINDS or (
        event.kind == EventKind.CHANGED and event.field in REBUILDING_FIELDS
    ):
        clock_services.rebuild_clocks([event.ticket_id])
