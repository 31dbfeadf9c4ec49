"""OGC API – Features under ``/ogc``: what QGIS, GDAL (OAPIF driver), OWSLib and other standard clients read.

Collections: ``occurrences`` (every record) and one per species present (id = the name with ``_`` for
spaces). Items are read through the store with the request's :class:`Filters`, so access rules apply as for
``/occurrences``. JSON or HTML by ``f=json|html`` or the Accept header.
"""
from __future__ import annotations

import math
import threading
import time
from urllib.parse import quote_plus, unquote_plus, urlsplit
from typing import Annotated

import orjson
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from ..errors import InvalidParameter, OccurrencesError
from ..i18n import N_
from ..ogc.cql import GEOMETRY, QUERYABLES, parse_filter
from ..ogc.params import clamp_limit, normalise_bbox, parse_datetime
from ..query import get_visible
from ..render import feature, feature_collection
from ..store import Filters, Store
from ..store.filters import FILTER_DOCS
from .deps import get_store, query_lists, request_filters
from .paths import segment

router = APIRouter(prefix="/ogc", tags=["OGC API – Features"])

ALL = "occurrences"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
GREGORIAN = "http://www.opengis.net/def/uri/ogc/1.0/TRS/gregorian"
GEOJSON, JSON, HTML = "application/geo+json", "application/json", "text/html"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
]
# Parameters of /items besides filters of our own vocabulary and queryable properties.
OGC_PARAMS = ("datetime", "filter", "filter-lang", "filter-crs", "bbox-crs", "crs")
CATALOGUE_SECONDS = 60.0  # collection list and extents: one GROUP BY over the table, refreshed at most this often


# -- content negotiation and responses ---------------------------------------------------------------------
def wants_html(request: Request) -> bool:
    # Most requests carry no ``f``: look before parsing the query string (OGC items are a hot path). A
    # percent-encoded name (``%66=html``) is parsed like any other.
    query = request.scope.get("query_string", b"")
    f = request.query_params.get("f") if b"f" in query or b"%" in query else None
    if f:
        if f not in ("json", "html", "geojson"):
            raise InvalidParameter(name="f", value=f, reason=N_("use json or html"))
        return f == "html"
    accept = request.headers.get("accept", "")
    html, json_at = accept.find(HTML), max(accept.find("json"), -1)
    return html >= 0 and (json_at < 0 or html < json_at)


def json_response(body: dict, media_type: str = JSON) -> Response:
    return Response(orjson.dumps(body), media_type=media_type)


def page(request: Request, template: str, **context) -> Response:
    from ..web import render  # the web package imports the API's deps: import at call time

    return render(request, template, **context)


def base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/") + "/ogc"


def link(href: str, rel: str, media_type: str, title: str) -> dict:
    return {"href": href, "rel": rel, "type": media_type, "title": title}


def self_links(request: Request, json_type: str = JSON, path: str | None = None,
               parts: tuple[str, list[str]] | None = None) -> list[dict]:
    """``path``: this document's URL path built with :func:`segment` (the request's own path is decoded).
    ``parts``: :func:`url_parts` of the request, when the caller has them already."""
    here, params = parts or url_parts(request, path)
    here = with_query(here, [p for p in params if _param_name(p) != "f"])
    sep = "&" if "?" in here else "?"
    return [link(f"{here}{sep}f=json", "self", json_type, "This document as JSON"),
            link(f"{here}{sep}f=html", "alternate", HTML, "This document as HTML")]


def url_parts(request: Request, path: str | None = None) -> tuple[str, list[str]]:
    """The request's URL without its query, and the query's ``name=value`` parts as the client sent them.
    Links are made from these rather than with Starlette's ``remove_query_params`` / ``include_query_params``,
    which decode and re-encode every parameter: a fifth of what an items page added to ``/occurrences``."""
    url = request.url
    base = str(url if path is None else url.replace(path=path)).partition("?")[0]
    return base, [part for part in url.query.split("&") if part]


def with_query(base: str, params: list[str], **add: str) -> str:
    params = params + [f"{name}={quote_plus(value)}" for name, value in add.items()]
    return f"{base}?{'&'.join(params)}" if params else base


