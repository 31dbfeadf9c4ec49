"""Query completeness through the HTTP API: combined filters, name resolution, facets, cursor paging while
records are added, date sorting, streamed formats, and validation errors in the request's language."""
import csv
import io
import json
import uuid

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po
from fastapi.testclient import TestClient

from occurrences import i18n
from occurrences.api import create_app
from occurrences.demo import demo_records
from occurrences.settings import Settings
from occurrences.store import open_store


def add_accepted(store, records):
    return store.add_many(records, submitted_by="demo", status="accepted")


@pytest.fixture()
def db_url(store_url):  # once per backend (tests/conftest.py)
    url = store_url
    store = open_store(url)
    add_accepted(store, demo_records(400))
    store.close()
    return url


@pytest.fixture()
def client(db_url):
    with TestClient(create_app(Settings(db=db_url))) as c:
        yield c


def all_ids(client, params):
    ids, params = [], dict(params)
    while True:
        body = client.get("/occurrences", params=params).json()
        ids += [f["id"] for f in body["features"]]
        if not body["next_cursor"]:
            return ids
        params["cursor"] = body["next_cursor"]


def test_every_filter_combines(client):
    params = {"countryCode": "TH|VN", "year": "2008,2022", "bbox": "97,5,110,23",
              "basisOfRecord": ["HumanObservation", "MachineObservation"], "eventDate": "2008-01-01,2022-12-31",
              "limit": 1000}
    features = client.get("/occurrences", params=params).json()["features"]
    assert features
    for f in features:
        p = f["properties"]
        assert p["countryCode"] in ("TH", "VN") and 2008 <= p["year"] <= 2022
        assert p["basisOfRecord"] in ("HumanObservation", "MachineObservation")
        assert 97 <= p["decimalLongitude"] <= 110 and 5 <= p["decimalLatitude"] <= 23
    # The same filters, one at a time, intersect to the same set.
    everything = {f["id"]: f["properties"] for f in client.get("/occurrences", params={"limit": 1000}).json()["features"]}
    expected = {i for i, p in everything.items() if p["countryCode"] in ("TH", "VN") and 2008 <= p["year"] <= 2022
                and p["basisOfRecord"] in ("HumanObservation", "MachineObservation")
                and 97 <= p["decimalLongitude"] <= 110 and 5 <= p["decimalLatitude"] <= 23}
    assert {f["id"] for f in features} == expected


@pytest.mark.parametrize("typed", ["Binturong", "หมีขอ", "Cầy mực", "arctictis binturong"])
def test_scientific_name_accepts_vernacular_names_and_synonyms(client, typed):
    pytest.importorskip("occurrences.taxa")
    by_name = client.get("/occurrences", params={"scientificName": "Arctictis binturong", "limit": 1000}).json()
    typed_body = client.get("/occurrences", params={"scientificName": typed, "limit": 1000}).json()
    assert by_name["features"]
    assert [f["id"] for f in typed_body["features"]] == [f["id"] for f in by_name["features"]]


def test_facets_count_under_the_same_filters(client):
    params = {"countryCode": "TH", "year": "2010,2020"}
    body = client.get("/occurrences/facets", params={**params, "facet": ["countryCode", "scientificName", "year"],
                                                     "facetLimit": 100}).json()
    features = client.get("/occurrences", params={**params, "limit": 1000}).json()["features"]
    assert body["count"] == len(features)
    assert body["facets"]["countryCode"] == [{"value": "TH", "count": len(features)}]
    years = {}
    for f in features:
        years[f["properties"]["year"]] = years.get(f["properties"]["year"], 0) + 1
    assert {v["value"]: v["count"] for v in body["facets"]["year"]} == years
    assert sum(v["count"] for v in body["facets"]["scientificName"]) == len(features)
    counts = [v["count"] for v in body["facets"]["year"]]
    assert counts == sorted(counts, reverse=True)  # most frequent first


def test_facet_limit_and_bad_facet(client):
    body = client.get("/occurrences/facets", params={"facet": "year", "facetLimit": 2}).json()
    assert len(body["facets"]["year"]) == 2
    assert client.get("/occurrences/facets", params={"facet": "decimalLatitude"}).status_code == 400
    assert client.get("/occurrences/facets", params={"facet": "year", "facetLimit": "0"}).status_code == 400


