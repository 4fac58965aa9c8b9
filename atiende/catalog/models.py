"""The service catalog: what a department offers, and the form a requester fills in.

Approvals and fulfilment tasks (issue #6, next slice) hang off `CatalogItem` (an
approval policy, a fulfilment plan) and `RequestAnswers` (the request they run for);
nothing here needs to change for them.
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
