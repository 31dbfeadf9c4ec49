"""Turn canonical records into the column arrays both backends write, with the derived columns
(year/month/day, date bounds, grid cell, geospatial-issue bit). Vectorized: one pass per column, not per row;
strings (dates, issue lists, vocabularies) are checked and parsed once per *unique* value."""
from __future__ import annotations

import json
from typing import Callable, Iterable, Iterator, Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import InvalidValue, PathStepIdentifier
from ..records import (BASIS_OF_RECORD, FIELD_BY_NAME, FIELD_NAMES, GEOSPATIAL_ISSUES, OCCURRENCE_STATUSES,
                       date_bounds, new_occurrence_id, now_iso)
from .access import PUBLIC_DERIVED, public_derived
from .sql import cells_of

# Input column, not a Darwin Core term: a submitter may ask for a record to be more sensitive than its species.
SENSITIVITY_INPUT = "sensitivity"
DERIVED = ("_start", "_end", "_cell", "_geo_issue") + PUBLIC_DERIVED
STORED_COLUMNS = FIELD_NAMES + DERIVED


PATH_STEPS = (".", "..")  # identifiers no link can carry (see occurrences.api.paths)


def to_columns(records: Iterable[Mapping] | Mapping[str, Sequence], *, submitted_by: str,
               record_sensitivity: int | None = None, submitted_at: str | None = None) -> dict[str, list]:
    """Validate and complete a batch; raise :class:`InvalidValue` (with ``row``, 1-based) on the first bad
    value. Returns column name → list, in :data:`STORED_COLUMNS` order. A ``sensitivity`` column (or
    ``record_sensitivity`` for all rows) raises records above their species' level (occurrences.sensitivity).
    ``submitted_at`` stamps the records that have no ``submittedAt`` (default: now)."""
    cols = columnar(records)
    requested = cols.pop(SENSITIVITY_INPUT, None)
    unknown = set(cols) - set(FIELD_NAMES)
    if unknown:
        raise InvalidValue(sorted(unknown)[0], None, reason="unknown field")
    n = batch_length(cols)

    out: dict[str, list] = {name: cols.get(name) or [None] * n for name in FIELD_NAMES}
    out["occurrenceID"] = [v if v else new_occurrence_id() for v in out["occurrenceID"]]
    bad = _first_bad(out["occurrenceID"], lambda v: v in PATH_STEPS)
    if bad is not None:
        raise PathStepIdentifier(out["occurrenceID"][bad], row=bad + 1)
    for name in ("basisOfRecord", "scientificName", "eventDate"):
        _require(name, out[name])
    bad = _first_bad(out["basisOfRecord"], lambda v: v not in BASIS_OF_RECORD)
    if bad is not None:
        raise InvalidValue("basisOfRecord", out["basisOfRecord"][bad], row=bad + 1)
    bad = _first_bad(out["occurrenceStatus"], lambda v: v is not None and v not in OCCURRENCE_STATUSES)
    if bad is not None:
        raise InvalidValue("occurrenceStatus", out["occurrenceStatus"][bad], row=bad + 1,
                           reason="use present or absent")

    lat = _floats("decimalLatitude", out["decimalLatitude"])
    lon = _floats("decimalLongitude", out["decimalLongitude"])
    for name, values, limit in (("decimalLatitude", lat, 90), ("decimalLongitude", lon, 180)):
        bad = np.flatnonzero(np.abs(values) > limit)
        if bad.size:
            raise InvalidValue(name, float(values[bad[0]]), row=int(bad[0]) + 1)
    lat_missing, lon_missing = np.isnan(lat), np.isnan(lon)
    unpaired = np.flatnonzero(lat_missing != lon_missing)
    if unpaired.size:
        i = int(unpaired[0])
        raise InvalidValue("decimalLatitude", None if lat_missing[i] else float(lat[i]), row=i + 1,
                           reason="latitude and longitude must be given together")
    out["decimalLatitude"], out["decimalLongitude"] = _none_nan(lat), _none_nan(lon)
    geo = (~lat_missing).tolist()
    out["geodeticDatum"] = [d or ("WGS84" if g else None) for d, g in zip(out["geodeticDatum"], geo)]
    out["coordinateUncertaintyInMeters"] = _none_nan(_floats("coordinateUncertaintyInMeters",
                                                             out["coordinateUncertaintyInMeters"]))
    out["individualCount"] = _ints("individualCount", out["individualCount"])

    start, end, year, month, day = _dates(out["eventDate"])
    out.update(year=year, month=month, day=day, _start=start, _end=end)
    out["_cell"] = cells_of(lat, lon).tolist()
    out["issues"], out["_geo_issue"] = _issues(out["issues"])
    out["submittedBy"] = [v or submitted_by for v in out["submittedBy"]]
    stamp = submitted_at or now_iso()
    out["submittedAt"] = [v or stamp for v in out["submittedAt"]]
    out.update(public_derived(out, _sensitivities(requested, record_sensitivity)))
    return out


