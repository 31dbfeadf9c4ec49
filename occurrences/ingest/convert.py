"""Raw text columns (keyed by Darwin Core term) → canonical columns plus sparse per-row problems.

Everything is columnar: the parsers (:mod:`occurrences.parse`, :mod:`occurrences.taxa`) read each column with
Arrow/numpy and each *unique* value once; the originals stay in the verbatim fields. No per-row dicts.
"""
from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..forms import Form, FormField
from ..forms.headers import choice_value
from ..formulas import LEADING_INVISIBLE
from ..parse import Issues, Problem, normalize_texts, parse_coordinates, parse_dates, parse_numbers
from ..parse.strings import clean_codes, unique_codes
from ..parse.text import clean_identifier
from . import problems as _problems  # noqa: F401  (registers the flag codes)

MAX_CELL = 10_000  # characters
MAX_WHOLE = 1_000_000_000  # counts: far above any plausible value, well inside a 64-bit integer
# Formula prefixes (OWASP CSV injection). "+1"/"-1" stay numbers: only a sign followed by a name and "(" (a
# function call) or "|" (a DDE link such as +cmd|' /C calc'!A0) counts. Fullwidth signs (＝＠＋－) and invisible
# characters before them (NBSP, BOM, zero-width space) count too: spreadsheets fold or skip them.
FORMULA = (r"^" + LEADING_INVISIBLE + r"(?:[=@\x{FF1D}\x{FF20}]|[+\-\x{FF0B}\x{FF0D}]\s*[A-Za-z_][A-Za-z0-9_.]*\s*[(|])")
# C0 controls except tab/newline/CR, DEL, and the bidirectional overrides/isolates that reorder shown text.
CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x{202a}-\x{202e}\x{2066}-\x{2069}]"
STRICT_SCRIPT_FIELDS = ("scientificName", "occurrenceID")  # mixed scripts there are errors, elsewhere warnings
COORDINATE_TERMS = ("decimalLatitude", "decimalLongitude", "verbatimCoordinates", "geodeticDatum")


@dataclass
class Batch:
    """One converted file or submission. ``columns`` go to ``store.add_many``; ``issues`` hold every problem
    (field set) by 0-based row; ``raw`` the cells as read, for the report's "original value"."""

    n: int
    lang: str
    raw: dict[str, pa.Array]
    columns: dict[str, list]
    issues: Issues
    # term → the header the submitter gave that column, so messages name their column, not our term
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def error_rows(self) -> np.ndarray:
        return self.issues.error_mask(self.n)

    @property
    def ok(self) -> bool:
        return not self.error_rows.any()

    def take(self, rows: np.ndarray) -> "Batch":
        """The batch of ``rows`` only (0-based, sorted), its problems renumbered: the valid part of a file whose
        other rows are given back (``--keep-valid``)."""
        position = np.full(self.n, -1, np.int64)
        position[rows] = np.arange(len(rows))
        keep = position[self.issues.rows] >= 0 if len(self.issues.rows) else np.zeros(0, bool)
        picked = rows.tolist()
        columns = {t: [v[i] for i in picked] if isinstance(v, list) and len(v) == self.n else v
                   for t, v in self.columns.items()}
        raw = {t: arr.take(pa.array(rows)) for t, arr in self.raw.items()}
        issues = Issues(position[self.issues.rows[keep]], self.issues.problems[keep])
        return Batch(len(rows), self.lang, raw, columns, issues, dict(self.headers))


def convert(raw: dict[str, pa.Array], n: int, lang: str, form: Form, checklist=None,
            date_system: int | None = None) -> Batch:
    found: list[Issues] = []
    raw = {term: _as_text(arr, n) for term, arr in raw.items()}
    text_terms = {f.term for f in form.fields if f.type in ("text", "taxon")} | (set(raw) - set(form.terms))
    usable = {}
    for term, arr in raw.items():
        arr, cell_issues = check_cells(arr, term, words=term in text_terms)
        usable[term] = arr
        found.append(cell_issues)
    cols: dict[str, list] = {}
    form_terms = set(form.terms)
    for f in form.fields:
        if f.term in COORDINATE_TERMS:
            continue
        if f.term not in usable:
            if f.default:  # a column left out of the sheet means "the default", as on the web form
                cols[f.term] = [f.default] * n
            continue
        found.append(_convert_field(f, usable[f.term], lang, cols, checklist, date_system))
    for term, arr in usable.items():  # Darwin Core columns that are not on the form: text, normalised
        if term not in form_terms:
            values, issues = normalize_texts(arr, term)
            cols[term] = values.tolist()
            found.append(on_field(issues, term))
    found.append(_coordinates(usable, raw, n, lang, cols, form))
    found.append(_occurrence_ids(cols, n))
    issues = Issues.merge(found)
    issues = Issues.merge([issues, _required(form, cols, issues, n)])
    cols["language"] = [lang] * n
    return Batch(n, lang, raw, cols, issues)


