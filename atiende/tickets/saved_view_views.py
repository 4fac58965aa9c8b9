"""Saving, updating and deleting a queue's saved views from the queue page. Each answers
with a redirect to the view (or the queue), or with the queue page and the form's
errors when the service refused."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from atiende.core.web import add_service_errors, handles_errors
from atiende.errors import ValidationFailed
from atiende.tickets import saved_views, workspace
from atiende.tickets.forms import QueueForm, SavedViewForm
from atiende.tickets.views import queue_response


def _opened(view) -> str:
    return f"{reverse('ticket_queue')}?{view.query_string}"


def _refused(request, form: SavedViewForm, error: ValidationFailed):
    """The queue the agent was looking at, with the save panel open on its errors."""
    add_service_errors(form, error)
    choices = workspace.filter_choices(actor=request.user)
    queue_form = QueueForm(QueryDict(form.data.get("query", "")), choices=choices)
    return queue_response(request, queue_form, choices, save_form=form, status=422)


@login_required
@require_POST
@handles_errors
def saved_view_create(request):
    form = SavedViewForm(request.POST, teams=saved_views.shareable_teams(actor=request.user))
    if not form.is_valid():
        return _refused(request, form, ValidationFailed())
    try:
        view = saved_views.saved_view_create(
            actor=request.user, name=form.cleaned_data["name"],
            query=form.parsed_query(), team=form.cleaned_data["team"])
    except ValidationFailed as error:
        return _refused(request, form, error)
    messages.success(request, _("View “%(name)s” saved.") % {"name": view.name})
    return redirect(_opened(view))


@login_required
@require_POST
@handles_errors
def saved_view_update(request, view_id: int):
    """Keep the view's name and sharing, and replace its filters with the queue's."""
    view = saved_views.saved_view_get(actor=request.user, view_id=view_id)
    form = SavedViewForm({"name": view.name, "team": view.team_id or "",
                          "query": request.POST.get("query", "")},
                         teams=saved_views.shareable_teams(actor=request.user))
    form.is_valid()
    view = saved_views.saved_view_update(actor=request.user, view=view,
                                         query=form.parsed_query())
    messages.success(request, _("View “%(name)s” updated.") % {"name": view.name})
    return redirect(_opened(view))


@login_required
@require_POST
@handles_errors
def saved_view_delete(request, view_id: int):
    view = saved_views.saved_view_get(actor=request.user, view_id=view_id)
    saved_views.saved_view_delete(actor=request.user, view=view)
    messages.success(request, _("View “%(name)s” deleted.") % {"name": view.name})
    return redirect("ticket_queue")
