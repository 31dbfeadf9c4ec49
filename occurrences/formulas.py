"""Spreadsheet formula neutralisation: the one rule used by every output a spreadsheet may open (the API's CSV,
the CSV export, the Darwin Core Archive's text files).

A cell is treated as a formula when it starts with tab or CR, or when its first visible character is one of
``= + - @`` or their fullwidth forms ``＝ ＋ － ＠`` (spreadsheets fold fullwidth signs, and some skip leading
NBSP, BOM, zero-width and other invisible characters before reading a formula). Such a cell gets a leading
apostrophe (OWASP's advice), unless the whole cell is a plain number such as ``-2``.
"""
from __future__ import annotations

import unicodedata

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

SIGNS = "=+-@\uff1d\uff0b\uff0d\uff20"
ALWAYS = ("\t", "\r")
# Invisible: whitespace, separators, format characters (BOM, ZWSP, ZWJ, word joiner, bidi marks) and controls.
_INVISIBLE_CATEGORIES = ("Zs", "Zl", "Zp", "Cf", "Cc")
# Characters a spreadsheet may skip before reading a formula, as a RE2 class (also used by the import check).
LEADING_INVISIBLE = r"[\s\p{Z}\p{Cf}\p{Cc}]*"
# The same rule as a RE2 pattern, to find the rare risky cells of a column without a Python object per cell; it
# may match more than ``is_formula`` (numbers), never less: matches are checked by ``is_formula``.
_RISKY = r"^(?:[\t\r]|" + LEADING_INVISIBLE + r"[=+\-@\x{FF1D}\x{FF0B}\x{FF0D}\x{FF20}])"


def _invisible(ch: str) -> bool:
    return ch.isspace() or unicodedata.category(ch) in _INVISIBLE_CATEGORIES


def is_formula(text: str) -> bool:
    if not text:
        return False
    start = next((ch for ch in text if not _invisible(ch)), "")
    return (text.startswith(ALWAYS) or (start != "" and start in SIGNS)) and not _is_number(text)


def neutralise(value) -> str:
    """Cell text for ``value`` (None → empty, a list → ``a|b``) that no spreadsheet runs as a formula."""
    if value is None:
        return ""
    text = "|".join(map(str, value)) if isinstance(value, list) else str(value)
    return "'" + text if is_formula(text) else text


def neutralise_column(column: pa.Array) -> pa.Array:
    """:func:`neutralise` over a text column; only the rare candidate cells go through Python."""
    if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
        return column
    risky = pc.fill_null(pc.match_substring_regex(column, _RISKY), False)
    if not pc.any(risky).as_py():
        return column
    values, changed = column.to_pylist(), False
    for i in np.flatnonzero(risky.to_numpy(zero_copy_only=False)):
        safe = neutralise(values[i])
        changed, values[i] = changed or safe != values[i], safe
    return pa.array(values, type=column.type) if changed else column


def neutralise_batch(batch: pa.RecordBatch) -> pa.RecordBatch:
    return pa.RecordBatch.from_arrays([neutralise_column(c) for c in batch.columns], schema=batch.schema)


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False
