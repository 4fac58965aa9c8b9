"""Who was told what about which ticket, by which channel, and how the delivery went;
what each person wants to be told; and the e-mail templates organizations edit."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from atiende.core.models import Organization
from atiende.tickets.models import Event, Ticket


class NotificationKind(models.TextChoices):
    """Why someone is told about a ticket."""

    TICKET_CREATED = "ticket_created", _("New ticket acknowledged")  # to the requester
    PUBLIC_REPLY = "public_reply", _("Public reply")
    STATUS_CHANGED = "status_changed", _("Status changed")
    RESOLVED = "resolved", _("Ticket resolved")
    ASSIGNED = "assigned", _("Ticket assigned")  # to the agent, or the team's members
    MENTIONED = "mentioned", _("Mention in an internal note")
    SLA_WARNING = "sla_warning", _("Service level warning")
    SLA_BREACHED = "sla_breached", _("Service level breached")


class NotificationChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    IN_APP = "in_app", _("In the application")


class NotificationState(models.TextChoices):
    QUEUED = "queued", _("Queued")  # waits for its (next) delivery attempt
    SENDING = "sending", _("Sending")  # claimed by one delivery task
    SENT = "sent", _("Sent")  # handed to the mail server, or shown in the application
    FAILED = "failed", _("Failed")  # every attempt failed; the last error is kept
    SKIPPED = "skipped", _("Skipped")  # nothing to send (the person left, no address)


# A notification that is sent, failed or skipped is final.
FINAL_STATES = frozenset({NotificationState.SENT, NotificationState.FAILED,
                          NotificationState.SKIPPED})


class Notification(models.Model):
    """One person told about one ticket event through one channel. Written by the outbox
    consumer (`atiende.notifications.recipients`) once per (event, recipient, channel);
    an e-mail is then delivered by a background task (`atiende.notifications.delivery`),
    with retries, and its Message-ID is fixed when the row is written so that every
    attempt sends the same message. An in-app notification is "sent" when written and
    "read" when its recipient opened or dismissed it."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="notifications", verbose_name=_("recipient"))
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+",
                               verbose_name=_("ticket"))
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+",
                              verbose_name=_("event"))
    kind = models.CharField(_("kind"), max_length=20, choices=NotificationKind.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=NotificationChannel.choices)
    state = models.CharField(_("state"), max_length=10, choices=NotificationState.choices,
                             default=NotificationState.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "recipient", "channel"],
                                    name="notification_once"),
        ]
        indexes = [
            models.Index(fields=["recipient", "channel", "-id"], name="notification_inbox"),
            models.Index(fields=["recipient"], condition=Q(channel="in_app", read_at__isnull=True),
                         name="notification_unread"),
            models.Index(fields=["state", "next_attempt_at"], name="notification_due"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id} {self.kind} {self.channel} {self.state}"


class NotificationPreference(models.Model):
    """What one person wants to hear of one kind, and where. Without a row the defaults
    of `atiende.notifications.preferences.DEFAULTS` apply."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="notification_preferences", verbose_name=_("user"))
    kind = models.CharField(_("kind"), max_length=20, choices=NotificationKind.choices)
    email = models.BooleanField(_("by e-mail"), default=True)
    in_app = models.BooleanField(_("in the application"), default=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}"


class NotificationTemplate(models.Model):
    """The e-mail of one kind in one language: an organization's own wording, or, without
    an organization, the installation's default (over the wording shipped in
    `atiende.notifications.defaults`). Subject and body are written in the restricted
    template language of `atiende.notifications.rendering`: variables and {% if %}."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, null=True,
                                     blank=True, related_name="notification_templates",
                                     verbose_name=_("organization"))
    kind = models.CharField(_("kind"), max_length=20, choices=NotificationKind.choices)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("body"))
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("notification template")
        verbose_name_plural = _("notification templates")
        constraints = [
            models.UniqueConstraint(fields=["organization", "kind", "language"],
                                    condition=Q(organization__isnull=False),
                                    name="notification_template_once"),
            models.UniqueConstraint(fields=["kind", "language"],
                                    condition=Q(organization__isnull=True),
                                    name="notification_template_default_once"),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id or '-'} {self.kind} {self.language}"
