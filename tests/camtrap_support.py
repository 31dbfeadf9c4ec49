"""Camera-trap test material: a small survey built in code, the official Camtrap DP 1.0 example read with
pandas, and offline validation of a written package against the official profile and table schemas."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from occurrences.camtrap.model import CamtrapPackage

OFFICIAL = Path("/work/shared/data/camtrap-dp-1.0")
DATETIME_COLUMNS = {"deployments": ("deploymentStart", "deploymentEnd"), "media": ("timestamp",),
                    "observations": ("eventStart", "eventEnd", "classificationTimestamp")}


def need_official() -> Path:
    if not (OFFICIAL / "camtrap-dp-profile.json").exists():
        pytest.skip(f"official Camtrap DP 1.0 profile and schemas not present at {OFFICIAL}")
    return OFFICIAL


def small_survey() -> CamtrapPackage:
    """Two deployments in Thailand (+07:00), one with a malfunction, three images, three observations."""
    tz = "Asia/Bangkok"
    deployments = pd.DataFrame({
        "deploymentID": ["d1", "d2"], "locationID": ["L1", "L2"], "locationName": ["Khao Yai A", "Khao Yai B"],
        "latitude": [14.4381, 14.5012], "longitude": [101.3722, 101.4015], "coordinateUncertainty": [30, None],
        "deploymentStart": pd.to_datetime(["2024-01-01 08:00", "2024-01-03 09:30"]).tz_localize(tz),
        "deploymentEnd": pd.to_datetime(["2024-01-11 08:00", "2024-01-13 09:30"]).tz_localize(tz),
        "cameraModel": ["Browning BTC-8E", "Browning BTC-8E"], "cameraHeight": [0.4, 0.5],
        "baitUse": [False, True], "featureType": ["trailGame", None],
        "deploymentComments": ["=1+1 is text here", None]})
    media = pd.DataFrame({
        "mediaID": ["m1", "m2", "m3"], "deploymentID": ["d1", "d1", "d2"],
        "captureMethod": ["activityDetection"] * 3,
        "timestamp": pd.to_datetime(["2024-01-02 21:14:05", "2024-01-02 21:14:07", "2024-01-05 03:00:00"])
        .tz_localize(tz),
        "filePath": ["https://example.org/m1.jpg", "https://example.org/m2.jpg", "https://example.org/m3.jpg"],
        "filePublic": [True, True, False], "fileName": ["m1.jpg", "m2.jpg", "m3.jpg"],
        "fileMediatype": ["image/jpeg"] * 3})
    observations = pd.DataFrame({
        "observationID": ["o1", "o2", "o3"], "deploymentID": ["d1", "d1", "d2"], "mediaID": ["m1", "m2", "m3"],
        "eventStart": media["timestamp"], "eventEnd": media["timestamp"], "observationLevel": ["media"] * 3,
        "observationType": ["animal", "animal", "blank"],
        "scientificName": ["Paradoxurus hermaphroditus", "Arctictis binturong", None],
        "count": [1, 2, None], "lifeStage": ["adult", None, None], "sex": [None, "female", None],
        "behavior": ["foraging", None, None]})
    malfunctions = pd.DataFrame({"deploymentID": ["d2"],
                                 "start": pd.to_datetime(["2024-01-08 00:00"]).tz_localize(tz),
                                 "end": pd.to_datetime(["2024-01-10 00:00"]).tz_localize(tz)})
    metadata = {"name": "khao-yai-test", "title": "Khao Yai test survey", "created": "2024-02-01T00:00:00Z",
                "contributors": [{"title": "Test Team", "role": "contact"}],
                "project": {"id": "survey-1", "title": "Khao Yai small carnivores",
                            "samplingDesign": "systematicRandom"}}
    return CamtrapPackage(metadata, deployments, media, observations, malfunctions)


def read_example() -> CamtrapPackage:
    """The official example package, read with pandas (not with our reader): the reference to compare with."""
    folder = need_official() / "example"
    meta = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    frames = {name: read_table(folder / f"{name}.csv", name) for name in DATETIME_COLUMNS}
    meta.pop("resources")
    return CamtrapPackage(meta, frames["deployments"], frames["media"], frames["observations"])


def read_table(path: Path, name: str) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8-sig")
    for column in DATETIME_COLUMNS[name]:
        if column in frame:
            # values keep their own offset (object dtype when they differ), as the model asks
            frame[column] = frame[column].map(lambda v: pd.NaT if pd.isna(v) else pd.Timestamp(v))
    return frame


def validate_offline(folder: Path) -> list[str]:
    """Problems of a written package: its descriptor against the official profile (jsonschema, the generic Data
    Package part left to frictionless), its tables against the official table schemas (frictionless, including
    primary and foreign keys). No network: the schemas are the local copies."""
    import jsonschema
    from frictionless import Package

    official = need_official()
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    profile = (official / "camtrap-dp-profile.json").read_text(encoding="utf-8")
    problems = [f"profile: {e.message}" for e in _profile_errors(jsonschema, profile, descriptor)]
    local = dict(descriptor)
    local.pop("profile")  # checked above; frictionless would fetch it
    local["resources"] = []
    for resource in descriptor["resources"]:
        resource = dict(resource)
        url = resource["schema"]
        assert url == f"https://raw.githubusercontent.com/tdwg/camtrap-dp/1.0/{resource['name']}-table-schema.json"
        resource["schema"] = json.loads((official / f"{resource['name']}-table-schema.json").read_text())
        local["resources"].append(resource)
    package = Package.from_descriptor(local, basepath=str(folder))
    report = package.validate()
    for task in report.tasks:
        problems += [f"{task.name}: {e.type} {e.message}" for e in task.errors]
    problems += [f"package: {e.type} {e.message}" for e in report.errors]
    return problems


def _profile_errors(jsonschema, profile_text: str, descriptor: dict):
    import frictionless
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT7

    # The official profile writes one reference as "#$defs/version" (no slash), which no JSON Pointer resolver
    # accepts; the intended "#/$defs/version" is substituted in memory.
    profile = json.loads(profile_text.replace('"#$defs/', '"#/$defs/'))
    # The profile's first part is the generic Data Package schema, which frictionless checks itself; GeoJSON is
    # checked against frictionless's bundled copy of the GeoJSON schema. Nothing is fetched.
    geojson = json.loads((Path(frictionless.__file__).parent / "assets/profiles/geojson.json").read_text())
    registry = Registry().with_resources([
        ("https://frictionlessdata.io/schemas/data-package.json", Resource.from_contents({}, DRAFT7)),
        ("http://json.schemastore.org/geojson.json", Resource.from_contents(geojson, DRAFT7)),
    ])
    validator = jsonschema.validators.validator_for(profile)(profile, registry=registry,
                                                            format_checker=jsonschema.FormatChecker())
    return list(validator.iter_errors(descriptor))
