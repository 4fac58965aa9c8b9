"""`/api/v1/sla/compliance`: the SLA compliance report's figures and the breached
tickets behind a cell, the same as the page (`atiende.sla.compliance`). Thin.

The query string is read by `compliance.parse_request`, the page's own parser, so the
page, the CSV and the API refuse the same values with the same messages (400) and answer
404 for the same filters. `ComplianceQuery` documents the parameters.

No `from __future__ import annotations` here: see `atiende.sla.api`.
"""

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from atiende.api.pagination import KeysFirstPagination
from atiende.sla import compliance
from atiende.sla.models import Metric, SlaClock

router = Router(tags=["sla compliance"])


class ComplianceQuery(Schema):
    """Documents the parameters; `compliance.parse_request` reads and checks them (so
    a NUL character or a wrong type is its 400, as on the page)."""

    grouping: str | None = Field(
        None, description="organization, department, team, service, priority or month")
    from_date: str | None = Field(None, alias="from",
                                     description="first day, YYYY-MM-DD (viewer's zone)")
    to: str | None = Field(None, description="last day, YYYY-MM-DD")
    organization: str | None = Field(None, description="organization id")
    department: str | None = Field(None, description="department id")
    team: str | None = Field(None, description="team id")
    service: str | None = Field(None, description="service id")
    priority: str | None = Field(None, description="1 to 5")
    metric: str | None = Field(None, description=", ".join(Metric.values))


class BreachedQuery(ComplianceQuery):
    key: str | None = Field(
        None, description="the row's key: an id, a priority, YYYY-MM or none")


class FiguresOut(Schema):
    measured: int
    met: int
    breached: int
    percent_met: float | None
    average_seconds: int | None
    p90_seconds: int | None
    average: str = Field(description="business time, hours:minutes")
    p90: str = Field(description="90th percentile, hours:minutes")


class MetricOut(Schema):
    value: str
    label: str


class RowOut(Schema):
    key: str
    label: str
    figures: dict[str, FiguresOut]


class ComplianceOut(Schema):
    grouping: str
    from_date: dt.date = Field(serialization_alias="from")
    to: dt.date
    time_zone: str
    metrics: list[MetricOut]
    rows: list[RowOut]
    totals: dict[str, FiguresOut] = Field(description="no 90th percentile: it does not add up")


class BreachedOut(Schema):
    ticket_number: str
    title: str
    metric: str
    breached_at: dt.datetime | None
    elapsed_seconds: int
    target_minutes: int
    organization_id: int
    organization: str
    department_id: int
    department: str
    team: str | None
    service: str | None
    priority: int

    @staticmethod
    def resolve_ticket_number(clock: SlaClock) -> str:
        return clock.ticket.number

    @staticmethod
    def resolve_title(clock: SlaClock) -> str:
        return clock.ticket.title

    @staticmethod
    def resolve_organization_id(clock: SlaClock) -> int:
        return clock.ticket.organization_id

    @staticmethod
    def resolve_organization(clock: SlaClock) -> str:
        return clock.ticket.organization.name

    @staticmethod
    def resolve_department_id(clock: SlaClock) -> int:
        return clock.ticket.department_id

    @staticmethod
    def resolve_department(clock: SlaClock) -> str:
        return clock.ticket.department.name

    @staticmethod
    def resolve_team(clock: SlaClock) -> str | None:
        return clock.ticket.team.name if clock.ticket.team_id else None

    @staticmethod
    def resolve_service(clock: SlaClock) -> str | None:
        return clock.ticket.service.name if clock.ticket.service_id else None

    @staticmethod
    def resolve_priority(clock: SlaClock) -> int:
        return clock.ticket.priority


def _request(request: HttpRequest) -> compliance.ReportRequest:
    return compliance.parse_request(actor=request.auth, params=request.GET,
                                    zone=timezone.get_current_timezone())


@router.get("/sla/compliance", response=ComplianceOut, by_alias=True,
            summary="SLA compliance report")
def compliance_report(request: HttpRequest, filters: Query[ComplianceQuery]):
    """Clocks measured, met and breached, % met, average and 90th percentile business
    time (seconds and hours:minutes) per group and metric, for the tickets created in
    the period (default: this month and the five before)."""
    report_request = _request(request)
    report = compliance.compliance_report(actor=request.auth, request=report_request)
    return {
        "grouping": report_request.grouping, "from_date": report_request.start,
        "to": report_request.end, "time_zone": str(report_request.zone),
        "metrics": [{"value": value, "label": label} for value, label in report.metrics],
        "rows": [{"key": row.key, "label": row.label,
                  "figures": {metric: figures.as_dict()
                              for metric, figures in row.figures.items()}}
                 for row in report.rows],
        "totals": {metric: figures.as_dict() for metric, figures in report.totals.items()},
    }


@router.get("/sla/compliance/breached", response=list[BreachedOut],
            summary="Breached tickets behind a cell of the SLA compliance report")
@paginate(KeysFirstPagination, ordering=("-id",))
def compliance_breached(request: HttpRequest, filters: Query[BreachedQuery]):
    """The breached clocks (with their tickets) of the report's filters and, with
    `key`, of one group of its grouping; `metric` names the cell's metric."""
    return compliance.breached_clocks(actor=request.auth, request=_request(request),
                                      key=request.GET.get("key") or None)
