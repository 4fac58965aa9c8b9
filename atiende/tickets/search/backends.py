"""The full-text index on each database, behind one small interface.

- PostgreSQL: `tickets_searchdocument` gains two generated tsvector columns,
  `public_vector` (title A, description B, public replies C) and `full_vector` (the
  same plus internal notes C), each with a GIN index. Text goes through
  `atiende_search_text()`, an immutable wrapper of `unaccent` (see `text.fold`), then
  the built-in `spanish` configuration.
- SQLite: an FTS5 table `tickets_search_fts` (rowid = ticket id) holds the terms of
  `text.terms` (unaccented, stemmed in Python), one column per part of the document.

A branch (`match`) selects `(ticket_id, score)` of the documents that match, higher
scores first, among the ticket ids of a scoped subquery; the public branch never
looks at internal notes, not even to rank.

SQL here is assembled from constants and from SQL the ORM compiled; every value is a
parameter (hence the `noqa: S608`).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection

from atiende.tickets.search import text

FTS_TABLE = "tickets_search_fts"
DOCUMENT_TABLE = "tickets_searchdocument"
# Title above description above comments; bm25 weights per FTS5 column.
SQLITE_WEIGHTS = {"title": 10.0, "description": 4.0, "comments": 2.0, "internal": 2.0}
PUBLIC_COLUMNS = ("title", "description", "comments")

_POSTGRES_VECTOR = (
    "setweight(to_tsvector('pg_catalog.spanish'::regconfig, atiende_search_text({column})), "
    "'{weight}')"
)


def _vector(*parts: tuple[str, str]) -> str:
    return " || ".join(_POSTGRES_VECTOR.format(column=column, weight=weight)
                       for column, weight in parts)


_PUBLIC_PARTS = (("title", "A"), ("description", "B"), ("comments", "C"))


def postgres_install(schema_editor) -> None:
    execute = schema_editor.execute
    execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT n.nspname FROM pg_extension e JOIN pg_namespace n "
                       "ON n.oid = e.extnamespace WHERE e.extname = 'unaccent'")
        schema = cursor.fetchone()[0]
    # Immutable (the dictionary is named, not looked up), so generated columns and
    # indexes may use it. Keep it in step with `text.fold`.
    execute(f"""
        CREATE OR REPLACE FUNCTION atiende_search_text(text) RETURNS text
        LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
            SELECT regexp_replace(
                lower("{schema}".unaccent('"{schema}".unaccent'::regdictionary, $1)),
                'ion(?![[:alnum:]])', 'iones', 'g')
        $$""")
    execute(f"""
        ALTER TABLE {DOCUMENT_TABLE}
        ADD COLUMN public_vector tsvector GENERATED ALWAYS AS ({_vector(*_PUBLIC_PARTS)}) STORED,
        ADD COLUMN full_vector tsvector GENERATED ALWAYS AS (
            {_vector(*_PUBLIC_PARTS, ("internal", "C"))}) STORED""")
    execute(f"CREATE INDEX tickets_search_public ON {DOCUMENT_TABLE} USING gin (public_vector)")
    execute(f"CREATE INDEX tickets_search_full ON {DOCUMENT_TABLE} USING gin (full_vector)")


def postgres_remove(schema_editor) -> None:
    schema_editor.execute(f"ALTER TABLE {DOCUMENT_TABLE} DROP COLUMN IF EXISTS public_vector, "
                          "DROP COLUMN IF EXISTS full_vector")
    schema_editor.execute("DROP FUNCTION IF EXISTS atiende_search_text(text)")


def sqlite_install(schema_editor) -> None:
    schema_editor.execute(
        f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(title, description, comments, internal, "
        "tokenize = 'unicode61 remove_diacritics 2')")
    # A ticket's document goes (its ticket was deleted): so do its terms. A migration
    # that remakes the document table must create this trigger again.
    schema_editor.execute(
        f"CREATE TRIGGER tickets_search_fts_forget AFTER DELETE ON {DOCUMENT_TABLE} "  # noqa: S608
        f"BEGIN DELETE FROM {FTS_TABLE} WHERE rowid = OLD.ticket_id; END")


def sqlite_remove(schema_editor) -> None:
    schema_editor.execute("DROP TRIGGER IF EXISTS tickets_search_fts_forget")
    schema_editor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")


def install(schema_editor) -> None:
    {"postgresql": postgres_install, "sqlite": sqlite_install}[schema_editor.connection.vendor](
        schema_editor)


def remove(schema_editor) -> None:
    {"postgresql": postgres_remove, "sqlite": sqlite_remove}[schema_editor.connection.vendor](
        schema_editor)


# --- writing ----------------------------------------------------------------------------


def write(documents: Sequence) -> None:
    """Bring the index in line with `documents` (already saved). PostgreSQL computes
    its vectors itself; SQLite's FTS5 rows are replaced here."""
    if connection.vendor != "sqlite" or not documents:
        return
    with connection.cursor() as cursor:
        ids = [document.ticket_id for document in documents]
        marks = ", ".join(["%s"] * len(ids))
        cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({marks})", ids)  # noqa: S608
        cursor.executemany(
            f"INSERT INTO {FTS_TABLE} (rowid, title, description, comments, internal) "  # noqa: S608
            "VALUES (%s, %s, %s, %s, %s)",
            [(document.ticket_id, *(" ".join(text.terms(getattr(document, column)))
                                    for column in SQLITE_WEIGHTS))
             for document in documents],
        )


