"""The requester's portal at /portal/: find an answer, ask for a service, report a
problem, follow one's requests. Thin: parse with a form, call a selector or service,
render with the organization's look. Whatever the actor may not see is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from atiende.catalog import selectors as catalog_selectors
from atiende.catalog import services as catalog_services
from atiende.catalog import web_forms
from atiende.core.web import add_service_errors, handles_errors, posted
from atiende.errors import (
    AtiendeError,
    FileTooLarge,
    FileTypeRefused,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from atiende.knowledge import services as knowledge_services
from atiende.portal import selectors, services
from atiende.portal.forms import ReplyForm, ReportForm, SearchForm, VersionForm
from atiende.tickets import services as ticket_services
from atiende.tickets import workspace
from atiende.tickets.models import Status

APPROVALS_TEMPLATE = "portal/_approvals.html"


def _render(request, template: str, context: dict | None = None, *, status: int = 200):
    """A portal page: the organization's look and whether the reader is staff."""
    organization = selectors.portal_organization(request.user)
    return render(request, template, {
        "look": selectors.look_of(organization or request.user.organization),
        "portal_organization": organization,
        "viewer_is_staff": selectors.sees_as_staff(request.user),
        **(context or {})}, status=status)


def _approvals(user) -> dict | None:
    """Approvals waiting on the user, when the catalog offers them
    (`atiende.catalog.approvals_selectors.pending_for`) and the portal has their block;
    None otherwise, and the home shows nothing for them."""
    try:
        from atiende.catalog.approvals_selectors import pending_for
    except ImportError:
        return None
    try:
        get_template(APPROVALS_TEMPLATE)
    except TemplateDoesNotExist:
        return None
    return {"template": APPROVALS_TEMPLATE, "pending": pending_for(user)}


# --- home, search, catalog --------------------------------------------------------------


@login_required
@require_safe
@handles_errors
def portal_home(request):
    user = request.user
    return _render(request, "portal/home.html", {
        "search_form": SearchForm(),
        "departments": selectors.catalog(actor=user),
        "tickets": selectors.own_tickets(actor=user, limit=selectors.HOME_TICKETS),
        "articles": selectors.popular_articles(actor=user),
        "approvals": _approvals(user),
    })


@login_required
@require_safe
@handles_errors
def portal_search(request):
    form = SearchForm(request.GET)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    hits = selectors.article_search(actor=request.user, query=query) if query else []
    items = catalog_selectors.catalog_for(actor=request.user, search=query) if (
        query and selectors.portal_organization(request.user)) else []
    return _render(request, "portal/search.html", {
        "search_form": form, "query": query, "hits": hits, "items": items})


@login_required
@require_safe
@handles_errors
def portal_catalog(request):
    return _render(request, "portal/catalog.html", {
        "departments": selectors.catalog(actor=request.user)})


