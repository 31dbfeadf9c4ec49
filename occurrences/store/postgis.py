"""PostGIS backend: the store contract on PostgreSQL + PostGIS, for deployments with many users (QGIS connects
to the same tables directly).

- URL: ``postgresql://user:pass@host:5432/db?schema=occurrences`` (``schema`` defaults to ``public``; other
  query parameters go to libpq unchanged; ``pool_max`` sets the connection-pool size).
- Geometry: ``geom geometry(Point, 4326)`` is a generated column computed by the server from
  decimalLongitude/decimalLatitude, with a GiST index; bulk loads therefore send plain numbers.
- Writes: one transaction per call, writers serialized by a table lock (readers are never blocked), so
  insertion order (``seq``) is commit order and cursor paging never skips a row that commits later.
- Bulk import: ``COPY`` of the validated columns as CSV written by Arrow (streamed by a writer thread while the
  server parses); large loads drop the secondary indexes and rebuild them once (3-10× faster than maintaining
  them, and GiST inserts are slowest of all), then ANALYZE the filtered columns. A first load into an empty
  table is written frozen and all-visible (``COPY FREEZE``), a large one into a non-empty table is VACUUMed
  after commit: counts are index-only scans either way.
- Filters, facets, paging, access rules: the shared builders of :mod:`occurrences.store.sql` with ``%s``
  placeholders; only the spatial predicates are PostGIS's own.
"""
from __future__ import annotations

import contextlib
import io
import json
import math
import threading
from typing import Iterable, Iterator, Mapping, Sequence
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg
from psycopg import sql as pgsql
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

from ..errors import InvalidValue, NotFound, StoreUnavailable
from ..records import FIELD_NAMES, now_iso
from . import access as A
from . import owners as O
from . import changes as C
from . import people as P
from . import sql as S
from .base import AddResult, Page, iter_pages, matched_by_count
from .columns import (STORED_COLUMNS, batch_length, classify_existing, column_chunks, columnar, row_to_record,
                      to_columns, updated_columns)
from .filters import Filters

SRID = 4326
BULK_THRESHOLD = 50_000  # batches at least this large (and larger than the table) load without indexes
LOAD_SLICE_ROWS = 100_000  # a first load converts and writes this many records at a time (see _first_load)
DEFAULT_POOL_MAX = 10
_STORE_PARAMS = ("schema", "pool_max")  # our URL parameters; the rest belong to libpq

_TEXT = 'text COLLATE "C"'  # byte order, like SQLite's BINARY: same sort order of facets, faster compares
_V1_COLUMNS = (
    ("occurrenceID", f"{_TEXT} NOT NULL"), ("basisOfRecord", f"{_TEXT} NOT NULL"),
    ("scientificName", f"{_TEXT} NOT NULL"), ("vernacularName", _TEXT), ("taxonRank", _TEXT), ("family", _TEXT),
    ("eventDate", f"{_TEXT} NOT NULL"), ("year", "integer"), ("month", "integer"), ("day", "integer"),
    ("decimalLatitude", "double precision"), ("decimalLongitude", "double precision"), ("geodeticDatum", _TEXT),
    ("coordinateUncertaintyInMeters", "double precision"), ("countryCode", _TEXT), ("stateProvince", _TEXT),
    ("locality", _TEXT), ("recordedBy", _TEXT), ("individualCount", "bigint"), ("sex", _TEXT),
    ("lifeStage", _TEXT), ("samplingProtocol", _TEXT), ("occurrenceRemarks", _TEXT), ("verbatimEventDate", _TEXT),
    ("verbatimCoordinates", _TEXT), ("verbatimLatitude", _TEXT), ("verbatimLongitude", _TEXT),
    ("verbatimLocality", _TEXT), ("verbatimSRS", _TEXT), ("language", _TEXT), ("informationWithheld", _TEXT),
    ("dataGeneralizations", _TEXT), ("issues", "jsonb NOT NULL DEFAULT '[]'"), ("submittedBy", _TEXT),
    ("submittedAt", _TEXT),
    # derived (see store.columns and store.access)
    ("_start", f"{_TEXT} NOT NULL"), ("_end", f"{_TEXT} NOT NULL"), ("_cell", "bigint NOT NULL"),
    ("_geo_issue", "integer NOT NULL DEFAULT 0"), ("_record_sensitivity", "integer NOT NULL DEFAULT 0"),
    ("_sensitivity", "integer NOT NULL DEFAULT 0"), ("_pub_lat", "double precision"),
    ("_pub_lon", "double precision"), ("_pub_uncertainty", "double precision"),
    ("_pub_cell", "bigint NOT NULL DEFAULT -1"), ("_pub_withheld", _TEXT), ("_pub_generalizations", _TEXT),
    ("_status", f"{_TEXT} NOT NULL DEFAULT 'accepted'"),
)
# Secondary indexes match the filters (as in the SQLite store); ``seq`` last so a filtered page in insertion
# order is read straight from the index, without sorting all matches; ``_status`` (every public read tests it)
# inside the species/country ones so counts need not visit the table. (Schema 2 replaces some: see _schema_v2.)
_V1_INDEXES = {
    "ix_species_country": ("scientificName", "countryCode", "_status", "seq"),
    "ix_country": ("countryCode", "_status", "seq"),
    "ix_start": ("_start", "seq"),
    "ix_year": ("year", "seq"),
    "ix_basis": ("basisOfRecord", "seq"),
    "ix_status": ("_status",),
    "ix_pub_cell": ("_pub_cell",),
}


_ANALYZE_COLUMNS = ("seq", "occurrenceID", "scientificName", "countryCode", "stateProvince", "basisOfRecord",
                    "recordedBy", "year", "_start", "_end", "_geo_issue", "_status", "_pub_cell", "submittedBy",
                    "geom")


