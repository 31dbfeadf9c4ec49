"""A camera-trap survey as a sampling-event Darwin Core Archive: ``event.txt`` (Event core), ``occurrence.txt``
(Occurrence extension), ``measurementorfact.txt`` (MeasurementOrFact extension), ``meta.xml`` and ``eml.xml``,
zipped. Text files follow the occurrence archive's conventions (``occurrences.export.dwca``): UTF-8, tab-separated,
double-quoted where needed, one header line, spreadsheet formulas neutralised.

Events. One Event per deployment (``eventID`` = deploymentID), under one parent Event for the survey
(``eventID`` = the project id) when the package names one. eventDate is the deployment interval with the
offsets the package gives. Effort: ``sampleSizeValue`` is the deployment's camera-days
(:func:`occurrences.camtrap.effort.camera_days`: its interval minus the reported malfunctions), with
``sampleSizeUnit`` ``camera-days``: each event is one camera, so this is both "days" in the Ontology of Units of
Measure sense and the "trap days" unit GBIF's Humboldt extension gives as its example, spelled so that sums over
events read right. ``samplingEffort`` says the same in words, in the archive's language.

Occurrences. Animal observations only (blank, human, vehicle and setup observations describe the camera, not an
organism). When the package has event-level observations those are used, otherwise the media-level ones, so an
animal seen in five images of one sequence is not counted five times where the source grouped them. No absences
are written: a non-detection is only meaningful for a declared taxonomic scope, and a deployment without
detections is already visible as an Event with effort and no occurrences.

Measurements per deployment: camera height, camera-days, bait use, feature type, detection distance, camera
model, camera delay, tilt and heading, where known.

Coordinates are the deployments' as given: for a reader not allowed to see a sensitive species the store
layer has already generalised them, and nothing here adds precision from elsewhere.
"""
from __future__ import annotations

import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from ..export.dwca import _WRITE, _file_element
from ..export.eml import LICENCES, Coverage, DatasetMetadata, eml_xml
from ..export.terms import DWC
from ..formulas import neutralise_batch
from ..i18n import N_, translate
from .effort import camera_days
from .model import CamtrapPackage
from .write import format_timestamps

EVENT_ROW_TYPE = DWC + "Event"
OCCURRENCE_ROW_TYPE = DWC + "Occurrence"
MOF_ROW_TYPE = DWC + "MeasurementOrFact"
SAMPLING_PROTOCOL = "camera trap"
SAMPLE_SIZE_UNIT = "camera-days"
EVENT_COLUMNS = ("eventID", "parentEventID", "eventDate", "samplingProtocol", "sampleSizeValue",
                 "sampleSizeUnit", "samplingEffort", "locationID", "locality", "countryCode", "stateProvince",
                 "decimalLatitude", "decimalLongitude", "coordinateUncertaintyInMeters", "geodeticDatum", "habitat",
                 "eventRemarks")
OCCURRENCE_COLUMNS = ("eventID", "occurrenceID", "basisOfRecord", "eventDate", "scientificName",
                      "individualCount", "sex", "lifeStage", "behavior", "occurrenceStatus", "identifiedBy",
                      "organismID", "occurrenceRemarks")
MOF_COLUMNS = ("eventID", "measurementID", "measurementType", "measurementValue", "measurementUnit")
# deployments column → (measurementType, unit); the types are English vocabulary, as GBIF's camera-trap guide
# writes them, so that they can be compared across datasets.
MEASUREMENTS = {"cameraHeight": ("camera height", "m"), "cameraDays": ("camera-days", SAMPLE_SIZE_UNIT),
                "baitUse": ("bait use", None), "featureType": ("feature type", None),
                "detectionDistance": ("detection distance", "m"), "cameraModel": ("camera model", None),
                "cameraDelay": ("camera delay", "s"), "cameraTilt": ("camera tilt", "degrees"),
                "cameraHeading": ("camera heading", "degrees")}

EFFORT = N_("{days} camera-days: one camera from {start} to {end}.")
EFFORT_LESS_MALFUNCTION = N_("{days} camera-days: one camera from {start} to {end}, less {lost} days in which it was reported not working.")
SURVEY_EFFORT = N_("{days} camera-days over {deployments} camera deployments.")


def write_sampling_event_dwca(package: CamtrapPackage, dest: Path, *, lang: str = "en") -> Path:
    """Write ``package`` as a zipped sampling-event Darwin Core Archive at ``dest``; returns ``dest``.
    ``lang``: the language of the free-text effort descriptions and of the metadata."""
    dest = Path(dest)
    events = event_table(package, lang)
    occurrences = occurrence_table(package)
    facts = measurement_table(package)
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, frame, columns in (("event.txt", events, EVENT_COLUMNS),
                                     ("occurrence.txt", occurrences, OCCURRENCE_COLUMNS),
                                     ("measurementorfact.txt", facts, MOF_COLUMNS)):
            with zf.open(name, "w") as member:
                _write_text(frame, columns, member)
        zf.writestr("meta.xml", meta_xml())
        zf.writestr("eml.xml", eml_xml(_dataset_metadata(package, lang), _coverage(events, occurrences)))
    return dest


