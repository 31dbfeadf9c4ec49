"""Wildlife Insights in: a project's bulk download (``projects.csv``, ``cameras.csv``, ``deployments.csv``,
``images.csv``; a zip, possibly with the four files in one folder inside, or a folder) read into the
:class:`~occurrences.camtrap.model.CamtrapPackage` every other camera-trap module takes.

Columns. The column names are those of Wildlife Insights' bulk downloads, which follow its Batch Upload Template
data dictionaries (linked from github.com/ConservationInternational/Wildlife-Insights----Data-Migration), as
read by the wiutils package (github.com/PEM-Humboldt/wiutils, ``docs/guide/reading.md``) and checked against two
real downloads (wiutils' demo projects, see ``/work/shared/data/wildlife-insights-sample/README.md``).

Time zone. Wildlife Insights writes every time as local clock time without an offset, and its download does not
say which zone that is. The zone is taken, in this order, from ``timezone`` (an IANA name given by the person
importing, e.g. ``Asia/Bangkok``), or from the project's ``country_code`` when that country has exactly one time
zone in CLDR (Thailand, Viet Nam, Cambodia, Lao PDR, Myanmar, Colombia...). Otherwise (a country with several
zones, such as Indonesia, or no country) the download is refused with a problem on projects.csv asking for the
zone: a wrong offset would move every detection by hours, which activity patterns cannot survive. Local times
that do not exist or happen twice in the zone (daylight-saving changes) are refused row by row.

Deployment dates. Wildlife Insights asks for deployment dates; they come as ``2016-10-26 00:00:00``. A start at
midnight is the start of that day, and an end at midnight is the END of that day (23:59:59), since the cameras
took pictures on their last day (real downloads have images after "00:00:00" on the end date).

Malfunctions. ``camera_functioning`` says whether a camera failed ("Camera Hardware Failure", "Memory Card
Failure", "Unknown Failure", "Theft", "Vandalism", "Wildlife Damage"...), not when. Rule: a camera reported
failed worked until its last image; the malfunction runs from that image to the deployment's end (the whole
deployment when it has no image). Anything but "Camera Functioning" or empty counts as a failure; the value is
also kept in ``deploymentTags`` (``camera_functioning:…``).

Images → media and observations. One media row per ``image_id``; one observation per images.csv row (an image
with two species has two rows), observationID ``<image_id>:<n>``, at media level. scientificName is "genus
species" when both are given, else the lowest rank given (genus, family, order, class). observationType:
blank when ``is_blank`` is 1 or the common name is "Blank"; human for Homo sapiens; vehicle for "Vehicle";
unclassified for "No CV Result"; animal when a name is known; unknown otherwise. ``number_of_objects`` → count,
``age``/``sex`` → lifeStage/sex where they match Camtrap DP's values. Wildlife Insights' storage addresses
(``gs://…``) are not public: filePublic is false.
"""
from __future__ import annotations

import io
import zipfile
from pathlib import Path, PurePosixPath
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd
from babel.core import get_global

from .model import CamtrapPackage
from .write import format_timestamps
from .wi_problems import DownloadRejected, Problems

FILES = ("projects.csv", "cameras.csv", "deployments.csv", "images.csv")
REQUIRED_FILES = ("projects.csv", "deployments.csv", "images.csv")
REQUIRED_COLUMNS = {
    "projects.csv": ("project_id", "project_name", "country_code"),
    "deployments.csv": ("project_id", "deployment_id", "longitude", "latitude", "start_date", "end_date"),
    "images.csv": ("project_id", "deployment_id", "image_id", "timestamp"),
}
MAX_FILE_BYTES = 512 * 1024 * 1024  # per CSV, unpacked (about a million images); read whole into memory
FUNCTIONING = "camera functioning"
SAMPLING_DESIGN = {"systematic": "systematicRandom", "randomized": "simpleRandom", "random": "simpleRandom",
                   "convenience": "opportunistic", "targeted": "targeted"}
