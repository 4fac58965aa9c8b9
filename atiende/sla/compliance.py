"""The SLA compliance report: how many clocks met or breached their targets, and how much
business time they took, per organization, department, team, service, priority or month.

Who sees it (as service desks usually do): provider admins everything, organization
admins all of their organizations' work, department managers and team leads the
(organization, department) pairs they hold that role in. Agents and requesters see no
report. Every figure and every drill-down row is read through `report_scope`, which is
core scoping (`Scope.work_filter`) narrowed to those roles; a filter naming an
organization, department, team or service outside it answers 404, as if it did not exist.

A clock is *measured* once it has an outcome: met, or breached (even while the ticket is
still open). Average and 90th percentile take the clocks that have stopped (their
business time is final). Tickets count in the period and month of their creation, in
the viewer's time zone. Metrics are not named here: every `Metric` value is reported.

Bad input (unknown grouping or metric, a malformed, inverted or too long period) raises
`ReportInputError`, a 400 with one message per field.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import Aggregate, Avg, Count, F, FloatField, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from atiende.core.models import Department, Organization, Role, Team, User
from atiende.core.scoping import Scope, own_memberships, scope_of
from atiende.errors import NotFound, ValidationFailed
from atiende.sla.models import ClockState, Metric, SlaClock
from atiende.tickets.models import Priority, Service

REPORTING_ROLES = frozenset({Role.TEAM_LEAD, Role.DEPARTMENT_MANAGER})
GROUPINGS = {
    "organization": gettext_lazy("Organization"),
    "department": gettext_lazy("Department"),
    "team": gettext_lazy("Team"),
    "service": gettext_lazy("Service"),
    "priority": gettext_lazy("Priority"),
    "month": gettext_lazy("Month"),
}
DEFAULT_GROUPING = "organization"
DEFAULT_MONTHS = 6  # the current month and the five before it
MAX_DAYS = 3 * 366 + 1  # at most three years in one report
FIRST_DATE = dt.date(2000, 1, 1)
PERCENTILE = 0.9
NONE_KEY = "none"  # the group of tickets without a team or a service
MEASURED_STATES = (ClockState.MET, ClockState.BREACHED)


class ReportInputError(ValidationFailed):
    """A report asked for with values that make no report: 400, one message per field."""

    status = 400
    code = "invalid_report_request"


# --- who sees what --------------------------------------------------------------------------


def report_scope(actor: User) -> Scope:
    """What the actor may see in the report: core scoping, without the departments where
    the actor is only an agent (and without requester visibility)."""
    scope = scope_of(actor)
    if scope.everything or scope.user_id is None:
        return scope
    pairs = frozenset(
        (membership.organization_id, membership.department_id)
        for membership in own_memberships(actor)
        if membership.role in REPORTING_ROLES and membership.department_id is not None
    )
    return Scope(user_id=scope.user_id, home_organization_id=scope.home_organization_id,
                 administered_organizations=scope.administered_organizations,
                 department_pairs=pairs)


def can_see_report(actor: User) -> bool:
    scope = report_scope(actor)
    return scope.everything or bool(scope.administered_organizations or scope.department_pairs)


def _require_report(actor: User) -> Scope:
    if not can_see_report(actor):
        raise NotFound()
    return report_scope(actor)


@dataclass
class Choices:
    """What the actor may filter by, each a list of (id, label)."""

    organizations: list[tuple[int, str]]
    departments: list[tuple[int, str]]
    teams: list[tuple[int, str]]
    services: list[tuple[int, str]]

    @staticmethod
    def ids(options: list[tuple[int, str]]) -> set[int]:
        return {value for value, _label in options}


def report_choices(*, actor: User) -> Choices:
    """The organizations, departments, teams and services the actor may report on (four
    queries)."""
    scope = _require_report(actor)
    organizations = Organization.objects.filter(is_active=True)
    departments = Department.objects.all()
    if not scope.everything:
        organizations = organizations.filter(pk__in=scope.staff_organizations)
        condition = Q(pk__in=scope.staff_department_ids)
        if scope.administered_organizations:
            condition |= Q(organization__in=scope.administered_organizations) | Q(
                is_shared=True, organization__is_provider=True)
        departments = departments.filter(condition)
    departments = departments.values_list("pk", "name")
    department_options = sorted(departments, key=_by_label)
    department_ids = Choices.ids(department_options)
    teams = Team.objects.filter(department_id__in=department_ids).values_list("pk", "name")
    services = Service.objects.filter(department_id__in=department_ids).values_list("pk", "name")
    return Choices(
        organizations=sorted(organizations.values_list("pk", "name"), key=_by_label),
        departments=department_options,
        teams=sorted(teams, key=_by_label),
        services=sorted(services, key=_by_label),
    )


def _by_label(option: tuple[int, str]) -> tuple[str, int]:
    return (option[1].casefold(), option[0])


# --- the request ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportRequest:
    """A report asked for, already checked: grouping, period (local dates, both
    included) and filters (ids the actor may see)."""

    grouping: str
    start: dt.date
    end: dt.date
    zone: ZoneInfo
    organization_id: int | None = None
    department_id: int | None = None
    team_id: int | None = None
    service_id: int | None = None
    priority: int | None = None
    metric: str | None = None

    @property
    def since(self) -> dt.datetime:
        return dt.datetime.combine(self.start, dt.time(), self.zone)

    @property
    def until(self) -> dt.datetime:
        """The first instant after the period."""
        return dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time(), self.zone)

    @property
    def metrics(self) -> list[str]:
        return [self.metric] if self.metric else list(Metric.values)

    def query(self, **changes: object) -> dict[str, str]:
        """The query string that asks for this report again (with `changes`)."""
        values = {
            "grouping": self.grouping, "from": self.start.isoformat(),
            "to": self.end.isoformat(), "organization": self.organization_id,
            "department": self.department_id, "team": self.team_id,
            "service": self.service_id, "priority": self.priority, "metric": self.metric,
        }
        values.update(changes)
        return {name: str(value) for name, value in values.items() if value not in (None, "")}


def default_period(today: dt.date) -> tuple[dt.date, dt.date]:
    month = today.year * 12 + today.month - 1 - (DEFAULT_MONTHS - 1)
    return dt.date(month // 12, month % 12 + 1, 1), today


def parse_request(*, actor: User, params: Mapping[str, str | None], zone: ZoneInfo,
                  today: dt.date | None = None, choices: Choices | None = None
                  ) -> ReportRequest:
    """Check what was asked for. Unknown grouping, metric or priority, malformed dates,
    an end before the start, dates before 2000 or after next year, more than three
    years: `ReportInputError` naming each field. An organization, department, team or
    service the actor may not report on: `NotFound`. Anyone without the report: `NotFound`."""
    choices = choices or report_choices(actor=actor)
    today = today or dt.datetime.now(zone).date()
    errors: dict[str, str] = {}

    def text(name: str) -> str:
        value = params.get(name)
        return "" if value is None else str(value).strip()

    grouping = text("grouping") or DEFAULT_GROUPING
    if grouping not in GROUPINGS:
        errors["grouping"] = _("Choose one of: %(choices)s.") % {"choices": ", ".join(GROUPINGS)}
    metric = text("metric") or None
    if metric is not None and metric not in Metric.values:
        errors["metric"] = _("Choose one of: %(choices)s.") % {
            "choices": ", ".join(Metric.values)}
    priority = _whole_number(text("priority"), "priority", errors)
    if priority is not None and priority not in Priority.values:
        errors["priority"] = _("Choose a priority from 1 to 5.")
    default_start, default_end = default_period(today)
    start = _date(text("from"), "from", errors) or default_start
    end = _date(text("to"), "to", errors) or default_end
    last_date = dt.date(today.year + 1, 12, 31)
    for name, value in (("from", start), ("to", end)):
        if name not in errors and not FIRST_DATE <= value <= last_date:
            errors[name] = _("Use a date between %(first)s and %(last)s.") % {
                "first": FIRST_DATE.isoformat(), "last": last_date.isoformat()}
    if not errors.keys() & {"from", "to"}:
        if end < start:
            errors["to"] = _("The end of the period must not come before its start.")
        elif (end - start).days + 1 > MAX_DAYS:
            errors["to"] = _("Use a period of at most three years.")
    ids = {name: _whole_number(text(name), name, errors)
           for name in ("organization", "department", "team", "service")}
    if errors:
        raise ReportInputError(errors, _("The report cannot be made with these values."))
    options = {"organization": choices.organizations, "department": choices.departments,
               "team": choices.teams, "service": choices.services}
    for name, value in ids.items():
        if value is not None and value not in Choices.ids(options[name]):
            raise NotFound()
    return ReportRequest(
        grouping=grouping, start=start, end=end, zone=zone, metric=metric, priority=priority,
        organization_id=ids["organization"], department_id=ids["department"],
        team_id=ids["team"], service_id=ids["service"],
    )


def _whole_number(value: str, name: str, errors: dict[str, str]) -> int | None:
    if not value:
        return None
    if not value.isascii() or not value.isdigit() or len(value) > 18:
        errors[name] = _("Enter a whole number.")
        return None
    return int(value)


def _date(value: str, name: str, errors: dict[str, str]) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value) if len(value) == 10 else _bad_date()
    except ValueError:
        errors[name] = _("Enter a date as YYYY-MM-DD.")
        return None


def _bad_date() -> dt.date:
    raise ValueError


# --- percentiles on both databases -----------------------------------------------------------


class PercentileCont(Aggregate):
    """The continuous percentile (linear interpolation, as PostgreSQL's
    `percentile_cont`): in SQL on PostgreSQL, in an aggregate function this module
    registers on SQLite connections (`_SqlitePercentile`)."""

    function = "percentile_cont"
    name = "PercentileCont"
    output_field = FloatField()

    def __init__(self, expression, *, fraction: float, **extra) -> None:
        self.fraction = float(fraction)
        super().__init__(expression, **extra)

    def as_postgresql(self, compiler, connection, **extra_context):
        clone = self.copy()
        clone.template = (f"%(function)s({self.fraction!r}) WITHIN GROUP "
                          "(ORDER BY %(expressions)s)")
        return super(PercentileCont, clone).as_sql(compiler, connection, **extra_context)

    def as_sqlite(self, compiler, connection, **extra_context):
        clone = self.copy()
        clone.function = _SQLITE_PERCENTILE
        clone.template = f"%(function)s(%(expressions)s, {self.fraction!r})"
        return super(PercentileCont, clone).as_sql(compiler, connection, **extra_context)


_SQLITE_PERCENTILE = "atiende_percentile_cont"


class _SqlitePercentile:
    """`atiende_percentile_cont(value, fraction)` for SQLite, the same as PostgreSQL's."""

    def __init__(self) -> None:
        self.values: list[float] = []
        self.fraction = 0.5

    def step(self, value, fraction) -> None:
        if value is not None:
            self.values.append(value)
            self.fraction = fraction

    def finalize(self) -> float | None:
        return continuous_percentile(sorted(self.values), self.fraction)


