"""The survey pages (the requester's, in the app and through the e-mailed link) and the
results page for managers, team leads and admins. Thin: parse, call one service or
selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from atiende.core.web import add_service_errors, handles_errors, posted
from atiende.errors import AtiendeError, ValidationFailed
from atiende.satisfaction import selectors, services
from atiende.satisfaction.forms import AnswerForm, ResultsForm, preselected_score

ANSWERS_PER_PAGE = 20


@login_required
@require_http_methods(["GET", "POST"])
@handles_errors
def answer(request, number: str):
    """The requester's survey of ticket `number`, in the app; 404 for anyone else."""
    survey = selectors.survey_for_requester(actor=request.user, number=number)
    if survey.is_answered and request.method == "GET":
        return render(request, "satisfaction/thanks.html", {"survey": survey})
    form = AnswerForm(posted(request),
                      initial={"score": preselected_score(request.GET.get("score"))})
    if form.is_valid():
        try:
            services.survey_answer(actor=request.user, survey=survey, **form.answer())
        except ValidationFailed as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Thank you: your answer was recorded."))
            return redirect("satisfaction:answer", number=survey.ticket.number)
    return render(request, "satisfaction/answer.html", {"survey": survey, "form": form},
                  status=422 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def link(request, token: str):
    """The survey opened from the resolution e-mail, signed in or not: the page with
    the clicked score chosen (a GET never records anything: mail scanners open links),
    and the POST that records it. A link that is forged, expired or already used is a
    page saying so, with its 4xx status, and nothing written."""
    try:
        survey = services.survey_open_by_link(token=token)
        form = AnswerForm(posted(request),
                          initial={"score": preselected_score(request.GET.get("score"))})
        if form.is_valid():
            try:
                survey = services.survey_answer_by_link(token=token, **form.answer())
            except ValidationFailed as error:
                add_service_errors(form, error)
            else:
                return render(request, "satisfaction/thanks.html",
                              {"survey": survey, "by_link": True})
    except AtiendeError as error:
        return render(request, "satisfaction/link_problem.html",
                      {"message": error.message, "code": error.code}, status=error.status)
    return render(request, "satisfaction/answer.html",
                  {"survey": survey, "form": form, "by_link": True},
                  status=422 if form.errors else 200)


@login_required
@require_safe
@handles_errors
def results(request):
    """Results by organization, department, team, agent, service or month, and the
    latest comments, for what the actor leads, manages or administers."""
    form = ResultsForm(request.GET or None)
    filters = form.filters()
    rows = selectors.results(actor=request.user, filters=filters)
    comments = Paginator(selectors.answers(actor=request.user, filters=filters,
                                           with_comment=True), ANSWERS_PER_PAGE)
    return render(request, "satisfaction/results.html", {
        "form": form, "filters": filters, "rows": rows,
        "total": selectors.totals(actor=request.user, filters=filters),
        "grouping": selectors.GROUPINGS[filters.group_by][0],
        "groupings": [(name, title) for name, (title, _k, _l) in selectors.GROUPINGS.items()],
        "comments": comments.get_page(request.GET.get("page")),
    }, status=422 if form.errors else 200)

