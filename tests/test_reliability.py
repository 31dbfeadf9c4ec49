"""Nothing lost, nothing half-written: SIGKILL during imports, then reopen and check; backup and restore."""
import csv
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from occurrences.cli import cli
from occurrences.demo import demo_records
from occurrences.store import Filters, open_store

HEADER = ["occurrenceID", "basisOfRecord", "scientificName", "eventDate", "decimalLatitude",
          "decimalLongitude", "countryCode"]


def make_batches(folder, n_files=8, rows=4000):
    paths = []
    for f in range(n_files):
        path = folder / f"batch{f}.csv"
        with open(path, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(HEADER)
            for i in range(rows):
                # Distinct points in central Thailand, far from borders (imports check country and duplicates).
                w.writerow([f"b{f}-{i}", "HumanObservation", "Paguma larvata", "2021-04-05",
                            f"{14 + (i // 100) / 100:.4f}", f"{100.5 + (i % 100) / 100 + f / 2000:.4f}", "TH"])
        paths.append(path)
    return paths


def batch_counts(db_path, n_files):
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    counts = [conn.execute("SELECT count(*) FROM occurrence WHERE occurrenceID LIKE ?", [f"b{f}-%"]).fetchone()[0]
              for f in range(n_files)]
    conn.close()
    return counts


@pytest.mark.slow
def test_sigkill_during_import_leaves_whole_batches_only(tmp_path):
    rows, n_files = 4000, 8
    files = make_batches(tmp_path, n_files, rows)
    db_path = tmp_path / "crash.db"
    url = f"sqlite:///{db_path}"
    open_store(url).close()
    rng = random.Random(20261121)
    cmd = [sys.executable, "-m", "occurrences", "import", "--db", url, *map(str, files)]
    kills = 0
    for attempt in range(22):
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.3, 2.5))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait()
        counts = batch_counts(db_path, n_files)
        # Each file is one transaction: fully present or absent, never partial.
        assert all(c in (0, rows) for c in counts), counts
        if all(c == rows for c in counts):
            # Everything landed: start over so later kills still hit an import in progress.
            db_path.unlink()
            for suffix in ("-wal", "-shm"):
                if os.path.exists(str(db_path) + suffix):
                    os.unlink(str(db_path) + suffix)
            open_store(url).close()
    assert kills >= 20
    # Re-running the import completes it without duplicating anything already stored.
    done = subprocess.run(cmd, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert batch_counts(db_path, n_files) == [rows] * n_files
    again = subprocess.run(cmd, capture_output=True, text=True)
    assert again.returncode == 0 and f"0 stored, {rows} already present" in again.stdout
    assert open_store(url).count(Filters(access="full")) == rows * n_files


def test_changed_record_on_reimport_is_a_conflict_not_an_overwrite(tmp_path):
    url = f"sqlite:///{tmp_path / 'c.db'}"
    store = open_store(url)
    rec = demo_records(1)[0]
    store.add_many([rec])
    changed = {**rec, "individualCount": 9}
    result = store.add_many([changed, demo_records(2)[1]])
    assert result.statuses == ["conflict", "stored"]
    assert store.get(rec["occurrenceID"], access="full")["individualCount"] == rec["individualCount"]


def test_backup_and_restore_roundtrip(tmp_path):
    src = f"sqlite:///{tmp_path / 'src.db'}"
    runner = CliRunner()
    assert runner.invoke(cli, ["demo", "--db", src, "--records", "120", "--no-survey"]).exit_code == 0
    backup_file = tmp_path / "backup.sqlite"
    result = runner.invoke(cli, ["backup", str(backup_file), "--db", src])
    assert result.exit_code == 0, result.output
    again = runner.invoke(cli, ["backup", str(backup_file), "--db", src])
    assert again.exit_code == 1 and "already exists" in again.output
    dst = f"sqlite:///{tmp_path / 'dst.db'}"
    result = runner.invoke(cli, ["restore", str(backup_file), "--db", dst])
    assert result.exit_code == 0 and "Restored 120 records" in result.output
    a, b = open_store(src), open_store(dst)
    full = Filters(access="full", limit=1000)
    assert a.query(full).records == b.query(full).records
    # A non-empty target is refused unless forced; a damaged file is refused with a clear message.
    refused = runner.invoke(cli, ["restore", str(backup_file), "--db", dst])
    assert refused.exit_code == 1 and "already holds records" in refused.output
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"\0garbage" * 512)
    bad = runner.invoke(cli, ["restore", str(junk), "--db", f"sqlite:///{tmp_path / 'x.db'}"])
    assert bad.exit_code == 1 and "Error: Cannot read" in bad.output