@pytest.mark.parametrize("sort", ["seq", "eventDate"])
def test_cursor_paging_stays_correct_while_records_are_added(client, db_url, sort):
    params = {"countryCode": "KH", "limit": 25, "sort": sort}
    before = all_ids(client, params)
    first = client.get("/occurrences", params=params).json()
    store = open_store(db_url)
    try:  # New records, some dated before and some after everything already seen.
        new = [{**r, "occurrenceID": str(uuid.uuid4()), "countryCode": "KH",
                "eventDate": "2001-01-01" if i % 2 else "2030-01-01"}
               for i, r in enumerate(demo_records(40, seed=99))]
        add_accepted(store, new)
    finally:
        store.close()
    seen = [f["id"] for f in first["features"]]
    params["cursor"] = first["next_cursor"]
    seen += all_ids(client, params)
    assert len(seen) == len(set(seen)), "a record was returned twice"
    assert set(before) <= set(seen), "a record present before the insert was skipped"
    new_ids = {r["occurrenceID"] for r in new}
    if sort == "seq":  # appended records come after the cursor: all of them are reached, at the end
        assert set(seen[-len(new_ids):]) == new_ids
    else:  # later-dated ones are after the cursor and reached; earlier-dated ones are not
        assert {r["occurrenceID"] for r in new if r["eventDate"] == "2030-01-01"} <= set(seen)


def test_sort_by_date(client):
    for sort, ordered in (("eventDate", lambda d: d == sorted(d)), ("-eventDate", lambda d: d == sorted(d, reverse=True))):
        dates, params = [], {"sort": sort, "limit": 70, "countryCode": "MM"}
        while True:
            body = client.get("/occurrences", params=params).json()
            dates += [f["properties"]["eventDate"] for f in body["features"]]
            if not body["next_cursor"]:
                break
            params["cursor"] = body["next_cursor"]
        assert len(dates) == 80 and ordered(dates)


def test_csv_and_ndjson_stream_every_record_with_all(client):
    n = client.get("/occurrences/facets", params={"countryCode": "VN", "facet": "year"}).json()["count"]
    r = client.get("/occurrences", params={"countryCode": "VN", "format": "csv", "all": "true", "limit": 5})
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert r.headers["content-type"].startswith("text/csv") and len(rows) == n == int(r.headers["x-total-count"])
    assert {row["countryCode"] for row in rows} == {"VN"}
    r = client.get("/occurrences", params={"countryCode": "VN", "format": "ndjson", "all": "true"})
    lines = [json.loads(line) for line in r.text.splitlines()]
    assert [x["occurrenceID"] for x in lines] == [row["occurrenceID"] for row in rows]


def test_all_refuses_more_than_the_cap(client, monkeypatch):
    from occurrences.api import occurrences as endpoint

    monkeypatch.setattr(endpoint, "MAX_STREAM_RECORDS", 10)
    r = client.get("/occurrences", params={"format": "csv", "all": "true"})
    assert r.status_code == 400 and r.json()["code"] == "invalid-parameter"


# -- errors in the request's language ------------------------------------------------------------------------
BBOX_REASON = "use minLon,minLat,maxLon,maxLat with -180 ≤ lon ≤ 180, -90 ≤ lat ≤ 90 and min < max"
WKT_REASON = "use a valid WKT POLYGON or MULTIPOLYGON in WGS84 longitude/latitude"
DATE_REASON = "use a date YYYY-MM-DD or a range YYYY-MM-DD,YYYY-MM-DD"
CHOICE_REASON = "use one of: "
TEMPLATE = "Parameter {name} has an invalid value {value!r}: {reason}"
MARK = {"th": "ไทย", "vi": "VI"}


@pytest.fixture()
def catalogs(tmp_path, monkeypatch):
    """Small th and vi catalogs standing in for the real ones, so the test shows the request's language is
    used whatever the state of the project's translations."""
    for lang, mark in MARK.items():
        catalog = Catalog(locale=lang, domain=i18n.DOMAIN)
        catalog.add(TEMPLATE, f"[{mark}] {{name}} = {{value!r}}: {{reason}}")
        for reason in (BBOX_REASON, WKT_REASON, DATE_REASON, CHOICE_REASON):
            catalog.add(reason, f"[{mark}] {reason}")
        path = tmp_path / lang / "LC_MESSAGES" / f"{i18n.DOMAIN}.po"
        path.parent.mkdir(parents=True)
        with path.open("wb") as fh:
            write_po(fh, catalog)
    monkeypatch.setattr(i18n, "catalog_path", lambda lang: tmp_path / lang / "LC_MESSAGES" / f"{i18n.DOMAIN}.po")
    i18n.translations.cache_clear()
    yield
    i18n.translations.cache_clear()


