"""The filter vocabulary: one table of names shared by the CLI options, API query parameters and both backends.

Parsing turns raw strings (``{"year": ["2010,2020"]}``) into a typed :class:`Filters`; bad values raise
:class:`~occurrences.errors.InvalidParameter` naming the parameter, the value and what is expected.
"""
from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field, fields
from typing import Mapping, Sequence

from ..errors import InvalidParameter, UnknownParameter
from ..i18n import N_
from ..records import OCCURRENCE_STATUSES, date_bounds

MAX_LIMIT = 10_000
DEFAULT_LIMIT = 100
SORTS = ("seq", "eventDate", "-eventDate")

# name → one-line description (used for --help, OpenAPI docs and the README table).
FILTER_DOCS: dict[str, str] = {
    "scientificName": "Accepted scientific name (repeat for several).",
    "countryCode": "ISO 3166-1 alpha-2 code, e.g. TH (repeat for several).",
    "stateProvince": "Province or state name as stored. A province of Viet Nam also finds the records of the "
                     "same area named as before or after the 2025 merger (Quảng Trị finds Quảng Bình); a province "
                     "of Thailand, Cambodia, Lao PDR or Myanmar also finds the records that name it in another "
                     "of the six languages or spelling (เชียงใหม่ finds Chiang Mai).",
    "eventDate": "A date (2024, 2024-03, 2024-03-15), an interval (2024-03-01/2024-03-15) or a range from,to; "
                 "matches records whose date or interval overlaps it.",
    "year": "A year or a range from,to, e.g. 2010,2020; matches records whose date or interval overlaps it.",
    "bbox": "minLon,minLat,maxLon,maxLat in WGS84 degrees.",
    "geometry": "A WKT POLYGON or MULTIPOLYGON in WGS84.",
    "basisOfRecord": "HumanObservation, MachineObservation, PreservedSpecimen, ...",
    "recordedBy": "Recorder name as stored.",
    "issue": "A quality-flag code, e.g. ZERO_COORDINATE (repeat for several).",
    "hasGeospatialIssue": "true or false.",
    "occurrenceStatus": "present or absent (a search that found nothing). Lists show both unless one is asked "
                        "for; maps, tiles and ranges show presences unless absent is asked for.",
    "limit": f"Page size, 1..{MAX_LIMIT} (default {DEFAULT_LIMIT}).",
    "cursor": "The next_cursor value of the previous page.",
    "sort": "seq (insertion order, default), eventDate or -eventDate.",
    "status": "Review status: accepted (default), pending or rejected (repeat for several). Only reviewers see "
              "others' pending and rejected records; submitters see their own.",
}
# Columns an expression may test: descriptive fields only, never coordinates or free-text locations, so a
# filter cannot probe where a generalised (sensitive) record really is.
EXPR_COLUMNS = ("occurrenceID", "scientificName", "vernacularName", "taxonRank", "family", "basisOfRecord",
                "eventDate", "year", "month", "day", "countryCode",
                "stateProvince", "recordedBy", "individualCount", "sex", "lifeStage", "samplingProtocol",
                "language", "occurrenceStatus")
EXPR_OPERATORS = ("=", "<>", "<", "<=", ">", ">=")
MULTI_VALUED = ("scientificName", "countryCode", "stateProvince", "basisOfRecord", "recordedBy", "issue", "status",
                "occurrenceStatus")
STATUSES = ("pending", "accepted", "rejected")


