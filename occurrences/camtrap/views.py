"""Surveys as plain dicts for the CLI, the JSON API and the pages (one shape for all three)."""
from __future__ import annotations

import pandas as pd

from .effort import THRESHOLD, detection_rates
from .store import SurveyNotFound, load_effort, survey_summaries

DEPLOYMENT_FIELDS = ("deploymentID", "locationID", "locationName", "latitude", "longitude", "coordinateUncertainty",
                     "deploymentStart", "deploymentEnd", "timezoneOffset", "cameraDays", "setupBy", "cameraModel",
                     "cameraHeight", "baitUse", "featureType", "habitat", "countryCode", "stateProvince")


def survey_detail(store, survey_id: str, *, access: str) -> dict:
    """A survey's metadata summary and its deployments (generalised for ``access``) with detection counts."""
    surveys, dep, counts = survey_summaries(store, access=access, survey_ids=[survey_id])
    if surveys.empty:
        raise SurveyNotFound(id=survey_id)
    per_deployment = counts.groupby("deploymentID")["n"].sum()
    rows = []
    for d in dep.to_dict("records"):
        row = {k: _plain(d.get(k)) for k in DEPLOYMENT_FIELDS}
        row["cameraDays"] = None if row["cameraDays"] is None else round(row["cameraDays"], 2)
        row["detections"] = int(per_deployment.get(d["deploymentID"], 0))
        rows.append(row)
    title = surveys["title"].iloc[0]
    return {"id": survey_id, "title": title or survey_id, "deployments": rows,
            "cameraDays": round(sum(r["cameraDays"] or 0 for r in rows), 2),
            "detections": sum(r["detections"] for r in rows),
            "species": sorted(counts["scientificName"].dropna().unique().tolist())}


def _plain(value):
    """JSON-ready: timestamps as ISO text, missing values as None, numpy scalars as Python numbers."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    return value


def effort_rows(package, *, by: str = "deployment", minutes: float = 30, species: str | None = None) -> list[dict]:
    """Detection rates as plain rows (``occurrences effort``, ``GET /effort``)."""
    rates = detection_rates(package, by=by, threshold=pd.Timedelta(minutes=minutes), species=species)
    return [{k: _plain(v) for k, v in row.items()} for row in rates.to_dict("records")]


def store_effort(store, *, access: str, by: str = "deployment", minutes: float = 30,
                 species: str | None = None) -> list[dict]:
    return effort_rows(load_effort(store, access=access, species=species), by=by, minutes=minutes,
                       species=species)


def species_effort(store, name: str, *, access: str) -> dict | None:
    """The species page's camera-trap section: each station that detected ``name``, or whose survey looked for
    it (declared taxonomic scope) and did not, with its rate per 100 camera-days; None without any."""
    package = load_effort(store, access=access, species=name)
    if package.deployments.empty:
        return None
    rates = detection_rates(package, threshold=THRESHOLD, species=name)
    if rates.empty:
        return None
    dep = package.deployments[["surveyID", "deploymentID", "latitude", "longitude", "locationName",
                               "countryCode"]]
    rows = rates.merge(dep, on=["surveyID", "deploymentID"], how="left")
    stations = [{k: _plain(r[k]) for k in ("surveyID", "deploymentID", "latitude", "longitude", "locationName",
                                             "countryCode", "detections", "cameraDays", "ratePer100CameraDays",
                                             "detected")} for r in rows.to_dict("records")]
    # The overall rate divides by every camera-day of the surveys listed, as --by survey does: a survey without a
    # declared scope lists only the stations that saw the species, and their effort alone would inflate it.
    surveys = package.deployments[package.deployments["surveyID"].isin(rows["surveyID"].unique())]
    days = float(surveys["cameraDays"].sum())
    detections = int(rows["detections"].sum())
    return {"stations": stations, "detections": detections, "cameraDays": round(days, 2),
            "ratePer100CameraDays": round(detections / days * 100, 3) if days else None,
            "nonDetections": int((~rows["detected"]).sum())}
