"""Ticket search: one interface over PostgreSQL full-text search and SQLite FTS5.

- `search_tickets(actor=, query=, filters=)`: ranked, scoped results (`query`).
- `index_tickets(ids)`, `reindex_all()`: the documents search reads (`index`), kept up
  to date by the outbox consumer "search" and by `atiende reindex`.
- `text`: how words are folded and stemmed, the same on both databases.
"""

from atiende.tickets.search.index import index_tickets, reindex_all
from atiende.tickets.search.query import TicketSearch, search_tickets

__all__ = ["TicketSearch", "index_tickets", "reindex_all", "search_tickets"]