def _schema_v1() -> list[str]:
    t = S.quote(S.TABLE)
    columns = ",\n  ".join(f"{S.quote(name)} {kind}" for name, kind in _V1_COLUMNS)
    people = [s for s in P.schema("bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY")
              if not s.startswith("CREATE INDEX ix_status") and not s.startswith("CREATE INDEX ix_pub_cell")]
    return [
        f"""CREATE TABLE {t} (
  seq bigint PRIMARY KEY,
  {columns},
  geom geometry(Point, {SRID}) GENERATED ALWAYS AS
    (ST_SetSRID(ST_MakePoint("decimalLongitude", "decimalLatitude"), {SRID})) STORED
)""",
        f'CREATE UNIQUE INDEX ux_occurrence_id ON {t} ("occurrenceID")',
        *[f"CREATE INDEX {name} ON {t} ({', '.join(S.quote(c) for c in cols)})"
          for name, cols in _V1_INDEXES.items()],
        f"CREATE INDEX ix_geom ON {t} USING gist (geom)",
        f"CREATE TABLE {S.quote(S.ISSUE_TABLE)} (seq bigint NOT NULL, code {_TEXT} NOT NULL, PRIMARY KEY (code, seq))",
        f"CREATE INDEX ix_issue_seq ON {S.quote(S.ISSUE_TABLE)} (seq)",
        *people,
    ]


def _schema_v2() -> list[str]:
    """Cheaper bulk loads (each index is a full sort of the table at every large import):

    - the species/country indexes hold the accepted records only, so ``_status`` leaves their keys (one column
      less to compare in every sort step: ~25% less build time). Every read of records tests
      ``_status IN (...)`` (``Filters.status``, accepted by default), which implies the index predicate, so they
      serve the public, submitter and full-access reads alike, counts as index-only scans;
    - the review queue's index holds only the records not yet accepted (a few hundred, where the index on
      ``_status`` held every row); ``_status IN ('pending')`` implies its predicate too.
    """
    t, accepted = S.quote(S.TABLE), f"{S.quote('_status')} = 'accepted'"
    return ["DROP INDEX IF EXISTS ix_status", "DROP INDEX IF EXISTS ix_species_country",
            "DROP INDEX IF EXISTS ix_country",
            f"CREATE INDEX ix_review ON {t} (seq) WHERE {S.quote('_status')} <> 'accepted'",
            f'CREATE INDEX ix_species_country ON {t} ("scientificName", "countryCode", seq) WHERE {accepted}',
            f'CREATE INDEX ix_country ON {t} ("countryCode", seq) WHERE {accepted}']


# Each entry migrates from version i to i+1. Append; never edit a released migration. An entry returns SQL
# statements and/or callables taking the connection, run in one transaction.
def _schema_v3() -> list[str]:
    """As SQLite's schema 4: a year filter is answered by the event-date index (``year`` is the year of
    ``_start``; see sql.where_clause), and basisOfRecord alone selects too much of the table for an index to
    beat a scan. Each index dropped is ~2 s less rebuilding per million records after a bulk load."""
    return ["DROP INDEX IF EXISTS ix_year", "DROP INDEX IF EXISTS ix_basis"]


def _schema_terms() -> list[str]:
    """As SQLite's schema 5: absences (``occurrenceStatus``) and the other Darwin Core terms of a source record
    (``extraTerms``, JSON text, read back as the text it was written)."""
    t = S.quote(S.TABLE)
    return [f'ALTER TABLE {t} ADD COLUMN "occurrenceStatus" {_TEXT}', f'ALTER TABLE {t} ADD COLUMN "extraTerms" text']


def _schema_v4() -> list:
    """As SQLite's schema 6: the public issue list of each record, and every public column derived again (the
    uncertainty of a sensitive record is now a function of its cell alone); see store.access."""
    return [f"""ALTER TABLE {S.quote(S.TABLE)} ADD COLUMN "_pub_issues" jsonb NOT NULL DEFAULT '[]'""",
            _backfill_public]


def _backfill_public(conn) -> None:
    """Every public column of every stored row, derived again in batches (each keeps its own level)."""
    t = S.quote(S.TABLE)
    names = A.PUBLIC_DERIVED
    sets = ", ".join(f"{S.quote(c)} = %s" + ("::jsonb" if c == "_pub_issues" else "") for c in names)
    last = 0
    while True:
        with conn.cursor(row_factory=dict_row) as cur:
            rows = cur.execute(f'SELECT {S.SELECT_COLUMNS}, "_record_sensitivity" FROM {t} WHERE seq > %s '
                               "ORDER BY seq LIMIT 50000", [last]).fetchall()
        if not rows:
            return
        cols = {name: [r[name] for r in rows] for name in FIELD_NAMES}
        derived = A.public_derived(cols, [r["_record_sensitivity"] for r in rows])
        conn.cursor().executemany(f"UPDATE {t} SET {sets} WHERE seq = %s",
                                  list(zip(*(derived[c] for c in names), (r["seq"] for r in rows))))
        last = rows[-1]["seq"]


def _schema_v5() -> list:
    """As SQLite's schema 7: owners that are no account (``cli``, free text) become label owners."""
    return [O.relabel_migration("%s")]


def _schema_v6() -> list:
    """As SQLite's schema 8: failed sign-ins in the database, so several servers limit them as one."""
    return P.failure_schema()



def _schema_v7() -> list[str]:
    """As SQLite's schema 9: the change counter (see store.changes)."""
    return C.schema()


def _schema_intervals() -> list[str]:
    """As SQLite's schema 10: a partial index of the intervals, for date filters that match by overlap."""
    return [S.INTERVAL_INDEX_SQL]


def _schema_surveys() -> list[str]:
    """As SQLite's schema 11: camera-trap surveys (see camtrap.tables)."""
    from ..camtrap.tables import schema

    return schema("postgis")


# Function names lag the version numbers: the list's order is the schema's history (4: terms, 5: public issues,
# 6: owners, 7: sign-in failures, 8: the change counter, 9: intervals; SQLite has one more before them).
MIGRATIONS = [_schema_v1, _schema_v2, _schema_v3, _schema_terms, _schema_v4, _schema_v5, _schema_v6, _schema_v7,
              _schema_intervals, _schema_surveys]


