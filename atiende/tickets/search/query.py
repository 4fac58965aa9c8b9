"""One search box over tickets: a ticket number jumps to the ticket, words search titles,
descriptions and comments, ranked by relevance, within what the actor may see.

Scoping is the selectors' and policies' own: hits come only from `ticket_list(actor,
filters)`, and internal notes count only for tickets the actor works on
(`policies.staff_tickets`); for anyone else a ticket is matched and ranked on its
public text alone, and its snippet is cut from its public text alone.

Ticket numbers (decided here, for every client alike):
- "INC-000123", "inc-123", "INC123", "#REQ-45": that ticket alone, `exact` true, when
  the actor may see it; otherwise the words are searched like any others.
- "#123": the ticket of that number whatever its kind: alone and `exact` when only one
  is visible; several (INC-000123 and REQ-000123) come first, before the word hits.
- "123": tickets of that number come first, then tickets whose text has "123";
  never `exact` (an error code or a year is as likely as a ticket number).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any, overload

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Q, QuerySet

from atiende.core.models import User
from atiende.tickets import policies
from atiende.tickets.models import NUMBER_PREFIX, SearchDocument, Ticket
from atiende.tickets.search import backends, text
from atiende.tickets.search.text import snippet
from atiende.tickets.selectors import ticket_list

MAX_QUERY = 500  # characters of a query that are read
MAX_TERMS = 32
MAX_RESULTS = 1000  # how deep a search pages; refine the words beyond
PINNED_SCORE = 1e9  # ticket-number matches, above any text score
SMALL_SCOPE = 2000  # up to this many tickets, a scope is passed as a list of ids

_PREFIXES = "|".join(NUMBER_PREFIX.values())
_PREFIXED_NUMBER = re.compile(rf"#?\s*({_PREFIXES})\s*-?\s*0*(\d{{1,12}})", re.IGNORECASE)
_BARE_NUMBER = re.compile(r"(#?)\s*0*(\d{1,12})")


def _number(prefix: str, sequence: str) -> str:
    return f"{prefix.upper()}-{int(sequence):06d}"


class TicketSearch:
    """The tickets a search found, best first. Slice it for a page (a list of Ticket,
    each with `search_snippet`: HTML, every character escaped, words found in
    <mark>); `count()` or `len()` counts the hits (at most MAX_RESULTS), so Django's
    Paginator takes it as it is. `exact` is true when the query was a ticket number:
    the one result is that ticket. Each page costs a constant number of queries
    whatever its size."""

    def __init__(self, *, actor: User, query: str, filters: dict | None = None) -> None:
        self.actor = actor
        self.query = (query or "").replace("\x00", " ")[:MAX_QUERY].strip()
        self.filters = dict(filters or {})
        self.exact = False
        self.terms: tuple[str, ...] = ()
        self._pinned: list[int] = []
        self._count: int | None = None
        self._hits_sql: tuple[str, list] | None = None
        self._plan()

    # --- what to look for ---------------------------------------------------------------

    def _visible(self) -> QuerySet[Ticket]:
        return ticket_list(actor=self.actor, filters=self.filters)

    def _plan(self) -> None:
        if not self.query:
            return
        prefixed = _PREFIXED_NUMBER.fullmatch(self.query)
        if prefixed:
            found = list(self._visible().filter(number=_number(*prefixed.groups()))
                         .values_list("pk", flat=True))
            if found:
                self.exact, self._pinned = True, found
                return
        bare = _BARE_NUMBER.fullmatch(self.query)
        if bare:
            numbers = [_number(prefix, bare.group(2)) for prefix in NUMBER_PREFIX.values()]
            self._pinned = list(self._visible().filter(number__in=numbers).order_by("-id")
                                .values_list("pk", flat=True))
            if bare.group(1) and len(self._pinned) == 1:
                self.exact = True
                return
        self.terms = tuple(dict.fromkeys(text.terms(self.query)))[:MAX_TERMS]

    # --- the ranked ids -----------------------------------------------------------------

    def _scoped(self, queryset: QuerySet[Ticket]) -> tuple[str, Sequence] | None:
        """SQL selecting the ids of `queryset` (None when there are none). A small set
        is spelled out: PostgreSQL cannot estimate the size of a scope such as "own
        requests or watched", and for a few hundred tickets it would otherwise scan
        every document that has the word."""
        queryset = queryset.order_by()
        ids = list(queryset.values_list("pk", flat=True)[:SMALL_SCOPE + 1])
        if not ids:
            return None
        if len(ids) <= SMALL_SCOPE:
            return ", ".join(["%s"] * len(ids)), ids
        try:
            return queryset.values("pk").query.sql_with_params()
        except EmptyResultSet:
            return None

    def _hits(self) -> tuple[str, list] | None:
        """SQL of `(ticket_id, score)`, one row per hit, and its parameters."""
        if self._hits_sql is None:
            self._hits_sql = self._build_hits() or ("", [])
        return self._hits_sql if self._hits_sql[0] else None

    def _build_hits(self) -> tuple[str, list] | None:
        branches: list[tuple[str, list]] = []
        if self._pinned:
            marks = ", ".join(["%s"] * len(self._pinned))
            branches.append((f"SELECT id AS ticket_id, {PINNED_SCORE} AS score "  # noqa: S608
                             f"FROM {Ticket._meta.db_table} WHERE id IN ({marks})",
                             list(self._pinned)))
        if self.terms and not self.exact:
            visible, staff = self._visible(), policies.staff_tickets(self.actor)
            # Tickets the actor works on match on their whole text, the others (own
            # requests, watched tickets) on their public text; an empty Q is "every
            # ticket" (provider admins), and excluding it would exclude nothing.
            scopes = [(True, visible.filter(staff))]
            if staff != Q():
                scopes.append((False, visible.exclude(staff)))
            for internal, queryset in scopes:
                scoped = self._scoped(queryset)
                if scoped is not None:
                    branches.append(backends.match(
                        query=self.query, terms=self.terms, internal=internal,
                        scoped_sql=scoped[0], scoped_params=scoped[1]))
        if not branches:
            return None
        sql = " UNION ALL ".join(branch for branch, _params in branches)
        params = [param for _branch, branch_params in branches for param in branch_params]
        # MATERIALIZED: flattened into the grouping query, SQLite would call bm25()
        # outside its full-text scan and fail.
        return (f"WITH hits (ticket_id, score) AS MATERIALIZED ({sql}) "  # noqa: S608
                "SELECT ticket_id, MAX(score) AS best FROM hits GROUP BY ticket_id", params)

    def count(self) -> int:
        if self._count is None:
            hits = self._hits()
            if hits is None:
                self._count = 0
            else:
                with connection.cursor() as cursor:
                    cursor.execute(f"SELECT COUNT(*) FROM ({hits[0]}) counted", hits[1])  # noqa: S608
                    self._count = min(cursor.fetchone()[0], MAX_RESULTS)
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __iter__(self) -> Iterator[Ticket]:
        return iter(self.page(0, MAX_RESULTS))

    def ranked_ids(self, offset: int, limit: int) -> list[int]:
        """Ids of the hits from `offset`, best first (ties: newest first)."""
        limit = max(0, min(limit, MAX_RESULTS - offset))
        hits = self._hits()
        if hits is None or limit == 0 or offset < 0:
            return []
        with connection.cursor() as cursor:
            cursor.execute(f"{hits[0]} ORDER BY best DESC, ticket_id DESC LIMIT %s OFFSET %s",
                           [*hits[1], limit, offset])
            return [row[0] for row in cursor.fetchall()]

    # --- the page -----------------------------------------------------------------------

    @overload
    def __getitem__(self, index: int) -> Ticket: ...

    @overload
    def __getitem__(self, index: slice) -> list[Ticket]: ...

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            if index.step not in (None, 1):
                raise ValueError("A search is sliced with step 1.")
            start = index.start or 0
            stop = MAX_RESULTS if index.stop is None else index.stop
            if start < 0 or stop < 0:
                raise ValueError("A search is sliced with positive bounds.")
            return self.page(start, stop - start)
        found = self.page(index, 1)
        if not found:
            raise IndexError(index)
        return found[0]

    def page(self, offset: int, limit: int) -> list[Ticket]:
        ids = self.ranked_ids(offset, limit)
        if not ids:
            return []
        # The scoped queryset again: a hit is only ever a ticket ticket_list shows.
        tickets = {ticket.pk: ticket for ticket in self._visible().filter(pk__in=ids)}
        documents = {document.ticket_id: document
                     for document in SearchDocument.objects.filter(ticket_id__in=ids)}
        page = [tickets[pk] for pk in ids if pk in tickets]
        for ticket in page:
            ticket.search_snippet = self._snippet(ticket, documents.get(ticket.pk))
        return page

    def _snippet(self, ticket: Ticket, document: SearchDocument | None) -> str:
        if document is None:
            return ""
        texts = [document.description, document.comments]
        if policies.works_on(self.actor, ticket):
            texts.append(document.internal)
        return snippet(texts, set(self.terms))


def search_tickets(*, actor: User, query: str, filters: dict | None = None) -> TicketSearch:
    """The tickets `actor` may see (narrowed by `filters`, as `ticket_list` reads them)
    that `query` finds, best first; see `TicketSearch`. Any text is a valid query: it
    is never interpreted as query syntax; an empty one finds nothing."""
    return TicketSearch(actor=actor, query=query, filters=filters)
