"""FastAPI dependencies: the store, the request language, and filters parsed from the query string."""
from __future__ import annotations

from fastapi import Request

from ..i18n import negotiate
from ..store import Filters, Store, parse_filters

# Query parameters that are not filters but are understood by the list endpoints.
NON_FILTER_PARAMS = ("format", "f", "lang")


def get_store(request: Request) -> Store:
    return request.app.state.store


def request_language(request: Request) -> str:
    return negotiate(request.query_params.get("lang"), request.cookies.get("lang"),
                     request.headers.get("accept-language"))


def filter_params(request: Request) -> Filters:
    """All query parameters are filters except the few in NON_FILTER_PARAMS; unknown ones are refused."""
    params = {key: request.query_params.getlist(key) for key in request.query_params.keys()}
    return parse_filters(params, allow=NON_FILTER_PARAMS)
