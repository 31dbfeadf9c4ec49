"""SQL shared by both backends. Builders return ``(sql, params)``; identifiers are quoted, values bound.

A :class:`Dialect` supplies the few pieces that differ (placeholder style, spatial predicates).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

from ..quality.province_names import expand as expand_other_province_names
from ..quality.vn_provinces import expand_province_names
from ..records import FIELD_NAMES
from .filters import EXPR_COLUMNS, EXPR_OPERATORS, Filters, decode_cursor, encode_cursor

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
    # (geometry, point=("decimalLongitude", "decimalLatitude")) -> (sql, params): exact polygon test on the
    # given lon/lat columns (the public view passes ("_pub_lon", "_pub_lat"); see access.spatial)
    geometry_predicate: Callable[..., tuple[str, list]]

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
        if values and name == "stateProvince":
            values = expand_other_province_names(expand_province_names(values))
        if values:
            add(f"{quote(name)} IN ({d.p(len(values))})", list(values))
    from . import access as A  # who is asking decides which rows, flags and point the filters test

    if f.issue:
        visible, visible_params = A.issue_visible(f.access, d) or ("1=1", [])
        add(f"EXISTS (SELECT 1 FROM {quote(ISSUE_TABLE)} i WHERE i.seq = {quote(TABLE)}.seq "
            f"AND i.code IN ({d.p(len(f.issue))}) AND {visible})", [*f.issue, *visible_params])
    if f.hasGeospatialIssue is not None:
        bit, bit_params = A.geo_issue_expr(f.access, d)
        add(f"{bit} = {d.placeholder}", [*bit_params, 1 if f.hasGeospatialIssue else 0])
    if f.occurrenceStatus and set(f.occurrenceStatus) != {"present", "absent"}:
        # A record without occurrenceStatus is a presence (Darwin Core's default reading of an occurrence).
        status = quote("occurrenceStatus")
        if "absent" in f.occurrenceStatus:
            add(f"{status} = {d.placeholder}", ["absent"])
        else:
            add(f"({status} IS NULL OR {status} <> {d.placeholder})", ["absent"])
    if f.eventDate:
        add(*_overlaps(d, *f.eventDate))
    if f.year:
        add(*_overlaps(d, f"{f.year[0]:04d}-01-01", f"{f.year[1]:04d}-12-31"))
    add(f"{quote('_status')} IN ({d.p(len(f.status))})", list(f.status))
    if (visible := A.visibility(f.access, d)) is not None:
        add(*visible)
    if f.bbox or f.geometry is not None:
        add(*A.spatial(f.access, d, f.bbox, f.geometry))
    if f.where is not None:
        add(*expr_sql(f.where, d))
    if with_cursor and f.cursor:
        sort, key = decode_cursor(f.cursor, expected_sort=f.sort)
        if sort == "seq":
            add(f"seq > {d.placeholder}", [int(key[0])])
        else:
            op = ">" if sort == "eventDate" else "<"
            add(f"({quote('_start')}, seq) {op} ({d.p()}, {d.p()})", [key[0], int(key[1])])
    return (" AND ".join(parts) or "1=1"), params


# Intervals (``_start`` before ``_end``) are few; indexed apart, the ones that begin before a date range and run
# into it are found without walking every earlier record through the event-date index (store schema 5 / 4).
INTERVAL_INDEX_SQL = f'CREATE INDEX IF NOT EXISTS ix_interval ON {quote(TABLE)} ("_end") WHERE "_start" <> "_end"'


def _overlaps(d: Dialect, first: str | None, last: str | None) -> tuple[str, list]:
    """Records whose date or interval shares at least one day with [first, last] (None: an open end), as GBIF
    and OGC API datetime do: a survey from 2019-03-01 to 2019-03-15 is found by eventDate=2019-03-10 and by
    year=2019, and one from December to January by both years. Written as "starts inside the range, or is an
    interval that started before it and reaches it", so each half has an index (ix_start, ix_interval)."""
    start, end, p = quote("_start"), quote("_end"), d.placeholder
    if first is None and last is None:
        return "1=1", []
    if first is None:
        return f"{start} <= {p}", [last]
    inside = f"{start} BETWEEN {p} AND {p}" if last is not None else f"{start} >= {p}"
    inside_params = [first, last] if last is not None else [first]
    return (f"({inside} OR ({start} <> {end} AND {end} >= {p} AND {start} < {p}))",
            [*inside_params, first, first])