def _param_name(part: str) -> str:
    name = part.partition("=")[0]
    return unquote_plus(name) if "%" in name or "+" in name else name


# -- collections: occurrences + one per species --------------------------------------------------------------
def collection_id(name: str) -> str:
    return name.replace(" ", "_")


def species_of(cid: str) -> str | None:
    return None if cid == ALL else cid.replace("_", " ")


def base_filters(request: Request) -> Filters:
    """The request's Filters without any query-string filter: carries who is asking (access)."""
    return request_filters(request, params={})


_CATALOGUE_LOCK = threading.Lock()


def catalogue(request: Request, store: Store) -> dict:
    """``{None: extent of all, name: extent per species}``, cached briefly per access level. Built by one
    thread at a time: it reads the whole table (~2 s at 200,000 records), and when every waiting request built
    its own, a cold or expired cache under 64 clients took minutes of CPU and timed requests out."""
    filters = base_filters(request)
    cache = request.app.state.__dict__.setdefault("ogc_catalogue", {})
    hit = cache.get(filters.access)
    if hit and time.monotonic() - hit[0] < CATALOGUE_SECONDS:
        return hit[1]
    with _CATALOGUE_LOCK:
        hit = cache.get(filters.access)  # built by the thread this one waited for
        if hit and time.monotonic() - hit[0] < CATALOGUE_SECONDS:
            return hit[1]
        extents = {**store.extents(filters), **store.extents(filters, group_by="scientificName")}
        cache[filters.access] = (time.monotonic(), extents)
        return extents


def extent_doc(extent: dict | None) -> dict:
    """Spatial extent rounded outward to whole degrees, so metadata never pins down a (sensitive) point."""
    doc: dict = {}
    if extent and extent["bbox"]:
        x0, y0, x1, y1 = extent["bbox"]
        box = [math.floor(x0), math.floor(y0), math.ceil(x1), math.ceil(y1)]
        box = [max(box[0], -180), max(box[1], -90), min(box[2], 180), min(box[3], 90)]
        doc["spatial"] = {"bbox": [box], "crs": CRS84}
    if extent and extent["interval"][0]:
        first, last = extent["interval"]
        doc["temporal"] = {"interval": [[f"{first}T00:00:00Z", f"{last}T23:59:59Z"]], "trs": GREGORIAN}
    return doc


def collection_doc(request: Request, cid: str, extent: dict | None) -> dict:
    root = base_url(request)
    name = species_of(cid)
    href = f"{root}/collections/{segment(cid)}"
    return {
        "id": cid,
        "title": name or "Small carnivore occurrences",
        "description": (f"Occurrence records of {name}" if name else
                        "Every occurrence record (Darwin Core) of small carnivores in mainland Southeast Asia"),
        "itemType": "feature",
        "crs": [CRS84],
        "extent": extent_doc(extent),
        "numberOfRecords": extent["count"] if extent else 0,
        "links": [
            link(f"{href}?f=json", "self", JSON, "This collection"),
            link(f"{href}?f=html", "alternate", HTML, "This collection as HTML"),
            link(f"{href}/items?f=json", "items", GEOJSON, "Items as GeoJSON"),
            link(f"{href}/items?f=html", "items", HTML, "Items as HTML"),
            link(f"{href}/queryables", "http://www.opengis.net/def/rel/ogc/1.0/queryables",
                 "application/schema+json", "Queryable properties"),
        ],
    }


def known_collection(request: Request, store: Store, cid: str) -> dict | None:
    """The extent of collection ``cid``, or raise 404 if there is no such collection."""
    cat = catalogue(request, store)
    name = species_of(cid)
    if name is None:
        return cat.get(None)
    if name in cat:
        return cat[name]
    # Species added since the catalogue was cached: one indexed lookup decides.
    if store.query(base_filters(request).replace(scientificName=[name], limit=1)).records:
        request.app.state.ogc_catalogue.clear()
        return catalogue(request, store).get(name)
    raise CollectionNotFound(id=cid)


