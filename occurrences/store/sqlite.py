"""SQLite backend: one file, WAL, a connection per thread, writes in ``BEGIN IMMEDIATE`` transactions.

Spatial index: every record carries the number of its 0.25° grid cell (``_cell``, and ``_pub_cell`` for its
public point); a bbox becomes one cell range per cell row, then the exact lat/lon test. Cheaper to maintain than
an R*Tree (which took 25 s to fill with 1 M points here) and as selective for the boxes people ask for.

Reads: hot paths fetch plain tuples (``sqlite3.Row`` lookups by name cost ~20 µs per record); a page first
finds the keys of its rows from the indexes, then reads only those rows (see :meth:`SQLiteStore.page_sql`).
Planner statistics: refreshed after bulk loads and whenever the table has doubled since they were taken, so
the planner never has to guess on a grown table.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import re
import sqlite3
import threading
import time
from pathlib import Path
from typing import Iterator, Mapping, Sequence
from urllib.parse import urlparse, unquote

from ..errors import Conflict, InvalidValue, NotFound, StoreUnavailable
from ..records import FIELD_NAMES, GEOSPATIAL_ISSUES, now_iso
from ..sensitivity import LEVELS
from . import access as A
from . import owners as O
from . import changes as C
from . import people as P
from . import sql as S
from .base import AddResult, Page, iter_pages, matched_by_count
from .columns import classify_existing, updated_columns, STORED_COLUMNS, records_from_rows, row_to_record, to_columns
from .filters import Filters

BULK_THRESHOLD = 50_000  # batches at least this large (and larger than the table) load without indexes
DENSE_BBOX_ROWS = 20_000  # a bbox expected to hold more records than this is left to the planner
INDEX_FACTS_SECONDS = 30.0  # how long a process trusts what it read about the grid-cell indexes
_INDEXED_BY = re.compile(r' INDEXED BY "[^"]+"')
_TYPES = {str: "TEXT", float: "REAL", int: "INTEGER", list: "TEXT"}
_V1_INDEXES = {  # as released in schema 1; schema 3 replaces some (see _V3_INDEXES)
    "ix_species_country": '"scientificName", "countryCode"',
    "ix_country": '"countryCode"',
    "ix_start": '"_start"',
    "ix_year": '"year"',
    "ix_cell": '"_cell"',
    "ix_basis": '"basisOfRecord"',
}


# Fields added by later schema versions (a released migration must build the table it always built).
_ADDED_IN_V5 = ("occurrenceStatus", "extraTerms")
_V1_FIELDS = tuple(n for n in FIELD_NAMES if n not in _ADDED_IN_V5)


def _schema_v1() -> list[str]:
    from ..records import FIELD_BY_NAME

    cols = ",\n  ".join(f"{S.quote(n)} {_TYPES[FIELD_BY_NAME[n].type]}" for n in _V1_FIELDS)
    return [
        f"""CREATE TABLE {S.quote(S.TABLE)} (
  seq INTEGER PRIMARY KEY,
  {cols},
  "_start" TEXT NOT NULL, "_end" TEXT NOT NULL, "_cell" INTEGER NOT NULL, "_geo_issue" INTEGER NOT NULL DEFAULT 0
)""",
        f'CREATE UNIQUE INDEX ux_occurrence_id ON {S.quote(S.TABLE)} ("occurrenceID")',
        *[f"CREATE INDEX {name} ON {S.quote(S.TABLE)} ({cols})" for name, cols in _V1_INDEXES.items()],
        f"CREATE TABLE {S.quote(S.ISSUE_TABLE)} (seq INTEGER NOT NULL, code TEXT NOT NULL, PRIMARY KEY (code, seq))"
        " WITHOUT ROWID",
        f"CREATE INDEX ix_issue_seq ON {S.quote(S.ISSUE_TABLE)} (seq)",
    ]


def _schema_v2() -> list:
    """Review status, sensitivity and the public copy of location fields; users, credentials, audit trail.
    Records stored before review existed are taken as accepted (they were loaded by the operator)."""
    t = S.quote(S.TABLE)
    added = {"_status": "TEXT NOT NULL DEFAULT 'accepted'", "_record_sensitivity": "INTEGER NOT NULL DEFAULT 0",
             "_sensitivity": "INTEGER NOT NULL DEFAULT 0", "_pub_lat": "REAL", "_pub_lon": "REAL",
             "_pub_uncertainty": "REAL", "_pub_cell": "INTEGER NOT NULL DEFAULT -1", "_pub_withheld": "TEXT",
             "_pub_generalizations": "TEXT"}
    v2_columns = [c for c in A.PUBLIC_DERIVED if c in added]
    return [*[f"ALTER TABLE {t} ADD COLUMN {S.quote(c)} {kind}" for c, kind in added.items()],
            lambda conn: _backfill_public(conn, v2_columns), *P.schema("INTEGER PRIMARY KEY")]


def _backfill_public(conn: sqlite3.Connection, names: Sequence[str]) -> None:
    """Compute the public columns ``names`` of every stored row again, in batches (each record keeps its own
    sensitivity level). Reads the fields the table has at this point of its history (later schemas add some)."""
    t = S.quote(S.TABLE)
    present = {row[1] for row in conn.execute(f"PRAGMA table_info({t})")}
    fields = [name for name in FIELD_NAMES if name in present]
    last = 0
    while True:
        rows = conn.execute(f'SELECT {", ".join(S.quote(c) for c in fields)}, seq, "_record_sensitivity" FROM {t} '
                            "WHERE seq > ? ORDER BY seq LIMIT 50000", [last]).fetchall()
        if not rows:
            return
        cols = {name: [r[name] if name in fields else None for r in rows] for name in FIELD_NAMES}
        derived = A.public_derived(cols, [r["_record_sensitivity"] for r in rows])
        conn.executemany(f"UPDATE {t} SET {', '.join(f'{S.quote(c)} = ?' for c in names)} WHERE seq = ?",
                         zip(*(derived[c] for c in names), (r["seq"] for r in rows)))
        last = rows[-1]["seq"]


# Schema 3: indexes that answer the public reads by themselves. Every read tests ``_status`` (public reads twice),
# so it sits right after the equality columns: a species+country page is read in seq order (the rowid ends every
# index) without visiting non-matching rows, and its count never touches the table. The grid-cell indexes carry
# the point and the year as well, so bbox filters and map tiles are answered from the index alone.
_V3_INDEXES = {
    "ix_species_country": ("scientificName", "countryCode", "_status"),
    "ix_country": ("countryCode", "_status"),
    "ix_cell": ("_cell", "_status", "decimalLatitude", "decimalLongitude", "year"),
    "ix_pub_cell": ("_pub_cell", "_status", "_pub_lat", "_pub_lon", "year"),
}


# A skip-scan of a grid-cell index (every cell, then the status and latitude within it) reads the whole index:
# SQLite picked it over the cell ranges of a 2° box (40 ms instead of 4) and over a seq-order walk for a page of
# a large one (1 s instead of 1 ms). sqlite_stat1's documented ``noskipscan`` token turns it off for them.
_NO_SKIP_SCAN = ("ix_cell", "ix_pub_cell")


def _schema_v3() -> list:
    t = S.quote(S.TABLE)
    return [*[f"DROP INDEX IF EXISTS {name}" for name in _V3_INDEXES],
            *[f"CREATE INDEX {name} ON {t} ({', '.join(S.quote(c) for c in cols)})"
              for name, cols in _V3_INDEXES.items()],
            _analyze]


def _analyze(conn: sqlite3.Connection) -> None:
    """Fresh planner statistics (~0.5 s at 1 M records), inside the caller's write transaction. Without them
    SQLite takes any equality on an indexed column for a selective one, and walks the whole table through the
    status index for a public bbox. Not sampled (``analysis_limit``): the sample counted ~1,000 rows per status
    value in a table of a million. ANALYZE changes the schema cookie, so every other connection reloads the
    statistics (with their ``noskipscan`` marks, written in the same transaction) at its next query."""
    conn.execute("ANALYZE")
    marks = ", ".join("?" * len(_NO_SKIP_SCAN))
    conn.execute(f"UPDATE sqlite_stat1 SET stat = stat || ' noskipscan' WHERE tbl = ? AND idx IN ({marks})",
                 [S.TABLE, *_NO_SKIP_SCAN])
    conn.execute("ANALYZE sqlite_schema")  # reload them in this connection too (analyses nothing)


def _statistics_stale(conn: sqlite3.Connection, rows: int) -> bool:
    """True when a table of ``rows`` records has no statistics, twice as many records as when they were taken
    (so re-analysing costs at most ~1 µs per record added), or lost its marks to another program's ANALYZE."""
    if rows == 0:
        return False
    analysed = _stat(conn, "ux_occurrence_id")
    marks = [_stat(conn, name) for name in _NO_SKIP_SCAN]
    return (not analysed or rows >= 2 * int(analysed[0])
            or any(m is not None and "noskipscan" not in m for m in marks))


