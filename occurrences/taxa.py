"""The checklist of the region's small carnivores: names, synonyms, IUCN category, sensitivity, matching.

``data/checklist.csv`` is built from the Mammal Diversity Database extract and the team's names by
:mod:`occurrences.taxa_build` (``data/sources.csv`` says where each family of facts comes from). Scientific
names are the key; vernacular names are display strings and search aliases, each with its source (plus names
coordinators add through an overlay CSV). Matching is case-, spacing- and (for Latin script) accent-insensitive;
anything else close enough is a fuzzy match with a warning, and no match is an error that lists the closest
names. Species of the same genera known only from outside the region (MDD ``in_region = 0``) are recognised by
their scientific name and flagged "not known from this region" instead of "not on the checklist".

Default sensitivity (how much a record's location is generalised), from the IUCN category and trade pressure,
following GBIF's sensitive-species guidance (Chapman 2020: "high" sensitivity → 0.1° grid) and iNaturalist
(near threatened and above obscured to a 0.2° cell):

==========  =====================  ======================
IUCN        no known trade          trade pressure
==========  =====================  ======================
CR          withhold               withhold
EN          generalise 0.2°        withhold
VU          generalise 0.1°        generalise 0.2°
NT          generalise 0.1°        generalise 0.1°
LC, DD, ?   none                   generalise 0.1°
==========  =====================  ======================
"""
from __future__ import annotations

import csv
import io
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz, process

from .errors import OccurrencesError
from .flags import ERROR, INFO, WARNING, define
from .i18n import LANGUAGES, N_, translate
from .parse.result import Issues, Problem
from .parse.strings import to_arrow, unique_codes
from .parse.text import folded_key, matching_key

DATA_DIR = Path(__file__).resolve().parent / "data"
CHECKLIST_CSV = DATA_DIR / "checklist.csv"
POLICY_CSV = DATA_DIR / "taxon_policy.csv"
SOURCES_CSV = DATA_DIR / "sources.csv"
MDD_NAME_SOURCE = "MDD"
DEFAULT_OVERLAY = "names_overlay.csv"
OVERLAY_COLUMNS = ("scientific_name", "language", "name", "source")
LANGUAGE_COLUMNS = {"en": "english", "th": "thai", "vi": "vietnamese", "km": "khmer", "lo": "lao", "my": "burmese"}

NONE, GENERALISE_01, GENERALISE_02, WITHHOLD = "none", "generalise-0.1", "generalise-0.2", "withhold"
SENSITIVITY_LEVELS = (NONE, GENERALISE_01, GENERALISE_02, WITHHOLD)
_POLICY = {"CR": (WITHHOLD, WITHHOLD), "EN": (GENERALISE_02, WITHHOLD), "VU": (GENERALISE_01, GENERALISE_02),
           "NT": (GENERALISE_01, GENERALISE_01)}
FUZZY_CUTOFF = 85  # rapidfuzz ratio (0–100) on folded keys
CLOSEST = 3

define("TAXON_MATCH_FUZZY", WARNING,
       N_("{value!r} is not an exact name on the checklist; it was matched to {matched} ({scientificName}). Check the species."),
       "The species name matched a checklist name only approximately.", "Check the name.",
       threshold=f"similarity ≥ {FUZZY_CUTOFF}%")
define("TAXON_MATCH_NONE", ERROR,
       N_("{value!r} is not on the checklist of small carnivores. Closest names: {closest}. Use one of them, or ask a coordinator to add the name."),
       "The species name matches nothing on the checklist.", "Use a checklist name.")
define("TAXON_MATCH_AMBIGUOUS", ERROR,
       N_("{value!r} is a name of more than one species: {candidates}. Write the scientific name."),
       "A vernacular name shared by several species.", "Write the scientific name.")
define("TAXON_NOT_IN_REGION", WARNING,
       N_("{value!r} is not known from this region (Cambodia, Lao PDR, Myanmar, Thailand, Viet Nam); it is known from: {known}. Check the identification."),
       "The name is a species of a regional genus known only from outside the five countries (Mammal Diversity Database).",
       "Check the identification; keep the record only with evidence.")
define("TAXON_SYNONYM_REPLACED", INFO, N_("{value!r} is a synonym; the accepted name {scientificName} was used."),
       "A synonym was replaced by the accepted name.")


