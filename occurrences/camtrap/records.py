"""Which observations of a survey become occurrence records, and their Darwin Core columns.

An observation becomes a record when it is of an animal (``observationType`` animal, no camera setup or
calibration) of a species in our checklist. Event-level observations are used when the package has any (they
carry the count of the whole sequence); a package classified only per image uses its media-level ones. Every
other observation (other taxa, humans, vehicles, blanks) stays survey data only.

Each record: basisOfRecord MachineObservation; eventID the deploymentID; eventDate the event's interval
``start/end`` (the local days; verbatimEventDate has the exact times with the deployment's offset); the
station's coordinates, uncertainty and country; individualCount, sex, lifeStage (sub-adults and juveniles are
"young"), behavior; associatedMedia the links of the event's media (at most MAX_MEDIA_LINKS, ``" | "`` separated,
GBIF's convention). A station that detected a sensitive species makes every one of its records sensitive
(occurrences.camtrap.store).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from ..importers.common import Interchange
from .model import CamtrapPackage

MAX_MEDIA_LINKS = 5
# Camtrap DP's life stages → our form's choices (it has no sub-adult: both younger stages are "young")
LIFE_STAGES = {"adult": "adult", "subadult": "young", "juvenile": "young"}
SECONDS_PER_KEY = 10 ** 10  # deployment number × this + epoch seconds: one sortable key per media timestamp


def checklist_names(names: pd.Series) -> pd.Series:
    """The accepted checklist name of each scientific name (None for names not in the checklist)."""
    from ..taxa import current

    checklist = current()

    def accepted(name):
        try:
            return checklist.get(name).scientific_name
        except KeyError:
            return None

    unique = names.dropna().unique()
    return names.map({n: accepted(n) for n in unique})


def detections(package: CamtrapPackage) -> pd.DataFrame:
    """The observations that become records, with their accepted name (``acceptedName``)."""
    obs = package.observations
    if obs.empty or "scientificName" not in obs:
        return obs.iloc[0:0].assign(acceptedName=pd.Series(dtype=object))
    level = "event" if (obs["observationLevel"] == "event").any() else "media"
    keep = (obs["observationLevel"] == level) & (obs["observationType"] == "animal")
    if "cameraSetupType" in obs:
        keep &= obs["cameraSetupType"].isna()
    chosen = obs[keep.to_numpy()]
    accepted = checklist_names(chosen["scientificName"])
    return chosen.assign(acceptedName=accepted)[accepted.notna().to_numpy()]


def interchange(package: CamtrapPackage, id_prefix: str, deployments: pd.DataFrame | None = None) -> Interchange:
    """The records of ``package`` as Darwin Core text columns; occurrenceID is ``id_prefix:observationID``.
    ``deployments`` (as stored, with ``countryCode``) give each record its station's country: derived once
    per station instead of once per record."""
    found = detections(package)
    n = len(found)
    dep = (deployments if deployments is not None else package.deployments).set_index("deploymentID")
    at = found["deploymentID"]
    offset = at.map(_offset_minutes(dep["timezoneOffset"]))
    offset_text = at.map(dep["timezoneOffset"])
    start = _local(found["eventStart"], offset, offset_text)
    end = _local(found["eventEnd"], offset, offset_text)
    columns = {
        "occurrenceID": id_prefix + ":" + found["observationID"].astype(str),
        "basisOfRecord": pd.Series(["MachineObservation"] * n, index=found.index),
        "scientificName": found["scientificName"],
        "eventID": at,
        # the days of the interval (what the store keeps of a date; few distinct values, so parsing them is
        # cheap), and the exact local times beside them
        "eventDate": start.str[:10] + "/" + end.str[:10],
        "verbatimEventDate": start + "/" + end,
        "decimalLatitude": at.map(dep["latitude"]),
        "decimalLongitude": at.map(dep["longitude"]),
        "coordinateUncertaintyInMeters": (at.map(dep["coordinateUncertainty"]) if "coordinateUncertainty" in dep
                                          else None),
        "individualCount": found["count"] if "count" in found else None,
        "sex": found.get("sex"), "behavior": found.get("behavior"),
        "lifeStage": found["lifeStage"].map(LIFE_STAGES) if "lifeStage" in found else None,
        "countryCode": at.map(dep["countryCode"]) if "countryCode" in dep else None,
        # as camtrapdp's Darwin Core mapping: who set the camera up recorded it, who classified it identified it
        "recordedBy": at.map(dep["setupBy"]) if "setupBy" in dep else None,
        "identifiedBy": found.get("classifiedBy"),
        "occurrenceRemarks": found.get("observationComments"),
        "samplingProtocol": pd.Series(["camera trap"] * n, index=found.index),
        "associatedMedia": _media_links(package, found),
    }
    arrays = {k: _text(v) for k, v in columns.items() if v is not None}
    return Interchange(arrays, n, notes=[])


def _text(series: pd.Series) -> pa.Array:
    """Text for validation, vectorized: numbers as their shortest round-trip text (Arrow's cast, which writes
    187.0 as "187" and keeps every digit of 14.43917), missing values null."""
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        return pa.array(series.astype("float64"), from_pandas=True).cast(pa.large_string())
    return pa.array(series.astype(object), from_pandas=True, type=pa.large_string())


def _offset_minutes(offsets: pd.Series) -> pd.Series:
    parts = offsets.fillna("+00:00").str.extract(r"([+-])(\d{2}):?(\d{2})")
    sign = np.where(parts[0] == "-", -1, 1)
    return pd.Series(sign * (parts[1].astype(int) * 60 + parts[2].astype(int)), index=offsets.index)


def _local(times: pd.Series, minutes: pd.Series, offset_text: pd.Series) -> pd.Series:
    """``YYYY-MM-DDThh:mm:ss±hh:mm`` in the deployment's offset (vectorized through numpy)."""
    local = times.dt.tz_convert(None) + pd.to_timedelta(minutes.to_numpy(), unit="min")
    stamps = np.datetime_as_string(local.to_numpy().astype("datetime64[s]"), unit="s")
    return pd.Series(stamps, index=times.index) + offset_text.fillna("+00:00")