def parse_url(url: str) -> tuple[str, str, dict]:
    """``postgresql://...?schema=s&pool_max=4&sslmode=require`` → (libpq URL, schema, our options)."""
    parts = urlsplit(url)
    scheme = "postgresql" if parts.scheme in ("postgres", "postgis", "postgresql") else parts.scheme
    query = parse_qsl(parts.query, keep_blank_values=True)
    ours = {k: v for k, v in query if k in _STORE_PARAMS}
    libpq = [(k, v) for k, v in query if k not in _STORE_PARAMS]
    conninfo = urlunsplit((scheme, parts.netloc, parts.path, urlencode(libpq), parts.fragment))
    return conninfo, ours.get("schema") or "public", ours


class PostGISStore:
    # Requests a server process works on at once by default (api.request_threads): they wait on the database
    # server, so several threads overlap those waits.
    request_threads = 4

    def __init__(self, url: str):
        from . import redact

        self.url = url
        self._shown_url = redact(url)
        self.conninfo, self.schema, options = parse_url(url)
        try:
            pool_max = int(options.get("pool_max", DEFAULT_POOL_MAX))
        except ValueError:
            raise StoreUnavailable(url=self._shown_url, reason="pool_max must be a whole number") from None
        self.dialect = S.Dialect("%s", self._bbox_predicate, self._geometry_predicate)
        self._search_path = self._migrate()
        self._pool_max = max(1, pool_max)
        self._pool: ConnectionPool | None = None
        self._pool_lock = threading.Lock()
        self.pool  # open now: a bad URL or a full server fails here, not at the first request

    # -- connections -------------------------------------------------------------------------------------
    @property
    def pool(self) -> ConnectionPool:
        """The connection pool, (re)opened on first use: like the SQLite store, a closed store still works (the
        server's shutdown closes a store that a test or a CLI command may go on using)."""
        with self._pool_lock:
            if self._pool is None:
                pool = ConnectionPool(self.conninfo, min_size=1, max_size=self._pool_max, open=False,
                                      kwargs={"autocommit": True}, configure=self._configure,
                                      name=f"occurrences-{self.schema}")
                pool.open(wait=True, timeout=30)
                self._pool = pool
            return self._pool

    def _connect(self) -> psycopg.Connection:
        try:
            return psycopg.connect(self.conninfo, autocommit=True, connect_timeout=10)
        except psycopg.Error as exc:
            raise StoreUnavailable(url=self._shown_url, reason=str(exc).strip()) from None

    def _configure(self, conn: psycopg.Connection) -> None:
        conn.execute(self._search_path)
        # psycopg prepares a query run 5 times, and PostgreSQL may then plan it once for any values: such a
        # generic plan cannot use the partial indexes (``_status = $1`` proves nothing) nor see skewed species
        # counts, and was 3-10× slower here. Our queries plan in ~0.1 ms: plan them for their values each time.
        conn.execute("SET plan_cache_mode = force_custom_plan")

    def close(self) -> None:
        with self._pool_lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.close()

    # -- schema ------------------------------------------------------------------------------------------
    def _migrate(self) -> pgsql.Composed:
        """Create or upgrade the schema; returns the ``SET search_path`` every connection runs. Concurrent
        openers (several server workers starting at once) wait for each other on an advisory lock."""
        with self._connect() as conn, conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"occurrences:{self.schema}"])
            postgis_schema = self._ensure_postgis(conn)
            conn.execute(pgsql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(pgsql.Identifier(self.schema)))
            path = pgsql.SQL("SET search_path TO {}, {}").format(pgsql.Identifier(self.schema),
                                                                  pgsql.Identifier(postgis_schema))
            conn.execute(path)
            conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)")
            version = conn.execute("SELECT max(version) FROM schema_version").fetchone()[0] or 0
            if version > len(MIGRATIONS):
                raise StoreUnavailable(url=self._shown_url,
                                       reason=f"schema version {version} is newer than this program")
            for target in range(version, len(MIGRATIONS)):
                for statement in MIGRATIONS[target]():
                    statement(conn) if callable(statement) else conn.execute(statement)
                conn.execute("DELETE FROM schema_version")
                conn.execute("INSERT INTO schema_version (version) VALUES (%s)", [target + 1])
            self._check_columns(conn)
        return path

    def _ensure_postgis(self, conn) -> str:
        row = conn.execute("SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
                           "WHERE e.extname = 'postgis'").fetchone()
        if row:
            return row[0]
        try:
            with conn.transaction():
                conn.execute("CREATE EXTENSION postgis SCHEMA public")
        except psycopg.Error as exc:
            raise StoreUnavailable(
                url=self._shown_url,
                reason=f"PostGIS is not installed in this database and could not be installed ({str(exc).strip()}); "
                       "an administrator can run CREATE EXTENSION postgis") from None
        return "public"

    def _check_columns(self, conn) -> None:
        """Fail at open, not at the first insert, when the code stores a column no migration has created."""
        have = {r[0] for r in conn.execute(
            "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
            [S.quote(S.TABLE)])}
        missing = [c for c in (*STORED_COLUMNS, "_status") if c not in have]
        if missing:
            raise StoreUnavailable(url=self._shown_url,
                                   reason=f"the table lacks columns {missing}; add a PostGIS migration")

    @property
    def schema_version(self) -> int:
        with self.pool.connection() as conn:
            return conn.execute("SELECT max(version) FROM schema_version").fetchone()[0]

    # -- dialect -----------------------------------------------------------------------------------------
    def _bbox_predicate(self, bbox) -> tuple[str, list]:
        # && uses the GiST index (float4 boxes, rounded outwards); the exact comparison keeps results identical
        # to the SQLite store's for points on or near the edges.
        x0, y0, x1, y1 = (float(v) for v in bbox)
        return (f'geom && ST_MakeEnvelope(%s, %s, %s, %s, {SRID}) AND "decimalLatitude" BETWEEN %s AND %s '
                f'AND "decimalLongitude" BETWEEN %s AND %s', [x0, y0, x1, y1, y0, y1, x0, x1])

    def _geometry_predicate(self, geom, point=("decimalLongitude", "decimalLatitude")) -> tuple[str, list]:
        import shapely

        if tuple(point) == ("decimalLongitude", "decimalLatitude"):
            target = "geom"
        else:
            lon, lat = (S.quote(c) for c in point)
            target = f"ST_SetSRID(ST_MakePoint({lon}, {lat}), {SRID})"
        return f"ST_Intersects({target}, ST_GeomFromWKB(%s, {SRID}))", [shapely.to_wkb(geom)]

    # -- writes ------------------------------------------------------------------------------------------
    def add_many(self, records, *, submitted_by: str = O.ANONYMOUS_OWNER,
                 status: str | list[str] = "pending", also=None) -> AddResult:
        """Store records in one transaction. ``also(conn)``, when given, writes more rows (a survey's tables) in
        the same transaction: both are committed, or neither."""
        columns = columnar(records)
        n = batch_length(columns)
        status = A.status_column(status, n)
        if n == 0:
            if also is not None:
                with self.transaction() as conn:
                    also(conn)
            return AddResult([])
        # A large batch is converted only once the table is locked: into an empty table it is converted slice
        # by slice while COPY writes the previous slice (see _first_load).
        cols = None if n >= BULK_THRESHOLD else self._converted(columns, submitted_by, status)
        with self.pool.connection() as conn, conn.transaction():
            # One writer at a time (readers go on): seq order is commit order, and the idempotency check
            # below cannot race another import of the same records.
            conn.execute(f"LOCK TABLE {S.quote(S.TABLE)} IN SHARE ROW EXCLUSIVE MODE")
            conn.execute(C.bump_sql())  # committed with the records, or rolled back with them
            empty = self._empty(conn)
            if cols is None and empty:
                self._first_load(conn, columns, n, submitted_by, status)
                if also is not None:
                    also(conn)
                return AddResult(["stored"] * n)
            cols = cols or self._converted(columns, submitted_by, status)
            statuses, vacuum = self._insert(conn, cols, n, empty)
            if also is not None:
                also(conn)
        if vacuum:
            self._vacuum()
        return AddResult(statuses)

    @contextlib.contextmanager
    def transaction(self):
        """A write transaction on a pooled connection: committed when the block ends, rolled back if it raises."""
        with self.pool.connection() as conn, conn.transaction():
            yield conn

    @staticmethod
    def write_rows(conn, table: str, names: Sequence[str], columns: Sequence[Sequence]) -> None:
        """COPY column-wise data into ``table`` (inside the caller's transaction)."""
        copy_rows(conn, table, names, columns)

    def fetch(self, sql: str, params: Sequence) -> tuple[list[str], list[tuple]]:
        """Column names and rows (tuples) of a query."""
        with self.pool.connection() as conn, conn.cursor() as cur:
            cur.execute(sql, list(params))
            return [d.name for d in cur.description], cur.fetchall()

    @staticmethod
    def _converted(columns: dict, submitted_by: str, status: list[str]) -> dict:
        cols = to_columns(columns, submitted_by=submitted_by)
        cols["_status"] = status
        _reject_duplicate_ids(cols["occurrenceID"])
        return cols

    @staticmethod
    def _empty(conn) -> bool:
        t, it = S.quote(S.TABLE), S.quote(S.ISSUE_TABLE)
        return conn.execute(f"SELECT NOT EXISTS (SELECT 1 FROM {t}) AND NOT EXISTS (SELECT 1 FROM {it})"
                            ).fetchone()[0]

    def _first_load(self, conn, columns: dict, n: int, submitted_by: str, status: list[str]) -> None:
        """A large batch into empty tables: one pipeline, each stage on its own core. The client converts
        slice k+1 (to_columns, Arrow, CSV) while the server parses slice k; the indexes, the primary key
        included, are built once at the end (a sorted build, several times cheaper than a million inserts);
        the tables, emptied once more in this transaction, take the rows frozen and all-visible."""
        _reject_duplicate_ids(columns.get("occurrenceID", []))
        t, it = S.quote(S.TABLE), S.quote(S.ISSUE_TABLE)
        saved = _drop_indexes(conn, S.TABLE, primary=True)
        conn.execute(f"TRUNCATE {t}, {it}")
        issue_rows: list[tuple[int, str]] = []

        def slices():
            first = 1
            for cols in column_chunks(columns, LOAD_SLICE_ROWS, submitted_by=submitted_by):
                m = len(cols["occurrenceID"])
                cols["seq"], cols["_status"] = range(first, first + m), status[first - 1:first - 1 + m]
                issue_rows.extend(_issue_rows(cols["seq"], cols["issues"]))
                first += m
                yield cols

        copy_column_slices(conn, S.TABLE, ["seq", *STORED_COLUMNS, "_status"], slices(), freeze=True)
        if issue_rows:
            copy_rows(conn, S.ISSUE_TABLE, ["seq", "code"], list(zip(*issue_rows)), freeze=True)
        self._rebuild(conn, saved)

    def _insert(self, conn, cols: dict, n: int, empty: bool) -> tuple[list[str], bool]:
        """Returns what happened to each record, and whether the table wants a VACUUM once committed."""
        t = S.quote(S.TABLE)
        statuses, keep = (["stored"] * n, list(range(n))) if empty else self._classify_existing(conn, cols, n)
        if not keep:
            return statuses, False
        if len(keep) < n:
            cols = {k: [v[i] for i in keep] for k, v in cols.items()}
        m = len(keep)
        first = conn.execute(f"SELECT coalesce(max(seq), 0) + 1 FROM {t}").fetchone()[0]
        seqs = range(first, first + m)
        # (a large batch into empty tables never gets here: see _first_load)
        bulk = m >= BULK_THRESHOLD and m > conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        saved = _drop_indexes(conn, S.TABLE) if bulk else []
        names = [c for c in (*STORED_COLUMNS, "_status") if cols[c].count(None) != m]  # NULL by default
        copy_columns(conn, S.TABLE, {"seq": seqs, **{c: cols[c] for c in names}})
        issue_rows = _issue_rows(seqs, cols["issues"])
        if issue_rows:
            copy_rows(conn, S.ISSUE_TABLE, ["seq", "code"], list(zip(*issue_rows)))
        if bulk:
            self._rebuild(conn, saved)
        # Rows loaded in bulk into a table that already had rows are not all-visible until a VACUUM: until then
        # counts visit the table for every match (30 ms instead of 2 for a species+country count at 1 M).
        return statuses, bulk

    @staticmethod
    def _rebuild(conn, saved: list[str], analyze: bool = True) -> None:
        """Re-create the indexes dropped for a bulk load, then gather the planner's statistics."""
        conn.execute("SET LOCAL maintenance_work_mem = '512MB'")
        for statement in saved:
            conn.execute(statement)
        if not analyze:
            return
        # statistics for the planner, on the columns queries filter and sort by (all columns: 5x slower)
        conn.execute(f"ANALYZE {S.quote(S.TABLE)} ({', '.join(S.quote(c) for c in _ANALYZE_COLUMNS)})")

    def _vacuum(self) -> None:
        """VACUUM (ANALYZE) the occurrence table after a bulk load has committed (VACUUM cannot run inside a
        transaction). Only bookkeeping: the rows are stored whatever happens here, so a failure is ignored and
        autovacuum does it later."""
        try:
            with self.pool.connection() as conn:
                conn.execute(f"VACUUM (ANALYZE) {S.quote(S.TABLE)}")
        except psycopg.Error:
            pass

    def _classify_existing(self, conn, cols, n) -> tuple[list[str], list[int]]:
        """The stored records sharing an occurrenceID with this batch, classified by :func:`classify_existing`."""
        ids = cols["occurrenceID"]
        found: dict[str, dict] = {}
        with conn.cursor(row_factory=dict_row) as cur:
            for i in range(0, n, 10_000):
                cur.execute(f'SELECT {S.SELECT_COLUMNS} FROM {S.quote(S.TABLE)} WHERE "occurrenceID" = ANY(%s)',
                            [ids[i:i + 10_000]])
                found.update({r["occurrenceID"]: row_to_record(r) for r in cur})
        return classify_existing(cols, found)

    def update(self, occurrence_id: str, changes: Mapping, *, actor: str = "system", action: str = "edit",
               reason: str | None = None) -> dict:
        """Change fields (and/or ``status``, ``sensitivity``) of one record in one transaction, keeping an audit
        entry (who, when, before, after). Returns the record as stored (precise)."""
        t = S.quote(S.TABLE)
        with self.pool.connection() as conn, conn.transaction():
            before = self._snapshot(conn, occurrence_id, lock=True)
            if before is None:
                raise NotFound(id=occurrence_id)
            seq = before.pop("_seq")
            cols, names = updated_columns(before, changes, occurrence_id)
            conn.execute(f"UPDATE {t} SET {', '.join(f'{S.quote(c)} = %s' for c in names)} WHERE seq = %s",
                         [_param(c, cols[c][0]) for c in names] + [seq])
            conn.execute(f"DELETE FROM {S.quote(S.ISSUE_TABLE)} WHERE seq = %s", [seq])
            codes = list(dict.fromkeys(json.loads(cols["issues"][0])))
            if codes:
                conn.cursor().executemany(f"INSERT INTO {S.quote(S.ISSUE_TABLE)} (seq, code) VALUES (%s, %s)",
                                          [(seq, c) for c in codes])
            after = self._snapshot(conn, occurrence_id)
            after.pop("_seq")
            conn.execute(*P.insert_audit("%s", occurrence_id, now_iso(), actor, action, reason, before, after))
            conn.execute(C.bump_sql())
        return self.get(occurrence_id, access=A.FULL)

    def _snapshot(self, conn, occurrence_id: str, lock: bool = False) -> dict | None:
        """The precise record with its review state, as kept in the audit trail."""
        from ..sensitivity import LEVELS

        with conn.cursor(row_factory=dict_row) as cur:
            row = cur.execute(f'SELECT {S.SELECT_COLUMNS}, "_status", "_record_sensitivity" FROM {S.quote(S.TABLE)} '
                              f'WHERE "occurrenceID" = %s' + (" FOR UPDATE" if lock else ""),
                              [occurrence_id]).fetchone()
        if row is None:
            return None
        return {**row_to_record(row), "status": row["_status"], "sensitivity": LEVELS[row["_record_sensitivity"]],
                "_seq": row["seq"]}

    def delete(self, occurrence_id: str, *, actor: str = "system", reason: str | None = None) -> None:
        with self.pool.connection() as conn, conn.transaction():
            before = self._snapshot(conn, occurrence_id, lock=True)
            if before is None:
                raise NotFound(id=occurrence_id)
            seq = before.pop("_seq")
            conn.execute(f"DELETE FROM {S.quote(S.ISSUE_TABLE)} WHERE seq = %s", [seq])
            conn.execute(f"DELETE FROM {S.quote(S.TABLE)} WHERE seq = %s", [seq])
            conn.execute(*P.insert_audit("%s", occurrence_id, now_iso(), actor, "delete", reason, before, None))
            conn.execute(C.bump_sql())

    # -- users and credentials ---------------------------------------------------------------------------
    def add_user(self, name: str, role: str) -> None:
        try:
            self._write(*P.insert_user("%s", name, role, now_iso()))
        except psycopg.errors.UniqueViolation:
            raise InvalidValue("name", name, reason="a user with this name already exists") from None

    def users(self) -> list[dict]:
        return [P.user_row(r) for r in self._read(*P.select_users("%s"))]

    def set_user_active(self, name: str, active: bool) -> bool:
        return self._write(*P.set_active("%s", name, active)) > 0

    def add_credential(self, token_hash: str, user_name: str, kind: str, expires: str | None = None) -> None:
        self._write(*P.insert_credential("%s", token_hash, user_name, kind, now_iso(), expires))

    def user_for_credential(self, token_hash: str) -> dict | None:
        """The active user holding this (unexpired) credential, with its ``kind``; None otherwise."""
        rows = self._read(*P.select_credential_user("%s", token_hash, now_iso()))
        return {**P.user_row(rows[0]), "hash": rows[0][4], "kind": rows[0][5]} if rows else None

    def delete_credential(self, token_hash: str) -> None:
        self._write(*P.delete_credential("%s", token_hash))

    # -- sign-in limiter state (occurrences.api.limiter) -------------------------------------------------
    def add_failure(self, key: str, at: float, forget_before: float) -> None:
        """Record a failed sign-in of ``key``, and forget every failure older than ``forget_before``."""
        self._write(*P.delete_failures("%s", forget_before))
        self._write(*P.insert_failure("%s", key, at))

    def failures(self, key: str, since: float) -> tuple[int, float | None]:
        """Failures of ``key`` after ``since``: how many, and when the oldest of them was."""
        row = self._read(*P.select_failures("%s", key, since))[0]
        return int(row[0]), row[1]

    def changes(self) -> int:
        """The change counter: moves at every committed write of records (see store.changes)."""
        with self.pool.connection() as conn:
            return conn.execute(C.read_sql()).fetchone()[0]

    def _write(self, sql: str, params: list) -> int:
        with self.pool.connection() as conn, conn.transaction():
            return conn.execute(sql, params).rowcount

    def _read(self, sql: str, params: list, row_factory=None) -> list:
        with self.pool.connection() as conn, conn.cursor(row_factory=row_factory) as cur:
            return cur.execute(sql, params).fetchall()

    # -- reads -------------------------------------------------------------------------------------------
    def get(self, occurrence_id: str, access: str = A.PUBLIC) -> dict | None:
        """One record as ``access`` may see it; None when it does not exist or is not visible to them."""
        columns, params = S.select_columns(access, self.dialect)
        where, where_params = "1=1", []
        if (visible := A.visibility(access, self.dialect)) is not None:
            where, where_params = visible
        rows = self._read(f'SELECT {columns} FROM {S.quote(S.TABLE)} WHERE "occurrenceID" = %s AND {where}',
                          [*params, occurrence_id, *where_params], dict_row)
        return row_to_record(rows[0]) if rows else None

    def state(self, occurrence_id: str) -> dict | None:
        """Review bookkeeping of one record (see ``SQLiteStore.state``)."""
        from ..sensitivity import LEVELS

        rows = self._read(f'SELECT "_status", "submittedBy", "_sensitivity", "_record_sensitivity" FROM '
                          f'{S.quote(S.TABLE)} WHERE "occurrenceID" = %s', [occurrence_id])
        if not rows:
            return None
        status, by, level, own = rows[0]
        return {"status": status, "submittedBy": by, "sensitivity": LEVELS[level], "record_sensitivity": LEVELS[own]}

    def history(self, occurrence_id: str) -> list[dict]:
        return [P.audit_entry(r) for r in self._read(*P.select_audit("%s", occurrence_id))]

    def query(self, filters: Filters, *, count: bool = False) -> Page:
        if count and filters.cursor is None and (filters.bbox or filters.geometry is not None):
            # A spatial filter is answered through the GiST index, which reads every match before the page's
            # ORDER BY: count them in that scan rather than in a second statement and round trip.
            rows = self._read(*S.counted_page_sql(filters, self.dialect, *S.select_columns(filters.access,
                                                                                          self.dialect),
                                                  S.quote(S.TABLE)), dict_row)
            page = self._page(filters, rows)
            page.matched = rows[0][S.MATCHED] if rows else 0
            return page
        page = self._page(filters, self._read(*S.select_page(filters, self.dialect), dict_row))
        return matched_by_count(self, filters, page) if count else page

    def _page(self, filters: Filters, rows: list[dict]) -> Page:
        more = len(rows) > filters.limit
        rows = rows[: filters.limit]
        cursor = S.next_cursor(filters, rows[-1]) if more and rows else None
        return Page([row_to_record(r) for r in rows], cursor, filters.limit)

    def iter_records(self, filters: Filters, batch_size: int = 10_000) -> Iterator[dict]:
        return iter_pages(self, filters, batch_size)

    def iter_batches(self, filters: Filters, batch_size: int = 100_000):
        """Like :meth:`iter_records`, as Arrow record batches of ``store.arrow.SCHEMA`` (the export path): the
        same pages as ``query`` (``sql.select_page``, so ``Filters.access`` applies), each read by
        ``COPY (page) TO STDOUT`` as CSV and parsed into columns by Arrow's C++ reader: no Python object per
        value (≈10× faster than record dicts)."""
        from .arrow import arrow_pages

        return arrow_pages(lambda f: S.select_page(f, self.dialect), filters.replace(limit=batch_size, cursor=None),
                           self._copy_out, batch_size)

    def _copy_out(self, sql: str, params: list):
        import pyarrow.csv as pacsv

        buf = io.BytesIO()
        with self.pool.connection() as conn, conn.cursor() as cur:
            # COPY takes no server-side parameters: psycopg binds them client-side, as quoted literals.
            with cur.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, HEADER true)", params) as copy:
                for chunk in copy:
                    buf.write(chunk)
        buf.seek(0)
        # In PostgreSQL's CSV a NULL is an empty unquoted field and an empty string is "": read them back as such.
        return pacsv.read_csv(buf, parse_options=pacsv.ParseOptions(newlines_in_values=True),
                              convert_options=pacsv.ConvertOptions(column_types=_CSV_TYPES, null_values=[""],
                                                                   strings_can_be_null=True,
                                                                   quoted_strings_can_be_null=False))

    def count(self, filters: Filters) -> int:
        sql, params = S.count_sql(filters, self.dialect)
        return self._read(sql, params)[0][0]

    def columns(self, filters: Filters, names: Sequence[str], limit: int | None = None) -> dict[str, list]:
        """A few columns of the mapped records as lists (see ``SQLiteStore.columns``)."""
        sql, params = S.columns_sql(filters, self.dialect, tuple(names))
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        rows = self._read(sql, params)
        return {name: [r[i] for r in rows] for i, name in enumerate(names)}

    def grid_counts(self, filters: Filters, grid) -> list[tuple]:
        """(gx, gy, count, min year, max year) per occupied cell of ``grid`` (see ``maps.tiles.TileGrid``): the
        same cells as the SQLite store (tests/test_tiles.py runs on both)."""
        sql, params = grid_sql(filters, self.dialect, grid)
        return [tuple(r) for r in self._read(sql, params)]

    def mvt(self, filters: Filters, grid, extent: int, point_limit: int) -> bytes:
        """Tile ``grid`` as a Mapbox Vector Tile encoded by the server (``ST_AsMVT``), with the features
        ``maps.tiles`` builds from :meth:`columns` and :meth:`grid_counts`: layer ``points`` when the tile holds
        at most ``point_limit`` records, else ``grid`` (tests/test_tiles.py decodes both and compares). The
        points are asked for first: most tiles above the pyramid are empty or hold a few points, and then one
        small statement answers (one statement for both was slower: its plan costs twice as much)."""
        with self.pool.connection() as conn:
            tile = conn.execute(*mvt_points_sql(filters, self.dialect, grid, extent, point_limit)).fetchone()[0]
            if tile is None:  # more than point_limit records
                tile = conn.execute(*mvt_grid_sql(filters, self.dialect, grid, extent)).fetchone()[0]
        return bytes(tile)

    def extra_term_names(self, filters: Filters) -> list[str]:
        """The names of the extra terms held by the matching records (export columns), sorted."""
        sql, params = S.extra_keys_sql(filters, self.dialect, "k", "jsonb_object_keys(t.x::jsonb) AS k")
        return sorted(r[0] for r in self._read(sql, params))

    def facets(self, filters: Filters, fields: Sequence[str], limit: int = 50) -> dict[str, list[tuple]]:
        queries = {name: S.facet_sql(filters, self.dialect, name, limit) for name in fields}  # all checked first
        return {name: [(r[0], r[1]) for r in self._read(*q)] for name, q in queries.items()}

    def extents(self, filters: Filters, group_by: str | None = None) -> dict:
        return S.extent_rows(self._read(*S.extent_sql(filters, self.dialect, group_by)), group_by)