LICENCE = {"CC0": "CC0-1.0", "CC-BY": "CC-BY-4.0", "CC-BY-NC": "CC-BY-NC-4.0"}
FEATURE_TYPES = ("roadPaved", "roadDirt", "trailHiking", "trailGame", "roadUnderpass", "roadOverpass",
                 "roadBridge", "culvert", "burrow", "nestSite", "carcass", "waterSource", "fruitingTree")
MEDIA_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".mp4": "video/mp4",
               ".avi": "video/x-msvideo", ".mov": "video/quicktime"}
WI_TIME = "%Y-%m-%d %H:%M:%S"


# -- finding the files ------------------------------------------------------------------------------------
def is_wildlife_insights(path: Path) -> bool:
    """True when ``path`` (a zip or a folder) holds a Wildlife Insights download: deployments.csv and images.csv
    side by side, images.csv's header naming ``image_id`` and ``deployment_id``. Reads only names and one line."""
    try:
        source = _open(Path(path))
    except (OSError, zipfile.BadZipFile):
        return False
    try:
        if not {"deployments.csv", "images.csv"} <= set(source.names):
            return False
        header = source.first_line("images.csv")
        return {"image_id", "deployment_id"} <= {h.strip().strip('"') for h in header.split(",")}
    finally:
        source.close()


class _Source:
    """The four files' bytes, wherever they sit (zip root, one folder inside the zip, or a folder)."""

    def __init__(self, names: dict[str, object], reader, sizes: dict[str, int], closer=None):
        self.names, self._read, self.sizes, self._closer = names, reader, sizes, closer

    def read(self, name: str) -> bytes:
        return self._read(self.names[name])

    def first_line(self, name: str) -> str:
        return self.read_head(name).split(b"\n", 1)[0].decode("utf-8-sig", errors="replace")

    def read_head(self, name: str) -> bytes:
        handle = self.names[name]
        if isinstance(handle, zipfile.ZipInfo):
            with self._closer.open(handle) as fh:
                return fh.read(64 * 1024)
        with open(handle, "rb") as fh:
            return fh.read(64 * 1024)

    def close(self) -> None:
        if self._closer is not None:
            self._closer.close()


def _open(path: Path) -> _Source:
    if path.is_dir():
        found = {p.name: p for p in _candidates(path)}
        return _Source(found, lambda p: p.read_bytes(), {n: p.stat().st_size for n, p in found.items()})
    zf = zipfile.ZipFile(path)
    members = [i for i in zf.infolist() if not i.is_dir() and "__MACOSX" not in i.filename
               and not PurePosixPath(i.filename).name.startswith("._")]
    found = _one_folder({PurePosixPath(i.filename): i for i in members})

    def read(info: zipfile.ZipInfo) -> bytes:
        with zf.open(info) as fh:  # never more than the limit, whatever the zip declares
            return fh.read(MAX_FILE_BYTES + 1)

    return _Source(found, read, {n: i.file_size for n, i in found.items()}, zf)


def _candidates(folder: Path) -> list[Path]:
    direct = [p for p in folder.iterdir() if p.name in FILES and p.is_file()]
    if direct:
        return direct
    inner = [p for p in folder.iterdir() if p.is_dir()]
    return [p for p in inner[0].iterdir() if p.name in FILES] if len(inner) == 1 else []


def _one_folder(paths: dict[PurePosixPath, object]) -> dict[str, object]:
    """The download's files at the zip's root or in its one folder (how Wildlife Insights and wiutils zip)."""
    by_parent: dict[PurePosixPath, dict[str, object]] = {}
    for path, info in paths.items():
        if path.name in FILES:
            by_parent.setdefault(path.parent, {})[path.name] = info
    if not by_parent:
        return {}
    return max(by_parent.values(), key=len) if len(by_parent) > 1 else next(iter(by_parent.values()))


