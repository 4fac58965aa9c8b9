"""The agent workspace: queues, a ticket's page, creating tickets, bulk actions.

Pages work without JavaScript (forms post and redirect); with htmx, a change on a
ticket's page answers with the page's live part only, a stale version with the conflict
notice, and both the queue and the ticket page poll a small endpoint that answers 204
while nothing changed. Reads go through `workspace` and the selectors, writes through
the services; an invisible ticket is a 404 everywhere.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.http import reswap, retarget

from atiende.core.web import add_service_errors, handles_errors, posted
from atiende.errors import AtiendeError, Conflict, NotFound, PermissionDenied, ValidationFailed
from atiende.tickets import (
    attachments,
    bulk,
    policies,
    saved_views,
    selectors,
    services,
    workspace,
)
from atiende.tickets.forms import (
    EDIT_FORMS,
    AssignForm,
    AttachmentForm,
    BulkForm,
    ClassificationForm,
    CommentEditForm,
    CommentForm,
    EscalateForm,
    LinkForm,
    PriorityForm,
    QueueForm,
    RequestCreateForm,
    SavedViewForm,
    TagsForm,
    TicketCreateForm,
    TitleForm,
    TransitionForm,
    VersionedForm,
    WatcherForm,
    plain_to_html,
)
from atiende.tickets.models import Ticket
from atiende.tickets.search import search_tickets
from atiende.tickets.search.query import MAX_QUERY

SEARCH_PAGE_SIZE = 25
# Refusals because the page is behind what was changed since: they offer a reload.
STALE_CODES = frozenset({"stale_version", "stale_comment", "comment_deleted"})


def _number(value: str | None) -> int:
    return int(value) if value and value.isdigit() else 0


# --- queues -----------------------------------------------------------------------------


def _queue_choices(request, data) -> dict | None:
    """The filters' choices (five queries), read only when the page shows them unfolded
    or must check one; otherwise the folded panels load them when opened."""
    return workspace.filter_choices(actor=request.user) if QueueForm.needs_choices(data) else None


def queue_response(request, form: QueueForm, choices: dict | None, *, status: int = 200,
                   **extra) -> HttpResponse:
    """The queue page (or, for htmx, its live part) as `form` asks for it, with the
    actor's saved views."""
    page = workspace.queue_page(
        actor=request.user, queue=form.current_queue, filters=form.filters(),
        requester_search=form.value("requester"), sort=form.current_sort, after=form.value("after"),
        columns=form.columns)
    bulk_form = extra.pop("bulk_form", None) or BulkForm(
        teams=choices["teams"] if choices else (), agents=choices["agents"] if choices else (),
        me=request.user)
    views = list(saved_views.saved_view_list(actor=request.user))
    current = _number(request.GET.get("view"))
    # The save panel is part of the full page only, not of the live part htmx refreshes.
    save_form = extra.pop("save_form", None) or (None if request.htmx else SavedViewForm(
        teams=saved_views.shareable_teams(actor=request.user)))
    context = {"form": form, "page": page, "bulk_form": bulk_form,
               "tabs": form.tabs(page.counts), "saved_views": views, "save_form": save_form,
               "current_view": next((view for view in views if view.pk == current), None),
               **extra}
    template = "tickets/_queue_live.html" if request.htmx else "tickets/queue.html"
    return render(request, template, context, status=status)


@login_required
@require_safe
@handles_errors
def ticket_queue(request):
    """The queues (mine, my teams', unassigned, all I can see) with filters; a
    requester sees their own requests instead."""
    if not workspace.is_staff(request.user):
        page = workspace.requests_of(actor=request.user, after=request.GET.get("after", ""))
        return render(request, "tickets/my_requests.html", {"page": page})
    choices = _queue_choices(request, request.GET)
    return queue_response(request, QueueForm(request.GET, choices=choices), choices)


@login_required
@require_safe
@handles_errors
def ticket_queue_live(request):
    """Polled by the queue: 204 while no ticket the actor sees has a newer event."""
    since = _number(request.GET.get("stamp"))
    if not workspace.is_staff(request.user) or not workspace.queue_changed(
            actor=request.user, since=since):
        return HttpResponse(status=204)
    choices = _queue_choices(request, request.GET)
    return queue_response(request, QueueForm(request.GET, choices=choices), choices)


@login_required
@require_safe
@handles_errors
def ticket_queue_filters(request):
    """The folded filters with their choices, loaded when an agent unfolds them."""
    if not workspace.is_staff(request.user):
        raise NotFound()
    choices = workspace.filter_choices(actor=request.user)
    return render(request, "tickets/_more_filters.html",
                  {"form": QueueForm(request.GET, choices=choices)})