def grid_sql(f: Filters, d: S.Dialect, grid) -> tuple[str, list]:
    """:func:`occurrences.store.sql.grid_sql` with SQLite's cell arithmetic. There ``CAST(x AS INTEGER)``
    truncates; PostgreSQL's rounds, which put every point in the right half of a cell into the next cell. So the
    cell numbers are ``trunc()``-ed here (truncation, not floor, also for the points on the tile's west/north
    edge that come out a hair below 0: SQLite puts those in cell 0)."""
    (lon, lon_p), (lat, lat_p) = (A.column_expr(c, f.access, d) for c in ("decimalLongitude", "decimalLatitude"))
    where, params = S.where_clause(f.replace(bbox=grid.bbox), d, with_cursor=False)
    gx = f"trunc(({lon} - %s) * %s)::integer"
    gy = f"trunc((%s - ln(tan(%s + {lat} * %s))) * %s)::integer"
    sql = (f"SELECT {gx} AS gx, {gy} AS gy, count(*) AS n, min({S.quote('year')}), max({S.quote('year')}) "
           f"FROM {S.quote(S.TABLE)} WHERE {where} GROUP BY gx, gy")
    return sql, [*lon_p, grid.west, grid.kx, grid.y_top, math.pi / 4, *lat_p, math.pi / 360, grid.ky, *params]


