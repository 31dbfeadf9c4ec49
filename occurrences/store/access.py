"""Who sees what, in SQL shared by both backends: the read path applies ``Filters.access`` here, so every output
built on the store (lists, GeoJSON, CSV, exports, OGC items, facets, tiles, pages) gets the same rules.

Access strings (set by the API/CLI from the authenticated user, never parsed from a query string):

* ``public``: accepted records only; sensitive records come back generalised (see :mod:`occurrences.sensitivity`)
  and every spatial filter tests the generalised point, so a narrow bbox cannot tell cell-mates apart;
* ``own:NAME``: a submitter: the public view, plus NAME's own records of any status, precise (NAME is an
  account; records no account submitted carry a label owner, see :mod:`occurrences.store.owners`);
* ``full``: reviewers and admins (and the operator's CLI): everything, precise.

What the public sees of a sensitive record must not depend on its precise point: besides the coordinates, the
quality flags (most are computed on the precise point: near a capital, a centroid, a border...) and the
uncertainty (see :func:`occurrences.sensitivity.public_columns`) are replaced by public copies, and the issue
filter, issue facet and geospatial-issue filter test those copies (:func:`issue_visible`, :func:`geo_issue_expr`).

Anything else is treated as ``public`` (fail closed). Each record also stores its public copy (``_pub_*``
columns, computed once at write time by :func:`public_derived`), so the public view costs no per-row work.
"""
from __future__ import annotations

import json
from typing import Mapping, Sequence

import numpy as np

from .. import sensitivity as SENS
from ..errors import InvalidValue
from .owners import is_label_owner
from .sql import CELL_COLUMNS, CELL_PER_DEGREE, TABLE, Dialect, cell_ranges, cells_of, quote

PUBLIC, OWN, FULL = "public", "own", "full"
STATUSES = ("pending", "accepted", "rejected")


def status_column(status, n: int) -> list[str]:
    """The review status of each of ``n`` new records: one status for all, or one per record (an import stores
    most rows accepted but sends automatically corrected ones to review)."""
    values = [status] * n if isinstance(status, str) else list(status)
    bad = next((v for v in values if v not in STATUSES), None) if len(values) == n else status
    if bad is not None:
        raise InvalidValue("status", bad, reason="use pending, accepted or rejected")
    return values

# Columns derived for the public view (stored by both backends, in this order).
PUBLIC_DERIVED = ("_record_sensitivity", "_sensitivity", "_pub_lat", "_pub_lon", "_pub_uncertainty", "_pub_cell",
                  "_pub_withheld", "_pub_generalizations", "_pub_issues")
# Public value of a field comes from another column...
PUBLIC_SOURCE = {"decimalLatitude": "_pub_lat", "decimalLongitude": "_pub_lon",
                 "coordinateUncertaintyInMeters": "_pub_uncertainty", "informationWithheld": "_pub_withheld",
                 "dataGeneralizations": "_pub_generalizations", "issues": "_pub_issues"}
# ... or is withheld (NULL) for sensitive records: free text that may say where the animal is.
# ``extraTerms`` as a whole: among the ~300 other Darwin Core terms many say where (county, municipality,
# island, locationID, footprintWKT, georeferenceRemarks, verbatimElevation...) and a column we do not know may
# too, so a sensitive record's public copy keeps none of them rather than trusting a list of safe terms.
WITHHELD_TEXT_FIELDS = ("locality", "verbatimLocality", "verbatimCoordinates", "verbatimLatitude",
                        "verbatimLongitude", "occurrenceRemarks", "extraTerms")
# Flag codes the public may see on a sensitive record: those that depend only on what it sees of the record
# anyway (date, name, country). Every other code is withheld from the public copy: those computed on the precise
# point (capitals, centroids, borders, sea, duplicates within 100 m, whole degrees...), on the hidden uncertainty
# or on withheld text, and codes we do not know (a GBIF download brings its own). Fail closed: a new flag stays
# hidden on sensitive records until it is listed here.
PUBLIC_FLAGS_OF_SENSITIVE = frozenset({
    "RECORDED_DATE_UNLIKELY", "DATE_BE_CONVERTED", "DATE_LOOKS_BUDDHIST_ERA", "DATE_TWO_DIGIT_YEAR_AMBIGUOUS",
    "TAXON_MATCH_FUZZY", "TAXON_SYNONYM_REPLACED", "TAXON_NOT_KNOWN_FROM_COUNTRY",
})
PRECISE_POINT = ("decimalLongitude", "decimalLatitude", "_cell")
PUBLIC_POINT = ("_pub_lon", "_pub_lat", "_pub_cell")