@login_required
@require_safe
@handles_errors
def ticket_bulk_assign_panel(request):
    """The bulk assignment's agents and teams, loaded when an agent opens it."""
    if not workspace.is_staff(request.user):
        raise NotFound()
    choices = workspace.filter_choices(actor=request.user)
    return render(request, "tickets/_bulk_assign.html", {"bulk_form": BulkForm(
        teams=choices["teams"], agents=choices["agents"], me=request.user)})


@login_required
@require_POST
@handles_errors
def ticket_bulk(request):
    """Apply one action to the ticked tickets, each through its service; the queue
    comes back with one outcome per ticket."""
    if not workspace.is_staff(request.user):
        raise NotFound()
    choices = workspace.filter_choices(actor=request.user)
    form = BulkForm(request.POST, teams=choices["teams"], agents=choices["agents"],
                    me=request.user)
    report = None
    if form.is_valid():
        report = bulk.bulk_apply(actor=request.user, action=form.cleaned_data["action"],
                                 selected=form.cleaned_data["tickets"], options=form.cleaned_data)
    queue_form = QueueForm(QueryDict(request.POST.get("query", "")), choices=choices)
    return queue_response(request, queue_form, choices, bulk_form=form, report=report)


@login_required
@require_safe
@handles_errors
def ticket_search(request):
    """The search box: a ticket number jumps to the ticket; words list what they find
    among the tickets the actor may see."""
    query = request.GET.get("q", "").strip()[:MAX_QUERY]
    found = search_tickets(actor=request.user, query=query)
    if found.exact:
        return redirect("ticket_detail", number=found[0].number)
    results = Paginator(found, SEARCH_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "tickets/search.html", {"search": query, "page": results})


# --- creating ---------------------------------------------------------------------------


def _request_new(request):
    """A requester asks for help for themselves."""
    form = RequestCreateForm(posted(request),
                             departments=workspace.served_departments(actor=request.user))
    if request.method == "POST" and form.is_valid():
        try:
            ticket = services.ticket_create(actor=request.user,
                                            **form.service_arguments(request.user))
        except ValidationFailed as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("We have your request: %(number)s.")
                             % {"number": ticket.number})
            return redirect("ticket_detail", number=ticket.number)
    return render(request, "tickets/new_request.html", {"form": form})


@login_required
@handles_errors
def ticket_new(request):
    """An agent registers a ticket on behalf of a requester (found by name or e-mail)."""
    if not workspace.is_staff(request.user):
        return _request_new(request)
    actor = request.user
    form = TicketCreateForm(
        posted(request), people=workspace.people_for_requester(actor=actor),
        departments=workspace.working_departments(actor=actor).select_related("organization"),
        categories=selectors.category_list(actor=actor), services=selectors.service_list(
            actor=actor).filter(is_active=True), initial={"requester": request.GET.get("for")})
    if request.method == "POST" and form.is_valid():
        try:
            ticket = services.ticket_create(actor=actor, **form.service_arguments())
        except ValidationFailed as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(number)s has been registered.")
                             % {"number": ticket.number})
            return redirect("ticket_detail", number=ticket.number)
    return render(request, "tickets/new.html", {"form": form})


@login_required
@require_safe
def ticket_new_people(request):
    """The people matching what was typed in the requester box (htmx)."""
    search = request.GET.get("requester", "").strip()[:100]
    people = list(workspace.people_for_requester(actor=request.user, search=search)[:8]
                  ) if len(search) >= 2 else []
    return render(request, "tickets/_people.html", {"people": people, "search": search})


# --- a ticket's page --------------------------------------------------------------------


