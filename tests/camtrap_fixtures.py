"""Camtrap DP packages for tests, built from the official Camtrap DP 1.0 example (tdwg/camtrap-dp, MIT) at
/work/shared/data: its four deployments are moved to Thailand (Khao Yai area) and its species replaced by
species of our checklist, so the records it makes are plausible here. Tests skip when the folder is absent."""
from __future__ import annotations

import csv
import json
import shutil
import zipfile
from pathlib import Path

import pytest

EXAMPLE = Path("/work/shared/data/camtrap-dp-1.0/example")
# Thai stations (inland, away from borders); 00a2c20d and 29b7d356 share nothing, so each is its own place.
STATIONS = {"00a2c20d": (14.43917, 101.37121), "29b7d356": (14.51234, 101.45678),
            "577b543a": (14.60345, 101.52789), "62c200a9": (14.38456, 101.29012)}
SPECIES = {"Anas platyrhynchos": "Paguma larvata", "Ardea cinerea": "Herpestes javanicus",
           "Anas strepera": "Viverra zibetha", "Martes foina": "Martes flavigula"}


def need_example() -> None:
    if not (EXAMPLE / "datapackage.json").is_file():
        pytest.skip(f"Camtrap DP example not available at {EXAMPLE} (see shared/data/camtrap-dp-1.0/README.md)")


def read_rows(name: str) -> list[dict]:
    with (EXAMPLE / name).open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def write_rows(path: Path, rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def build_package(folder: Path, *, package_id: str | None = "khao-yai-2020", species: dict | None = None,
                  edit=None) -> Path:
    """A package folder: the example, in Thailand, with checklist species. ``edit(tables)`` may change the
    rows (dict of table → list of dicts, and "datapackage" → the descriptor) before writing."""
    need_example()
    folder.mkdir(parents=True, exist_ok=True)
    descriptor = json.loads((EXAMPLE / "datapackage.json").read_text("utf-8"))
    if package_id is None:
        descriptor.pop("id", None)
    else:
        descriptor["id"] = package_id
    tables = {"deployments": read_rows("deployments.csv"), "media": read_rows("media.csv"),
              "observations": read_rows("observations.csv"), "datapackage": descriptor}
    for row in tables["deployments"]:
        row["latitude"], row["longitude"] = (str(v) for v in STATIONS[row["deploymentID"]])
        row["deploymentStart"] = row["deploymentStart"][:-6] + "+07:00"
        row["deploymentEnd"] = row["deploymentEnd"][:-6] + "+07:00"
    names = {**SPECIES, **(species or {})}
    for row in tables["observations"]:
        row["scientificName"] = names.get(row["scientificName"], row["scientificName"])
    _shift_times(tables)
    if edit:
        edit(tables)
    for name in ("deployments", "media", "observations"):
        write_rows(folder / f"{name}.csv", tables[name])
    (folder / "datapackage.json").write_text(json.dumps(tables["datapackage"], ensure_ascii=False), "utf-8")
    return folder


def _shift_times(tables: dict) -> None:
    """The example's deployments were in +02:00/+01:00; moved to +07:00 local time, their intervals shift by
    5-6 h in UTC. Widen each deployment by a day on both sides so every event stays inside it."""
    from datetime import datetime, timedelta

    for row in tables["deployments"]:
        for key, delta in (("deploymentStart", -1), ("deploymentEnd", 1)):
            t = datetime.fromisoformat(row[key]) + timedelta(days=delta)
            row[key] = t.isoformat()


def zip_package(folder: Path, target: Path, inside: str = "") -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
        for f in sorted(folder.iterdir()):
            z.write(f, inside + f.name)
    return target


def copy_example(folder: Path) -> Path:
    need_example()
    shutil.copytree(EXAMPLE, folder)
    return folder
