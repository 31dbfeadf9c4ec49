"""Reading the mapped records' coordinates and a few attributes as numpy arrays, always through the store
(so access rules and coordinate generalisation of sensitive species apply to maps too)."""
from __future__ import annotations

from typing import Sequence

import numpy as np

_FLOAT_COLUMNS = ("decimalLatitude", "decimalLongitude", "coordinateUncertaintyInMeters")


def mapped_columns(store, filters, names: Sequence[str], limit: int | None = None) -> dict[str, np.ndarray]:
    """Columns ``names`` of the records matching ``filters`` that have coordinates. Uses the store's columnar
    fast path when it has one, else streams records."""
    if hasattr(store, "columns"):
        raw = store.columns(filters, tuple(names), limit=limit)
    else:
        raw = {n: [] for n in names}
        for i, rec in enumerate(store.iter_records(filters)):
            if limit is not None and i >= limit:
                break
            if rec.get("decimalLatitude") is None:
                continue
            for n in names:
                raw[n].append(rec.get(n))
    return {n: _array(n, raw[n]) for n in names}


def _array(name: str, values: list) -> np.ndarray:
    if name in _FLOAT_COLUMNS:
        return np.array([np.nan if v is None else v for v in values], dtype="float64")
    if name == "year":
        return np.array([-1 if v is None else v for v in values], dtype="int64")
    return np.array(values, dtype=object)
