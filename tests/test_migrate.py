"""migrate(): SQLite → PostGIS → SQLite copies records (with flags, review status, sensitivity), users,
credentials and the audit trail, verified by counts and checksums; the copy reads back identical."""
from __future__ import annotations

import pytest

from occurrences.errors import StoreUnavailable
from occurrences.migrate import MigrationResult, migrate
from occurrences.store import Filters, open_store
from tests.test_store_contract import F, many, records

ALL = F()


def fill(url: str) -> None:
    store = open_store(url)
    try:
        store.add_many(records(), submitted_by="alice", status="accepted")
        store.add_many(many(40), submitted_by="bob")  # pending review
        store.update("r3", {"locality": "Phu Ruea"}, actor="reviewer", reason="typo")
        store.update("m00001", {"status": "rejected"}, actor="reviewer", action="reject")
        store.update("r1", {"sensitivity": "withhold"}, actor="reviewer")
        store.delete("r7", actor="reviewer", reason="duplicate")
        store.add_user("alice", "submitter")
        store.add_user("rita", "reviewer")
        store.add_credential("0" * 64, "alice", "token")
        store.set_user_active("rita", False)
    finally:
        store.close()


def snapshot(url: str) -> dict:
    """Everything a user of the store can see, read through the store's own API."""
    store = open_store(url)
    try:
        recs = list(store.iter_records(ALL, batch_size=7))
        ids = [r["occurrenceID"] for r in recs]
        return {
            "records": recs,  # in insertion order
            "states": {i: store.state(i) for i in ids},
            "history": {i: store.history(i) for i in ("r3", "m00001", "r1", "r7")},
            "users": store.users(),
            "credential": store.user_for_credential("0" * 64),
            "public": [r["occurrenceID"] for r in store.iter_records(Filters())],
            "facets": store.facets(ALL, ["issue", "countryCode", "year"]),
            "page": store.query(F(countryCode=["TH"], limit=5)).records,
        }
    finally:
        store.close()


def check(result: MigrationResult, expected_records: int):
    assert result.records == expected_records
    assert result.tables["occurrence_issue"] == 3  # r2: 1, r3: 2 (r7 was deleted)
    assert result.tables["audit"] == 4 and result.tables["app_user"] == 2 and result.tables["credential"] == 1
    assert len(result.checksum) == 32


def test_sqlite_to_postgis_and_back_is_identical(tmp_path, postgis_url):
    source = f"sqlite:///{tmp_path / 'a.db'}"
    back = f"sqlite:///{tmp_path / 'b.db'}"
    fill(source)
    before = snapshot(source)
    progress = []
    there = migrate(source, postgis_url, progress=lambda table, done, total: progress.append((table, done, total)))
    check(there, 46)
    assert ("occurrence", 46, 46) in progress
    assert snapshot(postgis_url) == before
    again = migrate(postgis_url, back)
    check(again, 46)
    assert again.checksums == there.checksums
    assert snapshot(back) == before
    # the copies keep working as stores: new records and audit entries continue the sequences
    store = open_store(postgis_url)
    try:
        store.add_many(many(1, start=500), status="accepted")
        store.update("m00500", {"locality": "x"}, actor="t")
        assert [r["occurrenceID"] for r in store.iter_records(ALL)][-1] == "m00500"
        assert len({e["id"] for e in store.history("m00500") + store.history("r3")}) == 2
    finally:
        store.close()


def test_sqlite_to_sqlite(tmp_path):
    source, target = (f"sqlite:///{tmp_path / name}" for name in ("a.db", "b.db"))
    fill(source)
    check(migrate(source, target), 46)
    assert snapshot(target) == snapshot(source)


def test_a_non_empty_destination_is_refused_and_left_alone(tmp_path):
    source, target = (f"sqlite:///{tmp_path / name}" for name in ("a.db", "b.db"))
    fill(source)
    store = open_store(target)
    store.add_many(records(["r1"]), status="accepted")
    store.close()
    with pytest.raises(StoreUnavailable, match="empty database"):
        migrate(source, target)
    store = open_store(target)
    assert store.count(ALL) == 1
    store.close()
