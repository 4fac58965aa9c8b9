"""Satisfaction surveys: the one question a requester is asked when their ticket is
resolved, and how each organization reads a low answer."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from atiende.core.models import Department, Organization, Team
from atiende.tickets.models import Service, Ticket

SCORES = range(1, 6)  # 1 (very dissatisfied) to 5 (very satisfied)
DEFAULT_LOW_SCORE = 2


class Survey(models.Model):
    """The satisfaction survey of one ticket: sent to its requester when it is resolved,
    answered at most once (a score of 1 to 5 and an optional comment).

    One per ticket. When a reopened ticket is resolved again, an unanswered survey is
    sent again for the latest resolution (its team, agent and service are taken again);
    an answered one stays as it was. Organization, department, team, agent and service
    are copied from the ticket when the survey is sent, so results keep counting each
    answer where the work was done even if the ticket is reassigned later."""

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE,
                                  related_name="satisfaction_survey", verbose_name=_("ticket"))
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+",
                                     verbose_name=_("organization"))
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="+",
                                   verbose_name=_("department"))
    team = models.ForeignKey(Team, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+", verbose_name=_("team"))
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="+", verbose_name=_("agent"))
    service = models.ForeignKey(Service, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+", verbose_name=_("service"))
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="satisfaction_surveys",
                                  verbose_name=_("requester"))
    # The resolution event it was (last) sent for: a second delivery of that event
    # changes nothing.
    resolution_event_id = models.BigIntegerField(_("resolution event"))
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)
    score = models.PositiveSmallIntegerField(
        _("score"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField(_("comment"), blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answered_channel = models.CharField(_("answered through"), max_length=12, blank=True)

    class Meta:
        verbose_name = _("satisfaction survey")
        verbose_name_plural = _("satisfaction surveys")
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(score__isnull=True) | Q(score__gte=1, score__lte=5),
                                   name="survey_score_1_to_5"),
            models.CheckConstraint(
                condition=Q(score__isnull=True, answered_at__isnull=True)
                | Q(score__isnull=False, answered_at__isnull=False),
                name="survey_answer_whole"),
        ]
        indexes = [
            models.Index(fields=["organization", "department", "sent_at"],
                         name="survey_results"),
            models.Index(fields=["requester", "-id"], name="survey_requester"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.score or '-'}"

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None


class SatisfactionSettings(models.Model):
    """How one organization reads its surveys. Without a row the defaults apply."""

    organization = models.OneToOneField(Organization, on_delete=models.CASCADE,
                                        related_name="satisfaction_settings",
                                        verbose_name=_("organization"))
    low_score = models.PositiveSmallIntegerField(
        _("low score"), default=DEFAULT_LOW_SCORE,
        validators=[MinValueValidator(1), MaxValueValidator(4)],
        help_text=_("An answer of this score or lower alerts the team lead."))

    class Meta:
        verbose_name = _("satisfaction settings")
        verbose_name_plural = _("satisfaction settings")
        constraints = [
            models.CheckConstraint(condition=Q(low_score__gte=1, low_score__lte=4),
                                   name="satisfaction_low_score_range"),
        ]

    def __str__(self) -> str:
        return str(self.organization)


def low_score_of(organization_id: int) -> int:
    """The score at or below which an answer alerts the team lead."""
    configured = (SatisfactionSettings.objects.filter(organization_id=organization_id)
                  .values_list("low_score", flat=True).first())
    return configured or DEFAULT_LOW_SCORE
