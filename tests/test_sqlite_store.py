"""SQLite-only behaviour behind the store contract: schema 3 indexes and their migration, planner statistics and
hints, the bulk-load path and the tuple read path. Results are checked against an independent reader (plain
sqlite3) or brute force over the stored records, so a faster path that returned different rows would fail."""
from __future__ import annotations

import sqlite3

import pytest

from occurrences.store import Filters, open_store
from occurrences.store import sqlite as backend
from occurrences.store.columns import records_from_rows, row_to_record

SPECIES = ["Paguma larvata", "Arctictis binturong", "Viverra zibetha"]


def spread(n: int, start: int = 0, **extra) -> list[dict]:
    """Records over a 6° × 6° area (about 600 grid cells), three species, two countries."""
    return [{"occurrenceID": f"s{i:05d}", "basisOfRecord": "HumanObservation", "scientificName": SPECIES[i % 3],
             "countryCode": "TH" if i % 2 else "LA", "eventDate": f"20{10 + i % 10}-0{1 + i % 9}-1{i % 10}",
             "decimalLatitude": 10 + (i * 7 % 600) / 100, "decimalLongitude": 100 + (i * 13 % 600) / 100,
             "issues": ["ZERO_COORDINATE"] if i % 11 == 0 else [], **extra} for i in range(start, start + n)]


@pytest.fixture
def store(tmp_path):
    s = open_store(f"sqlite:///{tmp_path / 'occ.db'}")
    yield s
    s.close()


def raw(store) -> sqlite3.Connection:
    return sqlite3.connect(store.path)


def index_columns(conn, name: str) -> list[str]:
    return [r[2] for r in conn.execute(f"PRAGMA index_info({name})")]


def plan(store, sql: str, params) -> str:
    return " | ".join(r[3] for r in store.conn.execute("EXPLAIN QUERY PLAN " + sql, params))


