"""The store contract: one small interface, implemented by the SQLite and PostGIS backends.

Callers never see SQL or dialect details; they pass :class:`~occurrences.store.filters.Filters` and get
records (dicts keyed by Darwin Core terms) back.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Iterator, Mapping, Protocol, Sequence

from .filters import Filters
from .owners import ANONYMOUS_OWNER

FACET_FIELDS = ("countryCode", "scientificName", "year", "month", "basisOfRecord", "stateProvince",
                "recordedBy", "issue", "language")


@dataclass
class Page:
    records: list[dict]
    next_cursor: str | None = None
    limit: int = 100
    matched: int | None = None  # records matching the filters over all pages, when asked (query(count=True))


@dataclass
class AddResult:
    """What ``add_many`` did with each record, in input order: ``stored``, ``skipped`` (identical record
    already present) or ``conflict`` (same occurrenceID, different content; nothing overwritten)."""

    statuses: list[str] = field(default_factory=list)

    @property
    def stored(self) -> int:
        return self.statuses.count("stored")

    @property
    def skipped(self) -> int:
        return self.statuses.count("skipped")

    @property
    def conflicts(self) -> int:
        return self.statuses.count("conflict")


class Store(Protocol):
    url: str
    request_threads: int  # requests a server process works on at once unless Settings.threads says otherwise

    def add_many(self, records: Iterable[Mapping] | Mapping[str, Sequence], *, submitted_by: str = ANONYMOUS_OWNER
                 ) -> AddResult:
        """Store canonical records in one transaction: all or nothing. ``records`` may be a list of dicts or
        a mapping of column name → sequence (the fast path for bulk imports)."""

    def get(self, occurrence_id: str) -> dict | None: ...

    def query(self, filters: Filters, *, count: bool = False) -> Page:
        """One page of records. ``count``: also set ``Page.matched`` to :meth:`count` of the same filters
        (OGC's numberMatched), read with the page where the backend can do so at no extra cost."""

    def iter_records(self, filters: Filters, batch_size: int = 10_000) -> Iterator[dict]:
        """Every record matching ``filters`` (ignoring ``limit``), streamed in pages."""

    def count(self, filters: Filters) -> int: ...

    def changes(self) -> int:
        """A counter that moves at every committed write of records (see store.changes)."""

    def facets(self, filters: Filters, fields: Sequence[str], limit: int = 50) -> dict[str, list[tuple]]: ...

    def extents(self, filters: Filters, group_by: str | None = None) -> dict:
        """``{key: {"count", "bbox": (minLon, minLat, maxLon, maxLat) | None, "interval": (first, last)}}``
        of the matching records; ``key`` is None, or each value of ``group_by`` (e.g. scientificName)."""

    def update(self, occurrence_id: str, changes: Mapping) -> dict: ...

    def delete(self, occurrence_id: str) -> None: ...

    def close(self) -> None: ...


def matched_by_count(store: Store, filters: Filters, page: Page) -> Page:
    """``page`` with ``matched`` set: a first page that holds every match is its own count."""
    if filters.cursor is None and page.next_cursor is None:
        page.matched = len(page.records)
    else:
        page.matched = store.count(filters)
    return page


def iter_pages(store: Store, filters: Filters, batch_size: int = 10_000) -> Iterator[dict]:
    """Every record matching ``filters`` (ignoring ``limit``), read page by page through ``store.query`` with
    its cursor: the same paging, and the same access rules, as a client following ``next_cursor``."""
    f = filters.replace(limit=batch_size, cursor=None)
    while True:
        page = store.query(f)
        yield from page.records
        if not page.next_cursor:
            return
        f = f.replace(cursor=page.next_cursor)
