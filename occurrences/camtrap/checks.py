"""Every row of a Camtrap DP table checked against :mod:`.schema`, vectorized (Arrow compute and pandas): a
million observations are checked in seconds, where a row-by-row validator takes minutes.

Each check adds :class:`~.problems.PackageProblem` entries (at most ``MAX_PROBLEMS`` in all) and the table comes
back as a typed ``pandas.DataFrame``: numbers as floats, whole numbers as ``Int64``, booleans as ``boolean``,
timestamps as UTC-aware ``datetime64`` (the offsets the file gave are kept by the reader where they matter).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .problems import MAX_PROBLEMS, PackageProblem
from .schema import TABLES, Field

# ISO 8601 date-time with seconds; the offset (Z or ±hh:mm / ±hhmm) is what the standard's %z demands.
TIMESTAMP = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?"
WITH_ZONE = TIMESTAMP + r"(Z|[+-]\d{2}:?\d{2})$"
WITHOUT_ZONE = TIMESTAMP + r"$"
TRUE_VALUES = ["true", "True", "TRUE", "1"]  # Frictionless's defaults for a boolean field
FALSE_VALUES = ["false", "False", "FALSE", "0"]


class Problems(list):
    """The problems found so far; stops growing at MAX_PROBLEMS."""

    def add_rows(self, code: str, file: str, field: str, mask: np.ndarray, values, **params) -> None:
        room = MAX_PROBLEMS - len(self)
        if room <= 0 or not mask.any():
            return
        rows = np.flatnonzero(mask)[:room]
        if isinstance(values, (pa.Array, pa.ChunkedArray)):
            picked = values.take(pa.array(rows)).to_pylist()
        elif isinstance(values, pd.Series):  # only the rows reported are turned into text
            picked = [None if pd.isna(v) else str(v) for v in values.iloc[rows]]
        else:
            picked = [values[i] for i in rows]
        self.extend(PackageProblem(code, file, int(r) + 2, field, v, params) for r, v in zip(rows, picked))

    @property
    def full(self) -> bool:
        return len(self) >= MAX_PROBLEMS


def check_table(table: str, file: str, data: pa.Table, problems: Problems) -> pd.DataFrame:
    """The table typed, after adding its problems. Columns the standard does not define are kept as text."""
    fields = {f.name: f for f in TABLES[table]}
    for f in fields.values():
        if f.required and f.name not in data.column_names:
            problems.append(PackageProblem("column-missing", file, 1, f.name))
    out = {}
    for name in data.column_names:
        column = data.column(name).combine_chunks()
        f = fields.get(name)
        out[name] = _check_column(f, file, column, problems) if f else column.to_pandas()
    return pd.DataFrame(out)


def _check_column(f: Field, file: str, column: pa.Array, problems: Problems):
    empty = column.is_null().to_numpy(zero_copy_only=False)
    if f.required:
        problems.add_rows("required-empty", file, f.name, empty, column)
    if f.unique:
        series = column.to_pandas()
        problems.add_rows("duplicate-id", file, f.name, (series.duplicated(keep="first") & ~empty).to_numpy(), column)
    if f.enum:
        allowed = _true(pc.is_in(column, pa.array(f.enum)))  # (a null is never "in": test it apart)
        problems.add_rows("not-allowed", file, f.name, ~(allowed | empty), column, allowed=", ".join(f.enum))
    if f.name == "filePath":  # the standard's pattern, written without the look-ahead RE2 does not have
        climbs = pc.or_(pc.match_substring_regex(column, r"^[./~]"), pc.match_substring(column, ".."))
        problems.add_rows("bad-pattern", file, f.name, _true(climbs), column)
    elif f.pattern:
        problems.add_rows("bad-pattern", file, f.name, _true(pc.invert(pc.match_substring_regex(column, f.pattern))),
                          column)
    kind = {"number": _numbers, "integer": _integers, "boolean": _booleans, "datetime": _timestamps}.get(f.type)
    return kind(f, file, column, empty, problems) if kind else column.to_pandas()


def _true(mask: pa.Array) -> np.ndarray:
    return pc.fill_null(mask, False).to_numpy(zero_copy_only=False)


def _numbers(f: Field, file: str, column: pa.Array, empty: np.ndarray, problems: Problems) -> pd.Series:
    values = pd.to_numeric(column.to_pandas(), errors="coerce")
    bad = values.isna().to_numpy() & ~empty
    problems.add_rows("not-a-number", file, f.name, bad, column)
    _range(f, file, column, values, problems)
    return values.astype("float64")


def _integers(f: Field, file: str, column: pa.Array, empty: np.ndarray, problems: Problems) -> pd.Series:
    values = pd.to_numeric(column.to_pandas(), errors="coerce")
    bad = (values.isna().to_numpy() & ~empty) | (values.notna() & (values % 1 != 0)).to_numpy()
    problems.add_rows("not-an-integer", file, f.name, bad, column)
    _range(f, file, column, values, problems)
    return values.where(~bad).round().astype("Int64")


def _range(f: Field, file: str, column: pa.Array, values: pd.Series, problems: Problems) -> None:
    if f.minimum is None and f.maximum is None:
        return
    low = -np.inf if f.minimum is None else f.minimum
    high = np.inf if f.maximum is None else f.maximum
    outside = (values.notna() & ((values < low) | (values > high))).to_numpy()
    problems.add_rows("out-of-range", file, f.name, outside, column,
                      minimum="" if f.minimum is None else f.minimum, maximum="" if f.maximum is None else f.maximum)


def _booleans(f: Field, file: str, column: pa.Array, empty: np.ndarray, problems: Problems) -> pd.Series:
    true = _true(pc.is_in(column, pa.array(TRUE_VALUES)))
    false = _true(pc.is_in(column, pa.array(FALSE_VALUES)))
    problems.add_rows("not-a-boolean", file, f.name, ~(true | false | empty), column)
    return pd.Series(pd.array(np.where(true | false, true, False), dtype="boolean")).mask(~(true | false))


def _timestamps(f: Field, file: str, column: pa.Array, empty: np.ndarray, problems: Problems) -> pd.Series:
    zoned = _true(pc.match_substring_regex(column, WITH_ZONE))
    unzoned = _true(pc.match_substring_regex(column, WITHOUT_ZONE))
    problems.add_rows("no-timezone", file, f.name, unzoned, column)
    problems.add_rows("not-a-timestamp", file, f.name, ~(zoned | unzoned | empty), column)
    text = column.to_pandas().where(zoned)
    parsed = pd.to_datetime(text, utc=True, format="ISO8601", errors="coerce")
    problems.add_rows("not-a-timestamp", file, f.name, (parsed.isna().to_numpy() & zoned), column)
    return parsed


def utc_offsets(column: pd.Series) -> pd.Series:
    """The UTC offset each timestamp text gives (``+07:00``; ``Z`` → ``+00:00``), None where there is none."""
    found = column.astype("string").str.extract(r"(Z|[+-]\d{2}:?\d{2})$")[0]
    found = found.str.replace("Z", "+00:00", regex=False)
    return found.str.replace(r"^([+-]\d{2})(\d{2})$", r"\1:\2", regex=True)