def _write_text(frame: pd.DataFrame, columns: tuple[str, ...], out) -> None:
    table = pa.Table.from_pandas(frame.reindex(columns=list(columns)).astype("string"), preserve_index=False)
    table = table.cast(pa.schema([(c, pa.string()) for c in columns]))
    writer = pacsv.CSVWriter(out, table.schema, write_options=_WRITE)
    for batch in table.to_batches():
        writer.write_batch(neutralise_batch(batch))
    if table.num_rows == 0:
        writer.write_batch(pa.RecordBatch.from_pylist([], schema=table.schema))
    writer.close()


# -- tables -----------------------------------------------------------------------------------------------
def survey_id(package: CamtrapPackage) -> str | None:
    project = package.metadata.get("project") or {}
    value = project.get("id") or package.metadata.get("id")
    return str(value) if value else None


def event_table(package: CamtrapPackage, lang: str = "en") -> pd.DataFrame:
    """The Event core: the survey's parent event (when it has an id) and one event per deployment."""
    d = package.deployments
    days = camera_days(d, package.malfunctions)
    full = camera_days(d)
    start, end = format_timestamps(d["deploymentStart"]), format_timestamps(d["deploymentEnd"])
    parent = survey_id(package)
    events = pd.DataFrame({
        "eventID": d["deploymentID"].astype("string").to_numpy(),
        "parentEventID": parent,
        "eventDate": (start + "/" + end).to_numpy(),
        "samplingProtocol": SAMPLING_PROTOCOL,
        "sampleSizeValue": [_days(v) for v in days.to_numpy()],
        "sampleSizeUnit": SAMPLE_SIZE_UNIT,
        "samplingEffort": [_effort_text(lang, v, f - v, s, e)
                           for v, f, s, e in zip(days.to_numpy(), full.to_numpy(), start, end)],
        "locationID": _column(d, "locationID"), "locality": _column(d, "locationName"),
        "countryCode": _column(d, "countryCode"), "stateProvince": _column(d, "stateProvince"),
        "decimalLatitude": _column(d, "latitude"), "decimalLongitude": _column(d, "longitude"),
        "coordinateUncertaintyInMeters": _column(d, "coordinateUncertainty"),
        "geodeticDatum": "EPSG:4326",  # Camtrap DP coordinates are WGS84 by definition
        "habitat": _column(d, "habitat"), "eventRemarks": _column(d, "deploymentComments")})
    if parent is None:
        return events
    survey = {"eventID": parent, "eventDate": _survey_interval(start, end), "samplingProtocol": SAMPLING_PROTOCOL,
              "sampleSizeValue": _days(days.sum()), "sampleSizeUnit": SAMPLE_SIZE_UNIT,
              "samplingEffort": translate(lang, SURVEY_EFFORT, days=_days(days.sum()), deployments=len(d))}
    return pd.concat([pd.DataFrame([survey]), events], ignore_index=True)


def _column(frame: pd.DataFrame, name: str):
    if name not in frame.columns:
        return None
    column = frame[name]
    if pd.api.types.is_float_dtype(column) and name == "coordinateUncertainty":
        column = column.round().astype("Int64")
    return column.astype("string").to_numpy()


def _days(value: float) -> str:
    return f"{float(value):.3f}".rstrip("0").rstrip(".")


def _effort_text(lang: str, days: float, lost: float, start: str, end: str) -> str:
    if lost > 0:
        return translate(lang, EFFORT_LESS_MALFUNCTION, days=_days(days), start=start, end=end, lost=_days(lost))
    return translate(lang, EFFORT, days=_days(days), start=start, end=end)


def _survey_interval(start: pd.Series, end: pd.Series) -> str | None:
    # ISO strings with different offsets do not sort as instants: pick the earliest and latest instants.
    s = start[start != ""]
    e = end[end != ""]
    if s.empty or e.empty:
        return None
    first = s.iloc[int(pd.to_datetime(s, utc=True, format="ISO8601").argmin())]
    last = e.iloc[int(pd.to_datetime(e, utc=True, format="ISO8601").argmax())]
    return f"{first}/{last}"


def animal_observations(package: CamtrapPackage) -> pd.DataFrame:
    """The observations that become occurrences: animals, at event level when the package has any there."""
    obs = package.observations
    animals = obs[obs["observationType"].astype("string") == "animal"]
    if "observationLevel" in animals.columns and (animals["observationLevel"] == "event").any():
        animals = animals[animals["observationLevel"] == "event"]
    return animals


def occurrence_table(package: CamtrapPackage) -> pd.DataFrame:
    obs = animal_observations(package)
    start, end = format_timestamps(obs["eventStart"]), format_timestamps(obs["eventEnd"])
    return pd.DataFrame({
        "eventID": obs["deploymentID"].astype("string").to_numpy(),
        "occurrenceID": obs["observationID"].astype("string").to_numpy(),
        "basisOfRecord": "MachineObservation",
        # one instant when the observation has one, else its interval
        "eventDate": start.where(start == end, start + "/" + end).to_numpy(),
        "scientificName": _column(obs, "scientificName"),
        "individualCount": pd.to_numeric(obs.get("count"), errors="coerce").astype("Int64").astype("string")
        .to_numpy() if "count" in obs else None,
        "sex": _column(obs, "sex"), "lifeStage": _column(obs, "lifeStage"), "behavior": _column(obs, "behavior"),
        "occurrenceStatus": "present",
        "identifiedBy": _column(obs, "classifiedBy"), "organismID": _column(obs, "individualID"),
        "occurrenceRemarks": _column(obs, "observationComments")})


