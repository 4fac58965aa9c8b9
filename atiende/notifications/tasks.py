"""Background work of notifications. Each task loads by id and is safe to run twice."""

from __future__ import annotations

from django_tasks import task

from atiende.notifications import delivery


@task(queue_name="mail")
def deliver_notification(*, notification_id: int) -> str | None:
    """Send one e-mail notification (claimed first: sent once however often it runs)."""
    return delivery.deliver(notification_id)


@task(queue_name="mail")
def deliver_due_notifications() -> int:
    """Send every queued e-mail notification whose time has come, and post the Teams
    cards whose retry time has come."""
    from atiende.notifications import teams

    return delivery.deliver_due() + teams.deliver_due()
