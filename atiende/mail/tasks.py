"""Background work of the mail app. Each task is safe to run twice."""

from __future__ import annotations

from django_tasks import task


@task()
def poll_imap_mailboxes() -> int:
    """Fetch new mail of every enabled IMAP mailbox (a periodic job, every minute);
    the number of messages fetched. A mailbox being polled by another worker is
    skipped; one mailbox's failure is recorded on it and does not stop the others."""
    from atiende.mail.imap import poll_all

    return sum(report.fetched for report in poll_all())