def parse_access(access: str | None) -> tuple[str, str | None]:
    """``"own:alice"`` → ``("own", "alice")``; unknown, or a label owner such as ``own:(cli)`` (no account can
    be one, see occurrences.store.owners) → ``("public", None)``."""
    if access == FULL:
        return FULL, None
    if access and access.startswith(OWN + ":") and len(access) > len(OWN) + 1:
        user = access[len(OWN) + 1:]
        return (PUBLIC, None) if is_label_owner(user) else (OWN, user)
    return PUBLIC, None


def own_access(user_name: str) -> str:
    return f"{OWN}:{user_name}"


# -- write side ------------------------------------------------------------------------------------------
def public_derived(out: Mapping[str, list], record_sensitivity: Sequence | int | None = None) -> dict[str, list]:
    """The ``_pub_*`` and sensitivity columns for a batch already validated by ``to_columns``."""
    n = len(out["occurrenceID"])
    if record_sensitivity is None or isinstance(record_sensitivity, (int, str)):
        own = np.full(n, SENS.level_index(record_sensitivity), dtype="int64")
    else:  # each distinct requested level read once
        index = {v: SENS.level_index(v) for v in set(record_sensitivity)}
        own = np.array([index[v] for v in record_sensitivity], dtype="int64")
    level = np.maximum(SENS.species_levels(out["scientificName"]), own)
    lat = _floats(out["decimalLatitude"])
    lon = _floats(out["decimalLongitude"])
    pub = SENS.public_columns(lat, lon, _floats(out["coordinateUncertaintyInMeters"]),
                              out["informationWithheld"], out["dataGeneralizations"], level)
    pub_lat, pub_lon = _floats(pub["_pub_lat"]), _floats(pub["_pub_lon"])
    return {"_record_sensitivity": own.tolist(), "_sensitivity": level.tolist(), **pub,
            "_pub_cell": cells_of(pub_lat, pub_lon).tolist(), "_pub_issues": public_issues(out["issues"], level)}


def public_issues(issues: Sequence, levels: Sequence[int]) -> list[str]:
    """The public copy of each record's issue list (JSON text, as ``issues`` is stored): all of them for a record
    that is not sensitive, only :data:`PUBLIC_FLAGS_OF_SENSITIVE` for one that is."""
    out, done = [], {}
    for codes, level in zip(issues, np.asarray(levels).tolist()):
        key = (codes if isinstance(codes, str) else json.dumps(list(codes or [])), level > SENS.NONE)
        if key not in done:
            listed = json.loads(key[0]) if key[0] else []
            kept = [c for c in listed if c in PUBLIC_FLAGS_OF_SENSITIVE] if key[1] else listed
            done[key] = json.dumps(kept) if kept else "[]"
        out.append(done[key])
    return out


def _floats(values: list) -> np.ndarray:
    return np.array(values, dtype="float64")  # None → NaN


# -- read side -------------------------------------------------------------------------------------------
def column_expr(name: str, access: str, d: Dialect) -> tuple[str, list]:
    """SQL for field ``name`` as ``access`` may see it."""
    kind, user = parse_access(access)
    if kind == FULL or (name not in PUBLIC_SOURCE and name not in WITHHELD_TEXT_FIELDS):
        return quote(name), []
    public = _public_expr(name)
    if kind == PUBLIC:
        return public, []
    return f"CASE WHEN {quote('submittedBy')} = {d.placeholder} THEN {quote(name)} ELSE {public} END", [user]


def _public_expr(name: str) -> str:
    if name in PUBLIC_SOURCE:
        return quote(PUBLIC_SOURCE[name])
    return f"CASE WHEN {quote('_sensitivity')} > 0 THEN NULL ELSE {quote(name)} END"


def issue_visible(access: str, d: Dialect, code: str = "i.code") -> tuple[str, list] | None:
    """Which rows of the issue table (``code``, joined to its record) ``access`` may see: the SQL twin of
    :func:`public_issues`, for the issue filter and facet. None: all of them."""
    kind, user = parse_access(access)
    if kind == FULL:
        return None
    allowed = sorted(PUBLIC_FLAGS_OF_SENSITIVE)
    record = quote(TABLE)
    public = f"{record}.{quote('_sensitivity')} = 0 OR {code} IN ({d.p(len(allowed))})"
    if kind == PUBLIC:
        return f"({public})", allowed
    return f"({record}.{quote('submittedBy')} = {d.placeholder} OR {public})", [user, *allowed]