def check_collection(request: Request, store: Store, cid: str) -> None:
    """Raise 404 unless ``cid`` is a collection, without the catalogue where it is not cached: items of every
    record need no check, a species collection one indexed lookup (the path of ``/occurrences``)."""
    name = species_of(cid)
    if name is None:
        return
    hit = request.app.state.__dict__.get("ogc_catalogue", {}).get(base_filters(request).access)
    if hit and time.monotonic() - hit[0] < CATALOGUE_SECONDS and name in hit[1]:
        return
    if not store.query(base_filters(request).replace(scientificName=[name], limit=1)).records:
        raise CollectionNotFound(id=cid)


class CollectionNotFound(OccurrencesError):
    code = "not-found"
    status = 404
    template = N_("No collection {id}. See /ogc/collections for the list.")


# -- endpoints ------------------------------------------------------------------------------------------------
@router.get("", summary="Landing page")
def landing(request: Request):
    root = base_url(request)
    body = {
        "title": "Small carnivore occurrences – OGC API – Features",
        "description": "Occurrence records (Darwin Core) served as OGC API – Features.",
        "links": [
            *self_links(request),
            link(str(request.base_url) + "openapi.json", "service-desc", "application/vnd.oai.openapi+json;version=3.1",
                 "The API definition (OpenAPI 3.1)"),
            link(str(request.base_url) + "docs", "service-doc", HTML, "The API documentation"),
            link(f"{root}/conformance", "conformance", JSON, "Conformance classes"),
            link(f"{root}/collections", "data", JSON, "Collections"),
        ],
    }
    if wants_html(request):
        return page(request, "ogc_landing.html", doc=body, root=root)
    return json_response(body)


@router.get("/conformance", summary="Conformance classes")
def conformance(request: Request):
    body = {"conformsTo": CONFORMANCE}
    if wants_html(request):
        return page(request, "ogc_landing.html", doc=None, conformance=CONFORMANCE, root=base_url(request))
    return json_response(body)


@router.get("/collections", summary="Collections: all occurrences, and one per species")
def collections(request: Request, store: Annotated[Store, Depends(get_store)]):
    cat = catalogue(request, store)
    docs = [collection_doc(request, ALL, cat.get(None))]
    docs += [collection_doc(request, collection_id(name), cat[name]) for name in sorted(k for k in cat if k)]
    body = {"links": self_links(request), "collections": docs}
    if wants_html(request):
        return page(request, "ogc_collections.html", doc=body, root=base_url(request))
    return json_response(body)


@router.get("/collections/{cid:segment}", summary="One collection's metadata and extent")
def collection(request: Request, cid: str, store: Annotated[Store, Depends(get_store)]):
    doc = collection_doc(request, cid, known_collection(request, store, cid))
    if wants_html(request):
        return page(request, "ogc_collection.html", doc=doc, root=base_url(request))
    return json_response(doc)


@router.get("/collections/{cid:segment}/queryables", summary="Queryable properties (JSON Schema)")
def queryables(request: Request, cid: str, store: Annotated[Store, Depends(get_store)]):
    known_collection(request, store, cid)
    types = {str: "string", int: "integer", float: "number"}
    props = {GEOMETRY: {"title": "Location", "format": "geometry-point", "x-ogc-role": "primary-geometry"}}
    for name, kind in QUERYABLES.items():
        props[name] = {"title": name, "type": types[kind]}
    props["eventDate"] = {"title": "eventDate", "type": "string", "format": "date",
                          "x-ogc-role": "primary-instant"}
    body = {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"{base_url(request)}/collections/{segment(cid)}/queryables",
            "type": "object", "title": cid, "properties": props, "additionalProperties": False}
    if wants_html(request):
        return page(request, "ogc_collection.html", doc=None, queryables=body, cid=cid, root=base_url(request))
    return json_response(body, "application/schema+json")


