"""Every read of the knowledge base, starting from `policies.visible_articles`: an
article the actor may not see is a 404 on every path."""

from __future__ import annotations

from django.db.models import Case, Count, OuterRef, QuerySet, Subquery, When

from atiende.core.models import Department, User
from atiende.core.scoping import scope_of
from atiende.errors import NotFound
from atiende.knowledge import policies
from atiende.knowledge.models import (
    Article,
    ArticleFeedback,
    ArticleVersion,
    KnowledgeCategory,
    VersionState,
)


def _shown_title() -> Subquery:
    """The title a list shows: the published one (Spanish first), else the newest."""
    return Subquery(ArticleVersion.objects.filter(article=OuterRef("pk")).order_by(
        Case(When(state=VersionState.PUBLISHED, then=0), default=1), "-language", "-number")
        .values("title")[:1])


def article_list(*, actor: User, department_id: int | None = None,
                 visibility: str | None = None) -> QuerySet[Article]:
    """The articles the actor may see, each with `shown_title`."""
    articles = (Article.objects.filter(policies.visible_articles(actor))
                .select_related("department", "organization", "category", "owner")
                .annotate(shown_title=_shown_title()))
    if department_id is not None:
        articles = articles.filter(department_id=department_id)
    if visibility:
        articles = articles.filter(visibility=visibility)
    return articles


def article_get(*, actor: User, article_id: int, for_update: bool = False) -> Article:
    """The article when the actor may see it; `NotFound` otherwise (missing or not
    visible look alike). With `for_update`, the row is locked (inside a transaction)."""
    articles = Article.objects.filter(policies.visible_articles(actor))
    if for_update:
        articles = articles.select_for_update(of=("self",))
    article = articles.select_related("department", "organization", "category",
                                      "owner").filter(pk=article_id).first()
    if article is None:
        raise NotFound()
    return article


def readable_versions(*, actor: User, article: Article) -> list[ArticleVersion]:
    """The versions the actor may read: every one for staff (newest first), the
    published ones for everyone else."""
    versions = article.versions.select_related("author").order_by("language", "-number")
    if not policies.works_on(actor, article):
        versions = versions.filter(state=VersionState.PUBLISHED)
    return list(versions)


def current_versions(versions: list[ArticleVersion], *, staff: bool) -> dict[str, ArticleVersion]:
    """Per language, what a reader sees: the published version; for staff, the newest
    version when none is published."""
    current: dict[str, ArticleVersion] = {}
    for version in versions:  # newest first within a language
        chosen = current.get(version.language)
        if version.state == VersionState.PUBLISHED or (staff and chosen is None):
            current[version.language] = version
    return current


def titles(article_ids: list[int], *, language: str) -> dict[int, str]:
    """The title readers see for each article: the published one in `language`, else
    the published one in another language, else the newest."""
    found: dict[int, tuple[int, str]] = {}
    rows = (ArticleVersion.objects.filter(article_id__in=article_ids)
            .order_by("-number").values_list("article_id", "language", "state", "title"))
    for article_id, version_language, state, title in rows:
        rank = (2 if state == VersionState.PUBLISHED else 0) + (version_language == language)
        if article_id not in found or rank > found[article_id][0]:
            found[article_id] = (rank, title)
    return {article_id: title for article_id, (_rank, title) in found.items()}


def own_feedback(*, actor: User, article: Article) -> ArticleFeedback | None:
    return ArticleFeedback.objects.filter(article=article, user_id=actor.pk).first()


def writable_departments(actor: User) -> QuerySet[Department]:
    """Departments where the actor may write articles."""
    scope = scope_of(actor)
    departments = Department.objects.filter(is_active=True).select_related("organization")
    if scope.everything:
        return departments
    return departments.filter(pk__in=sorted(scope.staff_department_ids)) | departments.filter(
        organization__in=sorted(scope.administered_organizations))


def categories(*, department: Department) -> QuerySet[KnowledgeCategory]:
    return KnowledgeCategory.objects.filter(department=department)


def organization_categories(*, organization) -> QuerySet[KnowledgeCategory]:
    """The knowledge categories of an organization's departments, with how many articles
    each files (one query). For its admin pages: the caller checked administration."""
    return (KnowledgeCategory.objects.filter(department__organization=organization)
            .select_related("department").annotate(article_count=Count("articles"))
            .order_by("department__name", "name"))
