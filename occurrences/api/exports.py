"""/exports: the records matching the filters as a downloadable file (GeoPackage, Shapefile zip, GeoJSON, KML,
FlatGeobuf, CSV, Darwin Core Archive).

GDAL writes files, not streams, so the export is written to a temporary file first and then streamed to the
client in chunks; the file is deleted once sent. Records are read with the caller's access (``request_filters``).
"""
from __future__ import annotations

import shutil
import tempfile
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse
from starlette.background import BackgroundTask

from ..export import FORMATS, ExportOptions, export, filename
from ..store import Store
from ..store.filters import FILTER_DOCS
from .deps import get_store, request_filters
from .lanes import run_long

router = APIRouter(tags=["exports"])
ExportFormatName = Literal["gpkg", "shp", "geojson", "kml", "fgb", "csv", "dwca"]
EXPORT_PARAMS = ("bom", "layersPerSpecies")


@router.get("/exports", summary="Download the matching records as a file",
            description="Filters as for GET /occurrences (every matching record, not a page):\n\n" + "\n".join(
                f"- `{name}`: {doc}" for name, doc in FILTER_DOCS.items() if name not in ("limit", "cursor")))
async def download_export(
    request: Request,
    store: Annotated[Store, Depends(get_store)],
    format: Annotated[ExportFormatName, Query(description=", ".join(f"{f.name}: {f.description}"
                                                                     for f in FORMATS.values()))],
    bom: Annotated[bool, Query(description="CSV: start with a UTF-8 byte-order mark (Excel)")] = False,
    layersPerSpecies: Annotated[bool, Query(description="GeoPackage: one more layer per species")] = False,
):
    # An export of a million records takes seconds: it runs in the long-work lane, not in a request thread.
    options = ExportOptions(bom=bom, layers_per_species=layersPerSpecies)
    path = await run_long(request, _write_export, request, store, format, options)
    return FileResponse(path, media_type=FORMATS[format].media_type, filename=path.name,
                        background=BackgroundTask(shutil.rmtree, path.parent, ignore_errors=True))


def _write_export(request: Request, store: Store, format: str, options: ExportOptions) -> Path:
    filters = request_filters(request, extra_allow=EXPORT_PARAMS)
    workdir = Path(tempfile.mkdtemp(prefix="occurrences-export-"))
    path = workdir / filename(format, f"occurrences-{date.today().isoformat()}")
    try:
        export(store, filters, format, path, options=options)
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    return path
