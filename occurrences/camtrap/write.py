"""Camtrap DP 1.0 out: ``datapackage.json`` plus ``deployments.csv``, ``media.csv`` and ``observations.csv``, in a
folder or a zip.

The three CSVs carry exactly the fields of the official table schemas, in their order (a Frictionless table is
checked label by label against its schema, so a missing, extra or moved column fails validation): columns the
package lacks are written empty, columns Camtrap DP 1.0 does not define are left out. Timestamps keep the
offset the package gives them (``2020-05-30T04:57:37+02:00``). Text is written as it is, without the
spreadsheet formula guard of the CSV export: a Camtrap DP package is an interchange file whose values must
round-trip exactly, and its readers are data tools, not spreadsheets. Malfunction intervals, which Camtrap DP
1.0 has no field for, go into ``deploymentTags`` as ``malfunction:START/END`` (the convention the project's
Camtrap DP reader reads back).

The package metadata the profile requires but the survey may not declare is measured on the tables: spatial
(always: the bounding box of the deployments as given, so of generalised coordinates when the store generalised
them, whatever the metadata declares), temporal (first and last deployment day), taxonomic (the observed
scientific names), and the project's captureMethod, observationLevel and individualAnimals. A survey that declares no samplingDesign is written as
``opportunistic``, the design that claims nothing.
"""
from __future__ import annotations

import copy
import json
import re
import tempfile
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .schema import TABLES as FIELD_DEFINITIONS
from .model import CAMTRAP_DP_VERSION, PROFILE_URL, CamtrapPackage

SCHEMA_URL = "https://raw.githubusercontent.com/tdwg/camtrap-dp/{version}/{name}-table-schema.json"

# Field names and types of the Camtrap DP 1.0 tables, in the standard's order: the reader's definitions
# (.schema), so reading and writing cannot drift apart.
DEPLOYMENT_FIELDS = {f.name: f.type for f in FIELD_DEFINITIONS["deployments"]}
MEDIA_FIELDS = {f.name: f.type for f in FIELD_DEFINITIONS["media"]}
OBSERVATION_FIELDS = {f.name: f.type for f in FIELD_DEFINITIONS["observations"]}
# Keys the store adds to a survey's metadata for its own pages (who imported it, when, from which file): people
# and bookkeeping, not part of the published package.
STORE_KEYS = ("resources", "surveys", "submittedBy", "imported", "source")
TABLES = {"deployments": DEPLOYMENT_FIELDS, "media": MEDIA_FIELDS, "observations": OBSERVATION_FIELDS}


def write_camtrap_dp(package: CamtrapPackage, dest: Path) -> Path:
    """Write ``package`` as a Camtrap DP 1.0 data package: a folder at ``dest``, or a zip when ``dest`` ends in
    ``.zip`` (the files at the zip's root). Returns ``dest``."""
    dest = Path(dest)
    if dest.suffix.lower() != ".zip":
        _write_folder(package, dest)
        return dest
    with tempfile.TemporaryDirectory() as tmp:
        folder = _write_folder(package, Path(tmp) / "package")
        with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in sorted(folder.iterdir()):
                zf.write(path, path.name)
    return dest


