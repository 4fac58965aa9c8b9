"""The event log as an outbox: consumers (SLA clocks, notifications, automation,
webhooks) see every event once it is committed, and a crash loses nothing.

A consumer is a function taking an Event; it must be idempotent, because an event may
be offered to it again. Each consumer takes each event in a savepoint of its own: one
that fails gets an `EventDeliveryFailure` row, retried later with a growing delay
(`retry_failures`), and the event goes on to the other consumers and is marked
delivered (the only update the log allows). So a failing consumer never holds back the
log, and a crash before the mark loses nothing: the event is offered again.
"""

from __future__ import annotations

import datetime as dt
import logging
import traceback
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from atiende.tickets.models import Event, EventDeliveryFailure

logger = logging.getLogger(__name__)

BATCH = 500
MAX_ATTEMPTS = 10  # then the failure stays for an administrator, and is not retried
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
    delivered."""
    delivered = 0
    while True:
        with transaction.atomic():
            events = list(
                Event.objects.select_for_update(skip_locked=True)
                .filter(delivered_at__isnull=True).order_by("id")[:batch]
            )
            if not events:
                return delivered
            for event in events:
                for name, function in _consumers.items():
                    error = _offer(name, function, event)
                    if error is not None:
                        _failed(event, name, error)
            Event.objects.filter(pk__in=[event.pk for event in events]).update(
                delivered_at=timezone.now())
            delivered += len(events)


def _offer(name: str, function: Callable[[Event], None], event: Event) -> str | None:
    """Give `event` to `function`; the error's traceback if it failed, else None. In a
    savepoint: a consumer's database error must not abort the batch's transaction (and
    with it the delivery marks)."""
    try:
        with transaction.atomic():
            function(event)
    except Exception:
        logger.exception("Consumer %s failed on event %s", name, event.pk)
        return traceback.format_exc()[-4000:]
    return None


def _delay(attempts: int) -> dt.timedelta:
    return dt.timedelta(minutes=min(2 ** attempts, 24 * 60))


def _failed(event: Event, consumer: str, error: str,
            failure: EventDeliveryFailure | None = None) -> None:
    failure = failure or EventDeliveryFailure(event=event, consumer=consumer, attempts=0)
    failure.attempts += 1
    failure.last_error = error
    failure.failed_at = timezone.now()
    failure.next_attempt_at = (failure.failed_at + _delay(failure.attempts)
                               if failure.attempts < MAX_ATTEMPTS else None)
    failure.save()


def retry_failures(*, now: dt.datetime | None = None) -> int:
    """Offer each due failure's event to its consumer again; return how many succeeded.
    A consumer that no longer exists has nothing to retry."""
    now = now or timezone.now()
    succeeded = 0
    with transaction.atomic():
        due = list(EventDeliveryFailure.objects.select_for_update(skip_locked=True)
                   .filter(next_attempt_at__lte=now).select_related("event")
                   .order_by("event_id")[:BATCH])
        for failure in due:
            function = _consumers.get(failure.consumer)
            error = function and _offer(failure.consumer, function, failure.event)
            if error:
                _failed(failure.event, failure.consumer, error, failure)
            else:
                failure.delete()
                succeeded += function is not None
    return succeeded
