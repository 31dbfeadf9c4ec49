"""Surveys in the store: saved with their occurrence records in one transaction, read back as
:class:`CamtrapPackage` already generalised for the reader.

Sensitive stations: a deployment's level is the strictest level (occurrences.sensitivity, the records' rules)
of the checklist species detected there, raised to the strictest level of any deployment at the same location
(same ``locationID``, or the same coordinates): otherwise a second deployment at the same post would show the
point the first one hides. Every record made at such a deployment is stored with that level as its own
sensitivity, so a common species' record cannot give the station away either. Readers without precise access
see such a deployment like a sensitive record: the point moved to its grid cell's centre (or withheld), the
uncertainty widened to the cell, location names, habitat, tags and comments withheld, its media without links,
file names or EXIF (pictures may carry GPS tags), and its province that of the cell's centre (none when
withheld): the stored one, found from the precise point, would tell near a border which side the station is on.
"""
from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from .. import sensitivity as SENS
from ..errors import ImportRejected, OccurrencesError
from ..i18n import N_
from ..records import now_iso
from ..store import access as A
from . import tables as T
from .effort import camera_days
from .model import CamtrapPackage
from .records import detections, interchange
from .schema import TABLES as FIELDS

WITHHELD_DEPLOYMENT_FIELDS = ("locationID", "locationName", "habitat", "deploymentTags", "deploymentComments",
                              "deploymentGroups")
WITHHELD_MEDIA_FIELDS = ("filePath", "fileName", "exifData", "mediaComments")
_DATETIMES = {t: [f.name for f in fields if f.type == "datetime"] for t, fields in FIELDS.items()}
_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$")


class SurveyExists(OccurrencesError):
    code = "survey-exists"
    status = 409
    template = N_("A survey with id {id} is already stored. Give the package another id in datapackage.json, or "
                  "leave it out to have one made.")


class SurveyNotFound(OccurrencesError):
    code = "survey-not-found"
    status = 404
    template = N_("No survey with id {id}. List the surveys with GET /surveys.")


@dataclass
class SurveyResult:
    survey_id: str
    imported: object  # ingest.ImportResult of the occurrence records
    deployments: int
    observations: int
    records: int

    @property
    def report(self):
        return self.imported.report

    def __getattr__(self, name):  # stored, skipped, conflicts, language... as for any import
        return getattr(self.__dict__["imported"], name)


# -- writing --------------------------------------------------------------------------------------------------
def save_survey(store, package: CamtrapPackage, *, source: str, submitted_by: str, access: str = "public",
                dry_run: bool = False, **store_options) -> SurveyResult:
    """Store the survey and create its occurrence records (``importers.common.import_interchange``): all or
    nothing. Raises ImportRejected when a record fails validation, SurveyExists for a second import."""
    from ..importers.common import import_interchange

    survey_id = _survey_id(package)
    if _exists(store, survey_id):
        raise SurveyExists(id=survey_id)
    deployments = deployment_rows(package, survey_id)
    found = detections(package)
    level = found["deploymentID"].map(deployments.set_index("deploymentID")["sensitivity"]).astype("int64")
    data = interchange(package, survey_id, deployments)
    rows = _table_rows(package, survey_id, deployments, submitted_by, source, found)

    def write(conn):
        for table, frame in rows.items():
            names = [c for c in frame if frame[c].notna().any()]  # empty columns are NULL by default
            if names:
                store.write_rows(conn, table, names, [_values(table, frame[c]) for c in names])

    try:
        result = import_interchange(store, data, source, submitted_by=submitted_by, access=access, dry_run=dry_run,
                                    stored_columns={"sensitivity": level.tolist()}, also=write, **store_options)
    except ImportRejected as exc:
        raise _in_observation_rows(exc, found, package, source) from None
    return SurveyResult(survey_id, result, len(deployments), len(package.observations), data.n)


def _in_observation_rows(exc: ImportRejected, found: pd.DataFrame, package: CamtrapPackage, source: str):
    """The report of the records, renumbered to the rows of observations.csv they came from."""
    rows = found.index.to_numpy() + 2  # observations are numbered from 0; the file's first data row is 2
    for r in exc.report.rows:
        r.row = int(rows[r.row - 2])
    exc.report.source = f"{source} (observations.csv)"
    return exc


def _survey_id(package: CamtrapPackage) -> str:
    """The package's ``id`` when it is a plain identifier; else one derived from it (a DOI or URL), or from the
    package's name, creation time and deployments: the same package always gets the same id, so importing it
    again is refused (SurveyExists) instead of doubling its records."""
    given = package.metadata.get("id")
    if isinstance(given, str) and _SAFE_ID.match(given):
        return given
    if not isinstance(given, str) or not given.strip():
        given = json.dumps([package.metadata.get("name"), package.metadata.get("created"),
                            sorted(package.deployments["deploymentID"].astype(str))], default=str)
    return uuid.uuid5(uuid.NAMESPACE_URL, given).hex


