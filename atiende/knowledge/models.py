"""The knowledge base: articles of a department, their versions per language, what
readers think of them and the tickets they helped with."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from atiende.core.models import Department, Organization


class ArticleVisibility(models.TextChoices):
    PUBLIC = "public", _("Public (portal)")  # requesters of the organizations served
    INTERNAL = "internal", _("Internal (agents)")  # staff of the department only


class Language(models.TextChoices):
    SPANISH = "es", _("Spanish")
    ENGLISH = "en", _("English")


class VersionState(models.TextChoices):
    DRAFT = "draft", _("Draft")  # being written; only staff see it
    REVIEW = "review", _("In review")  # waiting for someone to publish it
    PUBLISHED = "published", _("Published")  # what readers see, one per language
    RETIRED = "retired", _("Retired")  # no longer shown; kept for the history


# Which state a version may move to from which, and by which action.
TRANSITIONS = {
    "submit": ({VersionState.DRAFT}, VersionState.REVIEW),
    "publish": ({VersionState.DRAFT, VersionState.REVIEW}, VersionState.PUBLISHED),
    "retire": ({VersionState.PUBLISHED}, VersionState.RETIRED),
}


class KnowledgeCategory(models.Model):
    """A heading under which a department files its articles (flat per department)."""

    department = models.ForeignKey(Department, on_delete=models.CASCADE,
                                   related_name="knowledge_categories",
                                   verbose_name=_("department"))
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        verbose_name = _("knowledge category")
        verbose_name_plural = _("knowledge categories")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["department", "name"],
                                               name="knowledge_category_name")]

    def __str__(self) -> str:
        return self.name


class Article(models.Model):
    """One piece of knowledge of one department, in one or two languages. Its words
    live in its versions; `published_languages` says in which languages readers find a
    published version (kept by the services)."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT,
                                     related_name="articles", verbose_name=_("organization"))
    department = models.ForeignKey(Department, on_delete=models.PROTECT,
                                   related_name="articles", verbose_name=_("department"))
    category = models.ForeignKey(KnowledgeCategory, on_delete=models.SET_NULL, null=True,
                                 blank=True, related_name="articles",
                                 verbose_name=_("category"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              related_name="owned_articles", verbose_name=_("owner"))
    visibility = models.CharField(_("visibility"), max_length=10,
                                  choices=ArticleVisibility.choices,
                                  default=ArticleVisibility.INTERNAL)
    review_by = models.DateField(_("review by"), null=True, blank=True)
    is_published = models.BooleanField(_("published"), default=False)
    view_count = models.PositiveIntegerField(_("views"), default=0)
    useful_count = models.PositiveIntegerField(_("found useful"), default=0)
    not_useful_count = models.PositiveIntegerField(_("found not useful"), default=0)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["department", "visibility", "is_published"],
                                name="article_reading")]

    def __str__(self) -> str:
        return f"KB-{self.pk}"


class ArticleAttachment(models.Model):
    """A file of an article (a guide in PDF, a screenshot). Checked, stored and served
    as ticket attachments are (`atiende.knowledge.files`): an opaque name in the default
    storage, the given name sanitised, downloads only for who may read the article."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="attachments",
                                verbose_name=_("article"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, related_name="+", verbose_name=_("uploaded by"))
    file = models.FileField(_("file"), upload_to="knowledge/%Y/%m/", max_length=255)
    file_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("article file")
        verbose_name_plural = _("article files")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.file_name


class ArticleVersion(models.Model):
    """One wording of an article in one language. Readers see the published version
    of each language; editing a published article starts a new draft."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions",
                                verbose_name=_("article"))
    language = models.CharField(_("language"), max_length=2, choices=Language.choices,
                                default=Language.SPANISH)
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)  # sanitised HTML (text.clean_html)
    state = models.CharField(_("state"), max_length=10, choices=VersionState.choices,
                             default=VersionState.DRAFT)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                               related_name="+", verbose_name=_("author"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        verbose_name = _("article version")
        verbose_name_plural = _("article versions")
        ordering = ["article", "language", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "language", "number"],
                                    name="article_version_number"),
            models.UniqueConstraint(fields=["article", "language"],
                                    condition=Q(state="published"),
                                    name="one_published_version_per_language"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.language} v{self.number})"


class ArticleFeedback(models.Model):
    """What one person thought of an article: useful or not, and why (changeable)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="feedback",
                                verbose_name=_("article"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+", verbose_name=_("person"))
    useful = models.BooleanField(_("useful"))
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("article feedback")
        verbose_name_plural = _("article feedback")
        constraints = [models.UniqueConstraint(fields=["article", "user"],
                                               name="one_feedback_per_person")]

    def __str__(self) -> str:
        return f"{self.article} {self.user_id}"


class ArticleTicketLink(models.Model):
    """An article that helped with (or came from) a ticket."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="ticket_links",
                                verbose_name=_("article"))
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE,
                               related_name="article_links", verbose_name=_("ticket"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("article link")
        verbose_name_plural = _("article links")
        constraints = [models.UniqueConstraint(fields=["article", "ticket"],
                                               name="one_link_per_article_ticket")]

    def __str__(self) -> str:
        return f"{self.article} {self.ticket_id}"


ARTICLE_ACTIONS = {
    "created": _("Article created"),
    "edited": _("Article edited"),
    "submitted": _("Sent for review"),
    "published": _("Published"),
    "retired": _("Retired"),
    "linked": _("Linked to a ticket"),
    "file_added": _("File attached"),
    "file_removed": _("File removed"),
}


class ArticleEvent(models.Model):
    """The audit trail of an article: who did what to it, when (append-only, written
    by the services in the same transaction as the change)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="events",
                                verbose_name=_("article"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              related_name="+", verbose_name=_("who"))
    action = models.CharField(_("action"), max_length=20)
    language = models.CharField(_("language"), max_length=2, blank=True)
    version_number = models.PositiveIntegerField(_("version"), null=True, blank=True)
    channel = models.CharField(_("channel"), max_length=16, default="web")
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("article event")
        verbose_name_plural = _("article events")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.article} {self.action}"

    @property
    def action_label(self) -> str:
        return str(ARTICLE_ACTIONS.get(self.action, self.action))


class ArticleSearchDocument(models.Model):
    """What search reads of an article: `public` holds its published versions (what
    readers may find), `full` also its newest drafts (what staff may find)."""

    article = models.OneToOneField(Article, on_delete=models.CASCADE, primary_key=True,
                                   related_name="search_document")
    published_title = models.TextField(blank=True)
    published_text = models.TextField(blank=True)
    draft_title = models.TextField(blank=True)
    draft_text = models.TextField(blank=True)

    class Meta:
        verbose_name = _("article search document")
        verbose_name_plural = _("article search documents")

    def __str__(self) -> str:
        return str(self.article_id)
