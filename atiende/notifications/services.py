"""Changes people make to their own notifications and preferences. Each acts on the
actor's own rows only: another person's notification is NotFound."""

from __future__ import annotations

from collections.abc import Mapping

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from atiende.core import policies as core_policies
from atiende.core import services as core_services
from atiende.core.models import User
from atiende.errors import NotFound, ValidationFailed
from atiende.notifications import rendering
from atiende.notifications.models import (
    Notification,
    NotificationChannel,
    NotificationKind,
    NotificationPreference,
    NotificationTemplate,
)
from atiende.notifications.recipients import forget_unread
from atiende.validation import text


def notification_mark_read(*, actor: User, notification_id: int) -> Notification:
    """Mark one of the actor's in-app notifications read (again: no change). NotFound
    for anyone else's."""
    try:
        notification = Notification.objects.get(pk=notification_id, recipient_id=actor.pk,
                                                channel=NotificationChannel.IN_APP)
    except (Notification.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at)
        forget_unread(actor.pk)
    return notification


def notifications_mark_all_read(*, actor: User) -> int:
    """Mark every unread in-app notification of the actor read; return how many."""
    count = Notification.objects.filter(recipient_id=actor.pk, channel=NotificationChannel.IN_APP,
                                        read_at__isnull=True).update(read_at=timezone.now())
    forget_unread(actor.pk)
    return count


def preferences_set(*, actor: User, choices: Mapping[str, tuple[bool, bool]]) -> None:
    """The actor's (by e-mail, in the application) choice for each kind given."""
    unknown = sorted(set(choices) - set(NotificationKind.values))
    if unknown:
        raise ValidationFailed({kind: _("Unknown notification.") for kind in unknown},
                               code="unknown_kind")
    with transaction.atomic():
        for kind, (by_email, in_app) in choices.items():
            NotificationPreference.objects.update_or_create(
                user=actor, kind=kind, defaults={"email": bool(by_email), "in_app": bool(in_app)})


# --- an organization's e-mail templates ---------------------------------------------------


def _check_template_target(actor: User, organization, kind: str, language: str) -> None:
    if not core_policies.can_administer(actor, organization):
        raise NotFound()
    if kind not in NotificationKind.values or language not in dict(settings.LANGUAGES):
        raise NotFound()


def template_save(*, actor: User, organization, kind: str, language: str, subject: str,
                  body: str, channel: str = "web"):
    """The organization's own wording of `kind` in `language`. Organization admins only
    (NotFound for anyone else, as for an organization they cannot see). ValidationFailed
    (`subject`, `body`) when a template does not parse or is too long. Writes one audit
    event."""
    _check_template_target(actor, organization, kind, language)
    subject = text(subject, "subject", max_length=rendering.SUBJECT_MAX)
    body = text(body, "body", max_length=rendering.BODY_MAX).replace("\r\n", "\n")
    rendering.check_template(subject, body)
    with transaction.atomic():
        row, _created = NotificationTemplate.objects.update_or_create(
            organization=organization, kind=kind, language=language,
            defaults={"subject": subject, "body": body, "updated_at": timezone.now()})
        core_services.audit(actor=actor, organization_id=organization.pk,
                             action="notification_template.saved", target=row,
                             changes={"kind": kind, "language": language}, channel=channel)
    return row


def template_reset(*, actor: User, organization, kind: str, language: str,
                   channel: str = "web") -> bool:
    """Back to the default wording (the organization's own row is deleted); False when
    there was none. Same permission as `template_save`; one audit event."""
    _check_template_target(actor, organization, kind, language)
    with transaction.atomic():
        row = (NotificationTemplate.objects.select_for_update()
               .filter(organization=organization, kind=kind, language=language).first())
        if row is None:
            return False
        core_services.audit(actor=actor, organization_id=organization.pk,
                             action="notification_template.reset", target=row,
                             changes={"kind": kind, "language": language}, channel=channel)
        row.delete()
    return True
