"""Serialise records as GeoJSON, CSV and NDJSON, streamed as chunks of text (used by the API and the CLI)."""
from __future__ import annotations

import csv
import io
import json
from typing import Iterable, Iterator

import orjson

from .formulas import neutralise
from .records import FIELD_NAMES

safe_cell = neutralise  # the one formula rule (occurrences.formulas), under the name callers know

MEDIA_TYPES = {
    "geojson": "application/geo+json",
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "ndjson": "application/x-ndjson",
}


def feature(record: dict) -> dict:
    lat, lon = record.get("decimalLatitude"), record.get("decimalLongitude")
    geometry = {"type": "Point", "coordinates": [lon, lat]} if lat is not None and lon is not None else None
    return {"type": "Feature", "id": record["occurrenceID"], "geometry": geometry, "properties": record}


def feature_collection(records: Iterable[dict], **members) -> bytes:
    """A page of records as one GeoJSON FeatureCollection, serialised once by orjson (the /occurrences and OGC
    items pages share it); ``members`` (links, counts, cursor) follow the features."""
    return orjson.dumps({"type": "FeatureCollection", "features": [feature(r) for r in records], **members})


def geojson_chunks(records: Iterable[dict], extra: dict | None = None) -> Iterator[str]:
    """A FeatureCollection written feature by feature, so a large result never sits in memory."""
    yield '{"type":"FeatureCollection","features":['
    for i, rec in enumerate(records):
        yield ("," if i else "") + json.dumps(feature(rec), ensure_ascii=False)
    tail = "".join(f",{json.dumps(k)}:{json.dumps(v, ensure_ascii=False)}" for k, v in (extra or {}).items())
    yield "]" + tail + "}"


def ndjson_chunks(records: Iterable[dict]) -> Iterator[str]:
    for rec in records:
        yield json.dumps(rec, ensure_ascii=False) + "\n"


def csv_chunks(records: Iterable[dict], columns=FIELD_NAMES, *, bom: bool = False,
               batch: int = 1000) -> Iterator[str]:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    if bom:
        buf.write("\ufeff")
    writer.writerow(columns)
    for i, rec in enumerate(records, 1):
        writer.writerow([neutralise(rec.get(c)) for c in columns])
        if i % batch == 0:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue()


def chunks(fmt: str, records: Iterable[dict], extra: dict | None = None) -> Iterator[str]:
    if fmt == "csv":
        return csv_chunks(records)
    if fmt == "ndjson":
        return ndjson_chunks(records)
    return geojson_chunks(records, extra)
