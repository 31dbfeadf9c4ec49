"""Query helpers shared by the API, the web pages and the CLI: name resolution before the store is asked."""
from __future__ import annotations

from typing import Sequence

from .store import Filters


def resolve_names(values: Sequence[str]) -> list[str]:
    """Accepted scientific names for what a user typed: accepted names, synonyms or vernacular names in any of
    the six languages. Unknown names are kept as typed (the query then simply finds nothing)."""
    try:
        from .taxa import resolve_names as resolve  # the checklist, when installed
    except ImportError:
        resolve = None
    out: list[str] = []
    for value in values:
        names = resolve([value]) if resolve else [value]
        out.extend(n for n in (names or [value]) if n not in out)
    return out


def with_accepted_names(filters: Filters) -> Filters:
    if not filters.scientificName:
        return filters
    return filters.replace(scientificName=resolve_names(filters.scientificName))


def get_visible(store, filters: Filters, occurrence_id: str) -> dict | None:
    """One record by id, read through ``query`` so the request's access rules (visibility, generalised
    coordinates) apply exactly as for searches."""
    page = store.query(Filters(access=filters.access, limit=1, where=("cmp", "=", "occurrenceID", occurrence_id)))
    return page.records[0] if page.records else None