def mvt_points_sql(f: Filters, d: S.Dialect, grid, extent: int, point_limit: int) -> tuple[str, list]:
    """The tile's points as a layer ``points`` encoded by ST_AsMVT, or NULL when there are more than
    ``point_limit`` (reading stops at one more). As ``maps.tiles._point_features``: the coordinates ``f.access``
    may see (``access.column_expr``), pixel = ``round()`` (half to even, like numpy's) of the same formula, in
    tile pixels with y down so that ST_AsMVT encodes them as they are; ``year`` -1 when unknown."""
    (lon, lon_p), (lat, lat_p) = (A.column_expr(c, f.access, d) for c in ("decimalLongitude", "decimalLatitude"))
    where, where_p = S.where_clause(f.replace(bbox=grid.bbox), d, with_cursor=False)
    px = f"round(({lon} - %s) / %s * {int(extent)})"
    py = f"round((%s - ln(tan(%s + radians({lat}) / 2))) / %s * {int(extent)})"  # inside the tile: |lat| < 85.05
    points = (f"SELECT ST_MakePoint({px}, {py}) AS geom, {S.quote('occurrenceID')} AS id, "
              f"{S.quote('basisOfRecord')} AS basis, coalesce({S.quote('year')}, -1) AS year "
              f"FROM {S.quote(S.TABLE)} WHERE {where} AND {lat} IS NOT NULL LIMIT {int(point_limit) + 1}")
    sql = (f"WITH points AS MATERIALIZED ({points}) SELECT CASE WHEN (SELECT count(*) FROM points) <= %s "
           f"THEN (SELECT ST_AsMVT(p, 'points', {int(extent)}, 'geom') FROM points p) END")
    return sql, [*lon_p, grid.west, grid.east - grid.west, grid.y_top, math.pi / 4, *lat_p,
                 grid.y_top - grid.y_bottom, *where_p, *lat_p, point_limit]