@dataclass
class Filters:
    scientificName: list[str] = field(default_factory=list)
    countryCode: list[str] = field(default_factory=list)
    stateProvince: list[str] = field(default_factory=list)
    basisOfRecord: list[str] = field(default_factory=list)
    recordedBy: list[str] = field(default_factory=list)
    issue: list[str] = field(default_factory=list)
    eventDate: tuple[str, str] | None = None  # inclusive ISO day bounds
    year: tuple[int, int] | None = None
    bbox: tuple[float, float, float, float] | None = None
    geometry: object | None = None  # a shapely (Multi)Polygon
    hasGeospatialIssue: bool | None = None
    occurrenceStatus: list[str] = field(default_factory=list)  # present/absent; empty: both
    limit: int = DEFAULT_LIMIT
    cursor: str | None = None
    sort: str = "seq"
    # Review status; public outputs carry accepted records unless another status is asked for explicitly.
    status: list[str] = field(default_factory=lambda: ["accepted"])
    # A boolean expression built by code (the OGC API's CQL2 translator, datetime intervals), never parsed from
    # query strings here. Nested tuples, rendered with bound values by ``sql.expr_sql``:
    #   ("and", [e, ...]) | ("or", [e, ...]) | ("not", e) | ("cmp", op, column, value) | ("null", column)
    #   | ("in", column, [values]) | ("between", column, lo, hi) | ("overlaps", first_day, last_day)
    # ``column`` must be one of EXPR_COLUMNS; ``op`` one of EXPR_OPERATORS; for eventDate values are ISO days.
    where: tuple | None = None
    # Who is asking. Never parsed from user input: set by the API/CLI from the authenticated user. Stores use
    # it to decide which records are visible and whether coordinates of sensitive records are generalised
    # (filters then apply to the generalised coordinates). "public" is the safe default.
    access: str = "public"

    def replace(self, **changes) -> "Filters":
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(changes)
        return Filters(**values)


def parse_filters(params: Mapping[str, Sequence[str] | str], *, allow: Sequence[str] = ()) -> Filters:
    """Build :class:`Filters` from query-string style values. Unknown names are an error, not ignored;
    names in ``allow`` are tolerated (the caller handles them, e.g. ``format`` or ``lang``)."""
    out = Filters()
    for name, raw in params.items():
        values = [raw] if isinstance(raw, str) else [v for v in raw]
        values = [v for v in values if v is not None and str(v) != ""]
        if name in allow or not values:
            continue
        if name not in FILTER_DOCS:
            raise UnknownParameter(name=name, known=", ".join(FILTER_DOCS))
        parser = _PARSERS.get(name)
        if name in MULTI_VALUED:
            items = [item.strip() for v in values for item in str(v).split("|") if item.strip()]
            if name == "countryCode":
                items = [_country(v) for v in items]
            if name == "status":
                items = [_status(v) for v in items]
            if name == "occurrenceStatus":
                items = [_occurrence_status(v) for v in items]
            setattr(out, name, items)
        else:
            setattr(out, name, parser(name, str(values[-1]).strip()))
    if out.cursor:
        decode_cursor(out.cursor, expected_sort=out.sort)  # a 400 here, before any response has started
    return out


def _invalid(name, value, reason):
    return InvalidParameter(name=name, value=value, reason=reason)


def _country(value: str) -> str:
    code = value.strip().upper()
    if not re.fullmatch(r"[A-Z]{2}", code):
        raise _invalid("countryCode", value, N_("use a two-letter ISO 3166-1 code such as TH, VN, KH, LA or MM"))
    return code


def _status(value: str) -> str:
    if value not in STATUSES:
        raise _invalid("status", value, N_("use accepted, pending or rejected"))
    return value


def _occurrence_status(value: str) -> str:
    folded = value.strip().lower()
    if folded not in OCCURRENCE_STATUSES:
        raise _invalid("occurrenceStatus", value, N_("use present or absent"))
    return folded


def presences_unless_asked(f: "Filters") -> "Filters":
    """Maps, tiles and ranges (EOO/AOO) draw where a species was found: absences only when asked for."""
    return f if f.occurrenceStatus else f.replace(occurrenceStatus=["present"])


def _event_date(name: str, value: str) -> tuple[str, str]:
    parts = [p.strip() for p in value.split(",")]
    if len(parts) > 2 or not all(parts):
        raise _invalid(name, value, N_("use a date YYYY-MM-DD or a range YYYY-MM-DD,YYYY-MM-DD"))
    try:
        start = date_bounds(parts[0])[0]
        end = date_bounds(parts[-1])[1]
    except Exception:
        raise _invalid(name, value, N_("use a date YYYY-MM-DD or a range YYYY-MM-DD,YYYY-MM-DD")) from None
    if end < start:
        raise _invalid(name, value, N_("the start of the range is after its end"))
    return start, end


