"""Sensitive records as the public, another submitter, their submitter and a reviewer see them (both backends)."""
from __future__ import annotations

import sqlite3

import pytest
import shapely

from occurrences import review
from occurrences.auth import User
from occurrences.errors import InvalidValue
from occurrences.records import FIELD_NAMES
from occurrences.sensitivity import level_index, public_columns
from occurrences.store import Filters, open_store
from occurrences.store.access import FULL, own_access

from .sensitive_seed import seed

TEXT_FIELDS = ("locality", "verbatimLocality", "verbatimCoordinates", "verbatimLatitude", "verbatimLongitude",
               "occurrenceRemarks")


@pytest.fixture
def seeded(store):
    seed(store, demo=10)
    return store


def _box(lon, lat, half=0.002):
    return (lon - half, lat - half, lon + half, lat + half)


def test_public_copy_is_the_cell_centre_with_wider_uncertainty(seeded):
    pub = seeded.get("sens-binturong-1")
    assert (pub["decimalLatitude"], pub["decimalLongitude"]) == (14.75, 101.65)  # centre of the 0.1° cell
    assert pub["coordinateUncertaintyInMeters"] >= 7000  # covers the cell, not the 30 m given
    assert "withheld" in pub["informationWithheld"] and "0.1°" in pub["dataGeneralizations"]
    assert all(pub[f] is None for f in TEXT_FIELDS)
    assert seeded.get("sens-binturong-1") == pub  # deterministic: same answer every time
    precise = seeded.get("sens-binturong-1", access=FULL)
    assert (precise["decimalLatitude"], precise["decimalLongitude"]) == (14.73917, 101.62853)
    assert precise["locality"].startswith("LEAKLOC")


def test_levels_02_and_withhold(seeded):
    pub = seeded.get("sens-megaspila-1")
    assert (pub["decimalLatitude"], pub["decimalLongitude"]) == (12.5, 107.1)
    assert "0.2°" in pub["dataGeneralizations"]
    withheld = seeded.get("sens-withheld-1")
    assert withheld["decimalLatitude"] is None and withheld["decimalLongitude"] is None
    assert withheld["coordinateUncertaintyInMeters"] is None and withheld["informationWithheld"]


def test_narrow_bbox_cannot_tell_cell_mates_apart(seeded):
    for oid, lat, lon in (("sens-binturong-1", 14.73917, 101.62853), ("sens-binturong-2", 14.71386, 101.68294)):
        assert seeded.count(Filters(bbox=_box(lon, lat))) == 0
        assert [r["occurrenceID"] for r in seeded.query(Filters(bbox=_box(lon, lat), access=FULL)).records] == [oid]
    around_centre = Filters(bbox=_box(101.65, 14.75), scientificName=["Arctictis binturong"])
    assert {r["occurrenceID"] for r in seeded.query(around_centre).records} == {"sens-binturong-1", "sens-binturong-2"}
    assert seeded.count(around_centre.replace(access=FULL)) == 0
    polygon = shapely.box(*_box(101.62853, 14.73917))
    assert seeded.count(Filters(geometry=polygon)) == 0
    assert seeded.count(Filters(geometry=polygon, access=FULL)) == 1


def test_extents_and_other_reads_use_the_public_point(seeded):
    f = Filters(scientificName=["Arctictis binturong"])
    bbox = seeded.extents(f)[None]["bbox"]
    assert bbox == (101.65, 14.75, 101.65, 14.75)
    csv_like = [r for r in seeded.iter_records(f)]
    assert {(r["decimalLatitude"], r["decimalLongitude"]) for r in csv_like} == {(14.75, 101.65)}


def test_submitter_sees_own_records_precise_and_others_generalised(seeded):
    alice, bob = own_access("alice"), own_access("bob")
    assert seeded.get("sens-pending-1") is None  # pending: not public
    assert seeded.get("sens-pending-1", access=bob) is None
    mine = seeded.get("sens-pending-1", access=alice)
    assert mine["decimalLatitude"] == 15.06283 and mine["occurrenceRemarks"].startswith("LEAKREM")
    assert seeded.get("sens-binturong-1", access=bob)["decimalLatitude"] == 14.75
    assert seeded.count(Filters(status=["pending"], access=bob)) == 1  # bob's own only
    assert seeded.count(Filters(status=["pending"], bbox=_box(99.12647, 15.06283), access=alice)) == 1
    assert seeded.count(Filters(status=["pending"], bbox=_box(99.12647, 15.06283), access=bob)) == 0


