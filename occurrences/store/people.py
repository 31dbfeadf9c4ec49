"""Users, credentials (hashed API tokens and sign-in sessions) and the audit trail: tables and portable SQL
shared by both backends. Builders take the dialect's placeholder and return ``(sql, params)``."""
from __future__ import annotations

import json

from .sql import TABLE, quote

USER_TABLE = "app_user"
CREDENTIAL_TABLE = "credential"
AUDIT_TABLE = "audit"
FAILURE_TABLE = "signin_failure"
USER_COLUMNS = ("name", "role", "active", "created")
AUDIT_COLUMNS = ("id", "occurrenceID", "at", "actor", "action", "reason", "before", "after")


def schema(serial_pk: str) -> list[str]:
    """CREATE statements; ``serial_pk`` is the backend's auto-increment primary key type."""
    u, c, a = quote(USER_TABLE), quote(CREDENTIAL_TABLE), quote(AUDIT_TABLE)
    return [
        f"CREATE TABLE {u} (name TEXT PRIMARY KEY, role TEXT NOT NULL, active INTEGER NOT NULL DEFAULT 1, "
        f"created TEXT NOT NULL)",
        # Only a SHA-256 of each token is kept; a stolen database does not give working tokens.
        f"CREATE TABLE {c} (hash TEXT PRIMARY KEY, user_name TEXT NOT NULL REFERENCES {u} (name), "
        f"kind TEXT NOT NULL, created TEXT NOT NULL, expires TEXT)",
        f'CREATE TABLE {a} (id {serial_pk}, "occurrenceID" TEXT NOT NULL, at TEXT NOT NULL, actor TEXT NOT NULL, '
        f"action TEXT NOT NULL, reason TEXT, before TEXT, after TEXT)",
        f'CREATE INDEX ix_audit_occurrence ON {a} ("occurrenceID", id)',
        f'CREATE INDEX ix_status ON {quote(TABLE)} ("_status")',
        f'CREATE INDEX ix_pub_cell ON {quote(TABLE)} ("_pub_cell")',
    ]


def failure_schema() -> list[str]:
    """Failed sign-ins (wall-clock seconds), per limiter key: in the database so that every worker and every
    machine behind a proxy counts the same attempts (occurrences.api.limiter)."""
    f = quote(FAILURE_TABLE)
    return [f"CREATE TABLE IF NOT EXISTS {f} (key TEXT NOT NULL, at DOUBLE PRECISION NOT NULL)",
            f"CREATE INDEX IF NOT EXISTS ix_signin_failure ON {f} (key, at)"]


def insert_failure(p: str, key: str, at: float) -> tuple[str, list]:
    return f"INSERT INTO {quote(FAILURE_TABLE)} (key, at) VALUES ({p}, {p})", [key, at]


def select_failures(p: str, key: str, since: float) -> tuple[str, list]:
    """How many failures ``key`` has after ``since``, and the oldest of them."""
    return f"SELECT count(*), min(at) FROM {quote(FAILURE_TABLE)} WHERE key = {p} AND at > {p}", [key, since]


def delete_failures(p: str, before: float) -> tuple[str, list]:
    return f"DELETE FROM {quote(FAILURE_TABLE)} WHERE at <= {p}", [before]


def insert_user(p: str, name: str, role: str, created: str) -> tuple[str, list]:
    return f"INSERT INTO {quote(USER_TABLE)} (name, role, active, created) VALUES ({p}, {p}, 1, {p})", [name, role, created]


def select_users(p: str) -> tuple[str, list]:
    return f"SELECT name, role, active, created FROM {quote(USER_TABLE)} ORDER BY name", []


def set_active(p: str, name: str, active: bool) -> tuple[str, list]:
    return f"UPDATE {quote(USER_TABLE)} SET active = {p} WHERE name = {p}", [int(active), name]


def insert_credential(p: str, token_hash: str, user: str, kind: str, created: str, expires: str | None):
    return (f"INSERT INTO {quote(CREDENTIAL_TABLE)} (hash, user_name, kind, created, expires) "
            f"VALUES ({p}, {p}, {p}, {p}, {p})", [token_hash, user, kind, created, expires])


def select_credential_user(p: str, token_hash: str, now: str) -> tuple[str, list]:
    """The active user holding an unexpired credential with this hash."""
    return (f"SELECT u.name, u.role, u.active, u.created, c.hash, c.kind FROM {quote(CREDENTIAL_TABLE)} c "
            f"JOIN {quote(USER_TABLE)} u ON u.name = c.user_name "
            f"WHERE c.hash = {p} AND u.active = 1 AND (c.expires IS NULL OR c.expires > {p})", [token_hash, now])


def delete_credential(p: str, token_hash: str) -> tuple[str, list]:
    return f"DELETE FROM {quote(CREDENTIAL_TABLE)} WHERE hash = {p}", [token_hash]


def insert_audit(p: str, occurrence_id: str, at: str, actor: str, action: str, reason: str | None,
                 before: dict | None, after: dict | None) -> tuple[str, list]:
    return (f'INSERT INTO {quote(AUDIT_TABLE)} ("occurrenceID", at, actor, action, reason, before, after) '
            f"VALUES ({p}, {p}, {p}, {p}, {p}, {p}, {p})",
            [occurrence_id, at, actor, action, reason, _json(before), _json(after)])


def select_audit(p: str, occurrence_id: str) -> tuple[str, list]:
    return (f'SELECT id, "occurrenceID", at, actor, action, reason, before, after FROM {quote(AUDIT_TABLE)} '
            f'WHERE "occurrenceID" = {p} ORDER BY id', [occurrence_id])


def audit_entry(row) -> dict:
    entry = dict(zip(AUDIT_COLUMNS, tuple(row)))
    for key in ("before", "after"):
        entry[key] = json.loads(entry[key]) if entry[key] else None
    return entry


def user_row(row) -> dict:
    user = dict(zip(USER_COLUMNS, tuple(row)[:4]))
    user["active"] = bool(user["active"])
    return user


def _json(value) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)