# -- reading ----------------------------------------------------------------------------------------------
def read_wildlife_insights(path: Path, *, timezone: str | None = None) -> CamtrapPackage:
    """Read a Wildlife Insights project download. ``timezone``: the cameras' IANA time zone, needed when the
    project's country has several (see the module's documentation). Raises :class:`DownloadRejected` listing
    every problem (file, row, field, value) when anything cannot be read; nothing is returned half-read."""
    path = Path(path)
    problems = Problems()
    source = _open(path)
    try:
        tables = _tables(source, problems)
    finally:
        source.close()
    if problems:
        raise DownloadRejected(path.name, problems)
    project = _project(tables["projects.csv"], problems)
    zone = _zone(timezone, project, problems)
    if problems:
        raise DownloadRejected(path.name, problems)
    deployments = _deployments(tables["deployments.csv"], tables.get("cameras.csv"), project, zone, problems)
    media, observations = _images(tables["images.csv"], deployments, zone, problems)
    if problems:
        raise DownloadRejected(path.name, problems)
    malfunctions = _malfunctions(deployments, media)
    return CamtrapPackage(_metadata(project), deployments, media, observations, malfunctions)


def _tables(source: _Source, problems: Problems) -> dict[str, pd.DataFrame]:
    tables = {}
    for name in FILES:
        if name not in source.names:
            if name in REQUIRED_FILES:
                problems.add("wi-file-missing", name)
            continue
        if source.sizes[name] > MAX_FILE_BYTES:
            problems.add("wi-file-too-large", name, value=source.sizes[name], limit=MAX_FILE_BYTES)
            continue
        data = source.read(name)
        if len(data) > MAX_FILE_BYTES:  # the zip declared less than it holds
            problems.add("wi-file-too-large", name, value=len(data), limit=MAX_FILE_BYTES)
            continue
        frame = _csv(name, data, problems)
        if frame is None:
            continue
        missing = [c for c in REQUIRED_COLUMNS.get(name, ()) if c not in frame.columns]
        for column in missing:
            problems.add("wi-column-missing", name, field=column)
        tables[name] = frame
    return tables


def _csv(name: str, data: bytes, problems: Problems) -> pd.DataFrame | None:
    try:
        frame = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, na_values=[""],
                            encoding="utf-8-sig")
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        problems.add("wi-file-unreadable", name, value=str(exc).splitlines()[0][:200])
        return None
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def _project(projects: pd.DataFrame, problems: Problems) -> dict:
    if len(projects) != 1:
        problems.add("wi-projects", "projects.csv", value=len(projects))
        return {}
    return {k: (None if pd.isna(v) else str(v).strip()) for k, v in projects.iloc[0].items()}


def _zone(timezone: str | None, project: dict, problems: Problems) -> ZoneInfo | None:
    if timezone:
        try:
            return ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            problems.add("wi-bad-timezone", "projects.csv", value=timezone)
            return None
    if not project:
        return None
    code = project.get("country_code") or ""
    zones = country_zones(code)
    if len(zones) != 1:
        problems.add("wi-no-timezone", "projects.csv", row=2, field="country_code", value=code)
        return None
    return ZoneInfo(zones[0])


def country_alpha2(code: str) -> str | None:
    """ISO 3166-1 alpha-2 of an alpha-2 or alpha-3 code (Wildlife Insights writes alpha-3: ``THA``)."""
    code = (code or "").strip().upper()
    if len(code) == 2 and code in get_global("territory_zones"):
        return code
    aliases = get_global("territory_aliases").get(code)
    return aliases[0] if aliases and len(aliases) == 1 else None


def country_zones(code: str) -> list[str]:
    """The IANA time zones CLDR lists for a country (one for each mainland Southeast Asian country)."""
    alpha2 = country_alpha2(code)
    return list(get_global("territory_zones").get(alpha2, [])) if alpha2 else []