class NamesFileInvalid(OccurrencesError):
    code = "names-file-invalid"
    status = 422
    template = N_("Row {row} of {name}: {problem}")

    def message(self, lang: str = "en") -> str:
        problem = translate(lang, self.params.get("problem", ""), **self.params)
        return translate(lang, self.template, **{**self.params, "problem": problem})


class ChecklistFileInvalid(OccurrencesError):
    """A reference file (checklist, names, CITES, concepts) that cannot be used; nothing is changed."""

    code = "checklist-file-invalid"
    status = 422
    template = N_("{name} was refused: {problem}")

    def message(self, lang: str = "en") -> str:
        problem = translate(lang, self.params.get("problem", ""), **self.params)
        return translate(lang, self.template, **{**self.params, "problem": problem})


class CountryRange(frozenset):
    """Countries (ISO codes) a species is known from, uncertain ones included; ``uncertain`` says which are
    marked "?" by the source (a record there is informational, not a warning)."""

    uncertain: frozenset = frozenset()

    def __new__(cls, certain=(), uncertain=()):
        obj = super().__new__(cls, set(certain) | set(uncertain))
        obj.uncertain = frozenset(uncertain) - set(certain)
        return obj


@dataclass(frozen=True)
class VernacularName:
    name: str
    language: str
    source: str


@dataclass
class Taxon:
    scientific_name: str
    family: str
    iucn_category: str
    synonyms: tuple[str, ...] = ()
    names: list[VernacularName] = field(default_factory=list)
    countries: tuple[str, ...] = ()
    trade_pressure: bool | None = None
    sources: str = ""
    notes: str = ""
    in_region: bool = True
    countries_uncertain: tuple[str, ...] = ()
    mdd_english: tuple[str, ...] = ()
    authority: str = ""
    iucn_source: str = ""
    cites_appendix: str = ""  # "I", "II", "III", "none" (not listed) or "" (not verified)
    cites_listed_as: str = ""
    cites_source: str = ""
    trade_pressure_source: str = "not verified"
    concept_includes: tuple[str, ...] = ()  # species MDD split off that records under this name may be
    split_from: str = ""
    concept_source: str = ""
    concept_note: str = ""

    @property
    def sensitivity(self) -> str:
        return default_sensitivity(self.iucn_category, bool(self.trade_pressure))

    @property
    def sensitivity_basis(self) -> str:
        """Which sources the default sensitivity rests on (reference data, in English like the sources)."""
        trade = {True: "yes", False: "no", None: "unknown"}[self.trade_pressure]
        return (f"IUCN {self.iucn_category or '?'} ({self.iucn_source or 'not verified'}); trade pressure {trade} "
                f"({self.trade_pressure_source})")

    def names_in(self, lang: str) -> list[VernacularName]:
        return [n for n in self.names if n.language == lang]

    def to_dict(self, lang: str = "en") -> dict:
        local = self.names_in(lang)
        return {"scientificName": self.scientific_name, "family": self.family, "iucnCategory": self.iucn_category,
                "sensitivity": self.sensitivity, "sensitivityBasis": self.sensitivity_basis, "synonyms": list(self.synonyms), "countries": list(self.countries),
                "vernacularName": local[0].name if local else None,
                "vernacularNames": [{"name": n.name, "source": n.source} for n in local],
                "countriesUncertain": list(self.countries_uncertain), "mddEnglishNames": list(self.mdd_english),
                "iucnSource": self.iucn_source, "citesAppendix": self.cites_appendix or None,
                "citesSource": self.cites_source or "not verified", "tradePressure": self.trade_pressure,
                "tradePressureSource": self.trade_pressure_source,
                "conceptIncludes": list(self.concept_includes), "splitFrom": self.split_from or None}


def default_sensitivity(iucn_category: str, trade_pressure: bool) -> str:
    without, with_trade = _POLICY.get((iucn_category or "").upper(), (NONE, GENERALISE_01))
    return with_trade if trade_pressure else without


@dataclass
class MatchResult:
    """Per row: accepted scientific name (None where unmatched), how it matched, and problems."""

    scientific_name: np.ndarray
    matched_by: np.ndarray  # "scientific", "synonym", "vernacular", "fuzzy", "outside" or "" (empty / none)
    issues: Issues

    @property
    def errors(self) -> np.ndarray:
        return self.issues.error_mask(len(self.scientific_name))


