"""Hostile input: each bad file or request gets a clear 4xx/CLI error, no traceback, nothing stored."""
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from occurrences.api import create_app
from occurrences.cli import cli
from occurrences.settings import Settings
from occurrences.store import Filters, open_store

from occurrences.auth import add_user

from .hostile import LIMIT, SEED_ID, hostile_files, hostile_query_params, hostile_requests

FILES = hostile_files()
REQUESTS = hostile_requests()


def test_corpus_is_large_enough():
    assert len(FILES) + len(hostile_query_params()) + len(REQUESTS) >= 200


def stored(db) -> int:
    store = open_store(db)
    try:
        return store.count(Filters(access="full", status=["accepted", "pending", "rejected"]))
    finally:
        store.close()


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return f"sqlite:///{tmp_path_factory.mktemp('hostile') / 'h.db'}"


@pytest.mark.parametrize("name,content", FILES, ids=[n for n, _ in FILES])
def test_cli_import_refuses_clearly(tmp_path, db, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    before = stored(db)
    result = CliRunner().invoke(cli, ["import", str(path), "--db", db])
    assert result.exit_code != 0, result.output
    assert "Traceback" not in result.output
    assert result.output.startswith("Error: "), result.output[:300]
    assert len(result.output) < 20_000  # a message, not a dump of the file
    assert stored(db) == before


@pytest.fixture(scope="module")
def client(db):
    with TestClient(create_app(Settings(db=db)), raise_server_exceptions=False) as c:
        yield c


@pytest.mark.parametrize("params", hostile_query_params(), ids=lambda p: repr(p)[:40])
def test_api_query_params_get_4xx_with_error_body(client, params):
    r = client.get("/occurrences", params=params)
    assert 400 <= r.status_code < 500, (r.status_code, r.text[:300])
    body = r.json()
    assert body["message"] and body["code"] and "Traceback" not in r.text


# -- hostile requests to the write and upload endpoints ----------------------------------------------------------
ROLES = ("submitter", "reviewer", "reader")
NAMES = {"submitter": "sam", "reviewer": "rita", "reader": "rea"}


@pytest.fixture(scope="module")
def writable(tmp_path_factory):
    """An app with a small upload limit, a user of each role and one pending record to aim reviews at."""
    url = f"sqlite:///{tmp_path_factory.mktemp('hostile-http') / 'w.db'}"
    store = open_store(url)
    tokens = {role: add_user(store, NAMES[role], role) for role in ROLES}  # role names are reserved
    store.add_many([{"occurrenceID": SEED_ID, "basisOfRecord": "HumanObservation", "scientificName": "Paguma larvata",
                     "eventDate": "2021-04-05", "decimalLatitude": 15.1, "decimalLongitude": 100.2,
                     "countryCode": "TH", "locality": "near the river"}], submitted_by=NAMES["submitter"], status="pending")
    store.close()
    app = create_app(Settings(db=url, max_upload_bytes=LIMIT))
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c, tokens


def snapshot(store):
    everything = Filters(access="full", status=["accepted", "pending", "rejected"], limit=1000)
    return store.count(everything), store.get(SEED_ID, access="full")


@pytest.mark.parametrize("req", REQUESTS, ids=[r.name for r in REQUESTS])
def test_hostile_request_is_refused_and_stores_nothing(writable, req):
    client, tokens = writable
    store = client.app.state.store
    before = snapshot(store)
    headers = {}
    if req.role == "invalid":
        headers["Authorization"] = "Bearer made-up-token"
    elif req.role:
        headers["Authorization"] = f"Bearer {tokens[req.role]}"
    if req.content_type:
        headers["Content-Type"] = req.content_type
    kwargs = {k: v for k, v in (("json", req.json), ("content", req.content), ("files", req.files),
                                ("data", req.data)) if v is not None}
    r = client.request(req.method, req.path, headers=headers, **kwargs)
    assert 400 <= r.status_code < 500, (r.status_code, r.text[:500])
    if req.status:
        assert r.status_code == req.status, r.text[:300]
    assert "Traceback" not in r.text and "File \"/" not in r.text
    if r.headers.get("content-type", "").startswith("application/json"):
        body = r.json()
        assert body["code"] and body["message"] and body["status"] == r.status_code
    else:
        assert req.page, (r.status_code, r.headers.get("content-type"), r.text[:300])
        assert "<html" in r.text.lower()
    assert snapshot(store) == before


@pytest.mark.slow
def test_oversized_chunked_bodies_get_413_from_a_real_server(tmp_path):
    """Without Content-Length the limit is enforced while the body streams in (through a real socket)."""
    import httpx

    from .support import live_server

    url = f"sqlite:///{tmp_path / 'chunked.db'}"
    store = open_store(url)
    token = add_user(store, "field", "submitter")
    store.close()

    def body(head: bytes, tail: bytes):
        yield head
        for _ in range(50):
            yield b"x" * 10_000  # 500 kB in chunks, over the 100 kB limit
        yield tail

    multipart = (b'--b\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n'
                 b"Content-Type: text/csv\r\n\r\n", b"\r\n--b--\r\n", "multipart/form-data; boundary=b")
    submission = (b'{"locality": "', b'"}', "application/json")
    with live_server(url, env={"OCCURRENCES_MAX_UPLOAD_BYTES": "100000"}) as base:
        for path, (head, tail, content_type) in (("/upload", multipart), ("/occurrences", submission)):
            r = httpx.post(base + path, content=body(head, tail), timeout=30,
                           headers={"Authorization": f"Bearer {token}", "Content-Type": content_type})
            assert r.status_code == 413, (path, r.status_code, r.text[:300])
            assert r.json()["status"] == 413 and r.json()["message"]
    assert stored(url) == 0
