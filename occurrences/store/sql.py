"""SQL shared by both backends. Builders return ``(sql, params)``; identifiers are quoted, values bound.

A :class:`Dialect` supplies the few pieces that differ (placeholder style, spatial predicates).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

from ..records import FIELD_NAMES
from .filters import Filters, decode_cursor, encode_cursor

TABLE = "occurrence"
ISSUE_TABLE = "occurrence_issue"
# Spatial grid used by the SQLite backend's index: 0.25° cells, row-major from (-90, -180).
CELL_PER_DEGREE = 4
CELL_COLUMNS = 360 * CELL_PER_DEGREE


def quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


@dataclass
class Dialect:
    placeholder: str  # "?" or "%s"
    # (bbox) -> (sql, params): a predicate using the backend's spatial index
    bbox_predicate: Callable[[tuple], tuple[str, list]]
    # (geometry) -> (sql, params): exact polygon test
    geometry_predicate: Callable[[object], tuple[str, list]]

    def p(self, n: int = 1) -> str:
        return ", ".join([self.placeholder] * n)


def where_clause(f: Filters, d: Dialect, *, with_cursor: bool = True) -> tuple[str, list]:
    parts: list[str] = []
    params: list = []

    def add(sql: str, values: list):
        parts.append(sql)
        params.extend(values)

    for name in ("scientificName", "countryCode", "stateProvince", "basisOfRecord", "recordedBy"):
        values = getattr(f, name)
        if values:
            add(f"{quote(name)} IN ({d.p(len(values))})", list(values))
    if f.issue:
        add(f"EXISTS (SELECT 1 FROM {quote(ISSUE_TABLE)} i WHERE i.seq = {quote(TABLE)}.seq "
            f"AND i.code IN ({d.p(len(f.issue))}))", list(f.issue))
    if f.hasGeospatialIssue is not None:
        add(f"{quote('_geo_issue')} = {d.placeholder}", [1 if f.hasGeospatialIssue else 0])
    if f.eventDate:
        # Records whose date (or interval) lies within the requested range.
        add(f"{quote('_start')} >= {d.placeholder} AND {quote('_end')} <= {d.placeholder}", list(f.eventDate))
    if f.year:
        add(f"{quote('year')} BETWEEN {d.placeholder} AND {d.placeholder}", list(f.year))
    if f.bbox:
        add(*d.bbox_predicate(f.bbox))
    if f.geometry is not None:
        add(*d.bbox_predicate(f.geometry.bounds))
        add(*d.geometry_predicate(f.geometry))
    if with_cursor and f.cursor:
        sort, key = decode_cursor(f.cursor)
        if sort == "seq":
            add(f"seq > {d.placeholder}", [int(key[0])])
        else:
            op = ">" if sort == "eventDate" else "<"
            add(f"({quote('_start')}, seq) {op} ({d.p()}, {d.p()})", [key[0], int(key[1])])
    return (" AND ".join(parts) or "1=1"), params


def order_by(f: Filters) -> str:
    if f.sort == "eventDate":
        return f"{quote('_start')}, seq"
    if f.sort == "-eventDate":
        return f"{quote('_start')} DESC, seq DESC"
    return "seq"


def next_cursor(f: Filters, last_row: dict) -> str:
    if f.sort == "seq":
        return encode_cursor("seq", [last_row["seq"]])
    return encode_cursor(f.sort, [last_row["_start"], last_row["seq"]])


SELECT_COLUMNS = ", ".join(quote(c) for c in FIELD_NAMES) + ', seq, "_start"'


def select_page(f: Filters, d: Dialect) -> tuple[str, list]:
    where, params = where_clause(f, d)
    sql = (f"SELECT {SELECT_COLUMNS} FROM {quote(TABLE)} WHERE {where} "
           f"ORDER BY {order_by(f)} LIMIT {int(f.limit) + 1}")
    return sql, params


def count_sql(f: Filters, d: Dialect) -> tuple[str, list]:
    where, params = where_clause(f, d, with_cursor=False)
    return f"SELECT count(*) FROM {quote(TABLE)} WHERE {where}", params


def facet_sql(f: Filters, d: Dialect, name: str, limit: int) -> tuple[str, list]:
    where, params = where_clause(f, d, with_cursor=False)
    if name == "issue":
        return (f"SELECT i.code, count(*) AS n FROM {quote(ISSUE_TABLE)} i JOIN {quote(TABLE)} "
                f"ON i.seq = {quote(TABLE)}.seq WHERE {where} GROUP BY i.code ORDER BY n DESC, i.code "
                f"LIMIT {int(limit)}"), params
    col = quote(name)
    return (f"SELECT {col}, count(*) AS n FROM {quote(TABLE)} WHERE {where} AND {col} IS NOT NULL "
            f"GROUP BY {col} ORDER BY n DESC, {col} LIMIT {int(limit)}"), params


def cell_ranges(bbox: tuple[float, float, float, float]) -> list[tuple[int, int]] | None:
    """Inclusive ranges of grid-cell numbers covering ``bbox`` (one range per cell row), or None when the
    box is so large that the grid would not narrow the search."""
    x0, y0, x1, y1 = bbox
    r0, r1 = _cell_row(y0), _cell_row(y1)
    if r1 - r0 > 200:
        return None
    c0, c1 = _cell_col(x0), _cell_col(x1)
    return [(r * CELL_COLUMNS + c0, r * CELL_COLUMNS + c1) for r in range(r0, r1 + 1)]


def _cell_row(lat: float) -> int:
    return min(int(math.floor((lat + 90) * CELL_PER_DEGREE)), 180 * CELL_PER_DEGREE - 1)


def _cell_col(lon: float) -> int:
    return min(int(math.floor((lon + 180) * CELL_PER_DEGREE)), CELL_COLUMNS - 1)


def cells_of(lat, lon):
    """Vectorized grid-cell numbers for arrays of coordinates (-1 where a coordinate is missing)."""
    import numpy as np

    lat = np.asarray(lat, dtype="float64")
    lon = np.asarray(lon, dtype="float64")
    ok = np.isfinite(lat) & np.isfinite(lon)
    rows = np.clip(np.floor((np.where(ok, lat, 0) + 90) * CELL_PER_DEGREE), 0, 180 * CELL_PER_DEGREE - 1)
    cols = np.clip(np.floor((np.where(ok, lon, 0) + 180) * CELL_PER_DEGREE), 0, CELL_COLUMNS - 1)
    return np.where(ok, rows * CELL_COLUMNS + cols, -1).astype("int64")