def _stat(conn: sqlite3.Connection, index: str) -> list[str] | None:
    """The sqlite_stat1 figures of ``index`` (row count, then rows per key prefix), None without any."""
    try:
        row = conn.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = ? AND idx = ?", [S.TABLE, index]).fetchone()
    except sqlite3.OperationalError:  # no sqlite_stat1 table
        return None
    return row[0].split() if row else None


def _rows_per_key(conn: sqlite3.Connection, index: str) -> int | None:
    """Average number of rows per value of ``index``'s first column (None without statistics)."""
    fields = _stat(conn, index) or []
    return int(fields[1]) if len(fields) > 1 and fields[1].isdigit() else None


def _schema_v4() -> list:
    """Fewer indexes to rebuild after a bulk load (each costs ~1.5 s per million records): a year filter is
    answered by the event-date index (``year`` is the year of ``_start``, see sql.where_clause), and
    basisOfRecord alone selects a large share of the table, where an index does not beat a scan."""
    return ["DROP INDEX IF EXISTS ix_year", "DROP INDEX IF EXISTS ix_basis", _analyze]


def _schema_v5() -> list:
    """Absences (``occurrenceStatus``) and every other Darwin Core term of a source record (``extraTerms``,
    JSON text). Records stored before are presences without extra terms (NULL in both)."""
    t = S.quote(S.TABLE)
    return [f"ALTER TABLE {t} ADD COLUMN {S.quote(c)} TEXT" for c in _ADDED_IN_V5]


