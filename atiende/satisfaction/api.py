"""`/api/v1/satisfaction`: results and answers for managers, team leads and admins (what
they may not see does not exist here), and the requester's own survey. Thin: parse,
call a selector or a service, return.

No `from __future__ import annotations` here: Ninja's `@paginate` wrapper resolves a
view's string annotations in `ninja.pagination`'s globals.
"""

from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import paginate

from atiende.api.pagination import Pagination
from atiende.satisfaction import selectors, services
from atiende.satisfaction.schemas import (
    AnswerFilters,
    AnswerIn,
    AnswerOut,
    ResultFilters,
    ResultsOut,
    SurveyOut,
)

router = Router(tags=["satisfaction"])


def _filters(filters, group_by: str = "month") -> selectors.ResultFilters:
    return selectors.ResultFilters(group_by=group_by, since=filters.since, until=filters.until,
                                   organization_id=filters.organization_id,
                                   department_id=filters.department_id)


def _row(row: selectors.ResultRow) -> dict:
    return {"key": row.key, "label": row.label, "sent": row.sent, "answered": row.answered,
            "average": row.average, "distribution": row.distribution,
            "response_rate": row.response_rate}


@router.get("/satisfaction/results", response=ResultsOut,
            summary="Satisfaction results by organization, department, team, agent, "
                    "service or month")
def results(request: HttpRequest, filters: Query[ResultFilters]):
    chosen = _filters(filters, filters.group_by)
    rows = selectors.results(actor=request.auth, filters=chosen)
    return {"group_by": chosen.group_by, "rows": [_row(row) for row in rows],
            "total": _row(selectors.totals(actor=request.auth, filters=chosen))}


@router.get("/satisfaction/answers", response=list[AnswerOut],
            summary="Answers (scores and comments), newest first")
@paginate(Pagination, ordering=("-id",))
def answers(request: HttpRequest, filters: Query[AnswerFilters]):
    return selectors.answers(actor=request.auth, filters=_filters(filters),
                             with_comment=filters.with_comment)


@router.get("/satisfaction/surveys/{number}", response=SurveyOut,
            summary="The caller's survey of one of their tickets")
def survey_detail(request: HttpRequest, number: str):
    return selectors.survey_for_requester(actor=request.auth, number=number)


@router.post("/satisfaction/surveys/{number}/answer", response=SurveyOut,
             summary="Answer the caller's survey (once)")
def survey_answer(request: HttpRequest, number: str, payload: AnswerIn):
    survey = selectors.survey_for_requester(actor=request.auth, number=number)
    return services.survey_answer(actor=request.auth, survey=survey, score=payload.score,
                                  comment=payload.comment, channel="api")