def mvt_grid_sql(f: Filters, d: S.Dialect, grid, extent: int) -> tuple[str, list]:
    """The cells of :func:`grid_sql` as a layer ``grid`` encoded by ST_AsMVT. As ``maps.tiles._grid_features``:
    a box per cell in tile pixels, cells clipped into the tile after grouping, years 0 when unknown. The boxes
    are turned counter-clockwise in x/y, which is clockwise with y down: an exterior ring for MVT."""
    cells, params = grid_sql(f, d, grid)
    size, last = extent / grid.n, grid.n - 1
    gx, gy = f"least(greatest(gx, 0), {last})", f"least(greatest(gy, 0), {last})"
    boxes = (f"SELECT ST_ForcePolygonCCW(ST_MakeEnvelope({gx} * {size}, {gy} * {size}, ({gx} + 1) * {size}, "
             f"({gy} + 1) * {size})) AS geom, n AS count, coalesce(lo, 0) AS min_year, coalesce(hi, 0) AS max_year "
             f"FROM ({cells}) cells (gx, gy, n, lo, hi)")
    return f"SELECT ST_AsMVT(c, 'grid', {int(extent)}, 'geom') FROM ({boxes}) c", params


def _csv_types() -> dict:
    import pyarrow as pa

    from ..records import FIELDS

    kinds = {str: pa.string(), float: pa.float64(), int: pa.int64(), list: pa.string()}  # issues: jsonb text
    return {**{f.name: kinds[f.type] for f in FIELDS}, "seq": pa.int64(), "_start": pa.string()}


