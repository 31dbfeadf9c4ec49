"""The search page (filters, counts per value, results table, paging) and the record page.

Both read through the store with the request's Filters (same vocabulary and access rules as the API). Form
fields carry the API's parameter names, so a search URL is also a recipe for ``/occurrences``.
"""
from __future__ import annotations

from typing import Annotated

from urllib.parse import urlencode

from babel import Locale
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from ..errors import OccurrencesError
from ..i18n import N_
from ..query import get_visible
from ..records import BASIS_OF_RECORD
from ..api.deps import get_store, query_lists, request_filters, request_language
from ..store import Store
from . import render
from .labels import COUNTRIES
from .mapview import map_context

router = APIRouter(include_in_schema=False)

FORM_FIELDS = ("scientificName", "countryCode", "stateProvince", "basisOfRecord", "issue", "dateFrom", "dateTo",
               "limit", "cursor", "sort")
FACETS = ("countryCode", "scientificName", "year", "basisOfRecord", "issue")
PAGE_SIZE = "50"
# Download buttons: the export formats offered on the search page, in the order shown.
DOWNLOADS = (("gpkg", "GeoPackage"), ("csv", "CSV"), ("dwca", "Darwin Core Archive"), ("geojson", "GeoJSON"),
             ("kml", "KML"), ("shp", "Shapefile"))
PAGING = ("limit", "cursor", "sort")
PAGE_MAX = 500  # rows one HTML page draws at most; more is a download, not a page


def country_names(lang: str) -> dict[str, str]:
    """Country names in the page's language (CLDR, via Babel)."""
    territories = Locale.parse(lang).territories
    return {code: territories.get(code, code) for code in COUNTRIES}


def search_params(request: Request) -> tuple[dict[str, list[str]], dict[str, str]]:
    """Query string → (filter parameters, the form's values to show again). Empty fields are ignored; the
    date range fields become one ``eventDate`` range (an open end takes the other's value as its bound)."""
    raw = query_lists(request)
    form = {name: (raw.get(name) or [""])[-1].strip() for name in FORM_FIELDS}
    params = {name: [form[name]] for name in ("scientificName", "countryCode", "stateProvince", "basisOfRecord",
                                                "issue", "cursor", "sort") if form[name]}
    start, end = form["dateFrom"], form["dateTo"]
    if start or end:
        params["eventDate"] = [f"{start or '0001-01-01'},{end or '9999-12-31'}"]
    params["limit"] = [_page_limit(form["limit"])]
    return params, form


def _page_limit(value: str) -> str:
    """The page size asked for, at most PAGE_MAX; text that is not a number goes to the store to be refused
    with its usual message."""
    if value.isdigit() and int(value) > PAGE_MAX:
        return str(PAGE_MAX)
    return value or PAGE_SIZE


def filter_query(params: dict[str, list[str]]) -> str:
    """The filters alone (no paging) as a query string: the same records for the map tiles and the exports."""
    return urlencode([(k, v) for k, values in params.items() if k not in PAGING for v in values])


def download_links(query: str) -> list[tuple[str, str, str]]:
    """(format, name, URL) of each export of exactly these filters."""
    return [(fmt, name, f"/exports?format={fmt}" + (f"&{query}" if query else "")) for fmt, name in DOWNLOADS]


@router.get("/search", response_class=HTMLResponse)
def search(request: Request, store: Annotated[Store, Depends(get_store)]):
    params, form = search_params(request)
    query = filter_query(params)
    context = dict(form=form, countries=country_names(request_language(request)), basis_values=BASIS_OF_RECORD,
                   records=[], facets={}, count=0, next_url=None, error=None, downloads=download_links(query),
                   **map_context(request_language(request), query),
                   first_url=str(request.url.remove_query_params("cursor")) if form["cursor"] else None)
    flags = store.facets(request_filters(request, params={}), ["issue"], limit=200)["issue"]
    context["flag_codes"] = [code for code, _n in flags]
    try:
        filters = request_filters(request, params=params)
        page = store.query(filters)
        facets = store.facets(filters, FACETS, limit=20)
        count = store.count(filters)
    except OccurrencesError as exc:
        context["error"] = exc.message(request_language(request))
        return render(request, "search.html", status_code=exc.status, **context)
    next_url = str(request.url.include_query_params(cursor=page.next_cursor)) if page.next_cursor else None
    context.update(records=page.records, facets=facets, count=count, next_url=next_url, page_max=PAGE_MAX,
                   capped=form["limit"].isdigit() and int(form["limit"]) > PAGE_MAX,
                   searched=any(form[k] for k in FORM_FIELDS if k not in ("limit", "sort")))
    return render(request, "search.html", **context)


@router.get("/records/{occurrence_id:segment}", response_class=HTMLResponse)
def record_page(request: Request, occurrence_id: str, store: Annotated[Store, Depends(get_store)]):
    record = get_visible(store, request_filters(request, params={}), occurrence_id)
    if record is None:
        return render(request, "record.html", status_code=404, r=None,
                      message=N_("No occurrence with id {id}. Check the id, or search with GET /occurrences."),
                      occurrence_id=occurrence_id)
    return render(request, "record.html", r=record, occurrence_id=occurrence_id)


__all__ = ["router", "search_params", "country_names"]
