"""Background work of tickets: the event outbox."""

from __future__ import annotations

from django_tasks import task

from atiende.tickets import outbox


@task()
def dispatch_events() -> int:
    """Deliver every event not delivered yet; safe to run twice or concurrently."""
    return outbox.dispatch()