def expr_sql(e: tuple, d: Dialect) -> tuple[str, list]:
    """Render a ``Filters.where`` expression: allow-listed columns, fixed operators, every value bound."""
    kind = e[0]
    if kind in ("and", "or"):
        parts = [expr_sql(sub, d) for sub in e[1]]
        if not parts:
            return ("1=1" if kind == "and" else "1=0"), []
        joiner = " AND " if kind == "and" else " OR "
        return "(" + joiner.join(p for p, _ in parts) + ")", [v for _, ps in parts for v in ps]
    if kind == "not":
        sql, params = expr_sql(e[1], d)
        return f"NOT ({sql})", params
    if kind == "overlaps":
        return _overlaps(d, e[1], e[2])
    column = e[1] if kind != "cmp" else e[2]
    if column not in EXPR_COLUMNS:
        raise ValueError(f"column {column!r} may not be used in an expression")
    if kind == "null":
        return f"{quote('_start' if column == 'eventDate' else column)} IS NULL", []
    if kind == "cmp":
        op, value = e[1], e[3]
        if op not in EXPR_OPERATORS:
            raise ValueError(f"operator {op!r} is not allowed")
        if column == "eventDate":  # an interval is after a day if it starts after it, before if it ends before
            if op == "=":
                return f"({quote('_start')} = {d.placeholder} AND {quote('_end')} = {d.placeholder})", [value, value]
            if op == "<>":
                return f"NOT ({quote('_start')} = {d.placeholder} AND {quote('_end')} = {d.placeholder})", [value, value]
            return f"{quote('_start' if op.startswith('>') else '_end')} {op} {d.placeholder}", [value]
        return f"{quote(column)} {op} {d.placeholder}", [value]
    if kind == "in":
        values = list(e[2])
        if not values:
            return "1=0", []
        if column == "eventDate":
            return expr_sql(("or", [("cmp", "=", column, v) for v in values]), d)
        return f"{quote(column)} IN ({d.p(len(values))})", values
    if kind == "between":
        if column == "eventDate":
            return expr_sql(("and", [("cmp", ">=", column, e[2]), ("cmp", "<=", column, e[3])]), d)
        return f"{quote(column)} BETWEEN {d.placeholder} AND {d.placeholder}", [e[2], e[3]]
    raise ValueError(f"unknown expression {kind!r}")


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


# Precise columns: for the store's own bookkeeping only. Reads for users go through select_columns(access).
SELECT_COLUMNS = ", ".join(quote(c) for c in FIELD_NAMES) + ', seq, "_start"'


def select_columns(access: str, d: Dialect) -> tuple[str, list]:
    """The record fields as ``access`` may see them (generalised / withheld for sensitive records)."""
    from .access import select_list

    sql, params = select_list(FIELD_NAMES, access, d)
    return sql + ', seq, "_start"', params


def select_page(f: Filters, d: Dialect) -> tuple[str, list]:
    columns, col_params = select_columns(f.access, d)
    where, params = where_clause(f, d)
    sql = (f"SELECT {columns} FROM {quote(TABLE)} WHERE {where} "
           f"ORDER BY {order_by(f)} LIMIT {int(f.limit) + 1}")
    return sql, col_params + params


MATCHED = "_matched"  # the counted page's last column: the number of matches over all pages


def counted_page_sql(f: Filters, d: Dialect, columns: str, col_params: list, table: str) -> tuple[str, list]:
    """One first page (no cursor) whose rows end with :data:`MATCHED`, counted over the same scan that finds the
    page's keys (a window over the matches). Worth it only where that scan reads every match anyway, i.e. an
    index that narrows the filters but does not give the page's order (a bbox through a spatial index): a scan
    in page order would otherwise stop at the page's end. ``table``: the ``FROM`` of the key scan (SQLite adds
    its index hint there)."""
    assert f.cursor is None, "a counted page is a first page: the count ignores the cursor"
    where, params = where_clause(f, d)
    order = order_by(f)
    keys = (f"SELECT seq AS _key, count(*) OVER () AS {MATCHED} FROM {table} WHERE {where} "
            f"ORDER BY {order} LIMIT {int(f.limit) + 1}")
    return (f"SELECT {columns}, page_keys.{MATCHED} FROM ({keys}) page_keys JOIN {quote(TABLE)} "
            f"ON seq = page_keys._key ORDER BY {order}"), col_params + params


def count_sql(f: Filters, d: Dialect) -> tuple[str, list]:
    where, params = where_clause(f, d, with_cursor=False)
    return f"SELECT count(*) FROM {quote(TABLE)} WHERE {where}", params


def _facet_field(param: str, name: str) -> None:
    from ..errors import InvalidParameter
    from ..i18n import N_
    from .base import FACET_FIELDS

    if name not in FACET_FIELDS:
        raise InvalidParameter(name=param, value=name, reason=N_("use one of: "), choices=FACET_FIELDS)


def extra_keys_sql(f: Filters, d: Dialect, key: str, keys_of: str) -> tuple[str, list]:
    """The distinct names of the extra terms (``extraTerms`` JSON keys) of the matching records, as ``f.access``
    sees them (a sensitive record's extras are withheld from the public, so their names are not counted
    either). ``keys_of``: the backend's set-returning JSON key function applied to ``t.x`` (giving ``key``)."""
    from .access import column_expr

    expr, expr_params = column_expr("extraTerms", f.access, d)
    where, params = where_clause(f, d, with_cursor=False)
    inner = f"SELECT {expr} AS x FROM {quote(TABLE)} WHERE {where} AND {quote('extraTerms')} IS NOT NULL"
    return f"SELECT DISTINCT {key} FROM ({inner}) t, {keys_of} WHERE t.x IS NOT NULL", expr_params + params


