"""Background work of Microsoft Graph mailboxes. Safe to run twice: `ingest` stores a
message once, and a mailbox's delta link only moves forward."""

from __future__ import annotations

from django_tasks import task


@task()
def poll_graph_mail() -> int:
    """One delta round over every active mailbox read through Microsoft Graph (a
    periodic job, every minute); the number of messages stored."""
    from atiende.mail.graph import poll_graph_mailboxes

    return sum(result.stored for result in poll_graph_mailboxes().values())
