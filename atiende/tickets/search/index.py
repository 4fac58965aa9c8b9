"""Keeping the search documents in step with the tickets.

An outbox consumer reindexes a ticket whenever an event says its words changed
(created, title or description changed, a comment added, edited or deleted), so the
services know nothing of search. `atiende reindex` rebuilds every document, in
batches, for existing data and after bulk loads.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db import transaction
from django.utils import timezone

from atiende.core.database import refresh_statistics
from atiende.tickets import outbox
from atiende.tickets.models import (
    Comment,
    Event,
    EventKind,
    SearchDocument,
    Ticket,
    Visibility,
)
from atiende.tickets.search import backends
from atiende.tickets.search.text import plain_text

BATCH = 500
# Beyond this, a part of a document is cut: the index of one ticket stays well under
# PostgreSQL's 1 MB tsvector limit, whatever people paste into a ticket.
MAX_CHARACTERS = 100_000

_REINDEXING_KINDS = frozenset({EventKind.CREATED, EventKind.COMMENTED,
                               EventKind.COMMENT_EDITED, EventKind.COMMENT_DELETED})
_REINDEXING_FIELDS = frozenset({"title", "description"})
_DOCUMENT_FIELDS = ["title", "description", "comments", "internal", "indexed_at"]


def _joined(parts: list[str]) -> str:
    return "\n".join(parts)[:MAX_CHARACTERS]


def _documents(ticket_ids: list[int]) -> list[SearchDocument]:
    conversation: dict[int, dict[str, list[str]]] = {pk: {Visibility.PUBLIC: [],
                                                          Visibility.INTERNAL: []}
                                                     for pk in ticket_ids}
    comments = (Comment.objects.filter(ticket_id__in=ticket_ids, deleted_at__isnull=True)
                .order_by("ticket_id", "created_at", "id")
                .values_list("ticket_id", "visibility", "body"))
    for ticket_id, visibility, body in comments:
        conversation[ticket_id].setdefault(visibility, []).append(plain_text(body))
    now = timezone.now()
    return [
        SearchDocument(
            ticket_id=ticket_id, title=title,
            description=plain_text(description)[:MAX_CHARACTERS],
            comments=_joined(conversation[ticket_id][Visibility.PUBLIC]),
            internal=_joined(conversation[ticket_id][Visibility.INTERNAL]),
            indexed_at=now,
        )
        for ticket_id, title, description in Ticket.objects.filter(pk__in=ticket_ids)
        .order_by("pk").values_list("pk", "title", "description")
    ]


def index_tickets(ticket_ids: Iterable[int]) -> int:
    """Rebuild the search documents (and index rows) of these tickets from their
    current title, description and comments, in one transaction; return how many were
    written. Idempotent. Ids of tickets that no longer exist are skipped."""
    ids = sorted(set(ticket_ids))
    if not ids:
        return 0
    with transaction.atomic():
        documents = _documents(ids)
        SearchDocument.objects.bulk_create(
            documents, update_conflicts=True, unique_fields=["ticket"],
            update_fields=_DOCUMENT_FIELDS,
        )
        backends.write(documents)
    return len(documents)


def reindex_all(*, batch: int = BATCH,
                progress: Callable[[int], None] | None = None) -> int:
    """Rebuild every ticket's document, `batch` tickets per transaction (searches keep
    working meanwhile); return how many. `progress` hears the running total."""
    done, last = 0, 0
    while True:
        ids = list(Ticket.objects.filter(pk__gt=last).order_by("pk")
                   .values_list("pk", flat=True)[:batch])
        if not ids:
            break
        done += index_tickets(ids)
        last = ids[-1]
        if progress is not None:
            progress(done)
    with transaction.atomic():
        backends.forget_orphans()
    refresh_statistics()
    return done


@outbox.consumer("search")
def reindex_on_event(event: Event) -> None:
    """Reindex the event's ticket when the event changed words search looks at."""
    if event.kind in _REINDEXING_KINDS or (
        event.kind == EventKind.CHANGED and event.field in _REINDEXING_FIELDS
    ):
        index_tickets([event.ticket_id])
