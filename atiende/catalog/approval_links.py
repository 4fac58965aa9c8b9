"""The approval e-mail's variables: the signed link of the recipient's own approval
(`approval_link`), and the rejection's reason (`comment`)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse


def link_url(approval) -> str:
    from atiende.catalog.approval_services import approval_link

    return settings.SITE_URL + reverse("approval_link", args=[approval_link(approval)])


def email_context(notification) -> dict[str, str]:
    """Empty but for the two approval kinds. The link is signed when the e-mail is
    built, with the approval's current nonce: once decided, it no longer works."""
    from atiende.catalog.models import Approval, Decision
    from atiende.notifications.models import NotificationKind

    if notification.kind == NotificationKind.APPROVAL_REQUESTED:
        approval = (Approval.objects.filter(
            stage__request_id=notification.ticket_id, approver_id=notification.recipient_id,
            decision=Decision.PENDING).order_by("-stage__position").first())
        return {"approval_link": link_url(approval) if approval else ""}
    if notification.kind == NotificationKind.APPROVAL_REJECTED:
        return {"approval_link": "", "comment": notification.event.reason[:10_000]}
    return {"approval_link": ""}
