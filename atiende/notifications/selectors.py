"""Reads of one's own notifications. Only the recipient ever reads them, and only those
of tickets they can still see (a person who lost sight of a ticket does not keep its
title in their list)."""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import QuerySet

from atiende.core.models import User
from atiende.notifications.models import Notification, NotificationChannel
from atiende.notifications.recipients import unread_cache_key
from atiende.tickets.models import Ticket
from atiende.tickets.policies import visible_tickets

UNREAD_CACHE_SECONDS = 300


def inbox(*, actor: User) -> QuerySet[Notification]:
    """The actor's in-app notifications, newest first, with their ticket and event."""
    return (Notification.objects.filter(recipient_id=actor.pk,
                                        channel=NotificationChannel.IN_APP)
            .filter(ticket__in=Ticket.objects.filter(visible_tickets(actor)).values("pk"))
            .select_related("ticket", "event__actor").order_by("-id"))


def visible_ticket_number(*, actor: User, notification: Notification) -> str | None:
    """The number of the notification's ticket when the actor may still see it."""
    return (Ticket.objects.filter(visible_tickets(actor), pk=notification.ticket_id)
            .values_list("number", flat=True).first())


def unread_count(*, actor: User) -> int:
    """How many of the actor's in-app notifications are unread; cached, and forgotten
    whenever one is written or read (`recipients.forget_unread`)."""
    key = unread_cache_key(actor.pk)
    cached = cache.get(key)
    if cached is None:
        cached = inbox(actor=actor).filter(read_at__isnull=True).count()
        cache.set(key, cached, UNREAD_CACHE_SECONDS)
    return cached


# --- an organization's e-mail templates and delivery log (its admins only) -------------


def _administered(actor: User, organization) -> None:
    from atiende.core import policies as core_policies
    from atiende.errors import NotFound

    if not core_policies.can_administer(actor, organization):
        raise NotFound()


def template_rows(*, actor: User, organization) -> list[dict]:
    """Every kind in every language, saying whether the organization has its own."""
    from django.conf import settings

    from atiende.notifications.models import NotificationKind, NotificationTemplate

    _administered(actor, organization)
    own = {(row.kind, row.language): row for row in
           NotificationTemplate.objects.filter(organization=organization)}
    return [{"kind": kind, "label": label, "language": language, "language_label": name,
             "own": own.get((kind, language))}
            for kind, label in NotificationKind.choices
            for language, name in settings.LANGUAGES]


def delivery_log(*, actor: User, organization, state: str = "") -> QuerySet[Notification]:
    """The organization's e-mail notifications (of its tickets), newest first."""
    _administered(actor, organization)
    rows = (Notification.objects.filter(ticket__organization_id=organization.pk,
                                        channel=NotificationChannel.EMAIL)
            .select_related("ticket", "recipient").order_by("-id"))
    return rows.filter(state=state) if state else rows
