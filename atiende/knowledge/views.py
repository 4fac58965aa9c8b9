"""The knowledge base in the agent workspace: list and search, an article's page,
the editor and the workflow. Thin: parse with a form, call one selector or service,
render; an article the actor may not see is a 404 everywhere."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from atiende.core.web import add_service_errors, handles_errors, posted
from atiende.errors import ValidationFailed
from atiende.knowledge import files, pages, services
from atiende.knowledge.forms import ArticleForm, FeedbackForm, SearchForm, WorkflowForm

PAGE_SIZE = 25


def _language(request) -> str:
    return (get_language() or "es")[:2]


MAX_PAGE = 1000


def _page_number(value: str) -> int:
    """The page asked for, 1 for anything that is not a page number (such as "²")."""
    if value.isascii() and value.isdigit():
        return min(max(int(value), 1), MAX_PAGE)
    return 1


@login_required
@require_safe
def knowledge_list(request):
    form = SearchForm(request.GET)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    number = request.GET.get("page", "1")
    context = pages.list_page(actor=request.user, query=query, language=_language(request),
                              page=_page_number(number), size=PAGE_SIZE)
    return render(request, "knowledge/list.html", {**context, "search": query})


@login_required
@require_safe
@handles_errors
def knowledge_detail(request, article_id: int):
    context = pages.article_page(actor=request.user, article_id=article_id,
                                 language=request.GET.get("lang") or _language(request))
    services.article_viewed(actor=request.user, article=context["article"])
    return render(request, "knowledge/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@handles_errors
def knowledge_new(request):
    """A new article; from a resolved ticket (`?ticket=INC-000123`) it is prefilled with
    the ticket's title and resolution notes and linked to it."""
    start = pages.new_article(actor=request.user, ticket_number=request.GET.get("ticket"))
    form = ArticleForm(posted(request), initial=start["initial"],
                       departments=start["departments"], categories=start["categories"])
    if form.is_valid():
        try:
            article = services.article_create(
                actor=request.user, department=form.cleaned_data["department"],
                language=form.cleaned_data["language"], ticket=start["ticket"],
                **form.words(), **form.about())
        except ValidationFailed as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Article created as a draft."))
            return redirect("knowledge_detail", article_id=article.pk)
    return render(request, "knowledge/edit.html", {**start, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
@handles_errors
def knowledge_edit(request, article_id: int):
    language = request.GET.get("lang") or _language(request)
    start = pages.edit_article(actor=request.user, article_id=article_id, language=language)
    form = ArticleForm(posted(request), initial=start["initial"],
                       categories=start["categories"])
    if form.is_valid():
        try:
            services.article_edit(actor=request.user, article_id=article_id,
                                  language=form.cleaned_data["language"], **form.words(),
                                  changes=form.about())
        except ValidationFailed as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Changes saved in a draft."))
            url = reverse("knowledge_detail", args=[article_id])
            return redirect(f"{url}?lang={form.cleaned_data['language']}")
    return render(request, "knowledge/edit.html", {**start, "form": form})


@login_required
@require_POST
@handles_errors
def knowledge_workflow(request, article_id: int):
    form = WorkflowForm(request.POST)
    if not form.is_valid():
        raise Http404()
    version = services.article_transition(actor=request.user, article_id=article_id,
                                          language=form.cleaned_data["language"],
                                          action=form.cleaned_data["action"])
    messages.success(request, _("The version is now “%(state)s”.")
                     % {"state": version.get_state_display()})
    url = reverse("knowledge_detail", args=[article_id])
    return redirect(f"{url}?lang={version.language}")


@login_required
@require_POST
@handles_errors
def knowledge_feedback(request, article_id: int):
    form = FeedbackForm(request.POST)
    if form.is_valid():
        services.feedback_give(actor=request.user, article_id=article_id,
                               useful=form.cleaned_data["useful"],
                               comment=form.cleaned_data["comment"])
        messages.success(request, _("Thank you for your feedback."))
    else:
        messages.error(request, _("Say whether the article was useful."))
    return redirect("knowledge_detail", article_id=article_id)


@login_required
@require_safe
@handles_errors
def knowledge_suggestions(request, number: str):
    """The ticket page's "Suggested articles", loaded after the page (htmx), so the
    page's own queries stay as they are."""
    from atiende.tickets import selectors as ticket_selectors

    ticket = ticket_selectors.ticket_get(actor=request.user, number=number)
    return render(request, "knowledge/_suggestions.html", {
        "ticket": ticket, "hits": pages.suggestions(actor=request.user, ticket=ticket)})


@login_required
@require_POST
@handles_errors
def knowledge_file_add(request, article_id: int):
    attachment = files.article_file_add(actor=request.user, article_id=article_id,
                                        uploaded_file=request.FILES.get("file"))
    messages.success(request, _("“%(name)s” attached.") % {"name": attachment.file_name})
    return redirect("knowledge_detail", article_id=article_id)


@login_required
@require_safe
@handles_errors
def knowledge_file_download(request, article_id: int, file_id: int):
    attachment = files.article_file_get(actor=request.user, article_id=article_id,
                                        file_id=file_id)
    return files.article_file_response(attachment)


@login_required
@require_POST
@handles_errors
def knowledge_file_remove(request, article_id: int, file_id: int):
    files.article_file_remove(actor=request.user, article_id=article_id, file_id=file_id)
    messages.success(request, _("File removed."))
    return redirect("knowledge_detail", article_id=article_id)