_CSV_TYPES = _csv_types()


# -- bulk COPY -----------------------------------------------------------------------------------------------
def copy_rows(conn, table: str, names: Sequence[str], columns: Sequence[Sequence], freeze: bool = False) -> None:
    """``COPY table (names) FROM STDIN`` of column-wise data. psycopg formats rows in C (faster here than
    building the COPY text in Python, even column by column) and streams them while the server parses.
    ``freeze``: only for a table created or truncated in the current transaction (see ``_first_load``)."""
    statement = (f"COPY {S.quote(table)} ({', '.join(S.quote(c) for c in names)}) FROM STDIN"
                 + (" WITH (FREEZE)" if freeze else ""))
    with conn.cursor() as cur, cur.copy(statement) as copy:
        write = copy.write_row
        for row in zip(*columns):
            write(row)


COPY_CHUNK_ROWS = 50_000
_ARROW_KINDS = (("double precision", "float64"), ("integer", "int64"), ("bigint", "int64"))  # else text


def _arrow_kind(sql_type: str) -> str:
    return next((kind for prefix, kind in _ARROW_KINDS if sql_type.startswith(prefix)), "string")


_COLUMN_KINDS = {"seq": "int64", **{name: _arrow_kind(sql_type) for name, sql_type in _V1_COLUMNS}}


