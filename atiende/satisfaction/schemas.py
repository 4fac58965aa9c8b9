"""API shapes of satisfaction surveys and results."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Field, Schema

from atiende.api.schemas import FilterId, Filters, Input

GroupBy = Literal["organization", "department", "team", "agent", "service", "month"]


class ResultFilters(Filters):
    group_by: GroupBy = Field("month", description="What one row of results stands for.")
    since: dt.date | None = Field(None, description="First day (in your time zone) of the "
                                                    "period of resolution.")
    until: dt.date | None = Field(None, description="Last day of the period, included.")
    organization_id: FilterId | None = None
    department_id: FilterId | None = None


class AnswerFilters(Filters):
    since: dt.date | None = None
    until: dt.date | None = None
    organization_id: FilterId | None = None
    department_id: FilterId | None = None
    with_comment: bool = Field(False, description="Only answers that carry a comment.")


class ResultRowOut(Schema):
    key: str = Field(description="The group's id (a month as YYYY-MM; empty for none).")
    label: str
    sent: int = Field(description="Surveys sent (tickets resolved).")
    answered: int
    average: float | None = Field(description="Average score of the answers, 1 to 5.")
    distribution: list[int] = Field(description="Answers that gave 1, 2, 3, 4 and 5.")
    response_rate: float = Field(description="answered / sent, 0 to 1.")


class ResultsOut(Schema):
    group_by: str
    rows: list[ResultRowOut]
    total: ResultRowOut


class ReferenceOut(Schema):
    id: int
    name: str


class AnswerOut(Schema):
    id: int
    ticket: str
    organization: ReferenceOut
    department: ReferenceOut
    team: ReferenceOut | None
    agent: ReferenceOut | None
    service: ReferenceOut | None
    score: int
    comment: str
    sent_at: dt.datetime
    answered_at: dt.datetime

    @staticmethod
    def resolve_ticket(survey) -> str:
        return survey.ticket.number

    @staticmethod
    def resolve_agent(survey) -> dict[str, Any] | None:
        agent = survey.agent
        return {"id": agent.pk, "name": agent.display_name} if agent else None


class SurveyOut(Schema):
    ticket: str
    sent_at: dt.datetime
    answered: bool
    score: int | None
    comment: str
    answered_at: dt.datetime | None

    @staticmethod
    def resolve_ticket(survey) -> str:
        return survey.ticket.number

    @staticmethod
    def resolve_answered(survey) -> bool:
        return survey.is_answered


class AnswerIn(Input):
    # Any JSON value: the service says precisely what is wrong with it (one rule).
    score: Any = Field(description="1 (very poor) to 5 (excellent).")
    comment: str = Field("", description="Optional; at most 2,000 characters.")
