"""The catalog's outbox consumers: a fulfilment task that is resolved or closed moves
its request's plan on (`approval_services.fulfilment_advance`, safe to run twice); a
request cancelled while it awaited approval withdraws its open approvals
(`approval_services.approvals_withdraw`, safe to run twice)."""

from __future__ import annotations

from atiende.catalog import approval_services
from atiende.catalog.models import RequestTask
from atiende.tickets import outbox
from atiende.tickets.models import Event, EventKind, Status

MOVES_THE_PLAN = frozenset({Status.RESOLVED, Status.CLOSED})


@outbox.consumer("catalog_fulfilment")
def on_event(event: Event) -> None:
    if event.kind != EventKind.STATUS or event.new_value not in MOVES_THE_PLAN:
        return
    request_id = (RequestTask.objects.filter(task_id=event.ticket_id)
                  .values_list("request_id", flat=True).first())
    if request_id is not None:
        approval_services.fulfilment_advance(request_id=request_id)


@outbox.consumer("catalog_approvals_withdrawn")
def on_cancelled(event: Event) -> None:
    if event.kind == EventKind.STATUS and event.new_value == Status.CANCELLED:
        approval_services.approvals_withdraw(request_id=event.ticket_id)
