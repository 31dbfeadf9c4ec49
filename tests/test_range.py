"""EOO/AOO: hand-computed cases, an independent computation (pyproj Geod + shapely), and the store/API/CLI paths."""
import json
import math
import subprocess
import sys

import numpy as np
import pytest
import shapely
from pyproj import Geod, Transformer

from occurrences.maps.range import (AOO_THRESHOLDS, EOO_THRESHOLDS, hull_area_km2, occupied_cells, range_figures,
                                    range_for, threshold_category)
from occurrences.store import Filters, open_store

# WGS84 lengths of one degree on the equator (longitude) and of the meridian arc from 0° to 1° N (latitude).
KM_PER_DEG_LON_EQUATOR = 2 * math.pi * 6378.137 / 360
KM_MERIDIAN_0_TO_1 = 110.574


def test_right_triangle_on_the_equator_has_the_hand_computed_area():
    # legs: 1° of longitude along the equator, 1° of latitude along the 100° E meridian
    lon, lat = [100.0, 101.0, 100.0], [0.0, 0.0, 1.0]
    expected = KM_PER_DEG_LON_EQUATOR * KM_MERIDIAN_0_TO_1 / 2  # ≈ 6,154 km²
    assert hull_area_km2(lon, lat) == pytest.approx(expected, rel=2e-3)
    figures = range_figures(lon, lat)
    assert figures.eoo_km2 == pytest.approx(expected, rel=2e-3)
    assert figures.eoo_category == "VU"  # 5,000 ≤ EOO < 20,000
    assert figures.records_used == 3 and figures.occupied_cells == 3 and figures.aoo_km2 == 12
    assert figures.aoo_category == "EN"  # 10 ≤ AOO < 500


def test_small_triangle_is_critically_endangered_and_duplicates_do_not_change_it():
    lon, lat = [100.0, 100.1, 100.0, 100.0], [0.0, 0.0, 0.1, 0.1]
    expected = (KM_PER_DEG_LON_EQUATOR / 10) * (KM_MERIDIAN_0_TO_1 / 10) / 2  # ≈ 61.5 km²
    figures = range_figures(lon, lat)
    assert figures.eoo_km2 == pytest.approx(expected, rel=2e-3) and figures.eoo_category == "CR"
    assert figures.records_used == 4 and figures.distinct_points == 3


def test_points_in_five_known_cells_give_aoo_20_km2():
    # Cells (column, row) of the EPSG:6933 2 km grid whose origin is x = y = 0; points placed inside them,
    # some near a cell's corner, two cells in the western/southern hemisphere (negative indexes).
    cells = [(5000, 800), (5000, 801), (5001, 800), (-3, -2), (5100, 900)]
    offsets = [(1000, 1000), (1, 1), (1999, 1999), (500, 1500), (10, 1990)]
    xs = [c * 2000 + dx for (c, _), (dx, _) in zip(cells, offsets)] + [5100 * 2000 + 1500]
    ys = [r * 2000 + dy for (_, r), (_, dy) in zip(cells, offsets)] + [900 * 2000 + 1500]  # 2nd point in last cell
    lon, lat = Transformer.from_crs("EPSG:6933", "EPSG:4326", always_xy=True).transform(xs, ys)
    assert sorted(map(tuple, occupied_cells(lon, lat).tolist())) == sorted(cells)
    figures = range_figures(lon, lat)
    assert figures.aoo_km2 == 20 and figures.occupied_cells == 5 and figures.aoo_category == "EN"
    assert figures.records_used == 6


def test_eoo_below_aoo_is_raised_to_aoo_and_degenerate_sets_have_no_hull():
    figures = range_figures([100.0, 100.001], [10.0, 10.001])  # two points: no polygon
    assert figures.hull_km2 == 0 and figures.eoo_km2 == figures.aoo_km2 and figures.eoo_raised_to_aoo
    assert range_figures([], []).records_used == 0
    assert hull_area_km2([100, 100, 100], [10, 11, 12]) == pytest.approx(0, abs=1e-6)  # on one meridian


@pytest.mark.parametrize("value,expected", [(99.9, "CR"), (100, "EN"), (4999, "EN"), (5000, "VU"), (19999.9, "VU"),
                                            (20000, None)])
def test_eoo_thresholds(value, expected):
    assert threshold_category(value, EOO_THRESHOLDS) == expected