def _page_forms(page: workspace.TicketPage, choices: dict, bound: dict) -> dict:
    """Every small form of the page, fresh, except the one that was just sent."""
    ticket = page.ticket
    forms = {"comment": CommentForm(staff=page.staff), "attachment": AttachmentForm()}
    if page.staff:
        initial = {"version": ticket.version}
        forms.update({
            "title": TitleForm(initial={**initial, "title": ticket.title}),
            "classification": ClassificationForm(
                categories=choices["categories"], services=choices["services"], initial={
                    **initial, "category": ticket.category_id, "service": ticket.service_id,
                    "impact": ticket.impact, "urgency": ticket.urgency}),
            "tags": TagsForm(initial={**initial, "tags": ", ".join(
                tag.name for tag in ticket.tags.all())}),
            "priority": PriorityForm(initial={**initial, "priority": ticket.priority}),
            "pending": TransitionForm(initial=initial),
            "resolve": TransitionForm(initial=initial),
            "assign": AssignForm(teams=choices["teams"], agents=choices["agents"],
                                 shown=choices["team_agents"], initial={
                                     **initial, "team": ticket.team_id,
                                     "assignee": ticket.assignee_id}),
            "escalate": EscalateForm(teams=[team for team in choices["teams"]
                                            if team.pk != ticket.team_id], initial=initial),
            "link": LinkForm(),
            "watcher": WatcherForm(people=choices["agents"]),
        })
        forms["assign"].fields["team"].widget.attrs.update({
            "hx-get": reverse("ticket_assignees", args=[ticket.number]),
            "hx-target": "#assign-assignee", "hx-swap": "outerHTML"})
    forms.update(bound)
    for name, form in forms.items():
        form.auto_id = f"{name}-%s"
    return forms


def _page_context(request, number: str, bound: dict | None = None, **extra) -> dict:
    page = workspace.ticket_page(actor=request.user, number=number)
    choices = workspace.ticket_choices(actor=request.user, ticket=page.ticket) if (
        page.staff) else {}
    return {"page": page, "ticket": page.ticket, "staff": page.staff,
            "forms": _page_forms(page, choices, bound or {}),
            # Only the department's agents may hold a ticket: nobody else is offered it.
            "can_take": any(agent.pk == request.user.pk for agent in choices.get("agents", [])),
            **extra}


def _answer(request, number: str, *, bound: dict | None = None, status: int = 200,
            done: bool = False) -> HttpResponse:
    """The ticket after a change: with htmx its live part (and the notice cleared), else
    a redirect to its page; with a form's errors, the page with that form open."""
    if done and not request.htmx:
        return redirect("ticket_detail", number=number)
    template = "tickets/_live.html" if request.htmx else "tickets/detail.html"
    return render(request, template, _page_context(request, number, bound, done=done),
                  status=status)


def _refused(request, ticket: Ticket, error: AtiendeError) -> HttpResponse:
    """A conflict (a stale version, a closed ticket, ...): the message and a reload link,
    leaving what the person typed in place."""
    context = {"notice": error.message, "stale": error.code in STALE_CODES, "ticket": ticket}
    if not request.htmx:
        return render(request, "tickets/detail.html",
                      {**_page_context(request, ticket.number), **context}, status=error.status)
    response = render(request, "tickets/_notice.html", context, status=error.status)
    return reswap(retarget(response, "#ticket-notice"), "innerHTML")


def _perform(request, ticket: Ticket, name: str, form, call: Callable[[], object]):
    """Run one service call for a valid form and answer with the outcome."""
    try:
        call()
    except (NotFound, PermissionDenied):
        raise
    except ValidationFailed as error:
        if form is None:
            error.message = " ".join(error.fields.values()) or error.message
            return _refused(request, ticket, error)
        add_service_errors(form, error)
        return _answer(request, ticket.number, bound={name: form}, status=422)
    except AtiendeError as error:
        return _refused(request, ticket, error)
    return _answer(request, ticket.number, done=True)


def _worked_ticket(request, number: str) -> Ticket:
    """A ticket whose forms offer the desk's teams, agents and categories: only who works
    it gets past here (PermissionDenied), so those choices are never read for others."""
    ticket = selectors.ticket_get(actor=request.user, number=number)
    if not policies.works_on(request.user, ticket):
        raise PermissionDenied()
    return ticket


def _invalid(request, ticket: Ticket, name: str, form) -> HttpResponse:
    return _answer(request, ticket.number, bound={name: form}, status=422)


@login_required
@require_safe
@handles_errors
def ticket_detail(request, number: str):
    return render(request, "tickets/detail.html", _page_context(request, number))


@login_required
@require_safe
@handles_errors
def ticket_live(request, number: str):
    """Polled by the ticket's page: 204 while there is no event newer than `after`."""
    ticket = selectors.ticket_get(actor=request.user, number=number)
    if not workspace.ticket_changed(actor=request.user, ticket=ticket,
                                    since=_number(request.GET.get("after"))):
        return HttpResponse(status=204)
    return render(request, "tickets/_live.html", _page_context(request, ticket.number))


