"""The change counter: one row that every write of records increments in its own transaction.

Caches of derived data (the tile pyramid) remember the counter they were built at and are rebuilt when it moved,
so every server process, and every machine on the same database, sees a write at the next request: a cache
invalidated by the database, not by a clock. Reading it is one primary-key lookup.
"""
from __future__ import annotations

from .sql import quote

CHANGES_TABLE = "occurrence_changes"


def schema() -> list[str]:
    t = quote(CHANGES_TABLE)
    # Idempotent, like every migration that a test (or a restore) may run again over a newer database.
    return [f"CREATE TABLE IF NOT EXISTS {t} (id INTEGER PRIMARY KEY, n BIGINT NOT NULL)",
            f"INSERT INTO {t} (id, n) SELECT 1, 0 WHERE NOT EXISTS (SELECT 1 FROM {t} WHERE id = 1)"]


def bump_sql() -> str:
    return f"UPDATE {quote(CHANGES_TABLE)} SET n = n + 1 WHERE id = 1"


def read_sql() -> str:
    return f"SELECT n FROM {quote(CHANGES_TABLE)} WHERE id = 1"
