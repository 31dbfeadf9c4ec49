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


__all__ = ["EXTRA", "term_iris", "canonical_term", "extra_key", "encode", "decode", "extra_column"]