def copy_columns(conn, table: str, columns: Mapping[str, Sequence]) -> None:
    """``COPY table FROM STDIN (FORMAT csv)`` of the occurrence columns: see :func:`copy_column_slices`."""
    copy_column_slices(conn, table, list(columns), [columns])


def copy_column_slices(conn, table: str, names: Sequence[str], slices: Iterable[Mapping[str, Sequence]],
                       freeze: bool = False) -> None:
    """``COPY table (names) FROM STDIN (FORMAT csv)`` of successive slices of column-wise data. Arrow's C++
    writer makes the CSV (2.5× less client CPU than formatting row by row, and exact: shortest round-trip
    floats, every string quoted so that "" stays an empty string and an unquoted empty field is NULL). Chunks
    go to the server from a writer thread while the next slice is made (a generator may still be converting
    it). ``freeze``: see :func:`copy_rows`."""
    import pyarrow as pa
    import pyarrow.csv as pacsv
    from psycopg.copy import QueuedLibpqWriter

    statement = (f"COPY {S.quote(table)} ({', '.join(S.quote(c) for c in names)}) FROM STDIN "
                 f"WITH (FORMAT csv{', FREEZE' if freeze else ''})")
    options = pacsv.WriteOptions(include_header=False, quoting_style="needed")
    with conn.cursor() as cur, cur.copy(statement, writer=QueuedLibpqWriter(cur)) as copy:
        for columns in slices:
            table_data = pa.table({name: _arrow_column(name, columns[name]) for name in names})
            for start in range(0, table_data.num_rows, COPY_CHUNK_ROWS):
                sink = pa.BufferOutputStream()
                pacsv.write_csv(table_data.slice(start, COPY_CHUNK_ROWS), sink, options)
                copy.write(memoryview(sink.getvalue()))


def _arrow_column(name: str, values: Sequence):
    import pyarrow as pa

    kind = _COLUMN_KINDS.get(name, "string")
    if isinstance(values, range):
        return pa.array(values, type=pa.int64())
    try:
        return pa.array(values, type=getattr(pa, kind)())
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        if kind != "string":
            raise
    # text given as numbers (a JSON import, say): stored as their text, as psycopg's row-wise COPY did
    return pa.array([v if v is None or isinstance(v, str) else str(v) for v in values], type=pa.string())


def _drop_indexes(conn, table: str, primary: bool = False) -> list[str]:
    """Drop the secondary indexes of ``table`` (inside the caller's transaction), and with ``primary`` its
    primary key too; return the statements that re-create them."""
    rows = conn.execute(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid), c.conname, "
        "pg_get_constraintdef(c.oid) FROM pg_index i "
        "LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid AND c.contype = 'p' "
        "WHERE i.indrelid = %s::regclass AND (%s OR NOT i.indisprimary)", [S.quote(table), primary]).fetchall()
    saved = []
    for name, definition, constraint, constraint_def in rows:
        if constraint:
            conn.execute(f"ALTER TABLE {S.quote(table)} DROP CONSTRAINT {S.quote(constraint)}")
            saved.insert(0, f"ALTER TABLE {S.quote(table)} ADD CONSTRAINT {S.quote(constraint)} {constraint_def}")
        else:
            conn.execute(f"DROP INDEX {name}")  # regclass text: already quoted and schema-qualified as needed
            saved.append(definition)
    return saved


def _issue_rows(seqs: Sequence[int], issues: Sequence[str]) -> list[tuple[int, str]]:
    """(seq, code) for each flag of each record (``issues`` are JSON lists), a code once per record."""
    return [(seq, code) for seq, codes in zip(seqs, issues) if codes != "[]"
            for code in dict.fromkeys(json.loads(codes))]


def _reject_duplicate_ids(ids: list) -> None:
    """Refuse a batch that gives one occurrenceID twice (a blank one gets a new id of its own)."""
    given = [v for v in ids if v]
    try:
        if len(set(given)) == len(given):
            return
    except TypeError:  # unhashable values: to_columns or the database refuses them
        return
    seen = set()
    for i, v in enumerate(ids):
        if v and v in seen:
            raise InvalidValue("occurrenceID", v, row=i + 1, reason="duplicate in batch")
        if v:
            seen.add(v)


def _param(name: str, value):
    """Bind a value for a single-row UPDATE: issue lists are JSON text, stored as jsonb."""
    return psycopg.types.json.Jsonb(json.loads(value)) if name in ("issues", "_pub_issues") else value


__all__ = ["PostGISStore", "parse_url", "copy_rows", "MIGRATIONS"]
