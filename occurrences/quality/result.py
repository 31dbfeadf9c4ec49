"""Batch results kept column-wise: one :class:`FlagSet` per check and code, ``Flag`` objects made only on demand.

Checks work on whole arrays and report "these rows have this flag, with these per-row values"; turning that
into per-row lists of :class:`~occurrences.flags.Flag` is done once, at the end, for flagged rows only.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Sequence

import numpy as np

from ..flags import ERROR, Flag


@dataclass
class FlagSet:
    """One flag code raised on many rows. Per-entry sequences are aligned with ``index`` (0-based rows)."""

    code: str
    field: str | None
    index: np.ndarray
    values: Sequence | None = None
    params: dict[str, Sequence] = field(default_factory=dict)
    suggestion: dict[str, Sequence] | None = None

    def __len__(self) -> int:
        return len(self.index)

    def flags(self, first_row: int) -> list[Flag]:
        n = len(self.index)
        rows = (self.index + first_row).tolist()
        values = as_list(self.values) if self.values is not None else [None] * n
        params = [dict(zip(self.params, p)) for p in zip(*map(as_list, self.params.values()))] \
            if self.params else [{} for _ in range(n)]
        suggestions = [dict(zip(self.suggestion, s)) for s in zip(*map(as_list, self.suggestion.values()))] \
            if self.suggestion else [None] * n
        return [Flag(self.code, self.field, v, r, p, s) for v, r, p, s in zip(values, rows, params, suggestions)]


def as_list(values: Sequence) -> list:
    """Python values (JSON-ready): numpy scalars unwrapped, NaN → None."""
    if isinstance(values, np.ndarray) and values.dtype != object:
        out = values.tolist()
        return [None if v != v else v for v in out] if values.dtype.kind == "f" else out
    return [py(v) for v in values]


def py(value: Any) -> Any:
    """numpy scalars → Python values (JSON-ready); NaN → None."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    return value


@dataclass
class BatchFlags:
    """What :func:`occurrences.quality.check_batch` found.

    ``derived_country[i]``: ISO code derived from the coordinates where countryCode was empty (else None), for
    the caller to fill in. ``located_country[i]``: the country the point lies in ("" for none, e.g. the sea;
    None without usable coordinates).
    """

    n: int
    sets: list[FlagSet]
    derived_country: np.ndarray
    located_country: np.ndarray
    first_row: int = 1

    @cached_property
    def rows(self) -> list[list[Flag]]:
        """Flags per row, in check order: ``rows[i]`` belongs to input index i (``Flag.row == first_row + i``)."""
        out: list[list[Flag]] = [[] for _ in range(self.n)]
        for flag_set in self.sets:
            for flag in flag_set.flags(self.first_row):
                out[flag.row - self.first_row].append(flag)
        return out

    @cached_property
    def rejected(self) -> np.ndarray:
        """Boolean per row: has at least one error-severity flag (the record must not be stored)."""
        out = np.zeros(self.n, bool)
        for flag_set in self.sets:
            if len(flag_set) and Flag(flag_set.code).severity == ERROR:
                out[flag_set.index] = True
        return out

    def codes(self, i: int) -> list[str]:
        return [f.code for f in self.rows[i]]

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for flag_set in self.sets:
            out[flag_set.code] = out.get(flag_set.code, 0) + len(flag_set)
        return out

    def flatten(self, keys=("row", "field", "code")) -> list[list]:
        """``[[row, field, code], ...]`` in row order (as :meth:`occurrences.report.Report.flatten`)."""
        out = []
        for flags in self.rows:
            for f in flags:
                values = {"row": f.row, "field": f.field, "code": f.code, "value": f.value, "severity": f.severity}
                out.append([values[k] for k in keys])
        return out
