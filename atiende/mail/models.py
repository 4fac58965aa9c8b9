"""Inbound e-mail: the mailboxes tickets arrive through, every message received (kept
raw), and the Message-IDs that thread replies onto tickets."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from atiende.core.models import Department, Organization, Team
from atiende.core.secrets import EncryptedTextField
from atiende.tickets.models import Category, Comment, Kind, Ticket


class MailboxKind(models.TextChoices):
    """What a mailbox's new messages become."""

    INCIDENT = Kind.INCIDENT.value, _("Incident")
    SERVICE_REQUEST = Kind.SERVICE_REQUEST.value, _("Service request")


class UnknownSender(models.TextChoices):
    """What a mailbox does with mail from an address that is nobody's yet."""

    CREATE = "create", _("Create the requester")  # a requester of the organization
    HOLD = "hold", _("Hold for review")  # an organization admin decides
    REFUSE = "refuse", _("Refuse")  # the mail server bounces it


class GraphAfterProcessing(models.TextChoices):
    """What happens in Microsoft 365 to a message once the desk has stored it."""

    MARK_READ = "mark_read", _("Mark it as read")
    MOVE = "move", _("Move it to a folder")


class Mailbox(models.Model):
    """One address tickets arrive through (soporte@cliente.example), and where they go:
    the organization and department, the kind of ticket, optional default category
    and team, and what to do with strangers. Every way in (the pipe, IMAP, Microsoft
    Graph) delivers to a mailbox; the address is unique whatever its case."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="mailboxes",
        verbose_name=_("organization"),
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="mailboxes",
        verbose_name=_("department"),
    )
    address = models.EmailField(_("address"), max_length=254)
    kind = models.CharField(_("new messages become"), max_length=20,
                            choices=MailboxKind.choices, default=MailboxKind.INCIDENT)
    default_category = models.ForeignKey(
        Category, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("default category"),
    )
    default_team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("default team"),
    )
    unknown_sender = models.CharField(_("unknown senders"), max_length=10,
                                      choices=UnknownSender.choices,
                                      default=UnknownSender.HOLD)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # Microsoft Graph (a Microsoft 365 shared mailbox read with an Entra ID application's
    # own credentials): the secret is never shown back; the delta link is where the
    # last poll left off (Graph encodes the query in it).
    graph_enabled = models.BooleanField(_("read through Microsoft Graph"), default=False)
    graph_tenant_id = models.CharField(_("directory (tenant) ID"), max_length=253, blank=True)
    graph_client_id = models.CharField(_("application (client) ID"), max_length=36, blank=True)
    graph_client_secret = EncryptedTextField(_("client secret"), blank=True)
    graph_after = models.CharField(_("after processing"), max_length=10,
                                   choices=GraphAfterProcessing.choices,
                                   default=GraphAfterProcessing.MARK_READ)
    graph_move_to = models.CharField(_("move to folder"), max_length=255, blank=True)
    graph_delta_link = models.TextField(blank=True, editable=False)
    graph_polled_at = models.DateTimeField(_("last read"), null=True, blank=True)
    graph_last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")
        ordering = ["address"]
        constraints = [
            models.UniqueConstraint(Lower("address"), name="mailbox_address_unique_ci"),
        ]

    def __str__(self) -> str:
        return self.address

    def save(self, *args, **kwargs) -> None:
        self.address = self.address.strip().lower()
        super().save(*args, **kwargs)


class InboundState(models.TextChoices):
    PROCESSED = "processed", _("Processed")  # became a ticket or a public reply
    HELD = "held", _("Held")  # waits for an organization admin (sender, rate, spoofing)
    QUARANTINED = "quarantined", _("Quarantined")  # could not be processed; raw kept
    IGNORED = "ignored", _("Ignored")  # auto-reply, bounce, bulk or loop: never a ticket
    DISCARDED = "discarded", _("Discarded")  # an admin threw it away; raw dropped


# From a state, the states an admin's review may lead to. Processed, ignored and
# discarded messages are final.
REVIEW_TRANSITIONS: dict[str, set[str]] = {
    InboundState.HELD: {InboundState.PROCESSED, InboundState.HELD, InboundState.QUARANTINED,
                        InboundState.IGNORED, InboundState.DISCARDED},
    InboundState.QUARANTINED: {InboundState.PROCESSED, InboundState.HELD,
                               InboundState.QUARANTINED, InboundState.IGNORED,
                               InboundState.DISCARDED},
}
REVIEWABLE_STATES = frozenset(REVIEW_TRANSITIONS)


class InboundMessage(models.Model):
    """One message delivered to one mailbox, whatever became of it. The raw message is
    kept in the database, not in file storage: it is then written in the same
    transaction as the ticket it became (a crash leaves both or neither), it is
    backed up with everything else, and a quarantined message needs nothing but its
    row to be retried. Attachments still go to file storage through the ticket's
    attachment service. `message_key` (the Message-ID, or a hash of the content when
    there is none) makes a second delivery of the same message a no-op."""

    mailbox = models.ForeignKey(Mailbox, on_delete=models.PROTECT, related_name="messages",
                                verbose_name=_("mailbox"))
    message_key = models.CharField(max_length=64, editable=False)
    message_id = models.TextField(_("Message-ID"), blank=True)
    content_hash = models.CharField(max_length=64, editable=False)
    sender = models.CharField(_("sender"), max_length=254, blank=True)
    sender_name = models.CharField(_("sender's name"), max_length=200, blank=True)
    subject = models.CharField(_("subject"), max_length=1000, blank=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    source = models.CharField(_("received through"), max_length=12, default="pipe")
    raw = models.BinaryField(_("original message"))
    size = models.PositiveIntegerField(_("size"), default=0)
    state = models.CharField(_("state"), max_length=12, choices=InboundState.choices)
    reason = models.CharField(_("reason"), max_length=40, blank=True)
    detail = models.TextField(_("details"), blank=True)
    skipped_files = models.JSONField(_("files not attached"), default=list, blank=True)
    ticket = models.ForeignKey(Ticket, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+", verbose_name=_("ticket"))
    comment = models.ForeignKey(Comment, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+", verbose_name=_("comment"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=1)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+",
                                    verbose_name=_("reviewed by"))
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)

    class Meta:
        verbose_name = _("inbound e-mail")
        verbose_name_plural = _("inbound e-mails")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["mailbox", "message_key"],
                                    name="inbound_message_once"),
        ]
        indexes = [
            models.Index(fields=["mailbox", "sender", "received_at"], name="inbound_sender"),
            models.Index(fields=["state", "mailbox", "-received_at"], name="inbound_state"),
        ]

    def __str__(self) -> str:
        return f"{self.sender} · {self.subject[:80]}"


class Direction(models.TextChoices):
    INBOUND = "inbound", _("Received")
    OUTBOUND = "outbound", _("Sent")


class TicketMessageId(models.Model):
    """A Message-ID that belongs to a ticket's conversation: of a message received
    (and the ticket or reply it became) or, later, of one the desk sent. A reply whose
    In-Reply-To or References names it belongs to that ticket. `key` is a hash of the
    Message-ID, so the lookup index stays small whatever the ID's length."""

    key = models.CharField(max_length=64, db_index=True, editable=False)
    message_id = models.TextField(_("Message-ID"))
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+",
                               verbose_name=_("ticket"))
    comment = models.ForeignKey(Comment, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+", verbose_name=_("comment"))
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("ticket Message-ID")
        verbose_name_plural = _("ticket Message-IDs")
        constraints = [
            models.UniqueConstraint(fields=["key", "ticket"], name="ticket_message_id_once"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.message_id[:80]}"


class ImapSecurity(models.TextChoices):
    """How the connection to an IMAP server is protected."""

    TLS = "tls", _("TLS from the start (port 993)")
    STARTTLS = "starttls", _("STARTTLS (port 143)")
    NONE = "none", _("None (only for a server on this machine)")


class ImapAuth(models.TextChoices):
    """How the desk signs in to an IMAP mailbox."""

    PASSWORD = "password", _("Password")
    # OAuth2 (XOAUTH2): an access token from the provider's token endpoint, asked for
    # with the application's own credentials (Microsoft 365 app-only access) ...
    OAUTH2_CLIENT = "oauth2_client", _("OAuth2, application credentials")
    # ... or with a refresh token an administrator obtained once (Google, delegated).
    OAUTH2_REFRESH = "oauth2_refresh", _("OAuth2, refresh token")


class ImapAfter(models.TextChoices):
    """What the desk does to a message in the IMAP folder once it is stored."""

    MOVE = "move", _("Move it to a folder")
    SEEN = "seen", _("Mark it as read")
    KEYWORD = "keyword", _("Add a keyword")


class ImapAccount(models.Model):
    """The IMAP folder a mailbox's mail is fetched from, polled by the worker: the
    server, how to sign in (the password or OAuth2 secrets are stored here and never
    shown back), what to do with a message once stored, and the state of the polling
    (the UIDs already taken, the last poll and the last error)."""

    mailbox = models.OneToOneField(Mailbox, on_delete=models.CASCADE, related_name="imap",
                                   verbose_name=_("mailbox"))
    is_enabled = models.BooleanField(_("polling enabled"), default=True)
    host = models.CharField(_("server"), max_length=253)
    port = models.PositiveIntegerField(_("port"), default=993)
    security = models.CharField(_("connection security"), max_length=10,
                                choices=ImapSecurity.choices, default=ImapSecurity.TLS)
    username = models.CharField(_("user name"), max_length=254)
    auth = models.CharField(_("sign-in"), max_length=16, choices=ImapAuth.choices,
                            default=ImapAuth.PASSWORD)
    # The password, or the OAuth2 client secret; write-only in every form.
    secret = EncryptedTextField(_("password or client secret"), blank=True)
    oauth_token_url = models.URLField(_("token endpoint"), max_length=500, blank=True)
    oauth_client_id = models.CharField(_("client ID"), max_length=200, blank=True)
    oauth_scope = models.CharField(_("scope"), max_length=500, blank=True)
    oauth_refresh_token = EncryptedTextField(_("refresh token"), blank=True)
    folder = models.CharField(_("folder"), max_length=200, default="INBOX")
    after = models.CharField(_("after storing a message"), max_length=10,
                             choices=ImapAfter.choices, default=ImapAfter.MOVE)
    after_target = models.CharField(_("folder or keyword"), max_length=200,
                                    default="Atiende")
    # UIDs are only meaningful within one UIDVALIDITY of the folder: when it changes,
    # everything is looked at again (ingest recognises what it has already stored).
    uid_validity = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    last_uid = models.PositiveBigIntegerField(default=0, editable=False)
    # A poll in progress holds the account until then (two workers never poll it at
    # once; a worker that died releases it when the time passes).
    polling_until = models.DateTimeField(null=True, blank=True, editable=False)
    last_polled_at = models.DateTimeField(_("last poll"), null=True, blank=True,
                                          editable=False)
    last_success_at = models.DateTimeField(_("last successful poll"), null=True, blank=True,
                                           editable=False)
    last_error = models.TextField(_("last error"), blank=True, editable=False)
    last_error_at = models.DateTimeField(_("last error at"), null=True, blank=True,
                                         editable=False)

    class Meta:
        verbose_name = _("IMAP account")
        verbose_name_plural = _("IMAP accounts")

    def __str__(self) -> str:
        return f"{self.username}@{self.host}/{self.folder}"


class InlineImage(models.Model):
    """An image an e-mail's HTML shows by its Content-ID (`<img src="cid:...">`), kept
    as one of the ticket's attachments: the ticket's page shows it in place through
    the attachment's permission-checked address."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+",
                               verbose_name=_("ticket"))
    attachment = models.OneToOneField("tickets.Attachment", on_delete=models.CASCADE,
                                      related_name="+", verbose_name=_("attachment"))
    content_id = models.CharField(_("Content-ID"), max_length=255)

    class Meta:
        verbose_name = _("inline image")
        verbose_name_plural = _("inline images")
        indexes = [models.Index(fields=["ticket", "content_id"], name="inline_image_cid")]

    def __str__(self) -> str:
        return f"{self.ticket_id} cid:{self.content_id}"