def _media_links(package: CamtrapPackage, found: pd.DataFrame) -> pd.Series:
    """Links of each record's media: its own (a media-level observation) or those the camera took during the
    event (same deployment, timestamp within the event), found by binary search on one sorted key."""
    media = package.media
    if media.empty or found.empty:
        return pd.Series([None] * len(found), index=found.index, dtype=object)
    codes = {d: i for i, d in enumerate(pd.unique(media["deploymentID"]))}
    m_dep = media["deploymentID"].map(codes).to_numpy(np.int64)
    m_key = m_dep * SECONDS_PER_KEY + _seconds(media["timestamp"])
    order = np.argsort(m_key, kind="stable")
    keys, paths = m_key[order], media["filePath"].to_numpy(object)[order]
    f_dep = found["deploymentID"].map(codes).fillna(-1).to_numpy(np.int64)
    lo = np.searchsorted(keys, f_dep * SECONDS_PER_KEY + _seconds(found["eventStart"]), "left")
    hi = np.searchsorted(keys, f_dep * SECONDS_PER_KEY + _seconds(found["eventEnd"]), "right")
    hi = np.where(f_dep < 0, lo, np.minimum(hi, lo + MAX_MEDIA_LINKS))
    own = found["mediaID"].map(media.set_index("mediaID")["filePath"]) if "mediaID" in found else None
    links = [" | ".join(paths[a:b]) or None for a, b in zip(lo.tolist(), hi.tolist())]
    out = pd.Series(links, index=found.index, dtype=object)
    return own.where(own.notna(), out) if own is not None else out


def _seconds(times: pd.Series) -> np.ndarray:
    return times.dt.tz_convert(None).to_numpy().astype("datetime64[s]").astype(np.int64)