def _exists(store, survey_id: str) -> bool:
    _, rows = store.fetch(T.exists_sql(store.dialect.placeholder), [survey_id])
    return bool(rows)


def deployment_rows(package: CamtrapPackage, survey_id: str) -> pd.DataFrame:
    """Deployments with effort, place, sensitivity level and public point, as stored."""
    dep = package.deployments.copy()
    dep["surveyID"] = survey_id
    dep["cameraDays"] = camera_days(dep, package.malfunctions).reindex(dep["deploymentID"]).to_numpy()
    dep["countryCode"], dep["stateProvince"] = _places(dep["longitude"].to_numpy(float), dep["latitude"].to_numpy(float))
    dep["sensitivity"] = _levels(package, dep)
    unc = dep["coordinateUncertainty"].astype("float64") if "coordinateUncertainty" in dep else np.full(len(dep), np.nan)
    public = SENS.public_columns(dep["latitude"], dep["longitude"], unc, [None] * len(dep), [None] * len(dep),
                                 dep["sensitivity"].to_numpy())
    dep["publicLatitude"], dep["publicLongitude"] = public["_pub_lat"], public["_pub_lon"]
    dep["publicUncertainty"] = public["_pub_uncertainty"]
    return dep


def _levels(package: CamtrapPackage, dep: pd.DataFrame) -> np.ndarray:
    found = detections(package)
    names = found["acceptedName"]
    per_obs = pd.Series(SENS.species_levels(names.tolist()) if len(names) else [], index=found.index, dtype="int64")
    level = per_obs.groupby(found["deploymentID"]).max().reindex(dep["deploymentID"]).fillna(0).astype("int64")
    place = dep["locationID"].where(dep["locationID"].notna(), None) if "locationID" in dep else None
    point = dep["latitude"].round(6).astype(str) + "," + dep["longitude"].round(6).astype(str)
    level = pd.Series(level.to_numpy(), index=dep.index)
    for key in (point, place):
        if key is not None:
            level = np.maximum(level, level.groupby(key.fillna("")).transform("max").where(key.notna(), level))
    return level.to_numpy(np.int64)


def _places(lon: np.ndarray, lat: np.ndarray) -> tuple[list, list]:
    """Country (ISO code) and province (name) containing each station, from the boundaries records use."""
    from ..errors import FileProblem
    from ..quality import load_boundaries

    n = len(lon)
    try:
        b = load_boundaries()
    except (FileProblem, OSError):
        return [None] * n, [None] * n
    located = b.locate(lon, lat)
    countries = [b.codes[i] if i >= 0 else None for i in located]
    provinces = [None] * n
    p = b.provinces
    if p is not None and len(p):
        import shapely

        tree = shapely.STRtree(p.geometries)
        points, polys = tree.query(shapely.points(lon, lat), predicate="intersects")
        for i, j in zip(points.tolist(), polys.tolist()):
            provinces[i] = provinces[i] or str(p.names[j])
    return countries, provinces


def _table_rows(package, survey_id, deployments, submitted_by, source, found) -> dict[str, pd.DataFrame]:
    meta = package.metadata
    survey = pd.DataFrame([{"id": survey_id, "title": meta.get("title") or meta.get("name") or survey_id,
                            "metadata": json.dumps(meta, ensure_ascii=False, default=str),
                            "taxonomicScope": json.dumps(package.taxonomic_scope, ensure_ascii=False),
                            "source": source, "submittedBy": submitted_by, "created": now_iso()}])
    obs = package.observations.assign(surveyID=survey_id)
    occurrence = pd.Series(survey_id + ":" + found["observationID"].astype(str), index=found.index)
    obs["occurrenceID"] = occurrence.reindex(obs.index)
    malfunctions = package.malfunctions.assign(surveyID=survey_id)
    frames = {T.SURVEY: survey, T.DEPLOYMENT: deployments, T.MEDIA_TABLE: package.media.assign(surveyID=survey_id),
              T.OBSERVATION: obs, T.MALFUNCTION: malfunctions}
    return {t: f.reindex(columns=list(T.columns(t))) for t, f in frames.items()}


