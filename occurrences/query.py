"""Query helpers shared by the API, the web pages and the CLI: name resolution before the store is asked."""
from __future__ import annotations

from functools import lru_cache
from typing import Sequence

from .store import Filters


def _checklist():
    from .taxa import current

    return current()


def _accepted(name: str) -> str:
    return _accepted_in(_checklist(), name)


@lru_cache(maxsize=4096)
def _accepted_in(checklist, name: str) -> str:
    try:
        return checklist.get(name).scientific_name
    except (KeyError, ImportError):  # unknown name; or a build without the checklist
        return name


def resolve_names(values: Sequence[str]) -> list[str]:
    """Accepted scientific names for what a user typed: accepted names, synonyms or vernacular names in any of
    the six languages (exact or case/diacritic-folded; no fuzzy guessing in searches). Unknown or ambiguous
    names are kept as typed, so the query finds nothing rather than something else."""
    out: list[str] = []
    for value in values:
        name = _accepted(value)
        if name not in out:
            out.append(name)
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
