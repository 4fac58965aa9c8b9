"""The ticket record every kind of work shares, its lifecycle, and its event log."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from atiende.core.models import Department, Organization, Team


class Kind(models.TextChoices):
    """What kind of work a ticket is; each kind has its own numbering and lifecycle."""

    INCIDENT = "incident", _("Incident")
    SERVICE_REQUEST = "service_request", _("Service request")
    CHANGE = "change", _("Change")
    PROBLEM = "problem", _("Problem")
    TASK = "task", _("Task")


NUMBER_PREFIX = {
    Kind.INCIDENT: "INC",
    Kind.SERVICE_REQUEST: "REQ",
    Kind.CHANGE: "CHG",
    Kind.PROBLEM: "PRB",
    Kind.TASK: "TSK",
}


class Status(models.TextChoices):
    NEW = "new", _("New")  # registered, nobody has taken it yet
    ASSIGNED = "assigned", _("Assigned")  # an agent has it, work has not started
    IN_PROGRESS = "in_progress", _("In progress")  # being worked
    PENDING = "pending", _("Pending")  # waiting on someone else (see pending reason)
    RESOLVED = "resolved", _("Resolved")  # fixed or fulfilled; can be reopened in the window
    CLOSED = "closed", _("Closed")  # final
    CANCELLED = "cancelled", _("Cancelled")  # withdrawn or a duplicate; final


OPEN_STATUSES = frozenset({Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS, Status.PENDING})
FINAL_STATUSES = frozenset({Status.CLOSED, Status.CANCELLED})

_WORK_LIFECYCLE = {
    Status.NEW: {Status.ASSIGNED, Status.IN_PROGRESS, Status.PENDING, Status.RESOLVED,
                 Status.CANCELLED},
    Status.ASSIGNED: {Status.NEW, Status.IN_PROGRESS, Status.PENDING, Status.RESOLVED,
                      Status.CANCELLED},
    Status.IN_PROGRESS: {Status.ASSIGNED, Status.PENDING, Status.RESOLVED, Status.CANCELLED},
    Status.PENDING: {Status.IN_PROGRESS, Status.RESOLVED, Status.CANCELLED},
    Status.RESOLVED: {Status.CLOSED, Status.IN_PROGRESS},  # to in progress: a reopen
    Status.CLOSED: set(),
    Status.CANCELLED: set(),
}

# The lifecycle of each kind: from a status, the statuses it may move to. Changes,
# problems and tasks get lifecycles of their own when their capabilities arrive.
LIFECYCLES: dict[str, dict[str, set[str]]] = {
    Kind.INCIDENT: _WORK_LIFECYCLE,
    Kind.SERVICE_REQUEST: _WORK_LIFECYCLE,
    Kind.TASK: _WORK_LIFECYCLE,  # fulfilment tasks of catalog requests (atiende.catalog)
}


class PendingReason(models.TextChoices):
    AWAITING_REQUESTER = "awaiting_requester", _("Awaiting the requester")
    THIRD_PARTY = "third_party", _("Awaiting a third party")
    CHANGE = "change", _("Awaiting a change")
    # Set and cleared by the catalog's approval steps (atiende.catalog.approval_services).
    AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
    OTHER = "other", _("Other")


class ResolutionCode(models.TextChoices):
    FIXED = "fixed", _("Fixed")
    WORKAROUND = "workaround", _("Workaround applied")
    FULFILLED = "fulfilled", _("Request fulfilled")
    NO_FAULT = "no_fault", _("No fault found")
    USER_ERROR = "user_error", _("Usage or training")
    DUPLICATE = "duplicate", _("Duplicate")
    NOT_REPRODUCIBLE = "not_reproducible", _("Could not reproduce")


class Channel(models.TextChoices):
    """How the requester reached the desk."""

    PORTAL = "portal", _("Portal")
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")
    WALK_IN = "walk_in", _("Walk-in")
    API = "api", _("API")
    CHAT = "chat", _("Chat")
    MONITORING = "monitoring", _("Monitoring")


class Level(models.IntegerChoices):
    """Impact and urgency, from the ITIL matrix."""

    HIGH = 1, _("High")
    MEDIUM = 2, _("Medium")
    LOW = 3, _("Low")


class Priority(models.IntegerChoices):
    CRITICAL = 1, _("P1 Critical")
    HIGH = 2, _("P2 High")
    MODERATE = 3, _("P3 Moderate")
    LOW = 4, _("P4 Low")
    PLANNING = 5, _("P5 Planning")


# (impact, urgency) -> priority; a department may replace it (DeskSettings).
DEFAULT_PRIORITY_MATRIX = {
    (1, 1): 1, (1, 2): 2, (1, 3): 3,
    (2, 1): 2, (2, 2): 3, (2, 3): 4,
    (3, 1): 3, (3, 2): 4, (3, 3): 5,
}


class DeskSettings(models.Model):
    """How one department runs its tickets. Without a row, the defaults apply."""

    department = models.OneToOneField(
        Department, on_delete=models.CASCADE, related_name="desk_settings",
        verbose_name=_("department"),
    )
    priority_matrix = models.JSONField(
        _("priority matrix"), default=dict, blank=True,
        help_text=_("“impact,urgency” → priority, e.g. {\"1,1\": 1}; missing cells use the "
                    "default matrix."),
    )
    reopen_window_days = models.PositiveSmallIntegerField(_("reopen window (days)"), default=7)

    class Meta:
        verbose_name = _("desk settings")
        verbose_name_plural = _("desk settings")

    def __str__(self) -> str:
        return str(self.department)

    def priority_for(self, impact: int, urgency: int) -> int:
        configured = self.priority_matrix.get(f"{impact},{urgency}")
        return int(configured) if configured else DEFAULT_PRIORITY_MATRIX[(impact, urgency)]


class Category(models.Model):
    """A node of a department's category tree (e.g. Hardware / Impresoras)."""

    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="categories",
        verbose_name=_("department"),
    )
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children",
        verbose_name=_("parent"),
    )
    name = models.CharField(_("name"), max_length=120)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["department", "parent", "name"],
                                    name="category_name_per_parent"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def query_string(self) -> str:
        """The queue's query string that opens this view."""
        return urlencode({**self.query, "view": self.pk}, doseq=True)


