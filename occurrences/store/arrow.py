"""The columnar read path: matching records as Arrow record batches, for exports of millions of rows.

``iter_batches(store, filters)`` works with every backend: it uses the backend's own ``iter_batches`` when it
has one (SQLite does) and otherwise batches ``iter_records``, so a backend that implements only the record
contract (PostGIS, for now) gets it for free, with whatever its read path does to records (visibility and
generalisation by ``Filters.access``) carried over unchanged.

The batches use :data:`SCHEMA`: one column per :data:`~occurrences.records.FIELDS` entry, typed from the
field table, ``issues`` as a list of codes.
"""
from __future__ import annotations

from typing import Iterable, Iterator

import pyarrow as pa
import pyarrow.compute as pc

from ..records import FIELDS
from . import sql as S
from .filters import Filters

_ARROW_TYPES = {str: pa.string(), float: pa.float64(), int: pa.int64(), list: pa.list_(pa.string())}
SCHEMA = pa.schema([pa.field(f.name, _ARROW_TYPES[f.type]) for f in FIELDS])
DEFAULT_BATCH = 100_000


def iter_batches(store, filters: Filters, batch_size: int = DEFAULT_BATCH) -> Iterator[pa.RecordBatch]:
    """Every record matching ``filters`` (ignoring ``limit``) as record batches of :data:`SCHEMA`."""
    native = getattr(store, "iter_batches", None)
    if native is not None:
        yield from native(filters, batch_size)
        return
    yield from batches_from_records(store.iter_records(filters, batch_size), batch_size)


def batches_from_records(records: Iterable[dict], batch_size: int = DEFAULT_BATCH) -> Iterator[pa.RecordBatch]:
    chunk: list[dict] = []
    for rec in records:
        chunk.append(rec)
        if len(chunk) >= batch_size:
            yield batch_from_records(chunk)
            chunk = []
    if chunk:
        yield batch_from_records(chunk)


def batch_from_records(records: list[dict]) -> pa.RecordBatch:
    arrays = [pa.array([r.get(f.name) for r in records], type=SCHEMA.field(f.name).type) for f in FIELDS]
    return pa.RecordBatch.from_arrays(arrays, schema=SCHEMA)


def conform(table: pa.Table) -> pa.RecordBatch:
    """A page read from SQL (any column order, all-NULL columns typed as integers, issues as JSON text)
    → a batch of :data:`SCHEMA`."""
    arrays = []
    for field in SCHEMA:
        column = table.column(field.name).combine_chunks()
        if field.name == "issues":
            column = issues_from_json(column.cast(pa.string()))
        arrays.append(column.cast(field.type))
    return pa.RecordBatch.from_arrays(arrays, schema=SCHEMA)


def issues_from_json(text: pa.Array) -> pa.Array:
    """``'["A", "B"]'`` → ``["A", "B"]`` without a Python object per row. Issue codes never contain quotes,
    commas or brackets (they are flag codes), which is what makes this split exact."""
    inner = pc.replace_substring_regex(pc.fill_null(text, "[]"), r'^\[|\]$|"', "")
    split = pc.split_pattern(inner, ", ")
    empty = pa.array([[]] * len(text), type=pa.list_(pa.string()))
    return pc.if_else(pc.equal(inner, ""), empty, split)


# -- SQLite -----------------------------------------------------------------------------------------------
def sqlite_batches(store, filters: Filters, batch_size: int = DEFAULT_BATCH) -> Iterator[pa.RecordBatch]:
    """Pages of the same SQL as ``store.query`` (``store.page_sql``), read through the store's own sqlite3
    connection and built into Arrow column by column.

    Only one SQLite library may open the database file in a process: POSIX locks belong to the process, so a
    second library (ADBC's bundled SQLite was used here) closing its connection drops the locks of the first and
    checkpoints and deletes the write-ahead log under it (issue 14, item 2)."""
    f = filters.replace(limit=batch_size, cursor=None)
    yield from arrow_pages(store.page_sql, f, _sqlite3_fetch(store), batch_size)


def arrow_pages(page_sql, f: Filters, fetch, batch_size: int) -> Iterator[pa.RecordBatch]:
    """Keyset pages of ``batch_size`` records as Arrow batches: ``page_sql(filters)`` gives each page's SQL (one
    row more than the page, to tell whether another follows) and ``fetch(sql, params)`` reads it into a table.
    Both backends page this way, so exports see exactly what ``query`` would."""
    while True:
        sql, params = page_sql(f)
        table = fetch(sql, params)
        more = table.num_rows > batch_size
        table = table.slice(0, batch_size)
        if table.num_rows:
            yield conform(table)
        if not more:
            return
        last = {"seq": table.column("seq")[-1].as_py(), "_start": table.column("_start")[-1].as_py()}
        f = f.replace(cursor=S.next_cursor(f, last))


# The type of each column a page's SQL returns, so that pyarrow converts without inferring (an all-NULL column
# stays typed) and ``conform``'s casts are no-ops. ``issues`` arrives as JSON text.
_SQL_TYPES = {f.name: (pa.string() if f.name == "issues" else SCHEMA.field(f.name).type) for f in FIELDS}
_SQL_TYPES.update(seq=pa.int64(), _start=pa.string())


# Rows are converted a thousand at a time: 1.5x faster than a whole page of tuples at once (the tuples stay in
# the CPU caches and the garbage collector does not rescan a hundred thousand of them).
_ROWS_PER_CHUNK = 1000


def _sqlite3_fetch(store):
    def fetch(sql: str, params: list) -> pa.Table:
        cursor = store.conn.cursor()
        cursor.row_factory = None  # tuples, not sqlite3.Row
        cursor.execute(sql, params)
        names = [d[0] for d in cursor.description]
        types = [_SQL_TYPES.get(name, pa.null()) for name in names]
        chunks: list[list[pa.Array]] = [[] for _ in names]
        while rows := cursor.fetchmany(_ROWS_PER_CHUNK):
            for chunk, kind, values in zip(chunks, types, zip(*rows)):
                chunk.append(pa.array(values, type=kind))
        return pa.table({name: pa.chunked_array(chunk, type=kind)
                         for name, kind, chunk in zip(names, types, chunks)})

    return fetch