@login_required
@require_POST
@handles_errors
def ticket_edit(request, number: str, group: str):
    """Title, classification (category, service, impact, urgency) or tags."""
    if group not in EDIT_FORMS:
        raise Http404()
    ticket = _worked_ticket(request, number)
    choices = workspace.ticket_choices(actor=request.user, ticket=ticket)
    form = (ClassificationForm(request.POST, categories=choices["categories"],
                               services=choices["services"])
            if group == "classification" else EDIT_FORMS[group](request.POST))
    if not form.is_valid():
        return _invalid(request, ticket, group, form)
    return _perform(request, ticket, group, form, lambda: services.ticket_update(
        actor=request.user, ticket=ticket, changes=form.changes(),
        version=form.cleaned_data["version"]))


@login_required
@require_POST
@handles_errors
def ticket_priority(request, number: str):
    ticket = selectors.ticket_get(actor=request.user, number=number)
    form = PriorityForm(request.POST)
    if not form.is_valid():
        return _invalid(request, ticket, "priority", form)
    data = form.cleaned_data
    return _perform(request, ticket, "priority", form, lambda: services.ticket_set_priority(
        actor=request.user, ticket=ticket, priority=data["priority"], reason=data["reason"],
        version=data["version"]))


@login_required
@require_POST
@handles_errors
def ticket_status(request, number: str):
    ticket = selectors.ticket_get(actor=request.user, number=number)
    form = TransitionForm(request.POST)
    name = {"pending": "pending", "resolved": "resolve"}.get(request.POST.get("status"),
                                                             "transition")
    if not form.is_valid():
        return _invalid(request, ticket, name, form)
    return _perform(request, ticket, name, form, lambda: services.ticket_transition(
        actor=request.user, ticket=ticket, **form.service_arguments()))


@login_required
@require_POST
@handles_errors
def ticket_assign(request, number: str):
    ticket = _worked_ticket(request, number)
    choices = workspace.ticket_choices(actor=request.user, ticket=ticket)
    form = AssignForm(request.POST, teams=choices["teams"], agents=choices["agents"])
    if not form.is_valid():
        return _invalid(request, ticket, "assign", form)
    data = form.cleaned_data
    return _perform(request, ticket, "assign", form, lambda: services.ticket_assign(
        actor=request.user, ticket=ticket, team=data["team"], assignee=data["assignee"],
        version=data["version"]))


@login_required
@require_POST
@handles_errors
def ticket_take(request, number: str):
    """Assign to me, keeping my team of the ticket's department."""
    ticket = selectors.ticket_get(actor=request.user, number=number)
    form = VersionedForm(request.POST)
    if not form.is_valid():
        return _invalid(request, ticket, "take", form)
    team = workspace.my_team_for(actor=request.user, ticket=ticket)
    return _perform(request, ticket, "take", form, lambda: services.ticket_assign(
        actor=request.user, ticket=ticket, team=team, assignee=request.user,
        version=form.cleaned_data["version"]))


@login_required
@require_safe
@handles_errors
def ticket_assignees(request, number: str):
    """The agents to offer once a team is chosen (htmx)."""
    ticket = _worked_ticket(request, number)
    team = workspace.team_get(actor=request.user, ticket=ticket,
                              team_id=_number(request.GET.get("team")))
    agents = workspace.ticket_agents(actor=request.user, ticket=ticket, team=team)
    return render(request, "tickets/_assignees.html", {"agents": agents, "ticket": ticket})


@login_required
@require_POST
@handles_errors
def ticket_escalate(request, number: str):
    ticket = _worked_ticket(request, number)
    choices = workspace.ticket_choices(actor=request.user, ticket=ticket)
    form = EscalateForm(request.POST, teams=choices["teams"])
    if not form.is_valid():
        return _invalid(request, ticket, "escalate", form)
    data = form.cleaned_data
    return _perform(request, ticket, "escalate", form, lambda: services.ticket_escalate(
        actor=request.user, ticket=ticket, team=data["team"], reason=data["reason"],
        version=data["version"]))


@login_required
@require_POST
@handles_errors
def ticket_comment(request, number: str):
    """A public reply or an internal note."""
    ticket = selectors.ticket_get(actor=request.user, number=number)
    form = CommentForm(request.POST, staff=True)
    if not form.is_valid():
        return _invalid(request, ticket, "comment", form)
    data = form.cleaned_data
    return _perform(request, ticket, "comment", form, lambda: services.comment_add(
        actor=request.user, ticket=ticket, body=plain_to_html(data["body"]),
        visibility=data["visibility"]))


