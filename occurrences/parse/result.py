"""What the array parsers return: values as numpy arrays plus a sparse list of per-row problems.

Problems are data, not strings: a flag code registered in :mod:`occurrences.flags` and the parameters of its
message. Most rows have none, so problems are kept as parallel arrays (row index, problem) rather than one
list per row; the import pipeline walks only the rows that have any.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

import numpy as np

from ..flags import ERROR, REGISTRY, Flag, render_param
from ..i18n import translate


@dataclass(frozen=True)
class Problem:
    """One finding about one value: a flag code, the input field it concerns (if the parser knows) and params."""

    code: str
    params: tuple[tuple[str, object], ...] = ()
    field: str | None = None

    @classmethod
    def of(cls, code: str, field: str | None = None, **params) -> "Problem":
        return cls(code, tuple(sorted(params.items())), field)

    @property
    def severity(self) -> str:
        return REGISTRY[self.code].severity

    @property
    def reason(self) -> str:
        """The English msgid of the message (placeholders unfilled)."""
        return REGISTRY[self.code].template

    def message(self, lang: str = "en", value=None, field: str | None = None) -> str:
        params = {k: render_param(lang, v) for k, v in self.params}
        return translate(lang, self.reason, field=field or self.field, value=value, **params)

    def to_flag(self, row: int | None, value, field: str | None = None) -> Flag:
        """The pipeline's :class:`~occurrences.flags.Flag` for this problem, on its own row numbering."""
        return Flag(self.code, field=field or self.field, value=value, row=row, params=dict(self.params))


@dataclass
class Issues:
    """Problems of an array: ``rows[i]`` (0-based input position) has ``problems[i]``. Sorted by row."""

    rows: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    problems: np.ndarray = field(default_factory=lambda: np.empty(0, object))

    @classmethod
    def merge(cls, parts: list["Issues"]) -> "Issues":
        parts = [p for p in parts if len(p.rows)]
        if not parts:
            return cls()
        rows = np.concatenate([p.rows for p in parts])
        problems = np.concatenate([p.problems for p in parts])
        order = np.argsort(rows, kind="stable")
        return cls(rows[order], problems[order])

    @classmethod
    def where(cls, mask: np.ndarray, problem: Problem) -> "Issues":
        """The same problem on every row where ``mask`` is true."""
        rows = np.flatnonzero(mask)
        problems = np.empty(len(rows), object)
        problems[:] = [problem] * len(rows)
        return cls(rows, problems)

    @classmethod
    def from_unique(cls, codes: np.ndarray, per_unique: list[tuple[Problem, ...]]) -> "Issues":
        """Spread problems found once per unique value to every row holding that value (codes: row → unique)."""
        bad = [i for i, found in enumerate(per_unique) if found]
        if not bad:
            return cls()
        counts = np.zeros(len(per_unique), np.int64)
        counts[bad] = [len(per_unique[i]) for i in bad]
        has = np.zeros(len(per_unique) + 1, bool)
        has[bad] = True
        rows = np.flatnonzero(has[codes])  # code -1 (empty) indexes the trailing False
        row_codes = codes[rows]
        reps = counts[row_codes]
        out_rows = np.repeat(rows, reps)
        table = np.empty(len(per_unique), object)
        for i in bad:
            table[i] = per_unique[i]
        problems = np.empty(len(out_rows), object)
        problems[:] = [p for c in row_codes for p in table[c]]
        return cls(out_rows, problems)

    def spread(self, codes: np.ndarray) -> "Issues":
        """Problems found once per distinct value (``rows`` index the distinct values) → on every row whose code
        (row → distinct index, −1 for none) points to it; a value's problems keep their order."""
        if not len(self.rows):
            return Issues()
        n_distinct = max(int(self.rows.max()), int(codes.max(initial=-1))) + 1
        has = np.zeros(n_distinct + 1, bool)  # the extra last entry answers code −1
        has[self.rows] = True
        hit = np.flatnonzero(has[codes])
        hit = hit[np.argsort(codes[hit], kind="stable")]  # rows grouped by value, in row order within a value
        hit_codes = codes[hit]
        lo = np.searchsorted(hit_codes, self.rows, "left")
        counts = np.searchsorted(hit_codes, self.rows, "right") - lo
        which = np.repeat(np.arange(len(self.rows)), counts)  # problem of each output entry
        position = np.repeat(lo - np.cumsum(counts) + counts, counts) + np.arange(int(counts.sum()))
        rows = hit[position]
        order = np.argsort(rows, kind="stable")
        return Issues(rows[order], self.problems[which][order])

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[tuple[int, Problem]]:
        return zip(self.rows.tolist(), self.problems.tolist())

    def for_row(self, row: int) -> list[Problem]:
        lo, hi = np.searchsorted(self.rows, [row, row + 1])
        return list(self.problems[lo:hi])

    def codes(self) -> set[str]:
        return {p.code for p in self.problems}

    def error_mask(self, n: int) -> np.ndarray:
        """Rows (of ``n``) with at least one error-severity problem."""
        mask = np.zeros(n, bool)
        is_error = np.array([p.severity == ERROR for p in self.problems], bool)
        mask[self.rows[is_error]] = True
        return mask


@dataclass
class ParsedArray:
    """Numbers: ``values`` float64 (NaN where empty or unreadable), ``issues`` per row."""

    values: np.ndarray
    issues: Issues
    empty: np.ndarray  # bool: the cell was empty (not an error by itself)

    @property
    def errors(self) -> np.ndarray:
        return self.issues.error_mask(len(self.values))


@dataclass
class ParsedDates:
    """Dates: ``iso`` (object array of ISO 8601 date or ``start/end`` interval, None where empty or bad)."""

    iso: np.ndarray
    issues: Issues
    empty: np.ndarray
    be_converted: np.ndarray  # bool: a Buddhist Era year was converted to CE (an expected event in Thai data)

    @property
    def errors(self) -> np.ndarray:
        return self.issues.error_mask(len(self.iso))


@dataclass
class ParsedCoords:
    """Coordinates in WGS84. ``lat``/``lon`` NaN where absent or rejected; originals stay with the caller."""

    lat: np.ndarray
    lon: np.ndarray
    issues: Issues
    empty: np.ndarray  # no coordinate given at all (neither decimal nor verbatim)
    source: np.ndarray  # per row: "decimal", "verbatim" or "" (where the coordinates were read from)
    datum_assumed: np.ndarray  # bool: empty geodeticDatum, WGS84 assumed (GEODETIC_DATUM_ASSUMED_WGS84)
    reprojected: np.ndarray  # bool: converted from a regional datum (COORDINATE_REPROJECTED)
    shift: np.ndarray = None  # degrees moved by the datum conversion (0 where none)

    @property
    def errors(self) -> np.ndarray:
        return self.issues.error_mask(len(self.lat))