def _sensitivities(requested: list | None, default: int | None):
    from ..sensitivity import level_index

    if requested is None:
        return default
    for i, value in enumerate(requested):
        try:
            level_index(value)
        except ValueError as exc:
            raise InvalidValue(SENSITIVITY_INPUT, value, row=i + 1, reason=str(exc)) from None
    return requested


def columnar(records) -> dict[str, list]:
    """Records given as rows (mappings) or as columns → column name → list (a copy)."""
    if isinstance(records, Mapping):
        return {k: list(v) for k, v in records.items()}
    rows = list(records)
    names = {k for r in rows for k in r}
    return {name: [r.get(name) for r in rows] for name in names}


def batch_length(cols: Mapping[str, list]) -> int:
    """The number of records in columns from :func:`columnar`; raises if the columns differ in length."""
    n = len(next(iter(cols.values()))) if cols else 0
    for name, values in cols.items():
        if len(values) != n:
            raise InvalidValue(name, len(values), reason=f"column has {len(values)} values, expected {n}")
    return n


def column_chunks(cols: Mapping[str, list], rows: int, *, submitted_by: str) -> Iterator[dict[str, list]]:
    """:func:`to_columns` over successive slices of ``rows`` records, so that a bulk load can write one slice
    while the next is converted. Errors name the row in the whole batch; all slices share one submission
    time."""
    n, stamp = batch_length(cols), now_iso()
    for start in range(0, n, rows):
        part = {name: values[start:start + rows] for name, values in cols.items()}
        try:
            yield to_columns(part, submitted_by=submitted_by, submitted_at=stamp)
        except InvalidValue as exc:
            if exc.params.get("row") is None:
                raise
            params = {**exc.params, "row": exc.params["row"] + start}
            raise InvalidValue(params.pop("field"), params.pop("value"), **params) from None


def _first_bad(values: list, is_bad: Callable[[object], bool]) -> int | None:
    """Index of the first value for which ``is_bad`` holds. Tests each distinct value once (columns repeat a
    few values a million times); scans rows only when there is something to report."""
    try:
        distinct = set(values)
    except TypeError:  # unhashable values: test them one by one
        distinct = None
    if distinct is not None and not any(is_bad(v) for v in distinct):
        return None
    return next((i for i, v in enumerate(values) if is_bad(v)), None)


def _is_blank(v) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _require(name: str, values: list):
    bad = _first_bad(values, _is_blank)
    if bad is not None:
        raise InvalidValue(name, values[bad], row=bad + 1, reason="required")


def _floats(name: str, values: list) -> np.ndarray:
    try:  # fast path: numbers, numeric strings and None (→ NaN) convert in one call
        return np.array(values, dtype="float64")
    except (TypeError, ValueError):
        pass
    try:
        return np.array([np.nan if v is None or v == "" else v for v in values], dtype="float64")
    except (TypeError, ValueError):
        for i, v in enumerate(values):
            try:
                float(np.nan if v is None or v == "" else v)
            except (TypeError, ValueError):
                raise InvalidValue(name, v, row=i + 1) from None
        raise


def _none_nan(arr: np.ndarray) -> list:
    missing = np.isnan(arr)
    if not missing.any():
        return arr.tolist()
    values = arr.astype(object)
    values[missing] = None
    return values.tolist()


def _ints(name: str, values: list) -> list:
    try:
        converted = {v: _int(name, v, 0) for v in set(values)}
    except (TypeError, InvalidValue):  # unhashable or bad: convert row by row, which names the first bad row
        return [_int(name, v, i) for i, v in enumerate(values)]
    if set(converted.values()) == {None}:
        return [None] * len(values)
    return [converted[v] for v in values]


def _int(name: str, v, i: int):
    if v is None or v == "":
        return None
    try:
        iv = int(v)
        if iv != float(v) or iv < 0:
            raise ValueError
    except (TypeError, ValueError, OverflowError):
        raise InvalidValue(name, v, row=i + 1) from None
    return iv


def _dates(values: list) -> tuple[list, list, list, list, list]:
    """Date bounds and year/month/day, computed once per distinct ``eventDate`` (dates, months, years or
    ``start/end`` intervals, see :func:`date_bounds`) and spread back to the rows."""
    try:
        codes, distinct = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=False)
    except TypeError:  # unhashable values (a list, say) are read as their text, and rejected below
        codes, distinct = pd.factorize(pd.Series([str(v) for v in values], dtype=object), use_na_sentinel=False)
    bounds = []
    for k, value in enumerate(distinct):
        try:
            bounds.append(date_bounds(value if isinstance(value, str) else str(value)))
        except InvalidValue:
            i = int(np.flatnonzero(codes == k)[0])
            raise InvalidValue("eventDate", values[i], row=i + 1) from None
    per_value = {
        "start": [s for s, _ in bounds],
        "end": [e for _, e in bounds],
        "year": [int(s[:4]) for s, _ in bounds],
        # month/day only when the record is a single day or month (as GBIF does for intervals within one month).
        "month": [int(s[5:7]) if s[:7] == e[:7] else None for s, e in bounds],
        "day": [int(s[8:10]) if s == e else None for s, e in bounds],
    }
    spread = {key: np.array(v, dtype=object)[codes].tolist() for key, v in per_value.items()}
    return spread["start"], spread["end"], spread["year"], spread["month"], spread["day"]