def _comment_to_change(request, number: str, comment_id: int):
    """The ticket, one of its comments the actor may read, and the refusal to answer
    (a notice in the page) when the actor may not change that comment, else None."""
    ticket = selectors.ticket_get(actor=request.user, number=number)
    comment = selectors.comment_get(actor=request.user, ticket=ticket, comment_id=comment_id,
                                    include_deleted=True)
    try:
        services.comment_changeable(actor=request.user, comment=comment)
    except (PermissionDenied, Conflict) as error:
        return ticket, comment, _refused(request, ticket, error)
    return ticket, comment, None


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@handles_errors
def ticket_comment_edit(request, number: str, comment_id: int):
    """Edit one's own comment in place: GET opens the editor (with htmx the comment
    alone comes back, else the ticket's page with the editor open), POST saves it."""
    ticket, comment, refusal = _comment_to_change(request, number, comment_id)
    if refusal is not None:
        return refusal
    form = CommentEditForm(posted(request), comment=comment)
    if request.method != "POST":
        context = _page_context(request, ticket.number, {"comment_edit": form})
        if not request.htmx:
            return render(request, "tickets/detail.html", context)
        return render(request, "tickets/_comment.html", {
            **context, "event": workspace.comment_entry(context["page"], comment.pk)})
    if not form.is_valid():
        return _invalid(request, ticket, "comment_edit", form)
    return _perform(request, ticket, "comment_edit", form, lambda: services.comment_edit(
        actor=request.user, comment=comment, **form.service_arguments()))


@login_required
@require_POST
@handles_errors
def ticket_comment_delete(request, number: str, comment_id: int):
    """Delete one's own comment (after the confirmation the page asks for)."""
    ticket, comment, refusal = _comment_to_change(request, number, comment_id)
    if refusal is not None:
        return refusal
    return _perform(request, ticket, "comment_delete", None, lambda: services.comment_delete(
        actor=request.user, comment=comment))


@login_required
@require_POST
@handles_errors
def ticket_watch(request, number: str):
    """Watch the ticket oneself, or (staff) add an agent as a watcher."""
    if "user" not in request.POST:
        ticket = selectors.ticket_get(actor=request.user, number=number)
        form = WatcherForm({"user": request.user.pk}, people=[request.user])
    else:
        ticket = _worked_ticket(request, number)
        form = WatcherForm(request.POST, people=workspace.ticket_agents(
            actor=request.user, ticket=ticket))
    if not form.is_valid():
        return _invalid(request, ticket, "watcher", form)
    return _perform(request, ticket, "watcher", form, lambda: services.watcher_add(
        actor=request.user, ticket=ticket, user=form.cleaned_data["user"]))


@login_required
@require_POST
@handles_errors
def ticket_unwatch(request, number: str, user_id: int):
    ticket = selectors.ticket_get(actor=request.user, number=number)
    watcher = next((person for person in ticket.watchers.all() if person.pk == user_id), None)
    if watcher is None:
        raise NotFound()
    return _perform(request, ticket, "watcher", None, lambda: services.watcher_remove(
        actor=request.user, ticket=ticket, user=watcher))


@login_required
@require_POST
@handles_errors
def ticket_link_add(request, number: str):
    ticket = selectors.ticket_get(actor=request.user, number=number)
    form = LinkForm(request.POST)
    if not form.is_valid():
        return _invalid(request, ticket, "link", form)
    try:
        target = selectors.ticket_get(actor=request.user, number=form.cleaned_data["number"])
    except NotFound:
        form.add_error("number", _("There is no ticket with this number."))
        return _invalid(request, ticket, "link", form)
    return _perform(request, ticket, "link", form, lambda: services.ticket_link(
        actor=request.user, source=ticket, target=target, kind=form.cleaned_data["kind"]))


@login_required
@require_POST
@handles_errors
def ticket_link_remove(request, number: str, link_id: int):
    ticket = selectors.ticket_get(actor=request.user, number=number)
    link = selectors.ticket_link_get(actor=request.user, ticket=ticket, link_id=link_id)
    return _perform(request, ticket, "link", None, lambda: services.ticket_unlink(
        actor=request.user, link=link))


@login_required
@require_POST
@handles_errors
def ticket_attach(request, number: str):
    ticket = selectors.ticket_get(actor=request.user, number=number)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        return _invalid(request, ticket, "attachment", form)
    return _perform(request, ticket, "attachment", form, lambda: attachments.attachment_add(
        actor=request.user, ticket=ticket, uploaded_file=form.cleaned_data["file"],
        is_internal=form.cleaned_data["is_internal"], channel="web"))
