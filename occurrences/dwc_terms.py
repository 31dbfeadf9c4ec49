"""Every Darwin Core term, and the columns GBIF adds to its downloads: which source columns are data we know.

A source column that names one of these terms but has no field in the record model is kept with the record,
verbatim, in ``extraTerms`` (JSON text); a column that is neither is kept too, with a warning. The term lists
are data files with their provenance (``occurrences/data/README.md``).
"""
from __future__ import annotations

import csv
import json
from functools import lru_cache
from pathlib import Path
from typing import Mapping

import numpy as np

_DATA = Path(__file__).parent / "data"
EXTRA = "extraTerms"


@lru_cache(maxsize=1)
def term_iris() -> dict[str, str]:
    """Local name → IRI, Darwin Core (all versions, recommended first) and GBIF's download columns."""
    out: dict[str, str] = {}
    for name in ("dwc_terms.csv", "gbif_terms.csv"):
        with open(_DATA / name, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                out.setdefault(row["term"], row["iri"])
    return out


@lru_cache(maxsize=1)
def _folded() -> dict[str, str]:
    return {name.lower(): name for name in term_iris()}


def canonical_term(header: str) -> str | None:
    """The term a column header names (``InstitutionCode``, ``dwc:county``, a full IRI), or None."""
    name = header.strip().rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1].rsplit("#", 1)[-1]
    return _folded().get(name.lower())


# Names of Darwin Core 1.4 (2009, namespace http://rs.tdwg.org/dwc/dwcore/ and the terms/ of that time) and of
# DarwinCore 2 as DiGIR providers served it (http://digir.net/schema/conceptual/darwin/2003/1.0/) whose meaning
# is one current term, by folded local name. Names whose meaning changed (Remarks, Notes, the Catalog number
# split into text and number...) are not here: they stay extra terms under their own name.
OLD_TERMS = {
    "globaluniqueidentifier": "occurrenceID", "earliestdatecollected": "eventDate", "collector": "recordedBy",
    "collectornumber": "recordNumber", "latitude": "decimalLatitude", "longitude": "decimalLongitude",
    "scientificnameauthor": "scientificNameAuthorship", "verbatimcollectingdate": "verbatimEventDate",
    "yearcollected": "year", "monthcollected": "month", "daycollected": "day", "datelastmodified": "modified",
    "horizontaldatum": "geodeticDatum", "isocountrycode": "countryCode", "identifiedby": "identifiedBy",
}


def current_term(header: str) -> str | None:
    """The current term a column header names, old names included (``Collector`` → ``recordedBy``, a Darwin
    Core 1.4 IRI ``…/dwcore/ScientificName`` → ``scientificName``), or None."""
    name = header.strip().rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1].rsplit("#", 1)[-1]
    return OLD_TERMS.get(name.lower()) or canonical_term(name)


def extra_key(header: str) -> str:
    """The key an extra column is kept under: its term's spelling, or the header as given."""
    return canonical_term(header) or header.strip()


def encode(values: Mapping[str, str]) -> str | None:
    """The stored ``extraTerms`` text of one record (None when it has none)."""
    return json.dumps(dict(values), ensure_ascii=False, separators=(",", ":")) if values else None


def decode(text: str | None) -> dict[str, str]:
    """The extra terms of one stored record (an empty dict for none, or for text that is not a JSON object)."""
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return {str(k): "" if v is None else str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def extra_column(columns: Mapping[str, list], n: int) -> list[str | None]:
    """Per row, the JSON text of the given columns' non-empty values (keys in column order). Cost: none
    when there are no columns, one pass over the rows otherwise."""
    if not columns:
        return [None] * n
    keys = list(columns)
    lists = [columns[k] for k in keys]
    out: list[str | None] = []
    for row in zip(*lists):
        values = {k: v for k, v in zip(keys, row) if v is not None and str(v).strip()}
        out.append(encode(values))
    return out


_ESCAPES = (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t"))
_NEEDS_ESCAPE = '[\\\\"\\n\\r\\t]'
_OTHER_CONTROLS = "[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f]"


def extra_array(columns: Mapping[str, "pa.Array"], n: int) -> "pa.Array":
    """:func:`extra_column` as Arrow compute (much faster for a GBIF download's forty extra columns): each
    non-empty cell becomes ``"key":"value",`` with JSON escapes, the pieces of a row are joined, and a row
    without any is null. The same text ``json.dumps`` writes (a cell with a rarer control character,
    which the cell checks refuse anyway, goes through ``json.dumps``)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not columns:
        return pa.nulls(n, pa.large_string())
    lit = lambda text: pa.scalar(text, pa.large_string())  # noqa: E731
    pieces = []
    for key, column in columns.items():
        column = column.cast(pa.large_string())
        filled = pc.fill_null(pc.greater(pc.utf8_length(pc.utf8_trim_whitespace(column)), 0), False)
        if not pc.any(filled).as_py():  # a column left empty (most of a GBIF download's): nothing to write
            continue
        escaped = column
        if pc.any(pc.match_substring_regex(column, _NEEDS_ESCAPE)).as_py():  # rare: one pass to find out
            for old, new in _ESCAPES:
                escaped = pc.replace_substring(escaped, old, new)
        piece = pc.binary_join_element_wise(lit(json.dumps(key, ensure_ascii=False) + ':"'), escaped, lit('",'),
                                            lit(""))
        pieces.append(pc.if_else(filled, piece, lit("")))
    # (joined with a comma after every piece, then the last comma cut: joining with null_handling="skip"
    # dropped rows whose inputs were all null in the pyarrow this was written against)
    if not pieces:
        return pa.nulls(n, pa.large_string())
    joined = pc.binary_join_element_wise(*pieces, lit(""))
    text = pc.binary_join_element_wise(lit("{"), pc.utf8_slice_codeunits(joined, 0, -1), lit("}"), lit(""))
    out = pc.if_else(pc.greater(pc.utf8_length(joined), 0), text, lit(None))
    rare = np.flatnonzero(pc.fill_null(pc.match_substring_regex(out, _OTHER_CONTROLS), False)
                          .to_numpy(zero_copy_only=False))
    if rare.size:
        values = out.to_pylist()
        lists = {k: columns[k].cast(pa.large_string()) for k in columns}
        for i in rare:
            values[i] = encode({k: v for k, col in lists.items() if (v := col[i].as_py()) is not None and v.strip()})
        out = pa.array(values, pa.large_string())
    return out


__all__ = ["extra_array", "EXTRA", "OLD_TERMS", "current_term", "term_iris", "canonical_term", "extra_key", "encode",
           "decode", "extra_column"]
