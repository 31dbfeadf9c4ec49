"""The HTTP API through FastAPI's test client, and once against a real `occurrences serve` process."""
import csv
import io
import json
import urllib.request

import pytest
from fastapi.testclient import TestClient

from occurrences.api import create_app
from occurrences.demo import demo_records
from occurrences.settings import Settings
from occurrences.store import open_store

from .support import live_server


@pytest.fixture(scope="module")
def db_url(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('api') / 'api.db'}"
    open_store(url).add_many(demo_records(), submitted_by="demo", status="accepted")
    return url


@pytest.fixture(scope="module")
def client(db_url):
    with TestClient(create_app(Settings(db=db_url))) as c:
        yield c


def test_health(client):
    body = client.get("/health").json()
    assert body["status"] == "ok" and body["records"] >= 400


def test_list_is_geojson_and_pages_with_cursor(client):
    seen = []
    params = {"countryCode": "LA", "limit": 30}
    while True:
        r = client.get("/occurrences", params=params)
        assert r.status_code == 200 and r.headers["content-type"].startswith("application/geo+json")
        body = r.json()
        assert body["type"] == "FeatureCollection"
        seen += [f["id"] for f in body["features"]]
        assert all(f["properties"]["countryCode"] == "LA" for f in body["features"])
        if not body["next_cursor"]:
            break
        assert 'rel="next"' in r.headers["link"]
        params["cursor"] = body["next_cursor"]
    assert len(seen) == len(set(seen)) == 80  # 400 demo records, a fifth in Lao PDR


def test_filters_combine(client):
    body = client.get("/occurrences", params={"countryCode": "TH", "year": "2010,2015",
                                              "bbox": "97,5,106,21", "limit": 1000}).json()
    assert body["features"]
    for f in body["features"]:
        p = f["properties"]
        assert p["countryCode"] == "TH" and 2010 <= p["year"] <= 2015
        assert 97 <= p["decimalLongitude"] <= 106 and 5 <= p["decimalLatitude"] <= 21


def test_geometry_filter_is_exact(client):
    # A triangle: points inside its bbox but outside the triangle must not come back.
    wkt = "POLYGON((98 18, 100 18, 98 20, 98 18))"
    body = client.get("/occurrences", params={"geometry": wkt, "limit": 1000}).json()
    for f in body["features"]:
        x, y = f["geometry"]["coordinates"]
        assert x >= 98 and y >= 18 and (x - 98) + (y - 18) <= 2
    box = client.get("/occurrences", params={"bbox": "98,18,100,20", "limit": 1000}).json()
    assert len(body["features"]) < len(box["features"])


def test_csv_and_ndjson(client):
    r = client.get("/occurrences", params={"format": "csv", "countryCode": "KH", "limit": 5})
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) == 5 and all(row["countryCode"] == "KH" for row in rows)
    r = client.get("/occurrences", params={"format": "ndjson", "limit": 3})
    assert [json.loads(line)["occurrenceID"] for line in r.text.splitlines()].__len__() == 3


def test_one_record_and_not_found(client):
    first = client.get("/occurrences", params={"limit": 1}).json()["features"][0]
    r = client.get(f"/occurrences/{first['id']}")
    assert r.status_code == 200 and r.json()["properties"] == first["properties"]
    missing = client.get("/occurrences/does-not-exist")
    assert missing.status_code == 404
    assert missing.json() == {"code": "not-found", "status": 404,
                              "message": "No occurrence with id does-not-exist. Check the id, or search with GET /occurrences."}


@pytest.mark.parametrize("params,code", [
    ({"bbox": "1,2,3"}, "invalid-parameter"),
    ({"geometry": "POLYGON((0 0, 1 1))"}, "invalid-parameter"),
    ({"eventDate": "2024-02-30"}, "invalid-parameter"),
    ({"limit": "0"}, "invalid-parameter"),
    ({"cursor": "not-a-cursor"}, "invalid-parameter"),
    ({"colour": "brown"}, "unknown-parameter"),
    ({"format": "xml"}, "invalid-request"),
])
def test_bad_parameters_get_one_error_body(client, params, code):
    r = client.get("/occurrences", params=params)
    assert r.status_code == 400
    body = r.json()
    assert body["code"] == code and body["status"] == 400 and body["message"]


def test_unknown_route_uses_the_same_error_body(client):
    body = client.get("/no/such/page").json()
    assert body["status"] == 404 and body["code"] == "http-404"


def test_openapi_docs(client):
    assert client.get("/docs").status_code == 200
    spec = client.get("/openapi.json").json()
    assert "/occurrences" in spec["paths"] and "/occurrences/{occurrence_id}" in spec["paths"]


def test_real_server_process(db_url):
    with live_server(db_url) as base:
        health = json.loads(urllib.request.urlopen(base + "/health").read())
        assert health["records"] >= 400
        body = json.loads(urllib.request.urlopen(base + "/occurrences?countryCode=VN&limit=5").read())
        assert len(body["features"]) == 5
        try:
            urllib.request.urlopen(base + "/occurrences?bbox=oops")
            raise AssertionError("expected HTTP 400")
        except urllib.error.HTTPError as err:
            assert err.code == 400 and json.loads(err.read())["code"] == "invalid-parameter"