def _as_text(arr, n: int) -> pa.Array:
    arr = pa.array(arr, pa.large_string()) if not isinstance(arr, (pa.Array, pa.ChunkedArray)) else arr
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return arr.cast(pa.large_string()) if len(arr) == n else pa.nulls(n, pa.large_string())


# -- cells ---------------------------------------------------------------------------------------------------
def check_cells(arr: pa.Array, term: str, words: bool = True) -> tuple[pa.Array, Issues]:
    """Oversized cells, formulas, control characters, mixed scripts (in words of text fields; numbers, dates
    and choices are read by parsers that refuse stray letters anyway): flagged, and blanked for the parsers."""
    found = []
    length = pc.fill_null(pc.utf8_length(arr), 0).to_numpy(zero_copy_only=False)
    too_long = length > MAX_CELL
    for row in np.flatnonzero(too_long):
        found.append(Issues(np.array([row]), _objects([Problem.of("CELL_TOO_LONG", term, length=int(length[row]),
                                                                   limit=MAX_CELL)])))
    short = pc.if_else(pa.array(too_long), "", arr) if too_long.any() else arr
    formula = _mask(pc.match_substring_regex(short, FORMULA))
    found.append(Issues.where(formula, Problem.of("FORMULA_NOT_ALLOWED", term)))
    control = _mask(pc.match_substring_regex(short, CONTROL))
    if control.any():
        codes, uniques = unique_codes(pc.filter(short, pa.array(control)))
        per = [(Problem.of("CONTROL_CHARACTER", term, character=_first_control(u)),) for u in uniques]
        hit = Issues.from_unique(codes, per)
        found.append(Issues(np.flatnonzero(control)[hit.rows], hit.problems))
    if words:
        found.append(_mixed_scripts(short, term))
    blank = too_long | formula | control
    cleaned = pc.if_else(pa.array(blank), "", arr) if blank.any() else arr
    return cleaned, Issues.merge(found)


def _mask(result) -> np.ndarray:
    return pc.fill_null(result, False).to_numpy(zero_copy_only=False)


def _objects(items: list) -> np.ndarray:
    out = np.empty(len(items), object)
    out[:] = items
    return out


def _first_control(text: str) -> str:
    ch = re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]", text)[0]
    return f"U+{ord(ch):04X}"


_WORD = re.compile(r"[^\s\d.,;:/|()\[\]'\"-]+")


def _mixed_scripts(arr: pa.Array, term: str) -> Issues:
    """Words mixing letters of two scripts (Latin 'a' and Cyrillic 'а', Thai and Lao...): checked on the unique
    non-ASCII cells only, since pure ASCII cannot mix scripts."""
    candidates = _mask(pc.invert(pc.string_is_ascii(arr)))
    if not candidates.any():
        return Issues()
    codes, uniques = unique_codes(pc.filter(arr, pa.array(candidates)))
    code = "MIXED_SCRIPTS" if term in STRICT_SCRIPT_FIELDS else "MIXED_SCRIPTS_TEXT"
    per = []
    for text in uniques:
        hit = next(((w, s) for w in _WORD.findall(text) if len(s := _scripts(w)) > 1), None)
        per.append((Problem.of(code, term, word=hit[0], scripts=" + ".join(sorted(hit[1]))),) if hit else ())
    found = Issues.from_unique(codes, per)
    return Issues(np.flatnonzero(candidates)[found.rows], found.problems)


@lru_cache(maxsize=4096)
def _script(ch: str) -> str | None:
    if not unicodedata.category(ch).startswith("L"):
        return None
    return unicodedata.name(ch, "UNKNOWN").split(" ")[0]


def _scripts(word: str) -> set[str]:
    return {s for ch in word if (s := _script(ch))}