def _write_folder(package: CamtrapPackage, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    frames = {"deployments": with_malfunction_tags(package.deployments, package.malfunctions),
              "media": with_withheld_paths(package.media), "observations": package.observations}
    offsets = deployment_offsets(package.deployments)
    for name, fields in TABLES.items():
        local = None if offsets is None else frames[name]["deploymentID"].map(offsets)
        table_frame(frames[name], fields, local).to_csv(folder / f"{name}.csv", index=False, encoding="utf-8",
                                                 lineterminator="\n")
    (folder / "datapackage.json").write_text(
        json.dumps(descriptor(package), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return folder


# -- tables -----------------------------------------------------------------------------------------------
MALFUNCTION_TAG = re.compile(r"\s*malfunction:[^|]*")


def with_malfunction_tags(deployments: pd.DataFrame, malfunctions: pd.DataFrame | None) -> pd.DataFrame:
    """Camtrap DP 1.0 has no field for the intervals a camera was not working; the project writes each as a
    ``malfunction:START/END`` tag in ``deploymentTags`` (what the Camtrap DP reader takes back), replacing any
    such tags already there so the package's own intervals are the only ones."""
    tags = deployments["deploymentTags"] if "deploymentTags" in deployments.columns else \
        pd.Series([None] * len(deployments), index=deployments.index, dtype="object")
    kept = tags.astype("string").str.split("|").map(
        lambda parts: [] if not isinstance(parts, list) else
        [p.strip() for p in parts if p.strip() and not MALFUNCTION_TAG.fullmatch(p)])
    if malfunctions is not None and not malfunctions.empty:
        m = malfunctions.assign(tag="malfunction:" + format_timestamps(malfunctions["start"]) + "/"
                                + format_timestamps(malfunctions["end"]))
        extra = m.groupby("deploymentID")["tag"].agg(list)
        kept = kept + deployments["deploymentID"].map(extra).map(lambda v: v if isinstance(v, list) else [])
    joined = kept.map(lambda parts: " | ".join(parts) if parts else None)
    return deployments.assign(deploymentTags=joined.to_numpy())


def with_withheld_paths(media: pd.DataFrame) -> pd.DataFrame:
    """Media whose file the store withheld from this reader (a sensitive species' picture: empty filePath) get
    the relative path ``withheld/<mediaID>``, which is not in the package, and filePublic false: Camtrap DP
    requires a path, and this one says what happened without pointing anywhere."""
    if "filePath" not in media.columns:
        return media
    path = media["filePath"].astype("string")
    missing = (path.isna() | (path.str.strip() == "")).to_numpy()
    if not missing.any():
        return media
    media = media.copy()
    media.loc[missing, "filePath"] = "withheld/" + media.loc[missing, "mediaID"].astype(str)
    media["filePublic"] = media["filePublic"].astype(object) if "filePublic" in media else None
    media.loc[missing, "filePublic"] = False
    return media


def table_frame(frame: pd.DataFrame, fields: dict[str, str], offsets: pd.Series | None = None) -> pd.DataFrame:
    """``frame`` as the text cells of a Camtrap DP table: every schema field in order, missing ones empty.
    ``offsets``: per row, the UTC offset (``+07:00``) its timestamps are written in, or None to keep theirs."""
    out = {}
    for name, kind in fields.items():
        column = frame[name] if name in frame.columns else pd.Series([None] * len(frame), index=frame.index)
        if kind == "datetime" and offsets is not None:
            out[name] = format_local(column, offsets)
        else:
            out[name] = _cells(column, kind)
    return pd.DataFrame(out, index=frame.index)


def deployment_offsets(deployments: pd.DataFrame) -> pd.Series | None:
    """deploymentID → the UTC offset the survey's source gave (``timezoneOffset``, which the Camtrap DP reader
    and the store keep while holding timestamps in UTC), so local times are written again; None without it."""
    if "timezoneOffset" not in deployments.columns:
        return None
    offsets = deployments.set_index("deploymentID")["timezoneOffset"].astype("string")
    offsets = offsets[offsets.str.fullmatch(r"[+-]\d{2}:\d{2}").fillna(False)]
    return None if offsets.empty else offsets


def format_local(column: pd.Series, offsets: pd.Series) -> pd.Series:
    """Timestamps written at each row's offset (the same instants); rows without one keep their own."""
    present = column.notna() & offsets.notna()
    out = pd.Series("", index=column.index, dtype=object)
    if (~present).any():
        out[~present] = format_timestamps(column[~present])
    for offset in offsets[present].unique():
        rows = present & (offsets == offset)
        sign = 1 if offset[0] == "+" else -1
        zone = timezone(sign * timedelta(hours=int(offset[1:3]), minutes=int(offset[4:6])))
        out[rows] = format_timestamps(pd.to_datetime(column[rows], utc=True).dt.tz_convert(zone))
    return out


def _cells(column: pd.Series, kind: str) -> pd.Series:
    if kind == "datetime":
        return format_timestamps(column)
    if kind == "boolean":
        return _booleans(column)
    if kind == "integer":
        return pd.to_numeric(column, errors="coerce").round().astype("Int64").astype("string").fillna("")
    if kind == "number":
        numbers = pd.to_numeric(column, errors="coerce").astype("float64")
        return numbers.astype(str).where(numbers.notna(), "")  # shortest repr: 14.4381, 0.4
    return column.astype("string").fillna("")


def _booleans(column: pd.Series) -> pd.Series:
    if pd.api.types.is_bool_dtype(column) and not column.isna().any():
        return pd.Series(np.where(column.to_numpy(dtype=bool), "true", "false"), index=column.index)
    text = column.astype("string").str.strip().str.lower()
    return text.map({"true": "true", "false": "false", "1": "true", "0": "false"}).fillna("").astype(object)


def format_timestamps(column: pd.Series) -> pd.Series:
    """ISO 8601 with the offset each value carries (``+07:00``; UTC as ``Z``), seconds precision; empty for
    missing. A column of one zone is formatted vectorized (wall-clock text by pyarrow, the few distinct offsets
    looked up once); mixed offsets (object dtype) value by value."""
    if not isinstance(column.dtype, pd.DatetimeTZDtype):
        return column.map(_one_timestamp)
    wall = column.dt.tz_localize(None)
    minutes = (wall - column.dt.tz_convert("UTC").dt.tz_localize(None)) / pd.Timedelta(minutes=1)
    offsets = {m: _offset_text(m) for m in minutes.dropna().unique()}
    text = pc.strftime(pa.array(wall.dt.floor("s").to_numpy(dtype="datetime64[s]"), pa.timestamp("s")),
                       format="%Y-%m-%dT%H:%M:%S")
    offset_text = minutes.map(offsets).astype(object).where(minutes.notna(), "")
    out = pd.Series(text.to_numpy(zero_copy_only=False), index=column.index, dtype=object) + offset_text
    return out.where(column.notna(), "")


def _offset_text(minutes: float) -> str:
    if minutes == 0:
        return "Z"
    sign, minutes = ("+" if minutes > 0 else "-"), abs(int(minutes))
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def _one_timestamp(value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    stamp = pd.Timestamp(value)
    if stamp.tzinfo is None:  # the model promises tz-aware values; never invent an offset
        raise ValueError(f"timestamp without offset: {value!r}")
    text = stamp.isoformat(timespec="seconds")
    return text[:-6] + "Z" if text.endswith("+00:00") else text


# -- datapackage.json -------------------------------------------------------------------------------------
def descriptor(package: CamtrapPackage) -> dict:
    """``datapackage.json``: the package's metadata, completed where the profile requires what it lacks."""
    meta = copy.deepcopy(package.metadata)
    for key in STORE_KEYS:
        meta.pop(key, None)
    meta["profile"] = PROFILE_URL
    meta.setdefault("created", datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"))
    meta.setdefault("contributors", [])
    meta["project"] = _project(package, meta.get("project") or {}, meta.get("title"))
    # Always measured on the deployments as given, never taken from the metadata: for a reader who may not see
    # a sensitive species the deployments are generalised, and a declared bounding box could be precise.
    meta["spatial"] = _spatial(package.deployments)
    if not meta.get("temporal"):
        meta["temporal"] = _temporal(package.deployments)
    if not meta.get("taxonomic"):
        meta["taxonomic"] = [{"scientificName": n} for n in _observed_names(package.observations)]
    meta["resources"] = [_resource(name) for name in TABLES]
    return meta


def _resource(name: str) -> dict:
    return {"name": name, "path": f"{name}.csv", "profile": "tabular-data-resource", "format": "csv",
            "mediatype": "text/csv", "encoding": "utf-8",
            "schema": SCHEMA_URL.format(version=CAMTRAP_DP_VERSION, name=name)}


def _project(package: CamtrapPackage, project: dict, title: str | None) -> dict:
    project = dict(project)
    project.setdefault("title", title or "Camera-trap survey")
    project.setdefault("samplingDesign", "opportunistic")
    if not project.get("captureMethod"):
        methods = _unique(package.media, "captureMethod", {"activityDetection", "timeLapse"})
        project["captureMethod"] = methods or ["activityDetection"]
    if not project.get("observationLevel"):
        project["observationLevel"] = _unique(package.observations, "observationLevel", {"media", "event"}) \
            or ["event"]
    if "individualAnimals" not in project:
        ids = package.observations.get("individualID")
        project["individualAnimals"] = bool(ids is not None and ids.notna().any() and (ids.astype(str) != "").any())
    return project


def _unique(frame: pd.DataFrame, column: str, allowed: set[str]) -> list[str]:
    if column not in frame.columns:
        return []
    return sorted(set(frame[column].dropna().astype(str)) & allowed)


def _spatial(deployments: pd.DataFrame) -> dict:
    lat = pd.to_numeric(deployments["latitude"], errors="coerce").dropna()
    lon = pd.to_numeric(deployments["longitude"], errors="coerce").dropna()
    if lat.empty or lon.empty:
        return {"type": "Polygon", "coordinates": []}
    w, e, s, n = float(lon.min()), float(lon.max()), float(lat.min()), float(lat.max())
    return {"type": "Polygon", "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]]}


def _temporal(deployments: pd.DataFrame) -> dict:
    # The calendar day at the deployment's own offset (the day the field team wrote down).
    start = format_timestamps(deployments["deploymentStart"]).str.slice(0, 10)
    end = format_timestamps(deployments["deploymentEnd"]).str.slice(0, 10)
    start, end = start[start != ""], end[end != ""]
    return {"start": start.min() if len(start) else None, "end": end.max() if len(end) else None}


def _observed_names(observations: pd.DataFrame) -> list[str]:
    if "scientificName" not in observations.columns:
        return []
    names = observations["scientificName"].dropna().astype(str)
    return sorted(set(names[names != ""]))


__all__ = ["write_camtrap_dp", "descriptor", "table_frame", "format_timestamps", "TABLES",
           "DEPLOYMENT_FIELDS", "MEDIA_FIELDS", "OBSERVATION_FIELDS"]
