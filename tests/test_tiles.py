"""Vector tiles: grid counts agree with the store, points come back where they are, filters and access apply."""
import contextlib
import math

import mapbox_vector_tile
import numpy as np
import pytest

from occurrences.demo import demo_records
from occurrences.maps.points import mapped_columns
from occurrences.maps.tiles import (EXTENT, POINT_LIMIT, POINT_MIN_ZOOM, PYRAMID_ZOOM, TileGrid, encode_mvt,
                                    tile_content, tile_layers, tile_mvt)
from occurrences.store import Filters, open_store
from tests.conftest import BACKENDS, fresh_db_url


def _tile_of(lon, lat, z):
    n = 2 ** z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


@contextlib.contextmanager
def _filled(backend, directory):
    with fresh_db_url(backend, directory) as url:
        s = open_store(url)
        try:
            s.add_many(demo_records(1500), submitted_by="demo", status="accepted")
            s.add_many([{"occurrenceID": "flagged", "basisOfRecord": "HumanObservation",
                         "scientificName": "Paguma larvata", "eventDate": "2019-03-03", "decimalLatitude": 15.0,
                         "decimalLongitude": 101.0, "issues": ["COUNTRY_COORDINATE_MISMATCH"]}],
                       submitted_by="demo", status="accepted")
            # on the border of two zoom-9 tiles: in the western one it falls in cell 32, drawn in cell 31
            s.add_many([{"occurrenceID": "on-edge", "basisOfRecord": "HumanObservation",
                         "scientificName": "Paguma larvata", "eventDate": "2020-01-01", "decimalLatitude": 14.4,
                         "decimalLongitude": 101.25}], submitted_by="demo", status="accepted")
            yield s
        finally:
            s.close()


@pytest.fixture(scope="module", params=BACKENDS)
def store(request, tmp_path_factory):
    with _filled(request.param, tmp_path_factory.mktemp("tiles")) as s:
        yield s


@pytest.fixture(scope="module", params=[b for b in BACKENDS if b != "sqlite"])
def pg_store(request, tmp_path_factory):
    """The same records on PostGIS only: the store that encodes tiles itself (``mvt``)."""
    with _filled(request.param, tmp_path_factory.mktemp("tiles")) as s:
        yield s


def test_tile_grid_geometry():
    world = TileGrid(0, 0, 0)
    assert world.bbox == pytest.approx((-180, -85.0511287798, 180, 85.0511287798))
    px, py = world.pixels(np.array([0.0, -180.0]), np.array([0.0, 85.0511287798]))
    assert px == pytest.approx([EXTENT / 2, 0]) and py == pytest.approx([EXTENT / 2, 0], abs=1e-6)


def test_grid_counts_sum_to_the_store_count(store):
    layers = tile_layers(store, Filters(), 2, 3, 1)  # covers lon 90–180, lat 0–66.5: the whole region
    assert "grid" in layers
    total = sum(f["properties"]["count"] for f in layers["grid"])
    assert total == store.count(Filters(bbox=TileGrid(2, 3, 1).bbox))
    assert all(f["properties"]["min_year"] <= f["properties"]["max_year"] for f in layers["grid"])


def test_each_cell_holds_the_records_inside_it(store):
    grid = TileGrid(4, 12, 7)  # lon 90–112.5
    cells = {(int(f["geometry"].bounds[0] * grid.n / EXTENT), int(f["geometry"].bounds[1] * grid.n / EXTENT)):
             f["properties"]["count"] for f in tile_layers(store, Filters(), 4, 12, 7)["grid"]}
    cols = mapped_columns(store, Filters(bbox=grid.bbox), ("decimalLongitude", "decimalLatitude"))
    px, py = grid.pixels(cols["decimalLongitude"], cols["decimalLatitude"])
    expected = {}
    for key in zip((px * grid.n / EXTENT).astype(int).clip(0, grid.n - 1), (py * grid.n / EXTENT).astype(int).clip(0, grid.n - 1)):
        expected[(int(key[0]), int(key[1]))] = expected.get((int(key[0]), int(key[1])), 0) + 1
    assert cells == expected


