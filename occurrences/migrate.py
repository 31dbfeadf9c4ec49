"""Copy a whole database from one store to another (SQLite ⇄ PostGIS, or SQLite → SQLite) and prove the copy.

Every registered table is copied row for row (records keep their ``seq``, review status, sensitivity and
derived columns; flags, users, credentials and the audit trail come along) inside one destination transaction:
if anything fails, or the verification below disagrees, nothing is left behind. The source is read from one
consistent snapshot, so a server may keep running while it is copied.

Verification: row counts per table, and an order-independent checksum per table (the sum, modulo 2**128, of a
SHA-256 of each row in canonical JSON; records are canonicalized as the store returns them), computed on both
sides from what the databases hold.

A module that adds a table registers it once with :func:`register_table` and migrations carry it.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import time
from dataclasses import dataclass, field
from typing import Callable, Iterator, Sequence

from .errors import OccurrencesError, StoreUnavailable
from .i18n import N_
from .store import open_store, redact
from .store import people as P
from .store import sql as S
from .store.columns import STORED_COLUMNS, row_to_record

BATCH = 20_000
_MOD = 2 ** 128


@dataclass(frozen=True)
class Table:
    name: str
    key: tuple[str, ...]  # a unique key: rows are read in this order, in batches
    columns: Callable[[], tuple[str, ...]]  # every column to copy (called late: columns may be added)
    identity: str | None = None  # a server-generated integer key whose sequence must follow the copied values
    canonical: Callable[[dict], dict] | None = None  # the row as the checksum sees it (default: as read)


TABLES: list[Table] = []


def register_table(name: str, key: Sequence[str], columns: Sequence[str] | Callable[[], Sequence[str]], *,
                   identity: str | None = None, canonical: Callable[[dict], dict] | None = None) -> Table:
    """Have :func:`migrate` copy and verify table ``name``. Register parents before children (foreign keys)."""
    cols = columns if callable(columns) else (lambda c=tuple(columns): c)
    table = Table(name, tuple(key), lambda: tuple(cols()), identity, canonical)
    TABLES[:] = [t for t in TABLES if t.name != name] + [table]
    return table


def _canonical_record(row: dict) -> dict:
    return {**row_to_record(row), "_status": row["_status"], "_record_sensitivity": row["_record_sensitivity"]}


register_table(S.TABLE, ["seq"], lambda: ("seq", *STORED_COLUMNS, "_status"), canonical=_canonical_record)
register_table(S.ISSUE_TABLE, ["seq", "code"], ["seq", "code"])
register_table(P.USER_TABLE, ["name"], P.USER_COLUMNS)
register_table(P.CREDENTIAL_TABLE, ["hash"], ["hash", "user_name", "kind", "created", "expires"])
register_table(P.AUDIT_TABLE, ["id"], P.AUDIT_COLUMNS, identity="id")


def _register_survey_tables() -> None:
    from .camtrap import tables as T

    for name, (_, key) in T.TABLES.items():  # the survey first: the others belong to one
        register_table(name, key, T.columns(name))


_register_survey_tables()


@dataclass
class MigrationResult:
    records: int
    tables: dict[str, int] = field(default_factory=dict)  # table → rows copied
    checksums: dict[str, str] = field(default_factory=dict)  # table → hex checksum (equal on both sides)
    seconds: float = 0.0

    @property
    def checksum(self) -> str:
        return self.checksums.get(S.TABLE, "")


class MigrationFailed(OccurrencesError):
    code = "migration-failed"
    status = 500
    template = N_("The copy of table {table} does not match the source ({what}); nothing was written.")


def migrate(src_url: str, dst_url: str, progress: Callable[[str, int, int], None] | None = None
            ) -> MigrationResult:
    """Copy everything from ``src_url`` into the empty database at ``dst_url`` (created if needed) and verify
    counts and checksums. ``progress(table, rows_done, rows_total)`` is called after each batch."""
    started = time.perf_counter()
    src_store, dst_store = open_store(src_url), open_store(dst_url)
    try:
        src, dst = _endpoint(src_store), _endpoint(dst_store)
        result = MigrationResult(records=0)
        with src.snapshot() as read, dst.transaction() as write:
            for table in TABLES:
                if write.count(table):
                    raise StoreUnavailable(url=redact(dst_url), reason=f"table {table.name} already holds rows; "
                                           "migrate into an empty database")
            for table in TABLES:
                total = read.count(table)
                copied = _copy_table(table, read, write, total, progress)
                theirs, ours = read.checksum(table), write.checksum(table)
                if copied != total or write.count(table) != total:
                    raise MigrationFailed(table=table.name, what=f"{write.count(table)} rows, expected {total}")
                if theirs != ours:
                    raise MigrationFailed(table=table.name, what="checksums differ")
                result.tables[table.name] = total
                result.checksums[table.name] = f"{ours:032x}"
        result.records = result.tables[S.TABLE]
        result.seconds = time.perf_counter() - started
        return result
    finally:
        src_store.close()
        dst_store.close()


def _copy_table(table: Table, read, write, total: int, progress) -> int:
    names = table.columns()
    big = table.name == S.TABLE and total >= BATCH
    rebuild = write.drop_indexes(table.name) if big else []  # one index build after the load is much faster
    copied = 0
    for rows in read.batches(table, names):
        write.rows(table.name, names, rows)
        copied += len(rows)
        if progress:
            progress(table.name, copied, total)
    for statement in rebuild:
        write.execute(statement)
    if table.identity:
        write.follow_identity(table.name, table.identity)
    return copied


def _digest(rows: Iterator[dict]) -> int:
    total = 0
    for row in rows:
        text = json.dumps(row, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
        total += int.from_bytes(hashlib.sha256(text.encode()).digest()[:16], "big")
    return total % _MOD


# -- the two backends, reduced to what a migration needs ------------------------------------------------------
class _Side:
    """Raw table access on one open connection (inside a snapshot or transaction)."""

    placeholder = "?"

    def __init__(self, conn):
        self.conn = conn

    def fetch(self, sql: str, params: Sequence = ()) -> list[tuple]:
        return self.conn.execute(sql, list(params)).fetchall()

    def execute(self, sql: str, params: Sequence = ()) -> None:
        self.conn.execute(sql, list(params))

    def count(self, table: Table) -> int:
        return self.fetch(f"SELECT count(*) FROM {S.quote(table.name)}")[0][0]

    def batches(self, table: Table, names: Sequence[str]) -> Iterator[list[tuple]]:
        """All rows of ``names``, in key order, keyset-paged."""
        cols = ", ".join(S.quote(c) for c in names)
        key = ", ".join(S.quote(c) for c in table.key)
        positions = [list(names).index(k) for k in table.key]
        last = None
        while True:
            where, params = "", []
            if last is not None:
                p = ", ".join([self.placeholder] * len(table.key))
                where, params = f"WHERE ({key}) > ({p})", list(last)
            rows = self.fetch(f"SELECT {cols} FROM {S.quote(table.name)} {where} ORDER BY {key} LIMIT {BATCH}", params)
            if not rows:
                return
            yield rows
            last = [rows[-1][i] for i in positions]

    def checksum(self, table: Table) -> int:
        names = table.columns()
        canonical = table.canonical or (lambda row: row)
        return _digest(canonical(dict(zip(names, row))) for rows in self.batches(table, names) for row in rows)


class _SQLiteSide(_Side):
    def rows(self, table: str, names: Sequence[str], rows: list[tuple]) -> None:
        sql = (f"INSERT INTO {S.quote(table)} ({', '.join(S.quote(c) for c in names)}) "
               f"VALUES ({', '.join('?' * len(names))})")
        self.conn.executemany(sql, [tuple(_sqlite_value(v) for v in row) for row in rows])

    def drop_indexes(self, table: str) -> list[str]:
        found = self.fetch("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                           "AND sql IS NOT NULL", [table])
        for name, _ in found:
            self.execute(f"DROP INDEX {S.quote(name)}")
        return [sql for _, sql in found]

    def follow_identity(self, table: str, column: str) -> None:
        pass  # INTEGER PRIMARY KEY continues from max(rowid) by itself


def _sqlite_value(v):
    return json.dumps(v) if isinstance(v, (list, dict)) else v


class _PostGISSide(_Side):
    placeholder = "%s"

    def rows(self, table: str, names: Sequence[str], rows: list[tuple]) -> None:
        from .store.postgis import copy_rows

        columns = [list(col) for col in zip(*rows)]
        if table == S.TABLE and "issues" in names:  # JSON text from SQLite, lists from PostGIS: COPY wants text
            i = list(names).index("issues")
            columns[i] = [v if isinstance(v, str) else json.dumps(v) for v in columns[i]]
        copy_rows(self.conn, table, names, columns)

    def drop_indexes(self, table: str) -> list[str]:
        from .store.postgis import _drop_indexes

        self.execute("SET LOCAL maintenance_work_mem = '512MB'")
        return _drop_indexes(self.conn, table)

    def follow_identity(self, table: str, column: str) -> None:
        self.execute(f"SELECT setval(pg_get_serial_sequence(%s, %s), coalesce(max({S.quote(column)}), 0) + 1, false) "
                     f"FROM {S.quote(table)}", [S.quote(table), column])


class _Endpoint:
    def __init__(self, store):
        self.store = store

    @contextlib.contextmanager
    def snapshot(self):
        """A consistent read view of the whole database."""
        if hasattr(self.store, "pool"):
            with self.store.pool.connection() as conn:
                with conn.transaction():
                    conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                    yield _PostGISSide(conn)
            return
        conn = self.store.conn
        conn.execute("BEGIN")  # deferred: a WAL read snapshot from the first read to COMMIT
        try:
            yield _SQLiteSide(conn)
        finally:
            conn.execute("COMMIT")

    @contextlib.contextmanager
    def transaction(self):
        """All writes of the migration, committed together or not at all."""
        if hasattr(self.store, "pool"):
            with self.store.pool.connection() as conn, conn.transaction():
                for table in TABLES:
                    conn.execute(f"LOCK TABLE {S.quote(table.name)} IN SHARE ROW EXCLUSIVE MODE")
                yield _PostGISSide(conn)
                conn.execute(f"ANALYZE {S.quote(S.TABLE)}")
            return
        conn = self.store._connect()  # a connection of its own: the source may be the same file's sibling
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield _SQLiteSide(conn)
            conn.execute("ANALYZE")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        finally:
            conn.close()


def _endpoint(store) -> _Endpoint:
    return _Endpoint(store)


__all__ = ["migrate", "MigrationResult", "MigrationFailed", "register_table", "Table", "TABLES"]
