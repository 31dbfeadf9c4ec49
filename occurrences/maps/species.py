"""What the species pages and maps know about a species: its accepted name, names in the six languages and
IUCN category (from the checklist, :mod:`occurrences.taxa`, when installed), plus record counts from the store.

Without the checklist the store's own records are the fallback: the accepted name as stored and the
``vernacularName`` values submitted with the records.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import OccurrencesError
from ..i18n import LANGUAGES, N_
from ..query import resolve_names
from ..store import Filters


class UnknownSpecies(OccurrencesError):
    code = "unknown-species"
    status = 404
    template = N_("No species called {name} in the checklist or the records. See /species for the list.")


@dataclass
class SpeciesInfo:
    scientific_name: str
    names: dict[str, list[str]] = field(default_factory=dict)  # language → vernacular names, preferred first
    iucn_category: str | None = None
    synonyms: list[str] = field(default_factory=list)
    family: str | None = None

    def name_in(self, lang: str) -> str:
        """The preferred vernacular name in ``lang`` (English, then the scientific name, as fallbacks)."""
        for code in (lang, "en"):
            if self.names.get(code):
                return self.names[code][0]
        return self.scientific_name


def species_info(store, name: str, access: str = "public") -> SpeciesInfo:
    """Resolve ``name`` (scientific, synonym or vernacular in any language) to the species; raise
    :class:`UnknownSpecies` when neither the checklist nor the records know it."""
    accepted = (resolve_names([name.strip()]) or [name.strip()])[0]
    info = _from_checklist(accepted)
    if info is None:
        info = _from_records(store, accepted, access) or _from_records(store, _stored_spelling(store, accepted,
                                                                                              access), access)
    if info is None:
        raise UnknownSpecies(name=name)
    return info


def species_list(store, access: str = "public") -> list[SpeciesInfo]:
    """The checklist (or the species present in the records), with record counts in ``count`` order."""
    checklist = _checklist_entries()
    if checklist:
        return checklist
    counts = store.facets(Filters(access=access), ["scientificName"], limit=1000)["scientificName"]
    return [info for name, _n in counts if (info := _from_records(store, name, access))]


def checklist():
    """The packaged checklist (:class:`occurrences.taxa.Checklist`), loaded once; None if not installed."""
    try:
        from ..taxa import current
    except ImportError:
        return None
    return current()


def _from_checklist(accepted: str) -> SpeciesInfo | None:
    taxa = checklist()
    if taxa is None:
        return None
    try:
        return _adapt(taxa.get(accepted))
    except KeyError:
        return None


def _checklist_entries() -> list[SpeciesInfo]:
    taxa = checklist()
    return [_adapt(t) for t in sorted(taxa.taxa.values(), key=lambda t: t.scientific_name)] if taxa else []


def _adapt(taxon) -> SpeciesInfo:
    return SpeciesInfo(scientific_name=taxon.scientific_name, family=taxon.family,
                       names={lang: [n.name for n in taxon.names_in(lang)] for lang in LANGUAGES},
                       iucn_category=taxon.iucn_category or None, synonyms=list(taxon.synonyms))


def _from_records(store, accepted: str | None, access: str) -> SpeciesInfo | None:
    if not accepted:
        return None
    facets = store.facets(Filters(scientificName=[accepted], access=access), ["scientificName"], limit=1)
    if not facets["scientificName"]:
        return None
    vernacular = _vernacular_names(store, accepted, access)
    return SpeciesInfo(scientific_name=accepted, names={"en": vernacular} if vernacular else {})


def _vernacular_names(store, accepted: str, access: str) -> list[str]:
    page = store.query(Filters(scientificName=[accepted], access=access, limit=50))
    seen: list[str] = []
    for rec in page.records:
        if rec.get("vernacularName") and rec["vernacularName"] not in seen:
            seen.append(rec["vernacularName"])
    return seen


def _stored_spelling(store, name: str, access: str) -> str | None:
    """The stored scientific name equal to ``name`` ignoring case and spacing (``paguma  LARVATA``)."""
    wanted = " ".join(name.split()).casefold()
    for stored, _n in store.facets(Filters(access=access), ["scientificName"], limit=1000)["scientificName"]:
        if " ".join(stored.split()).casefold() == wanted:
            return stored
    return None
