"""Background work of tickets: the event outbox and the attachment folder's sweep."""

from __future__ import annotations

from django_tasks import task

from atiende.tickets import attachments, outbox


@task()
def dispatch_events() -> int:
    """Deliver every event not delivered yet; safe to run twice or concurrently."""
    return outbox.dispatch()


@task()
def sweep_attachment_files() -> int:
    """Delete stored files no attachment row names (left by a crash); return how many."""
    return attachments.sweep_orphan_files().count