def facet_sql(f: Filters, d: Dialect, name: str, limit: int) -> tuple[str, list]:
    """Value counts of facet ``name`` (one of ``base.FACET_FIELDS``, else InvalidParameter) among matches."""
    _facet_field("facet", name)
    where, params = where_clause(f, d, with_cursor=False)
    if name == "issue":
        from .access import issue_visible

        visible, visible_params = issue_visible(f.access, d) or ("1=1", [])
        return (f"SELECT i.code, count(*) AS n FROM {quote(ISSUE_TABLE)} i JOIN {quote(TABLE)} "
                f"ON i.seq = {quote(TABLE)}.seq WHERE {where} AND {visible} GROUP BY i.code ORDER BY n DESC, i.code "
                f"LIMIT {int(limit)}"), params + visible_params
    col = quote(name)
    return (f"SELECT {col}, count(*) AS n FROM {quote(TABLE)} WHERE {where} AND {col} IS NOT NULL "
            f"GROUP BY {col} ORDER BY n DESC, {col} LIMIT {int(limit)}"), params


def extent_sql(f: Filters, d: Dialect, group_by: str | None = None) -> tuple[str, list]:
    """Count, coordinate bounds and date bounds of the matching records, optionally per value of a facet."""
    from .access import column_expr

    if group_by is not None:
        _facet_field("group_by", group_by)
    where, params = where_clause(f, d, with_cursor=False)
    key = f"{quote(group_by)}, " if group_by else ""
    group = f" GROUP BY {quote(group_by)}" if group_by else ""
    (lon, lon_p), (lat, lat_p) = (column_expr(c, f.access, d) for c in ("decimalLongitude", "decimalLatitude"))
    return (f"SELECT {key}count(*), min({lon}), min({lat}), max({lon}), max({lat}), min({quote('_start')}), "
            f"max({quote('_end')}) FROM {quote(TABLE)} WHERE {where}{group}"), lon_p + lat_p + lon_p + lat_p + params


def extent_rows(rows, group_by: str | None) -> dict:
    out = {}
    for row in rows:
        key, (n, x0, y0, x1, y1, first, last) = (row[0], tuple(row)[1:]) if group_by else (None, tuple(row))
        if n:
            bbox = (x0, y0, x1, y1) if x0 is not None else None
            out[key] = {"count": n, "bbox": bbox, "interval": (first, last)}
    return out


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


# -- map aggregates (used by occurrences.maps through the store's ``columns``/``grid_counts``) -----------------
def columns_sql(f: Filters, d: Dialect, names: tuple[str, ...]) -> tuple[str, list]:
    """Only ``names`` (as ``f.access`` may see them) of the matching records that have a point, in insertion
    order; ``f.limit`` is ignored (the caller adds its own cap). A name not in FIELD_NAMES: InvalidParameter."""
    from ..errors import InvalidParameter
    from ..i18n import N_
    from .access import column_expr, select_list

    unknown = [n for n in names if n not in FIELD_NAMES]
    if unknown:
        raise InvalidParameter(name="columns", value=unknown[0], reason=N_("use Darwin Core field names"))
    columns, col_params = select_list(names, f.access, d)
    lat, lat_params = column_expr("decimalLatitude", f.access, d)
    where, params = where_clause(f, d, with_cursor=False)
    return (f"SELECT {columns} FROM {quote(TABLE)} WHERE {where} AND {lat} IS NOT NULL ORDER BY seq",
            col_params + params + lat_params)


def grid_sql(f: Filters, d: Dialect, grid) -> tuple[str, list]:
    """Record counts per cell of ``grid`` (a Web-Mercator tile split in n×n cells, see maps.tiles.TileGrid),
    on the point ``f.access`` may see: the cell is computed in SQL so only occupied cells leave the database."""
    from .access import column_expr

    (lon, lon_p), (lat, lat_p) = (column_expr(c, f.access, d) for c in ("decimalLongitude", "decimalLatitude"))
    where, params = where_clause(f.replace(bbox=grid.bbox), d, with_cursor=False)
    p = d.placeholder
    gx = f"CAST(({lon} - {p}) * {p} AS INTEGER)"
    gy = f"CAST(({p} - ln(tan({p} + {lat} * {p}))) * {p} AS INTEGER)"
    sql = (f"SELECT {gx} AS gx, {gy} AS gy, count(*) AS n, min({quote('year')}), max({quote('year')}) "
           f"FROM {quote(TABLE)} WHERE {where} GROUP BY gx, gy")
    return sql, [*lon_p, grid.west, grid.kx, grid.y_top, math.pi / 4, *lat_p, math.pi / 360, grid.ky] + params
