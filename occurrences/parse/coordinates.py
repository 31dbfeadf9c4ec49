"""Latitude/longitude cells: decimal degrees, DMS and degrees-decimal-minutes, with symbols or local words.

One regular expression describes every accepted shape; Arrow runs it (RE2) over a whole column and numpy
does the arithmetic, so a million cells cost a few passes. Cells it does not match are explained once per
unique value by :func:`explain` (why it is wrong), never guessed.
"""
from __future__ import annotations

import re
import unicodedata

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import flags as _flags  # noqa: F401
from .result import Issues, Problem
from .strings import clean, unique_codes


def _words(*words: str) -> str:
    # Lower case: cells are lower-cased before matching (much faster in RE2 than a case-insensitive pattern).
    words = {unicodedata.normalize("NFC", w).lower() for w in words}
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


# Unit words: CLDR's (babel unit data, l10n.md A1 item 4) plus the common Thai spellings ฟิลิปดา/พิลิปดา/วิลิปดา and
# the time words people also use for arcs (Thai นาที/วินาที, Khmer នាទី/វិនាទី, Vietnamese phút/giây already are).
DEGREE = _words("°", "º", "˚", "deg", "องศา", "độ", "ដឺក្រេ", "ອົງສາ", "ဒီဂရီ")
MINUTE = _words("'", "′", "’", "‘", "`", "min", "ลิปดา", "นาที", "phút", "អាកនាទី", "នាទី", "ນາທີ", "မိနစ်")
SECOND = _words('"', "″", "”", "“", "''", "′′", "’’", "sec", "ฟิลิปดา", "พิลิปดา", "วิลิปดา", "วินาที", "giây",
                "អាកវិនាទី", "វិនាទី", "ວິນາທີ", "စက္ကန့်")
# Hemisphere → (axis, sign). Vietnamese B/N/Đ/T = Bắc/Nam/Đông/Tây; N is resolved per row (see _resolve_n).
# Local words are CLDR's cardinal directions (units/coordinate, long and short forms; read from ICU 77's unit
# data, which pyicu-wheels ships; tests/test_parse_coordinate_words.py checks them against it): th เหนือ ใต้
# ตะวันออก ตะวันตก / น ต ตอ ตต, vi Bắc Nam Đông Tây / B N Đ T, km ជើង ត្បូង កើត លិច, my မြောက် တောင် အရှေ့
# အနောက်. CLDR has none for Lao: ເໜືອ ໃຕ້ ຕາເວັນອອກ ຕາເວັນຕົກ are the ordinary Lao words (Lao-English
# dictionaries), also written with ຫນ for ໜ. "Side of" prefixes (km ខាង, my -ဘက်) are common and accepted.
HEMISPHERES = {
    "n": ("lat", 1), "s": ("lat", -1), "e": ("lon", 1), "w": ("lon", -1),
    "north": ("lat", 1), "south": ("lat", -1), "east": ("lon", 1), "west": ("lon", -1),
    "b": ("lat", 1), "đ": ("lon", 1), "t": ("lon", -1),
    "bắc": ("lat", 1), "nam": ("lat", -1), "đông": ("lon", 1), "tây": ("lon", -1),
    "เหนือ": ("lat", 1), "ใต้": ("lat", -1), "ตะวันออก": ("lon", 1), "ตะวันตก": ("lon", -1),
    "น": ("lat", 1), "ต": ("lat", -1), "ตอ": ("lon", 1), "ตต": ("lon", -1),
    "ជើង": ("lat", 1), "ត្បូង": ("lat", -1), "កើត": ("lon", 1), "លិច": ("lon", -1),
    "ខាងជើង": ("lat", 1), "ខាងត្បូង": ("lat", -1), "ខាងកើត": ("lon", 1), "ខាងលិច": ("lon", -1),
    "ເໜືອ": ("lat", 1), "ເຫນືອ": ("lat", 1), "ໃຕ້": ("lat", -1), "ຕາເວັນອອກ": ("lon", 1), "ຕາເວັນຕົກ": ("lon", -1),
    "မြောက်": ("lat", 1), "တောင်": ("lat", -1), "အရှေ့": ("lon", 1), "အနောက်": ("lon", -1),
    "မြောက်ဘက်": ("lat", 1), "တောင်ဘက်": ("lat", -1), "အရှေ့ဘက်": ("lon", 1), "အနောက်ဘက်": ("lon", -1),
}
# Words that only name the axis ("vĩ độ 15 độ 30 phút Bắc", "ละติจูด 15.5"): dropped before reading; the
# hemisphere word or the order decides the axis. Longest first, and before the unit words (vĩ độ contains độ).
_AXIS_LABELS = _words("latitude", "longitude", "lat", "long", "lon", "vĩ độ", "kinh độ", "ละติจูด", "ลองจิจูด",
                      "รุ้ง", "แวง", "រយៈទទឹង", "រយៈបណ្តោយ", "ລາຕິຈູດ", "ລອງຈິຈູດ", "လတ္တီတွဒ်", "လောင်ဂျီတွဒ်")
