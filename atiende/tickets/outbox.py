"""The event log as an outbox: consumers (SLA clocks, notifications, automation,
webhooks) see every event once it is committed, and a crash loses nothing.

A consumer is a function taking an Event; it must be idempotent, because an event
whose batch fails is offered again. Events are marked delivered (the only update the
log allows) after every consumer accepted them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from atiende.tickets.models import Event

logger = logging.getLogger(__name__)

BATCH = 500
_consumers: dict[str, Callable[[Event], None]] = {}


def consumer(name: str):
    """Register `function` as the consumer `name` (a decorator)."""

    def register(function: Callable[[Event], None]) -> Callable[[Event], None]:
        _consumers[name] = function
        return function

    return register


def consumers() -> dict[str, Callable[[Event], None]]:
    return dict(_consumers)


def dispatch(batch: int = BATCH) -> int:
    """Offer undelivered events to every consumer, oldest first; return how many were
    delivered. A consumer that fails stops the batch at that event, which stays
    undelivered for the next run."""
    delivered = 0
    while True:
        with transaction.atomic():
            events = list(
                Event.objects.select_for_update(skip_locked=True)
                .filter(delivered_at__isnull=True).order_by("id")[:batch]
            )
            if not events:
                return delivered
            done = []
            for event in events:
                try:
                    # A savepoint per event: a consumer's database error must not abort
                    # the batch's transaction (and with it the delivery marks).
                    with transaction.atomic():
                        for function in _consumers.values():
                            function(event)
                except Exception:
                    logger.exception("Event %s could not be delivered", event.pk)
                    break
                done.append(event.pk)
            if done:
                Event.objects.filter(pk__in=done).update(delivered_at=timezone.now())
            delivered += len(done)
            if len(done) < len(events):
                return delivered
