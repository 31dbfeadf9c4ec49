"""Concurrency: 8 submitters (separate processes) upload 10 000 records each through the HTTP API of a real
``occurrences serve`` with two worker processes on one SQLite file. Every upload must succeed the first time
(no retries: a user never sees "database is locked" or any 5xx), readers keep being answered meanwhile, and the
database ends with exactly 80 000 records, 10 000 per submitter, none duplicated, integrity intact."""
import csv
import io
import multiprocessing
import sqlite3
import threading
import time

import httpx
import pytest
from click.testing import CliRunner

from occurrences.cli import cli

from .support import live_server

SUBMITTERS = 8
RECORDS_EACH = 10_000
BATCH = 2_500  # four uploads per submitter: 32 write transactions competing for the one SQLite writer lock
HEADER = ["occurrenceID", "basisOfRecord", "scientificName", "eventDate", "decimalLatitude",
          "decimalLongitude", "countryCode"]


def csv_batch(submitter: int, start: int, n: int) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(HEADER)
    for i in range(start, start + n):
        # Distinct points in central Thailand, far from any border (the import checks country and duplicates).
        w.writerow([f"s{submitter}-{i}", "HumanObservation", "Paguma larvata", "2021-04-05",
                    f"{14 + (i // 100) / 100:.4f}", f"{100.5 + (i % 100) / 100 + submitter / 2000:.4f}", "TH"])
    return buf.getvalue().encode()


def submit_all(args) -> list[tuple[int, str]]:
    """One submitter process: its uploads one after the other, each answer's status and a bit of its body."""
    base, token, submitter = args
    answers = []
    with httpx.Client(base_url=base, timeout=120, headers={"Authorization": f"Bearer {token}"}) as client:
        for start in range(0, RECORDS_EACH, BATCH):
            name = f"s{submitter}-{start}.csv"
            r = client.post("/upload", files={"file": (name, csv_batch(submitter, start, BATCH), "text/csv")})
            answers.append((r.status_code, r.text))
    return answers


def read_while_writing(base: str, stop: threading.Event, statuses: list[int]) -> None:
    with httpx.Client(base_url=base, timeout=60) as client:
        while not stop.is_set():
            statuses.append(client.get("/occurrences", params={"limit": 5}).status_code)
            statuses.append(client.get("/health").status_code)
            time.sleep(0.05)


def submitter_tokens(db_url: str) -> list[str]:
    """Real accounts made the way an admin makes them (``occurrences user add``); the token is stdout."""
    runner = CliRunner()
    tokens = []
    for i in range(SUBMITTERS):
        result = runner.invoke(cli, ["user", "add", f"field{i}", "--role", "submitter", "--db", db_url])
        assert result.exit_code == 0, result.output
        tokens.append(result.stdout.strip().splitlines()[-1])
    return tokens


@pytest.mark.slow
def test_eight_concurrent_submitters_lose_nothing_and_see_no_lock_errors(tmp_path):
    db_path = tmp_path / "shared.db"
    url = f"sqlite:///{db_path}"
    tokens = submitter_tokens(url)
    reads: list[int] = []
    stop = threading.Event()
    with live_server(url, "--workers", "2") as base:
        reader = threading.Thread(target=read_while_writing, args=(base, stop, reads))
        reader.start()
        try:
            with multiprocessing.get_context("spawn").Pool(SUBMITTERS) as pool:
                answers = pool.map(submit_all, [(base, tokens[i], i) for i in range(SUBMITTERS)])
        finally:
            stop.set()
            reader.join()
        # While the server still runs: each submitter sees their own 10 000 records waiting for review.
        own = [httpx.get(base + "/occurrences/facets", params={"status": "pending", "facet": "countryCode"},
                         headers={"Authorization": f"Bearer {token}"}, timeout=60) for token in tokens[:2]]

    flat = [a for per_submitter in answers for a in per_submitter]
    assert len(flat) == SUBMITTERS * RECORDS_EACH // BATCH
    for status, body in flat:
        assert status == 201, body[:500]
        assert "locked" not in body.lower() and "Traceback" not in body
        assert f"{BATCH} records stored" in body
    assert reads and set(reads) == {200}, sorted(set(reads))

    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    total, distinct = conn.execute('SELECT count(*), count(DISTINCT "occurrenceID") FROM occurrence').fetchone()
    assert total == distinct == SUBMITTERS * RECORDS_EACH
    per_submitter = dict(conn.execute('SELECT "submittedBy", count(*) FROM occurrence GROUP BY 1').fetchall())
    assert per_submitter == {f"field{i}": RECORDS_EACH for i in range(SUBMITTERS)}
    conn.close()
    assert [r.json()["count"] for r in own] == [RECORDS_EACH, RECORDS_EACH], [r.text[:300] for r in own]
