"""FastAPI dependencies: the store, the request language, and filters parsed from the query string."""
from __future__ import annotations

from fastapi import Request

from ..i18n import negotiate
from ..query import with_accepted_names
from ..store import Filters, Store, parse_filters

# Query parameters that are not filters but are understood by the list endpoints.
NON_FILTER_PARAMS = ("format", "f", "lang", "all")
FACET_PARAMS = ("facet", "facetLimit")


def get_store(request: Request) -> Store:
    return request.app.state.store


def request_language(request: Request) -> str:
    return negotiate(request.query_params.get("lang"), request.cookies.get("lang"),
                     request.headers.get("accept-language"))


def filter_params(request: Request) -> Filters:
    """All query parameters are filters except the few in NON_FILTER_PARAMS; unknown ones are refused."""
    return request_filters(request)


def query_lists(request: Request) -> dict[str, list[str]]:
    return {key: request.query_params.getlist(key) for key in request.query_params.keys()}


def facet_filter_params(request: Request) -> Filters:
    return request_filters(request, extra_allow=FACET_PARAMS)


def request_filters(request: Request, extra_allow: tuple[str, ...] = (), params: dict | None = None) -> Filters:
    """Filters from the query string (or ``params`` derived from it), with scientificName resolved to accepted
    names (synonyms and vernacular names in any of the six languages are accepted)."""
    from .auth import request_access  # who is asking: decides visibility and generalisation in the store

    if params is None:
        params = query_lists(request)
    filters = with_accepted_names(parse_filters(params, allow=NON_FILTER_PARAMS + extra_allow))
    return filters.replace(access=request_access(request))
