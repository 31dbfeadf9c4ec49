"""A stored survey exported for a reader, on both stores: as the public sees it a sensitive species' station is
generalised in both formats, and nothing in the public exports depends on where it precisely is (no oracle)."""
from __future__ import annotations

import json
import re
import zipfile

from dwca.read import DwCAReader

from occurrences.camtrap.dwca import write_sampling_event_dwca
from occurrences.camtrap.read import read_camtrap_dp
from occurrences.camtrap.store import load_survey, save_survey
from occurrences.camtrap.write import write_camtrap_dp
from occurrences.store import open_store
from tests.camtrap_fixtures import STATIONS, build_package

from .camtrap_support import OFFICIAL, validate_offline

SENSITIVE = "Arctictis binturong"
STATION = "00a2c20d"


def store_survey(store, folder, shift=0.0):
    def edit(t):
        first = next(o for o in t["observations"] if o["deploymentID"] == STATION and o["observationLevel"] == "event"
                     and o["observationType"] == "animal")
        first["scientificName"] = SENSITIVE
        station = next(d for d in t["deployments"] if d["deploymentID"] == STATION)
        station["latitude"] = f"{float(station['latitude']) + shift:.5f}"  # still in the same 0.1° cell
    save_survey(store, read_camtrap_dp(build_package(folder, edit=edit)), source="pkg", submitted_by="alice",
                access="full", status="accepted")


def exports(store, tmp_path, access: str) -> str:
    """Every file of both exports as one text, the write time taken out."""
    package = load_survey(store, "khao-yai-2020", access=access)
    folder = write_camtrap_dp(package, tmp_path / f"dp-{access}")
    if OFFICIAL.exists():
        assert validate_offline(folder) == []
    archive = write_sampling_event_dwca(package, tmp_path / f"ev-{access}.zip")
    with DwCAReader(str(archive)) as a:
        ids = {row.id for row in a}
        assert all(e.core_id in ids for row in a for e in row.extensions)
    descriptor = json.loads((folder / "datapackage.json").read_text())
    descriptor.pop("created")
    texts = [json.dumps(descriptor, sort_keys=True)] + [(folder / n).read_text() for n in
                                                        ("deployments.csv", "media.csv", "observations.csv")]
    with zipfile.ZipFile(archive) as zf:
        texts += [zf.read(n).decode() for n in sorted(zf.namelist())]
    return re.sub(r"packageId=\"[^\"]*\"|<pubDate>[^<]*</pubDate>", "", "\n".join(texts))


def test_public_exports_are_generalised(store, tmp_path):
    store_survey(store, tmp_path / "pkg")
    lat, lon = STATIONS[STATION]
    public, full = exports(store, tmp_path, "public"), exports(store, tmp_path, "full")
    assert f"{lat}" in full and f"{lat}" not in public and f"{lon}" not in public
    assert "14.45" in public  # the station's 0.1° cell


def test_public_exports_do_not_depend_on_the_precise_place(tmp_path):
    """The same survey with the sensitive station elsewhere in its cell: the public exports are the same, byte
    for byte; the precise ones differ."""
    texts = {}
    for label, shift in (("a", 0.0), ("b", 0.004)):
        (tmp_path / label).mkdir()
        store = open_store(f"sqlite:///{tmp_path / label}/db.sqlite")
        try:
            store_survey(store, tmp_path / label / "pkg", shift=shift)
            texts[label] = exports(store, tmp_path / label, "public"), exports(store, tmp_path / label, "full")
        finally:
            store.close()
    assert texts["a"][0] == texts["b"][0]
    assert texts["a"][1] != texts["b"][1]
