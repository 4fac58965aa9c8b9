"""Knowledge search: the same accent-insensitive Spanish search as tickets
(`atiende.tickets.search`), over articles.

- PostgreSQL: `knowledge_articlesearchdocument` gains generated tsvector columns
  `public_vector` (published title A, published text B) and `full_vector` (the same
  plus the newest drafts), each with a GIN index, through the tickets' immutable
  `atiende_search_text()` and the `spanish` configuration.
- SQLite: an FTS5 table `knowledge_search_fts` (rowid = article id) of the terms
  `tickets.search.text.terms` makes (unaccented, stemmed with Snowball in Python).

Staff match an article they work on on its whole text; every other reader only on its
published text, and snippets are cut from the text the actor matched on.
SQL is assembled from constants and ORM-compiled SQL; values are parameters.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import Q

from atiende.core.models import User
from atiende.knowledge import policies
from atiende.knowledge.models import (
    Article,
    ArticleSearchDocument,
    ArticleVersion,
    VersionState,
)
from atiende.tickets.search import text

FTS_TABLE = "knowledge_search_fts"
DOCUMENT_TABLE = "knowledge_articlesearchdocument"
MAX_QUERY = 500
MAX_TERMS = 32
MAX_CHARACTERS = 100_000
_PARTS = ("published_title", "published_text", "draft_title", "draft_text")
_VECTOR = ("setweight(to_tsvector('pg_catalog.spanish'::regconfig, "
           "atiende_search_text({column})), '{weight}')")


def _vector(*parts: tuple[str, str]) -> str:
    return " || ".join(_VECTOR.format(column=column, weight=weight) for column, weight in parts)


def install(schema_editor) -> None:
    execute = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        public = _vector(("published_title", "A"), ("published_text", "B"))
        full = _vector(("published_title", "A"), ("draft_title", "A"),
                       ("published_text", "B"), ("draft_text", "B"))
        execute(f"ALTER TABLE {DOCUMENT_TABLE} "
                f"ADD COLUMN public_vector tsvector GENERATED ALWAYS AS ({public}) STORED, "
                f"ADD COLUMN full_vector tsvector GENERATED ALWAYS AS ({full}) STORED")
        execute(f"CREATE INDEX knowledge_search_public ON {DOCUMENT_TABLE} "
                "USING gin (public_vector)")
        execute(f"CREATE INDEX knowledge_search_full ON {DOCUMENT_TABLE} USING gin (full_vector)")
    else:
        execute(f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5({', '.join(_PARTS)}, "
                "tokenize = 'unicode61 remove_diacritics 2')")
        execute(f"CREATE TRIGGER knowledge_search_fts_forget AFTER DELETE ON {DOCUMENT_TABLE} "  # noqa: S608
                f"BEGIN DELETE FROM {FTS_TABLE} WHERE rowid = OLD.article_id; END")


def remove(schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {DOCUMENT_TABLE} DROP COLUMN IF EXISTS "
                              "public_vector, DROP COLUMN IF EXISTS full_vector")
    else:
        schema_editor.execute("DROP TRIGGER IF EXISTS knowledge_search_fts_forget")
        schema_editor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")


# --- indexing ---------------------------------------------------------------------------


def _documents(article_ids: list[int]) -> list[ArticleSearchDocument]:
    parts = {pk: {name: [] for name in _PARTS}
             for pk in article_ids}
    newest: set[tuple[int, str]] = set()
    rows = (ArticleVersion.objects.filter(article_id__in=article_ids)
            .order_by("article_id", "language", "-number")
            .values_list("article_id", "language", "state", "title", "body"))
    for article_id, language, state, title, body in rows:
        words = text.plain_text(body)
        if state == VersionState.PUBLISHED:
            parts[article_id]["published_title"].append(title)
            parts[article_id]["published_text"].append(words)
        elif (article_id, language) not in newest and state != VersionState.RETIRED:
            parts[article_id]["draft_title"].append(title)
            parts[article_id]["draft_text"].append(words)
        newest.add((article_id, language))
    return [ArticleSearchDocument(article_id=pk, **{name: "\n".join(values)[:MAX_CHARACTERS]
                                                    for name, values in parts[pk].items()})
            for pk in Article.objects.filter(pk__in=article_ids).values_list("pk", flat=True)]


def index_articles(article_ids: Iterable[int]) -> int:
    """Rebuild the search documents of these articles from their versions; idempotent."""
    ids = sorted(set(article_ids))
    if not ids:
        return 0
    with transaction.atomic():
        documents = _documents(ids)
        ArticleSearchDocument.objects.bulk_create(
            documents, update_conflicts=True, unique_fields=["article"],
            update_fields=list(_PARTS))
        if connection.vendor == "sqlite" and documents:
            with connection.cursor() as cursor:
                marks = ", ".join(["%s"] * len(documents))
                cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({marks})",  # noqa: S608
                               [document.article_id for document in documents])
                cursor.executemany(
                    f"INSERT INTO {FTS_TABLE} (rowid, {', '.join(_PARTS)}) "  # noqa: S608
                    "VALUES (%s, %s, %s, %s, %s)",
                    [(document.article_id, *(" ".join(text.terms(getattr(document, name)))
                                             for name in _PARTS))
                     for document in documents])
    return len(documents)


def reindex_all(*, batch: int = 500) -> int:
    done, last = 0, 0
    while True:
        ids = list(Article.objects.filter(pk__gt=last).order_by("pk")
                   .values_list("pk", flat=True)[:batch])
        if not ids:
            return done
        done += index_articles(ids)
        last = ids[-1]


# --- searching --------------------------------------------------------------------------


def _match(query: str, terms: list[str], full: bool, scoped: tuple[str, list],
           any_word: bool) -> tuple[str, list]:
    if connection.vendor == "postgresql":
        tsquery = "plainto_tsquery('pg_catalog.spanish'::regconfig, atiende_search_text(%s))"
        if any_word:
            # plainto_tsquery joins quoted lexemes with "&": one of them is enough.
            tsquery = f"replace({tsquery}::text, ' & ', ' | ')::tsquery"
        vector = "full_vector" if full else "public_vector"
        return (f"SELECT article_id, ts_rank({vector}, {tsquery}) AS score "  # noqa: S608
                f"FROM {DOCUMENT_TABLE} WHERE {vector} @@ {tsquery} "
                f"AND article_id IN ({scoped[0]})", [query, query, *scoped[1]])
    joiner = " OR " if any_word else " AND "
    expression = joiner.join('"' + term.replace('"', '""') + '"' for term in terms)
    if not full:
        expression = "{published_title published_text} : (" + expression + ")"
    weights = "10.0, 4.0, 10.0, 4.0" if full else "10.0, 4.0, 0.0, 0.0"
    return (f"SELECT rowid AS article_id, -bm25({FTS_TABLE}, {weights}) AS score "  # noqa: S608
            f"FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s AND +rowid IN ({scoped[0]})",
            [expression, *scoped[1]])


def _scoped(queryset) -> tuple[str, list] | None:
    """SQL selecting the ids of `queryset` (None when it cannot match anything). The
    knowledge scope is a few indexed columns (department, organization, visibility),
    which both databases estimate well: it stays a subquery, no ids are read first."""
    try:
        return queryset.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:
        return None


@dataclass
class Hit:
    article: Article
    score: float
    snippet: str  # HTML: every character escaped, found words in <mark>


def search_articles(*, actor: User, query: str, limit: int = 20, offset: int = 0,
                    base=None, any_word: bool = False) -> list[Hit]:
    """The articles `actor` may see (within `base`, a queryset of `Article`, when
    given) that hold every word of `query` (with `any_word`, one of them: for
    suggestions from a sentence), best first. Any text is a valid query; an empty one
    finds nothing."""
    query = (query or "")[:MAX_QUERY]
    terms = list(dict.fromkeys(text.terms(query)))[:MAX_TERMS]
    if not terms:
        return []
    visible = (base if base is not None else Article.objects.all()).filter(
        policies.visible_articles(actor))
    staff = policies.staff_articles(actor)
    scopes = [(True, visible.filter(staff))]
    if staff != Q():
        scopes.append((False, visible.exclude(staff).filter(policies.readable_articles(actor))))
    branches = []
    for full, queryset in scopes:
        scoped = _scoped(queryset)
        if scoped is not None:
            branches.append(_match(query, terms, full, scoped, any_word))
    if not branches:
        return []
    sql = " UNION ALL ".join(branch for branch, _params in branches)
    params = [param for _branch, branch_params in branches for param in branch_params]
    with connection.cursor() as cursor:
        cursor.execute(f"WITH hits (article_id, score) AS MATERIALIZED ({sql}) "  # noqa: S608
                       "SELECT article_id, MAX(score) AS best FROM hits GROUP BY article_id "
                       "ORDER BY best DESC, article_id DESC LIMIT %s OFFSET %s",
                       [*params, max(0, min(limit, 100)), max(0, offset)])
        ranked = cursor.fetchall()
    ids = [article_id for article_id, _score in ranked]
    articles = {article.pk: article for article in Article.objects.filter(pk__in=ids)
                .select_related("department", "organization", "category")}
    documents = {document.article_id: document
                 for document in ArticleSearchDocument.objects.filter(article_id__in=ids)}
    wanted = set(terms)
    hits = []
    for article_id, score in ranked:
        article, document = articles.get(article_id), documents.get(article_id)
        if article is None:
            continue
        # One text per version (joined by newlines when indexed): a snippet never runs
        # from one language into another.
        texts = document.published_text.split("\n") if document else []
        if document and policies.works_on(actor, article):
            texts = [*document.draft_text.split("\n"), *texts]
        hits.append(Hit(article=article, score=float(score), snippet=text.snippet(texts, wanted)))
    return hits