def continuous_percentile(ordered: list[float], fraction: float) -> float | None:
    """The value below which `fraction` of `ordered` lies, interpolating between the
    two nearest ranks (PostgreSQL's `percentile_cont`)."""
    if not ordered:
        return None
    position = fraction * (len(ordered) - 1)
    lower, upper = math.floor(position), math.ceil(position)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


def _prepare_database() -> None:
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        connection.connection.create_aggregate(_SQLITE_PERCENTILE, 2, _SqlitePercentile)


@contextmanager
def _aggregating() -> Iterator[None]:
    """Where the report's aggregates run: on PostgreSQL without compiling the query to
    machine code first (JIT), which EXPLAIN showed costing about 130 ms over a million
    tickets and saving nothing."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        yield


# --- the figures ----------------------------------------------------------------------------


@dataclass
class Figures:
    """One metric of one group."""

    measured: int = 0
    met: int = 0
    breached: int = 0
    timed: int = 0  # clocks stopped, over which the times are taken
    average_seconds: float | None = None
    p90_seconds: float | None = None

    @property
    def percent_met(self) -> float | None:
        return round(100 * self.met / self.measured, 1) if self.measured else None

    @property
    def average_label(self) -> str:
        return duration_label(self.average_seconds)

    @property
    def p90_label(self) -> str:
        return duration_label(self.p90_seconds)

    def as_dict(self) -> dict:
        return {
            "measured": self.measured, "met": self.met, "breached": self.breached,
            "percent_met": self.percent_met,
            "average_seconds": _whole(self.average_seconds),
            "p90_seconds": _whole(self.p90_seconds),
            "average": duration_label(self.average_seconds),
            "p90": duration_label(self.p90_seconds),
        }


def _whole(seconds: float | None) -> int | None:
    return None if seconds is None else round(seconds)


def duration_label(seconds: float | None) -> str:
    """Business time as hours:minutes ("26:05"); "" for none."""
    if seconds is None:
        return ""
    minutes = round(seconds / 60)
    return f"{minutes // 60}:{minutes % 60:02d}"


@dataclass
class ReportRow:
    key: str  # what the drill-down takes: an id, a priority, "2026-05" or "none"
    label: str
    figures: dict[str, Figures] = field(default_factory=dict)


@dataclass
class Report:
    request: ReportRequest
    rows: list[ReportRow]
    totals: dict[str, Figures]

    @property
    def metrics(self) -> list[tuple[str, str]]:
        return [(value, str(Metric(value).label)) for value in self.request.metrics]


def _clocks(scope: Scope, request: ReportRequest) -> QuerySet[SlaClock]:
    """The clocks of the report: in the actor's scope, of tickets created in the period,
    matching every filter. Read from the clock table alone: each clock carries its
    ticket's organization, department, team, service, priority and creation, copied at
    every rebuild (`clock_services._row`)."""
    condition = scope.work_filter(organization="organization_id", department="department_id")
    condition &= Q(ticket_created_at__gte=request.since, ticket_created_at__lt=request.until)
    for name in ("organization_id", "department_id", "team_id", "service_id", "priority"):
        value = getattr(request, name)
        if value is not None:
            condition &= Q(**{name: value})
    if request.metric:
        condition &= Q(metric=request.metric)
    return SlaClock.objects.filter(condition)


def _group_expression(request: ReportRequest):
    if request.grouping == "month":
        return TruncMonth("ticket_created_at", tzinfo=request.zone)
    return F(_column(request.grouping))


def _column(grouping: str) -> str:
    """The clock's column of a grouping other than the month."""
    return "priority" if grouping == "priority" else f"{grouping}_id"