def _values(table: str, column: pd.Series) -> list:
    """A column as the store takes it: ISO UTC text for timestamps, 0/1 for booleans, None for missing."""
    kind = T.kinds(table)[column.name]
    if isinstance(column.dtype, pd.DatetimeTZDtype):
        text = np.datetime_as_string(column.dt.tz_convert(None).to_numpy().astype("datetime64[s]"), unit="s")
        return [None if m else t + "Z" for t, m in zip(text.tolist(), column.isna().tolist())]
    if kind == "integer":
        return pa.array(column.astype("Int64"), from_pandas=True).to_pylist()
    if kind == "real":
        return pa.array(column.astype("float64"), from_pandas=True).to_pylist()
    return pa.array(column.astype(object), from_pandas=True).to_pylist()


# -- reading --------------------------------------------------------------------------------------------------
def _frame(store, table: str, survey_ids: list[str] | None) -> pd.DataFrame:
    names, rows = store.fetch(*T.select_sql(table, store.dialect.placeholder, survey_ids))
    frame = pd.DataFrame.from_records(rows, columns=names)
    base = {T.DEPLOYMENT: "deployments", T.MEDIA_TABLE: "media", T.OBSERVATION: "observations"}.get(table)
    times = _DATETIMES.get(base, []) if base else (["start", "end"] if table == T.MALFUNCTION else [])
    for name in times:
        frame[name] = pd.to_datetime(frame[name], utc=True, format="ISO8601")
    for f in FIELDS.get(base, ()):
        if f.type == "boolean":
            frame[f.name] = frame[f.name].astype("boolean")
        elif f.type == "integer":
            frame[f.name] = frame[f.name].astype("Int64")
    return frame


def load_surveys(store, *, access: str, survey_ids=None) -> CamtrapPackage:
    """Every stored survey (or those listed), tables concatenated with a ``surveyID`` column; deployments carry
    ``cameraDays``, ``countryCode`` and ``stateProvince``. Generalised for ``access`` (see the module doc)."""
    ids = None if survey_ids is None else list(survey_ids)
    surveys = _frame(store, T.SURVEY, ids)
    dep = _frame(store, T.DEPLOYMENT, ids)
    media = _frame(store, T.MEDIA_TABLE, ids)
    obs = _frame(store, T.OBSERVATION, ids)
    malfunctions = _frame(store, T.MALFUNCTION, ids)
    dep, media, obs = generalised(dep, media, obs, _precise_surveys(surveys, access))
    metadata = {"surveys": [{**json.loads(r["metadata"] or "{}"), "id": r["id"], "title": r["title"],
                             "submittedBy": r["submittedBy"], "imported": r["created"], "source": r["source"]}
                            for r in surveys.to_dict("records")]}
    if len(surveys) == 1:  # one survey: its own metadata as well
        metadata = {**json.loads(surveys["metadata"].iloc[0] or "{}"), **metadata, "id": surveys["id"].iloc[0]}
    return CamtrapPackage(metadata, dep, media, obs, malfunctions)


def _stations(store, access: str, ids: list[str] | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The surveys and their deployments, generalised for ``access``, without media or observations."""
    surveys = _frame(store, T.SURVEY, ids)
    dep, _media, _obs = generalised(_frame(store, T.DEPLOYMENT, ids),
                                    pd.DataFrame(columns=["surveyID", "deploymentID"]), None,
                                    _precise_surveys(surveys, access))
    return surveys, dep


def load_effort(store, *, access: str, species: str | None = None) -> CamtrapPackage:
    """What detection rates need and nothing more: every survey's metadata and deployments (generalised for
    ``access``, with ``cameraDays``) and the animal observations (of ``species`` only, when given), no media."""
    surveys, dep = _stations(store, access, None)
    names, rows = store.fetch(*T.effort_observations_sql(store.dialect.placeholder, species))
    obs = pd.DataFrame.from_records(rows, columns=names).assign(observationType="animal")
    # stored as ISO 8601 UTC text of one shape: parsed here with that format, not guessed row by row
    obs["eventStart"] = pd.to_datetime(obs["eventStart"], utc=True, format="ISO8601")
    if species is not None:
        obs = _level_of_all_species(store, obs)
    metadata = {"surveys": [{**json.loads(r["metadata"] or "{}"), "id": r["id"], "title": r["title"]}
                            for r in surveys.to_dict("records")]}
    return CamtrapPackage(metadata, dep, pd.DataFrame(), obs)


def _level_of_all_species(store, obs: pd.DataFrame) -> pd.DataFrame:
    """One species' rows at the level effort counts for every species: a deployment's media-level rows are
    left out where it has event-level observations of any species (effort.animal_records), not only of this
    one, so that asking for one species gives its rows of the all-species answer."""
    media = (obs["observationLevel"] != "event").to_numpy()
    if not media.any():
        return obs
    _names, rows = store.fetch(*T.event_level_deployments_sql(store.dialect.placeholder))
    if not rows:
        return obs
    with_events = pd.MultiIndex.from_tuples([tuple(r) for r in rows])
    at = pd.MultiIndex.from_frame(obs[["surveyID", "deploymentID"]]).isin(with_events)
    return obs[~(media & at)]


def survey_summaries(store, *, access: str, survey_ids=None) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(surveys, deployments generalised for ``access``, records made per surveyID × deploymentID ×
    scientificName as ``n``): what the survey list and pages show, without reading media or observations."""
    ids = None if survey_ids is None else list(survey_ids)
    surveys, dep = _stations(store, access, ids)
    names, rows = store.fetch(*T.record_counts_sql(store.dialect.placeholder, ids))
    counts = pd.DataFrame.from_records(rows, columns=names)
    counts["n"] = counts["n"].astype("int64")
    return surveys, dep, counts


