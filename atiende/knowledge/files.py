"""Files of knowledge articles: attach, remove, list, download.

The rules are the ticket attachments' (`atiende.tickets.attachments`), used from there
and not written again: the size limit (ATTACHMENT_MAX_BYTES), the accepted types by
extension and by content (ATTACHMENT_TYPES), the sanitised name, the opaque storage
name, no stored file left behind by a transaction that does not commit, and the
download served as an attachment with a sandboxing Content-Security-Policy.

Who: the article's staff (`policies.works_on`) attach and remove; whoever may read the
article downloads its files, and nobody else (404: an internal article's file does not
exist for a requester).
"""

from __future__ import annotations

import uuid

from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import QuerySet
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from atiende.core.models import User
from atiende.errors import NotFound, PermissionDenied, ValidationFailed
from atiende.knowledge import policies, selectors
from atiende.knowledge.models import Article, ArticleAttachment, ArticleEvent
from atiende.tickets import attachments as ticket_files

MAX_FILES = 20  # per article: an article is read, not a file share


def _storage_name(now) -> str:
    """Opaque, and under a folder of its own, which the attachment sweep also covers
    (`apps.KnowledgeConfig.ready`): a file no ArticleAttachment names is removed."""
    return f"knowledge/{now:%Y}/{now:%m}/{uuid.uuid4().hex}"


def _staff_article(actor: User, article_id: int, *, for_update: bool = False) -> Article:
    article = selectors.article_get(actor=actor, article_id=article_id, for_update=for_update)
    if not policies.works_on(actor, article):
        raise PermissionDenied(_("Only the department's staff change its articles."))
    return article


def article_file_add(*, actor: User, article_id: int, uploaded_file: File | None,
                     channel: str = "web") -> ArticleAttachment:
    """Attach a file to the article. NotFound (article not visible), PermissionDenied
    (not its staff), ValidationFailed (`file`: missing, empty, too many), FileTooLarge
    (413), FileTypeRefused (415); all checked before anything is stored. Writes the row
    and one `file_added` article event in one transaction; the stored file goes again
    if that transaction does not commit."""
    _staff_article(actor, article_id)
    file_name, file_format, size = ticket_files.checked_file(uploaded_file)
    now = timezone.now()
    stored = default_storage.save(_storage_name(now), uploaded_file)
    try:
        with transaction.atomic():
            ticket_files.removed_unless_committed(stored)
            article = _staff_article(actor, article_id, for_update=True)
            if article.attachments.count() >= MAX_FILES:
                raise ValidationFailed({"file": _("An article holds at most %(count)d "
                                                  "files.") % {"count": MAX_FILES}},
                                       code="too_many_files")
            attachment = ArticleAttachment.objects.create(
                article=article, uploaded_by=actor, file=stored, file_name=file_name,
                content_type=file_format.content_type, size=size, created_at=now)
            ArticleEvent.objects.create(article=article, actor=actor, action="file_added",
                                        channel=channel)
    except BaseException:
        ticket_files.delete_stored(stored)
        raise
    return attachment


def article_file_remove(*, actor: User, article_id: int, file_id: int,
                        channel: str = "web") -> None:
    """Remove one file of the article (its staff only); the stored file is deleted
    after commit. NotFound for a file of another article or an article not visible."""
    with transaction.atomic():
        article = _staff_article(actor, article_id, for_update=True)
        attachment = article.attachments.filter(pk=file_id).first()
        if attachment is None:
            raise NotFound()
        stored = attachment.file.name
        attachment.delete()
        ArticleEvent.objects.create(article=article, actor=actor, action="file_removed",
                                    channel=channel)
        transaction.on_commit(lambda: ticket_files.delete_stored(stored))


def article_files(*, actor: User, article: Article) -> QuerySet[ArticleAttachment]:
    """The files of an article the actor can see (its readers see them all)."""
    return article.attachments.select_related("uploaded_by").order_by("id")


def article_file_get(*, actor: User, article_id: int, file_id: int) -> ArticleAttachment:
    """One file of an article the actor may read; NotFound otherwise (an internal or
    unpublished article's file for a requester, another organization's, a file of
    another article)."""
    article = selectors.article_get(actor=actor, article_id=article_id)
    attachment = article.attachments.filter(pk=file_id).first()
    if attachment is None:
        raise NotFound()
    return attachment


def article_file_response(attachment: ArticleAttachment) -> FileResponse:
    """The file, streamed as a download, as ticket attachments are served."""
    return ticket_files.attachment_response(attachment)
