"""/occurrences: list (GeoJSON, CSV, NDJSON), one record, and facets."""
from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse

from ..errors import NotFound
from ..render import MEDIA_TYPES, chunks, feature
from ..store import Filters, Store
from ..store.filters import FILTER_DOCS
from .deps import filter_params, get_store

router = APIRouter(tags=["occurrences"])
Format = Literal["geojson", "csv", "ndjson"]


def _documented_filters(fn):
    """Expose the filter vocabulary in the OpenAPI docs (parsing itself goes through ``filter_params``)."""
    fn.__doc__ = (fn.__doc__ or "") + "\n\nFilters (repeatable where noted):\n\n" + "\n".join(
        f"- `{name}`: {doc}" for name, doc in FILTER_DOCS.items())
    return fn


@router.get("/occurrences", summary="Search occurrences")
@_documented_filters
def list_occurrences(
    request: Request,
    filters: Annotated[Filters, Depends(filter_params)],
    store: Annotated[Store, Depends(get_store)],
    format: Annotated[Format, Query(description="Response format")] = "geojson",
):
    """Records matching every filter given, one page at a time (follow `next_cursor`)."""
    page = store.query(filters)
    headers = {}
    if page.next_cursor:
        next_url = request.url.include_query_params(cursor=page.next_cursor)
        headers["Link"] = f'<{next_url}>; rel="next"'
    extra = {"next_cursor": page.next_cursor, "limit": page.limit}
    if format != "geojson":
        if page.next_cursor:
            headers["X-Next-Cursor"] = page.next_cursor
        return StreamingResponse(chunks(format, page.records), media_type=MEDIA_TYPES[format], headers=headers)
    body = {"type": "FeatureCollection", "features": [feature(r) for r in page.records], **extra}
    return JSONResponse(body, media_type=MEDIA_TYPES["geojson"], headers=headers)


@router.get("/occurrences/{occurrence_id}", summary="One occurrence as a GeoJSON Feature")
def get_occurrence(occurrence_id: str, store: Annotated[Store, Depends(get_store)]):
    record = store.get(occurrence_id)
    if record is None:
        raise NotFound(id=occurrence_id)
    return JSONResponse(feature(record), media_type=MEDIA_TYPES["geojson"])