@pytest.mark.parametrize("params, reason", [
    ({"bbox": "100,20,90,10"}, BBOX_REASON),
    ({"bbox": "a,b,c,d"}, BBOX_REASON),
    ({"geometry": "POLYGON((100 10, 101 10"}, WKT_REASON),
    ({"eventDate": "2020-13-45"}, DATE_REASON),
])
def test_bad_parameters_get_a_400_in_the_request_language(client, catalogs, params, reason):
    th = client.get("/occurrences", params={**params, "lang": "th"})
    assert th.status_code == 400 and th.json()["code"] == "invalid-parameter"
    assert th.json()["message"].startswith("[ไทย]") and f"[ไทย] {reason}" in th.json()["message"]
    client.cookies.clear()
    vi = client.get("/occurrences", params=params, headers={"Accept-Language": "vi-VN,vi;q=0.9,en;q=0.5"})
    assert vi.status_code == 400 and f"[VI] {reason}" in vi.json()["message"]
    en = client.get("/occurrences", params=params, headers={"Accept-Language": "en"})
    assert reason in en.json()["message"] and "[" not in en.json()["message"][:3]


def test_a_reason_listing_choices_is_translated_and_keeps_the_list(client, catalogs):
    """The allowed values follow the translated reason ("use one of: " + the list is not a msgid)."""
    r = client.get("/occurrences/facets", params={"facet": "decimalLatitude", "lang": "th"})
    assert r.status_code == 400 and r.json()["code"] == "invalid-parameter"
    assert "[ไทย] use one of: countryCode, scientificName" in r.json()["message"]


def test_a_viet_nam_province_filter_finds_the_records_named_before_or_after_the_merger(store_url):
    store = open_store(store_url)
    add_accepted(store, [{"occurrenceID": f"vn-{i}", "scientificName": "Paguma larvata", "countryCode": "VN",
                          "basisOfRecord": "HumanObservation", "stateProvince": province, "eventDate": when}
                         for i, (province, when) in enumerate([("Quảng Bình", "2024-04-02"),
                                                               ("Quảng Trị", "2025-09-14"), ("Hà Nội", "2025-08-01")])])
    store.close()
    with TestClient(create_app(Settings(db=store_url))) as client:
        for name in ("Quảng Trị", "Quảng Bình"):
            assert sorted(all_ids(client, {"stateProvince": name})) == ["vn-0", "vn-1"]
        assert all_ids(client, {"stateProvince": "Hà Nội"}) == ["vn-2"]


def test_date_filters_find_intervals_by_overlap_in_api_ogc_and_cli(db_url):
    from click.testing import CliRunner

    from occurrences.cli import cli

    store = open_store(db_url)
    add_accepted(store, [{"occurrenceID": "survey-1", "basisOfRecord": "MachineObservation",
                          "scientificName": "Paguma larvata", "eventDate": "1999-12-20/2000-01-10",
                          "decimalLatitude": 14.5, "decimalLongitude": 101.2, "countryCode": "TH"}])
    store.close()
    with TestClient(create_app(Settings(db=db_url))) as client:
        def found(params):
            return "survey-1" in all_ids(client, {"limit": 1000, **params})

        assert found({"eventDate": "2000-01-05"}) and found({"eventDate": "1999-12-31,2000-01-01"})
        assert found({"year": "2000"}) and found({"year": "1999"})
        assert not found({"eventDate": "2000-01-11,2000-02-01"}) and not found({"year": "2001"})
        ogc = client.get("/ogc/collections/occurrences/items",
                         params={"datetime": "2000-01-01T00:00:00Z/2000-01-02T00:00:00Z", "limit": 1000}).json()
        assert "survey-1" in {f["id"] for f in ogc["features"]}
    out = CliRunner().invoke(cli, ["query", "--db", db_url, "--eventDate", "2000-01-05", "--format", "ndjson"])
    assert out.exit_code == 0 and "survey-1" in out.output