def _item_page(request, item, *, answers=None, errors=None, status=200):
    version = item.current_version
    people = catalog_selectors.pickable_people(
        actor=request.user, organization=request.user.organization,
    )[:catalog_selectors.PEOPLE_MAX] if version and any(
        field["type"] == "user" for field in version.fields) else ()
    return _render(request, "portal/item.html", {
        "item": item, "errors": errors or {},
        "rows": web_forms.rows(version.fields if version else [], answers=answers,
                               errors=errors, people=list(people)),
    }, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@handles_errors
def portal_item(request, item_id: int):
    """An item's form, sent through the catalog's own service."""
    item = selectors.catalog_item(actor=request.user, item_id=item_id)
    if request.method != "POST":
        return _item_page(request, item)
    fields = item.current_version.fields if item.current_version else []
    answers, uploads = web_forms.answers_from_post(fields, request.POST, request.FILES)
    try:
        ticket = catalog_services.request_submit(actor=request.user, item=item,
                                                 answers=answers, files=uploads)
    except ValidationFailed as error:
        return _item_page(request, item, answers=answers, errors=error.fields, status=422)
    messages.success(request, _("We have your request: %(number)s.") % {"number": ticket.number})
    return redirect("portal_ticket", number=ticket.number)


# --- answers ----------------------------------------------------------------------------


@login_required
@require_safe
@handles_errors
def portal_article(request, article_id: int):
    """An answer. Opened from the report form's suggestions (`?from=report`), it is
    counted as a possible deflection and offers "This solved my problem"."""
    context = selectors.article_page(actor=request.user, article_id=article_id,
                                     language=request.GET.get("lang") or _language())
    from_report = request.GET.get("from") == "report"
    if from_report and selectors.portal_organization(request.user) is not None:
        services.deflection_open(actor=request.user, article=context["article"])
    knowledge_services.article_viewed(actor=request.user, article=context["article"])
    return _render(request, "portal/article.html", {**context, "from_report": from_report})


@login_required
@require_POST
@handles_errors
def portal_article_solved(request, article_id: int):
    """"This solved my problem"."""
    if selectors.portal_organization(request.user) is None:
        raise NotFound()
    services.deflection_resolved(actor=request.user, article_id=article_id)
    messages.success(request, _("We are glad it is solved. Thank you for telling us."))
    return redirect("portal_home")


# --- reporting a problem ----------------------------------------------------------------


def _report_form(request) -> ReportForm:
    return ReportForm(posted(request), request.FILES or None,
                      departments=workspace.served_departments(actor=request.user),
                      initial={"title": request.GET.get("title", "")[:200]})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@handles_errors
def portal_report(request):
    if selectors.portal_organization(request.user) is None:
        return _render(request, "portal/report.html", {"form": None})
    form = _report_form(request)
    if request.method == "POST" and form.is_valid():
        try:
            ticket = services.problem_report(actor=request.user, **form.service_arguments())
        except ValidationFailed as error:
            add_service_errors(form, error)
        except (FileTooLarge, FileTypeRefused) as error:
            form.add_error("file", error.message)
        else:
            messages.success(request, _("We have your report: %(number)s.")
                             % {"number": ticket.number})
            return redirect("portal_ticket", number=ticket.number)
    status = 422 if request.method == "POST" else 200
    title = form.data.get("title") if form.is_bound else form.initial.get("title")
    return _render(request, "portal/report.html", {
        "form": form, "hits": selectors.suggestions(actor=request.user, title=title or "")
    }, status=status)


@login_required
@require_safe
@handles_errors
def portal_suggestions(request):
    """Answers for the title being typed (htmx, while typing)."""
    title = request.GET.get("title", "")[:200]
    return render(request, "portal/_suggestions.html", {
        "hits": selectors.suggestions(actor=request.user, title=title), "title": title})


# --- the requester's tickets ------------------------------------------------------------


@login_required
@require_safe
@handles_errors
def portal_tickets(request):
    return _render(request, "portal/tickets.html", {
        "tickets": selectors.own_tickets(actor=request.user),
        "shared": selectors.shared_tickets(actor=request.user)})


def _ticket_page(request, number: str, *, reply_form=None, status: int = 200):
    page = selectors.ticket_page(actor=request.user, number=number)
    return _render(request, "portal/ticket.html", {
        "page": page, "ticket": page.ticket, "reply_form": reply_form or ReplyForm(),
    }, status=status)


@login_required
@require_safe
@handles_errors
def portal_ticket(request, number: str):
    return _ticket_page(request, number)


@login_required
@require_POST
@handles_errors
def portal_ticket_reply(request, number: str):
    ticket = selectors.ticket_get(actor=request.user, number=number)
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.reply_add(actor=request.user, ticket=ticket, **form.service_arguments())
        except ValidationFailed as error:
            add_service_errors(form, error)
        except (FileTooLarge, FileTypeRefused) as error:
            form.add_error("file", error.message)
        except (NotFound, PermissionDenied):
            raise
        except AtiendeError as error:
            messages.error(request, error.message)
            return redirect("portal_ticket", number=ticket.number)
        else:
            messages.success(request, _("Your reply was sent."))
            return redirect("portal_ticket", number=ticket.number)
    return _ticket_page(request, ticket.number, reply_form=form, status=422)


def _transition(request, number: str, to_status: str, done: str):
    ticket = selectors.ticket_get(actor=request.user, number=number)
    form = VersionForm(request.POST)
    if not form.is_valid():
        raise Http404()
    try:
        ticket_services.ticket_transition(actor=request.user, ticket=ticket,
                                          to_status=to_status,
                                          version=form.cleaned_data["version"],
                                          channel="portal")
    except (NotFound, PermissionDenied):
        raise
    except AtiendeError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return redirect("portal_ticket", number=ticket.number)


@login_required
@require_POST
@handles_errors
def portal_ticket_reopen(request, number: str):
    return _transition(request, number, Status.IN_PROGRESS,
                       _("Reopened: we will look at it again."))


@login_required
@require_POST
@handles_errors
def portal_ticket_cancel(request, number: str):
    return _transition(request, number, Status.CANCELLED, _("Your request was cancelled."))


# --- the logo ---------------------------------------------------------------------------


@login_required
@require_safe
@handles_errors
def portal_logo(request, slug: str, digest: str):
    """The organization's logo, as the PNG the service re-encoded; its address changes
    with its content, so browsers keep it."""
    row = selectors.logo_of(actor=request.user, slug=slug)
    if digest != row.logo_digest[:16]:
        raise NotFound()
    response = HttpResponse(bytes(row.logo), content_type="image/png")
    response["Cache-Control"] = "private, max-age=31536000, immutable"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = 'inline; filename="logo.png"'
    return response


def _language() -> str:
    return (get_language() or "es")[:2]