_THAI_ABBREVIATION = r"(ตอ|ตต|น|ต)\."  # น. = เหนือ, ต. = ใต้, ตอ. = ตะวันออก, ตต. = ตะวันตก: the dot is dropped
VIETNAMESE_LETTERS = frozenset({"b", "đ", "t", "bắc", "nam", "đông", "tây"})
NUM = r"\d+(?:[.,]\d+)?"
# Unit words are first replaced by the ASCII-ish symbols (seconds before minutes: '' is a seconds mark), so the
# pattern that captures the parts stays small: RE2 captures with a large pattern are ~20x slower.
_UNITS = ((SECOND, '"'), (MINUTE, "'"), (DEGREE, "°"))
_WORD = r"[^\d\s+\-−.,°'\"]+"  # a hemisphere word or letter, checked against HEMISPHERES afterwards
# Degrees, then optionally minutes (after a degree sign or a space), then optionally seconds; the last number may
# have decimals. Between numbers a unit or whitespace is required, so "1,234.5" cannot pass as 1,2° 34.5'.
PATTERN = (rf"^(?P<h1>{_WORD})?\s*(?P<sign>[-+−])?\s*(?P<d>{NUM})"
           rf"(?:(?:\s*°\s*|\s+)(?P<m>{NUM})(?:(?:\s*'\s*|\s+)(?P<s>{NUM})\s*\"?|\s*'?)|\s*°?)"
           rf"\s*(?P<h2>{_WORD})?$")
_PLAIN = r"^[-+−]?\d+(?:[.,]\d+)?$"
_HEMI_KEYS = list(HEMISPHERES)
_HEMI_AXIS = np.array([HEMISPHERES[k][0] for k in _HEMI_KEYS] + [""], object)
_HEMI_SIGN = np.array([HEMISPHERES[k][1] for k in _HEMI_KEYS] + [0], float)
_HEMI_VI = np.array([k in VIETNAMESE_LETTERS for k in _HEMI_KEYS] + [False])
_HEMI_N = _HEMI_KEYS.index("n")
# Beyond these no reading is a place. A latitude between 90 and 180 is kept: in this region it is nearly always a
# longitude in the wrong column, which the quality checks recognise (PRESUMED_SWAPPED_COORDINATE, as GBIF does)
# or refuse as COORDINATE_OUT_OF_RANGE when no swap explains it.
_LIMIT = {"lat": 180.0, "lon": 180.0}


