"""Turn canonical records into the column arrays both backends write, with the derived columns
(year/month/day, date bounds, grid cell, geospatial-issue bit). Vectorized: one pass per column, not per row."""
from __future__ import annotations

import json
from typing import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import InvalidValue
from ..records import (BASIS_OF_RECORD, FIELD_BY_NAME, FIELD_NAMES, GEOSPATIAL_ISSUES, date_bounds,
                       new_occurrence_id, now_iso)
from .sql import cells_of

DERIVED = ("_start", "_end", "_cell", "_geo_issue")
STORED_COLUMNS = FIELD_NAMES + DERIVED


def to_columns(records: Iterable[Mapping] | Mapping[str, Sequence], *, submitted_by: str) -> dict[str, list]:
    """Validate and complete a batch; raise :class:`InvalidValue` (with ``row``, 1-based) on the first bad
    value. Returns column name → list, in :data:`STORED_COLUMNS` order."""
    cols = _columnar(records)
    n = len(next(iter(cols.values()))) if cols else 0
    unknown = set(cols) - set(FIELD_NAMES)
    if unknown:
        raise InvalidValue(sorted(unknown)[0], None, reason="unknown field")
    get = lambda name: list(cols.get(name) or [None] * n)  # noqa: E731

    out: dict[str, list] = {name: get(name) for name in FIELD_NAMES}
    out["occurrenceID"] = [v if v else new_occurrence_id() for v in out["occurrenceID"]]
    for name in ("basisOfRecord", "scientificName", "eventDate"):
        _require(name, out[name])
    bad = [i for i, v in enumerate(out["basisOfRecord"]) if v not in BASIS_OF_RECORD]
    if bad:
        raise InvalidValue("basisOfRecord", out["basisOfRecord"][bad[0]], row=bad[0] + 1)

    lat = _floats("decimalLatitude", out["decimalLatitude"])
    lon = _floats("decimalLongitude", out["decimalLongitude"])
    out["decimalLatitude"], out["decimalLongitude"] = _none_nan(lat), _none_nan(lon)
    for name, values, limit in (("decimalLatitude", lat, 90), ("decimalLongitude", lon, 180)):
        bad = np.flatnonzero(np.abs(values) > limit)
        if bad.size:
            raise InvalidValue(name, float(values[bad[0]]), row=int(bad[0]) + 1)
    if any((a is None) != (b is None) for a, b in zip(out["decimalLatitude"], out["decimalLongitude"])):
        i = next(i for i, (a, b) in enumerate(zip(out["decimalLatitude"], out["decimalLongitude"]))
                 if (a is None) != (b is None))
        raise InvalidValue("decimalLatitude", out["decimalLatitude"][i], row=i + 1,
                           reason="latitude and longitude must be given together")
    geo = [v is not None for v in out["decimalLatitude"]]
    out["geodeticDatum"] = [d or ("WGS84" if g else None) for d, g in zip(out["geodeticDatum"], geo)]
    out["coordinateUncertaintyInMeters"] = _none_nan(_floats("coordinateUncertaintyInMeters",
                                                             out["coordinateUncertaintyInMeters"]))
    out["individualCount"] = _ints("individualCount", out["individualCount"])

    start, end, year, month, day = _dates(out["eventDate"])
    out.update(year=year, month=month, day=day, _start=start, _end=end)
    out["_cell"] = cells_of(lat, lon).tolist()
    issues = [list(v) if v else [] for v in out["issues"]]
    out["_geo_issue"] = [int(bool(GEOSPATIAL_ISSUES.intersection(v))) if v else 0 for v in issues]
    out["issues"] = [json.dumps(v) if v else "[]" for v in issues]
    out["submittedBy"] = [v or submitted_by for v in out["submittedBy"]]
    stamp = now_iso()
    out["submittedAt"] = [v or stamp for v in out["submittedAt"]]
    return out


def _columnar(records) -> dict[str, list]:
    if isinstance(records, Mapping):
        return {k: list(v) for k, v in records.items()}
    rows = list(records)
    names = {k for r in rows for k in r}
    return {name: [r.get(name) for r in rows] for name in names}


def _require(name: str, values: list):
    for i, v in enumerate(values):
        if v is None or (isinstance(v, str) and not v.strip()):
            raise InvalidValue(name, v, row=i + 1, reason="required")


def _floats(name: str, values: list) -> np.ndarray:
    try:
        return np.array([np.nan if v is None or v == "" else v for v in values], dtype="float64")
    except (TypeError, ValueError):
        for i, v in enumerate(values):
            try:
                float(v)
            except (TypeError, ValueError):
                raise InvalidValue(name, v, row=i + 1) from None
        raise


def _none_nan(arr: np.ndarray) -> list:
    return [None if v != v else v for v in arr.tolist()]


def _ints(name: str, values: list) -> list:
    out = []
    for i, v in enumerate(values):
        if v is None or v == "":
            out.append(None)
            continue
        try:
            iv = int(v)
            if iv != float(v) or iv < 0:
                raise ValueError
        except (TypeError, ValueError):
            raise InvalidValue(name, v, row=i + 1) from None
        out.append(iv)
    return out


def _dates(values: list) -> tuple[list, list, list, list, list]:
    """Date bounds and year/month/day. Full ISO days (the common case) are parsed in one vectorized call;
    partial dates and intervals go through :func:`date_bounds`."""
    s = pd.Series(values, dtype="object")
    full = s.str.len().eq(10) & s.str.match(r"^\d{4}-\d{2}-\d{2}$", na=False)
    parsed = pd.to_datetime(s.where(full), format="%Y-%m-%d", errors="coerce")
    start = s.where(full & parsed.notna()).tolist()
    end = list(start)
    for i in np.flatnonzero(~(full & parsed.notna()).to_numpy()):
        try:
            start[i], end[i] = date_bounds(str(values[i]))
        except InvalidValue:
            raise InvalidValue("eventDate", values[i], row=int(i) + 1) from None
    st = pd.Series(start)
    year = st.str.slice(0, 4).astype("int64").tolist()
    # month/day only when the record is a single day or month (as GBIF does for intervals within one month).
    same_month = pd.Series(end).str.slice(0, 7).eq(st.str.slice(0, 7))
    same_day = pd.Series(end).eq(st)
    month = st.str.slice(5, 7).astype("int64").where(same_month).tolist()
    day = st.str.slice(8, 10).astype("int64").where(same_day).tolist()
    month = [None if m != m else int(m) for m in month]
    day = [None if d != d else int(d) for d in day]
    return start, list(end), year, month, day


def row_to_record(row: Mapping) -> dict:
    """A stored row back to the canonical record (drops derived columns, decodes issues)."""
    rec = {name: row[name] for name in FIELD_NAMES}
    issues = rec.get("issues")
    rec["issues"] = json.loads(issues) if isinstance(issues, str) else list(issues or [])
    return rec


FIELD_TYPES = {name: FIELD_BY_NAME[name].type for name in FIELD_NAMES}
