"""One SQLite library per process (issue 14, item 2): exports in every format, then writes, on a real server.

A second SQLite library in the server process (ADBC's bundled SQLite, which the export path used) dropped the
server's POSIX locks when it closed, checkpointed and deleted the write-ahead log, and later writes answered
201 but never reached the file: another process did not see them and a restart lost them."""
import os
import sqlite3
import sys

import httpx
import pytest

from occurrences.auth import add_user
from occurrences.demo import demo_records
from occurrences.export import FORMATS
from occurrences.store import open_store

from .support import live_server

RECORD = {"scientificName": "Paguma larvata", "eventDate": "2024-03-15", "decimalLatitude": 14.51,
          "decimalLongitude": 101.32, "countryCode": "TH", "basisOfRecord": "HumanObservation"}


def read_ids_elsewhere(db_path) -> set[str]:
    """The occurrenceIDs another process sees (a fresh interpreter, not this test's own connections)."""
    import subprocess

    code = ("import sqlite3, sys; c = sqlite3.connect(sys.argv[1]);"
            "print('\\n'.join(r[0] for r in c.execute('SELECT occurrenceID FROM occurrence')))")
    out = subprocess.run([sys.executable, "-c", code, str(db_path)], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


@pytest.mark.slow
def test_exports_leave_the_wal_alone_and_every_later_write_lands(tmp_path):
    db = tmp_path / "one.db"
    url = f"sqlite:///{db}"
    store = open_store(url)
    store.add_many(demo_records(120), submitted_by="demo", status="accepted")
    token = add_user(store, "field", "submitter")
    store.close()
    wal = f"{db}-wal"
    created = []
    with live_server(url) as base, httpx.Client(base_url=base, timeout=120) as client:
        assert os.path.exists(wal)
        for fmt in FORMATS:
            r = client.get("/exports", params={"format": fmt})
            assert r.status_code == 200, (fmt, r.text[:300])
            assert len(r.content) > 100, fmt
            assert os.path.exists(wal) and os.path.exists(f"{db}-shm"), f"the {fmt} export removed the WAL"
        for i in range(3):
            r = client.post("/occurrences", json={**RECORD, "decimalLatitude": 14.51 + i / 100},
                            headers={"Authorization": f"Bearer {token}"})
            assert r.status_code == 201, r.text
            created.append(r.json()["occurrenceID"])
        assert os.path.exists(wal)
        assert set(created) <= read_ids_elsewhere(db), "writes the server acknowledged are not in the file"
        for fmt in ("csv", "gpkg"):  # exports after the writes still work, and the server stays healthy
            assert client.get("/exports", params={"format": fmt}).status_code == 200
        mine = client.get("/occurrences", params={"limit": 500},
                          headers={"Authorization": f"Bearer {token}"})
        assert mine.status_code == 200
    check = sqlite3.connect(db)
    assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    check.close()
    with live_server(url) as base, httpx.Client(base_url=base, timeout=60) as client:
        for oid in created:
            r = client.get(f"/occurrences/{oid}", headers={"Authorization": f"Bearer {token}"})
            assert r.status_code == 200, (oid, r.status_code)
    assert set(created) <= read_ids_elsewhere(db)


def test_the_export_path_opens_no_second_sqlite_library():
    """The read path is sqlite3 only: no ADBC (nor any other SQLite binding) is imported by an export."""
    import subprocess

    code = ("import sys, tempfile, pathlib; from occurrences.store import open_store, Filters;"
            "from occurrences.export import export; from occurrences.demo import demo_records;"
            "d = pathlib.Path(tempfile.mkdtemp()); s = open_store(f'sqlite:///{d}/a.db');"
            "s.add_many(demo_records(30), submitted_by='d', status='accepted');"
            "[export(s, Filters(), f, d / f'o.{f}') for f in ('csv', 'gpkg', 'dwca')];"
            "print(sorted(m for m in sys.modules if 'adbc' in m or 'apsw' in m))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
