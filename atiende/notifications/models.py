"""Who was told what about which ticket, by which channel, and how the delivery went;
what each person wants to be told; and the e-mail templates organizations edit."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from atiende.core.models import Organization
from atiende.core.secrets import EncryptedTextField
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
    SLA_ESCALATED = "sla_escalated", _("Service level escalation")  # to whom a level names
    # To each approver of a catalog request's step, with a signed link to decide.
    APPROVAL_REQUESTED = "approval_requested", _("Approval requested")
    APPROVAL_REJECTED = "approval_rejected", _("Request rejected")  # to the requester
    LOW_SATISFACTION = "low_satisfaction", _("Low satisfaction score")  # to the team lead


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


# --- how e-mail leaves, and Microsoft Teams channels -------------------------------------


class MailTransport(models.TextChoices):
    """The way an organization's e-mail notifications leave."""

    SMTP = "smtp", _("SMTP (the server's mail settings)")
    GRAPH = "graph", _("Microsoft 365 (Microsoft Graph sendMail)")


class SmtpSecurity(models.TextChoices):
    """How the connection to an organization's SMTP server is protected."""

    TLS = "tls", _("TLS from the start (port 465)")
    STARTTLS = "starttls", _("STARTTLS (port 587)")
    NONE = "none", _("None (only for a server on this machine)")


class SmtpAuth(models.TextChoices):
    """How the desk signs in to an organization's SMTP server."""

    NONE = "none", _("No sign-in")
    PASSWORD = "password", _("Password")
    OAUTH2_CLIENT = "oauth2_client", _("OAuth2, application credentials")
    OAUTH2_REFRESH = "oauth2_refresh", _("OAuth2, refresh token")


class OutboundMailSettings(models.Model):
    """How one organization's e-mail notifications are sent: by SMTP (the default, also
    without a row), or through Microsoft Graph as `graph_mailbox`, whose application
    credentials (see `atiende.mail.models.Mailbox`) are used."""

    organization = models.OneToOneField(Organization, on_delete=models.CASCADE,
                                        related_name="outbound_mail",
                                        verbose_name=_("organization"))
    transport = models.CharField(_("send through"), max_length=10,
                                 choices=MailTransport.choices, default=MailTransport.SMTP)
    graph_mailbox = models.ForeignKey("mail.Mailbox", on_delete=models.SET_NULL, null=True,
                                      blank=True, related_name="+",
                                      verbose_name=_("sending mailbox"))
    # The organization's own SMTP server (blank host: the server's EMAIL_* settings).
    # The password or OAuth2 secrets are write-only, like a mailbox's IMAP ones.
    smtp_host = models.CharField(_("SMTP server"), max_length=253, blank=True)
    smtp_port = models.PositiveIntegerField(_("port"), default=587)
    smtp_security = models.CharField(_("connection security"), max_length=10,
                                     choices=SmtpSecurity.choices, default=SmtpSecurity.STARTTLS)
    smtp_username = models.CharField(_("user name"), max_length=254, blank=True)
    smtp_auth = models.CharField(_("sign-in"), max_length=16, choices=SmtpAuth.choices,
                                 default=SmtpAuth.PASSWORD)
    smtp_secret = EncryptedTextField(_("password or client secret"), blank=True)
    smtp_oauth_token_url = models.URLField(_("token endpoint"), max_length=500, blank=True)
    smtp_oauth_client_id = models.CharField(_("client ID"), max_length=200, blank=True)
    smtp_oauth_scope = models.CharField(_("scope"), max_length=500, blank=True)
    smtp_oauth_refresh_token = EncryptedTextField(_("refresh token"), blank=True)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("outbound e-mail settings")
        verbose_name_plural = _("outbound e-mail settings")

    def __str__(self) -> str:
        return f"{self.organization_id} {self.transport}"


class TeamsEvent(models.TextChoices):
    """What a Microsoft Teams channel may hear of."""

    TICKET_CREATED = "ticket_created", _("New ticket")
    TEAM_ASSIGNED = "team_assigned", _("Assigned to the team")
    SLA_WARNING = "sla_warning", _("Service level warning")
    SLA_BREACHED = "sla_breached", _("Service level breached")
    RESOLVED = "resolved", _("Ticket resolved")


class TeamsChannel(models.Model):
    """One Microsoft Teams channel (its incoming webhook or Workflows URL, a secret never
    shown back) that hears of the tickets of one department, or of one of its teams,
    on the events chosen."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE,
                                     related_name="teams_channels",
                                     verbose_name=_("organization"))
    department = models.ForeignKey("core.Department", on_delete=models.CASCADE,
                                   related_name="+", verbose_name=_("department"))
    team = models.ForeignKey("core.Team", on_delete=models.CASCADE, null=True, blank=True,
                             related_name="+", verbose_name=_("team"))
    name = models.CharField(_("name"), max_length=120)
    webhook_url = EncryptedTextField(_("webhook URL"))
    events = models.JSONField(_("events"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("Microsoft Teams channel")
        verbose_name_plural = _("Microsoft Teams channels")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class TeamsPost(models.Model):
    """One adaptive card posted (or to be posted) to one channel: about one ticket event,
    or a test card. Delivered by a background task that claims the row first, with the
    e-mail notifications' retries and backoff."""

    channel = models.ForeignKey(TeamsChannel, on_delete=models.CASCADE, related_name="posts",
                                verbose_name=_("channel"))
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, null=True, blank=True,
                               related_name="+", verbose_name=_("ticket"))
    event = models.ForeignKey(Event, on_delete=models.CASCADE, null=True, blank=True,
                              related_name="+", verbose_name=_("event"))
    kind = models.CharField(_("kind"), max_length=20)
    state = models.CharField(_("state"), max_length=10, choices=NotificationState.choices,
                             default=NotificationState.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("Microsoft Teams post")
        verbose_name_plural = _("Microsoft Teams posts")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "event"], condition=Q(event__isnull=False),
                                    name="teams_post_once"),
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="teams_post_due")]

    def __str__(self) -> str:
        return f"{self.channel_id} {self.kind} {self.state}"
