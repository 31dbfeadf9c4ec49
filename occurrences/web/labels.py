"""Values as the reader sees them: Darwin Core codes, numbers, dates and names in the page's language.

The pages never show a stored code (``PreservedSpecimen``, ``male``, ``COORDINATE_IN_SEA``) or an English number
format to a Thai or Vietnamese reader. Choice labels come from the form definition (one source with the form,
the templates and the imports); the few values the form does not offer, record statuses, quality flags and
the names of fields that are not on the form are declared here with ``N_`` so the catalogs carry them.
Numbers and dates go through Babel (CLDR) for the locale.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from babel import Locale
from babel.dates import format_date, format_datetime, format_skeleton
from babel.numbers import format_decimal

from ..forms import load_form
from ..i18n import N_, gettext

COUNTRIES = ("TH", "VN", "KH", "LA", "MM")  # the five countries the database covers
# Values a record may hold that the submission form does not offer.
EXTRA_CHOICES = {
    "basisOfRecord": {"Occurrence": N_("Kind of record not given")},
    "taxonRank": {"species": N_("Species"), "subspecies": N_("Subspecies"), "genus": N_("Genus")},
}
# Derived from eventDate, so the record page does not repeat them.
HIDDEN_FIELDS = frozenset({"year", "month", "day"})
STATUS_LABELS = {"accepted": N_("Accepted"), "pending": N_("Waiting for review"), "rejected": N_("Rejected")}
IUCN_LABELS = {
    "EX": N_("Extinct"), "EW": N_("Extinct in the Wild"), "CR": N_("Critically Endangered"),
    "EN": N_("Endangered"), "VU": N_("Vulnerable"), "NT": N_("Near Threatened"), "LC": N_("Least Concern"),
    "DD": N_("Data Deficient"), "NE": N_("Not Evaluated"),
}
# Record fields that are not questions of the form (system fields, verbatim copies, generalisation notes).
FIELD_LABELS = {
    "occurrenceID": N_("Record id"), "scientificName": N_("Scientific name"),
    "vernacularName": N_("Common name as submitted"), "taxonRank": N_("Taxon rank"), "family": N_("Family"),
    "eventDate": N_("Date"), "year": N_("Year"), "month": N_("Month"), "day": N_("Day"),
    "verbatimEventDate": N_("Date as written"), "verbatimLatitude": N_("Latitude as written"),
    "verbatimLongitude": N_("Longitude as written"), "verbatimLocality": N_("Place as written"),
    "verbatimSRS": N_("Coordinate system as written"), "language": N_("Language of the record"),
    "informationWithheld": N_("Information withheld"), "dataGeneralizations": N_("Generalisation"),
    "issues": N_("Quality flags"), "submittedBy": N_("Submitted by"), "submittedAt": N_("Submitted on"),
    "status": N_("Status"),
}
# A short name for each quality flag; the full message (with the record's values) is the flag's template.
FLAG_LABELS = {
    "BASIS_OF_RECORD_INVALID": N_("Unknown kind of record"),
    "COORDINATE_INCOMPLETE": N_("Only one coordinate"),
    "COORDINATE_INVALID": N_("Unreadable coordinate"),
    "COORDINATE_IN_SEA": N_("Point in the sea"),
    "COORDINATE_MISSING": N_("No coordinates"),
    "COORDINATE_NEAR_BORDER": N_("Point near a border"),
    "COORDINATE_NEAR_CAPITAL": N_("Point near a capital city"),
    "COORDINATE_NEAR_COUNTRY_CENTROID": N_("Point at the centre of a country"),
    "COORDINATE_NEAR_PROVINCE_CENTROID": N_("Point at the centre of a province"),
    "COORDINATE_OUTSIDE_REGION": N_("Point outside the five countries"),
    "COORDINATE_OUT_OF_RANGE": N_("Coordinate out of range"),
    "COORDINATE_PRECISION_LOW": N_("Coordinates in whole degrees"),
    "COORDINATE_UNCERTAINTY_METERS_INVALID": N_("Implausible coordinate uncertainty"),
    "COUNTRY_COORDINATE_MISMATCH": N_("Point not in the country given"),
    "COUNTRY_DERIVED_FROM_COORDINATES": N_("Country taken from the coordinates"),
    "COUNTRY_INVALID": N_("Unknown country"),
    "DUPLICATE_IN_BATCH": N_("Duplicate in the same upload"),
    "DUPLICATE_OCCURRENCE_ID": N_("Record id used twice"),
    "DUPLICATE_OF_STORED_RECORD": N_("Duplicate of a stored record"),
    "EQUAL_COORDINATES": N_("Latitude equals longitude"),
    "INDIVIDUAL_COUNT_INVALID": N_("Invalid number of animals"),
    "INVALID_VALUE": N_("Unreadable value"),
    "PRESUMED_NEGATED_LATITUDE": N_("Latitude sign probably wrong"),
    "PRESUMED_NEGATED_LONGITUDE": N_("Longitude sign probably wrong"),
    "PRESUMED_SWAPPED_COORDINATE": N_("Latitude and longitude probably swapped"),
    "RECORDED_DATE_BUDDHIST_ERA": N_("Year in the Buddhist era"),
    "RECORDED_DATE_INVALID": N_("Unreadable date"),
    "RECORDED_DATE_IN_FUTURE": N_("Date in the future"),
    "RECORDED_DATE_UNLIKELY": N_("Unlikely date"),
    "REQUIRED_FIELD_MISSING": N_("Required field empty"),
    "TAXON_NOT_KNOWN_FROM_COUNTRY": N_("Species not known from this country"),
    "UNKNOWN_FIELD": N_("Unknown column"),
    "ZERO_COORDINATE": N_("Zero coordinate"),
}


@dataclass(frozen=True)
class SpeciesName:
    """How a species is named on a page: the vernacular name (``None`` when there is none), the scientific
    name, and ``fallback`` = the language the vernacular name is in when it is not the page's (English)."""
    vernacular: str | None
    scientific: str
    fallback: str | None = None


