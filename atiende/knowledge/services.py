"""Every change to the knowledge base. Each service checks permission first, runs in
one transaction with the article locked, writes an `ArticleEvent` (the audit trail:
who created, edited, sent for review, published or retired what, when) and reindexes
the article after commit.

Errors: `NotFound` (the article is not visible), `PermissionDenied` (visible but not
the actor's to change), `ValidationFailed` (with one message per field), `Conflict`
(the workflow does not allow the step).
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from atiende import validation
from atiende.core.models import Department, User
from atiende.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from atiende.knowledge import policies, selectors
from atiende.knowledge.models import (
    TRANSITIONS,
    Article,
    ArticleEvent,
    ArticleFeedback,
    ArticleTicketLink,
    ArticleVersion,
    ArticleVisibility,
    KnowledgeCategory,
    Language,
    VersionState,
)
from atiende.tickets.text import clean_html

MAX_TITLE = 200
MAX_BODY = 200_000
MAX_COMMENT = 2000


def _reindex_later(article_id: int) -> None:
    from atiende.knowledge.search import index_articles

    transaction.on_commit(lambda: index_articles([article_id]))


def _event(article: Article, actor: User, action: str, *, version: ArticleVersion | None = None,
           channel: str = "web") -> ArticleEvent:
    return ArticleEvent.objects.create(
        article=article, actor=actor, action=action, channel=channel,
        language=version.language if version else "",
        version_number=version.number if version else None)


def _words(title, body) -> tuple[str, str]:
    title = validation.text(title, "title", max_length=MAX_TITLE)
    body = clean_html(validation.text(body, "body", max_length=MAX_BODY, required=False))
    return title, body


def _category(value, department: Department) -> KnowledgeCategory | None:
    if value in (None, ""):
        return None
    category = KnowledgeCategory.objects.filter(pk=getattr(value, "pk", value),
                                                department=department).first()
    if category is None:
        raise ValidationFailed({"category": _("Choose a category of the article's department.")},
                               code="invalid_category")
    return category


def _review_by(value) -> datetime.date | None:
    if value in (None, ""):
        return None
    if not isinstance(value, datetime.date):
        raise ValidationFailed({"review_by": _("Enter a valid date.")}, code="invalid_date")
    return value


def article_create(*, actor: User, department: Department, title: str, body: str,
                   language: str = Language.SPANISH, visibility: str = ArticleVisibility.INTERNAL,
                   category=None, review_by: datetime.date | None = None,
                   ticket=None, channel: str = "web") -> Article:
    """A new article of `department` with its first version (a draft) in `language`,
    owned by its author; linked to `ticket` when given (a resolution turned into
    knowledge). Writes the events "created" (and "linked")."""
    if department is None or not policies.can_write_in(actor, department):
        raise PermissionDenied(_("You cannot write articles for this department."))
    title, body = _words(title, body)
    validation.choice(language, "language", Language.values)
    validation.choice(visibility, "visibility", ArticleVisibility.values)
    with transaction.atomic():
        article = Article.objects.create(
            organization_id=department.organization_id, department=department,
            category=_category(category, department), owner=actor,
            visibility=visibility, review_by=_review_by(review_by))
        version = ArticleVersion.objects.create(article=article, language=language, number=1,
                                                title=title, body=body, author=actor)
        _event(article, actor, "created", version=version, channel=channel)
        if ticket is not None:
            _link(article, ticket, actor, channel)
        _reindex_later(article.pk)
    return article


def _locked(actor: User, article_id: int) -> Article:
    article = selectors.article_get(actor=actor, article_id=article_id, for_update=True)
    if not policies.works_on(actor, article):
        raise PermissionDenied(_("Only the department's staff change its articles."))
    return article


def _latest(article: Article, language: str) -> ArticleVersion | None:
    return article.versions.filter(language=language).order_by("-number").first()


def article_edit(*, actor: User, article_id: int, language: str, title: str, body: str,
                 changes: dict | None = None, channel: str = "web") -> ArticleVersion:
    """New words for the article in `language`. A draft or a version in review is
    rewritten (and goes back to draft); otherwise (published, retired, or a language the
    article lacks) a new draft version starts, so readers keep the published words
    until it is published; the same words again start nothing. `changes` may also set
    what `article_update` sets, in the same transaction. Writes the event "edited"."""
    validation.choice(language, "language", Language.values)
    title, body = _words(title, body)
    with transaction.atomic():
        article = _locked(actor, article_id)
        latest = _latest(article, language)
        if latest is not None and (latest.title, latest.body) == (title, body):
            version = latest  # the same words: no new draft (only `changes`, if any)
        elif latest is not None and latest.state in (VersionState.DRAFT, VersionState.REVIEW):
            latest.title, latest.body, latest.state = title, body, VersionState.DRAFT
            latest.author = actor
            latest.save(update_fields=["title", "body", "state", "author"])
            version = latest
        else:
            version = ArticleVersion.objects.create(
                article=article, language=language, title=title, body=body, author=actor,
                number=(latest.number + 1) if latest else 1)
        fields = _apply(article, changes or {})
        article.updated_at = timezone.now()
        article.save(update_fields=[*fields, "updated_at"])
        _event(article, actor, "edited", version=version, channel=channel)
        _reindex_later(article.pk)
    return version


def _apply(article: Article, changes: dict) -> list[str]:
    """Set what `changes` says about the article (visibility, category, review date,
    owner), validated; return the fields changed."""
    fields = []
    if "visibility" in changes:
        article.visibility = validation.choice(changes["visibility"], "visibility",
                                               ArticleVisibility.values)
        fields.append("visibility")
    if "category" in changes:
        article.category = _category(changes["category"], article.department)
        fields.append("category")
    if "review_by" in changes:
        article.review_by = _review_by(changes["review_by"])
        fields.append("review_by")
    if "owner" in changes:
        owner = changes["owner"]
        if owner is None or not policies.can_write_in(owner, article.department):
            raise ValidationFailed({"owner": _("The owner must work in the article's "
                                               "department.")}, code="invalid_owner")
        article.owner = owner
        fields.append("owner")
    return fields


def article_update(*, actor: User, article_id: int, changes: dict,
                   channel: str = "web") -> Article:
    """Change what is said about the article (visibility, category, review date,
    owner). Writes the event "edited" when something changed."""
    with transaction.atomic():
        article = _locked(actor, article_id)
        fields = _apply(article, changes)
        if fields:
            article.updated_at = timezone.now()
            article.save(update_fields=[*fields, "updated_at"])
            _event(article, actor, "edited", channel=channel)
            _reindex_later(article.pk)
    return article


_ACTION_EVENTS = {"submit": "submitted", "publish": "published", "retire": "retired"}


def article_transition(*, actor: User, article_id: int, language: str, action: str,
                       channel: str = "web") -> ArticleVersion:
    """Move the article's version in `language` one step: "submit" (draft -> review),
    "publish" (draft or review -> published; the version published before retires) or
    "retire" (published -> retired). Writes one event with who and when."""
    validation.choice(language, "language", Language.values)
    validation.choice(action, "action", TRANSITIONS)
    allowed, target = TRANSITIONS[action]
    with transaction.atomic():
        article = _locked(actor, article_id)
        if action == "retire":
            version = article.versions.filter(language=language,
                                              state=VersionState.PUBLISHED).first()
        else:
            version = _latest(article, language)
        if version is None or version.state not in allowed:
            raise Conflict(_("This version cannot go from “%(state)s” to “%(target)s”.")
                           % {"state": version.get_state_display() if version else "—",
                              "target": target.label}, code="invalid_transition")
        now = timezone.now()
        if target == VersionState.PUBLISHED:
            article.versions.filter(language=language, state=VersionState.PUBLISHED).update(
                state=VersionState.RETIRED)
            version.published_at = now
        version.state = target
        version.save(update_fields=["state", "published_at"])
        article.is_published = article.versions.filter(state=VersionState.PUBLISHED).exists()
        article.updated_at = now
        article.save(update_fields=["is_published", "updated_at"])
        _event(article, actor, _ACTION_EVENTS[action], version=version, channel=channel)
        _reindex_later(article.pk)
    return version


def article_viewed(*, actor: User, article: Article) -> None:
    """Count one reading (not the staff's own work on it)."""
    if article.is_published:
        Article.objects.filter(pk=article.pk).update(view_count=F("view_count") + 1)
        article.view_count += 1


def feedback_give(*, actor: User, article_id: int, useful: bool, comment: str = "",
                  channel: str = "web") -> ArticleFeedback:
    """The actor's opinion of a published article they may see (one per person,
    changeable); the article's counters are recounted in the same transaction."""
    if not isinstance(useful, bool):
        raise ValidationFailed({"useful": _("Say whether the article was useful.")},
                               code="required")
    comment = validation.text(comment, "comment", max_length=MAX_COMMENT, required=False)
    with transaction.atomic():
        article = selectors.article_get(actor=actor, article_id=article_id, for_update=True)
        if not article.is_published:
            raise Conflict(_("Only published articles take feedback."), code="not_published")
        feedback, _created = ArticleFeedback.objects.update_or_create(
            article=article, user=actor,
            defaults={"useful": useful, "comment": comment, "updated_at": timezone.now()})
        counts = ArticleFeedback.objects.filter(article=article).aggregate(
            yes=Count("pk", filter=Q(useful=True)), no=Count("pk", filter=Q(useful=False)))
        article.useful_count, article.not_useful_count = counts["yes"], counts["no"]
        article.save(update_fields=["useful_count", "not_useful_count"])
    return feedback


def _link(article: Article, ticket, actor: User, channel: str) -> ArticleTicketLink:
    link, created = ArticleTicketLink.objects.get_or_create(
        article=article, ticket=ticket, defaults={"created_by": actor})
    if created:
        _event(article, actor, "linked", channel=channel)
    return link


def article_link_ticket(*, actor: User, article_id: int, ticket, channel: str = "web"
                        ) -> ArticleTicketLink:
    """Link an article the actor works on to a ticket the actor works on."""
    from atiende.tickets import policies as ticket_policies

    if ticket is None or not ticket_policies.works_on(actor, ticket):
        raise NotFound()
    with transaction.atomic():
        article = selectors.article_get(actor=actor, article_id=article_id, for_update=True)
        return _link(article, ticket, actor, channel)



# --- categories (an organization's admins) ----------------------------------------------

MAX_CATEGORY_NAME = 120


def _administered(actor: User, organization) -> None:
    from atiende.core import policies as core_policies

    if not core_policies.can_administer(actor, organization):
        raise NotFound()


def _category_name(name, department: Department, *, except_id: int | None = None) -> str:
    name = validation.text(name, "name", max_length=MAX_CATEGORY_NAME)
    taken = KnowledgeCategory.objects.filter(department=department, name__iexact=name)
    if except_id is not None:
        taken = taken.exclude(pk=except_id)
    if taken.exists():
        raise ValidationFailed({"name": _("%(department)s already has a category with this "
                                          "name.") % {"department": department.name}},
                               code="duplicate_name")
    return name


def _organization_category(organization, category_id) -> KnowledgeCategory:
    category = (KnowledgeCategory.objects.select_for_update()
                .filter(pk=category_id, department__organization=organization).first())
    if category is None:
        raise NotFound()
    return category


def category_create(*, actor: User, organization, department_id, name: str,
                    channel: str = "web") -> KnowledgeCategory:
    """A knowledge category of one of the organization's departments. Its admins only
    (NotFound for anyone else); ValidationFailed (`department`, `name`: missing, too
    long, taken in that department). One audit event."""
    from atiende.core import services as core_services

    _administered(actor, organization)
    department = Department.objects.filter(pk=department_id if str(department_id).isdigit()
                                           else None, organization=organization).first()
    if department is None:
        raise ValidationFailed({"department": _("Choose one of the organization's "
                                                "departments.")}, code="invalid_department")
    with transaction.atomic():
        category = KnowledgeCategory.objects.create(
            department=department, name=_category_name(name, department))
        core_services.audit(actor=actor, organization_id=organization.pk,
                             action="knowledge_category.created", target=category,
                             changes={"department": department.name, "name": category.name},
                             channel=channel)
    return category


def category_rename(*, actor: User, organization, category_id, name: str,
                    channel: str = "web") -> KnowledgeCategory:
    """Rename a category of the organization (same rules as `category_create`)."""
    from atiende.core import services as core_services

    _administered(actor, organization)
    with transaction.atomic():
        category = _organization_category(organization, category_id)
        old = category.name
        category.name = _category_name(name, category.department, except_id=category.pk)
        category.save(update_fields=["name"])
        core_services.audit(actor=actor, organization_id=organization.pk,
                             action="knowledge_category.renamed", target=category,
                             changes={"name": [old, category.name]}, channel=channel)
    return category


def category_delete(*, actor: User, organization, category_id, channel: str = "web") -> None:
    """Delete a category no article is filed under; Conflict (`category_in_use`) while
    articles are (they keep their place until moved)."""
    from atiende.core import services as core_services

    _administered(actor, organization)
    with transaction.atomic():
        category = _organization_category(organization, category_id)
        in_use = category.articles.count()
        if in_use:
            raise Conflict(_("%(count)d articles are filed under “%(name)s”; move them to "
                             "another category first.") % {"count": in_use,
                                                           "name": category.name},
                           code="category_in_use")
        core_services.audit(actor=actor, organization_id=organization.pk,
                             action="knowledge_category.deleted", target=category,
                             changes={"name": category.name}, channel=channel)
        category.delete()
