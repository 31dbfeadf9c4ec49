"""Import of a synthetic Camtrap DP 1.0 package (``--rows`` observations, as many media, 300 deployments in
inland Thailand) next to our CSV import of the same number of rows, in the same run.

    .venv/bin/python benchmarks/bench_camtrap.py [--rows 1000000] [--frictionless-rows 20000]

Ours: ``read_camtrap_dp`` (zip → checked, typed tables) + ``save_survey`` (records validated like any import,
survey tables written, one transaction). Baseline: ``ingest.import_file`` of a Thai CSV of ``--rows`` rows
(``benchmarks/bench_import.py``'s file). Target (issue 19): ours ≤ 2× the CSV import.

``--frictionless-rows N`` also times frictionless's own row-by-row validation of the first N observations
against our Table Schema, to show why the rows are checked vectorized instead.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_import import make_csv, timed  # noqa: E402

from occurrences.camtrap.read import read_camtrap_dp  # noqa: E402
from occurrences.camtrap.store import save_survey  # noqa: E402
from occurrences.ingest import import_file  # noqa: E402
from occurrences.store import open_store  # noqa: E402

SPECIES = ["Paguma larvata", "Viverra zibetha", "Paradoxurus hermaphroditus", "Martes flavigula",
           "Herpestes javanicus", "Arctictis binturong"]
PROFILE = "https://raw.githubusercontent.com/tdwg/camtrap-dp/1.0/camtrap-dp-profile.json"


def make_package(folder: Path, n: int, deployments: int = 300, seed: int = 5) -> Path:
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    ids = np.array([f"dep{i:04d}" for i in range(deployments)])
    start = pd.Timestamp("2022-01-01T00:00:00+07:00") + pd.to_timedelta(rng.integers(0, 200, deployments), "D")
    end = start + pd.Timedelta(days=90)
    pd.DataFrame({"deploymentID": ids, "locationID": [f"loc{i}" for i in range(deployments)],
                  "latitude": np.round(rng.uniform(14.6, 16.8, deployments), 5),
                  "longitude": np.round(rng.uniform(99.8, 103.3, deployments), 5),
                  "coordinateUncertainty": 30, "deploymentStart": start.strftime("%Y-%m-%dT%H:%M:%S+07:00"),
                  "deploymentEnd": end.strftime("%Y-%m-%dT%H:%M:%S+07:00"), "setupBy": "Team A",
                  "cameraModel": "Reconyx-HF2X", "cameraHeight": 0.5, "baitUse": "false",
                  "featureType": "trailGame"}).to_csv(folder / "deployments.csv", index=False)
    dep = rng.integers(0, deployments, n)
    t = start[dep] + pd.to_timedelta(rng.integers(0, 89 * 86400, n), "s")
    stamps = t.strftime("%Y-%m-%dT%H:%M:%S+07:00")
    ends = (t + pd.Timedelta(seconds=20)).strftime("%Y-%m-%dT%H:%M:%S+07:00")
    obs_ids = np.char.add("o", np.arange(n).astype(str))
    media_ids = np.char.add("m", np.arange(n).astype(str))
    pd.DataFrame({"mediaID": media_ids, "deploymentID": ids[dep], "captureMethod": "activityDetection",
                  "timestamp": stamps, "filePath": np.char.add("https://media.example.org/", media_ids),
                  "filePublic": "true", "fileMediatype": "image/jpeg"}).to_csv(folder / "media.csv", index=False)
    kind = np.where(rng.random(n) < 0.9, "animal", "blank")
    names = np.where(kind == "animal", np.array(SPECIES)[rng.integers(0, len(SPECIES), n)], "")
    pd.DataFrame({"observationID": obs_ids, "deploymentID": ids[dep], "eventID": obs_ids, "eventStart": stamps,
                  "eventEnd": ends, "observationLevel": "event", "observationType": kind, "scientificName": names,
                  "count": rng.integers(1, 4, n), "sex": np.where(rng.random(n) < 0.5, "female", "male"),
                  "lifeStage": "adult", "classificationMethod": "human"}).to_csv(folder / "observations.csv",
                                                                                 index=False)
    descriptor = {"profile": PROFILE, "name": "bench", "id": "bench-survey", "created": "2024-01-01T00:00:00Z",
                  "title": "Synthetic survey", "licenses": [{"name": "CC-BY-4.0", "scope": "data"}],
                  "resources": [{"name": t, "path": f"{t}.csv", "profile": "tabular-data-resource",
                                 "format": "csv", "mediatype": "text/csv", "encoding": "UTF-8",
                                 "schema": f"https://raw.githubusercontent.com/tdwg/camtrap-dp/1.0/{t}-table-schema.json"}
                                for t in ("deployments", "media", "observations")]}
    (folder / "datapackage.json").write_text(json.dumps(descriptor), "utf-8")
    target = folder.with_suffix(".zip")
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        for f in folder.iterdir():
            z.write(f, f.name)
    return target


def frictionless_rows(folder: Path, rows: int) -> float:
    """Seconds frictionless takes to validate the first ``rows`` observations row by row."""
    import frictionless

    from occurrences.camtrap.schema import table_schema

    sample = folder / "sample.csv"
    with (folder / "observations.csv").open() as src, sample.open("w") as dst:
        for i, line in enumerate(src):
            if i > rows:
                break
            dst.write(line)
    header = pd.read_csv(sample, nrows=0).columns.tolist()
    resource = frictionless.Resource(path=str(sample.name), basepath=str(folder),
                                     schema=frictionless.Schema.from_descriptor(table_schema("observations", header)))
    start = time.perf_counter()
    report = resource.validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type"])[:3]
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--frictionless-rows", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (t_make, _), package_zip = timed(lambda: make_package(tmp / "survey", args.rows))
        print(f"generated a package of {args.rows:,} observations and media "
              f"({package_zip.stat().st_size / 2**20:.0f} MB zipped) in {t_make:.1f} s (not timed below)")
        csv_path = tmp / "thai.csv"
        make_csv(csv_path, args.rows)

        store = open_store(f"sqlite:///{tmp / 'csv.db'}")
        t_csv, result = timed(lambda: import_file(store, csv_path, submitted_by="bench", status="accepted"))
        assert result.stored == args.rows
        store.close()

        store = open_store(f"sqlite:///{tmp / 'camtrap.db'}")
        t_read, package = timed(lambda: read_camtrap_dp(package_zip))
        t_save, saved = timed(lambda: save_survey(store, package, source=package_zip.name, submitted_by="bench",
                                                  access="full", status="accepted"))
        store.close()
        t_fl = frictionless_rows(tmp / "survey", args.frictionless_rows) if args.frictionless_rows else None

    ours = (t_read[0] + t_save[0], t_read[1] + t_save[1])
    print(f"{'':44}{'wall s':>9}{'CPU s':>9}")
    print(f"{'CSV import (' + format(args.rows, ',') + ' rows)':44}{t_csv[0]:9.2f}{t_csv[1]:9.2f}")
    print(f"{'Camtrap DP: read + check':44}{t_read[0]:9.2f}{t_read[1]:9.2f}")
    print(f"{'Camtrap DP: records + survey tables stored':44}{t_save[0]:9.2f}{t_save[1]:9.2f}")
    print(f"{'Camtrap DP total (' + format(saved.records, ',') + ' records)':44}{ours[0]:9.2f}{ours[1]:9.2f}")
    print(f"ratio Camtrap DP / CSV: wall {ours[0] / t_csv[0]:.2f}x, CPU {ours[1] / t_csv[1]:.2f}x; target <= 2x: "
          f"{'met' if ours[0] <= 2 * t_csv[0] else 'NOT met'} (cores: {os.cpu_count()}, load average "
          f"{os.getloadavg()[0]:.1f})")
    if t_fl is not None:
        print(f"frictionless row-by-row validation of {args.frictionless_rows:,} observations: {t_fl:.2f} s "
              f"(≈ {t_fl / args.frictionless_rows * 1e6:.0f} s per million rows, on top of everything above)")


if __name__ == "__main__":
    main()
