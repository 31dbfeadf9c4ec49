"""Viet Nam's provinces before and after the merger of 2025-07-01: the data kept in the repository, the checks
against the units of a record's date, and the build step that refuses a mapping it cannot read."""
import csv
import shutil
from pathlib import Path

import numpy as np
import pycountry
import pytest

from occurrences.quality import check_batch
from occurrences.quality.vn_provinces import NEW, OLD, VN_DIR, load, locate, name_key
from occurrences.quality.vn_provinces_build import ProvinceMappingRejected, build

from .support import browser_page, live_server, needs_chromium

SOURCE = Path("/work/shared/data/vn-provinces-2025")
DONG_HOI = (17.4687, 106.6227)  # former Quảng Bình, in Quảng Trị since 2025-07-01
DONG_HA = (16.8163, 107.1003)  # former and new Quảng Trị
HANOI_OLD_QUARTER = (21.0340, 105.8500)


def flags(rows):
    cols = {k: [r.get(k) for r in rows] for k in ("decimalLatitude", "decimalLongitude", "countryCode",
                                                  "eventDate", "stateProvince")}
    return [[f for f in row if f.field == "stateProvince"] for row in check_batch(cols).rows]


def record(point, date, province, country="VN"):
    return {"decimalLatitude": point[0], "decimalLongitude": point[1], "countryCode": country, "eventDate": date,
            "stateProvince": province}


def test_both_sets_are_kept_with_their_validity_dates():
    p = load()
    old = [u for u in p.units if u.set == OLD]
    new = [u for u in p.units if u.set == NEW]
    assert len(old) == 63 and len(new) == 34 and len(p.polygons) == 34
    assert {u.valid_until.isoformat() for u in old} == {"2025-06-30"}
    assert {u.valid_from.isoformat() for u in new} == {"2025-07-01"}
    # Every former unit is one of the ISO 3166-2 subdivisions the project already has, and became one new unit.
    assert {u.code for u in old} == {s.code for s in pycountry.subdivisions.get(country_code="VN")}
    assert len(p.successor) == 63 and set(p.successor.values()) == set(new)
    assert sorted(p.find("Quảng Trị", NEW).merged_from) == ["Quảng Bình", "Quảng Trị"]


def test_names_in_six_languages_each_with_its_source():
    for unit in load().units:
        assert set(unit.names) == {"en", "th", "vi", "km", "lo", "my"} and all(unit.names.values())
        assert set(unit.sources) == set(unit.names) and all(unit.sources.values())
    quang_tri = load().find("Quang Tri", NEW)
    assert quang_tri.names["lo"] == "ກວາງຕຣີ" and quang_tri.sources["lo"].startswith("iso-codes")
    assert quang_tri.names["en"] == "Quảng Trị" and quang_tri.sources["en"] == "CLDR 48.2 subdivisions"
    assert quang_tri.names["km"] == "Quang Tri" and quang_tri.sources["km"] == "romanised"
    assert load().find("Hanoi", NEW).name == "Hà Nội"  # CLDR's English name finds the unit too


def test_spelling_variants_are_one_name():
    assert name_key("Tỉnh Khánh Hoà") == name_key("Khanh Hoa") == name_key("Khánh Hòa")
    assert name_key("TP. Hồ Chí Minh") == name_key("Hồ Chí Minh")
    assert load().find("Đăk Lăk", OLD).code == "VN-33"


def test_known_places_fall_in_their_new_units():
    # Nha Trang's station, 1.5 km inland: the simplified coast (~500 m) may cut off a point on the beach, which
    # is why the province check allows the border tolerance.
    lat, lon = zip(DONG_HOI, (17.5906, 106.2833), HANOI_OLD_QUARTER, (10.7769, 106.7009), (12.2488, 109.1832))
    assert list(locate(load(), np.array(lon), np.array(lat))) == ["Quảng Trị", "Quảng Trị", "Hà Nội",
                                                                   "Hồ Chí Minh", "Khánh Hòa"]


def test_a_former_province_after_the_merger_is_told_its_new_name():
    got = flags([record(DONG_HOI, "2025-09-14", "Quảng Bình")])[0]
    assert [f.code for f in got] == ["PROVINCE_MERGED"]
    assert got[0].suggestion == {"stateProvince": "Quảng Trị"}
    assert "Quảng Trị" in got[0].message("en")


def test_the_new_name_after_and_the_old_name_before_the_merger_pass():
    assert flags([record(DONG_HOI, "2025-09-14", "Quảng Trị"), record(DONG_HOI, "2024-05-01", "Quảng Bình"),
                  record(DONG_HOI, "2025", "Quảng Bình"), record(DONG_HOI, "2025-09-14", "Quang Tri")]) == [[]] * 4


def test_a_new_unit_before_the_merger_is_told_the_former_name():
    got = flags([record((16.4637, 107.5909), "2023-02-01", "Huế")])[0]
    assert [f.code for f in got] == ["PROVINCE_NOT_YET_CREATED"]
    assert got[0].suggestion == {"stateProvince": "Thừa Thiên-Huế"}