def _schema_public_issues() -> list:
    """No location oracle in the public copy (see store.access): the public issue list of each record, and the
    public uncertainty of sensitive records as a function of their cell alone; every public column is derived
    again from the precise one."""
    t = S.quote(S.TABLE)
    return [f"""ALTER TABLE {t} ADD COLUMN "_pub_issues" TEXT NOT NULL DEFAULT '[]'""",
            lambda conn: _backfill_public(conn, A.PUBLIC_DERIVED)]


def _schema_v6() -> list:
    """Records belong to accounts: owners that are no account (``cli``, free text) become label owners."""
    return [O.relabel_migration("?")]


def _schema_v7() -> list:
    """Failed sign-ins in the database, so several server processes limit them as one."""
    return P.failure_schema()


def _schema_v8() -> list:
    """The change counter (see store.changes)."""
    return C.schema()


# Each entry migrates from version i to i+1. Append; never edit a released migration (schema 2's backfill now
# names its columns: later schemas add public columns it must not write). An entry returns SQL statements
# and/or callables taking the connection (for data migrations), run in one transaction.
def _schema_intervals() -> list:
    """Date filters match by overlap (sql._overlaps): records starting inside the range come from ix_start, and
    the intervals that started before it from this partial index of intervals only (few rows: cheap to build)."""
    return [S.INTERVAL_INDEX_SQL, _analyze]


def _schema_surveys() -> list:
    """Camera-trap surveys: surveys, deployments, media, observations, malfunctions (see camtrap.tables)."""
    from ..camtrap.tables import schema

    return schema("sqlite")


# Function names lag the version numbers after 5: the list's order is the schema's history (5: terms, 6: public
# issues, 7: owners, 8: sign-in failures, 9: the change counter, 10: intervals).
MIGRATIONS = [_schema_v1, _schema_v2, _schema_v3, _schema_v4, _schema_v5, _schema_public_issues, _schema_v6,
              _schema_v7, _schema_v8, _schema_intervals, _schema_surveys]


class _Geometries:
    """Prepared polygons for the ``occ_within`` SQL function, keyed by a hash of their WKB."""

    def __init__(self):
        self._by_key: dict[str, object] = {}

    def key(self, geom) -> str:
        import shapely

        wkb = shapely.to_wkb(geom)
        key = hashlib.sha1(wkb).hexdigest()
        if key not in self._by_key:
            shapely.prepare(geom)
            self._by_key[key] = geom
        return key

    def within(self, key, lon, lat) -> int:
        import shapely

        if lon is None or lat is None:
            return 0
        return int(shapely.intersects_xy(self._by_key[key], lon, lat))


