"""OGC API – Features under /ogc: the documents and parameters through the test client, then real clients
nobody here wrote (OWSLib's Features client, GDAL's OAPIF driver through pyogrio) against a running server."""
import datetime as dt

import pytest
from fastapi.testclient import TestClient

from occurrences.api import create_app
from occurrences.api.ogc import CONFORMANCE
from occurrences.demo import demo_records
from occurrences.settings import Settings
from occurrences.store import Filters, open_store

from .conftest import BACKENDS, fresh_db_url
from .support import live_server

N = 10_000
BBOX = (97.0, 5.0, 106.0, 21.0)


@pytest.fixture(scope="module", params=BACKENDS)
def db_url(request, tmp_path_factory):
    with fresh_db_url(request.param, tmp_path_factory.mktemp("ogc")) as url:
        store = open_store(url)
        store.add_many(demo_records(N), submitted_by="demo", status="accepted")
        store.close()
        yield url


@pytest.fixture(scope="module")
def store(db_url):
    s = open_store(db_url)
    yield s
    s.close()


@pytest.fixture(scope="module")
def client(db_url):
    with TestClient(create_app(Settings(db=db_url))) as c:
        yield c


def items(client, cid="occurrences", **params):
    r = client.get(f"/ogc/collections/{cid}/items", params=params)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/geo+json")
    return r.json()


def all_items(client, cid="occurrences", **params):
    body = items(client, cid, **params)
    features = list(body["features"])
    while nxt := next((link["href"] for link in body["links"] if link["rel"] == "next"), None):
        r = client.get(nxt)
        body = r.json()
        features += body["features"]
    return features


# -- documents -------------------------------------------------------------------------------------------------
def test_landing_and_conformance(client):
    body = client.get("/ogc").json()
    rels = {link["rel"]: link["href"] for link in body["links"]}
    assert {"self", "conformance", "data", "service-desc", "service-doc"} <= set(rels)
    assert client.get(rels["service-desc"].replace("http://testserver", "")).json()["paths"]["/ogc/collections/{cid}/items"]
    conf = client.get("/ogc/conformance").json()["conformsTo"]
    assert conf == CONFORMANCE
    assert not any("oas30" in c for c in conf)  # FastAPI serves OpenAPI 3.1, so we do not claim 3.0


def test_collections_one_per_species_with_extents(client, store):
    body = client.get("/ogc/collections").json()
    ids = [c["id"] for c in body["collections"]]
    species = [v for v, _n in store.facets(Filters(), ["scientificName"], limit=1000)["scientificName"]]
    assert ids[0] == "occurrences" and sorted(ids[1:]) == sorted(s.replace(" ", "_") for s in species)
    one = client.get("/ogc/collections/Paguma_larvata").json()
    assert one["numberOfRecords"] == store.count(Filters(scientificName=["Paguma larvata"]))
    x0, y0, x1, y1 = one["extent"]["spatial"]["bbox"][0]
    for f in all_items(client, "Paguma_larvata", limit=5000):
        lon, lat = f["geometry"]["coordinates"]
        assert x0 <= lon <= x1 and y0 <= lat <= y1
    first, last = one["extent"]["temporal"]["interval"][0]
    assert first.endswith("T00:00:00Z") and last.endswith("T23:59:59Z") and first < last
    assert client.get("/ogc/collections/Nonexistent_species").status_code == 404


def test_queryables_are_json_schema(client):
    r = client.get("/ogc/collections/occurrences/queryables")
    assert r.headers["content-type"].startswith("application/schema+json")
    body = r.json()
    assert body["type"] == "object" and body["$schema"].startswith("https://json-schema.org/")
    assert body["properties"]["year"]["type"] == "integer"
    assert body["properties"]["countryCode"]["type"] == "string"
    assert "decimalLatitude" not in body["properties"]  # coordinates are not filterable (sensitive records)


