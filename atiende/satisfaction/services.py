"""Every change to satisfaction surveys: sending one when a ticket is resolved,
recording the answer, alerting the team lead of a low score, and an organization's
settings. Each validates, checks permission, writes in one transaction and appends the
ticket event (`satisfaction_rated`) the timeline and the outbox read."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from atiende.core import policies as core_policies
from atiende.core import services as core_services
from atiende.core.models import Role, User
from atiende.errors import Conflict, NotFound, ValidationFailed
from atiende.satisfaction import links, policies
from atiende.satisfaction.models import (
    SCORES,
    SatisfactionSettings,
    Survey,
    low_score_of,
)
from atiende.tickets.models import Event, EventKind, Kind, Ticket
from atiende.tickets.services import dispatch_after_commit
from atiende.validation import text

COMMENT_MAX = 2000
# Kinds whose requester is asked: the work done for them (not changes, problems, tasks).
SURVEYED_KINDS = frozenset({Kind.INCIDENT, Kind.SERVICE_REQUEST})
CHANNELS = frozenset({"web", "email", "api"})


# --- sending ------------------------------------------------------------------------


def survey_send(*, event: Event) -> Survey | None:
    """The survey for the resolution `event` (a status event to resolved): created on a
    ticket's first resolution; on a later one, an unanswered survey is sent again for
    it (dimensions taken from the ticket again), an answered one stays. Safe to run
    twice for one event. None when the ticket's kind is not surveyed."""
    with transaction.atomic():
        ticket = Ticket.objects.filter(pk=event.ticket_id).first()
        if ticket is None or ticket.kind not in SURVEYED_KINDS:
            return None
        survey = Survey.objects.select_for_update().filter(ticket=ticket).first()
        if survey is not None and (survey.is_answered
                                   or survey.resolution_event_id >= event.pk):
            return survey
        survey = survey or Survey(ticket=ticket)
        survey.organization_id = ticket.organization_id
        survey.department_id = ticket.department_id
        survey.team_id = ticket.team_id
        survey.agent_id = ticket.assignee_id
        survey.service_id = ticket.service_id
        survey.requester_id = ticket.requester_id
        survey.resolution_event_id = event.pk
        survey.sent_at = event.created_at
        survey.save()
    return survey


# --- answering ----------------------------------------------------------------------


def _score(value: Any) -> int:
    """A score of 1 to 5 from a form or JSON value ("4" or 4); ValidationFailed else."""
    if isinstance(value, bool):
        value = None
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or value not in SCORES:
        raise ValidationFailed({"score": _("Choose a score from 1 to 5.")},
                               code="invalid_score")
    return value


def _already_answered(survey: Survey) -> Conflict:
    return Conflict(_("Ticket %(number)s was already rated (%(score)s out of 5); a survey "
                      "is answered only once. Thank you!")
                    % {"number": survey.ticket.number, "score": survey.score},
                    code="survey_already_answered")


def survey_answer(*, actor: User, survey: Survey, score: Any, comment: str = "",
                  channel: str = "web", at: dt.datetime | None = None) -> Survey:
    """Record the requester's answer: `score` 1 to 5, `comment` optional (at most
    COMMENT_MAX characters). NotFound for anyone but the survey's requester;
    ValidationFailed (`score`, `comment`) for bad values; Conflict
    (`survey_already_answered`) when it was answered before. Appends one
    `satisfaction_rated` event to the ticket (which alerts the team lead of a low
    score through the outbox). Nothing is written when anything is refused. `at`
    backdates the answer (the demo's history); it defaults to now."""
    if not policies.is_requester(actor, survey):
        raise NotFound()
    errors: dict[str, str] = {}
    try:
        score = _score(score)
    except ValidationFailed as error:
        errors.update(error.fields)
    try:
        comment = text(comment, "comment", max_length=COMMENT_MAX, required=False)
    except ValidationFailed as error:
        errors.update(error.fields)
    if errors:
        raise ValidationFailed(errors, code="invalid_answer")
    channel = channel if channel in CHANNELS else "web"
    with transaction.atomic():
        survey = Survey.objects.select_for_update().select_related("ticket").get(pk=survey.pk)
        if survey.is_answered:
            raise _already_answered(survey)
        now = at or timezone.now()
        survey.score, survey.comment = score, comment
        survey.answered_at, survey.answered_channel = now, channel
        survey.save(update_fields=["score", "comment", "answered_at", "answered_channel"])
        ticket = survey.ticket
        Event.objects.create(
            ticket=ticket, actor=actor, channel=channel, kind=EventKind.SATISFACTION_RATED,
            field="satisfaction",
            new_value={"score": score, "comment": comment,
                       "low": score <= low_score_of(ticket.organization_id)},
            ticket_version=ticket.version, created_at=now)
        dispatch_after_commit()
    return survey


