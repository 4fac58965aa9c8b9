"""The event log is append-only, enforced by the database itself.

Triggers refuse any UPDATE of an event except marking it delivered once, and any
DELETE unless the deleting transaction holds the purge permission
(`event_purge_allowed`), which only deliberate maintenance takes (retention, removing
a whole organization; and the test runner between tests). On PostgreSQL the
permission is a transaction-local setting; on SQLite it is a function that Atiende
registers on its own connections, so a foreign client (the sqlite3 shell) cannot
delete either.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager

from django.db import connections, transaction

EVENT_TABLE = "tickets_event"
APPEND_ONLY = "ticket events are append-only"
_SQLITE_PERMISSION_FUNCTION = "atiende_event_purge_allowed"
_POSTGRES_PERMISSION_SETTING = "atiende.event_purge"
_state = threading.local()

# Every column but delivered_at: none of them may ever change.
_FROZEN_COLUMNS = ("id, ticket_id, created_at, actor_id, channel, kind, field, old_value, "
                   "new_value, comment_id, reason, ticket_version")

SQLITE_INSTALL = [
    f"""CREATE TRIGGER tickets_event_frozen BEFORE UPDATE OF {_FROZEN_COLUMNS}
        ON {EVENT_TABLE} BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END""",
    f"""CREATE TRIGGER tickets_event_delivered_once BEFORE UPDATE OF delivered_at
        ON {EVENT_TABLE} WHEN OLD.delivered_at IS NOT NULL
        BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END""",
    f"""CREATE TRIGGER tickets_event_kept BEFORE DELETE ON {EVENT_TABLE}
        WHEN NOT {_SQLITE_PERMISSION_FUNCTION}()
        BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END""",
]
SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS tickets_event_frozen",
    "DROP TRIGGER IF EXISTS tickets_event_delivered_once",
    "DROP TRIGGER IF EXISTS tickets_event_kept",
]

POSTGRES_INSTALL = [
    f"""CREATE OR REPLACE FUNCTION atiende_event_append_only() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            IF coalesce(current_setting('{_POSTGRES_PERMISSION_SETTING}', true), '') = 'on'
            THEN RETURN OLD; END IF;
            RAISE EXCEPTION '{APPEND_ONLY}';
        END IF;
        IF OLD.delivered_at IS NULL AND NEW.delivered_at IS NOT NULL
           AND (to_jsonb(NEW) - 'delivered_at') = (to_jsonb(OLD) - 'delivered_at')
        THEN RETURN NEW; END IF;
        RAISE EXCEPTION '{APPEND_ONLY}';
    END $$ LANGUAGE plpgsql""",
    f"""CREATE TRIGGER tickets_event_append_only BEFORE UPDATE OR DELETE ON {EVENT_TABLE}
        FOR EACH ROW EXECUTE FUNCTION atiende_event_append_only()""",
]
POSTGRES_REMOVE = [
    f"DROP TRIGGER IF EXISTS tickets_event_append_only ON {EVENT_TABLE}",
    "DROP FUNCTION IF EXISTS atiende_event_append_only()",
]


def install(schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    for statement in {"sqlite": SQLITE_INSTALL, "postgresql": POSTGRES_INSTALL}.get(vendor, []):
        schema_editor.execute(statement)


def remove(schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    for statement in {"sqlite": SQLITE_REMOVE, "postgresql": POSTGRES_REMOVE}.get(vendor, []):
        schema_editor.execute(statement)


def register_sqlite_permission(sender, connection, **kwargs) -> None:
    """Give each SQLite connection the function the delete trigger asks."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            _SQLITE_PERMISSION_FUNCTION, 0, lambda: int(getattr(_state, "purging", False))
        )


@contextmanager
def event_purge_allowed(using: str = "default"):
    """Let the enclosed transaction delete events. For deliberate maintenance only."""
    connection = connections[using]
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL {_POSTGRES_PERMISSION_SETTING} = 'on'")
        _state.purging = True
        try:
            yield
        finally:
            _state.purging = False