def test_html_by_f_and_by_accept_header(client):
    r = client.get("/ogc/collections/occurrences/items", params={"limit": 3, "lang": "th"},
                   headers={"Accept": "text/html,application/xhtml+xml"})
    assert r.headers["content-type"].startswith("text/html") and '<html lang="th">' in r.text
    assert r.text.count("/records/") == 3 and 'rel="next"' in r.text
    assert client.get("/ogc/collections", params={"f": "html"}).text.count("/items?f=html") >= 2
    assert client.get("/ogc", headers={"Accept": "application/json"}).headers["content-type"] == "application/json"
    assert client.get("/ogc", params={"f": "xml"}).status_code == 400
    # items look for ``f`` before parsing the query string: a percent-encoded name still counts
    assert client.get("/ogc/collections/occurrences/items?%66=html&limit=2").headers["content-type"].startswith(
        "text/html")


# -- items parameters ------------------------------------------------------------------------------------------
def test_items_bbox_paging_and_counts(client, store):
    expected = store.count(Filters(bbox=BBOX))
    first = items(client, bbox=",".join(map(str, BBOX)), limit=1000)
    assert first["numberMatched"] == expected and first["numberReturned"] == 1000
    features = all_items(client, bbox=",".join(map(str, BBOX)), limit=1000)
    assert len(features) == expected == len({f["id"] for f in features})
    for f in features:
        lon, lat = f["geometry"]["coordinates"]
        assert BBOX[0] <= lon <= BBOX[2] and BBOX[1] <= lat <= BBOX[3]


def test_items_datetime_instants_and_intervals(client, store):
    def dates(value):
        return [f["properties"]["eventDate"] for f in all_items(client, datetime=value, limit=10000)]

    closed = dates("2015-03-01/2015-06-30")
    assert closed and all("2015-03-01" <= d <= "2015-06-30" for d in closed)
    assert len(closed) == store.count(Filters(eventDate=("2015-03-01", "2015-06-30")))
    assert all(d >= "2024-01-01" for d in dates("2024-01-01T00:00:00Z/.."))
    assert all(d <= "2006-12-31" for d in dates("../2006-12-31"))
    day = dates("2015-03-01/2015-06-30")[0]
    assert set(dates(day)) == {day} and set(dates(f"{day}T12:00:00+07:00")) == {day}
    for bad in ("2015-13-01", "yesterday", "../..", "2016-01-01/2015-01-01"):
        r = client.get("/ogc/collections/occurrences/items", params={"datetime": bad})
        assert r.status_code == 400 and "datetime" in r.json()["message"]


def test_items_property_filters_and_limit(client):
    features = all_items(client, countryCode="TH", basisOfRecord="PreservedSpecimen", limit=10000)
    assert features and {f["properties"]["countryCode"] for f in features} == {"TH"}
    assert {f["properties"]["basisOfRecord"] for f in features} == {"PreservedSpecimen"}
    assert items(client, taxonRank="species", limit=7)["numberReturned"] == 7  # any queryable, not only ours
    assert items(client, limit=999999)["numberReturned"] == 10000  # clamped to the maximum, not an error
    assert client.get("/ogc/collections/occurrences/items", params={"colour": "red"}).status_code == 400


def test_items_cql2_text_filter(client, store):
    features = all_items(client, filter="countryCode='TH' AND year>=2015", limit=10000)
    assert features and all(f["properties"]["countryCode"] == "TH" and f["properties"]["year"] >= 2015
                            for f in features)
    assert len(features) == store.count(Filters(countryCode=["TH"], year=(2015, 9999)))
    features = all_items(client, **{"filter": "(countryCode='LA' OR countryCode='KH') AND NOT year BETWEEN 2006 "
                                              "AND 2024 AND sex IS NULL", "filter-lang": "cql2-text"}, limit=10000)
    assert features and all(f["properties"]["countryCode"] in ("LA", "KH") and f["properties"]["year"] in (2005, 2025)
                            for f in features)
    species = all_items(client, "Paguma_larvata", filter="eventDate >= DATE('2020-01-01')", limit=10000)
    assert species and all(f["properties"]["scientificName"] == "Paguma larvata"
                           and f["properties"]["eventDate"] >= "2020-01-01" for f in species)


