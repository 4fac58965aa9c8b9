"""`/api/v1/articles`: the knowledge base. Thin: parse, call a selector or a service,
return. An article the caller may not see is a 404 on every endpoint.

No `from __future__ import annotations` here: Ninja's `@paginate` wrapper resolves a
view's string annotations in `ninja.pagination`'s globals.
"""

from datetime import datetime

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from atiende.api.pagination import Pagination
from atiende.api.schemas import FilterId, Filters
from atiende.errors import PermissionDenied, ValidationFailed
from atiende.knowledge import files, policies, selectors, services
from atiende.knowledge.schemas import (
    ArticleCreate,
    ArticleDetailOut,
    ArticleHitOut,
    ArticleOut,
    ArticleUpdate,
    FeedbackIn,
    FeedbackOut,
    WorkflowIn,
)
from atiende.knowledge.search import MAX_QUERY, search_articles

router = Router(tags=["knowledge"])
CHANNEL = "api"


class ArticleFilters(Filters):
    department_id: FilterId | None = None
    visibility: str | None = Field(None, max_length=10)


class SearchFilters(Filters):
    q: str = Field(min_length=1, max_length=MAX_QUERY,
                   description="Words; accents and Spanish word forms do not matter.")
    limit: int = Field(20, ge=1, le=50)


def _detail(request: HttpRequest, article_id: int):
    actor = request.auth
    article = selectors.article_list(actor=actor).filter(pk=article_id).first()
    if article is None:
        selectors.article_get(actor=actor, article_id=article_id)  # raises NotFound
    article.versions_shown = selectors.readable_versions(actor=actor, article=article)
    return article


@router.get("/articles", response=list[ArticleOut], summary="Articles the caller may see")
@paginate(Pagination, ordering=("-id",))
def article_list(request: HttpRequest, filters: Query[ArticleFilters]):
    return selectors.article_list(actor=request.auth, department_id=filters.department_id,
                                  visibility=filters.visibility)


@router.get("/articles/search", response=list[ArticleHitOut], summary="Search articles")
def article_search(request: HttpRequest, filters: Query[SearchFilters]):
    hits = search_articles(actor=request.auth, query=filters.q, limit=filters.limit)
    titles = selectors.titles([hit.article.pk for hit in hits], language="es")
    return [{"id": hit.article.pk, "title": titles.get(hit.article.pk, ""),
             "department": hit.article.department, "visibility": hit.article.visibility,
             "snippet": hit.snippet} for hit in hits]


@router.get("/articles/{article_id}", response=ArticleDetailOut, summary="One article")
def article_detail(request: HttpRequest, article_id: int):
    return _detail(request, article_id)


def _ticket(request: HttpRequest, number: str | None):
    if not number:
        return None
    from atiende.tickets import selectors as ticket_selectors

    return ticket_selectors.ticket_get(actor=request.auth, number=number)


@router.post("/articles", response={201: ArticleDetailOut}, summary="Write an article (a draft)")
def article_create(request: HttpRequest, payload: ArticleCreate):
    department = selectors.writable_departments(request.auth).filter(
        pk=payload.department_id).first()
    if department is None:
        raise ValidationFailed({"department_id": _("Choose a department where you write "
                                                   "articles.")}, code="invalid_department")
    ticket = _ticket(request, payload.ticket_number)
    if ticket is not None:
        from atiende.tickets import policies as ticket_policies
        if not ticket_policies.works_on(request.auth, ticket):
            raise ValidationFailed({"ticket_number": _("Choose a ticket you work on.")},
                                   code="invalid_ticket")
    article = services.article_create(
        actor=request.auth, department=department, language=payload.language,
        title=payload.title, body=payload.body, visibility=payload.visibility,
        category=payload.category_id, review_by=payload.review_by, ticket=ticket,
        channel=CHANNEL)
    return Status(201, _detail(request, article.pk))


@router.patch("/articles/{article_id}", response=ArticleDetailOut,
              summary="Change an article: its words in one language (a published version "
                      "gets a new draft), its visibility, category or review date")