def test_points_at_high_zoom_decode_to_their_records(store):
    rec = store.query(Filters(scientificName=["Paguma larvata"], limit=1)).records[0]
    z = 9
    x, y = _tile_of(rec["decimalLongitude"], rec["decimalLatitude"], z)
    decoded = mapbox_vector_tile.decode(tile_mvt(store, Filters(scientificName=["Paguma larvata"]), z, x, y),
                                        default_options={"y_coord_down": True})
    points = {f["properties"]["id"]: f for f in decoded["points"]["features"]}
    feature = points[rec["occurrenceID"]]
    px, py = TileGrid(z, x, y).pixels(np.array([rec["decimalLongitude"]]), np.array([rec["decimalLatitude"]]))
    assert feature["geometry"]["coordinates"] == pytest.approx([px[0], py[0]], abs=1)
    assert feature["properties"]["basis"] == rec["basisOfRecord"] and feature["properties"]["year"] == rec["year"]


def test_filters_change_what_tiles_count(store):
    def total(filters):
        layers = tile_layers(store, filters, 2, 3, 1)
        return sum(f["properties"].get("count", 1) for feats in layers.values() for f in feats)

    everything = total(Filters())
    one_species = total(Filters(scientificName=["Paguma larvata"]))
    recent = total(Filters(eventDate=("2020-01-01", "2025-12-31")))
    clean = total(Filters(hasGeospatialIssue=False))
    assert 0 < one_species < everything and 0 < recent < everything
    assert clean == everything - 1
    assert one_species == store.count(Filters(scientificName=["Paguma larvata"], bbox=TileGrid(2, 3, 1).bbox))


def test_sensitive_species_tiles_show_only_generalised_points(store):
    # Arctictis binturong is generalised to 0.1° cells for the public (checklist policy).
    precise = mapped_columns(store, Filters(scientificName=["Arctictis binturong"], access="full"),
                             ("occurrenceID", "decimalLongitude", "decimalLatitude"))
    public = mapped_columns(store, Filters(scientificName=["Arctictis binturong"]),
                            ("occurrenceID", "decimalLongitude", "decimalLatitude"))
    assert len(public["occurrenceID"]) > 0
    centres = (np.floor(public["decimalLatitude"] / 0.1) + 0.5) * 0.1
    assert public["decimalLatitude"] == pytest.approx(centres, abs=1e-6)
    assert not np.allclose(public["decimalLatitude"], precise["decimalLatitude"])
    lon, lat = precise["decimalLongitude"][0], precise["decimalLatitude"][0]
    x, y = _tile_of(lon, lat, 12)
    feats = tile_layers(store, Filters(scientificName=["Arctictis binturong"]), 12, x, y)
    grid = TileGrid(12, x, y)
    px, py = grid.pixels(np.array([lon]), np.array([lat]))
    for f in feats.get("points", []):  # no public point sits on the precise location
        assert abs(f["geometry"].x - px[0]) > 2 or abs(f["geometry"].y - py[0]) > 2


@pytest.mark.parametrize("filters", [Filters(), Filters(scientificName=["Paguma larvata"]),
                                     Filters(scientificName=["Arctictis binturong"]), Filters(access="own:demo"),
                                     Filters(access="full"), Filters(hasGeospatialIssue=False)],
                         ids=["all", "species", "sensitive-species", "submitter", "full", "filtered"])
def test_server_tiles_decode_to_the_features_built_in_python(pg_store, filters):
    store = pg_store
    recs = store.query(Filters(limit=8)).records + store.query(Filters(scientificName=["Arctictis binturong"],
                                                                       limit=4)).records
    layers, compared = set(), 0
    for z in range(3, 15):
        for x, y in {_tile_of(r["decimalLongitude"], r["decimalLatitude"], z) for r in recs}:
            server = store.mvt(filters, TileGrid(z, x, y), EXTENT, POINT_LIMIT if z >= POINT_MIN_ZOOM else 0)
            # the pyramid counts a record on the border of two tiles once; compare with SQL counts at every zoom
            python = encode_mvt(tile_layers(store, filters, z, x, y, pyramid=False))
            assert tile_content(server) == tile_content(python), (z, x, y)
            layers |= set(tile_content(python))
            compared += bool(tile_content(python))
    assert layers == {"grid", "points"} and compared > 50


def test_server_grid_cells_match_above_the_pyramid(pg_store):
    """Grids above zoom 8 need more than POINT_LIMIT records in a tile: with a limit of 0 every tile is a grid."""
    from occurrences.maps.tiles import _grid_features

    store = pg_store
    x, y = _tile_of(101.25, 14.4, 9)  # the record "on-edge" is on the west edge of this tile
    for f in (Filters(), Filters(access="full")):
        for grid in (TileGrid(9, x, y), TileGrid(9, x - 1, y)):
            cells = np.array(store.grid_counts(f, grid), dtype="float64").reshape(-1, 5)
            assert len(cells) > 10
            expected = tile_content(encode_mvt({"grid": _grid_features(cells, grid)}))
            assert tile_content(store.mvt(f, grid, EXTENT, 0)) == expected
        assert grid.n in cells[:, 0]  # the edge case was there to compare
    total = int(cells[:, 2].sum())  # as tile_layers: points up to and including the limit
    assert list(tile_content(store.mvt(Filters(access="full"), grid, EXTENT, total))) == ["points"]
    assert list(tile_content(store.mvt(Filters(access="full"), grid, EXTENT, total - 1))) == ["grid"]