def test_a_point_outside_the_named_new_unit_is_flagged_with_where_it_is():
    got = flags([record(HANOI_OLD_QUARTER, "2025-10-01", "Quảng Trị"),
                 record(HANOI_OLD_QUARTER, "2025-10-01", "Bangkok", "TH")])
    assert [f.code for f in got[0]] == ["PROVINCE_COORDINATE_MISMATCH"]
    assert got[0][0].params["located"] == "Hà Nội" and got[0][0].params["distance_km"] > 300
    assert got[1] == []


def test_a_record_after_the_merger_is_checked_against_the_34_units():
    # Đồng Hới was never in the former Quảng Trị, but is in the new one: no flag after the merger.
    assert flags([record(DONG_HOI, "2025-08-01", "Quảng Trị")]) == [[]]


def test_a_record_before_the_merger_is_checked_against_the_63_units(monkeypatch):
    from occurrences.quality import boundaries, provinces

    b = boundaries.load_boundaries()
    if b.provinces is None:
        pytest.skip("the 63 former units' polygons come from `occurrences geodata build` (npm), not built here")
    got = flags([record(DONG_HOI, "2024-08-01", "Quảng Trị"), record(DONG_HA, "2024-08-01", "Quảng Trị")])
    assert [f.code for f in got[0]] == ["PROVINCE_COORDINATE_MISMATCH"] and got[1] == []
    assert got[0][0].params["located"] == "Quảng Bình"