def measurement_table(package: CamtrapPackage) -> pd.DataFrame:
    """One row per deployment and known measurement, vectorized per measurement type."""
    d = package.deployments.assign(
        cameraDays=camera_days(package.deployments, package.malfunctions).map(_days).to_numpy())
    parts = []
    for column, (kind, unit) in MEASUREMENTS.items():
        if column not in d.columns:
            continue
        values = d[column].map(_measurement_value)
        known = values.notna()
        ids = d.loc[known, "deploymentID"].astype("string")
        parts.append(pd.DataFrame({"eventID": ids.to_numpy(), "measurementID": (ids + ":" + column).to_numpy(),
                                   "measurementType": kind, "measurementValue": values[known].to_numpy(),
                                   "measurementUnit": unit}))
    if not parts:
        return pd.DataFrame(columns=list(MOF_COLUMNS))
    return pd.concat(parts, ignore_index=True)


def _measurement_value(value) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)) or value == "":
        return None
    if isinstance(value, (bool,)) or str(value).lower() in ("true", "false"):
        return str(value).lower()
    if isinstance(value, float):
        return repr(value)
    return str(value)


# -- meta.xml, eml.xml ------------------------------------------------------------------------------------
def meta_xml() -> str:
    ET.register_namespace("", "http://rs.tdwg.org/dwc/text/")
    ns = "{http://rs.tdwg.org/dwc/text/}"
    archive = ET.Element(ns + "archive", {"metadata": "eml.xml"})
    core = _file_element(archive, ns + "core", EVENT_ROW_TYPE, "event.txt", ns)
    ET.SubElement(core, ns + "id", {"index": "0"})
    _fields(core, EVENT_COLUMNS, ns)
    for row_type, location, columns in ((OCCURRENCE_ROW_TYPE, "occurrence.txt", OCCURRENCE_COLUMNS),
                                        (MOF_ROW_TYPE, "measurementorfact.txt", MOF_COLUMNS)):
        ext = _file_element(archive, ns + "extension", row_type, location, ns)
        ET.SubElement(ext, ns + "coreid", {"index": "0"})
        _fields(ext, columns, ns)
    ET.indent(archive)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(archive, encoding="unicode") + "\n"


def _fields(element, columns: tuple[str, ...], ns: str) -> None:
    for i, name in enumerate(columns):
        ET.SubElement(element, ns + "field", {"index": str(i), "term": DWC + name})


def _dataset_metadata(package: CamtrapPackage, lang: str) -> DatasetMetadata:
    meta = package.metadata
    project = meta.get("project") or {}
    defaults = DatasetMetadata()
    # Only a licence GBIF accepts can be declared; a package without one gets the export's default.
    declared = [lic.get("name") for lic in meta.get("licenses") or [] if lic.get("scope", "data") == "data"]
    licence = next((name for name in declared if name in LICENCES), defaults.licence)
    contact = next((c for c in meta.get("contributors") or [] if c.get("role") == "contact"), {})
    return DatasetMetadata(
        title=meta.get("title") or project.get("title") or defaults.title,
        abstract=meta.get("description") or project.get("description") or defaults.abstract,
        licence=licence, contact_name=contact.get("title", ""), contact_email=contact.get("email", ""),
        language=lang, package_id=str(meta.get("id") or project.get("id") or ""))


def _coverage(events: pd.DataFrame, occurrences: pd.DataFrame) -> Coverage:
    """Coverage of the deployments (places, interval) and of the observed taxa."""
    coverage = Coverage()
    places = events.dropna(subset=["decimalLatitude", "decimalLongitude"])
    batch = pa.RecordBatch.from_pydict({
        "decimalLongitude": pa.array(pd.to_numeric(places["decimalLongitude"]).to_numpy(), pa.float64()),
        "decimalLatitude": pa.array(pd.to_numeric(places["decimalLatitude"]).to_numpy(), pa.float64()),
        "eventDate": pa.array(places["eventDate"].astype("string").fillna("").to_numpy(), pa.string()),
        "scientificName": pa.array([None] * len(places), pa.string()),
        "family": pa.array([None] * len(places), pa.string())})
    coverage.add(batch)
    names = occurrences["scientificName"].dropna().unique() if len(occurrences) else []
    for name in sorted(str(n) for n in names if n):
        coverage.taxa.setdefault(name, None)
    return coverage


__all__ = ["write_sampling_event_dwca", "event_table", "occurrence_table", "measurement_table", "meta_xml",
           "animal_observations", "survey_id", "SAMPLE_SIZE_UNIT", "SAMPLING_PROTOCOL"]
