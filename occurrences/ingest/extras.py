"""Columns the record model has no field for: other Darwin Core terms (and GBIF's download columns) and
columns nobody defined. Each is checked like any text cell (formulas, control characters, oversized cells),
then kept per record, verbatim, in the ``extraTerms`` JSON text; a column that is not a known term is a
warning. Also the vocabulary of ``occurrenceStatus``, the one Darwin Core term stored as a field here that no
form offers."""
from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..dwc_terms import EXTRA, canonical_term, decode, encode, extra_array
from ..parse import Issues, Problem
from ..records import OCCURRENCE_STATUSES, SUBMITTABLE
from .convert import check_cells


def split_extras(raw: dict) -> tuple[dict, dict]:
    """(model terms, everything else) of a batch's raw columns."""
    model = {k: v for k, v in raw.items() if k in SUBMITTABLE}
    return model, {k: v for k, v in raw.items() if k not in SUBMITTABLE}


def extra_terms(extras: dict[str, pa.Array], n: int) -> tuple[list[str | None], Issues]:
    """The ``extraTerms`` column of a batch and the problems of its cells."""
    found, values = [], {}
    for key, column in extras.items():
        column = column if isinstance(column, pa.Array) else pa.array(column, pa.large_string())
        cleaned, issues = check_cells(column.cast(pa.large_string()), key, words=False)
        found.append(issues)
        values[key] = pc.utf8_trim_whitespace(cleaned)
    ours = values.pop(EXTRA, None)  # our own export's extraTerms column (GeoPackage, GeoJSON...): spread again
    out = extra_array(values, n).to_pylist()
    if ours is not None:
        ours = ours.to_pylist()
        out = [_merged(held, given) for held, given in zip(ours, out)]
    return out, Issues.merge(found)


def _merged(held: str | None, given: str | None) -> str | None:
    """A record's extra terms from an ``extraTerms`` JSON column, with the file's own term columns winning."""
    if not held:
        return given
    return encode({**decode(held), **decode(given)})


def unknown_column_warnings(headers: list[str], n: int) -> Issues:
    """A warning on every row for each column that is not a known term: its values are kept, not lost, but a
    typo in a header would otherwise go unnoticed."""
    return Issues.merge([Issues.where(np.ones(n, bool), Problem.of("UNKNOWN_FIELD_KEPT", header[:100]))
                         for header in headers if canonical_term(header) is None and header != EXTRA])


def occurrence_status(values: list | None) -> tuple[list | None, Issues]:
    """present/absent in any case (GBIF writes PRESENT/ABSENT); anything else is an error on its row."""
    if values is None:
        return None, Issues()
    out, bad = [], []
    for i, value in enumerate(values):
        folded = value.strip().lower() if isinstance(value, str) and value.strip() else None
        if folded is not None and folded not in OCCURRENCE_STATUSES:
            bad.append(Issues(np.array([i]), _one(Problem.of("OCCURRENCE_STATUS_INVALID", "occurrenceStatus"))))
            folded = None
        out.append(folded)
    return out, Issues.merge(bad)


def _one(problem: Problem) -> np.ndarray:
    out = np.empty(1, object)
    out[0] = problem
    return out


__all__ = ["EXTRA", "split_extras", "extra_terms", "unknown_column_warnings", "occurrence_status"]
