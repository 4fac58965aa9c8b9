"""The requester's portal: how an organization's portal looks, and which knowledge
suggestions spared the desk a ticket (deflection)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from atiende.core.models import Organization

# A blue with a contrast of 7.1:1 against white: white text on it stays readable.
DEFAULT_PRIMARY_COLOUR = "#1d5b8f"


class PortalBranding(models.Model):
    """How one organization's portal looks: the name shown, its logo and primary colour.

    Without a row the portal shows the organization's name and the default colour. The
    logo is stored re-encoded as PNG by the service (never the uploaded bytes), so that
    what is served is always a plain image.
    """

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, primary_key=True,
        related_name="portal_branding", verbose_name=_("organization"),
    )
    title = models.CharField(_("name shown"), max_length=120, blank=True)
    primary_colour = models.CharField(_("primary colour"), max_length=7,
                                      default=DEFAULT_PRIMARY_COLOUR)
    logo = models.BinaryField(_("logo"), null=True, blank=True, editable=False)
    logo_digest = models.CharField(max_length=64, blank=True, editable=False)
    logo_width = models.PositiveSmallIntegerField(default=0, editable=False)
    logo_height = models.PositiveSmallIntegerField(default=0, editable=False)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("portal branding")
        verbose_name_plural = _("portal brandings")

    def __str__(self) -> str:
        return self.title or str(self.organization_id)


class Deflection(models.Model):
    """A requester opened a suggested article from the "report a problem" form.

    It counts as a problem solved without a ticket (a deflection) when the requester
    said so (`resolved_at`), or when no report followed within
    `atiende.portal.services.DEFLECTION_WINDOW` (`reported_at` stays empty).
    """

    article = models.ForeignKey("knowledge.Article", on_delete=models.CASCADE,
                                related_name="deflections", verbose_name=_("article"))
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="+", verbose_name=_("requester"))
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+",
                                     verbose_name=_("organization"))
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    resolved_at = models.DateTimeField(_("said it solved the problem"), null=True, blank=True)
    reported_at = models.DateTimeField(_("reported the problem anyway"), null=True, blank=True)

    class Meta:
        verbose_name = _("deflection")
        verbose_name_plural = _("deflections")
        indexes = [models.Index(fields=["requester", "opened_at"], name="deflection_recent"),
                   models.Index(fields=["article", "opened_at"], name="deflection_article")]

    def __str__(self) -> str:
        return f"{self.article_id} {self.opened_at:%Y-%m-%d %H:%M}"