def _issues(values: list) -> tuple[list[str], list[int]]:
    """Issue lists → (JSON text, geospatial-issue bit) per row, each distinct list encoded once."""
    keys = [tuple(v) if v else () for v in values]
    encoded = {k: json.dumps(list(k)) if k else "[]" for k in set(keys)}
    geospatial = {k: int(bool(GEOSPATIAL_ISSUES.intersection(k))) for k in encoded}
    return [encoded[k] for k in keys], [geospatial[k] for k in keys]


def row_to_record(row: Mapping) -> dict:
    """A stored row looked up by column name (a dict row, ``sqlite3.Row``) back to the canonical record (drops
    derived columns, decodes issues). For many rows read as plain tuples use :func:`records_from_rows`."""
    rec = {name: row[name] for name in FIELD_NAMES}
    issues = rec.get("issues")
    rec["issues"] = json.loads(issues) if isinstance(issues, str) else list(issues or [])
    return rec


def records_from_rows(rows: Iterable[Sequence]) -> list[dict]:
    """Plain tuple rows whose first columns are :data:`FIELD_NAMES` in order (as ``sql.select_columns`` and
    ``sql.SELECT_COLUMNS`` give them) → canonical records. Zipping positions is ~10× faster than looking every
    field up by name, and each distinct issue list is decoded once (nearly every row holds ``[]``)."""
    decoded: dict = {}
    out = []
    for row in rows:
        rec = dict(zip(FIELD_NAMES, row))
        issues = rec["issues"]
        codes = decoded.get(issues) if isinstance(issues, str) else None
        if codes is None:
            codes = json.loads(issues) if isinstance(issues, str) else list(issues or [])
            if isinstance(issues, str):
                decoded[issues] = codes
        rec["issues"] = list(codes)  # a list of its own per record: callers may change it
        out.append(rec)
    return out


FIELD_TYPES = {name: FIELD_BY_NAME[name].type for name in FIELD_NAMES}


# Bookkeeping that may differ between two submissions of the same record.
_NOT_COMPARED = ("submittedAt", "submittedBy", "issues")


def classify_existing(cols: Mapping[str, list], found: Mapping[str, dict]) -> tuple[list[str], list[int]]:
    """Idempotent re-import, the same on every backend: a record whose occurrenceID is not stored yet is
    ``stored``; an identical one already stored is ``skipped``; a different one is a ``conflict`` (reported, never
    overwritten). Returns the status per input row and the rows to insert."""
    ids = cols["occurrenceID"]
    if not found:
        return ["stored"] * len(ids), list(range(len(ids)))
    compare = [f for f in FIELD_NAMES if f not in _NOT_COMPARED]
    statuses, keep = [], []
    for i, oid in enumerate(ids):
        old = found.get(oid)
        if old is None:
            statuses.append("stored")
            keep.append(i)
        elif all(_same(old[f], cols[f][i]) for f in compare):
            statuses.append("skipped")
        else:
            statuses.append("conflict")
    return statuses, keep


def _same(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and abs(float(a) - float(b)) < 1e-9
    return a == b


def updated_columns(before: Mapping, changes: Mapping, occurrence_id: str) -> tuple[dict[str, list], list[str]]:
    """The stored row of a reviewed record, the same on every backend: ``before`` (the precise record with its
    ``status`` and ``sensitivity``) with ``changes`` applied, checked and derived again. Returns the columns and
    the names to write (the stored columns plus ``_status``)."""
    from ..sensitivity import level_index
    from .access import STATUSES

    fields = {k: v for k, v in changes.items() if k not in ("status", "sensitivity")}
    merged = {k: v for k, v in {**before, **fields}.items() if k not in ("status", "sensitivity")}
    merged["occurrenceID"] = occurrence_id
    status = changes.get("status", before["status"])
    if status not in STATUSES:
        raise InvalidValue("status", status, reason="use pending, accepted or rejected")
    try:
        level = level_index(changes.get("sensitivity", before["sensitivity"]))
    except ValueError as exc:
        raise InvalidValue("sensitivity", changes.get("sensitivity"), reason=str(exc)) from None
    cols = to_columns([merged], submitted_by=before["submittedBy"], record_sensitivity=level)
    cols["_status"] = [status]
    return cols, [*STORED_COLUMNS, "_status"]
