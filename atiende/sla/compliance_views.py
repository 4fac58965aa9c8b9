"""The SLA compliance report pages under /sla/compliance/: the report with its chart,
its CSV export, and the breached tickets behind a cell. Thin: parse with
`compliance.parse_request`, read with the compliance selectors, render.

Whoever has no report (agents, requesters) and whatever lies outside the viewer's scope
answers 404; bad filters show the page again with the messages, as a 400.
"""

from __future__ import annotations

import csv
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from atiende.core.web import handles_errors
from atiende.sla import compliance
from atiende.sla.models import Metric

PAGE_SIZE = 50
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _request(request, choices: compliance.Choices | None = None):
    return compliance.parse_request(actor=request.user, params=request.GET,
                                    zone=timezone.get_current_timezone(), choices=choices)


def _form(request, choices: compliance.Choices, errors: dict | None = None,
          shown: compliance.ReportRequest | None = None) -> dict:
    """The filter form as the template draws it: the values of the report shown (the
    defaults filled in) or else those asked for, and the options."""
    asked = shown.query() if shown is not None else request.GET
    values = {name: asked.get(name, "") for name in (
        "grouping", "from", "to", "organization", "department", "team", "service",
        "priority", "metric")}
    return {"values": values, "errors": errors or {}, "choices": choices,
            "groupings": list(compliance.GROUPINGS.items()),
            "metrics": list(Metric.choices),
            "priorities": [(str(value), label) for value, label in
                           compliance.Priority.choices]}


@login_required
@require_GET
@handles_errors
def compliance_page(request):
    choices = compliance.report_choices(actor=request.user)
    try:
        report_request = _request(request, choices)
    except compliance.ReportInputError as error:
        return render(request, "sla/compliance.html",
                      {"form": _form(request, choices, error.fields)}, status=400)
    report = compliance.compliance_report(actor=request.user, request=report_request)
    months = compliance.monthly_percent_met(actor=request.user, request=report_request,
                                            report=report)
    return render(request, "sla/compliance.html", {
        "form": _form(request, choices, shown=report_request), "report": report,
        "months": months,
        "rows": _table(report), "query": urlencode(report_request.query()),
        "grouping_label": compliance.GROUPINGS[report_request.grouping],
    })


def _table(report: compliance.Report) -> list[dict]:
    """One line per group and metric, with the drill-down query of each cell."""
    # Measures nothing in the report was measured by (a clock not in use) add no lines.
    metrics = [(metric, label) for metric, label in report.metrics
               if report.request.metric or report.totals[metric].measured]
    lines = []
    for row in report.rows:
        for position, (metric, label) in enumerate(metrics):
            figures = row.figures[metric]
            lines.append({
                "group": row.label, "first": position == 0,
                "metric": label, "figures": figures,
                "breached_query": urlencode(report.request.query(key=row.key, metric=metric)),
            })
    return lines


@login_required
@require_GET
@handles_errors
def compliance_csv(request):
    report_request = _request(request)
    report = compliance.compliance_report(actor=request.user, request=report_request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="sla-compliance-{report_request.grouping}-'
        f'{report_request.start.isoformat()}-{report_request.end.isoformat()}.csv"')
    response.write("\ufeff")  # so spreadsheet programs read the accents right
    writer = csv.writer(response)
    writer.writerow([str(compliance.GROUPINGS[report_request.grouping]), _("Key"),
                     _("Metric"), _("Measured"), _("Met"), _("Breached"), _("% met"),
                     _("Average (h:mm)"), _("90th percentile (h:mm)"),
                     _("Average (seconds)"), _("90th percentile (seconds)")])
    for row in report.rows:
        for metric, label in report.metrics:
            figures = row.figures[metric].as_dict()
            writer.writerow([safe_cell(value) for value in (
                row.label, row.key, label, figures["measured"], figures["met"],
                figures["breached"], figures["percent_met"], figures["average"],
                figures["p90"], figures["average_seconds"], figures["p90_seconds"])])
    return response


def safe_cell(value: object) -> str:
    """A CSV cell a spreadsheet never runs as a formula: text starting with = + - @ (or
    a tab or carriage return) gets a leading apostrophe."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


@login_required
@require_GET
@handles_errors
def compliance_breached(request):
    report_request = _request(request)
    clocks = compliance.breached_clocks(actor=request.user, request=report_request,
                                        key=request.GET.get("key") or None)
    page = Paginator(clocks, PAGE_SIZE).get_page(request.GET.get("page"))
    labels = dict(Metric.choices)
    for clock in page.object_list:
        clock.metric_label = labels.get(clock.metric, clock.metric)
        clock.used = compliance.duration_label(clock.elapsed_seconds)
    first = page.object_list[0] if page.object_list else None
    here = {name: value for name, value in request.GET.items() if name != "page"}
    return render(request, "sla/compliance_breached.html", {
        "page": page, "report_query": urlencode(report_request.query()),
        "page_query": urlencode(here),
        "grouping_label": compliance.GROUPINGS[report_request.grouping],
        "metric_label": labels.get(report_request.metric, ""),
        "key_label": _key_label(report_request, first) if request.GET.get("key") else "",
    })


def _key_label(report_request: compliance.ReportRequest, clock) -> str:
    """The drilled group's name, read from a row the viewer may see (never from the
    key alone, which could name something outside their scope)."""
    if clock is None:
        return ""
    ticket = clock.ticket
    if report_request.grouping == "month":
        return date_format(timezone.localtime(ticket.created_at, report_request.zone),
                           "YEAR_MONTH_FORMAT")
    if report_request.grouping == "priority":
        return ticket.get_priority_display()
    related = getattr(ticket, report_request.grouping)
    return related.name if related is not None else (
        _("No team") if report_request.grouping == "team" else _("No service"))