# -- deployments ------------------------------------------------------------------------------------------
def _deployments(d: pd.DataFrame, cameras: pd.DataFrame | None, project: dict, zone: ZoneInfo,
                 problems: Problems) -> pd.DataFrame:
    file = "deployments.csv"
    ids = d["deployment_id"]
    problems.add_rows("wi-required-empty", file, "deployment_id", ids.isna(), ids)
    problems.add_rows("wi-duplicate-id", file, "deployment_id", ids.notna() & ids.duplicated(keep="first"), ids)
    lat = _number(d, file, "latitude", -90, 90, problems)
    lon = _number(d, file, "longitude", -180, 180, problems)
    start = _local_times(d, file, "start_date", zone, problems)
    end = _local_times(d, file, "end_date", zone, problems, day_end=True)
    problems.add_rows("wi-end-before-start", file, "end_date", (end < start).fillna(False).to_numpy(),
                      d["end_date"])
    out = pd.DataFrame({
        "deploymentID": ids, "locationID": _col(d, "placename"), "locationName": _col(d, "placename"),
        "latitude": lat, "longitude": lon, "deploymentStart": start, "deploymentEnd": end,
        "setupBy": _col(d, "recorded_by"), "cameraID": _col(d, "camera_id"),
        "cameraModel": _camera_model(d, cameras),
        "cameraDelay": pd.to_numeric(_col(d, "quiet_period"), errors="coerce").round().astype("Int64"),
        "cameraHeight": pd.to_numeric(_col(d, "sensor_height"), errors="coerce"),
        "detectionDistance": pd.to_numeric(_col(d, "detection_distance"), errors="coerce"),
        "baitUse": _bait_use(_col(d, "bait_type")), "featureType": _feature_type(_col(d, "feature_type")),
        "deploymentGroups": _col(d, "subproject_name"), "deploymentTags": _tags(d),
        "deploymentComments": _col(d, "event_description"),
        "countryCode": country_alpha2(project.get("country_code") or ""),
        # the offset of the deployment's local time, as the Camtrap DP reader records it for the store
        "timezoneOffset": format_timestamps(start).str.extract(r"([+-]\d\d:\d\d|Z)$", expand=False)
        .replace("Z", "+00:00"),
        "cameraFunctioning": _col(d, "camera_functioning")})
    return out.reset_index(drop=True)


