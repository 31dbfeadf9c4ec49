"""Spreadsheet headers and choice cells → Darwin Core terms and stored values, in any of the six languages.

Headers are compared on a folded key (NFC, invisible characters removed, case-folded, spaces collapsed, a
trailing required-marker ``*`` dropped), so "ชนิดพันธุ์ *", "Species" and "scientificName" all name one field.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from ..i18n import LANGUAGES
from ..parse.text import fold_spelling_variants
from ..dwc_terms import OLD_TERMS
from ..records import SUBMITTABLE
from . import Form, FormField, load_form

_SPACES = re.compile(r"\s+")


def header_key(text: str) -> str:
    text = unicodedata.normalize("NFC", str(text))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")  # ZWSP, ZWJ, BOM, ...
    text = _SPACES.sub(" ", text).strip().rstrip("*").strip()
    return fold_spelling_variants(text.casefold())  # Khmer ្ត/្ដ, Lao ຫຼ/ຫລ ... (field_truth.md §3)


@dataclass
class HeaderMap:
    """Where each column goes: ``terms[i]`` is the Darwin Core term of column ``i`` (None when unknown)."""

    headers: list[str]
    terms: list[str | None]
    language: str | None  # detected from the labels; None when the headers are Darwin Core terms only
    votes: dict[str, int] = field(default_factory=dict)

    @property
    def unknown(self) -> list[str]:
        return [h for h, t in zip(self.headers, self.terms) if t is None and h.strip()]

    @property
    def duplicates(self) -> dict[str, list[str]]:
        """Terms named by more than one column (e.g. "Species" and "ชนิดพันธุ์"): term → headers."""
        counts = Counter(t for t in self.terms if t)
        return {t: [h for h, tt in zip(self.headers, self.terms) if tt == t] for t, n in counts.items() if n > 1}


@lru_cache(maxsize=None)
def _label_index(form_id: str) -> dict[str, tuple[str, frozenset[str]]]:
    """Folded label → (term, languages using that label). Darwin Core terms map with no language."""
    form = load_form(form_id)
    index: dict[str, tuple[str, set[str]]] = {header_key(t): (t, set()) for t in SUBMITTABLE}
    for f in form.fields:
        for lang in LANGUAGES:
            for label in (f.labels[lang], f.former.get(lang)):
                if label:
                    term, langs = index.setdefault(header_key(label), (f.term, set()))
                    langs.add(lang)
    for name, term in OLD_TERMS.items():  # Darwin Core 1.4 / DiGIR names (Collector, EarliestDateCollected)
        if term in SUBMITTABLE:
            index.setdefault(header_key(name), (term, set()))
    return {k: (t, frozenset(langs)) for k, (t, langs) in index.items()}


def map_headers(headers: list[str], form: Form | None = None) -> HeaderMap:
    """Map headers to terms and detect the language from the labels used (majority vote)."""
    form = form or load_form()
    index = _label_index(form.id)
    terms, votes = [], Counter()
    for h in headers:
        term, langs = index.get(header_key(h), (None, frozenset()))
        terms.append(term)
        votes.update(langs)
    _prefer_exact_terms(headers, terms)
    # English labels are often also the words people type by habit; prefer a regional language on a tie.
    ranked = sorted(votes.items(), key=lambda kv: (-kv[1], kv[0] == "en", LANGUAGES.index(kv[0])))
    return HeaderMap(list(headers), terms, ranked[0][0] if ranked else None, dict(votes))


def _prefer_exact_terms(headers: list[str], terms: list[str | None]) -> None:
    """Where a column named exactly by a field's term (``scientificName``) meets others that map to it only
    as a label or an old name and are Darwin Core or GBIF terms of their own (GBIF's ``species``, which is
    also the English label "Species"; Darwin Core 1.4's ``Collector``), the exact one fills the field and
    the others are kept as extra terms under their own names. Two labels, or two exact names, still
    refuse the file (which one should win is a guess)."""
    from ..dwc_terms import canonical_term

    for term in {t for t in terms if t and terms.count(t) > 1}:
        named = [i for i, t in enumerate(terms) if t == term]
        exact = [i for i in named if header_key(headers[i]) == header_key(term)]
        others = [i for i in named if i not in exact]
        if len(exact) == 1 and all(canonical_term(headers[i]) or header_key(headers[i]) in OLD_TERMS
                                   for i in others):
            for i in others:
                terms[i] = None


@lru_cache(maxsize=None)
def known_header(text: str, form: Form | None = None) -> bool:
    """True when ``text`` is a Darwin Core term or a form label in any language."""
    return header_key(text) in _label_index((form or load_form()).id)


@lru_cache(maxsize=None)
def choice_lookup(form_id: str, term: str) -> tuple[dict[str, str], dict[str, str]]:
    """For one select_one field: (exact stored values → value, folded labels of every language → value).

    Stored values are a vocabulary (Darwin Core's basisOfRecord...) and must be written exactly; their
    underscore form is the XLSForm choice name (ODK names cannot contain spaces). Labels match loosely."""
    f: FormField = load_form(form_id).field(term)
    exact = {text: c.value for c in f.choices for text in (c.value, c.value.replace(" ", "_"))}
    labels = {header_key(text): c.value for c in f.choices for text in (*c.labels.values(), *c.former.values())}
    # Case, space and underscore variants of the stored values ("preserved specimen", GBIF's PRESERVED_SPECIMEN)
    labels.update({_squeezed(c.value): c.value for c in f.choices})
    for alias, value in ALIASES.get(term, {}).items():
        if value in exact:
            labels[_squeezed(alias)] = value
    return exact, labels


# Other vocabularies' spellings of our stored values: GBIF's BasisOfRecord enumeration (gbif.org API
# reference, "BasisOfRecord"), whose OBSERVATION and LITERATURE are the older names of HumanObservation and
# MaterialCitation.
# "Specimen" is the Darwin Core 1.4 value (its vocabulary had PreservedSpecimen, FossilSpecimen and
# LivingSpecimen too, but archives of that time wrote "Specimen" for the preserved ones).
ALIASES = {"basisOfRecord": {"OBSERVATION": "HumanObservation", "HUMAN_OBSERVATION": "HumanObservation",
                             "MACHINE_OBSERVATION": "MachineObservation", "LITERATURE": "MaterialCitation",
                             "UNKNOWN": "Occurrence", "SPECIMEN": "PreservedSpecimen"}}


def _squeezed(text: str) -> str:
    return re.sub(r"[\s_\-]+", "", header_key(text))


def choice_value(form_id: str, term: str, text: str) -> str | None:
    exact, labels = choice_lookup(form_id, term)
    return exact.get(text.strip()) or labels.get(header_key(text)) or labels.get(_squeezed(text))


__all__ = ["HeaderMap", "choice_lookup", "choice_value", "header_key", "known_header", "map_headers"]