# -- fields --------------------------------------------------------------------------------------------------
def _convert_field(f: FormField, arr: pa.Array, lang: str, cols: dict, checklist,
                   date_system: int | None = None) -> Issues:
    if f.type == "select_one":
        values, issues = _choices(f, arr, lang)
    elif f.type == "date":
        parsed = parse_dates(arr, lang, date_system=date_system)
        values, issues = parsed.iso, parsed.issues
        cols["verbatimEventDate"] = _verbatim(arr)
    elif f.type in ("decimal", "integer"):
        parsed = parse_numbers(arr, lang, whole=f.type == "integer")
        negative = parsed.values < 0
        too_large = (parsed.values > MAX_WHOLE) if f.type == "integer" else np.zeros(len(parsed.values), bool)
        issues = Issues.merge([parsed.issues, Issues.where(negative, Problem.of("NUMBER_NEGATIVE", f.term)),
                               Issues.where(too_large, Problem.of("NUMBER_TOO_LARGE", f.term, limit=MAX_WHOLE))])
        values = _none_nan(np.where(negative | too_large, np.nan, parsed.values), integer=f.type == "integer")
    elif f.type == "taxon":
        values, issues = _taxa(arr, f.term, cols, checklist)
    elif f.term == "occurrenceID":
        values, issues = _identifiers(arr), Issues()
    else:
        values, issues = normalize_texts(arr, f.term)
        if f.term == "locality":
            cols["verbatimLocality"] = _verbatim(arr)
    cols[f.term] = values.tolist() if isinstance(values, np.ndarray) else values
    return on_field(issues, f.term)


def _identifiers(arr: pa.Array) -> np.ndarray:
    """Zero-width characters and outer spaces removed; plain ASCII identifiers (the usual case) only trimmed."""
    arr = pc.utf8_trim_whitespace(arr)
    if pc.all(pc.string_is_ascii(arr)).as_py() in (True, None):
        out = arr.to_numpy(zero_copy_only=False).astype(object)
    else:
        codes, uniques = unique_codes(arr)
        out = np.array([clean_identifier(u) for u in uniques] + [None], object)[codes]
    out[out == ""] = None
    return out


def _choices(f: FormField, arr: pa.Array, lang: str) -> tuple[np.ndarray, Issues]:
    """Stored value or a label in any language; blank → the field's default."""
    codes, uniques = clean_codes(arr)
    mapped = [choice_value("occurrence", f.term, u) for u in uniques]
    allowed = ", ".join(c.label(lang) for c in f.choices)
    problems = [() if m else (Problem.of("CHOICE_INVALID", f.term, allowed=allowed),) for m in mapped]
    default = f.default if f.term != "geodeticDatum" else None  # the coordinate parser flags an assumed datum
    table = np.array(mapped + [default], object)
    return table[codes], Issues.from_unique(codes, problems)


def _taxa(arr: pa.Array, term: str, cols: dict, checklist) -> tuple[np.ndarray, Issues]:
    texts, text_issues = normalize_texts(arr, term)
    result = (checklist or default_checklist()).match(texts, term)
    vernacular = result.matched_by == "vernacular"
    cols["vernacularName"] = np.where(vernacular, texts, None).tolist()
    family = (checklist or default_checklist()).family  # out-of-region species have a family too
    codes, uniques = unique_codes(pa.array(result.scientific_name, pa.large_string()))
    cols["family"] = np.array([family(u) if u else None for u in uniques] + [None], object)[codes].tolist()
    return result.scientific_name, Issues.merge([text_issues, result.issues])


def default_checklist():
    from ..taxa import current

    return current()


def _verbatim(arr: pa.Array) -> list:
    """The cell as typed (trimmed), None where empty: what Darwin Core's verbatim* fields hold."""
    text = pc.utf8_trim_whitespace(arr)
    return _pylist(pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.large_string()), text))


def _pylist(arr: pa.Array) -> list:
    """Arrow strings → Python list; a repetitive column makes each distinct string object once."""
    encoded = pc.dictionary_encode(arr)
    if len(encoded.dictionary) * 2 > len(arr):
        return arr.to_pylist()
    table = np.array(encoded.dictionary.to_pylist() + [None], object)
    return table[pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False)].tolist()


def _none_nan(values: np.ndarray, integer: bool = False) -> list:
    out = values.astype(object)
    out[np.isnan(values)] = None
    if integer:
        ok = ~np.isnan(values)
        out[ok] = values[ok].astype(np.int64).tolist()
    return out.tolist()