@router.get("/collections/{cid:segment}/items", summary="Features, filtered and paged (follow the next link)")
def items(request: Request, cid: str, store: Annotated[Store, Depends(get_store)]):
    """Parameters: `bbox`, `datetime` (RFC 3339 instant or interval, `..` for an open end), `limit`
    (1–10000, larger values are clamped), any queryable property (`countryCode=TH`), `filter` in CQL2 text
    (`filter=countryCode='TH' AND year>=2015`), `f=json|html`."""
    html = wants_html(request)
    check_collection(request, store, cid)
    filters = items_filters(request, species_of(cid))
    result = store.query(filters, count=True)
    here, params = url_parts(request)
    links = self_links(request, GEOJSON, parts=(here, params))
    next_url = None
    if result.next_cursor:
        next_url = with_query(here, [p for p in params if _param_name(p) != "cursor"], cursor=result.next_cursor)
        links.append(link(next_url, "next", GEOJSON, "Next page"))
    members = {"numberMatched": result.matched, "numberReturned": len(result.records), "timeStamp": _now(),
               "links": links}
    if html:
        body = {"type": "FeatureCollection", "features": [feature(r) for r in result.records], **members}
        return page(request, "ogc_items.html", doc=body, cid=cid, next_url=next_url, root=base_url(request))
    return Response(feature_collection(result.records, **members), media_type=GEOJSON)


@router.get("/collections/{cid:segment}/items/{fid:segment}", summary="One feature")
def item(request: Request, cid: str, fid: str, store: Annotated[Store, Depends(get_store)]):
    known_collection(request, store, cid)
    record = get_visible(store, base_filters(request), fid)
    name = species_of(cid)
    if record is None or (name and record["scientificName"] != name):
        raise CollectionNotFound(id=f"{cid}/items/{fid}")
    body = feature(record)
    root = base_url(request)
    collection_href = f"{root}/collections/{segment(cid)}"
    here = urlsplit(f"{collection_href}/items/{segment(fid)}").path
    body["links"] = [*self_links(request, GEOJSON, path=here),
                     link(collection_href, "collection", JSON, "The collection")]
    if wants_html(request):
        return page(request, "ogc_item.html", doc=body, cid=cid, root=root)
    return json_response(body, GEOJSON)


# -- items parameters → Filters ---------------------------------------------------------------------------------
def items_filters(request: Request, species: str | None) -> Filters:
    params = query_lists(request)
    ogc = {name: params.pop(name)[-1] for name in OGC_PARAMS if name in params}
    for name in ("bbox-crs", "filter-crs", "crs"):
        if name in ogc and ogc[name] not in (CRS84, "CRS84"):
            raise InvalidParameter(name=name, value=ogc[name], reason=N_("only CRS84 (WGS84 longitude/latitude) is supported"))
    if ogc.get("filter-lang", "cql2-text") != "cql2-text":
        raise InvalidParameter(name="filter-lang", value=ogc["filter-lang"], reason=N_("use cql2-text"))
    params["limit"] = [clamp_limit((params.get("limit") or [None])[-1])]
    if params.get("bbox"):
        params["bbox"] = [normalise_bbox(params["bbox"][-1])]
    where: list[tuple] = []
    for name in [n for n in params if n in QUERYABLES and n not in FILTER_DOCS]:  # e.g. sex=female
        values = params.pop(name)
        where.append(("in", name, [_typed(name, v) for v in values]))
    filters = request_filters(request, params=params)
    if ogc.get("datetime"):
        where.append(parse_datetime(ogc["datetime"]))
    if ogc.get("filter"):
        expr, geometry = parse_filter(ogc["filter"])
        if expr is not None:
            where.append(expr)
        if geometry is not None:
            filters = filters.replace(geometry=geometry if filters.geometry is None
                                      else filters.geometry.intersection(geometry))
    if species:
        if filters.scientificName:
            where.append(("in", "scientificName", [species]))
        else:
            filters = filters.replace(scientificName=[species])
    if where:
        filters = filters.replace(where=where[0] if len(where) == 1 else ("and", where))
    return filters


def _typed(name: str, value: str):
    kind = QUERYABLES[name]
    try:
        return kind(value) if kind is not str else value
    except ValueError:
        raise InvalidParameter(name=name, value=value, reason=N_("the value does not match the property's type (see queryables)")) from None


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


__all__ = ["router", "CONFORMANCE", "items_filters"]
