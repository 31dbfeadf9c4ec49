"""Malformed cursors are a 400 (never a 500) on every route, found by route discovery (issue 14, item 8)."""
import base64
import json
import re

import pytest
from fastapi.testclient import TestClient

from occurrences.api import create_app
from occurrences.demo import demo_records
from occurrences.settings import Settings
from occurrences.store import open_store
from occurrences.store.filters import decode_cursor, encode_cursor
from occurrences.errors import InvalidParameter

from .test_leaks import discover_routes


def b64(value) -> str:
    raw = value if isinstance(value, bytes) else json.dumps(value).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


MALFORMED = [
    b64(["seq", ["1 OR 1=1"]]), b64(["seq", [1e308]]), b64(["seq", [10**30]]), b64(["seq", [-1]]),
    b64(["seq", [True]]), b64(["seq", []]), b64(["seq", [1, 2]]), b64(["seq", None]), b64(["seq", {"a": 1}]),
    b64(["-eventDate", [None, None]]), b64(["eventDate", ["2020-01-01", None]]),
    b64(["eventDate", ["'; DROP TABLE occurrence; --", 5]]), b64(["eventDate", [5, 5]]),
    b64(["-eventDate", ["2020-01-01"]]), b64(["nope", [1]]), b64(["seq"]), b64([]), b64("seq"), b64(None),
    b64(b"\xff\xfe not json"), b64(b"[" * 5000), "!!!not base64!!!", "%", "A" * 5000, "=", "\x00",
]


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('cursors') / 'c.db'}"
    store = open_store(url)
    store.add_many(demo_records(40), submitted_by="demo", status="accepted")
    store.close()
    with TestClient(create_app(Settings(db=url)), raise_server_exceptions=False) as c:
        yield c


def fill(template: str, oid: str) -> str:
    values = {"cid": "occurrences", "occurrence_id": oid, "fid": oid, "z": "5", "x": "24", "y": "14",
              "name": "Paguma larvata", "fmt": "png", "filename": "x"}
    return re.sub(r"{(\w+)(?::\w+)?}", lambda m: values.get(m[1], "x"), template)


def test_every_route_answers_a_malformed_cursor_with_400_or_ignores_it(client):
    body = client.get("/occurrences", params={"limit": 1}).json()
    good, oid = body["next_cursor"], body["features"][0]["properties"]["occurrenceID"]
    paths = [fill(t, oid) for t, methods, _r in discover_routes(client.app) if "GET" in methods]
    other = client.get("/occurrences", params={"limit": 1, "cursor": good}).json()["next_cursor"]
    taking = []  # the routes whose answer depends on the cursor's value: they page
    for path in paths:
        one = client.get(path, params={"limit": 1, "cursor": good})
        two = client.get(path, params={"limit": 1, "cursor": other})
        if one.status_code == two.status_code == 200 and \
                one.content.replace(good.encode(), b"") != two.content.replace(other.encode(), b""):
            taking.append(path)
        for cursor in MALFORMED:
            r = client.get(path, params={"limit": 1, "cursor": cursor})
            assert r.status_code < 500, (path, cursor[:40], r.status_code, r.text[:200])
            if path in taking:
                assert r.status_code == 400, (path, cursor[:40], r.status_code)
                assert "Traceback" not in r.text
    assert {"/occurrences", "/ogc/collections/occurrences/items"} <= set(taking), taking


@pytest.mark.parametrize("cursor", MALFORMED)
def test_decode_cursor_rejects_anything_it_did_not_write(cursor):
    with pytest.raises(InvalidParameter):
        decode_cursor(cursor)


def test_our_own_cursors_still_page_through_everything(client):
    assert decode_cursor(encode_cursor("-eventDate", ["2020-01-31", 7])) == ("-eventDate", ["2020-01-31", 7])
    for sort in ("seq", "eventDate", "-eventDate"):
        seen, cursor = [], None
        while True:
            params = {"limit": 7, "sort": sort, **({"cursor": cursor} if cursor else {})}
            body = client.get("/occurrences", params=params).json()
            seen += [f["properties"]["occurrenceID"] for f in body["features"]]
            cursor = body["next_cursor"]
            if not cursor:
                break
        assert len(seen) == len(set(seen)) == 40, sort


def test_a_cursor_of_another_sort_is_a_400(client):
    body = client.get("/occurrences", params={"limit": 1, "sort": "eventDate"}).json()
    r = client.get("/occurrences", params={"limit": 1, "cursor": body["next_cursor"]})  # sort=seq
    assert r.status_code == 400
