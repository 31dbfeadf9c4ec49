"""Numbers typed in any of the six languages: native digits, decimal comma or point, never silently misread.

babel's ``parse_decimal`` reads ``10.7626`` in Vietnamese as 107626 (l10n.md A1). The rule here: a separator is
read as a thousands separator only where nothing else is possible (groups of exactly three digits, several
groups, or both separators present); where both readings are possible the value is refused, not guessed.
"""
from __future__ import annotations

import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import flags as _flags  # noqa: F401  (registers the codes)
from .result import Issues, ParsedArray, Problem
from .strings import clean, encode, unique_codes

DECIMAL_COMMA_LANGUAGES = frozenset({"vi", "lo"})  # CLDR decimal separator is ',' (lo: ICU, l10n.md A1)
_MINUS = r"\-\u2212"  # hyphen-minus and U+2212 MINUS SIGN, escaped for character classes

# Shapes read without a Python call (RE2 via Arrow). Everything else goes to the per-unique parser.
_FAST = {
    ".": r"^[+-]?\d+(?:\.\d+)?$",  # decimal point languages: en th km my
    ",": r"^[+-]?\d+(?:,\d+|\.(?:\d{1,2}|\d{4,}))?$",  # decimal comma languages; a dot is decimal unless 3 digits
}
_SIGNED = re.compile(rf"^([+{_MINUS}]?)(\d[\d.,]*)$")


def decimal_separator(lang: str) -> str:
    return "," if lang in DECIMAL_COMMA_LANGUAGES else "."


def parse_numbers(values, lang: str = "en", *, whole: bool = False) -> ParsedArray:
    """Cells → float64 (NaN where empty or unreadable) with per-row problems. ``whole``: refuse decimals."""
    codes, distinct = encode(values)
    if len(distinct) * 2 < len(codes):  # repetitive column (counts): parse the distinct cells, then spread
        parsed = parse_numbers(distinct, lang, whole=whole)
        table = np.append(parsed.values, np.nan)
        empty = np.append(parsed.empty, True)
        found = Issues.from_unique(codes, _per_value(parsed.issues, len(distinct)))
        return ParsedArray(table[codes], found, empty[codes])
    arr = clean(values)
    n = len(arr)
    out = np.full(n, np.nan)
    sep = decimal_separator(lang)
    fast = pc.fill_null(pc.match_substring_regex(arr, _FAST[sep]), False).to_numpy(zero_copy_only=False)
    if fast.any():
        text = pc.filter(arr, pa.array(fast))
        if sep == ",":
            text = pc.replace_substring(text, ",", ".")
        out[fast] = pc.cast(text, pa.float64()).to_numpy(zero_copy_only=False)
    empty = pc.is_null(arr).to_numpy(zero_copy_only=False)
    issues = []
    slow = ~fast & ~empty
    if slow.any():
        codes, uniques = unique_codes(pc.filter(arr, pa.array(slow)))
        results = [read_number(u, lang) for u in uniques]
        values_u = np.array([r[0] for r in results], float)
        out[slow] = values_u[codes]
        slow_rows = np.flatnonzero(slow)
        found = Issues.from_unique(codes, [(r[1],) if r[1] else () for r in results])
        issues.append(Issues(slow_rows[found.rows], found.problems))
    if whole:
        frac = ~np.isnan(out) & (out != np.floor(out))
        issues.append(Issues.where(frac, Problem.of("NUMBER_NOT_WHOLE")))
        out[frac] = np.nan
    return ParsedArray(out, Issues.merge(issues), empty)


def _per_value(issues: Issues, n: int) -> list[tuple]:
    out = [[] for _ in range(n)]
    for row, problem in issues:
        out[row].append(problem)
    return [tuple(p) for p in out]


def read_number(text: str, lang: str = "en") -> tuple[float, Problem | None]:
    """One cleaned cell (ASCII digits) → (value, problem). The rules for every shape the fast path skips."""
    m = _SIGNED.match(text.replace(" ", "") if _is_spaced_group(text) else text)
    if not m:
        return np.nan, Problem.of("NUMBER_INVALID")
    sign = -1.0 if m[1] and m[1] != "+" else 1.0
    body = m[2]
    seps = [c for c in body if c in ".,"]
    if not seps:
        return sign * float(body), None
    if len(set(seps)) == 2:  # both: the last one is the decimal separator, the other groups thousands
        dec = body[max(body.rfind("."), body.rfind(","))]
        group = "," if dec == "." else "."
        if re.fullmatch(rf"\d{{1,3}}(?:{re.escape(group)}\d{{3}})+{re.escape(dec)}\d+", body) and \
                body.count(dec) == 1:
            return sign * float(body.replace(group, "").replace(dec, ".")), None
        return np.nan, Problem.of("NUMBER_INVALID")
    sep = seps[0]
    if len(seps) > 1:  # one separator, several times: only grouping makes sense
        if re.fullmatch(rf"\d{{1,3}}(?:{re.escape(sep)}\d{{3}})+", body):
            return sign * float(body.replace(sep, "")), None
        return np.nan, Problem.of("NUMBER_INVALID")
    whole_part, frac = body.split(sep)
    if not whole_part or not frac:
        return np.nan, Problem.of("NUMBER_INVALID")
    if sep == decimal_separator(lang) or len(frac) != 3:
        return sign * float(f"{whole_part}.{frac}"), None
    if lang in DECIMAL_COMMA_LANGUAGES:  # '1.234' in vi/lo: a grouping dot, or a decimal point typed by habit
        return np.nan, Problem.of("NUMBER_SEPARATOR_AMBIGUOUS", separator=sep,
                                  as_decimal=f"{whole_part},{frac}", as_whole=f"{whole_part}{frac}")
    return sign * float(whole_part + frac), None  # '1,234' in en/th/km/my: the usual thousands comma


def _is_spaced_group(text: str) -> bool:
    return bool(re.fullmatch(r"[+\-\u2212]?\d{1,3}(?: \d{3})+(?:[.,]\d+)?", text))
