"""Where the checklist's facts come from: per fact family (names, ranges, IUCN, CITES, vernacular names) the
source, version and date (``data/sources.csv``), and for one species the values with their own sources.

Used by ``occurrences species sources`` and the species pages, so both say the same thing.
"""
from __future__ import annotations

from dataclasses import dataclass

from babel import Locale

from .i18n import LANGUAGES, N_, translate
from .taxa import SOURCES_CSV, Taxon, read_csv_strict

FACTS = ("names", "ranges", "iucn", "cites", "vernacular")
FACT_LABELS = {"names": N_("Scientific names and taxonomy"), "ranges": N_("Country range"),
               "iucn": N_("IUCN Red List category"), "cites": N_("CITES listing and trade pressure"),
               "vernacular": N_("Vernacular names")}
NOT_VERIFIED = N_("not verified")


@dataclass(frozen=True)
class Source:
    fact: str
    source: str
    version: str
    date: str
    reference: str
    licence: str
    note: str

    def label(self, lang: str = "en") -> str:
        return translate(lang, FACT_LABELS[self.fact])


@dataclass(frozen=True)
class Fact:
    """One fact family for one species: what the checklist says, and where that came from."""

    fact: str
    label: str
    value: str
    source: str


def sources() -> list[Source]:
    """The fact families in a fixed order (names, ranges, iucn, cites, vernacular)."""
    rows = {r["fact"]: Source(**r) for r in read_csv_strict(SOURCES_CSV)}
    return [rows[f] for f in FACTS]


def species_facts(taxon: Taxon, lang: str = "en") -> list[Fact]:
    """Per fact family, the species' value and its source, as shown on its page (country names in ``lang``)."""
    by_fact = {s.fact: s for s in sources()}
    territories = Locale.parse(lang).territories
    countries = ", ".join(territories.get(c, c) for c in taxon.countries)
    uncertain = ", ".join(territories.get(c, c) + " (?)" for c in taxon.countries_uncertain)
    cites = _cites_value(taxon, lang)
    vernacular = "; ".join(f"{code}: {', '.join(n.name for n in taxon.names_in(code))}" for code in LANGUAGES
                           if taxon.names_in(code))
    values = {
        "names": f"{taxon.scientific_name} {taxon.authority} · {taxon.family}"
                 + (f" · {', '.join(taxon.mdd_english)}" if taxon.mdd_english else ""),
        "ranges": ", ".join(p for p in (countries, uncertain) if p),
        "iucn": taxon.iucn_category or translate(lang, NOT_VERIFIED),
        "cites": cites,
        "vernacular": vernacular or "—",
    }
    origin = {
        "names": _cite(by_fact["names"]),
        "ranges": _cite(by_fact["ranges"]),
        "iucn": taxon.iucn_source or translate(lang, NOT_VERIFIED),
        "cites": taxon.cites_source or translate(lang, NOT_VERIFIED),
        "vernacular": " | ".join(p for p in (taxon.sources, _cite(by_fact["vernacular"])) if p),
    }
    return [Fact(f, translate(lang, FACT_LABELS[f]), values[f], origin[f]) for f in FACTS]


def _cites_value(taxon: Taxon, lang: str) -> str:
    if not taxon.cites_appendix:
        return translate(lang, NOT_VERIFIED)
    if taxon.cites_appendix == "none":
        return translate(lang, N_("not listed"))
    listed_as = f" ({taxon.cites_listed_as})" if taxon.cites_listed_as != taxon.scientific_name else ""
    return translate(lang, N_("Appendix {appendix}"), appendix=taxon.cites_appendix) + listed_as


def _cite(source: Source) -> str:
    return f"{source.source}, {source.version}, {source.date}"


def report(lang: str = "en") -> str:
    """The text ``occurrences species sources`` prints: one block per fact family."""
    lines = []
    for s in sources():
        lines += [f"{s.label(lang)} [{s.fact}]", f"  {s.source} — {s.version} — {s.date}",
                  f"  {s.reference}", f"  licence: {s.licence}", f"  {s.note}", ""]
    return "\n".join(lines).rstrip() + "\n"


def species_report(taxon: Taxon, lang: str = "en") -> str:
    lines = [taxon.scientific_name]
    for fact in species_facts(taxon, lang):
        lines += [f"{fact.label} [{fact.fact}]: {fact.value}", f"  ← {fact.source}"]
    if taxon.concept_includes or taxon.split_from:
        lines.append(concept_text(taxon, lang))
    return "\n".join(lines) + "\n"


def concept_text(taxon: Taxon, lang: str = "en") -> str:
    """What an MDD split means for this name (empty when the species is not part of one)."""
    if taxon.concept_includes:
        return translate(lang, N_(
            "Concept: this checklist follows the Mammal Diversity Database, which treats {split} as a separate "
            "species. Records keep the name as given. Field teams often use {name} in the older, broad sense "
            "that includes {split}, so the country check for {name} accepts the countries of both."),
            name=taxon.scientific_name, split=", ".join(taxon.concept_includes)) + _note(taxon)
    if taxon.split_from:
        return translate(lang, N_(
            "Concept: the Mammal Diversity Database splits {name} from {parent}. Records of {name} keep this "
            "name; older records of the same animals may be filed under {parent}."),
            name=taxon.scientific_name, parent=taxon.split_from) + _note(taxon)
    return ""


def _note(taxon: Taxon) -> str:
    # The note and source are reference data (kept in English, like the checklist's notes).
    return f" {taxon.concept_note} [{taxon.concept_source}]" if taxon.concept_note else ""