def survey_open_by_link(*, token: str) -> Survey:
    """The survey an e-mailed link opens, while it waits for its answer. Refused as
    `links.survey_from_token` says, and Conflict (`survey_already_answered`) once it
    was answered."""
    survey = links.survey_from_token(token)
    if not survey.requester.is_active:
        raise NotFound()
    if survey.is_answered:
        raise _already_answered(survey)
    return survey


def survey_answer_by_link(*, token: str, score: Any, comment: str = "") -> Survey:
    """Record an answer given through the e-mailed link (no sign-in: the signed link
    stands for the requester). Refused as `links.survey_from_token` and
    `survey_answer` say."""
    survey = links.survey_from_token(token)
    if not survey.requester.is_active:
        raise NotFound()
    return survey_answer(actor=survey.requester, survey=survey, score=score,
                         comment=comment, channel="email")


# --- the alert ----------------------------------------------------------------------


def team_leads(survey: Survey) -> list[User]:
    """Who hears of a low score: the lead of the survey's team and the team's members
    who hold the team lead role for the ticket's organization and department; without
    a team, everyone holding that role there."""
    in_role = Q(memberships__organization_id=survey.organization_id,
                memberships__department_id=survey.department_id,
                memberships__role=Role.TEAM_LEAD)
    if survey.team_id:
        condition = Q(led_teams__id=survey.team_id) | (Q(teams__id=survey.team_id) & in_role)
    else:
        condition = in_role
    return list(User.objects.filter(condition, is_active=True).distinct().order_by("id"))


def low_score_alert(*, event: Event) -> int:
    """Notify the team leads of the low answer `event` records (in the application and
    by e-mail, as each lead chose); return how many notifications were written. Safe
    to run twice: one notification per event, person and channel."""
    from atiende.notifications.models import NotificationKind
    from atiende.notifications.recipients import may_hear, queue

    survey = Survey.objects.select_related("ticket__requester", "ticket__organization",
                                           "ticket__department").filter(
        ticket_id=event.ticket_id).first()
    if survey is None or not survey.is_answered:
        return 0
    ticket = survey.ticket
    told = [(lead, NotificationKind.LOW_SATISFACTION) for lead in team_leads(survey)
            if lead.pk != event.actor_id and may_hear(lead, ticket, event)]
    return len(queue(event, ticket, told))


# --- an organization's settings -----------------------------------------------------


def settings_save(*, actor: User, organization, low_score: Any,
                  channel: str = "web") -> SatisfactionSettings:
    """The score at or below which an answer alerts the team lead (1 to 4).
    Organization admins only (NotFound for anyone else); one audit event."""
    if not core_policies.can_administer(actor, organization):
        raise NotFound()
    try:
        low_score = _score(low_score)
    except ValidationFailed:
        low_score = None
    if low_score is None or low_score > 4:
        raise ValidationFailed({"low_score": _("Choose a score from 1 to 4.")},
                               code="invalid_low_score")
    with transaction.atomic():
        row, _created = SatisfactionSettings.objects.update_or_create(
            organization=organization, defaults={"low_score": low_score})
        core_services.audit(actor=actor, organization_id=organization.pk,
                             action="satisfaction_settings.saved", target=row,
                             changes={"low_score": low_score}, channel=channel)
    return row

