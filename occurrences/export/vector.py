"""GIS formats written by GDAL through pyogrio's Arrow writer: GeoPackage, FlatGeobuf, GeoJSON, KML.

Batches stream from the store into ``pyogrio.write_arrow``: the whole result never sits in memory and no
GeoDataFrame is built.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable, Iterator

import pyarrow as pa
import pyarrow.compute as pc
import pyogrio

from ..store.arrow import SCHEMA
from .columns import GEOMETRY, flat, with_points

LAYER = "occurrences"
_DRIVERS = {"gpkg": "GPKG", "fgb": "FlatGeobuf", "geojson": "GeoJSON", "kml": "KML"}


def flat_schema() -> pa.Schema:
    return pa.schema([pa.field(f.name, pa.string() if f.name == "issues" else f.type) for f in SCHEMA])


def write(fmt: str, batches: Iterable[pa.RecordBatch], path: Path, *, layer: str = LAYER, append: bool = False,
          **options) -> None:
    """Write ``batches`` of :data:`store.arrow.SCHEMA` as point features, one layer."""
    schema = flat_schema()
    if fmt == "kml":
        schema = pa.schema([pa.field("Name", pa.string()), pa.field("Description", pa.string()), *schema])
        prepared = (_kml_batch(b) for b in batches)
    else:
        prepared = (with_points(flat(b)) for b in batches)
    if fmt == "fgb":  # its packed R-tree cannot hold records without coordinates, which we export too
        options.setdefault("SPATIAL_INDEX", "NO")
    write_stream(prepared, schema.append(GEOMETRY), path, driver=_DRIVERS[fmt], layer=layer, append=append,
                 **options)


def write_stream(batches: Iterable[pa.RecordBatch], schema: pa.Schema, path: Path, *, driver: str, layer: str,
                 append: bool = False, **options) -> None:
    """Batches that already carry a WKB ``geometry`` column → one layer of points in EPSG:4326."""
    stream = pa.RecordBatchReader.from_batches(schema, batches)
    pyogrio.write_arrow(stream, str(path), layer=layer, driver=driver, geometry_name="geometry",
                        geometry_type="Point", crs="EPSG:4326", encoding="UTF-8", append=append, **options)


def _kml_batch(batch: pa.RecordBatch) -> pa.RecordBatch:
    """KML placemarks are named after the species and described by what, when, where and who; every field
    also goes into the placemark's ExtendedData."""
    name = batch.column("scientificName")
    parts = [batch.column(c) for c in ("vernacularName", "eventDate", "locality", "countryCode", "recordedBy",
                                       "basisOfRecord")]
    description = pc.binary_join_element_wise(*parts, " · ", null_handling="skip")
    rest = flat(batch)
    points = with_points(rest)
    return pa.RecordBatch.from_arrays([name, description, *points.columns],
                                      names=["Name", "Description", *points.schema.names])


def species_layer_name(name: str, taken: set[str]) -> str:
    """A layer name safe in every GIS: ASCII letters, digits and underscores, unique within the file."""
    base = re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_")[:60] or "unnamed"
    candidate, i = base, 2
    while candidate.lower() in taken:
        candidate, i = f"{base}_{i}", i + 1
    taken.add(candidate.lower())
    return candidate


def tee_count(batches: Iterable[pa.RecordBatch], counter: list[int]) -> Iterator[pa.RecordBatch]:
    for b in batches:
        counter[0] += b.num_rows
        yield b
