"""Reads of surveys and their results, each starting from the actor's scope
(`policies.visible_results`) or from the requester's own surveys, so whatever the
actor may not see is a 404 on every path."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field

from django.db.models import Avg, Count, F, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from atiende.core.models import User
from atiende.errors import NotFound, ValidationFailed
from atiende.satisfaction import policies
from atiende.satisfaction.models import SCORES, Survey

# How results can be grouped: name -> (label shown, key field, label field).
GROUPINGS: dict[str, tuple[str, str | None, str | None]] = {
    "organization": (gettext_lazy("Organization"), "organization_id", "organization__name"),
    "department": (gettext_lazy("Department"), "department_id", "department__name"),
    "team": (gettext_lazy("Team"), "team_id", "team__name"),
    "agent": (gettext_lazy("Agent"), "agent_id", "agent__display_name"),
    "service": (gettext_lazy("Service"), "service_id", "service__name"),
    "month": (gettext_lazy("Month"), None, None),
}
NO_VALUE_LABELS = {
    "team": gettext_lazy("No team"),
    "agent": gettext_lazy("No agent"),
    "service": gettext_lazy("No service"),
}


@dataclass
class ResultRow:
    """The answers of one group: how many surveys were sent and answered, the average
    score, and how many answers gave each score (1 to 5)."""

    key: str
    label: str
    sent: int
    answered: int
    average: float | None
    distribution: list[int] = field(default_factory=list)

    @property
    def response_rate(self) -> float:
        return round(self.answered / self.sent, 4) if self.sent else 0.0

    @property
    def shares(self) -> list[float]:
        """Each score's share of the answers, in percent (for the bar chart)."""
        return [round(100 * count / self.answered, 1) if self.answered else 0.0
                for count in self.distribution]

    @property
    def segments(self) -> list[tuple[int, float, float, int]]:
        """(score, start, width, count) of each score's part of a 100-wide stacked bar."""
        start, parts = 0.0, []
        for score, (share, count) in zip(SCORES, zip(self.shares, self.distribution,
                                                       strict=True), strict=True):
            if count:
                parts.append((score, round(start, 2), share, count))
            start += share
        return parts

    @property
    def average_percent(self) -> float:
        return round(self.average / 5 * 100, 1) if self.average else 0.0


@dataclass(frozen=True)
class ResultFilters:
    group_by: str = "month"
    since: dt.date | None = None
    until: dt.date | None = None
    organization_id: int | None = None
    department_id: int | None = None


def _aware(day: dt.date, time_zone: zoneinfo.ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=time_zone)


def _time_zone(actor: User) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(actor.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        return zoneinfo.ZoneInfo(timezone.get_default_timezone_name())


def visible_surveys(*, actor: User, filters: ResultFilters | None = None) -> QuerySet[Survey]:
    """Surveys the actor may read results of, filtered by the period (days in the
    actor's time zone, `until` included), organization and department."""
    if not policies.can_read_results(actor):
        raise NotFound()
    filters = filters or ResultFilters()
    surveys = Survey.objects.filter(policies.visible_results(actor))
    time_zone = _time_zone(actor)
    if filters.since and filters.until and filters.since > filters.until:
        raise ValidationFailed({"until": _("The end of the period is before its start.")},
                               code="invalid_period")
    if filters.since:
        surveys = surveys.filter(sent_at__gte=_aware(filters.since, time_zone))
    if filters.until:
        surveys = surveys.filter(
            sent_at__lt=_aware(filters.until + dt.timedelta(days=1), time_zone))
    if filters.organization_id:
        surveys = surveys.filter(organization_id=filters.organization_id)
    if filters.department_id:
        surveys = surveys.filter(department_id=filters.department_id)
    return surveys


def _score_counts() -> dict:
    return {f"score_{score}": Count("id", filter=Q(score=score)) for score in SCORES}


def results(*, actor: User, filters: ResultFilters) -> list[ResultRow]:
    """One row per group (one query, whatever the number of groups), ordered by label,
    the group without a value (no team, no agent, no service) last; months oldest
    first, in the actor's time zone. ValidationFailed for an unknown grouping."""
    if filters.group_by not in GROUPINGS:
        raise ValidationFailed({"group_by": _("Group by one of: %(choices)s.")
                                % {"choices": ", ".join(GROUPINGS)}}, code="invalid_group_by")
    surveys = visible_surveys(actor=actor, filters=filters)
    _title, key_field, label_field = GROUPINGS[filters.group_by]
    if key_field is None:
        surveys = surveys.annotate(group_key=TruncMonth("sent_at", tzinfo=_time_zone(actor)),
                                   group_label=F("group_key"))
    else:
        surveys = surveys.annotate(group_key=F(key_field), group_label=F(label_field))
    rows = [_row(filters.group_by, row) for row in (
        surveys.values("group_key", "group_label")
        .annotate(sent=Count("id"), answered=Count("score"), average=Avg("score"),
                  **_score_counts())
        .order_by())]
    # Sorted here, not by the database: databases put a missing label (no team) first
    # or last depending on the engine.
    if filters.group_by == "month":
        return sorted(rows, key=lambda row: row.key)
    return sorted(rows, key=lambda row: (row.key == "", row.label.casefold(), row.key))


def _row(group_by: str, row: dict) -> ResultRow:
    key, label = row["group_key"], row["group_label"]
    if group_by == "month":
        key = label = key.strftime("%Y-%m") if key else ""
    elif key is None:
        key, label = "", str(NO_VALUE_LABELS.get(group_by, "—"))
    return ResultRow(
        key=str(key), label=str(label), sent=row["sent"], answered=row["answered"],
        average=round(row["average"], 2) if row["average"] is not None else None,
        distribution=[row[f"score_{score}"] for score in SCORES])


def totals(*, actor: User, filters: ResultFilters) -> ResultRow:
    """The same figures over every survey the filters keep (one query)."""
    row = visible_surveys(actor=actor, filters=filters).aggregate(
        sent=Count("id"), answered=Count("score"), average=Avg("score"), **_score_counts())
    return _row("total", {**row, "group_key": "total", "group_label": _("All")})


def answers(*, actor: User, filters: ResultFilters | None = None,
            with_comment: bool = False) -> QuerySet[Survey]:
    """Answered surveys the actor may read, newest first, with what a list shows."""
    surveys = (visible_surveys(actor=actor, filters=filters).filter(answered_at__isnull=False)
               .select_related("ticket", "organization", "department", "team", "agent",
                               "service", "requester"))
    if with_comment:
        surveys = surveys.exclude(comment="")
    return surveys.order_by("-answered_at", "-id")


def _ticket_number(number: str) -> str:
    if not isinstance(number, str) or "\x00" in number:  # PostgreSQL cannot compare NUL
        raise NotFound()
    return number.strip().upper()


def survey_for_requester(*, actor: User, number: str) -> Survey:
    """The survey of ticket `number` when the actor is its requester; NotFound for
    anyone else, and for a ticket without a survey (not resolved yet)."""
    if actor is None or not actor.is_authenticated:
        raise NotFound()
    survey = (Survey.objects.select_related("ticket", "team", "agent")
              .filter(ticket__number=_ticket_number(number), requester_id=actor.pk).first())
    if survey is None:
        raise NotFound()
    return survey


def surveys_waiting(*, actor: User, limit: int = 20) -> list[Survey]:
    """The actor's own surveys still waiting for an answer, newest first."""
    return list(Survey.objects.select_related("ticket")
                .filter(requester_id=actor.pk, answered_at__isnull=True)
                .order_by("-sent_at", "-id")[:limit])
