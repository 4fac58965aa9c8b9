"""What a person hears by default, and their own choices."""

from __future__ import annotations

from collections.abc import Iterable

from atiende.notifications.models import NotificationKind, NotificationPreference

# kind -> (by e-mail, in the application), when the person has not chosen.
DEFAULTS: dict[str, tuple[bool, bool]] = {
    NotificationKind.TICKET_CREATED: (True, False),
    NotificationKind.PUBLIC_REPLY: (True, True),
    NotificationKind.STATUS_CHANGED: (True, True),
    NotificationKind.RESOLVED: (True, True),
    NotificationKind.ASSIGNED: (True, True),
    NotificationKind.MENTIONED: (True, True),
    NotificationKind.SLA_WARNING: (False, True),
    NotificationKind.SLA_BREACHED: (True, True),
    NotificationKind.SLA_ESCALATED: (True, True),
    # Approvers may not see the request's page: they decide from the e-mail's link or
    # the "Approvals" page, so nothing in the application's inbox.
    NotificationKind.APPROVAL_REQUESTED: (True, False),
    NotificationKind.APPROVAL_REJECTED: (True, True),
}


def channels_for(user_ids: Iterable[int], kind: str) -> dict[int, tuple[bool, bool]]:
    """(by e-mail, in the application) for each person for `kind`, in one query."""
    ids = list(user_ids)
    chosen = {
        row.user_id: (row.email, row.in_app)
        for row in NotificationPreference.objects.filter(user_id__in=ids, kind=kind)
    }
    default = DEFAULTS.get(kind, (True, True))
    return {user_id: chosen.get(user_id, default) for user_id in ids}
