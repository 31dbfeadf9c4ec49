"""Surveys as plain dicts for the CLI, the JSON API and the pages (one shape for all three)."""
from __future__ import annotations

import pandas as pd

from .store import load_survey

DEPLOYMENT_FIELDS = ("deploymentID", "locationID", "locationName", "latitude", "longitude", "coordinateUncertainty",
                     "deploymentStart", "deploymentEnd", "timezoneOffset", "cameraDays", "setupBy", "cameraModel",
                     "cameraHeight", "baitUse", "featureType", "habitat", "countryCode", "stateProvince")


def survey_detail(store, survey_id: str, *, access: str) -> dict:
    """A survey's metadata summary and its deployments (generalised for ``access``) with detection counts."""
    package = load_survey(store, survey_id, access=access)
    dep, obs = package.deployments, package.observations
    counts = obs[obs["occurrenceID"].notna()].groupby("deploymentID").size()
    rows = []
    for d in dep.to_dict("records"):
        row = {k: _plain(d.get(k)) for k in DEPLOYMENT_FIELDS}
        row["cameraDays"] = None if row["cameraDays"] is None else round(row["cameraDays"], 2)
        row["detections"] = int(counts.get(d["deploymentID"], 0))
        rows.append(row)
    meta = package.metadata
    return {"id": meta["id"], "title": meta.get("title") or meta["id"], "deployments": rows,
            "cameraDays": round(sum(r["cameraDays"] or 0 for r in rows), 2),
            "detections": sum(r["detections"] for r in rows),
            "species": sorted(obs.loc[obs["occurrenceID"].notna(), "scientificName"].dropna().unique().tolist())}


def _plain(value):
    """JSON-ready: timestamps as ISO text, missing values as None, numpy scalars as Python numbers."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    return value