def geo_issue_expr(access: str, d: Dialect) -> tuple[str, list]:
    """The geospatial-issue bit as ``access`` sees it: every geospatial flag is computed on the precise point, so
    none is public on a sensitive record (none is in :data:`PUBLIC_FLAGS_OF_SENSITIVE`)."""
    kind, user = parse_access(access)
    bit = quote("_geo_issue")
    if kind == FULL:
        return bit, []
    public = f"CASE WHEN {quote('_sensitivity')} > 0 THEN 0 ELSE {bit} END"
    if kind == PUBLIC:
        return public, []
    return f"CASE WHEN {quote('submittedBy')} = {d.placeholder} THEN {bit} ELSE {public} END", [user]


def select_list(names: Sequence[str], access: str, d: Dialect) -> tuple[str, list]:
    """``expr AS "name", ...`` for ``names``: the projection every read of records goes through."""
    parts, params = [], []
    for name in names:
        sql, p = column_expr(name, access, d)
        parts.append(sql if sql == quote(name) else f"{sql} AS {quote(name)}")
        params.extend(p)
    return ", ".join(parts), params


def visibility(access: str, d: Dialect) -> tuple[str, list] | None:
    """Which rows ``access`` may see at all (None: every row)."""
    kind, user = parse_access(access)
    if kind == FULL:
        return None
    if kind == PUBLIC:
        return f"{quote('_status')} = {d.placeholder}", ["accepted"]
    return (f"({quote('_status')} = {d.placeholder} OR {quote('submittedBy')} = {d.placeholder})",
            ["accepted", user])


def spatial(access: str, d: Dialect, bbox=None, geometry=None) -> tuple[str, list]:
    """A bbox and/or polygon test on the point ``access`` sees: precise (the backend's own index) for full
    access, the generalised point for the public, and per row (own records precise) for a submitter."""
    kind, user = parse_access(access)
    precise = _spatial_on(d, PRECISE_POINT, bbox, geometry)
    if kind == FULL:
        return precise
    public = _spatial_on(d, PUBLIC_POINT, bbox, geometry)
    if kind == PUBLIC:
        return public
    mine = f"{quote('submittedBy')} = {d.placeholder}"
    return (f"(({mine} AND {precise[0]}) OR ({quote('submittedBy')} <> {d.placeholder} AND {public[0]}))",
            [user, *precise[1], user, *public[1]])


def _spatial_on(d: Dialect, point: tuple[str, str, str], bbox, geometry) -> tuple[str, list]:
    parts, params = [], []
    for box in ([bbox] if bbox else []) + ([geometry.bounds] if geometry is not None else []):
        sql, p = d.bbox_predicate(box) if point == PRECISE_POINT else grid_bbox_predicate(box, d, point)
        parts.append(sql)
        params.extend(p)
    if geometry is not None:
        sql, p = d.geometry_predicate(geometry) if point == PRECISE_POINT else d.geometry_predicate(geometry, point[:2])
        parts.append(sql)
        params.extend(p)
    return "(" + (" AND ".join(parts) or "1=1") + ")", params


def grid_bbox_predicate(bbox, d: Dialect, point: tuple[str, str, str] = PUBLIC_POINT) -> tuple[str, list]:
    """Portable bbox test on stored lon/lat/cell columns (cell ranges first, then the exact comparison)."""
    x0, y0, x1, y1 = bbox
    lon, lat, cell = (quote(c) for c in point)
    sql = f"{lat} BETWEEN {d.placeholder} AND {d.placeholder} AND {lon} BETWEEN {d.placeholder} AND {d.placeholder}"
    params: list = [y0, y1, x0, x1]
    ranges = cell_ranges(bbox)
    if ranges:
        sql = ("(" + " OR ".join([f"{cell} BETWEEN {d.placeholder} AND {d.placeholder}"] * len(ranges)) + ") AND "
               + sql)
        params = [v for r in ranges for v in r] + params
    return sql, params


__all__ = ["PUBLIC", "OWN", "FULL", "STATUSES", "PUBLIC_DERIVED", "PUBLIC_FLAGS_OF_SENSITIVE", "parse_access",
           "own_access", "public_derived", "public_issues", "issue_visible", "geo_issue_expr", "column_expr", "select_list", "visibility", "spatial", "grid_bbox_predicate", "CELL_COLUMNS",
           "CELL_PER_DEGREE"]