def report_queryset(*, actor: User, request: ReportRequest) -> QuerySet:
    """The report's one aggregate query: per group and metric, clocks measured and met,
    clocks timed, average and 90th percentile of their business time."""
    scope = _require_report(actor)
    _prepare_database()
    stopped = Q(stopped_at__isnull=False)
    return (
        _clocks(scope, request).filter(state__in=MEASURED_STATES)
        .values(group=_group_expression(request), measured_metric=F("metric"))
        .annotate(
            measured=Count("pk"),
            met=Count("pk", filter=Q(state=ClockState.MET)),
            timed=Count("pk", filter=stopped),
            average=Avg("elapsed_seconds", filter=stopped),
            p90=PercentileCont("elapsed_seconds", fraction=PERCENTILE, filter=stopped),
        )
        .order_by()
    )


def compliance_report(*, actor: User, request: ReportRequest) -> Report:
    """The figures of `request`, one row per group with at least one measured clock, in
    the grouping's natural order (names, priorities, months). Two queries: the
    figures, and the names of the groups."""
    with _aggregating():
        rows = list(report_queryset(actor=actor, request=request))
    by_group: dict[object, ReportRow] = {}
    for row in rows:
        group = row["group"]
        if isinstance(group, dt.datetime):
            group = group.astimezone(request.zone).date()
        report_row = by_group.setdefault(group, ReportRow(key=_key(group), label=""))
        report_row.figures[row["measured_metric"]] = Figures(
            measured=row["measured"], met=row["met"], breached=row["measured"] - row["met"],
            timed=row["timed"], average_seconds=row["average"], p90_seconds=row["p90"])
    _label_rows(request.grouping, by_group)
    ordered = sorted(by_group.items(), key=lambda item: _order(request.grouping, item))
    report_rows = [row for _group, row in ordered]
    for row in report_rows:
        for metric in request.metrics:
            row.figures.setdefault(metric, Figures())
    return Report(request=request, rows=report_rows, totals=_totals(report_rows, request))


