"""ESRI Shapefile, delivered as one zip: .shp .shx .dbf .prj .cpg (UTF-8) and fields.csv.

dBASE limits field names to 10 characters, so every Darwin Core term gets a fixed short name
(:data:`SHORT_NAMES`, also in docs/exports.md). ``fields.csv`` inside the zip maps each short name back to
its term and term URI, and records where a text value was longer than the 254 bytes a dBASE field holds.
"""
from __future__ import annotations

import csv
import io
import tempfile
import zipfile
from pathlib import Path
from typing import Iterable

import pyarrow as pa
import pyarrow.compute as pc

from ..records import FIELD_NAMES
from . import vector
from .columns import GEOMETRY, flat, with_points
from .terms import term_uri

SHORT_NAMES: dict[str, str] = {
    "occurrenceID": "occurID", "basisOfRecord": "basisOfRec", "scientificName": "sciName",
    "vernacularName": "vernacName", "taxonRank": "taxonRank", "family": "family", "eventDate": "eventDate",
    "year": "year", "month": "month", "day": "day", "decimalLatitude": "decLat", "decimalLongitude": "decLon",
    "geodeticDatum": "geodDatum", "coordinateUncertaintyInMeters": "coordUncM", "countryCode": "countryCod",
    "stateProvince": "stateProv", "locality": "locality", "recordedBy": "recordedBy",
    "individualCount": "indivCount", "occurrenceStatus": "occStatus", "sex": "sex", "lifeStage": "lifeStage",
    "samplingProtocol": "sampProtoc",
    "occurrenceRemarks": "occRemarks", "verbatimEventDate": "vEventDate", "verbatimCoordinates": "vCoords",
    "verbatimLatitude": "vLatitude", "verbatimLongitude": "vLongitude", "verbatimLocality": "vLocality",
    "verbatimSRS": "vSRS", "language": "language", "informationWithheld": "infoWithhe",
    "dataGeneralizations": "dataGenera", "extraTerms": "extraTerms", "issues": "issues", "submittedBy": "submitBy",
    "submittedAt": "submitAt",
}
LONG_NAMES = {short: long for long, short in SHORT_NAMES.items()}
DBF_TEXT_BYTES = 254
MEMBERS = (".shp", ".shx", ".dbf", ".prj", ".cpg")


def write(batches: Iterable[pa.RecordBatch], path: Path, *, layer: str = vector.LAYER) -> list[str]:
    """Write the zip; return the names of fields whose longest value did not fit a dBASE field."""
    too_long: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as tmp:
        shp = Path(tmp) / f"{layer}.shp"
        schema = vector.flat_schema().append(GEOMETRY)
        schema = pa.schema([f.with_name(SHORT_NAMES.get(f.name, f.name)) for f in schema])
        prepared = (_prepare(b, too_long) for b in batches)
        vector.write_stream(prepared, schema, shp, driver="ESRI Shapefile", layer=layer)
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
            for suffix in MEMBERS:
                member = shp.with_suffix(suffix)
                if member.exists():
                    zf.write(member, member.name)
            zf.writestr("fields.csv", fields_csv(too_long))
    return sorted(too_long)


def fields_csv(too_long: dict[str, int] | None = None) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["shapefile_field", "term", "term_uri", "note"])
    for name in FIELD_NAMES:
        note = ""
        if too_long and name in too_long:
            note = f"longest value {too_long[name]} bytes; cut to {DBF_TEXT_BYTES} bytes by the dBASE format"
        writer.writerow([SHORT_NAMES[name], name, term_uri(name) or "", note])
    return buf.getvalue()


def read_fields_csv(text: str) -> dict[str, str]:
    """short name → term, from a fields.csv written by :func:`fields_csv`."""
    return {row["shapefile_field"]: row["term"] for row in csv.DictReader(io.StringIO(text))}


def _prepare(batch: pa.RecordBatch, too_long: dict[str, int]) -> pa.RecordBatch:
    batch = with_points(flat(batch))
    for name in FIELD_NAMES:
        column = batch.column(name)
        if pa.types.is_string(column.type) and len(column):
            longest = pc.max(pc.binary_length(column)).as_py() or 0
            if longest > DBF_TEXT_BYTES:
                too_long[name] = max(longest, too_long.get(name, 0))
    return batch.rename_columns([SHORT_NAMES.get(n, n) for n in batch.schema.names])