class SQLiteStore:
    # Requests a server process works on at once by default (api.request_threads). SQLite reads are CPU under the
    # GIL: a second thread only takes turns with the first. On 2 cores, 2 workers, 1 M records, random 0.5°
    # boxes, 64 connections, the same minute: 1 thread 1,093-1,125 req/s with p99 79-102 ms; 2 threads
    # 1,044-1,074 req/s, p99 102-161 ms; 4 threads 799-902 req/s, p99 181-196 ms. Forty (the stack's default)
    # collapsed.
    request_threads = 1

    def __init__(self, url: str):
        self.url = url
        self.path = sqlite_path(url)
        self._local = threading.local()
        self._geoms = _Geometries()
        self._null_default: set[str] | None = None  # columns without a default (NULL) nor NOT NULL
        self._select_lists: dict[str, tuple[str, list]] = {}  # access → its column list (see page_sql)
        self._facts: dict[str, tuple[float, bool, int | None]] = {}  # index → (valid until, exists, rows per key)
        self.dialect = S.Dialect("?", self._bbox_predicate, self._geometry_predicate)
        if self.path != ":memory:":
            parent = Path(self.path).parent
            if not parent.is_dir():
                raise StoreUnavailable(url=url, reason=f"folder {parent} does not exist")
        self._migrate()
        self._counted = self.conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                                          [C.CHANGES_TABLE]).fetchone() is not None
        self._refresh_statistics()

    # -- connections -------------------------------------------------------------------------------------
    @property
    def conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            self._local.conn = conn
        return conn

    def _connect(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(self.path, timeout=60, isolation_level=None, check_same_thread=False)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA busy_timeout = 60000")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA cache_size = -131072")
            conn.execute("PRAGMA temp_store = MEMORY")
            conn.create_function("occ_within", 3, self._geoms.within, deterministic=True)
        except sqlite3.Error as exc:
            raise StoreUnavailable(url=self.url, reason=str(exc)) from None
        return conn

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    # -- schema ------------------------------------------------------------------------------------------
    def _migrate(self) -> None:
        conn = self.conn
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise StoreUnavailable(url=self.url, reason=str(exc)) from None
        if version > len(MIGRATIONS):
            raise StoreUnavailable(url=self.url, reason=f"schema version {version} is newer than this program")
        for target in range(version, len(MIGRATIONS)):
            conn.execute("BEGIN IMMEDIATE")
            try:
                if conn.execute("PRAGMA user_version").fetchone()[0] == target:
                    for statement in MIGRATIONS[target]():
                        statement(conn) if callable(statement) else conn.execute(statement)
                    conn.execute(f"PRAGMA user_version = {target + 1}")
                conn.execute("COMMIT")
            except Exception:
                conn.execute("ROLLBACK")
                raise

    def _refresh_statistics(self) -> None:
        """Statistics for a database written by another program (``occurrences migrate`` runs a plain ANALYZE,
        an older version none at all)."""
        conn = self.conn
        rows = conn.execute(f"SELECT max(seq) FROM {S.quote(S.TABLE)}").fetchone()[0] or 0
        if not _statistics_stale(conn, rows):
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            _analyze(conn)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        self._facts.clear()

    @property
    def schema_version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    def changes(self) -> int:
        """The change counter: moves at every committed write of records (see store.changes)."""
        return self.conn.execute(C.read_sql()).fetchone()[0] if self._counted else 0

    def _bump(self, conn) -> None:
        if self._counted:  # not in a schema older than the counter (a test's "released program")
            conn.execute(C.bump_sql())

    # -- dialect -----------------------------------------------------------------------------------------
    def _bbox_predicate(self, bbox) -> tuple[str, list]:
        x0, y0, x1, y1 = bbox
        sql = '"decimalLatitude" BETWEEN ? AND ? AND "decimalLongitude" BETWEEN ? AND ?'
        params = [y0, y1, x0, x1]
        ranges = S.cell_ranges(bbox)
        if ranges:
            sql = "(" + " OR ".join(['"_cell" BETWEEN ? AND ?'] * len(ranges)) + ") AND " + sql
            params = [v for r in ranges for v in r] + params
        return sql, params

    def _geometry_predicate(self, geom, point=("decimalLongitude", "decimalLatitude")) -> tuple[str, list]:
        lon, lat = (S.quote(c) for c in point)
        return f"occ_within(?, {lon}, {lat}) = 1", [self._geoms.key(geom)]

    # -- writes ------------------------------------------------------------------------------------------
    def add_many(self, records, *, submitted_by: str = O.ANONYMOUS_OWNER,
                 status: str | list[str] = "pending", also=None) -> AddResult:
        """Store records in one transaction. ``also(conn)``, when given, writes more rows (a survey's tables) in
        the same transaction: both are committed, or neither."""
        cols = to_columns(records, submitted_by=submitted_by)
        cols["_status"] = A.status_column(status, len(cols["occurrenceID"]))
        n = len(cols["occurrenceID"])
        if n == 0:
            if also is not None:
                with self.transaction() as conn:
                    also(conn)
            return AddResult([])
        ids = cols["occurrenceID"]
        if len(set(ids)) != n:
            seen, dup = set(), None
            for i, v in enumerate(ids):
                if v in seen:
                    dup = i
                    break
                seen.add(v)
            raise InvalidValue("occurrenceID", ids[dup], row=dup + 1, reason="duplicate in batch")
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            statuses = self._insert(conn, cols, n)
            if also is not None:
                also(conn)
            self._bump(conn)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        finally:
            self._facts.clear()  # the load may have rebuilt the indexes and their statistics
        return AddResult(statuses)

    @contextlib.contextmanager
    def transaction(self):
        """A write transaction on this thread's connection: committed when the block ends, rolled back if it
        raises."""
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    @staticmethod
    def write_rows(conn, table: str, names: Sequence[str], columns: Sequence[Sequence]) -> None:
        """Insert column-wise data into ``table`` (inside the caller's transaction)."""
        conn.executemany(f"INSERT INTO {S.quote(table)} ({', '.join(S.quote(c) for c in names)}) "
                         f"VALUES ({', '.join('?' * len(names))})", zip(*columns))

    def fetch(self, sql: str, params: Sequence) -> tuple[list[str], list[tuple]]:
        """Column names and rows (tuples) of a query."""
        cursor = self.conn.cursor()
        cursor.row_factory = None
        cursor.execute(sql, list(params))
        return [d[0] for d in cursor.description], cursor.fetchall()

    def _insert(self, conn, cols: dict, n: int) -> list[str]:
        existing = conn.execute(f"SELECT count(*) FROM {S.quote(S.TABLE)}").fetchone()[0]
        statuses = ["stored"] * n
        keep = list(range(n))
        if existing:
            statuses, keep = self._classify_existing(conn, cols, n)
        if not keep:
            return statuses
        if len(keep) < n:
            cols = {k: [v[i] for i in keep] for k, v in cols.items()}
        first = (conn.execute(f"SELECT max(seq) FROM {S.quote(S.TABLE)}").fetchone()[0] or 0) + 1
        seqs = range(first, first + len(keep))
        bulk = len(keep) >= BULK_THRESHOLD and len(keep) > existing
        # Building the indexes once after the load is 3-6× faster than maintaining them row by row. The unique
        # occurrenceID index goes too: the batch has no duplicates and none of its ids is stored (checked above),
        # and rebuilding it would fail (rolling everything back) if that ever stopped being true.
        rebuild = _drop_indexes(conn, S.TABLE) if bulk else []
        names = ["seq", *self._bound_columns(conn, cols, [*STORED_COLUMNS, "_status"])]
        conn.executemany(
            f"INSERT INTO {S.quote(S.TABLE)} ({', '.join(S.quote(c) for c in names)}) VALUES ({self.dialect.p(len(names))})",
            zip(seqs, *(cols[c] for c in names[1:])),
        )
        issue_rows = [(seq, code) for seq, codes in zip(seqs, cols["issues"]) if codes != "[]"
                      for code in json.loads(codes)]
        conn.executemany(f"INSERT OR IGNORE INTO {S.quote(S.ISSUE_TABLE)} (seq, code) VALUES (?, ?)", issue_rows)
        for statement in rebuild:
            conn.execute(statement)
        if bulk or _statistics_stale(conn, existing + len(keep)):
            _analyze(conn)
        return statuses

    def _bound_columns(self, conn, cols: dict, names: list[str]) -> list[str]:
        """``names`` without the columns that are NULL in every row of the batch and default to NULL anyway:
        Python's sqlite3 spends ~0.3 µs on each None it binds (an adapter lookup), which for the many empty
        Darwin Core terms of a typical batch was as much time as the rest of the insert."""
        if self._null_default is None:
            info = conn.execute(f"PRAGMA table_info({S.quote(S.TABLE)})").fetchall()
            self._null_default = {r[1] for r in info if r[4] is None and not r[3]}
        return [c for c in names if not (c in self._null_default and _all_none(cols[c]))]

    def _classify_existing(self, conn, cols, n) -> tuple[list[str], list[int]]:
        """The stored records sharing an occurrenceID with this batch, classified by :func:`classify_existing`."""
        ids = cols["occurrenceID"]
        found: dict[str, dict] = {}
        for i in range(0, n, 500):
            chunk = ids[i:i + 500]
            rows = self._tuples(
                f"SELECT {S.SELECT_COLUMNS} FROM {S.quote(S.TABLE)} WHERE \"occurrenceID\" IN ({self.dialect.p(len(chunk))})",
                chunk)
            found.update({r["occurrenceID"]: r for r in records_from_rows(rows)})
        return classify_existing(cols, found)

    def update(self, occurrence_id: str, changes: Mapping, *, actor: str = "system", action: str = "edit",
               reason: str | None = None) -> dict:
        """Change fields (and/or ``status``, ``sensitivity``) of one record in one transaction, keeping an audit
        entry (who, when, before, after). Returns the record as stored (precise)."""
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            before = self._snapshot(conn, occurrence_id)
            if before is None:
                raise NotFound(id=occurrence_id)
            seq = before.pop("_seq")
            cols, names = updated_columns(before, changes, occurrence_id)
            conn.execute(f"UPDATE {S.quote(S.TABLE)} SET {', '.join(f'{S.quote(c)} = ?' for c in names)} WHERE seq = ?",
                         [cols[c][0] for c in names] + [seq])
            conn.execute(f"DELETE FROM {S.quote(S.ISSUE_TABLE)} WHERE seq = ?", [seq])
            conn.executemany(f"INSERT OR IGNORE INTO {S.quote(S.ISSUE_TABLE)} (seq, code) VALUES (?, ?)",
                             [(seq, c) for c in json.loads(cols["issues"][0])])
            after = self._snapshot(conn, occurrence_id)
            after.pop("_seq")
            conn.execute(*P.insert_audit("?", occurrence_id, now_iso(), actor, action, reason, before, after))
            self._bump(conn)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return self.get(occurrence_id, access=A.FULL)

    def _snapshot(self, conn, occurrence_id: str) -> dict | None:
        """The precise record with its review state, as kept in the audit trail."""
        row = conn.execute(f'SELECT {S.SELECT_COLUMNS}, "_status", "_record_sensitivity" FROM {S.quote(S.TABLE)} '
                           f'WHERE "occurrenceID" = ?', [occurrence_id]).fetchone()
        if row is None:
            return None
        return {**row_to_record(row), "status": row["_status"], "sensitivity": LEVELS[row["_record_sensitivity"]],
                "_seq": row["seq"]}

    def delete(self, occurrence_id: str, *, actor: str = "system", reason: str | None = None) -> None:
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            before = self._snapshot(conn, occurrence_id)
            if before is None:
                raise NotFound(id=occurrence_id)
            seq = before.pop("_seq")
            conn.execute(f"DELETE FROM {S.quote(S.ISSUE_TABLE)} WHERE seq = ?", [seq])
            conn.execute(f"DELETE FROM {S.quote(S.TABLE)} WHERE seq = ?", [seq])
            conn.execute(*P.insert_audit("?", occurrence_id, now_iso(), actor, "delete", reason, before, None))
            self._bump(conn)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    # -- reads -------------------------------------------------------------------------------------------
    def get(self, occurrence_id: str, access: str = A.PUBLIC) -> dict | None:
        """One record as ``access`` may see it; None when it does not exist or is not visible to them."""
        columns, params = S.select_columns(access, self.dialect)
        where, where_params = "1=1", []
        if (visible := A.visibility(access, self.dialect)) is not None:
            where, where_params = visible
        row = self.conn.execute(f'SELECT {columns} FROM {S.quote(S.TABLE)} WHERE "occurrenceID" = ? AND {where}',
                                [*params, occurrence_id, *where_params]).fetchone()
        return row_to_record(row) if row else None

    def state(self, occurrence_id: str) -> dict | None:
        """Review bookkeeping of one record: status, submittedBy, sensitivity (effective) and record_sensitivity
        (the record's own level), level names as in occurrences.sensitivity.LEVELS."""
        row = self.conn.execute(f'SELECT "_status", "submittedBy", "_sensitivity", "_record_sensitivity" FROM '
                                f'{S.quote(S.TABLE)} WHERE "occurrenceID" = ?', [occurrence_id]).fetchone()
        if row is None:
            return None
        return {"status": row[0], "submittedBy": row[1], "sensitivity": LEVELS[row[2]],
                "record_sensitivity": LEVELS[row[3]]}

    def history(self, occurrence_id: str) -> list[dict]:
        """Audit entries of one record, oldest first: id, occurrenceID, at, actor, action, reason, before, after."""
        return [P.audit_entry(r) for r in self.conn.execute(*P.select_audit("?", occurrence_id))]

    # -- users and credentials ---------------------------------------------------------------------------
    def add_user(self, name: str, role: str) -> None:
        try:
            self._write(*P.insert_user("?", name, role, now_iso()))
        except sqlite3.IntegrityError:
            raise InvalidValue("name", name, reason="a user with this name already exists") from None

    def users(self) -> list[dict]:
        return [P.user_row(r) for r in self.conn.execute(*P.select_users("?"))]

    def set_user_active(self, name: str, active: bool) -> bool:
        return self._write(*P.set_active("?", name, active)) > 0

    def add_credential(self, token_hash: str, user_name: str, kind: str, expires: str | None = None) -> None:
        self._write(*P.insert_credential("?", token_hash, user_name, kind, now_iso(), expires))

    def user_for_credential(self, token_hash: str) -> dict | None:
        """The active user holding this (unexpired) credential, with its ``kind``; None otherwise."""
        row = self.conn.execute(*P.select_credential_user("?", token_hash, now_iso())).fetchone()
        return {**P.user_row(row), "hash": row[4], "kind": row[5]} if row else None

    def delete_credential(self, token_hash: str) -> None:
        self._write(*P.delete_credential("?", token_hash))

    # -- sign-in limiter state (occurrences.api.limiter) -------------------------------------------------
    def add_failure(self, key: str, at: float, forget_before: float) -> None:
        """Record a failed sign-in of ``key``, and forget every failure older than ``forget_before``."""
        self._write(*P.delete_failures("?", forget_before))
        self._write(*P.insert_failure("?", key, at))

    def failures(self, key: str, since: float) -> tuple[int, float | None]:
        """Failures of ``key`` after ``since``: how many, and when the oldest of them was."""
        row = self.conn.execute(*P.select_failures("?", key, since)).fetchone()
        return int(row[0]), row[1]

    def _write(self, sql: str, params: list) -> int:
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            n = conn.execute(sql, params).rowcount
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return n

    def _tuples(self, sql: str, params: Sequence) -> list[tuple]:
        cursor = self.conn.cursor()
        cursor.row_factory = None  # plain tuples: building sqlite3.Row objects and looking names up is slow
        return self._hinted(cursor, sql, params).fetchall()

    def _hinted(self, cursor, sql: str, params: Sequence):
        """``cursor.execute``; when an index hint names an index dropped since :meth:`_index_facts` looked
        (another process bulk-loading), forget the facts and run the query without the hint."""
        try:
            return cursor.execute(sql, params)
        except sqlite3.OperationalError as exc:
            if "no such index" not in str(exc):
                raise
            self._facts.clear()
            return cursor.execute(_INDEXED_BY.sub("", sql), params)

    def page_sql(self, f: Filters) -> tuple[str, list]:
        """One page (``f.limit`` + 1 rows, to tell whether there is a next page) of records as ``f.access`` may
        see them: their fields in :data:`FIELD_NAMES` order, then ``seq`` and ``_start`` (the cursor).

        The page's keys are found first, from the indexes alone where they cover the filters, and only those
        rows are read: a 0.5° bbox matches ~1,500 rows of which the page keeps 100, and reading whole rows to
        sort them all cost ~10 ms."""
        columns, col_params = self._select_list(f.access)
        where, params = S.where_clause(f, self.dialect)
        order = S.order_by(f)
        keys = f"SELECT seq FROM {self._table(f)} WHERE {where} ORDER BY {order} LIMIT {int(f.limit) + 1}"
        return (f"SELECT {columns} FROM {S.quote(S.TABLE)} WHERE seq IN ({keys}) ORDER BY {order}",
                col_params + params)

    def _select_list(self, access: str) -> tuple[str, list]:
        """The record columns as ``access`` sees them, built once per access (a tenth of a page's time)."""
        found = self._select_lists.get(access)
        if found is None:
            if len(self._select_lists) > 256:  # one entry per submitter: keep it bounded
                self._select_lists.clear()
            found = self._select_lists[access] = S.select_columns(access, self.dialect)
        return found

    def query(self, filters: Filters, *, count: bool = False) -> Page:
        index = self._spatial_index(filters, sparse_only=True) if count and filters.cursor is None else None
        if index:
            # The key scan through the grid cells reads every match anyway: count them there (a second
            # statement cost a quarter of a bbox page's time).
            rows = self._tuples(*S.counted_page_sql(filters, self.dialect, *self._select_list(filters.access),
                                                    _indexed(index)))
            page = self._page(filters, [row[:-1] for row in rows])
            page.matched = rows[0][-1] if rows else 0
            return page
        page = self._page(filters, self._tuples(*self.page_sql(filters)))
        return matched_by_count(self, filters, page) if count else page

    def _page(self, filters: Filters, rows: list[tuple]) -> Page:
        more = len(rows) > filters.limit
        rows = rows[: filters.limit]
        cursor = None
        if more and rows:
            seq, start = rows[-1][len(FIELD_NAMES):len(FIELD_NAMES) + 2]
            cursor = S.next_cursor(filters, {"seq": seq, "_start": start})
        return Page(records_from_rows(rows), cursor, filters.limit)

    def iter_records(self, filters: Filters, batch_size: int = 10_000) -> Iterator[dict]:
        return iter_pages(self, filters, batch_size)

    def iter_batches(self, filters: Filters, batch_size: int = 100_000):
        """Like :meth:`iter_records`, as Arrow record batches (the export path; see ``store.arrow``)."""
        from .arrow import sqlite_batches

        return sqlite_batches(self, filters, batch_size)

    def count(self, filters: Filters) -> int:
        sql, params = S.count_sql(filters, self.dialect)
        return self._hinted(self.conn, self._spatial_hint(sql, filters), params).fetchone()[0]

    def columns(self, filters: Filters, names: Sequence[str], limit: int | None = None) -> dict[str, list]:
        """The map's fast path: a few columns of the mapped records (those with coordinates) as lists, without
        building record dicts. Must return exactly what ``iter_records`` would for the same filters
        (tests/test_maps_store.py checks this), including any generalisation for ``filters.access``."""
        sql, params = S.columns_sql(filters, self.dialect, tuple(names))
        sql = self._spatial_hint(sql, filters, sparse_only=False)
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        rows = self._tuples(sql, params)
        if not rows:
            return {name: [] for name in names}
        return {name: list(values) for name, values in zip(names, zip(*rows))}

    def grid_counts(self, filters: Filters, grid) -> list[tuple]:
        """(gx, gy, count, min year, max year) per occupied cell of ``grid`` (see ``maps.tiles.TileGrid``)."""
        sql, params = S.grid_sql(filters, self.dialect, grid)
        return self._tuples(self._spatial_hint(sql, filters.replace(bbox=grid.bbox), sparse_only=False), params)

    def _spatial_index(self, filters: Filters, *, sparse_only: bool) -> str | None:
        """The grid-cell index of the point the caller sees, to read a bbox through. Left alone, SQLite may walk
        a species index (~150 ms for a 0.5° box and a species at 1 M records, 5 ms through the cells) or, without
        statistics, the whole table through the status index. With ``sparse_only`` (pages and counts), only for
        a box expected to hold at most DENSE_BBOX_ROWS records (cells in the box × records per occupied cell,
        from the index statistics; assumed when there are none): in a larger box a page is found sooner in seq
        order, and a species index narrows a count more. Map reads (tiles) take every record of the box, which
        the cells always narrow best (tile p90 16 ms this way, 27 ms leaving large boxes to the planner)."""
        ranges = S.cell_ranges(filters.bbox) if filters.bbox else None
        if ranges is None or filters.geometry is not None:
            return None
        kind, _ = A.parse_access(filters.access)
        index = {A.FULL: "ix_cell", A.PUBLIC: "ix_pub_cell"}.get(kind)
        if index is None:
            return None
        present, per_cell = self._index_facts(index)
        if not present:
            return None
        if not sparse_only:
            return index
        cells = sum(last - first + 1 for first, last in ranges)
        return index if per_cell is None or cells * per_cell <= DENSE_BBOX_ROWS else None

    def _index_facts(self, index: str) -> tuple[bool, int | None]:
        """Whether ``index`` exists and its records per key, remembered for INDEX_FACTS_SECONDS. Asking SQLite
        on every request cost two more statements per page: under concurrency each one releases and retakes
        the GIL, and those hand-offs, not SQLite, made the latency of 16-64 clients (see README, Serving).
        A stale answer only changes the plan (the hint of an index dropped meanwhile is retried without it)."""
        now = time.monotonic()
        found = self._facts.get(index)
        if found is None or found[0] < now:
            conn = self.conn
            present = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?",
                                   [index]).fetchone() is not None
            found = self._facts[index] = (now + INDEX_FACTS_SECONDS, present, _rows_per_key(conn, index))
        return found[1], found[2]

    def _table(self, filters: Filters, *, sparse_only: bool = True) -> str:
        """The table for a ``FROM``, with an ``INDEXED BY`` hint when :meth:`_spatial_index` has one."""
        return _indexed(self._spatial_index(filters, sparse_only=sparse_only))

    def _spatial_hint(self, sql: str, filters: Filters, *, sparse_only: bool = True) -> str:
        """``sql`` (one query on the table) with the hint of :meth:`_table`."""
        table = f"FROM {S.quote(S.TABLE)} "
        return sql.replace(table, f"FROM {self._table(filters, sparse_only=sparse_only)} ", 1)

    def extra_term_names(self, filters: Filters) -> list[str]:
        """The names of the extra terms held by the matching records (export columns), sorted."""
        sql, params = S.extra_keys_sql(filters, self.dialect, "j.key", "json_each(t.x) AS j")
        return sorted(r[0] for r in self._tuples(sql, params))

    def facets(self, filters: Filters, fields: Sequence[str], limit: int = 50) -> dict[str, list[tuple]]:
        queries = {name: S.facet_sql(filters, self.dialect, name, limit) for name in fields}  # all checked first
        return {name: [(r[0], r[1]) for r in self.conn.execute(*q)] for name, q in queries.items()}

    def extents(self, filters: Filters, group_by: str | None = None) -> dict:
        return S.extent_rows(self.conn.execute(*S.extent_sql(filters, self.dialect, group_by)).fetchall(), group_by)