# -- coordinates ---------------------------------------------------------------------------------------------
def _coordinates(usable: dict, raw: dict, n: int, lang: str, cols: dict, form: Form) -> Issues:
    if not any(t in usable for t in COORDINATE_TERMS):
        return Issues()
    empty = pa.nulls(n, pa.large_string())
    datum_values, datum_issues = usable.get("geodeticDatum"), Issues()
    if datum_values is not None:  # localized choice labels → datum names; other text goes to the parser as is
        datum_codes, uniques = clean_codes(datum_values)
        datum_table = np.array([choice_value("occurrence", "geodeticDatum", u) or u for u in uniques], object)
        datum_values = np.append(datum_table, None)[datum_codes]
    parsed = parse_coordinates(usable.get("decimalLatitude", empty), usable.get("decimalLongitude", empty),
                               usable.get("verbatimCoordinates"), datum_values, lang)
    has = ~np.isnan(parsed.lat)
    cols["decimalLatitude"] = _none_nan(parsed.lat)
    cols["decimalLongitude"] = _none_nan(parsed.lon)
    for term, verbatim in (("decimalLatitude", "verbatimLatitude"), ("decimalLongitude", "verbatimLongitude"),
                           ("verbatimCoordinates", "verbatimCoordinates")):
        if term in raw:
            cols[verbatim] = _verbatim(raw[term])
    if datum_values is None:  # no datum column: WGS84 wherever there is a position
        cols["geodeticDatum"] = np.where(has, "WGS84", None).tolist()
        return parsed.issues
    original = datum_values
    # Darwin Core: geodeticDatum is the datum of decimalLatitude/Longitude, so after conversion it is WGS84;
    # the datum as given is kept in verbatimSRS. An unknown datum (flagged) is kept as given.
    as_given = np.append((datum_table != None) & (datum_table != "WGS84"), False)  # noqa: E711 (per distinct)
    unknown = has & ~parsed.reprojected & as_given[datum_codes]
    cols["geodeticDatum"] = np.where(has, np.where(unknown, original, "WGS84"), None).tolist()
    if parsed.reprojected.any() or "geodeticDatum" in usable:
        cols["verbatimSRS"] = np.where(parsed.reprojected, original, None).tolist()
    reprojected = [Issues.where(parsed.reprojected & (original == datum),
                                Problem.of("COORDINATE_REPROJECTED", "geodeticDatum", datum=datum))
                   for datum in set(original[parsed.reprojected].tolist())]
    return Issues.merge([parsed.issues, datum_issues, *reprojected])


# -- identifiers and required fields -------------------------------------------------------------------------
def _occurrence_ids(cols: dict, n: int) -> Issues:
    ids = cols.get("occurrenceID") or [None] * n
    arr = pa.array(ids, pa.large_string())
    counts = pc.value_counts(arr.drop_null())
    dup_values = pc.filter(counts.field("values"), pc.greater(counts.field("counts"), 1))
    dup = _mask(pc.is_in(arr, value_set=dup_values)) if len(dup_values) else np.zeros(n, bool)
    missing = _mask(pc.is_null(arr))
    if missing.any():
        ids = np.array(ids, object)
        ids[missing] = new_uuids(int(missing.sum()))
        ids = ids.tolist()
    cols["occurrenceID"] = ids
    return Issues.where(dup, Problem.of("DUPLICATE_OCCURRENCE_ID", "occurrenceID"))


def new_uuids(count: int) -> list[str]:
    """Random (version 4) UUIDs in bulk: one urandom call and numpy, ~20× faster than uuid.uuid4() in a loop."""
    b = np.frombuffer(os.urandom(16 * count), np.uint8).reshape(count, 16).copy()
    b[:, 6] = (b[:, 6] & 0x0F) | 0x40
    b[:, 8] = (b[:, 8] & 0x3F) | 0x80
    hexed = np.frombuffer(b.tobytes().hex().encode(), np.uint8).reshape(count, 32)
    out = np.full((count, 36), ord("-"), np.uint8)
    for src, dst in ((slice(0, 8), slice(0, 8)), (slice(8, 12), slice(9, 13)), (slice(12, 16), slice(14, 18)),
                     (slice(16, 20), slice(19, 23)), (slice(20, 32), slice(24, 36))):
        out[:, dst] = hexed[:, src]
    return out.view("S36").ravel().astype(str).tolist()


def _required(form: Form, cols: dict, issues: Issues, n: int) -> Issues:
    """Required and empty, unless the field already has a problem (one clear message per cell)."""
    found = []
    flagged = {}
    for row, p in issues:
        flagged.setdefault(p.field, set()).add(row)
    for f in form.fields:
        if not f.required:
            continue
        values = cols.get(f.term)
        missing = np.ones(n, bool) if values is None else np.array([v is None for v in values], bool)
        if flagged.get(f.term):
            missing[list(flagged[f.term])] = False
        found.append(Issues.where(missing, Problem.of("REQUIRED_FIELD_MISSING", f.term)))
    return Issues.merge(found)


def on_field(issues: Issues, term: str) -> Issues:
    """Parsers of a single column may leave ``field`` unset; here every problem names its field."""
    if not len(issues) or all(p.field for p in issues.problems):
        return issues
    fixed = {}
    problems = np.empty(len(issues), object)
    problems[:] = [p if p.field else fixed.setdefault(id(p), Problem(p.code, p.params, term))
                   for p in issues.problems]
    return Issues(issues.rows, problems)


__all__ = ["Batch", "convert", "check_cells", "new_uuids", "default_checklist", "MAX_CELL"]