def article_update(request: HttpRequest, article_id: int, payload: ArticleUpdate):
    changes = payload.changes()
    language = changes.pop("language", "es")
    words = {name: changes.pop(name) for name in ("title", "body") if name in changes}
    if "category_id" in changes:
        changes["category"] = changes.pop("category_id")
    if words:
        article = selectors.article_get(actor=request.auth, article_id=article_id)
        if not policies.works_on(request.auth, article):
            raise PermissionDenied(_("Only the department's staff change its articles."))
        latest = article.versions.filter(language=language).order_by("-number").first()
        services.article_edit(
            actor=request.auth, article_id=article_id, language=language,
            title=words.get("title", latest.title if latest else ""),
            body=words.get("body", latest.body if latest else ""),
            changes=changes, channel=CHANNEL)
    else:
        services.article_update(actor=request.auth, article_id=article_id, changes=changes,
                                channel=CHANNEL)
    return _detail(request, article_id)


def _transition(request: HttpRequest, article_id: int, payload: WorkflowIn, action: str):
    services.article_transition(actor=request.auth, article_id=article_id,
                                language=payload.language, action=action, channel=CHANNEL)
    return _detail(request, article_id)


@router.post("/articles/{article_id}/submit", response=ArticleDetailOut,
             summary="Send the draft in a language for review")
def article_submit(request: HttpRequest, article_id: int, payload: WorkflowIn):
    return _transition(request, article_id, payload, "submit")


@router.post("/articles/{article_id}/publish", response=ArticleDetailOut,
             summary="Publish the newest version in a language (the one before retires)")
def article_publish(request: HttpRequest, article_id: int, payload: WorkflowIn):
    return _transition(request, article_id, payload, "publish")


@router.post("/articles/{article_id}/retire", response=ArticleDetailOut,
             summary="Retire the published version in a language")
def article_retire(request: HttpRequest, article_id: int, payload: WorkflowIn):
    return _transition(request, article_id, payload, "retire")


@router.put("/articles/{article_id}/feedback", response=FeedbackOut,
            summary="Say whether a published article was useful (one answer per person)")
def article_feedback(request: HttpRequest, article_id: int, payload: FeedbackIn):
    return services.feedback_give(actor=request.auth, article_id=article_id,
                                  useful=payload.useful, comment=payload.comment,
                                  channel=CHANNEL)


# --- files ------------------------------------------------------------------------------

_BINARY = {
    "description": "The file, always as a download (`Content-Disposition: attachment`).",
    "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
}


class ArticleFileOut(Schema):
    id: int
    article_id: int
    file_name: str
    content_type: str
    size: int
    created_at: datetime
    download_url: str

    @staticmethod
    def resolve_download_url(attachment) -> str:
        return reverse("api:article_file_download",
                       kwargs={"article_id": attachment.article_id, "file_id": attachment.pk})


@router.get("/articles/{article_id}/files", response=list[ArticleFileOut],
            summary="The files of an article the caller may read")
def article_file_list(request: HttpRequest, article_id: int):
    article = selectors.article_get(actor=request.auth, article_id=article_id)
    return list(files.article_files(actor=request.auth, article=article))


@router.post("/articles/{article_id}/files", response={201: ArticleFileOut},
             summary="Attach a file to an article (multipart: file); its staff only")
def article_file_add(request: HttpRequest, article_id: int, file: File[UploadedFile]):
    return Status(201, files.article_file_add(actor=request.auth, article_id=article_id,
                                              uploaded_file=file, channel=CHANNEL))


@router.get("/articles/{article_id}/files/{file_id}", url_name="article_file_download",
            response={200: None}, openapi_extra={"responses": {"200": _BINARY}},
            summary="Download a file of an article")
def article_file_download(request: HttpRequest, article_id: int, file_id: int):
    attachment = files.article_file_get(actor=request.auth, article_id=article_id,
                                        file_id=file_id)
    return files.article_file_response(attachment)


@router.delete("/articles/{article_id}/files/{file_id}", response={204: None},
               summary="Remove a file of an article; its staff only")
def article_file_remove(request: HttpRequest, article_id: int, file_id: int):
    files.article_file_remove(actor=request.auth, article_id=article_id, file_id=file_id,
                              channel=CHANNEL)
    return Status(204, None)