class Checklist:
    def __init__(self, taxa: list[Taxon]):
        self.taxa = {t.scientific_name: t for t in taxa if t.in_region}
        self.outside = {t.scientific_name: t for t in taxa if not t.in_region}
        self._exact: dict[str, set[tuple[str, str, str]]] = {}  # key → {(scientific name, kind, shown name)}
        self._folded: dict[str, set[tuple[str, str, str]]] = {}
        for t in self.taxa.values():
            self._index(t.scientific_name, t.scientific_name, "scientific")
            for s in t.synonyms:
                self._index(s, t.scientific_name, "synonym")
            for n in t.names:
                self._index(n.name, t.scientific_name, "vernacular")
        for t, name in self._unique_mdd_names():
            self._index(name, t.scientific_name, "vernacular")
        self._fuzzy_keys = list(self._folded)
        self._outside = {_loose(n): t.scientific_name for t in self.outside.values()
                         for n in (t.scientific_name, *t.synonyms)}

    def _unique_mdd_names(self):
        """MDD's English names as search aliases, except one-word names ("Weasel") and names another species
        already uses (MDD's "Bear Cat" for the red panda is our "Bearcat", the binturong): those would turn a
        clear name into an ambiguous one."""
        candidates = [(t, n) for t in self.taxa.values() for n in t.mdd_english if len(n.split()) > 1]
        owners: dict[str, set[str]] = {}
        for t, n in candidates:
            owners.setdefault(_loose(n), set()).add(t.scientific_name)
        for t, n in candidates:
            taken = {e[0] for e in self._folded.get(_loose(n), ())}
            if owners[_loose(n)] == {t.scientific_name} and taken <= {t.scientific_name}:
                yield t, n

    @classmethod
    def load(cls, overlay: str | Path | None = None, base: str | Path = CHECKLIST_CSV,
             policy: str | Path = POLICY_CSV) -> "Checklist":
        """The packaged checklist, plus coordinators' names from ``overlay`` (if the file exists)."""
        taxa = [_taxon(row) for row in _unique_rows(read_csv_strict(base), Path(base).name)]
        by_name = {t.scientific_name: t for t in taxa}
        for row in read_csv_strict(policy):
            t = by_name[row["scientific_name"]]
            t.trade_pressure = {"yes": True, "no": False}.get(row["trade_pressure"].strip().lower())
            t.trade_pressure_source = row.get("trade_pressure_source") or "not verified"
        if overlay is not None and Path(overlay).exists():
            in_region = {n: t for n, t in by_name.items() if t.in_region}
            for i, row in enumerate(read_csv_strict(overlay), start=2):
                by_name[_check_overlay_row(row, i, overlay, in_region)].names.append(
                    VernacularName(row["name"].strip(), row["language"].strip(), row["source"].strip()))
        return cls(taxa)

    def _index(self, name: str, scientific: str, kind: str) -> None:
        entry = (scientific, kind, name)
        self._exact.setdefault(matching_key(name), set()).add(entry)
        self._folded.setdefault(_loose(name), set()).add(entry)

    def get(self, name: str) -> Taxon:
        """The taxon for any accepted name, synonym or vernacular name (KeyError if none or ambiguous)."""
        found = {e[0] for e in self._exact.get(matching_key(name), ()) or self._folded.get(_loose(name), ())}
        if len(found) != 1:
            raise KeyError(name)
        return self.taxa[found.pop()]

    def get_any(self, name: str) -> Taxon:
        """Like :meth:`get`, but also the species known only from outside the region (by scientific name)."""
        try:
            return self.get(name)
        except KeyError:
            return self.outside[self._outside[_loose(name)]]

    def sensitivity(self, name: str) -> str:
        # A species from outside the region keeps its own level: a Malabar civet (CR) record is still withheld.
        return self.get_any(name).sensitivity

    def family(self, name: str) -> str | None:
        try:
            return self.get_any(name).family
        except KeyError:
            return None

    def countries(self, name: str) -> tuple[str, ...]:
        """Countries the source gives for the species itself, without uncertain ones."""
        return self.get(name).countries

    def range(self, name: str) -> CountryRange | None:
        """Where a record under ``name`` may plausibly be: the species' countries (uncertain ones marked) plus,
        for a name MDD has split, the countries of the species split off, because field teams still record them
        under the older, broader name. None when the name is unknown or no range is recorded."""
        try:
            taxon = self.get(name)
        except KeyError:
            return None
        members = [taxon, *(self.taxa[n] for n in taxon.concept_includes if n in self.taxa)]
        certain = {c for t in members for c in t.countries}
        uncertain = {c for t in members for c in t.countries_uncertain}
        return CountryRange(certain, uncertain) if certain or uncertain else None

    def species(self, lang: str = "en") -> list[dict]:
        """The checklist for GET /species, vernacular names in ``lang`` (absent where no source gives one)."""
        return [t.to_dict(lang) for t in sorted(self.taxa.values(), key=lambda t: t.scientific_name)]

    def match(self, names, field: str = "scientificName") -> MatchResult:
        """Names as typed → accepted scientific names; each unique name is resolved once."""
        codes, uniques = unique_codes(to_arrow(names))
        results = [self.match_one(u, field) for u in uniques]
        sci = np.array([r[0] for r in results] + [None], object)
        how = np.array([r[1] for r in results] + [""], object)
        issues = Issues.from_unique(codes, [tuple(r[2]) for r in results])
        return MatchResult(sci[codes], how[codes], issues)

    def match_one(self, name: str, field: str = "scientificName") -> tuple[str | None, str, list[Problem]]:
        if not name.strip():
            return None, "", []
        entries = self._exact.get(matching_key(name)) or self._folded.get(_loose(name))
        if entries:
            return self._resolve(entries, field)
        outside = self._outside.get(_loose(name))
        if outside:
            known = ", ".join(sorted({*self.outside[outside].countries, *self.outside[outside].countries_uncertain}))
            return outside, "outside", [Problem.of("TAXON_NOT_IN_REGION", field, known=known)]
        best = process.extractOne(_loose(name), self._fuzzy_keys, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
        if best:
            entries = self._folded[best[0]]
            scientific, _, problems = self._resolve(entries, field)
            if scientific:
                shown = sorted(entries)[0][2]
                return scientific, "fuzzy", [Problem.of("TAXON_MATCH_FUZZY", field, matched=shown,
                                                        scientificName=scientific)]
            return None, "", problems
        return None, "", [Problem.of("TAXON_MATCH_NONE", field, closest=", ".join(self.closest(name)))]

    def _resolve(self, entries, field):
        scientific = {e[0] for e in entries}
        if len(scientific) > 1:
            return None, "", [Problem.of("TAXON_MATCH_AMBIGUOUS", field, candidates=", ".join(sorted(scientific)))]
        accepted = scientific.pop()
        kinds = {e[1] for e in entries}
        kind = "scientific" if "scientific" in kinds else "synonym" if "synonym" in kinds else "vernacular"
        problems = [Problem.of("TAXON_SYNONYM_REPLACED", field, scientificName=accepted)] if kind == "synonym" else []
        return accepted, kind, problems

    def closest(self, name: str, limit: int = CLOSEST) -> list[str]:
        found = process.extract(_loose(name), self._fuzzy_keys, scorer=fuzz.ratio, limit=limit)
        return [sorted(self._folded[key])[0][2] for key, _score, _ in found]


def overlay_path() -> Path:
    """Where coordinators' names live: ``OCCURRENCES_NAMES`` or ``names_overlay.csv`` in the working directory."""
    return Path(os.environ.get("OCCURRENCES_NAMES") or DEFAULT_OVERLAY)


_CURRENT: dict = {}


def current() -> "Checklist":
    """The checklist every part of the program uses: packaged names plus the overlay, reloaded when the overlay
    file changes (a coordinator's ``occurrences species add-names`` takes effect without a restart)."""
    path = overlay_path()
    key = (str(path), path.stat().st_mtime_ns if path.exists() else None)
    if _CURRENT.get("key") != key:
        try:
            _CURRENT.update(key=key, checklist=Checklist.load(path))
        except ChecklistFileInvalid as exc:
            if "checklist" not in _CURRENT:
                raise
            # A names file edited by hand into something unreadable must not take the checklist away: the
            # previous names stay in use (this file version is not retried) and the operator is told why.
            from .logs import log_event

            log_event("checklist.refused", logging.WARNING, code=exc.code, reason=exc.message("en"))
            _CURRENT["key"] = key
    return _CURRENT["checklist"]


def add_names(csv_path: str | Path, overlay: str | Path | None = None) -> int:
    """Append coordinators' names (columns scientific_name, language, name, source) to the overlay CSV.

    The whole file is checked first; nothing is written if any row is wrong. Returns the number of names added
    (names already present for that species and language are skipped).
    """
    overlay = overlay or overlay_path()
    checklist = Checklist.load(overlay)
    rows = read_csv_strict(csv_path)
    new = []
    known = {(t.scientific_name, n.language, matching_key(n.name)) for t in checklist.taxa.values() for n in t.names}
    for i, row in enumerate(rows, start=2):
        scientific = _check_overlay_row(row, i, csv_path, checklist.taxa)
        key = (scientific, row["language"].strip(), matching_key(row["name"]))
        if key not in known:
            known.add(key)
            new.append({"scientific_name": scientific, "language": row["language"].strip(),
                        "name": row["name"].strip(), "source": row["source"].strip()})
    overlay = Path(overlay)
    write_header = not overlay.exists() or overlay.stat().st_size == 0
    with overlay.open("a", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, OVERLAY_COLUMNS)
        if write_header:
            writer.writeheader()
        writer.writerows(new)
    return len(new)


def _check_overlay_row(row: dict, number: int, path, taxa: dict) -> str:
    def fail(problem):
        raise NamesFileInvalid(row=number, name=Path(path).name, problem=problem)

    if any(not (row.get(c) or "").strip() for c in OVERLAY_COLUMNS):
        fail(N_("every row needs scientific_name, language, name and source (a name without a source is not accepted)."))
    if row["language"].strip() not in LANGUAGES:
        fail(N_("the language must be one of en, th, vi, km, lo, my."))
    scientific = next((s for s in taxa if matching_key(s) == matching_key(row["scientific_name"])), None)
    if scientific is None:
        fail(N_("the scientific name is not on the checklist; names can only be added to listed species."))
    return scientific


def _loose(name: str) -> str:
    """Accent-, case- and spacing-insensitive key (spaces and hyphens dropped)."""
    return "".join(ch for ch in folded_key(name) if ch not in " -'’.")


def _taxon(row: dict) -> Taxon:
    names = [VernacularName(n, lang, row["sources"]) for lang, col in LANGUAGE_COLUMNS.items()
             for n in _parts(row[col])]
    return Taxon(row["scientific_name"], row["family"], row["iucn_category"], _parts(row["synonyms"]), names,
                 countries=_parts(row["countries"]), sources=row["sources"], notes=row["notes"],
                 in_region=row["in_region"] == "1", countries_uncertain=_parts(row["countries_uncertain"]),
                 mdd_english=_parts(row["mdd_english"]), authority=row["authority"], iucn_source=row["iucn_source"],
                 cites_appendix=row["cites_appendix"], cites_listed_as=row["cites_listed_as"],
                 cites_source=row["cites_source"], concept_includes=_parts(row["concept_includes"]),
                 split_from=row["split_from"], concept_source=row["concept_source"],
                 concept_note=row["concept_note"])


def _parts(text: str) -> tuple[str, ...]:
    return tuple(p for p in (text or "").split("|") if p)


def _unique_rows(rows: list[dict], file: str) -> list[dict]:
    seen: dict[str, int] = {}
    for number, row in enumerate(rows, start=2):
        key = matching_key(row.get("scientific_name") or "")
        if key in seen:
            raise ChecklistFileInvalid(name=file, problem=N_(
                "{scientific_name} appears twice (second time on row {row}); keep one row per species."),
                scientific_name=row["scientific_name"], row=number)
        seen[key] = number
    return rows


def read_csv_strict(path) -> list[dict]:
    """Rows of a UTF-8 CSV (a byte-order mark is allowed). A file in a legacy encoding (TIS-620, Windows-1258,
    Zawgyi-era exports…) is refused with a clear message instead of being read as mojibake."""
    data = Path(path).read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ChecklistFileInvalid(name=Path(path).name, problem=N_(
            "it is not UTF-8 (byte {position} cannot be read); it is probably in a legacy encoding such as "
            "TIS-620 or Windows-1258. Save it as \"CSV UTF-8\" and try again."), position=exc.start) from None
    return list(csv.DictReader(io.StringIO(text, newline="")))
