"""The service catalog: what a department offers, the form a requester fills in, and
what happens after submitting: approvals in steps, then fulfilment tasks for teams.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from atiende.core.models import Department, Organization


class CatalogCategory(models.Model):
    """A heading of a department's catalog ("Equipos", "Accesos"), in the order shown."""

    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="catalog_categories",
        verbose_name=_("department"),
    )
    name = models.CharField(_("name"), max_length=120)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("catalog category")
        verbose_name_plural = _("catalog categories")
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["department", "name"], name="catalog_category_name"),
        ]

    def __str__(self) -> str:
        return self.name


class DeliveryUnit(models.TextChoices):
    """How an item's expected delivery time is counted."""

    HOURS = "hours", _("hours")
    WORKING_DAYS = "working_days", _("working days")
    DAYS = "days", _("calendar days")


class CatalogItem(models.Model):
    """One thing a requester may ask a department for ("Nuevo portátil").

    `audience` empty means every organization the department serves; otherwise only
    the organizations listed (each served by the department). `current_version` is the
    form requesters fill in now; older versions stay for the requests that answered
    them.
    """

    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="catalog_items",
        verbose_name=_("department"),
    )
    category = models.ForeignKey(
        CatalogCategory, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="items", verbose_name=_("category"),
    )
    name = models.CharField(_("name"), max_length=120)
    short_description = models.CharField(_("short description"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)  # sanitised HTML
    delivery_amount = models.PositiveIntegerField(_("expected delivery"), null=True, blank=True)
    delivery_unit = models.CharField(
        _("delivery unit"), max_length=20, choices=DeliveryUnit.choices,
        default=DeliveryUnit.WORKING_DAYS,
    )
    audience = models.ManyToManyField(
        Organization, blank=True, related_name="+", verbose_name=_("who may request it"),
    )
    service = models.ForeignKey(
        "tickets.Service", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="catalog_items", verbose_name=_("service"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    current_version = models.ForeignKey(
        "FormVersion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("current form"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("catalog item")
        verbose_name_plural = _("catalog items")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["department", "name"], name="catalog_item_name"),
        ]

    def __str__(self) -> str:
        return self.name


class FormVersion(models.Model):
    """One version of an item's form: its fields as validated JSON (see
    `atiende.catalog.forms_schema`). Never changed once written: editing the form
    writes the next version."""

    item = models.ForeignKey(
        CatalogItem, on_delete=models.CASCADE, related_name="versions",
        verbose_name=_("catalog item"),
    )
    number = models.PositiveIntegerField(_("version"))
    fields = models.JSONField(_("fields"), default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("form version")
        verbose_name_plural = _("form versions")
        ordering = ["item", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="form_version_number"),
        ]

    def __str__(self) -> str:
        return f"{self.item} v{self.number}"


class RequestAnswers(models.Model):
    """What a requester answered when asking for a catalog item: the service request
    it created, the item and the exact form version answered."""

    ticket = models.OneToOneField(
        "tickets.Ticket", on_delete=models.CASCADE, primary_key=True,
        related_name="catalog_answers", verbose_name=_("ticket"),
    )
    item = models.ForeignKey(
        CatalogItem, on_delete=models.PROTECT, related_name="requests",
        verbose_name=_("catalog item"),
    )
    form_version = models.ForeignKey(
        FormVersion, on_delete=models.PROTECT, related_name="requests",
        verbose_name=_("form version"),
    )
    answers = models.JSONField(_("answers"), default=dict)

    class Meta:
        verbose_name = _("request answers")
        verbose_name_plural = _("request answers")

    def __str__(self) -> str:
        return str(self.ticket_id)


# --- approvals and fulfilment -----------------------------------------------------------
#
# An item carries two plans an administrator edits: its approval steps and its
# fulfilment tasks. Submitting a request copies both into rows of its own
# (`ApprovalStage` with one `Approval` per approver, `RequestTask`), so editing a plan
# never changes a request already running.


class ApproverKind(models.TextChoices):
    """Who decides one approval step."""

    MANAGER = "manager", _("The requester's manager")
    PEOPLE = "people", _("Named people")
    GROUP = "group", _("A group of people")


class ApprovalRule(models.TextChoices):
    """How many of a step's approvers must approve. A step is rejected as soon as its
    rule can no longer be met (for "all": the first rejection)."""

    ANY = "any", _("Any one of them")
    ALL = "all", _("All of them")
    MAJORITY = "majority", _("A majority")


class ApprovalStep(models.Model):
    """One step of an item's approval plan, decided before the next one starts."""

    item = models.ForeignKey(CatalogItem, on_delete=models.CASCADE,
                             related_name="approval_steps", verbose_name=_("catalog item"))
    position = models.PositiveIntegerField(_("position"))
    approver_kind = models.CharField(_("approvers"), max_length=10,
                                     choices=ApproverKind.choices)
    people = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+",
                                    verbose_name=_("people"))
    group = models.ForeignKey("core.PersonGroup", on_delete=models.PROTECT, null=True,
                              blank=True, related_name="+", verbose_name=_("group"))
    rule = models.CharField(_("rule"), max_length=10, choices=ApprovalRule.choices,
                            default=ApprovalRule.ANY)

    class Meta:
        verbose_name = _("approval step")
        verbose_name_plural = _("approval steps")
        ordering = ["item", "position"]
        constraints = [
            models.UniqueConstraint(fields=["item", "position"], name="approval_step_position"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} #{self.position} {self.approver_kind}"


class FulfilmentStep(models.Model):
    """One task of an item's fulfilment plan. Tasks of the same `stage` run in
    parallel; a stage starts when every task of the stage before is done."""

    item = models.ForeignKey(CatalogItem, on_delete=models.CASCADE,
                             related_name="fulfilment_steps", verbose_name=_("catalog item"))
    position = models.PositiveIntegerField(_("position"))
    stage = models.PositiveIntegerField(_("stage"), default=1)
    title = models.CharField(_("title"), max_length=200)
    team = models.ForeignKey("core.Team", on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("team"))

    class Meta:
        verbose_name = _("fulfilment task")
        verbose_name_plural = _("fulfilment tasks")
        ordering = ["item", "stage", "position"]
        constraints = [
            models.UniqueConstraint(fields=["item", "position"],
                                    name="fulfilment_step_position"),
        ]

    def __str__(self) -> str:
        return self.title


class StageState(models.TextChoices):
    WAITING = "waiting", _("Waiting for an earlier step")
    PENDING = "pending", _("Awaiting decisions")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class ApprovalStage(models.Model):
    """One approval step of one service request, with the rule and label copied from
    the plan when the request was submitted."""

    request = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE,
                                related_name="approval_stages", verbose_name=_("request"))
    position = models.PositiveIntegerField(_("position"))
    approver_kind = models.CharField(_("approvers"), max_length=10,
                                     choices=ApproverKind.choices)
    label = models.CharField(_("approvers"), max_length=200)
    rule = models.CharField(_("rule"), max_length=10, choices=ApprovalRule.choices)
    state = models.CharField(_("state"), max_length=10, choices=StageState.choices,
                             default=StageState.WAITING)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        verbose_name = _("approval stage")
        verbose_name_plural = _("approval stages")
        ordering = ["request", "position"]
        constraints = [
            models.UniqueConstraint(fields=["request", "position"],
                                    name="approval_stage_position"),
        ]

    def __str__(self) -> str:
        return f"{self.request_id} #{self.position} {self.state}"


class Decision(models.TextChoices):
    PENDING = "pending", _("Awaiting decision")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    NOT_NEEDED = "not_needed", _("No longer needed")  # the step was decided without it


class Approval(models.Model):
    """One person's decision in one approval stage. `nonce` makes the e-mailed link
    single-use: the link names it, and a decided approval no longer accepts it."""

    stage = models.ForeignKey(ApprovalStage, on_delete=models.CASCADE,
                              related_name="approvals", verbose_name=_("approval stage"))
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 related_name="approvals", verbose_name=_("approver"))
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices,
                                default=Decision.PENDING)
    comment = models.TextField(_("comment"), blank=True)
    channel = models.CharField(_("channel"), max_length=12, blank=True)
    nonce = models.CharField(max_length=32)
    requested_at = models.DateTimeField(_("requested"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")
        ordering = ["stage", "id"]
        constraints = [
            models.UniqueConstraint(fields=["stage", "approver"], name="approval_once"),
        ]
        indexes = [models.Index(fields=["approver", "decision"], name="approval_inbox")]

    def __str__(self) -> str:
        return f"{self.stage_id} {self.approver_id} {self.decision}"


class RequestTask(models.Model):
    """One fulfilment task of one service request, copied from the plan at submit; its
    task ticket (kind "task", TSK-) is created when its stage starts."""

    request = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE,
                                related_name="fulfilment_tasks", verbose_name=_("request"))
    position = models.PositiveIntegerField(_("position"))
    stage = models.PositiveIntegerField(_("stage"))
    title = models.CharField(_("title"), max_length=200)
    team = models.ForeignKey("core.Team", on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("team"))
    task = models.OneToOneField("tickets.Ticket", on_delete=models.PROTECT, null=True,
                                blank=True, related_name="fulfilment_of",
                                verbose_name=_("task"))

    class Meta:
        verbose_name = _("request task")
        verbose_name_plural = _("request tasks")
        ordering = ["request", "stage", "position"]
        constraints = [
            models.UniqueConstraint(fields=["request", "position"],
                                    name="request_task_position"),
        ]

    def __str__(self) -> str:
        return self.title
