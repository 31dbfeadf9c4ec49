"""Importers for data people already have: GBIF downloads, KoboToolbox/ODK submissions, GIS point layers, and
our own exports (Darwin Core Archive, GeoPackage, GeoJSON, FlatGeobuf, KML, zipped Shapefile).

Every reader turns a file into :class:`Interchange` (Darwin Core term → Arrow text column, plus issue codes
the source already attached); :func:`import_path` then runs the same validation and all-or-nothing store
step as any other import (``occurrences.ingest``). ``occurrences import`` calls :func:`detect_format` and
hands the formats listed in :data:`READERS` to :func:`import_path`.
"""
from __future__ import annotations

from pathlib import Path

from ..store.owners import ANONYMOUS_OWNER
from .common import Interchange, import_interchange
from .detect import detect_format


def _readers():
    from . import gbif, kobo, vector

    return {
        "dwca": gbif.read_dwca,
        "gbif-csv": gbif.read_simple_csv,
        "kobo-csv": kobo.read_csv,
        "kobo-json": kobo.read_json,
        "gpkg": vector.read_vector,
        "geojson": vector.read_vector,
        "fgb": vector.read_vector,
        "kml": vector.read_vector,
        "shp": vector.read_vector,
    }


READERS = ("dwca", "gbif-csv", "kobo-csv", "kobo-json", "gpkg", "geojson", "fgb", "kml", "shp")


def read(path: str | Path, fmt: str | None = None, progress=None) -> Interchange:
    fmt = fmt or detect_format(path)
    return _readers()[fmt](Path(path), progress=progress)


def import_path(store, path: str | Path, *, fmt: str | None = None, submitted_by: str = ANONYMOUS_OWNER,
                lang: str | None = None, dry_run: bool = False, progress=None, access: str = "public",
                **store_options):
    """Import one file of a format in :data:`READERS`; returns ``ingest.ImportResult``. Raises
    ``ImportRejected`` (nothing stored) when any row has an error."""
    data = read(path, fmt, progress)
    return import_interchange(store, data, Path(path).name, submitted_by=submitted_by, lang=lang,
                              dry_run=dry_run, access=access, **store_options)


__all__ = ["READERS", "Interchange", "detect_format", "read", "import_path", "import_interchange"]