def test_schema_2_database_upgrades_to_status_aware_covering_indexes(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    with monkeypatch.context() as m:  # the program as released with schema 2
        m.setattr(backend, "MIGRATIONS", backend.MIGRATIONS[:2])
        # ... which had neither the public issue list nor the extra-terms columns of later schemas
        m.setattr(backend, "STORED_COLUMNS", tuple(c for c in backend.STORED_COLUMNS
                                                   if c != "_pub_issues" and c not in backend._ADDED_IN_V5))
        old = open_store(url)
        old.add_many(spread(120), status="accepted")
        assert old.schema_version == 2
        old.close()
    fresh = open_store(f"sqlite:///{tmp_path / 'new.db'}")
    fresh.add_many(spread(120), status="accepted")
    before = [{**fresh.get(f"s{i:05d}", access="full"), "submittedAt": None} for i in range(120)]
    fresh.close()
    store = open_store(url)
    assert store.schema_version == len(backend.MIGRATIONS)
    conn = raw(store)
    assert index_columns(conn, "ix_species_country") == ["scientificName", "countryCode", "_status"]
    assert index_columns(conn, "ix_country") == ["countryCode", "_status"]
    assert index_columns(conn, "ix_pub_cell") == ["_pub_cell", "_status", "_pub_lat", "_pub_lon", "year"]
    assert index_columns(conn, "ix_cell") == ["_cell", "_status", "decimalLatitude", "decimalLongitude", "year"]
    stats = dict(conn.execute("SELECT idx, stat FROM sqlite_stat1 WHERE tbl = 'occurrence'").fetchall())
    assert stats["ix_pub_cell"].startswith("120 ") and stats["ix_pub_cell"].endswith(" noskipscan")
    assert [{**store.get(f"s{i:05d}", access="full"), "submittedAt": None} for i in range(120)] == before
    store.close()


def test_counts_and_pages_of_species_and_country_are_answered_from_the_index(store):
    store.add_many(spread(300), status="accepted")
    f = Filters(scientificName=["Paguma larvata"], countryCode=["TH"])
    sql, params = backend.S.count_sql(f, store.dialect)
    assert "COVERING INDEX ix_species_country" in plan(store, sql, params)
    page_plan = plan(store, *store.page_sql(f))
    assert "COVERING INDEX ix_species_country" in page_plan and "TEMP B-TREE" not in page_plan  # seq order
    expected = [r for r in spread(300) if r["scientificName"] == "Paguma larvata" and r["countryCode"] == "TH"]
    assert store.count(f) == len(expected)
    assert [r["occurrenceID"] for r in store.query(f.replace(limit=1000)).records] == \
        [r["occurrenceID"] for r in expected]


def test_public_bbox_avoids_the_status_index_without_statistics(store):
    store.add_many(spread(300), status="accepted")
    conn = store.conn
    conn.execute("DELETE FROM sqlite_stat1")
    conn.execute("ANALYZE sqlite_schema")  # reload: the planner now has no statistics at all
    f = Filters(bbox=(101.0, 11.0, 101.5, 11.5))
    for sql, params in (store.page_sql(f), backend.S.count_sql(f, store.dialect)):
        sql = store._spatial_hint(sql, f)
        text = plan(store, sql, params)
        assert "ix_pub_cell" in text and "ix_status" not in text


def test_statistics_follow_incremental_loads(store):
    def stats():
        return dict(raw(store).execute("SELECT idx, stat FROM sqlite_stat1 WHERE tbl = 'occurrence'").fetchall())

    store.add_many(spread(40), status="accepted")  # well under the bulk threshold: indexes kept in place
    assert stats()["ix_status"].split()[:2] == ["40", "40"]  # one status value: useless to the planner, and known
    assert stats()["ix_cell"].endswith(" noskipscan")
    store.add_many(spread(30, start=40), status="accepted")
    assert stats()["ix_status"].startswith("40 ")  # grown by less than half: statistics still good enough
    store.add_many(spread(10, start=70), status="accepted")
    assert stats()["ix_status"].startswith("80 ") and stats()["ix_pub_cell"].endswith(" noskipscan")


def test_statistics_marks_restored_after_another_programs_analyze(tmp_path):
    url = f"sqlite:///{tmp_path / 'occ.db'}"
    store = open_store(url)
    store.add_many(spread(50), status="accepted")
    store.close()
    conn = sqlite3.connect(tmp_path / "occ.db")
    conn.execute("ANALYZE")  # as occurrences migrate does
    conn.commit()
    assert "noskipscan" not in conn.execute("SELECT stat FROM sqlite_stat1 WHERE idx = 'ix_cell'").fetchone()[0]
    open_store(url).close()
    assert conn.execute("SELECT stat FROM sqlite_stat1 WHERE idx = 'ix_cell'").fetchone()[0].endswith(" noskipscan")


@pytest.mark.parametrize("access", ["public", "full"])
def test_bbox_pages_and_counts_match_brute_force_whichever_index_reads_them(store, monkeypatch, access):
    store.add_many(spread(600), status="accepted")
    store.add_many(spread(30, start=5000), status="pending")  # visible to full access only when asked for
    everything = list(store.iter_records(Filters(access=access, status=["accepted", "pending"])))
    boxes = [(101.0, 11.0, 101.5, 11.5), (100.0, 10.0, 106.0, 16.0), (102.2, 10.1, 104.9, 13.3)]
    for dense_rows in (0, 10**9):  # 0: every box left to the planner; 10**9: every box through the cells
        monkeypatch.setattr(backend, "DENSE_BBOX_ROWS", dense_rows)
        for box in boxes:
            for extra in ({}, {"scientificName": ["Viverra zibetha"]}, {"status": ["accepted", "pending"]}):
                f = Filters(bbox=box, access=access, limit=37, **extra)
                want = [r["occurrenceID"] for r in everything if _inside(r, box)
                        and (not extra.get("scientificName") or r["scientificName"] in extra["scientificName"])
                        and (extra.get("status") or r["occurrenceID"] < "s05000")]
                got, page = [], store.query(f)
                got += [r["occurrenceID"] for r in page.records]
                while page.next_cursor:
                    page = store.query(f.replace(cursor=page.next_cursor))
                    got += [r["occurrenceID"] for r in page.records]
                assert got == want, (dense_rows, box, extra)
                assert store.count(f) == len(want)
                counted = store.query(f, count=True)  # counted in the page's scan when read through the cells
                assert [r["occurrenceID"] for r in counted.records] == want[:37] and counted.matched == len(want)


def _inside(rec, box) -> bool:
    x0, y0, x1, y1 = box
    return x0 <= rec["decimalLongitude"] <= x1 and y0 <= rec["decimalLatitude"] <= y1


def test_a_counted_bbox_page_is_one_statement_when_read_through_the_cells(store, monkeypatch):
    """OGC items pages carry numberMatched: counting in a second statement cost a quarter of the page."""
    store.add_many(spread(600), status="accepted")
    store.query(Filters(bbox=(101.0, 11.0, 101.5, 11.5)))  # index facts read and remembered
    statements = []
    store.conn.set_trace_callback(statements.append)
    try:
        page = store.query(Filters(bbox=(100.0, 10.0, 102.0, 12.0), limit=10), count=True)
    finally:
        store.conn.set_trace_callback(None)
    assert len(statements) == 1 and "INDEXED BY" in statements[0] and "OVER ()" in statements[0]
    assert page.matched == store.count(Filters(bbox=(100.0, 10.0, 102.0, 12.0))) > 10


def test_large_bbox_page_is_read_in_seq_order_not_by_skip_scan(store, monkeypatch):
    monkeypatch.setattr(backend, "DENSE_BBOX_ROWS", 50)
    store.add_many(spread(600), status="accepted")
    text = plan(store, *store.page_sql(Filters(bbox=(99.0, 9.0, 107.0, 17.0))))
    assert "ANY(" not in text and "INDEXED BY" not in store.page_sql(Filters(bbox=(99.0, 9.0, 107.0, 17.0)))[0]


def test_index_facts_are_read_once_and_a_dropped_index_is_retried_without_its_hint(store):
    """A page with a bbox runs one statement, not three (the index's existence and statistics are remembered),
    and still answers when another program dropped the index it remembered."""
    store.add_many(spread(600), status="accepted")
    f = Filters(bbox=(101.0, 11.0, 101.5, 11.5), limit=1000)
    want = [r["occurrenceID"] for r in store.query(f).records]
    statements = []
    store.conn.set_trace_callback(statements.append)
    assert [r["occurrenceID"] for r in store.query(f).records] == want and store.count(f) == len(want)
    assert len(statements) == 2 and all("INDEXED BY" in s for s in statements), statements
    with raw(store) as other:
        other.execute("DROP INDEX ix_pub_cell")
    assert [r["occurrenceID"] for r in store.query(f).records] == want and store.count(f) == len(want)
    assert store._index_facts("ix_pub_cell") == (False, None)  # looked again after the failed hint
    store.conn.set_trace_callback(None)


def test_bulk_load_leaves_all_null_columns_out_and_rebuilds_every_index(store, monkeypatch):
    monkeypatch.setattr(backend, "BULK_THRESHOLD", 50)
    indexes_before = sorted(raw(store).execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'occurrence'").fetchall())
    batch = spread(200)
    for i, rec in enumerate(batch):
        rec["lifeStage"] = "adult" if i % 3 == 0 else None  # partly NULL: bound as given
    statements = []
    store.conn.set_trace_callback(statements.append)
    try:
        store.add_many(batch, status="accepted")
    finally:
        store.conn.set_trace_callback(None)
    insert = next(s for s in statements if s.startswith('INSERT INTO "occurrence" ('))
    assert '"sex"' not in insert and '"lifeStage"' in insert and '"_status"' in insert
    conn = raw(store)  # an independent reader
    assert conn.execute('SELECT count(*) FROM occurrence WHERE "sex" IS NULL AND "_pub_cell" >= 0').fetchone()[0] == 200
    assert conn.execute('SELECT count(*) FROM occurrence WHERE "lifeStage" = \'adult\'').fetchone()[0] == 67
    assert sorted(conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                               "AND tbl_name = 'occurrence'").fetchall()) == indexes_before
    assert conn.execute("SELECT stat FROM sqlite_stat1 WHERE idx = 'ix_pub_cell'").fetchone()[0].startswith("200 ")
    got = {r["occurrenceID"]: r for r in store.iter_records(Filters(limit=50, access="full"))}
    for rec in batch:
        assert {k: got[rec["occurrenceID"]][k] for k in rec} == rec
    with pytest.raises(sqlite3.IntegrityError):  # the unique index is back
        conn.execute('INSERT INTO occurrence (seq, "occurrenceID", "basisOfRecord", "scientificName", "eventDate", '
                     '"_start", "_end", "_cell") VALUES (9999, \'s00001\', \'x\', \'x\', \'x\', \'x\', \'x\', 0)')


def test_records_from_tuple_rows_equal_records_by_name(store):
    store.add_many(spread(30), status="accepted")
    sql = f"SELECT {backend.S.SELECT_COLUMNS} FROM occurrence ORDER BY seq"
    conn = raw(store)
    by_name = [row_to_record(r) for r in store.conn.execute(sql)]
    by_position = records_from_rows(conn.execute(sql).fetchall())
    assert by_position == by_name and by_name[0]["issues"] == ["ZERO_COORDINATE"]
    by_position[0]["issues"].append("X")  # each record owns its list
    assert by_position[11]["issues"] == ["ZERO_COORDINATE"]


def test_schema_4_drops_the_year_and_basis_indexes_and_year_uses_the_date_index(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'v4.db'}")
    store.add_many(spread(200), status="accepted")
    conn = raw(store)
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert "ix_year" not in names and "ix_basis" not in names and "ix_start" in names
    f = Filters(year=(2010, 2012), access="full", limit=1000)
    expected = sorted(r["occurrenceID"] for r in store.iter_records(Filters(access="full"))
                      if 2010 <= r["year"] <= 2012)
    assert 0 < len(expected) < 200
    assert sorted(r["occurrenceID"] for r in store.query(f).records) == expected
    assert store.count(f) == len(expected)
