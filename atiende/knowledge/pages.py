"""What the knowledge pages show, read through the selectors (the views stay thin)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Q
from django.utils.translation import gettext as _

from atiende.core.models import User
from atiende.errors import NotFound, PermissionDenied
from atiende.knowledge import files, policies, selectors
from atiende.knowledge.models import Article, KnowledgeCategory, Language, VersionState
from atiende.knowledge.search import search_articles
from atiende.tickets.attachments import allowed_extensions
from atiende.tickets.models import Ticket
from atiende.tickets.policies import visible_tickets

SUGGESTIONS = 3


def list_page(*, actor: User, query: str, language: str, page: int, size: int) -> dict:
    """Search hits for `query`, or every visible article (newest change first)."""
    if query:
        hits = search_articles(actor=actor, query=query, limit=size, offset=(page - 1) * size)
        articles = [hit.article for hit in hits]
        for hit in hits:
            hit.article.search_snippet = hit.snippet
        paginated = None
    else:
        paginated = Paginator(selectors.article_list(actor=actor), size).get_page(page)
        articles = list(paginated)
    titles = selectors.titles([a.pk for a in articles], language=language)
    for article in articles:
        article.display_title = titles.get(article.pk, "")
    return {"articles": articles, "page": paginated,
            "can_write": selectors.writable_departments(actor).exists()}


def article_page(*, actor: User, article_id: int, language: str) -> dict:
    article = selectors.article_get(actor=actor, article_id=article_id)
    staff = policies.works_on(actor, article)
    versions = selectors.readable_versions(actor=actor, article=article)
    current = selectors.current_versions(versions, staff=staff)
    if language not in current:
        language = next(iter(sorted(current)), Language.SPANISH)
    return {
        "article": article, "staff": staff, "versions": versions,
        "version": current.get(language), "language": language,
        "languages": [(code, label) for code, label in Language.choices if code in current],
        "latest": next((v for v in versions if v.language == language), None),
        "events": list(article.events.select_related("actor")[:20]) if staff else [],
        "feedback": selectors.own_feedback(actor=actor, article=article),
        # Only the linked tickets the reader may see: an article of a shared desk may be
        # linked to tickets of several client organizations.
        "links": (list(article.ticket_links.filter(
            ticket__in=Ticket.objects.filter(visible_tickets(actor)))
            .select_related("ticket").order_by("-created_at")[:10]) if staff else []),
        "states": VersionState,
        "files": list(files.article_files(actor=actor, article=article)),
        "accepted_types": ",".join(f".{extension}" for extension in allowed_extensions()),
    }


def _categories(departments) -> list[KnowledgeCategory]:
    return list(KnowledgeCategory.objects.filter(department__in=departments)
                .select_related("department"))


def new_article(*, actor: User, ticket_number: str | None) -> dict:
    """The editor's start: the departments the actor writes in; from a ticket the actor
    works on and has resolved, its department, title and resolution notes."""
    from atiende.tickets import policies as ticket_policies
    from atiende.tickets import selectors as ticket_selectors
    from atiende.tickets.forms import html_to_plain

    departments = list(selectors.writable_departments(actor))
    if not departments:
        raise PermissionDenied()
    initial: dict = {"language": Language.SPANISH, "visibility": "internal"}
    ticket = None
    if ticket_number:
        ticket = ticket_selectors.ticket_get(actor=actor, number=ticket_number)
        if not ticket_policies.works_on(actor, ticket) or not ticket.resolution_notes:
            raise NotFound()
        initial.update(department=ticket.department_id, title=ticket.title,
                       body=html_to_plain(ticket.resolution_notes))
    return {"departments": departments, "categories": _categories(departments),
            "initial": initial, "ticket": ticket, "article": None}


def edit_article(*, actor: User, article_id: int, language: str) -> dict:
    from atiende.tickets.forms import html_to_plain

    article = selectors.article_get(actor=actor, article_id=article_id)
    if not policies.works_on(actor, article):
        raise PermissionDenied(_("Only the department's staff change its articles."))
    if language not in Language.values:
        language = Language.SPANISH
    latest = article.versions.filter(language=language).order_by("-number").first()
    initial = {"language": language, "visibility": article.visibility,
               "category": article.category_id, "review_by": article.review_by}
    if latest is not None:
        initial.update(title=latest.title, body=html_to_plain(latest.body))
    return {"article": article, "latest": latest, "initial": initial, "ticket": None,
            "categories": _categories([article.department_id]), "language": language}


def suggestions(*, actor: User, ticket) -> list:
    """Up to three articles the actor may see that match the ticket's title (for the
    ticket's page), with the titles readers see."""
    # Articles for the ticket's organization: its own departments' and the shared desks'.
    serving = Article.objects.filter(
        Q(organization_id=ticket.organization_id)
        | Q(department__is_shared=True, organization__is_provider=True))
    hits = search_articles(actor=actor, query=ticket.title, limit=SUGGESTIONS, any_word=True,
                           base=serving)
    titles = selectors.titles([hit.article.pk for hit in hits], language="es")
    for hit in hits:
        hit.article.display_title = titles.get(hit.article.pk, "")
    return hits
