"""Background work of tickets: the event outbox and the attachment folder's sweep."""

from __future__ import annotations

from django_tasks import task

from atiende.tickets import attachments, outbox


@task()
def dispatch_events() -> int:
    """Deliver every event not delivered yet; safe to run twice or concurrently."""
    return outbox.dispatch()


@task()
def redeliver_events() -> int:
    """Offer events a crashed process left undelivered, and retry the consumers that
    failed on an event and are due again; return how many of either went through."""
    return outbox.dispatch() + outbox.retry_failures()


@task()
def sweep_attachment_files() -> int:
    """Delete stored files no attachment row names (left by a crash); return how many."""
    return attachments.sweep_orphan_files().count