class Service(models.Model):
    """A service a department provides (e.g. "Correo electrónico", "Nómina")."""

    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="services",
        verbose_name=_("department"),
    )
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["department", "name"], name="service_name"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def query_string(self) -> str:
        """The queue's query string that opens this view."""
        return urlencode({**self.query, "view": self.pk}, doseq=True)


class FieldType(models.TextChoices):
    TEXT = "text", _("Text")
    NUMBER = "number", _("Number")
    DATE = "date", _("Date")
    CHOICE = "choice", _("Choice")
    USER = "user", _("Person")


class CustomField(models.Model):
    """A typed field a department adds to its tickets; values live in
    `Ticket.custom_fields` under `key`."""

    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="custom_fields",
        verbose_name=_("department"),
    )
    key = models.SlugField(_("key"), max_length=60)
    label = models.CharField(_("label"), max_length=120)
    field_type = models.CharField(_("type"), max_length=10, choices=FieldType.choices)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    is_required = models.BooleanField(_("required"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("custom field")
        verbose_name_plural = _("custom fields")
        ordering = ["position", "label"]
        constraints = [
            models.UniqueConstraint(fields=["department", "key"], name="custom_field_key"),
        ]

    def __str__(self) -> str:
        return self.label


class Tag(models.Model):
    """A free label, kept per department so each desk has its own vocabulary."""

    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="tags", verbose_name=_("department")
    )
    name = models.CharField(_("name"), max_length=50)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["department", "name"], name="tag_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def query_string(self) -> str:
        """The queue's query string that opens this view."""
        return urlencode({**self.query, "view": self.pk}, doseq=True)


class TicketSequence(models.Model):
    """The last number given to each kind; a row lock hands out the next one."""

    kind = models.CharField(max_length=20, choices=Kind.choices, primary_key=True)
    last = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("ticket number sequence")

    def __str__(self) -> str:
        return f"{self.kind}: {self.last}"


class Ticket(models.Model):
    """One unit of work: an incident, a service request, and later a change, a problem
    or a task. Fields every kind shares live here; kind-specific data lives in a
    one-to-one detail record. Change it only through `atiende.tickets.services`."""

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="tickets",
        verbose_name=_("organization"),
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="tickets",
        verbose_name=_("department"),
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="requested_tickets",
        verbose_name=_("requester"),
    )
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices,
                               default=Channel.PORTAL)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, null=True, blank=True, related_name="tickets",
        verbose_name=_("category"),
    )
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, null=True, blank=True, related_name="tickets",
        verbose_name=_("service"),
    )
    impact = models.PositiveSmallIntegerField(_("impact"), choices=Level.choices,
                                              default=Level.MEDIUM)
    urgency = models.PositiveSmallIntegerField(_("urgency"), choices=Level.choices,
                                               default=Level.MEDIUM)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices,
                                                default=Priority.MODERATE)
    priority_overridden = models.BooleanField(_("priority set by hand"), default=False)
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="tickets",
        verbose_name=_("team"),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="assigned_tickets", verbose_name=_("assignee"),
    )
    support_line = models.PositiveSmallIntegerField(_("support line"), default=1)
    watchers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="watched_tickets", blank=True,
        verbose_name=_("watchers"),
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices,
                              default=Status.NEW)
    pending_reason = models.CharField(_("pending reason"), max_length=20, blank=True,
                                      choices=PendingReason.choices)
    resolution_code = models.CharField(_("resolution code"), max_length=20, blank=True,
                                       choices=ResolutionCode.choices)
    resolution_notes = models.TextField(_("resolution notes"), blank=True)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children",
        verbose_name=_("parent ticket"),
    )
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged",
        verbose_name=_("merged into"),
    )
    tags = models.ManyToManyField(Tag, related_name="tickets", blank=True,
                                  verbose_name=_("tags"))
    custom_fields = models.JSONField(_("custom fields"), default=dict, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # Denormalized from the ticket's SLA clocks (atiende.sla.clock_services) so queues
    # sort and filter by index: the earliest due time of its clocks still counting (a
    # breached one included), and the most urgent of their states ("" without clocks).
    sla_due_at = models.DateTimeField(_("SLA due"), null=True, blank=True)
    sla_state = models.CharField(_("SLA state"), max_length=10, blank=True, default="")

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "department", "status", "-id"],
                         name="ticket_queue"),
            models.Index(fields=["assignee", "status", "-id"], name="ticket_assignee"),
            models.Index(fields=["team", "status", "-id"], name="ticket_team"),
            models.Index(fields=["requester", "-id"], name="ticket_requester"),
            models.Index(fields=["sla_due_at", "id"], name="ticket_sla_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="pending") | ~Q(pending_reason=""),
                name="ticket_pending_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["resolved", "closed"]) | ~Q(resolution_code=""),
                name="ticket_resolved_has_code",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def allowed_statuses(self) -> set[str]:
        return set(LIFECYCLES.get(self.kind, {}).get(self.status, set()))


class IncidentDetail(models.Model):
    """What only incidents have."""

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, primary_key=True,
                                  related_name="incident")
    is_major = models.BooleanField(_("major incident"), default=False)
    workaround = models.TextField(_("workaround"), blank=True)

    class Meta:
        verbose_name = _("incident details")

    def __str__(self) -> str:
        return str(self.ticket_id)


