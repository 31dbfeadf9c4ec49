"""Structured logs: imports (CLI, API, upload, form), review actions and unexpected errors each leave one JSON
line with counts, ids and codes, and never the coordinates, locality or other text of a sensitive record."""
import io
import json
import logging
import os
import subprocess
import sys
import time

import httpx
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from occurrences import logs
from occurrences.api import create_app
from occurrences.auth import add_user
from occurrences.cli import cli
from occurrences.settings import Settings
from occurrences.store import open_store

from .support import free_port

# Digits and words that occur nowhere but in the sensitive values below.
LAT, LON = "14.73917", "101.62853"
SECRETS = ("14.739", "101.628", "14.7391", "LEAKLOC", "LEAKREASON", "LEAKFIX", "ranger station")
HEADER = "occurrenceID,basisOfRecord,scientificName,eventDate,decimalLatitude,decimalLongitude,countryCode,locality\n"


def sensitive_row(oid: str, date: str = "2024-03-15") -> str:
    return f"{oid},HumanObservation,Arctictis binturong,{date},{LAT},{LON},TH,LEAKLOC near the ranger station\n"


@pytest.fixture
def captured():
    """The package's JSON log lines, as ``occurrences serve`` writes them, into a buffer."""
    buf = io.StringIO()
    handler = logging.StreamHandler(buf)
    handler.setFormatter(logs.JSONFormatter())
    level = logs.LOGGER.level
    logs.LOGGER.addHandler(handler)
    logs.LOGGER.setLevel(logging.INFO)
    try:
        yield buf
    finally:
        logs.LOGGER.removeHandler(handler)
        logs.LOGGER.setLevel(level)


def events(buf: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in buf.getvalue().splitlines()]


def assert_no_secrets(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"{secret!r} leaked into the log: {text[:2000]}"


def test_cli_imports_log_counts_and_codes_only(tmp_path, captured):
    db = f"sqlite:///{tmp_path / 'l.db'}"
    good = tmp_path / "binturong.csv"
    good.write_text(HEADER + sensitive_row("bint-1"), encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + sensitive_row("bint-2", date="2024-02-30"), encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(cli, ["import", str(good), "--db", db]).exit_code == 0
    assert runner.invoke(cli, ["import", str(bad), "--db", db]).exit_code == 1
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert runner.invoke(cli, ["import", str(empty), "--db", db]).exit_code == 1

    lines = events(captured)
    stored = [e for e in lines if e["event"] == "import"]
    assert stored and stored[0]["stored"] == 1 and stored[0]["via"] == "cli" and stored[0]["source"] == "binturong.csv"
    rejected = [e for e in lines if e["event"] == "import.rejected"]
    assert rejected and rejected[0]["rejected"] == 1 and rejected[0]["codes"]
    refused = [e for e in lines if e["event"] == "import.refused"]
    assert refused and refused[0]["code"] == "empty-file" and refused[0]["level"] == "warning"
    assert_no_secrets(captured.getvalue())


def test_api_imports_reviews_and_errors_log_without_locations(tmp_path, captured):
    url = f"sqlite:///{tmp_path / 'a.db'}"
    store = open_store(url)
    submitter, reviewer = add_user(store, "field", "submitter"), add_user(store, "boss", "reviewer")
    store.close()
    app = create_app(Settings(db=url))

    def boom():  # an unexpected failure whose message quotes a position
        raise ValueError(f"cannot place {LAT},{LON}")

    app.add_api_route("/boom", boom)
    record = {"scientificName": "Arctictis binturong", "eventDate": "2024-03-15", "decimalLatitude": LAT,
              "decimalLongitude": LON, "countryCode": "TH", "locality": "LEAKLOC near the ranger station",
              "basisOfRecord": "HumanObservation"}
    with TestClient(app, raise_server_exceptions=False) as client:
        as_submitter = {"Authorization": f"Bearer {submitter}"}
        as_reviewer = {"Authorization": f"Bearer {reviewer}"}
        created = client.post("/occurrences", json=record, headers=as_submitter)
        assert created.status_code == 201, created.text
        oid = created.json()["occurrenceID"]
        assert client.post("/occurrences", json={**record, "eventDate": "2024-02-30"},
                           headers=as_submitter).status_code == 422
        upload = client.post("/upload", headers=as_submitter,
                             files={"file": ("b.csv", (HEADER + sensitive_row("bint-up")).encode(), "text/csv")})
        assert upload.status_code == 201, upload.text[:500]
        accepted = client.post(f"/occurrences/{oid}/accept", headers=as_reviewer,
                               json={"changes": {"locality": "LEAKFIX by the ranger station"}})
        assert accepted.status_code == 200, accepted.text
        rejected = client.post("/occurrences/bint-up/reject", headers=as_reviewer,
                               json={"reason": f"LEAKREASON: really at {LAT}"})
        assert rejected.status_code == 200, rejected.text
        assert client.get("/boom").status_code == 500

    lines = events(captured)
    by_event = {}
    for e in lines:
        by_event.setdefault(e["event"], []).append(e)
    assert {e["via"] for e in by_event["import"]} == {"api", "upload"}
    assert [e["rows"] for e in by_event["import.rejected"]] == [1]
    reviews = {e["action"]: e for e in by_event["review"]}
    assert reviews["accept"]["id"] == oid and reviews["accept"]["fields"] == ["locality"]
    assert reviews["accept"]["actor"] == "boss" and reviews["reject"]["id"] == "bint-up"
    (error,) = by_event["error.unexpected"]
    assert error["error"] == "ValueError" and error["path"] == "/boom" and error["level"] == "error"
    assert_no_secrets(captured.getvalue())


def test_serve_writes_json_log_lines(tmp_path):
    """The real server process: ``occurrences serve`` configures the JSON logs on stderr."""
    url = f"sqlite:///{tmp_path / 's.db'}"
    store = open_store(url)
    token = add_user(store, "field", "submitter")
    store.close()
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "occurrences", "serve", "--db", url, "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=dict(os.environ))
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 30
        while True:
            try:
                httpx.get(base + "/health", timeout=1)
                break
            except httpx.TransportError:
                assert proc.poll() is None and time.time() < deadline, "server did not start"
                time.sleep(0.2)
        r = httpx.post(base + "/occurrences", headers={"Authorization": f"Bearer {token}"}, timeout=30,
                       json={"scientificName": "Arctictis binturong", "eventDate": "2024-03-15",
                             "decimalLatitude": LAT, "decimalLongitude": LON, "countryCode": "TH",
                             "locality": "LEAKLOC near the ranger station"})
        assert r.status_code == 201, r.text
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=15)
    text = err.decode("utf-8")
    lines = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    imports = [e for e in lines if e.get("event") == "import"]
    assert imports and imports[0]["via"] == "api" and imports[0]["submitted_by"] == "field", text[:1000]
    assert_no_secrets(text)
