"""Database housekeeping that does not depend on the engine's vendor at the call site."""

from __future__ import annotations

from django.db import connection


def refresh_statistics() -> None:
    """Let PostgreSQL's planner see rows just loaded in bulk. Autovacuum would, some
    minutes later; until then it plans queries for the tables as they were (nearly
    empty) and may pick scans that read every ticket of a desk. SQLite plans without
    collected statistics, as it always has."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
