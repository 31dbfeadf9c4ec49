"""KoboToolbox and ODK submissions of the XLSForm we generate (``occurrences form xlsform``), exported as CSV
or JSON.

The form's field names are Darwin Core terms and its choice names the values we store (spaces written as
``_``), so the mapping is: strip group paths (Kobo ``group/term``, ODK Central ``group-term``), turn choice
names back into values, split a geopoint ("lat lon alt acc", or ODK Central's ``-Latitude``/``-Longitude``/
``-Accuracy`` columns, or a GeoJSON point in ODK JSON) into decimalLatitude, decimalLongitude and
coordinateUncertaintyInMeters, and take the submission's instance id (``uuid:…``) as occurrenceID when the
form left it empty, so importing the same export twice stores nothing twice. Server metadata (``_id``,
``start``, ``SubmissionDate`` …) is left out.
"""
from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from ..errors import FileProblem
from ..records import FIELD_NAMES
from .common import Interchange, prefixed, submittable, text
from .detect import KOBO_META

META = KOBO_META | {"today", "deviceid", "username", "phonenumber", "simserial", "subscriberid", "audit",
                    "SubmitterID", "SubmitterName", "AttachmentsPresent", "AttachmentsExpected", "Status",
                    "ReviewState", "DeviceID", "Edits", "FormVersion", "__id", "__system", "meta", "formhub"}
_NUMBER = r"-?\d+(?:\.\d+)?"
GEOPOINT = (rf"^\s*(?P<lat>{_NUMBER})\s+(?P<lon>{_NUMBER})(?:\s+(?P<alt>{_NUMBER}))?"
            rf"(?:\s+(?P<acc>{_NUMBER}))?\s*$")  # ODK geopoint: "lat lon [alt [accuracy]]"
ODK_GEO_PARTS = {"Latitude": "decimalLatitude", "Longitude": "decimalLongitude", "Accuracy":
                 "coordinateUncertaintyInMeters"}


def read_csv(path: Path, progress=None) -> Interchange:
    from ..ingest.read import read_table

    table = read_table(path.read_bytes(), path.name)
    if progress:
        progress(table.n_rows)
    return from_submissions(dict(zip(table.headers, table.columns)), table.n_rows)


def read_json(path: Path, progress=None) -> Interchange:
    """Kobo's API/JSON export (a list of submissions, or ``{"results": [...]}``) or ODK Central's OData JSON
    (``{"value": [...]}``, groups nested, geopoints as GeoJSON)."""
    with open(path, encoding="utf-8-sig") as fh:
        try:
            doc = json.load(fh)
        except json.JSONDecodeError as exc:
            raise FileProblem(name=path.name, reason=f"it is not valid JSON (line {exc.lineno}: {exc.msg})") from None
    rows = doc.get("results", doc.get("value")) if isinstance(doc, dict) else doc
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise FileProblem(name=path.name, reason="expected a list of submissions (Kobo or ODK Central JSON)")
    flat_rows = [_flatten(r) for r in rows]
    names = list(dict.fromkeys(k for r in flat_rows for k in r))
    columns = {k: text(pa.array([_cell(r.get(k)) for r in flat_rows], pa.large_string())) for k in names}
    if progress:
        progress(len(rows))
    return from_submissions(columns, len(rows))


def _flatten(row: dict, prefix: str = "") -> dict:
    out = {}
    for key, value in row.items():
        name = f"{prefix}/{key}" if prefix else key
        if isinstance(value, dict) and value.get("type") == "Point":  # ODK Central geopoint
            lon, lat, *alt = value.get("coordinates") or [None, None]
            accuracy = (value.get("properties") or {}).get("accuracy")
            out[name] = " ".join(str(v) for v in (lat, lon, alt[0] if alt else 0, accuracy or 0))
        elif isinstance(value, dict):
            out.update(_flatten(value, name))
        else:
            out[name] = value
    return out