class ServiceRequestDetail(models.Model):
    """What only service requests have."""

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, primary_key=True,
                                  related_name="service_request")
    requested_for = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("requested for"),
    )

    class Meta:
        verbose_name = _("service request details")

    def __str__(self) -> str:
        return str(self.ticket_id)


class LinkKind(models.TextChoices):
    RELATED = "related", _("Related to")
    DUPLICATE = "duplicate", _("Duplicate of")
    CAUSED_BY = "caused_by", _("Caused by")


class TicketLink(models.Model):
    """A relation between two tickets (related, duplicate, caused by)."""

    source = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links_out")
    target = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links_in")
    kind = models.CharField(_("kind"), max_length=12, choices=LinkKind.choices,
                            default=LinkKind.RELATED)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("ticket link")
        constraints = [
            models.UniqueConstraint(fields=["source", "target"], name="ticket_link_once"),
            models.CheckConstraint(condition=~Q(source=models.F("target")),
                                   name="ticket_link_not_itself"),
        ]

    def __str__(self) -> str:
        return f"{self.source_id} {self.kind} {self.target_id}"


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public reply")  # the requester sees it
    INTERNAL = "internal", _("Internal note")  # agents only


class Comment(models.Model):
    """A public reply or an internal note. Edits and deletions are events; a deleted
    comment keeps its row with `deleted_at` set, so the timeline stays whole."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+", verbose_name=_("author"))
    visibility = models.CharField(_("visibility"), max_length=10, choices=Visibility.choices)
    body = models.TextField(_("text"))
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices,
                               default=Channel.PORTAL)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="comment_ticket")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.visibility} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def revision(self) -> str:
        """Which text an editor saw: it changes with every edit, so an edit made on an
        older text is refused instead of overwriting the newer one."""
        return self.edited_at.isoformat() if self.edited_at else "original"


class Attachment(models.Model):
    """A file on a ticket (or one of its comments), stored under an opaque name and
    served only through the permission-checked download."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, null=True, blank=True,
                                related_name="attachments")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    file = models.FileField(_("file"), upload_to="attachments/%Y/%m/", max_length=255)
    file_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    is_internal = models.BooleanField(_("agents only"), default=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.file_name


class EventKind(models.TextChoices):
    CREATED = "created", _("Created")
    CHANGED = "changed", _("Field changed")
    STATUS = "status", _("Status changed")
    ASSIGNED = "assigned", _("Assigned")
    ESCALATED = "escalated", _("Escalated")
    PRIORITY_OVERRIDDEN = "priority_overridden", _("Priority set by hand")
    COMMENTED = "commented", _("Comment added")
    COMMENT_EDITED = "comment_edited", _("Comment edited")
    COMMENT_DELETED = "comment_deleted", _("Comment deleted")
    ATTACHED = "attached", _("File attached")
    WATCHER_ADDED = "watcher_added", _("Watcher added")
    WATCHER_REMOVED = "watcher_removed", _("Watcher removed")
    LINKED = "linked", _("Linked")
    UNLINKED = "unlinked", _("Unlinked")
    MERGED = "merged", _("Merged")
    MERGED_INTO = "merged_into", _("Merged into another")
    SLA_WARNING = "sla_warning", _("Service level warning")
    SLA_BREACHED = "sla_breached", _("Service level breached")
    APPROVAL_REQUESTED = "approval_requested", _("Approval requested")
    APPROVAL_APPROVED = "approval_approved", _("Approved")
    APPROVAL_REJECTED = "approval_rejected", _("Rejected")
    SATISFACTION_RATED = "satisfaction_rated", _("Satisfaction rated")
    # An SLA escalation level that is neither a warning nor the breach reached (such as
    # 150 % of the target), and what an escalation level did (atiende.sla.escalation).
    SLA_LEVEL = "sla_level", _("Service level escalation level reached")
    SLA_ESCALATED = "sla_escalated", _("Service level escalation")


class Event(models.Model):
    """One change to one ticket: who, when, through which channel, what changed from
    what to what. Append-only (database triggers refuse updates and deletions, except
    marking the event delivered once); it is the audit trail, the timeline, and the
    outbox that background consumers read (`delivered_at`)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="events")
    created_at = models.DateTimeField(_("when"), default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                              related_name="+", verbose_name=_("who"))
    channel = models.CharField(_("channel"), max_length=12, default="web")
    kind = models.CharField(_("kind"), max_length=24, choices=EventKind.choices)
    field = models.CharField(_("field"), max_length=40, blank=True)
    old_value = models.JSONField(_("before"), null=True, blank=True)
    new_value = models.JSONField(_("after"), null=True, blank=True)
    comment = models.ForeignKey(Comment, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+")
    reason = models.TextField(_("reason"), blank=True)
    ticket_version = models.PositiveIntegerField(_("ticket version"))
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["ticket", "id"], name="event_ticket"),
            models.Index(fields=["id"], condition=Q(delivered_at__isnull=True),
                         name="event_undelivered"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind} {self.field}"


class EventDeliveryFailure(models.Model):
    """One consumer that failed on one event (`atiende.tickets.outbox`). The event itself
    is delivered to the other consumers and marked delivered, so a failing consumer
    never holds back the rest of the log; this row is retried with a growing delay."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="failures")
    consumer = models.CharField(_("consumer"), max_length=60)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=1)
    last_error = models.TextField(_("last error"), blank=True)
    failed_at = models.DateTimeField(_("failed"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)

    class Meta:
        verbose_name = _("event delivery failure")
        verbose_name_plural = _("event delivery failures")
        constraints = [
            models.UniqueConstraint(fields=["event", "consumer"], name="one_failure_per_consumer"),
        ]
        indexes = [models.Index(fields=["next_attempt_at"], name="failure_due")]

    def __str__(self) -> str:
        return f"{self.event_id} {self.consumer}"


class SearchDocument(models.Model):
    """The text of one ticket as search finds it: plain text, kept up to date from the
    event log by the search consumer (`atiende.tickets.search`), rebuilt by
    `atiende reindex`; never edited by hand. Public text is what the requester reads;
    `internal` (internal notes) matches only for staff of the ticket. Migration 0003
    adds the full-text index beside it: tsvector columns on PostgreSQL, an FTS5 table
    on SQLite."""

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, primary_key=True,
                                  related_name="search_document")
    title = models.TextField(blank=True)
    description = models.TextField(blank=True)
    comments = models.TextField(blank=True)  # public replies
    internal = models.TextField(blank=True)  # internal notes
    indexed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")

    def __str__(self) -> str:
        return str(self.ticket_id)


class SavedView(models.Model):
    """A queue as an agent arranged it (queue, filters, sort, columns), saved under a
    name and optionally shared with one of the agent's teams. It stores the query, never
    tickets: whoever opens it sees only what their own scope lets them see."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                              related_name="saved_views", verbose_name=_("owner"))
    name = models.CharField(_("name"), max_length=80)
    query = models.JSONField(_("query"), default=dict, blank=True)
    team = models.ForeignKey(Team, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="saved_views", verbose_name=_("shared with"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="saved_view_name_per_owner"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def query_string(self) -> str:
        """The queue's query string that opens this view."""
        return urlencode({**self.query, "view": self.pk}, doseq=True)
