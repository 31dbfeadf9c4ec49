"""/occurrences: list (GeoJSON, CSV, NDJSON), one record, and facets."""
from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from ..errors import InvalidParameter, NotFound
from ..i18n import N_
from ..render import MEDIA_TYPES, chunks, feature, feature_collection
from ..store import Filters, Store
from ..store.base import FACET_FIELDS
from ..store.filters import FILTER_DOCS
from .auth import request_access
from .deps import facet_filter_params, filter_params, get_store

router = APIRouter(tags=["occurrences"])
Format = Literal["geojson", "csv", "ndjson"]
# ``all=true`` streams every matching record in one response, up to this many; larger results are refused
# (page with the cursor, or use ``occurrences query --all`` on the server) so one request cannot hold a worker
# for minutes.
MAX_STREAM_RECORDS = 500_000
DEFAULT_FACETS = ("countryCode", "scientificName", "year")
MAX_FACET_LIMIT = 1000


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
    all: Annotated[bool, Query(description=f"Stream every matching record in one response (no paging; at "
                                           f"most {MAX_STREAM_RECORDS:,} records, else 400).")] = False,
):
    """Records matching every filter given, one page at a time (follow `next_cursor`), or with `all=true`
    every matching record streamed (CSV, NDJSON or GeoJSON)."""
    if all:
        return _stream_all(filters, store, format)
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
    return Response(feature_collection(page.records, **extra), media_type=MEDIA_TYPES["geojson"], headers=headers)


def _stream_all(filters: Filters, store: Store, format: str) -> StreamingResponse:
    n = store.count(filters)
    if n > MAX_STREAM_RECORDS:
        raise InvalidParameter(name="all", value="true", reason=N_(
            "too many records match; narrow the filters or page with the cursor"))
    disposition = {"Content-Disposition": f'attachment; filename="occurrences.{format}"', "X-Total-Count": str(n)}
    return StreamingResponse(chunks(format, store.iter_records(filters)), media_type=MEDIA_TYPES[format],
                             headers=disposition)


@router.get("/occurrences/facets", summary="Counts of records per value (facets) under the same filters")
@_documented_filters
def occurrence_facets(
    filters: Annotated[Filters, Depends(facet_filter_params)],
    store: Annotated[Store, Depends(get_store)],
    facet: Annotated[list[str] | None, Query(description="Field to count by, repeatable: "
                                                         + ", ".join(FACET_FIELDS))] = None,
    facetLimit: Annotated[str, Query(description=f"Most frequent values per facet, 1..{MAX_FACET_LIMIT}")] = "50",
):
    """`{"count": total, "facets": {field: [{"value", "count"}, ...]}}`, most frequent values first."""
    if not facetLimit.isdigit() or not 1 <= int(facetLimit) <= MAX_FACET_LIMIT:
        raise InvalidParameter(name="facetLimit", value=facetLimit,
                               reason=N_("use a whole number from 1 to {max}").format(max=MAX_FACET_LIMIT))
    names = list(dict.fromkeys(facet or DEFAULT_FACETS))
    counts = store.facets(filters, names, limit=int(facetLimit))
    return {"count": store.count(filters),
            "facets": {name: [{"value": v, "count": c} for v, c in counts[name]] for name in names}}


@router.get("/occurrences/{occurrence_id:segment}", summary="One occurrence as a GeoJSON Feature")
def get_occurrence(occurrence_id: str, store: Annotated[Store, Depends(get_store)],
                   access: Annotated[str, Depends(request_access)]):
    record = store.get(occurrence_id, access=access)
    if record is None:
        raise NotFound(id=occurrence_id)
    return JSONResponse(feature(record), media_type=MEDIA_TYPES["geojson"])
