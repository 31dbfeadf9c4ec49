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
    return [f"CREATE TABLE {t} (id INTEGER PRIMARY KEY, n BIGINT NOT NULL)",
            f"INSERT INTO {t} (id, n) VALUES (1, 0)"]


def bump_sql() -> str:
    return f"UPDATE {quote(CHANGES_TABLE)} SET n = n + 1 WHERE id = 1"


def read_sql() -> str:
    return f"SELECT n FROM {quote(CHANGES_TABLE)} WHERE id = 1"