def _key(group: object) -> str:
    if group is None:
        return NONE_KEY
    if isinstance(group, dt.date):
        return group.strftime("%Y-%m")
    return str(group)


def _order(grouping: str, item: tuple[object, ReportRow]) -> tuple:
    group, row = item
    if grouping in ("month", "priority"):
        return (0, group)
    return (group is None, row.label.casefold(), str(group))


def _label_rows(grouping: str, by_group: dict[object, ReportRow]) -> None:
    models = {"organization": Organization, "department": Department, "team": Team,
              "service": Service}
    names: dict[object, str] = {}
    if grouping in models:
        ids = [group for group in by_group if group is not None]
        names = dict(models[grouping].objects.filter(pk__in=ids).values_list("pk", "name"))
    for group, row in by_group.items():
        if group is None:
            row.label = _("No team") if grouping == "team" else _("No service")
        elif grouping == "priority":
            row.label = str(Priority(group).label)
        elif grouping == "month":
            row.label = date_format(group, "YEAR_MONTH_FORMAT")
        else:
            row.label = names.get(group, str(group))


def _totals(rows: list[ReportRow], request: ReportRequest) -> dict[str, Figures]:
    """Counts and average over every row; no 90th percentile (it does not add up)."""
    totals = {}
    for metric in request.metrics:
        total = Figures()
        weighted = 0.0
        for row in rows:
            figures = row.figures[metric]
            total.measured += figures.measured
            total.met += figures.met
            total.breached += figures.breached
            total.timed += figures.timed
            weighted += (figures.average_seconds or 0) * figures.timed
        total.average_seconds = weighted / total.timed if total.timed else None
        totals[metric] = total
    return totals


