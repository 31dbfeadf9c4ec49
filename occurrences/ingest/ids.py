"""occurrenceIDs for file rows that have none, derived from the row itself, so that importing the same file again
is idempotent (the store skips identical records by occurrenceID) instead of storing every row a second time.

The ID is a UUID 5 of the submitter, the row's cells (every mapped column, in term order) and how many identical
rows came before it in the file: two identical rows (two sightings written alike) stay two records, and nobody
else's file can produce the same IDs. A row that is changed (a rejected row fixed) gets a new ID, which is right:
it was never stored. Web-form submissions keep random IDs (submit_record does not come through here).
"""
from __future__ import annotations

import uuid
from collections import Counter

import pyarrow as pa
import pyarrow.compute as pc

NAMESPACE = uuid.UUID("6f0c1d2e-5b8a-4c1e-9a7d-2f3b4c5d6e7f")  # this project's; never change it
_UNIT, _RECORD = "\x1f", "\x1e"


def fill_missing_ids(raw: dict[str, pa.Array], n: int, submitted_by: str) -> dict[str, pa.Array]:
    """``raw`` with an occurrenceID column whose empty cells hold derived IDs (``raw`` itself if none is empty)."""
    given = raw.get("occurrenceID")
    if given is None:
        given = pa.nulls(n, pa.large_string())
    blank = pc.fill_null(pc.equal(pc.utf8_length(pc.utf8_trim_whitespace(given)), 0), True)
    if n == 0 or not pc.any(blank).as_py():
        return raw
    terms = sorted(t for t in raw if t != "occurrenceID")
    cells = [pc.fill_null(raw[t].cast(pa.large_string()), "") for t in terms]
    separator = pa.scalar(_UNIT, pa.large_string())
    joined = pc.binary_join_element_wise(*cells, separator) if cells else pa.array([""] * n, pa.large_string())
    seen: Counter = Counter()
    derived = []
    for text in pc.filter(joined, blank).to_pylist():
        derived.append(str(uuid.uuid5(NAMESPACE, f"{submitted_by}{_RECORD}{seen[text]}{_RECORD}{text}")))
        seen[text] += 1
    ids = given.cast(pa.large_string()).to_pylist()
    fill = iter(derived)
    for i, is_blank in enumerate(blank.to_pylist()):
        if is_blank:
            ids[i] = next(fill)
    return {**raw, "occurrenceID": pa.array(ids, pa.large_string())}


__all__ = ["fill_missing_ids"]