def _copy_source(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(SOURCE, src)
    for path in src.iterdir():
        path.chmod(0o644)
    return src


@pytest.mark.slow
def test_the_build_reproduces_the_files_in_the_repository(tmp_path):
    out = build(_copy_source(tmp_path), tmp_path / "out")
    for name in ("units.csv", "old63_to_new34.csv", "vn_provinces_34.geojson"):
        assert (out / name).read_bytes() == (VN_DIR / name).read_bytes(), name


def test_the_filter_expansion_has_the_romanised_names():
    from occurrences.quality.vn_provinces import expand_province_names

    names = expand_province_names(["Hà Nội"])
    assert {"Hà Nội", "Ha Noi", "Hanoi", "Thành phố Hà Nội", "TP Hà Nội"} <= set(names)
    assert expand_province_names(["Chiang Mai"]) == ["Chiang Mai"]


@pytest.mark.parametrize("edit, says", [
    (lambda rows: rows.append(["Quảng Bìnhh", "Quảng Trị"]), "'Quảng Bìnhh', which is not one of Viet Nam's 63"),
    (lambda rows: rows.append(["Quảng Bình", "Quảng Trị"]), "maps 'Quảng Bình' a second time"),
    (lambda rows: rows.__setitem__(6, ["Cà Mau", "Atlantis"]), "'Atlantis' has no polygon"),
    (lambda rows: rows.pop(3), "does not say what became of Bắc Giang"),
])
def test_a_mapping_with_an_unknown_name_is_refused_and_the_previous_data_kept(tmp_path, edit, says):
    src = _copy_source(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    for name in ("units.csv", "old63_to_new34.csv", "vn_provinces_34.geojson"):
        shutil.copy2(VN_DIR / name, out / name)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    path = src / "old63_to_new34.csv"
    rows = list(csv.reader(path.open(encoding="utf-8")))
    edit(rows)
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    with pytest.raises(ProvinceMappingRejected) as err:
        build(src, out)
    assert says in str(err.value) and "previous province data kept" in str(err.value)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_the_build_command_says_why_it_refused(tmp_path, capsys):
    from occurrences.quality.vn_provinces_build import main

    src = _copy_source(tmp_path)
    with (src / "old63_to_new34.csv").open("a", encoding="utf-8") as fh:
        fh.write("Atlantis,Quảng Trị\n")
    assert main([str(src), str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "row 65 names 'Atlantis'" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_map_sets_follow_the_records_dates():
    from occurrences.quality.vn_provinces import set_for_dates, set_for_years

    assert set_for_dates([]) == NEW and set_for_years(None) == NEW  # default: current
    assert set_for_dates(["2024-12-31", "2025-06-30"]) == OLD
    assert set_for_dates(["2024-12-31", "2025-07-01"]) == NEW
    assert set_for_years([2019, 2024]) == OLD and set_for_years([2019, 2025]) == NEW


@pytest.fixture(scope="module")
def built_provinces():
    from occurrences.maps import basemap

    if basemap.province_file() is None:
        pytest.skip("province borders are drawn only after `occurrences geodata build` (npm)")


def test_map_draws_viet_nam_with_the_units_of_the_records_dates(built_provinces, tmp_path):
    import json

    import shapely
    from fastapi.testclient import TestClient

    from occurrences.api import create_app
    from occurrences.settings import Settings

    # The border between the former Quảng Bình and Quảng Trị (near 17.1 N on the coast) is gone after the merger.
    old_border = shapely.box(106.6, 16.9, 107.0, 17.2)
    with TestClient(create_app(Settings(db=f"sqlite:///{tmp_path / 'm.db'}"))) as client:
        def vn_lines(params):
            r = client.get("/maps/provinces.geojson", params=params)
            assert r.status_code == 200
            feature = next(f for f in r.json()["features"] if f["properties"]["country"] == "VN")
            return shapely.from_geojson(json.dumps(feature["geometry"]))

        current, before, after = vn_lines({}), vn_lines({"date": "2024-05"}), vn_lines({"date": "2025-09-14"})
        assert current.equals(after) and not current.equals(before)
        assert before.intersects(old_border) and not after.intersects(old_border)
        # Đồng Hới (former Quảng Bình) and Đông Hà (former Quảng Trị) are one unit now: no border between them.
        between = shapely.LineString([DONG_HOI[::-1], DONG_HA[::-1]])
        assert before.intersects(between) and not after.intersects(between)
        assert client.get("/maps/provinces.geojson", params={"date": "soon"}).status_code == 400


def test_an_import_stores_the_flag_with_the_new_name_to_accept(tmp_path):
    from occurrences.ingest import import_bytes
    from occurrences.store import Filters, open_store

    store = open_store(f"sqlite:///{tmp_path / 'i.db'}")
    data = ("occurrenceID,scientificName,basisOfRecord,eventDate,countryCode,stateProvince,decimalLatitude,"
            "decimalLongitude\nvn-1,Paguma larvata,HumanObservation,2025-09-14,VN,Quảng Bình,17.4687,106.6227\n"
            "vn-2,Paguma larvata,HumanObservation,2024-09-14,VN,Quảng Bình,17.4687,106.6227\n").encode()
    import_bytes(store, data, "vn.csv", status="accepted")
    merged = Filters(access="full", issue=["PROVINCE_MERGED"])
    assert [r["occurrenceID"] for r in store.query(merged).records] == ["vn-1"]
    store.close()


def test_messages_name_the_province_in_the_readers_language_and_suggest_the_official_name():
    flag = flags([record(DONG_HOI, "2025-09-14", "Quảng Bình")])[0][0]
    assert "ກວາງຕຣີ (Quảng Trị)" in flag.message("lo")  # Lao name from iso-codes, the official one beside it
    assert "Quảng Trị" in flag.message("vi") and "(Quảng Trị)" not in flag.message("vi")
    assert flag.suggestion == {"stateProvince": "Quảng Trị"}  # what a reviewer accepts: the official name


def test_a_reviewer_accepts_the_new_name_in_one_action(tmp_path):
    from occurrences import review
    from occurrences.auth import User
    from occurrences.ingest import import_bytes
    from occurrences.store import open_store

    store = open_store(f"sqlite:///{tmp_path / 'r.db'}")
    data = ("occurrenceID,scientificName,basisOfRecord,eventDate,countryCode,stateProvince,decimalLatitude,"
            "decimalLongitude\nvn-1,Paguma larvata,HumanObservation,2025-09-14,VN,Tỉnh Quảng Bình,17.4687,106.6227\n").encode()
    import_bytes(store, data, "vn.csv", submitted_by="alice")
    record = store.get("vn-1", access="full")
    assert review.suggestions(record) == {"PROVINCE_MERGED": {"stateProvince": "Quảng Trị"}}
    fixed = review.accept_suggestion(store, "vn-1", "PROVINCE_MERGED", User("rita", "reviewer"))
    assert fixed["stateProvince"] == "Quảng Trị" and "PROVINCE_MERGED" not in (fixed["issues"] or [])
    store.close()


@pytest.mark.browser
@needs_chromium()
def test_species_map_draws_the_province_set_of_its_to_date(built_provinces, tmp_path):
    from occurrences.demo import demo_records
    from occurrences.store import open_store

    url = f"sqlite:///{tmp_path / 'map.db'}"
    store = open_store(url)
    store.add_many(demo_records(30), submitted_by="demo", status="accepted")
    store.close()
    with live_server(url) as base, browser_page() as page:
        page.goto(f"{base}/species/Paguma%20larvata?lang=en")
        page.wait_for_selector("#map[data-ready=true]", timeout=30_000)
        source = "() => occMap.getSource('provinces').serialize().data"
        assert page.evaluate(source).endswith("/maps/provinces.geojson")  # default: the current units
        page.fill("input[name=dateTo]", "2024-12-31")
        page.dispatch_event("input[name=dateTo]", "change")
        assert page.evaluate(source).endswith("/maps/provinces.geojson?date=2024-12-31")
        page.wait_for_function("() => occMap.loaded() && occMap.isSourceLoaded('provinces')", timeout=30_000)
        assert page.outside_requests == []