def _indexed(index: str | None) -> str:
    """The table for a ``FROM``, read through ``index`` when there is one."""
    return S.quote(S.TABLE) + (f" INDEXED BY {S.quote(index)}" if index else "")


def _all_none(values: list) -> bool:
    return not values or (values[0] is None and values.count(None) == len(values))


def _drop_indexes(conn: sqlite3.Connection, table: str) -> list[str]:
    """Drop the secondary indexes of ``table``; returns the statements that create them again."""
    found = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                         "AND sql IS NOT NULL", [table]).fetchall()
    for name, _ in found:
        conn.execute(f"DROP INDEX {S.quote(name)}")
    return [sql for _, sql in found]


def sqlite_path(url: str) -> str:
    """``sqlite:///rel/path.db`` → ``rel/path.db``; ``sqlite:////abs/path.db`` → ``/abs/path.db``; a bare
    path is accepted too."""
    if "://" not in url:
        return url
    parsed = urlparse(url)
    if parsed.scheme != "sqlite":
        raise StoreUnavailable(url=url, reason="not a sqlite:// URL")
    path = unquote(parsed.path)
    if parsed.netloc == "" and path.startswith("/"):
        path = path[1:]
    return path or ":memory:"


__all__ = ["SQLiteStore", "GEOSPATIAL_ISSUES", "Conflict"]