def _col(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame.columns:
        return frame[name]
    return pd.Series([None] * len(frame), index=frame.index, dtype="object")


def _number(frame: pd.DataFrame, file: str, name: str, low: float, high: float, problems: Problems) -> pd.Series:
    text = frame[name]
    values = pd.to_numeric(text, errors="coerce")
    problems.add_rows("wi-required-empty", file, name, text.isna(), text)
    problems.add_rows("wi-not-a-number", file, name, text.notna() & values.isna(), text)
    problems.add_rows("wi-out-of-range", file, name, (values < low) | (values > high), text, minimum=low,
                      maximum=high)
    return values


def _local_times(frame: pd.DataFrame, file: str, name: str, zone: ZoneInfo, problems: Problems,
                 day_end: bool = False) -> pd.Series:
    """Local clock times made tz-aware in ``zone``; rows that cannot be are reported, never guessed."""
    text = frame[name].str.strip()
    naive = pd.to_datetime(text, format=WI_TIME, errors="coerce")
    dates = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")  # a date alone: its midnight
    naive = naive.fillna(dates)
    problems.add_rows("wi-required-empty", file, name, text.isna(), text)
    problems.add_rows("wi-not-a-timestamp", file, name, text.notna() & naive.isna(), text)
    if day_end:  # an end date is the whole of its last day
        midnight = naive.notna() & (naive == naive.dt.normalize())
        naive = naive.where(~midnight, naive + pd.Timedelta(days=1) - pd.Timedelta(seconds=1))
    aware = naive.dt.tz_localize(zone, ambiguous="NaT", nonexistent="NaT")
    problems.add_rows("wi-local-time-missing", file, name, naive.notna() & aware.isna(), text, zone=str(zone))
    return aware


def _camera_model(d: pd.DataFrame, cameras: pd.DataFrame | None) -> pd.Series:
    if cameras is None or "camera_id" not in cameras.columns or "camera_id" not in d.columns:
        return pd.Series([None] * len(d), index=d.index, dtype="object")
    parts = cameras.drop_duplicates("camera_id").set_index("camera_id")
    make = _col(parts, "make").fillna("")
    model = _col(parts, "model").fillna("")
    # Camtrap DP writes cameraModel as "manufacturer-model"
    label = (make + "-" + model).str.strip("-").replace("", None)
    return d["camera_id"].map(label)


def _bait_use(bait: pd.Series) -> pd.Series:
    text = bait.astype("string").str.strip().str.lower()
    none = text.isin(["none", "no bait", "no"])
    return pd.Series(np.where(text.isna(), None, np.where(none, False, True)), index=bait.index, dtype="object")


def _feature_type(feature: pd.Series) -> pd.Series:
    lookup = {f.lower(): f for f in FEATURE_TYPES}
    key = feature.astype("string").str.replace(r"[\s_-]+", "", regex=True).str.lower()
    return key.map(lookup).astype("object").where(key.notna(), None)


def _tags(d: pd.DataFrame) -> pd.Series:
    """Wildlife Insights' categorical settings that Camtrap DP has no field for, as ``key:value`` tags."""
    keys = ("sensor_height", "height_other", "sensor_orientation", "orientation_other", "bait_type",
            "bait_description", "feature_type", "feature_type_methodology", "plot_treatment",
            "camera_functioning", "subproject_design", "event_name", "event_type")
    parts = [(k + ":" + d[k].astype("string").str.strip()).fillna("") for k in keys if k in d.columns]
    if not parts:
        return pd.Series([None] * len(d), index=d.index, dtype="object")
    joined = pd.concat(parts, axis=1).apply(lambda row: " | ".join(v for v in row if v), axis=1)
    return joined.replace("", None)


# -- images -----------------------------------------------------------------------------------------------
def _images(images: pd.DataFrame, deployments: pd.DataFrame, zone: ZoneInfo,
            problems: Problems) -> tuple[pd.DataFrame, pd.DataFrame]:
    file = "images.csv"
    i = images.reset_index(drop=True)
    problems.add_rows("wi-required-empty", file, "image_id", i["image_id"].isna(), i["image_id"])
    problems.add_rows("wi-unknown-deployment", file, "deployment_id",
                      ~i["deployment_id"].isin(deployments["deploymentID"]), i["deployment_id"])
    stamp = _local_times(i, file, "timestamp", zone, problems)
    count_text = _col(i, "number_of_objects")
    count = pd.to_numeric(count_text, errors="coerce")
    bad_count = count_text.notna() & (count.isna() | (count < 0) | (count != count.round()))
    problems.add_rows("wi-not-a-whole-number", file, "number_of_objects", bad_count, count_text)
    first = ~i["image_id"].duplicated(keep="first")
    filename = _col(i, "filename")
    media = pd.DataFrame({
        "mediaID": i["image_id"], "deploymentID": i["deployment_id"], "captureMethod": "activityDetection",
        "timestamp": stamp, "filePath": _col(i, "location").fillna(filename),
        "filePublic": False, "fileName": filename, "fileMediatype": _media_type(filename),
        "favorite": _col(i, "highlighted").astype("string").str.lower().map({"true": True, "false": False})
        .astype("object")})[first].reset_index(drop=True)
    name = _scientific_name(i)
    observations = pd.DataFrame({
        "observationID": i["image_id"] + ":" + (i.groupby("image_id").cumcount() + 1).astype(str),
        "deploymentID": i["deployment_id"], "mediaID": i["image_id"], "eventStart": stamp, "eventEnd": stamp,
        "observationLevel": "media", "observationType": _observation_type(i, name), "scientificName": name,
        "count": count.round().astype("Int64"),
        "lifeStage": _vocabulary(_col(i, "age"), {"adult": "adult", "juvenile": "juvenile",
                                                   "subadult": "subadult", "sub-adult": "subadult"}),
        "sex": _vocabulary(_col(i, "sex"), {"male": "male", "female": "female"}),
        "individualID": _col(i, "individual_id"), "classificationMethod": _method(_col(i, "identified_by")),
        "classifiedBy": _col(i, "identified_by"),
        "classificationProbability": pd.to_numeric(_col(i, "cv_confidence"), errors="coerce"),
        "observationComments": _col(i, "individual_animal_notes")})
    return media, observations


def _media_type(filename: pd.Series) -> pd.Series:
    ext = filename.astype("string").str.extract(r"(\.[A-Za-z0-9]+)$", expand=False).str.lower()
    return ext.map(MEDIA_TYPES).fillna("image/jpeg").astype("object")  # WI image projects hold images


def _scientific_name(i: pd.DataFrame) -> pd.Series:
    genus, species = _col(i, "genus").astype("string"), _col(i, "species").astype("string")
    name = (genus + " " + species).where(genus.notna() & species.notna())
    for rank in ("genus", "family", "order", "class"):
        name = name.fillna(_col(i, rank).astype("string"))
    return name.astype("object").where(name.notna(), None)


def _observation_type(i: pd.DataFrame, name: pd.Series) -> pd.Series:
    common = _col(i, "common_name").astype("string").str.strip().str.lower()
    flag = _col(i, "is_blank").astype("string").str.strip()

    def mask(condition: pd.Series) -> np.ndarray:  # missing cells never match
        return condition.fillna(False).to_numpy(dtype=bool)

    kind = np.select(
        [mask((flag == "1") | (common == "blank")), mask(name == "Homo sapiens"), mask(common == "vehicle"),
         mask(common == "no cv result"), name.notna().to_numpy(dtype=bool)],
        ["blank", "human", "vehicle", "unclassified", "animal"], "unknown")
    return pd.Series(kind, index=i.index, dtype="object")


def _vocabulary(values: pd.Series, mapping: dict[str, str]) -> pd.Series:
    return values.astype("string").str.strip().str.lower().map(mapping).astype("object")


def _method(identified_by: pd.Series) -> pd.Series:
    text = identified_by.astype("string").str.lower()
    method = np.where(text.str.contains("computer vision", regex=False).fillna(False), "machine",
                      np.where(text.notna(), "human", None))
    return pd.Series(method, index=identified_by.index, dtype="object")


def _malfunctions(deployments: pd.DataFrame, media: pd.DataFrame) -> pd.DataFrame:
    """Failed cameras worked until their last image (see the module's documentation)."""
    status = deployments["cameraFunctioning"].astype("string").str.strip().str.lower()
    failed = deployments[status.notna() & (status != FUNCTIONING)]
    last = media.groupby("deploymentID")["timestamp"].max()
    start = failed["deploymentID"].map(last)
    start = start.where(start.notna(), failed["deploymentStart"])
    return pd.DataFrame({"deploymentID": failed["deploymentID"].to_numpy(), "start": start.to_numpy(),
                         "end": failed["deploymentEnd"].to_numpy()})


# -- metadata ---------------------------------------------------------------------------------------------
def _metadata(project: dict) -> dict:
    layout = (project.get("project_sensor_layout") or "").strip().lower()
    method = (project.get("project_sensor_method") or "").lower()
    meta = {
        "id": project.get("project_id"), "title": project.get("project_name"),
        "description": project.get("project_objectives"),
        "contributors": _contributors(project),
        "sources": [{"title": "Wildlife Insights", "path": "https://www.wildlifeinsights.org"}],
        "project": {"id": project.get("project_id"), "title": project.get("project_name") or "",
                    "acronym": project.get("project_short_name"), "description": project.get("project_objectives"),
                    "samplingDesign": SAMPLING_DESIGN.get(layout, "opportunistic"),
                    "captureMethod": ["timeLapse"] if "time" in method else ["activityDetection"],
                    "individualAnimals": (project.get("project_individual_animals") or "").lower() in ("yes", "true"),
                    "observationLevel": ["media"]},
        "bibliographicCitation": project.get("data_citation"),
    }
    licences = [{"name": LICENCE[v], "scope": scope} for v, scope in
                ((project.get("metadata_license"), "data"), (project.get("image_license"), "media"))
                if v in LICENCE]
    if len(licences) == 2:  # Camtrap DP wants both scopes or none
        meta["licenses"] = licences
    return _drop_empty(meta)


def _contributors(project: dict) -> list[dict]:
    name = project.get("project_admin")
    if not name:
        return []
    person = {"title": name, "email": project.get("project_admin_email"), "role": "contact",
              "organization": project.get("project_admin_organization")}
    return [{k: v for k, v in person.items() if v}]


def _drop_empty(value):
    if isinstance(value, dict):
        return {k: _drop_empty(v) for k, v in value.items() if v not in (None, "", [], {})}
    return value


__all__ = ["is_wildlife_insights", "read_wildlife_insights", "country_zones", "country_alpha2", "FILES"]