@pytest.mark.parametrize("text", ["decimalLatitude > 10", "countryCode LIKE 'T%'", "year = 'x'", "year >>= 2",
                                  "countryCode = 'TH'; DROP TABLE occurrence"])
def test_items_cql2_refuses_what_it_cannot_run(client, text):
    r = client.get("/ogc/collections/occurrences/items", params={"filter": text})
    assert r.status_code == 400 and r.json()["code"] == "invalid-parameter"


def test_one_item(client, store):
    record = store.query(Filters(scientificName=["Paguma larvata"], limit=1)).records[0]
    oid = record["occurrenceID"]
    body = client.get(f"/ogc/collections/occurrences/items/{oid}").json()
    assert body["type"] == "Feature" and body["id"] == oid and body["properties"]["eventDate"] == record["eventDate"]
    assert client.get(f"/ogc/collections/Paguma_larvata/items/{oid}").status_code == 200
    assert client.get(f"/ogc/collections/Arctictis_binturong/items/{oid}").status_code == 404
    assert client.get("/ogc/collections/occurrences/items/no-such-id").status_code == 404


def test_items_show_only_what_the_public_may_see(db_url, tmp_path):
    """A pending record is invisible in every OGC response (read through the store with the request's access)."""
    url = f"sqlite:///{tmp_path / 'pending.db'}"
    store = open_store(url)
    records = demo_records(20, seed=3)
    store.add_many(records[:15], submitted_by="demo", status="accepted")
    store.add_many(records[15:], submitted_by="someone", status="pending")
    store.close()
    with TestClient(create_app(Settings(db=url))) as c:
        assert items(c, limit=100)["numberMatched"] == 15
        assert c.get(f"/ogc/collections/occurrences/items/{records[19]['occurrenceID']}").status_code == 404
        assert c.get("/ogc/collections/occurrences").json()["numberOfRecords"] == 15


# -- real clients against a running server -------------------------------------------------------------------
@pytest.fixture(scope="module")
def server(db_url):
    with live_server(db_url) as base:
        yield base


def test_owslib_features_client(server, store):
    from owslib.ogcapi.features import Features

    api = Features(server + "/ogc")
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in api.conformance()["conformsTo"]
    ids = [c["id"] for c in api.collections()["collections"]]
    assert "occurrences" in ids and "Paguma_larvata" in ids
    assert api.collection("Paguma_larvata")["extent"]["spatial"]["bbox"]
    page = api.collection_items("occurrences", bbox=list(BBOX), limit=50)
    assert page["numberMatched"] == store.count(Filters(bbox=BBOX)) and len(page["features"]) == 50
    page = api.collection_items("occurrences", filter="countryCode='VN' AND year>=2020", limit=500)
    assert page["features"] and all(f["properties"]["countryCode"] == "VN" for f in page["features"])
    assert "year" in api.collection_queryables("occurrences")["properties"]


def test_gdal_oapif_reads_every_page_with_a_bbox(server, store):
    pyogrio = pytest.importorskip("pyogrio")
    if "OAPIF" not in pyogrio.list_drivers():
        pytest.skip("this GDAL has no OAPIF driver")
    expected = store.count(Filters(bbox=BBOX))
    df = pyogrio.read_dataframe(f"OAPIF:{server}/ogc", layer="occurrences", bbox=BBOX, PAGE_SIZE=1000)
    assert len(df) == expected and df["occurrenceID"].nunique() == expected  # 6 pages, nothing lost or doubled
    assert df.geometry.x.between(BBOX[0], BBOX[2]).all() and df.geometry.y.between(BBOX[1], BBOX[3]).all()
    layers = {name for name, _ in pyogrio.list_layers(f"OAPIF:{server}/ogc")}
    assert {"occurrences", "Paguma_larvata"} <= layers
    species = pyogrio.read_dataframe(f"OAPIF:{server}/ogc", layer="Paguma_larvata", PAGE_SIZE=500)
    assert len(species) == store.count(Filters(scientificName=["Paguma larvata"]))
    assert dt.date.fromisoformat(species["eventDate"].astype(str).iloc[0][:10])