def _cell(value):
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, list):
        return " ".join(map(str, value))
    return repr(value) if isinstance(value, float) else str(value)


def from_submissions(columns: dict[str, pa.Array], n: int) -> Interchange:
    out: dict[str, pa.Array] = {}
    unknown: list[str] = []
    instance = None
    for header, column in columns.items():
        name = _field_name(header)
        if header in ("meta/instanceID", "instanceID", "_uuid", "__id", "KEY") or name == "instanceID":
            instance = instance if instance is not None else column
            continue
        if name in META or name.startswith("_") or header.startswith("_") or header.split("/")[0] in META:
            continue
        if name in FIELD_NAMES:
            out[name] = column
        elif _odk_geo_part(header):
            base, part = _odk_geo_part(header)
            if part in ODK_GEO_PARTS:
                out[ODK_GEO_PARTS[part]] = column
        elif _is_geopoint(column):
            out.update(_split_geopoint(column))
        else:
            unknown.append(header)
    out = _choice_values(out)
    out.update({header: columns[header] for header in unknown})  # kept as extra terms
    if instance is not None:
        given = out.get("occurrenceID")
        ids = pc.replace_substring_regex(instance.cast(pa.large_string()), r"^uuid:", "urn:uuid:")
        ids = pc.if_else(pc.starts_with(ids, "urn:"), ids, prefixed("urn:uuid:", ids))
        out["occurrenceID"] = ids if given is None else pc.coalesce(
            pc.if_else(pc.fill_null(pc.greater(pc.utf8_length(given), 0), False), given,
                       pa.scalar(None, pa.large_string())), ids)
    kept, unknown = submittable(out)
    return Interchange(kept, n, None, unknown)


def _field_name(header: str) -> str:
    name = header.rsplit("/", 1)[-1]
    if name not in FIELD_NAMES and "-" in name and _odk_geo_part(header) is None:
        name = name.rsplit("-", 1)[-1]  # ODK Central joins group and field names with "-"
    return name


def _odk_geo_part(header: str):
    name = header.rsplit("/", 1)[-1]
    if "-" in name and name.rsplit("-", 1)[-1] in (*ODK_GEO_PARTS, "Altitude"):
        return tuple(name.rsplit("-", 1))
    return None


def _is_geopoint(column: pa.Array) -> bool:
    filled = pc.drop_null(column)
    filled = pc.filter(filled, pc.greater(pc.utf8_length(pc.utf8_trim_whitespace(filled)), 0))
    if len(filled) == 0:
        return False
    return bool(pc.all(pc.match_substring_regex(filled, GEOPOINT)).as_py())


def _split_geopoint(column: pa.Array) -> dict[str, pa.Array]:
    """"lat lon alt acc" → latitude, longitude, uncertainty (the accuracy, in metres). Parsed per unique value."""
    parts = pc.extract_regex(column, GEOPOINT)
    out = {"decimalLatitude": parts.field("lat"), "decimalLongitude": parts.field("lon")}
    accuracy = parts.field("acc")
    if pc.any(pc.greater(pc.utf8_length(pc.fill_null(accuracy, "")), 0)).as_py():
        out["coordinateUncertaintyInMeters"] = accuracy
    return out


def _choice_values(columns: dict[str, pa.Array]) -> dict[str, pa.Array]:
    """Choice names carry ``_`` where the stored value has a space (XML names allow no spaces)."""
    from ..forms import load_form

    for f in load_form().fields:
        spaced = {c.value.replace(" ", "_"): c.value for c in f.choices if " " in c.value}
        if f.term in columns and spaced:
            keys = pa.array(list(spaced), pa.large_string())
            values = pa.array(list(spaced.values()), pa.large_string())
            column = columns[f.term].cast(pa.large_string())
            columns[f.term] = pc.coalesce(pc.take(values, pc.index_in(column, value_set=keys)), column)
    return columns