class Values:
    """Formatting of stored values for one language; handed to every template as ``v``."""

    def __init__(self, lang: str):
        self.lang = lang

    def choice(self, term: str, value) -> str:
        """The form's label for a choice value (``PreservedSpecimen`` → "Preserved specimen"/"ตัวอย่าง…")."""
        if value in (None, ""):
            return ""
        label = _choice_labels(self.lang).get((term, value))
        if label is None and value in EXTRA_CHOICES.get(term, {}):
            label = gettext(self.lang, EXTRA_CHOICES[term][value])
        return label or str(value)

    def field(self, term: str) -> str:
        """The label of a record field: the form's question, else this module's name for it."""
        form_label = _field_labels(self.lang).get(term)
        if form_label:
            return form_label
        return gettext(self.lang, FIELD_LABELS[term]) if term in FIELD_LABELS else term

    def status(self, value: str) -> str:
        return gettext(self.lang, STATUS_LABELS[value]) if value in STATUS_LABELS else value

    def iucn(self, code: str | None) -> str:
        """"Least Concern (LC)": the category's name in the page's language, its code as IUCN writes it."""
        if not code:
            return ""
        return f"{gettext(self.lang, IUCN_LABELS[code])} ({code})" if code in IUCN_LABELS else code

    def flag(self, code: str) -> str:
        return gettext(self.lang, FLAG_LABELS[code]) if code in FLAG_LABELS else code

    def flags(self, codes) -> str:
        return ", ".join(self.flag(c) for c in codes or ())

    def country(self, code: str | None) -> str:
        if not code:
            return ""
        return _territories(self.lang).get(code, code)

    def province(self, name: str | None) -> str:
        """A province in the page's language: Viet Nam's from geodata/vn-provinces (names and their sources
        there); Thailand's, Cambodia's, Lao PDR's and Myanmar's from CLDR (geodata/provinces), in English where
        CLDR has no name in the page's language. A value that names no known province is shown as stored."""
        if not name:
            return ""
        from ..quality import province_names
        from ..quality import vn_provinces as vn

        provinces = vn.load()
        unit = provinces.find(name, vn.NEW) or provinces.find(name, vn.OLD)
        if unit:
            return unit.names.get(self.lang) or name
        return province_names.localised(name, self.lang) or name

    def num(self, value) -> str:
        if value is None or value == "":
            return ""
        return format_decimal(value, locale=self.lang, decimal_quantization=False)

    def date(self, value: str | None) -> str:
        """An ISO date, month, year or ``start/end`` range in the locale's medium format; text that is not an
        ISO date is shown as stored."""
        if not value:
            return ""
        if "/" in str(value):
            start, _, end = str(value).partition("/")
            return f"{self.date(start)} – {self.date(end)}"
        return _format_partial_date(str(value), self.lang)

    def datetime(self, value: str | None) -> str:
        if not value:
            return ""
        try:
            stamp = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            return str(value)
        if stamp.tzinfo is None:
            stamp = stamp.replace(tzinfo=dt.timezone.utc)
        return format_datetime(stamp, "medium", tzinfo=dt.timezone.utc, locale=self.lang) + " UTC"

    def species(self, scientific: str | None, stored_vernacular: str | None = None) -> SpeciesName:
        return species_name(scientific or "", self.lang, stored_vernacular)

    def value(self, term: str, value) -> str:
        """Any record value for the record page, by its field."""
        if term in _choice_terms() or term in EXTRA_CHOICES:
            return self.choice(term, value)
        if term == "countryCode":
            return self.country(value)
        if term == "stateProvince":
            return self.province(value)
        if term == "issues":
            return self.flags(value)
        if term == "status":
            return self.status(value)
        if term == "eventDate":
            return self.date(value)
        if term == "submittedAt":
            return self.datetime(value)
        if term == "language":
            return _language_names(self.lang).get(str(value), str(value))
        if isinstance(value, bool) or term in ("year", "month", "day"):
            return str(value)
        if isinstance(value, (int, float)):
            return self.num(value)
        if isinstance(value, (list, tuple)):
            return ", ".join(str(v) for v in value)
        return str(value)


