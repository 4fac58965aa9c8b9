"""The signed link that lets a requester answer their survey from the resolution e-mail
without signing in, and what the e-mails about surveys say.

The link carries the survey's id and the requester's, signed with the installation's
secret and a salt of its own (so no other signed value of Atiende passes for it), and
is valid for LINK_DAYS from when the e-mail was written. Whoever holds the link may
answer that one survey once; it reveals nothing else.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext as _

from atiende.errors import AtiendeError, NotFound
from atiende.satisfaction.models import SCORES, Survey

SALT = "atiende.satisfaction.survey-link"
LINK_DAYS = 30


class LinkExpired(AtiendeError):
    """A survey link older than LINK_DAYS."""

    status = 410
    code = "survey_link_expired"


def token_for(survey: Survey) -> str:
    return signing.dumps({"survey": survey.pk, "requester": survey.requester_id}, salt=SALT,
                         compress=True)


def survey_link(survey: Survey, score: int | None = None) -> str:
    path = reverse("satisfaction:link", kwargs={"token": token_for(survey)})
    return f"{settings.SITE_URL}{path}" + (f"?score={score}" if score else "")


def survey_from_token(token: str) -> Survey:
    """The survey a link names. NotFound (code `survey_link_invalid`) for a link Atiende
    did not sign (altered, cut, or for a survey that is gone); LinkExpired (410) for one
    older than LINK_DAYS. Says nothing about whether it was answered."""
    invalid = NotFound(_("This survey link is not valid. Open the survey from the e-mail "
                         "again, or from the ticket's page."), code="survey_link_invalid")
    try:
        value = signing.loads(token, salt=SALT, max_age=dt.timedelta(days=LINK_DAYS))
    except signing.SignatureExpired:
        raise LinkExpired(_("This survey link has expired. You can still rate the ticket "
                            "from its page after signing in.")) from None
    except signing.BadSignature:
        raise invalid from None
    if not isinstance(value, dict):
        raise invalid
    survey = (Survey.objects.select_related("ticket", "requester")
              .filter(pk=value.get("survey"), requester_id=value.get("requester")).first())
    if survey is None:
        raise invalid
    return survey


def email_context(notification) -> dict[str, str]:
    """The notification template's survey variables: the links, in the resolution
    e-mail to the requester while their survey waits for an answer; the score and
    comment, in the alert of a low score. Empty otherwise."""
    from atiende.notifications.models import NotificationKind

    context = {"survey_link": "", "score": "", "survey_comment": "",
               **{f"survey_link_{score}": "" for score in SCORES}}
    ticket = notification.ticket
    if (notification.kind == NotificationKind.RESOLVED
            and notification.recipient_id == ticket.requester_id):
        survey = Survey.objects.filter(ticket_id=ticket.pk, answered_at__isnull=True).first()
        if survey is not None:
            context["survey_link"] = survey_link(survey)
            context.update({f"survey_link_{score}": survey_link(survey, score)
                            for score in SCORES})
    elif notification.kind == NotificationKind.LOW_SATISFACTION:
        survey = (Survey.objects.select_related("team").filter(ticket_id=ticket.pk)
                  .first())
        if survey is not None and survey.is_answered:
            context.update(score=str(survey.score), survey_comment=survey.comment,
                           team=survey.team.name if survey.team else "")
    return context