def load_survey(store, survey_id: str, *, access: str) -> CamtrapPackage:
    package = load_surveys(store, access=access, survey_ids=[survey_id])
    if not package.metadata.get("id"):
        raise SurveyNotFound(id=survey_id)
    return package


def _precise_surveys(surveys: pd.DataFrame, access: str) -> set[str]:
    """The surveys whose stations ``access`` sees precisely: all for reviewers, their own for a submitter."""
    kind, user = A.parse_access(access)
    if kind == A.FULL:
        return set(surveys["id"])
    if kind == A.OWN:
        return set(surveys.loc[surveys["submittedBy"] == user, "id"])
    return set()


def generalised(dep: pd.DataFrame, media: pd.DataFrame, obs: pd.DataFrame, precise: set[str]):
    """Deployments, media and observations as a reader sees them who sees ``precise`` surveys precisely."""
    hide = (dep["sensitivity"].fillna(0).astype(int) > SENS.NONE) & ~dep["surveyID"].isin(precise)
    dep = dep.copy()
    if hide.any():
        dep.loc[hide, "latitude"] = dep.loc[hide, "publicLatitude"]
        dep.loc[hide, "longitude"] = dep.loc[hide, "publicLongitude"]
        dep["coordinateUncertainty"] = dep["coordinateUncertainty"].astype("Float64")
        dep.loc[hide, "coordinateUncertainty"] = dep.loc[hide, "publicUncertainty"]
        dep["coordinateUncertainty"] = dep["coordinateUncertainty"].round().astype("Int64")
        for name in WITHHELD_DEPLOYMENT_FIELDS:
            dep.loc[hide, name] = None
        dep.loc[hide, "stateProvince"] = _public_provinces(dep.loc[hide])
    if hide.any() and len(media):
        hidden = pd.MultiIndex.from_frame(dep.loc[hide, ["surveyID", "deploymentID"]])
        in_hidden = pd.MultiIndex.from_frame(media[["surveyID", "deploymentID"]]).isin(hidden)
        media = media.copy()
        for name in WITHHELD_MEDIA_FIELDS:
            media.loc[in_hidden, name] = None
    dep = dep.drop(columns=["publicLatitude", "publicLongitude", "publicUncertainty"])
    return dep, media, obs


def _public_provinces(hidden: pd.DataFrame) -> list:
    """The province of each hidden station's public point (its cell's centre; none when withheld). The stored
    one was found from the precise point: near a border it would say which side of it the station stands on."""
    _countries, provinces = _places(pd.to_numeric(hidden["longitude"]).to_numpy(float),
                                    pd.to_numeric(hidden["latitude"]).to_numpy(float))
    return provinces


def list_surveys(store, *, access: str) -> list[dict]:
    """One summary per survey: id, title, submittedBy, created, deployments, cameraDays, detections (records
    made), first and last day, and the stations' points as ``access`` may see them."""
    surveys, dep, counts = survey_summaries(store, access=access)
    made = counts.groupby("surveyID")["n"].sum()
    out = []
    for s in surveys.to_dict("records"):
        d = dep[dep["surveyID"] == s["id"]]
        out.append({"id": s["id"], "title": s.get("title") or s["id"], "submittedBy": s.get("submittedBy"),
                    "imported": s.get("created"), "deployments": len(d),
                    "cameraDays": round(float(d["cameraDays"].sum()), 2),
                    "detections": int(made.get(s["id"], 0)),
                    "start": _day(d["deploymentStart"].min()), "end": _day(d["deploymentEnd"].max()),
                    "stations": [[lon, lat] for lon, lat in zip(d["longitude"], d["latitude"])
                                 if pd.notna(lon) and pd.notna(lat)]})
    return out


def _day(value) -> str | None:
    return None if pd.isna(value) else value.date().isoformat()


__all__ = ["save_survey", "load_survey", "load_surveys", "list_surveys", "SurveyResult", "SurveyExists",
           "SurveyNotFound"]