def monthly_percent_met(*, actor: User, request: ReportRequest,
                        report: Report | None = None) -> list[dict]:
    """% met per month of the period, over every metric of the request (for the chart):
    `[{"month": date, "label", "measured", "met", "percent_met"}]`, each month of the
    period present. One query, none when `report` is already grouped by month."""
    scope = _require_report(actor)
    if report is not None and report.request.grouping == "month":
        found = {}
        for row in report.rows:
            month = dt.date.fromisoformat(f"{row.key}-01")
            found[month] = {"measured": sum(f.measured for f in row.figures.values()),
                            "met": sum(f.met for f in row.figures.values())}
    else:
        rows = (
            _clocks(scope, request).filter(state__in=MEASURED_STATES)
            .values(month=TruncMonth("ticket_created_at", tzinfo=request.zone))
            .annotate(measured=Count("pk"), met=Count("pk", filter=Q(state=ClockState.MET)))
            .order_by()
        )
        with _aggregating():
            found = {row["month"].astimezone(request.zone).date(): row for row in rows}
    months = []
    month = request.start.replace(day=1)
    while month <= request.end:
        row = found.get(month, {"measured": 0, "met": 0})
        measured, met = row["measured"], row["met"]
        months.append({"month": month, "label": date_format(month, "M Y"),
                       "measured": measured, "met": met,
                       "percent_met": round(100 * met / measured, 1) if measured else None})
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


# --- drill-down -----------------------------------------------------------------------------


def breached_clocks(*, actor: User, request: ReportRequest, key: str | None = None
                    ) -> QuerySet[SlaClock]:
    """The breached clocks behind one cell: the request (its metric filter names the
    cell's metric) and `key`, a group of its grouping; newest first, with their
    tickets. A malformed key is a `ReportInputError`; a key outside the actor's scope
    finds nothing."""
    scope = _require_report(actor)
    clocks = _clocks(scope, request).filter(state=ClockState.BREACHED)
    # The rows name tickets: scoped by the ticket as it is now too, so a ticket moved
    # out of the actor's reach leaves the list before its clocks are rebuilt.
    clocks = clocks.filter(scope.work_filter(organization="ticket__organization",
                                             department="ticket__department"))
    if key:
        clocks = clocks.filter(_key_condition(request, key))
    return clocks.select_related(
        "ticket", "ticket__organization", "ticket__department", "ticket__team",
        "ticket__service",
    ).order_by("-id")


def _key_condition(request: ReportRequest, key: str) -> Q:
    grouping = request.grouping
    if grouping == "month":
        try:
            if len(key) != 7 or not key.isascii():
                raise ValueError(key)
            first = dt.datetime.strptime(key, "%Y-%m").date()
        except ValueError:
            raise ReportInputError({"key": _("Give the month as YYYY-MM.")}) from None
        following = (first + dt.timedelta(days=32)).replace(day=1)
        return Q(ticket_created_at__gte=dt.datetime.combine(first, dt.time(), request.zone),
                 ticket_created_at__lt=dt.datetime.combine(following, dt.time(), request.zone))
    column = _column(grouping)
    if key == NONE_KEY and grouping in ("team", "service"):
        return Q(**{f"{column}__isnull": True})
    if not key.isascii() or not key.isdigit() or len(key) > 18:
        raise ReportInputError({"key": _("Enter a whole number.")})
    return Q(**{column: int(key)})