def test_tile_mvt_uses_the_server_encoder_above_the_pyramid(pg_store):
    store = pg_store
    rec = store.query(Filters(scientificName=["Paguma larvata"], limit=1)).records[0]
    f = Filters(scientificName=["Paguma larvata"])
    for z in (PYRAMID_ZOOM + 1, 12):
        x, y = _tile_of(rec["decimalLongitude"], rec["decimalLatitude"], z)
        assert tile_mvt(store, f, z, x, y) == store.mvt(f, TileGrid(z, x, y), EXTENT, POINT_LIMIT)
    # an empty tile: the server sends no layer at all, the Python encoder an empty "grid" layer
    assert tile_mvt(store, f, 12, 0, 0) == b""
    assert mapbox_vector_tile.decode(tile_mvt(store, f, PYRAMID_ZOOM, 0, 0)) == {
        "grid": {"extent": EXTENT, "version": 2, "type": "FeatureCollection", "features": []}}


def test_server_tiles_show_a_sensitive_record_only_where_the_public_sees_it(pg_store):
    store = pg_store
    species = Filters(scientificName=["Arctictis binturong"])
    rec = store.query(species.replace(access="full", limit=1)).records[0]
    public = store.get(rec["occurrenceID"])
    assert (public["decimalLatitude"], public["decimalLongitude"]) != (rec["decimalLatitude"],
                                                                       rec["decimalLongitude"])
    for z in (9, 12, 14):
        for access, lon, lat in (("public", public["decimalLongitude"], public["decimalLatitude"]),
                                 ("full", rec["decimalLongitude"], rec["decimalLatitude"])):
            for at_lon, at_lat in ((rec["decimalLongitude"], rec["decimalLatitude"]),
                                   (public["decimalLongitude"], public["decimalLatitude"])):
                x, y = _tile_of(at_lon, at_lat, z)
                grid = TileGrid(z, x, y)
                decoded = mapbox_vector_tile.decode(tile_mvt(store, species.replace(access=access), z, x, y),
                                                    default_options={"y_coord_down": True})
                mine = [f["geometry"]["coordinates"] for f in decoded.get("points", {}).get("features", [])
                        if f["properties"]["id"] == rec["occurrenceID"]]
                px, py = grid.pixels(np.array([lon]), np.array([lat]))
                inside = 0 <= px[0] < EXTENT and 0 <= py[0] < EXTENT
                assert mine == ([[round(px[0]), round(py[0])]] if inside else []), (access, z)
        # and no public feature at all sits on the precise point
        x, y = _tile_of(rec["decimalLongitude"], rec["decimalLatitude"], z)
        px, py = TileGrid(z, x, y).pixels(np.array([rec["decimalLongitude"]]), np.array([rec["decimalLatitude"]]))
        decoded = mapbox_vector_tile.decode(tile_mvt(store, Filters(), z, x, y), default_options={"y_coord_down": True})
        assert all(abs(f["geometry"]["coordinates"][0] - px[0]) > 2 or abs(f["geometry"]["coordinates"][1] - py[0]) > 2
                   for f in decoded.get("points", {}).get("features", []))


def test_tiles_over_http_and_bad_tile_numbers(store):
    from fastapi.testclient import TestClient

    from occurrences.api import create_app

    with TestClient(create_app(store=store)) as client:
        ok = client.get("/tiles/2/3/1.mvt", params={"scientificName": "masked palm civet"})
        bad = client.get("/tiles/2/9/1.mvt")
        unknown = client.get("/tiles/2/3/1.mvt", params={"colour_me": "red"})
    assert ok.status_code == 200 and ok.headers["content-type"] == "application/vnd.mapbox-vector-tile"
    cells = mapbox_vector_tile.decode(ok.content)["grid"]["features"]
    assert sum(f["properties"]["count"] for f in cells) == store.count(
        Filters(scientificName=["Paguma larvata"], bbox=TileGrid(2, 3, 1).bbox))
    assert bad.status_code == 400 and "x" in bad.json()["message"]
    assert unknown.status_code == 400