def forget_orphans() -> int:
    """Drop index rows whose document is gone; return how many."""
    if connection.vendor != "sqlite":
        return 0
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid NOT IN "  # noqa: S608
                       f"(SELECT ticket_id FROM {DOCUMENT_TABLE})")
        return cursor.rowcount


# --- matching ---------------------------------------------------------------------------


def match(*, query: str, terms: Sequence[str], internal: bool, scoped_sql: str,
          scoped_params: Sequence) -> tuple[str, list]:
    """SQL selecting `(ticket_id, score)` of the documents that contain every term,
    among the ids `scoped_sql` selects; with `internal`, internal notes count too."""
    if connection.vendor == "postgresql":
        return _postgres_match(query, internal, scoped_sql, scoped_params)
    return _sqlite_match(terms, internal, scoped_sql, scoped_params)


def _postgres_match(query: str, internal: bool, scoped_sql: str,
                    scoped_params: Sequence) -> tuple[str, list]:
    # plainto_tsquery reads any text as plain words (no operators), so user input
    # cannot change the query's shape; it parses the text as to_tsvector does.
    tsquery = "plainto_tsquery('pg_catalog.spanish'::regconfig, atiende_search_text(%s))"
    vector = "full_vector" if internal else "public_vector"
    sql = (f"SELECT ticket_id, ts_rank({vector}, {tsquery}) AS score FROM {DOCUMENT_TABLE} "  # noqa: S608
           f"WHERE {vector} @@ {tsquery} AND ticket_id IN ({scoped_sql})")
    return sql, [query, query, *scoped_params]


def _sqlite_match(terms: Sequence[str], internal: bool, scoped_sql: str,
                  scoped_params: Sequence) -> tuple[str, list]:
    # Every term is a quoted FTS5 string (terms hold letters and digits only, and a
    # quote would be doubled anyway): user input never reaches FTS5's query syntax.
    expression = " AND ".join('"' + term.replace('"', '""') + '"' for term in terms)
    if not internal:
        expression = "{" + " ".join(PUBLIC_COLUMNS) + "} : (" + expression + ")"
    weights = ", ".join(str(weight if internal or column != "internal" else 0.0)
                        for column, weight in SQLITE_WEIGHTS.items())
    # `+rowid`: the scoped ids filter the matches; they must not drive the FTS5 lookup
    # (one full-text query per visible ticket).
    sql = (f"SELECT rowid AS ticket_id, -bm25({FTS_TABLE}, {weights}) AS score "  # noqa: S608
           f"FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s AND +rowid IN ({scoped_sql})")
    return sql, [expression, *scoped_params]
