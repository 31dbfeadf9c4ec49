"""GIS point layers with Darwin Core field names: GeoPackage, GeoJSON, FlatGeobuf, KML, and the zipped
Shapefile we export (its fields.csv maps the 10-character dBASE names back to terms). Coordinates come from
the point geometry when the layer has no decimalLatitude/decimalLongitude fields."""
from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyogrio
import shapely

from ..errors import FileProblem
from ..export.shapefile import read_fields_csv
from .common import Interchange, split_issues, submittable, text

# Fields GDAL's KML readers add to every placemark (ours carry Name/Description too).
KML_FIELDS = frozenset({"Name", "Description", "id", "name", "description", "timestamp", "begin", "end",
                        "altitudeMode", "tessellate", "extrude", "visibility", "drawOrder", "icon", "snippet"})


def read_vector(path: Path, progress=None, layer: str | None = None) -> Interchange:
    source, renames = _source(path)
    try:
        layers = pyogrio.list_layers(source)
        layer = layer or ("occurrences" if "occurrences" in layers[:, 0] else layers[0, 0])
        _meta, table = pyogrio.read_arrow(source, layer=layer, datetime_as_string=True)
    except pyogrio.errors.DataSourceError as exc:
        raise FileProblem(name=path.name, reason=str(exc)) from None
    columns = {renames.get(name, name): table.column(name) for name in table.column_names}
    geometry = columns.pop(_meta["geometry_name"] or "wkb_geometry", None)
    if geometry is not None:
        _coordinates_from(geometry, columns, path.name)
    if progress:
        progress(table.num_rows)
    issues = split_issues(text(columns["issues"]), "|") if "issues" in columns else None
    kept, unknown = submittable(columns, KML_FIELDS if _is_kml(source) else ())
    return Interchange(kept, table.num_rows, issues, unknown)


def _is_kml(source: str) -> bool:
    return pyogrio.read_info(source)["driver"] in ("KML", "LIBKML")


def _source(path: Path) -> tuple[str, dict[str, str]]:
    if not zipfile.is_zipfile(path):
        return str(path), {}
    with zipfile.ZipFile(path) as zf:
        shp = next((n for n in zf.namelist() if n.lower().endswith(".shp")), None)
        renames = read_fields_csv(zf.read("fields.csv").decode("utf-8")) if "fields.csv" in zf.namelist() else {}
    if shp is None:
        raise FileProblem(name=path.name, reason="the zip holds no .shp file")
    return f"/vsizip/{path}/{shp}", renames


def _coordinates_from(geometry: pa.Array, columns: dict, name: str) -> None:
    geoms = shapely.from_wkb(np.asarray(geometry.to_numpy(zero_copy_only=False), dtype=object))
    kinds = shapely.get_type_id(geoms)
    if np.any((kinds != 0) & (kinds != -1)):
        raise FileProblem(name=name, reason="it holds lines or polygons; occurrences are points")
    x, y = shapely.get_x(geoms), shapely.get_y(geoms)
    for term, values in (("decimalLongitude", x), ("decimalLatitude", y)):
        present = columns.get(term)
        from_geometry = pa.array([None if v != v else repr(float(v)) for v in values], pa.large_string())
        columns[term] = from_geometry if present is None else pc.coalesce(text(present), from_geometry)
