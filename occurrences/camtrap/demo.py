"""A clearly synthetic camera-trap survey for ``occurrences demo``: a grid of stations in Khao Yai's forest
(Nakhon Ratchasima), a month each, detections of a few checklist species, blanks, one camera that stopped early, and a
declared taxonomic scope (so the spotted linsang, looked for and never seen, shows as a non-detection).

Written as a Camtrap DP 1.0 package and read back with the same reader as any user's package, so the demo goes
through every check. Deterministic (fixed seed), offline."""
from __future__ import annotations

import csv
import json
import tempfile
from pathlib import Path

import numpy as np

from .model import PROFILE_URL

SURVEY_ID = "demo-khao-yai-2024"
SPECIES = {"Paradoxurus hermaphroditus": 0.35, "Paguma larvata": 0.2, "Viverra zibetha": 0.15,
           "Arctonyx collaris": 0.1, "Martes flavigula": 0.1, "Melogale personata": 0.1}
SCOPE = [*SPECIES, "Prionodon pardicolor"]
_TABLE_SCHEMA = "https://raw.githubusercontent.com/tdwg/camtrap-dp/1.0/{}-table-schema.json"


def demo_tables(seed: int = 11) -> dict[str, list[dict]]:
    rng = np.random.default_rng(seed)
    deployments, media, observations = [], [], []
    for i in range(12):
        dep = f"KY{i + 1:02d}"
        lat, lon = 14.40 + 0.03 * (i // 4), 101.30 + 0.04 * (i % 4)
        end_day = 31 if i != 5 else 12  # KY06 stopped early: its card filled up
        deployments.append({"deploymentID": dep, "locationID": f"loc-{dep}", "locationName": f"Synthetic station {dep}",
                            "latitude": round(lat, 5), "longitude": round(lon, 5), "coordinateUncertainty": 30,
                            "deploymentStart": "2024-03-01T09:00:00+07:00",
                            "deploymentEnd": f"2024-03-{end_day:02d}T09:00:00+07:00",
                            "setupBy": "Demo team (synthetic)", "cameraModel": "Synthetic-TrailCam",
                            "cameraHeight": 0.5, "baitUse": "false", "featureType": "trailGame",
                            "deploymentComments": "Synthetic demo data"})
        for k in range(int(rng.integers(4, 14))):
            day, minute = int(rng.integers(1, end_day - 1)), int(rng.integers(0, 60 * 24))
            stamp = f"2024-03-{day + 1:02d}T{minute // 60:02d}:{minute % 60:02d}:00+07:00"
            mid = f"{dep}-m{k:03d}"
            media.append({"mediaID": mid, "deploymentID": dep, "captureMethod": "activityDetection",
                          "timestamp": stamp, "filePath": f"media/{mid}.jpg", "filePublic": "false",
                          "fileName": f"{mid}.jpg", "fileMediatype": "image/jpeg"})
            blank = rng.random() < 0.2
            name = None if blank else str(rng.choice(list(SPECIES), p=list(SPECIES.values())))
            observations.append({"observationID": f"{mid}-o", "deploymentID": dep, "mediaID": mid,
                                 "eventStart": stamp, "eventEnd": stamp, "observationLevel": "media",
                                 "observationType": "blank" if blank else "animal", "scientificName": name or "",
                                 "count": "" if blank else 1, "classificationMethod": "human",
                                 "observationComments": "Synthetic demo data"})
    return {"deployments": deployments, "media": media, "observations": observations}


def write_demo_package(folder: Path, seed: int = 11) -> Path:
    tables = demo_tables(seed)
    for name, rows in tables.items():
        with open(folder / f"{name}.csv", "w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, list(dict.fromkeys(k for r in rows for k in r)))
            writer.writeheader()
            writer.writerows(rows)
    descriptor = {
        "profile": PROFILE_URL, "id": SURVEY_ID, "name": SURVEY_ID, "created": "2024-04-01T00:00:00Z",
        "title": "Khao Yai camera-trap survey 2024 (synthetic demo data)",
        "description": "Synthetic data for the occurrences demo; not real observations.",
        "licenses": [{"name": "CC0-1.0", "scope": "data"}],
        "contributors": [{"title": "Demo team (synthetic)", "role": "principalInvestigator"}],
        "project": {"title": "Demo survey", "samplingDesign": "systematicRandom",
                    "captureMethod": ["activityDetection"], "individualAnimals": False,
                    "observationLevel": ["media"]},
        "taxonomic": [{"scientificName": n, "taxonRank": "species"} for n in SCOPE],
        "resources": [{"name": n, "path": f"{n}.csv", "profile": "tabular-data-resource",
                       "schema": _TABLE_SCHEMA.format(n)} for n in tables],
    }
    (folder / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False), "utf-8")
    return folder


def add_demo_survey(store, submitted_by: str) -> int:
    """Store the demo survey unless it is there already; returns the records it made (0 when already there)."""
    from .read import read_camtrap_dp
    from .store import SurveyExists, save_survey

    with tempfile.TemporaryDirectory(prefix="occ-demo-survey-") as tmp:
        package = read_camtrap_dp(write_demo_package(Path(tmp)))
    try:
        result = save_survey(store, package, source="demo", submitted_by=submitted_by, access="full",
                             status="accepted")
    except SurveyExists:
        return 0
    return result.stored
