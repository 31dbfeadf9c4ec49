"""The canonical occurrence record: Darwin Core terms as field names, one table of fields used everywhere.

A record is a plain ``dict`` keyed by these terms (cheap to build in bulk, easy to serialise). The
:data:`FIELDS` table is the single description of the record: the store derives its schema from it, the API
its response model, exports their columns.
"""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timezone

from .errors import InvalidValue


@dataclass(frozen=True)
class Field:
    name: str  # the Darwin Core term (or our own, for bookkeeping fields)
    type: type  # str, float or int
    required: bool = False
    # Bookkeeping fields are set by the system, never read from a submission.
    system: bool = False


# Order matters: it is the column order of every tabular output.
FIELDS: tuple[Field, ...] = (
    Field("occurrenceID", str, required=True),
    Field("basisOfRecord", str, required=True),
    Field("scientificName", str, required=True),
    Field("vernacularName", str),
    Field("taxonRank", str),
    Field("family", str),
    Field("eventDate", str, required=True),
    Field("year", int, system=True),
    Field("month", int, system=True),
    Field("day", int, system=True),
    Field("decimalLatitude", float),
    Field("decimalLongitude", float),
    Field("geodeticDatum", str),
    Field("coordinateUncertaintyInMeters", float),
    Field("countryCode", str),
    Field("stateProvince", str),
    Field("locality", str),
    Field("recordedBy", str),
    Field("individualCount", int),
    Field("occurrenceStatus", str),  # present (or empty) / absent: a search that found nothing, kept as data
    Field("sex", str),
    Field("lifeStage", str),
    Field("samplingProtocol", str),
    Field("occurrenceRemarks", str),
    Field("verbatimEventDate", str),
    Field("verbatimCoordinates", str),
    Field("verbatimLatitude", str),
    Field("verbatimLongitude", str),
    Field("verbatimLocality", str),
    Field("verbatimSRS", str),
    Field("language", str),
    Field("informationWithheld", str),
    Field("dataGeneralizations", str),
    # Every other Darwin Core (or GBIF download) term of the source record, and columns we do not know, kept
    # verbatim: JSON text {"term": "value", ...}, or None (see occurrences.dwc_terms).
    Field("extraTerms", str, system=True),
    Field("issues", list, system=True),
    Field("submittedBy", str, system=True),
    Field("submittedAt", str, system=True),
)

FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in FIELDS)
FIELD_BY_NAME: dict[str, Field] = {f.name: f for f in FIELDS}
SUBMITTABLE: tuple[str, ...] = tuple(f.name for f in FIELDS if not f.system)

BASIS_OF_RECORD = (
    "HumanObservation",
    "MachineObservation",  # camera traps
    "PreservedSpecimen",
    "MaterialSample",
    "MaterialCitation",  # market and trade records, literature
    "LivingSpecimen",
    "Occurrence",
)

# GBIF's GEOSPATIAL_RULES: the flags behind hasGeospatialIssue ("should not be shown on maps").
GEOSPATIAL_ISSUES = frozenset(
    {
        "ZERO_COORDINATE",
        "COORDINATE_OUT_OF_RANGE",
        "COORDINATE_INVALID",
        "COUNTRY_COORDINATE_MISMATCH",
        "PRESUMED_SWAPPED_COORDINATE",
        "PRESUMED_NEGATED_LONGITUDE",
        "PRESUMED_NEGATED_LATITUDE",
    }
)

OCCURRENCE_STATUSES = ("present", "absent")

_ISO_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def new_occurrence_id() -> str:
    return str(uuid.uuid4())


def now_iso() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def date_bounds(event_date: str) -> tuple[str, str]:
    """First and last day (ISO) covered by an ISO 8601 date, month, year or ``start/end`` interval.

    Raises :class:`InvalidValue` for anything else, so a stored ``eventDate`` is always filterable.
    """
    parts = event_date.split("/")
    if len(parts) > 2 or not all(parts):
        raise InvalidValue("eventDate", event_date)
    start = _expand(parts[0], first=True)
    end = _expand(parts[-1], first=False)
    if end < start:
        raise InvalidValue("eventDate", event_date)
    return start.isoformat(), end.isoformat()


def _expand(text: str, *, first: bool) -> date:
    m = _ISO_DATE.match(text.strip())
    if not m:
        raise InvalidValue("eventDate", text)
    y, mo, d = int(m[1]), m[2], m[3]
    try:
        if d:
            return date(y, int(mo), int(d))
        if mo:
            month = int(mo)
            if first:
                return date(y, month, 1)
            nxt = date(y + (month == 12), month % 12 + 1, 1)
            return date.fromordinal(nxt.toordinal() - 1)
        return date(y, 1, 1) if first else date(y, 12, 31)
    except ValueError:
        raise InvalidValue("eventDate", text) from None