class Parts:
    """The pieces of one column matched by :data:`PATTERN`, as numpy arrays (NaN / -1 where absent)."""

    def __init__(self, arr: pa.Array):
        n = len(arr)
        valid = pc.is_valid(arr).to_numpy(zero_copy_only=False)
        # Fast path: plain decimal degrees (most cells) need no captures, just a cast.
        plain = pc.fill_null(pc.match_substring_regex(arr, _PLAIN), False).to_numpy(zero_copy_only=False)
        self.matched = plain.copy()
        self.d = np.full(n, np.nan)
        self.d_frac = np.zeros(n, bool)
        self.m, self.s = np.full(n, np.nan), np.full(n, np.nan)
        self.m_frac = np.zeros(n, bool)
        self.minus = np.zeros(n, bool)
        self.two_hemispheres = np.zeros(n, bool)
        self.hemi = np.full(n, -1, np.int64)
        if plain.any():
            text = pc.replace_substring(pc.replace_substring(pc.filter(arr, plain), ",", "."), "\u2212", "-")
            self.d[plain] = pc.cast(text, pa.float64()).to_numpy(zero_copy_only=False)
            self.minus[plain] = self.d[plain] < 0
            self.d[plain] = np.abs(self.d[plain])
        rest = valid & ~plain
        if rest.any():
            self._extract(pc.filter(arr, rest), rest)

    def _extract(self, arr: pa.Array, rows: np.ndarray) -> None:
        arr = pc.utf8_normalize(pc.utf8_lower(arr), "NFC")  # only here: digit-only cells need neither
        arr = pc.replace_substring_regex(arr, "ทิศ\\s*", "")  # "ทิศเหนือ" = "เหนือ" (direction north)
        arr = pc.replace_substring_regex(arr, rf"(?:^|\s)(?:{_AXIS_LABELS})\s*:?\s*", " ")
        arr = pc.replace_substring_regex(arr, _THAI_ABBREVIATION, r"\1")
        arr = pc.utf8_trim_whitespace(arr)
        for words, symbol in _UNITS:
            arr = pc.replace_substring_regex(arr, words, symbol)
        found = pc.extract_regex(arr, PATTERN)
        matched = pc.is_valid(found).to_numpy(zero_copy_only=False)
        self.d[rows], self.d_frac[rows] = _number(found.field("d"))
        self.m[rows], self.m_frac[rows] = _number(found.field("m"))
        self.s[rows], _ = _number(found.field("s"))
        self.minus[rows] = pc.fill_null(pc.is_in(found.field("sign"), pa.array(["-", "\u2212"])), False).to_numpy(
            zero_copy_only=False)
        (h1, bad1), (h2, bad2) = _hemisphere(found.field("h1")), _hemisphere(found.field("h2"))
        self.matched[rows] = matched & ~bad1 & ~bad2
        self.two_hemispheres[rows] = (h1 >= 0) & (h2 >= 0)
        self.hemi[rows] = np.where(h1 >= 0, h1, h2)  # index into _HEMI_KEYS, or -1

    _ARRAYS = ("matched", "d", "d_frac", "m", "s", "m_frac", "minus", "two_hemispheres", "hemi")

    @property
    def vietnamese_letters(self) -> np.ndarray:
        return _HEMI_VI[self.hemi]

    def take(self, index) -> "Parts":
        """The parts of the rows ``index`` (positions or a mask), as a new Parts."""
        out = object.__new__(Parts)
        for name in self._ARRAYS:
            setattr(out, name, getattr(self, name)[index])
        return out

    def pick(self, use_other: np.ndarray, other: "Parts") -> "Parts":
        """Row by row, these parts or ``other``'s (same length): the halves of pairs written in either order."""
        out = object.__new__(Parts)
        for name in self._ARRAYS:
            setattr(out, name, np.where(use_other, getattr(other, name), getattr(self, name)))
        return out