def _year(name: str, value: str) -> tuple[int, int]:
    parts = [p.strip() for p in value.split(",")]
    if len(parts) > 2 or not all(p.isdigit() and len(p) == 4 for p in parts):
        raise _invalid(name, value, N_("use a four-digit year or a range such as 2010,2020"))
    lo, hi = int(parts[0]), int(parts[-1])
    if hi < lo:
        raise _invalid(name, value, N_("the start of the range is after its end"))
    return lo, hi


def _bbox(name: str, value: str) -> tuple[float, float, float, float]:
    reason = N_("use minLon,minLat,maxLon,maxLat with -180 ≤ lon ≤ 180, -90 ≤ lat ≤ 90 and min < max")
    try:
        x0, y0, x1, y1 = (float(p) for p in value.split(","))
    except ValueError:
        raise _invalid(name, value, reason) from None
    if not (-180 <= x0 < x1 <= 180 and -90 <= y0 < y1 <= 90):
        raise _invalid(name, value, reason)
    return x0, y0, x1, y1


def _geometry(name: str, value: str):
    import shapely

    reason = N_("use a valid WKT POLYGON or MULTIPOLYGON in WGS84 longitude/latitude")
    try:
        geom = shapely.from_wkt(value)
    except Exception:
        raise _invalid(name, value[:200], reason) from None
    if geom is None or geom.geom_type not in ("Polygon", "MultiPolygon") or not geom.is_valid or geom.is_empty:
        raise _invalid(name, value[:200], reason)
    x0, y0, x1, y1 = geom.bounds
    if not (-180 <= x0 and x1 <= 180 and -90 <= y0 and y1 <= 90):
        raise _invalid(name, value[:200], reason)
    return geom


def _boolean(name: str, value: str) -> bool:
    lowered = value.lower()
    if lowered in ("true", "1", "yes"):
        return True
    if lowered in ("false", "0", "no"):
        return False
    raise _invalid(name, value, N_("use true or false"))


def _limit(name: str, value: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= MAX_LIMIT:
        raise _invalid(name, value, N_("use a whole number from 1 to {max}").format(max=MAX_LIMIT))
    return int(value)


def _cursor(name: str, value: str) -> str:
    decode_cursor(value)  # validates
    return value


def _sort(name: str, value: str) -> str:
    if value not in SORTS:
        raise _invalid(name, value, N_("use seq, eventDate or -eventDate"))
    return value


_PARSERS = {
    "eventDate": _event_date,
    "year": _year,
    "bbox": _bbox,
    "geometry": _geometry,
    "hasGeospatialIssue": _boolean,
    "limit": _limit,
    "cursor": _cursor,
    "sort": _sort,
}


def encode_cursor(sort: str, key) -> str:
    raw = json.dumps([sort, key], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


MAX_CURSOR_LENGTH = 200  # ours are under 60 characters
_CURSOR_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_MAX_SEQ = 2**63 - 1


def decode_cursor(cursor: str, expected_sort: str | None = None) -> tuple[str, list]:
    """Return (sort, key); with ``expected_sort``, a cursor written for another order (it would skip or
    repeat records) is rejected too. A cursor is opaque to users; anything we did not write is rejected, here, as a
    400: a key that is not exactly what :func:`encode_cursor` writes (``[seq]`` or ``[day, seq]``, with an
    ISO day and a seq that fits a 64-bit integer) would otherwise reach the SQL and fail there."""
    try:
        if len(cursor) > MAX_CURSOR_LENGTH:
            raise ValueError
        padded = cursor + "=" * (-len(cursor) % 4)
        sort, key = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if sort not in SORTS or not _valid_key(sort, key) or expected_sort not in (None, sort):
            raise ValueError
        return sort, key
    except Exception:
        raise _invalid("cursor", cursor[:100], N_("use the next_cursor value from the previous page")) from None


def _valid_key(sort: str, key) -> bool:
    if not isinstance(key, list) or len(key) != (1 if sort == "seq" else 2):
        return False
    seq = key[-1]
    if type(seq) is not int or not 0 <= seq <= _MAX_SEQ:  # not bool, not float (1e308), not 10**30
        return False
    return sort == "seq" or (isinstance(key[0], str) and _CURSOR_DATE.fullmatch(key[0]) is not None)