def species_name(scientific: str, lang: str, stored_vernacular: str | None = None) -> SpeciesName:
    """The checklist's name in ``lang``; else its English name, marked as a fallback; else the name
    submitted with the record (language unknown); else none."""
    names = _checklist_names(scientific)
    if names.get(lang):
        return SpeciesName(names[lang], scientific)
    if names.get("en"):
        return SpeciesName(names["en"], scientific, fallback="en")
    if stored_vernacular:
        return SpeciesName(stored_vernacular, scientific, fallback="en" if lang != "en" else None)
    return SpeciesName(None, scientific)


@lru_cache(maxsize=4096)
def _checklist_names(scientific: str) -> dict[str, str]:
    from ..maps.species import checklist

    taxa = checklist()
    if taxa is None or not scientific:
        return {}
    try:
        taxon = taxa.get(scientific)
    except KeyError:
        return {}
    names: dict[str, str] = {}
    for n in taxon.names:
        names.setdefault(n.language, n.name)
    return names


@lru_cache(maxsize=None)
def _choice_labels(lang: str) -> dict[tuple[str, str], str]:
    return {(f.term, c.value): c.label(lang) for f in load_form().fields for c in f.choices}


@lru_cache(maxsize=None)
def _choice_terms() -> frozenset[str]:
    return frozenset(f.term for f in load_form().fields if f.choices and f.term != "countryCode")


@lru_cache(maxsize=None)
def _field_labels(lang: str) -> dict[str, str]:
    return {f.term: f.label(lang) for f in load_form().fields}


@lru_cache(maxsize=None)
def _language_names(lang: str) -> dict[str, str]:
    return dict(Locale.parse(lang).languages)


@lru_cache(maxsize=None)
def _territories(lang: str) -> dict[str, str]:
    return dict(Locale.parse(lang).territories)


def _format_partial_date(value: str, lang: str) -> str:
    parts = value.split("T")[0].split("-")
    try:
        numbers = [int(p) for p in parts]
        if len(numbers) == 3:
            return format_date(dt.date(*numbers), "medium", locale=lang)
        if len(numbers) == 2:
            return format_skeleton("yMMM", dt.date(numbers[0], numbers[1], 1), locale=lang)
        if len(numbers) == 1 and len(parts[0]) == 4:
            return parts[0]
    except ValueError:
        pass
    return value


__all__ = ["Values", "SpeciesName", "species_name", "FLAG_LABELS", "FIELD_LABELS", "HIDDEN_FIELDS", "STATUS_LABELS", "IUCN_LABELS"]