@pytest.mark.parametrize("value,expected", [(8, "CR"), (10, "EN"), (496, "EN"), (500, "VU"), (1996, "VU"), (2000, None)])
def test_aoo_thresholds(value, expected):
    assert threshold_category(value, AOO_THRESHOLDS) == expected


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_matches_an_independent_geodesic_and_grid_computation(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(50, 2000))
    lon = rng.uniform(98, 98 + rng.uniform(0.5, 6), n)
    lat = rng.uniform(10, 10 + rng.uniform(0.5, 6), n)
    figures = range_figures(lon, lat)
    # EOO: convex hull in lon/lat, area on the ellipsoid (geodesic edges); agrees within 1 % at these sizes.
    hull = shapely.convex_hull(shapely.multipoints(np.column_stack([lon, lat])))
    geodesic_km2 = abs(Geod(ellps="WGS84").geometry_area_perimeter(hull)[0]) / 1e6
    assert figures.eoo_km2 == pytest.approx(geodesic_km2, rel=0.01)
    # AOO: cells counted with a plain Python set.
    x, y = Transformer.from_crs("EPSG:4326", "EPSG:6933", always_xy=True).transform(lon, lat)
    cells = {(math.floor(a / 2000), math.floor(b / 2000)) for a, b in zip(x, y)}
    assert figures.aoo_km2 == 4 * len(cells)


@pytest.fixture(scope="module")
def store_url(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('range') / 'range.db'}"
    base = {"basisOfRecord": "HumanObservation", "scientificName": "Paguma larvata", "countryCode": "TH"}
    records = [
        {**base, "occurrenceID": "t1", "eventDate": "2015-01-01", "decimalLongitude": 100.0, "decimalLatitude": 14.0},
        {**base, "occurrenceID": "t2", "eventDate": "2016-01-01", "decimalLongitude": 101.0, "decimalLatitude": 14.0},
        {**base, "occurrenceID": "t3", "eventDate": "2017-01-01", "decimalLongitude": 100.0, "decimalLatitude": 15.0},
        # flagged: must not count
        {**base, "occurrenceID": "bad", "eventDate": "2017-01-01", "decimalLongitude": 0.0, "decimalLatitude": 0.0,
         "issues": ["ZERO_COORDINATE"]},
        # another country, older
        {**base, "occurrenceID": "v1", "countryCode": "VN", "eventDate": "2001-05-05", "decimalLongitude": 106.0,
         "decimalLatitude": 12.0},
    ]
    store = open_store(url)
    store.add_many(records, submitted_by="test", status="accepted")
    store.close()
    return url


def test_range_for_uses_only_records_without_geospatial_issues(store_url):
    store = open_store(store_url)
    all_points = range_for(store, Filters(scientificName=["Paguma larvata"]))
    thailand = range_for(store, Filters(scientificName=["Paguma larvata"], countryCode=["TH"]))
    recent = range_for(store, Filters(scientificName=["Paguma larvata"], eventDate=("2010-01-01", "2020-12-31")))
    store.close()
    assert all_points.records_used == 4  # the ZERO_COORDINATE record is left out
    assert thailand.records_used == 3 and recent.records_used == 3
    assert thailand.eoo_km2 == pytest.approx(hull_area_km2([100, 101, 100], [14, 14, 15]), abs=1e-3)


def test_range_api_and_cli(store_url):
    from fastapi.testclient import TestClient

    from occurrences.api import create_app
    from occurrences.settings import Settings

    with TestClient(create_app(Settings(db=store_url))) as client:
        body = client.get("/species/Paguma larvata/range", params={"countryCode": "TH"}).json()
        missing = client.get("/species/No such animal/range")
    assert body["scientificName"] == "Paguma larvata" and body["records_used"] == 3
    assert body["aoo_km2"] == 12 and body["grid"]["crs"] == "EPSG:6933" and body["computed_at"]
    assert missing.status_code == 404 and missing.json()["code"] == "unknown-species"

    out = subprocess.run([sys.executable, "-m", "occurrences", "range", "Paguma larvata", "--db", store_url,
                          "--country", "TH", "--from", "2015-01-01", "--to", "2016-12-31", "--json"],
                         capture_output=True, text=True, check=True).stdout
    figures = json.loads(out)
    assert figures["records_used"] == 2 and figures["eoo_km2"] == figures["aoo_km2"] == 8  # 2 points: raised