def _number(field: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    text = pc.if_else(pc.equal(pc.fill_null(field, ""), ""), pa.scalar(None, field.type), field)
    has_frac = pc.fill_null(pc.match_substring_regex(text, r"[.,]"), False).to_numpy(zero_copy_only=False)
    values = pc.cast(pc.replace_substring(text, ",", "."), pa.float64()).to_numpy(zero_copy_only=False)
    return values, has_frac


def _hemisphere(field: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Captured hemisphere words → index into _HEMI_KEYS (−1 if none) and a mask of words that are not one."""
    key = pc.fill_null(field, "")
    index = pc.fill_null(pc.index_in(key, value_set=pa.array(_HEMI_KEYS, key.type)), -1).to_numpy(
        zero_copy_only=False).astype(np.int64)
    unknown = (index < 0) & pc.not_equal(key, "").to_numpy(zero_copy_only=False)
    return index, unknown


def degrees(parts: Parts, axis: str, n_is_nam: np.ndarray, field: str) -> tuple[np.ndarray, Issues]:
    """Signed decimal degrees for one axis from matched parts, with the problems of matched rows."""
    m = np.nan_to_num(parts.m)
    s = np.nan_to_num(parts.s)
    value = parts.d + m / 60 + s / 3600
    hemi = parts.hemi
    axis_of = _HEMI_AXIS[hemi]
    sign = _HEMI_SIGN[hemi].copy()
    sign[(hemi == _HEMI_N) & n_is_nam] = -1.0  # Vietnamese N = Nam (south)
    value = np.where(parts.minus | (sign < 0), -value, value)
    ok = parts.matched.copy()
    problems = []

    def bad(mask, problem):
        mask = mask & ok
        problems.append(Issues.where(mask, problem))
        ok[mask] = False

    bad(~np.isnan(parts.m) & ((parts.m >= 60) | (parts.d_frac) | (~np.isnan(parts.s) & parts.m_frac))
        | (~np.isnan(parts.s) & (parts.s >= 60)), Problem.of("COORDINATE_MINUTES_SECONDS_INVALID", field))
    bad(parts.two_hemispheres | (parts.minus & (hemi >= 0)), Problem.of("COORDINATE_HEMISPHERE_CONFLICT", field))
    other = "lon" if axis == "lat" else "lat"
    for key in {k for k in np.unique(hemi[ok & (axis_of == other)]) if k >= 0}:
        bad((hemi == key) & (axis_of == other),
            Problem.of("COORDINATE_HEMISPHERE_MISMATCH", field, hemisphere=_HEMI_KEYS[key].upper()))
    bad(np.abs(value) > _LIMIT[axis], Problem.of("COORDINATE_OUT_OF_RANGE", field))
    value = np.where(ok, value, np.nan)
    return value, Issues.merge(problems)


def explain(text: str, field: str) -> Problem:
    """Why a cell that :data:`PATTERN` did not match is wrong (one call per unique bad value)."""
    if re.fullmatch(r"[-+\u2212]?\d[\d.,\s]*", text) and len(re.findall(r"[.,]", text)) > 1:
        return Problem.of("COORDINATE_SEPARATORS", field)
    return Problem.of("COORDINATE_INVALID", field)


def parse_axis(values, axis: str, field: str, n_is_nam=None, *, cleaned=None):
    """One column of latitudes or longitudes → (degrees, issues, parts). ``n_is_nam``: per-row bool."""
    arr = cleaned if cleaned is not None else clean(values)
    parts = Parts(arr)
    n = len(arr)
    n_is_nam = np.zeros(n, bool) if n_is_nam is None else n_is_nam
    value, issues = degrees(parts, axis, n_is_nam, field)
    unmatched = ~parts.matched & pc.is_valid(arr).to_numpy(zero_copy_only=False)
    if unmatched.any():
        codes, uniques = unique_codes(pc.filter(arr, pa.array(unmatched)))
        found = Issues.from_unique(codes, [(explain(u, field),) for u in uniques])
        issues = Issues.merge([issues, Issues(np.flatnonzero(unmatched)[found.rows], found.problems)])
    return value, issues, parts


def parse_coordinate(text: str, axis: str, lang: str = "en") -> float:
    """Scalar convenience: one latitude or longitude cell → degrees; raises ValueError with the flag code."""
    value, issues, _ = parse_axis([text], axis, "decimalLatitude" if axis == "lat" else "decimalLongitude")
    if len(issues):
        raise ValueError(issues.problems[0].code)
    return float(value[0])