def test_a_record_can_be_made_more_sensitive(seeded):
    rita, alice = User("rita", "reviewer"), User("alice", "submitter")
    demo = seeded.query(Filters(scientificName=["Paguma larvata"], limit=1)).records[0]
    assert seeded.get(demo["occurrenceID"])["decimalLatitude"] == demo["decimalLatitude"]
    review.raise_sensitivity(seeded, demo["occurrenceID"], "withhold", rita)
    assert seeded.get(demo["occurrenceID"])["decimalLatitude"] is None
    assert seeded.get(demo["occurrenceID"], access=FULL)["decimalLatitude"] == demo["decimalLatitude"]
    review.raise_sensitivity(seeded, "sens-pending-1", "withhold", alice)
    assert seeded.state("sens-pending-1")["sensitivity"] == "withhold"
    with pytest.raises(InvalidValue):
        review.raise_sensitivity(seeded, "sens-pending-1", "none", alice)  # a submitter cannot lower it
    history = seeded.history(demo["occurrenceID"])
    assert history[-1]["action"] == "sensitivity" and history[-1]["actor"] == "rita"
    assert history[-1]["before"]["sensitivity"] == "none" and history[-1]["after"]["sensitivity"] == "withhold"


def test_generalisation_is_vectorized_and_never_returns_the_original():
    import numpy as np

    rng = np.random.default_rng(1)
    lat, lon = rng.uniform(5, 25, 10_000), rng.uniform(92, 110, 10_000)
    out = public_columns(lat, lon, np.full(10_000, 10.0), [None] * 10_000, [None] * 10_000,
                         np.full(10_000, level_index("generalise-0.1")))
    plat, plon = np.array(out["_pub_lat"]), np.array(out["_pub_lon"])
    assert np.all(np.abs(plat - lat) <= 0.05 + 1e-9) and np.all(np.abs(plon - lon) <= 0.05 + 1e-9)
    assert not np.any((plat == lat) & (plon == lon))
    assert np.allclose(np.round(plat * 20) % 2, 1) and np.allclose(np.round(plon * 20) % 2, 1)  # x.x5 centres


def test_migration_fills_the_public_columns_of_existing_rows(tmp_path):
    """A schema-1 database (before review and sensitivity) is upgraded: old rows count as accepted and get
    their public copy computed."""
    from occurrences.store.sqlite import _V1_FIELDS, MIGRATIONS

    path = tmp_path / "v1.db"
    conn = sqlite3.connect(path)
    for statement in MIGRATIONS[0]():
        conn.execute(statement)
    values = {name: None for name in _V1_FIELDS}
    values.update(occurrenceID="old-1", basisOfRecord="HumanObservation", scientificName="Arctictis binturong",
                  eventDate="2020-01-02", year=2020, decimalLatitude=14.73917, decimalLongitude=101.62853,
                  locality="old secret place", issues="[]", submittedBy="cli", submittedAt="2020-01-03T00:00:00Z")
    names = [*_V1_FIELDS, "_start", "_end", "_cell", "_geo_issue"]
    row = [values[n] for n in _V1_FIELDS] + ["2020-01-02", "2020-01-02", 0, 0]
    conn.execute(f"INSERT INTO occurrence ({', '.join(chr(34) + n + chr(34) for n in names)}) "
                 f"VALUES ({', '.join('?' * len(names))})", row)
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    store = open_store(f"sqlite:///{path}")
    assert store.schema_version >= 2
    pub = store.get("old-1")
    assert (pub["decimalLatitude"], pub["decimalLongitude"], pub["locality"]) == (14.75, 101.65, None)
    assert store.state("old-1")["status"] == "accepted"
    store.close()
