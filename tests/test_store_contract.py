"""The store contract, run against every backend (the ``store`` fixture: SQLite, and PostGIS when a server is
configured — see tests/conftest.py). Each test starts from an empty database."""
from __future__ import annotations

import sqlite3
import threading

import pytest
import shapely

from occurrences.errors import InvalidParameter, InvalidValue, NotFound, StoreUnavailable
from occurrences.store import Filters, open_store, parse_filters
from tests.conftest import BACKENDS, fresh_db_url

BASE = {"basisOfRecord": "HumanObservation", "geodeticDatum": "WGS84"}
# id → record; chosen so that every filter below selects a different, hand-checked subset.
SAMPLE = {
    "r1": dict(scientificName="Prionailurus bengalensis", countryCode="TH", stateProvince="Chiang Mai",
               recordedBy="Anan", eventDate="2020-05-01", decimalLatitude=13.5, decimalLongitude=100.5),
    "r2": dict(scientificName="Paguma larvata", countryCode="VN", recordedBy="Binh", eventDate="2019-03-10",
               basisOfRecord="MachineObservation", decimalLatitude=0.0, decimalLongitude=0.0,
               issues=["ZERO_COORDINATE"]),
    "r3": dict(scientificName="Paguma larvata", countryCode="TH", stateProvince="Loei", recordedBy="Anan",
               eventDate="2021-01", decimalLatitude=14.0, decimalLongitude=101.0,
               issues=["COUNTRY_COORDINATE_MISMATCH", "RECORDED_DATE_UNLIKELY"]),
    "r4": dict(scientificName="Arctictis binturong", countryCode="KH", recordedBy="Chan",
               eventDate="2018-12-20/2019-01-05", basisOfRecord="PreservedSpecimen",
               decimalLatitude=12.5, decimalLongitude=104.9),
    "r5": dict(scientificName="Prionailurus bengalensis", countryCode="LA", eventDate="2015"),
    "r6": dict(scientificName="Prionailurus bengalensis", countryCode="TH", recordedBy="Dao",
               eventDate="2020-05-02", decimalLatitude=13.50001, decimalLongitude=100.0),
    "r7": dict(scientificName="Viverra zibetha", countryCode="MM", eventDate="2022-07-07",
               decimalLatitude=20.0, decimalLongitude=96.0, issues=["RECORDED_DATE_UNLIKELY"]),
}


def records(ids=SAMPLE) -> list[dict]:
    return [{**BASE, "occurrenceID": i, **SAMPLE[i]} for i in ids]


def F(**kw) -> Filters:
    """Filters that see every record precisely (the operator's view)."""
    return Filters(access="full", status=["pending", "accepted", "rejected"], **kw)


def ids(page_or_records) -> list[str]:
    recs = page_or_records.records if hasattr(page_or_records, "records") else page_or_records
    return [r["occurrenceID"] for r in recs]


@pytest.fixture(scope="module", params=BACKENDS)
def sample(request, tmp_path_factory):
    """SAMPLE, loaded once per backend, for the tests that only read."""
    with fresh_db_url(request.param, tmp_path_factory.mktemp("sample")) as url:
        store = open_store(url)
        store.add_many(records(), submitted_by="tester", status="accepted")
        yield store
        store.close()


@pytest.fixture
def loaded(store):
    result = store.add_many(records(), submitted_by="tester", status="accepted")
    assert result.statuses == ["stored"] * len(SAMPLE)
    return store


# -- writes and reads ----------------------------------------------------------------------------------------
def test_add_many_dicts_then_get_returns_the_canonical_record(sample):
    got = sample.get("r4", access="full")
    assert got["scientificName"] == "Arctictis binturong"
    assert got["eventDate"] == "2018-12-20/2019-01-05"
    assert (got["year"], got["month"], got["day"]) == (2018, None, None)  # interval across months
    assert (got["decimalLatitude"], got["decimalLongitude"]) == (12.5, 104.9)
    assert got["submittedBy"] == "tester" and got["issues"] == []
    r3 = sample.get("r3", access="full")
    assert r3["issues"] == ["COUNTRY_COORDINATE_MISMATCH", "RECORDED_DATE_UNLIKELY"]
    assert (r3["year"], r3["month"], r3["day"]) == (2021, 1, None)
    assert sample.get("r5", access="full")["decimalLatitude"] is None
    assert sample.get("nope", access="full") is None


def test_add_many_columnar_stores_the_same_records_as_dicts(store):
    recs = records(["r1", "r3", "r5"])
    names = sorted({k for r in recs for k in r})
    columnar = {name: [r.get(name) for r in recs] for name in names}
    assert store.add_many(columnar, status="accepted").stored == 3
    for rec in recs:
        got = store.get(rec["occurrenceID"], access="full")
        assert {k: got[k] for k in rec if k != "issues"} == {k: v for k, v in rec.items() if k != "issues"}
        assert got["issues"] == rec.get("issues", [])


def test_generated_ids_are_unique_and_returned_by_query(store):
    store.add_many([{**BASE, **SAMPLE["r1"]}, {**BASE, **SAMPLE["r6"]}], status="accepted")
    found = ids(store.query(F()))
    assert len(found) == 2 and len(set(found)) == 2 and all(found)


# -- every filter ---------------------------------------------------------------------------------------------
TRIANGLE = shapely.Polygon([(100.8, 13.8), (101.2, 13.8), (101.0, 14.2)])  # around r3 (101, 14) only
FILTER_CASES = [
    (dict(scientificName=["Paguma larvata"]), {"r2", "r3"}),
    (dict(scientificName=["Paguma larvata", "Viverra zibetha"]), {"r2", "r3", "r7"}),
    (dict(countryCode=["TH"]), {"r1", "r3", "r6"}),
    (dict(countryCode=["KH", "MM"]), {"r4", "r7"}),
    (dict(stateProvince=["Loei"]), {"r3"}),
    (dict(basisOfRecord=["MachineObservation", "PreservedSpecimen"]), {"r2", "r4"}),
    (dict(recordedBy=["Anan"]), {"r1", "r3"}),
    (dict(issue=["RECORDED_DATE_UNLIKELY"]), {"r3", "r7"}),
    (dict(issue=["ZERO_COORDINATE", "COUNTRY_COORDINATE_MISMATCH"]), {"r2", "r3"}),
    (dict(issue=["NO_SUCH_FLAG"]), set()),
    # a date range holds records whose date or interval overlaps it (GBIF, OGC API datetime)
    (dict(eventDate=("2018-12-01", "2019-01-31")), {"r4"}),
    (dict(eventDate=("2019-01-01", "2019-12-31")), {"r2", "r4"}),  # r4 runs 2018-12-20 to 2019-01-05
    (dict(eventDate=("2019-01-05", "2019-01-05")), {"r4"}),  # its last day
    (dict(eventDate=("2019-01-06", "2019-03-09")), set()),  # after r4, before r2
    (dict(eventDate=("2018-12-19", "2018-12-19")), set()),  # the day before r4
    (dict(eventDate=("2021-01-15", "2021-01-15")), {"r3"}),  # r3 is the whole of January 2021
    (dict(eventDate=("2021-02-01", "2021-02-28")), set()),
    (dict(eventDate=("2015-06-01", "2015-06-01")), {"r5"}),  # r5 is the whole of 2015
    (dict(year=(2019, 2020)), {"r1", "r2", "r4", "r6"}),
    (dict(year=(2018, 2018)), {"r4"}),
    (dict(year=(2015, 2015)), {"r5"}),
    (dict(year=(2016, 2017)), set()),
    # bbox edges are inclusive: r1 sits on the corner, r6 just above the top edge
    (dict(bbox=(100.0, 13.0, 100.5, 13.5)), {"r1"}),
    (dict(bbox=(95.0, 12.0, 106.0, 21.0)), {"r1", "r3", "r4", "r6", "r7"}),
    (dict(geometry=TRIANGLE), {"r3"}),
    (dict(geometry=shapely.box(99.0, 13.0, 101.0, 14.0)), {"r1", "r3", "r6"}),  # boundary points count
    (dict(hasGeospatialIssue=True), {"r2", "r3"}),
    (dict(hasGeospatialIssue=False), {"r1", "r4", "r5", "r6", "r7"}),
    # combinations are ANDed
    (dict(scientificName=["Prionailurus bengalensis"], countryCode=["TH"]), {"r1", "r6"}),
    (dict(countryCode=["TH"], issue=["RECORDED_DATE_UNLIKELY"], year=(2021, 2021)), {"r3"}),
    (dict(scientificName=["Prionailurus bengalensis"], bbox=(99.0, 13.0, 101.0, 14.0),
          eventDate=("2020-05-02", "2020-05-31")), {"r6"}),
    (dict(recordedBy=["Anan"], hasGeospatialIssue=False), {"r1"}),
]


@pytest.mark.parametrize("kwargs, expected", FILTER_CASES, ids=[str(i) for i in range(len(FILTER_CASES))])
def test_each_filter_selects_exactly_the_expected_records(sample, kwargs, expected):
    assert set(ids(sample.query(F(**kwargs)))) == expected
    assert sample.count(F(**kwargs)) == len(expected)
    assert set(ids(sample.iter_records(F(**kwargs), batch_size=2))) == expected


@pytest.mark.parametrize("text, expected", [
    ("2019-01-03", {"r4"}),  # a day inside r4's interval
    ("2019-01-01/2019-03-10", {"r2", "r4"}),  # an interval as the filter value
    ("2019-01-06,2019-03-09", set()),
])
def test_event_date_query_strings_match_by_overlap(sample, text, expected):
    assert set(ids(sample.query(parse_filters({"eventDate": text})))) == expected


def test_filters_parsed_from_query_strings_work_on_the_store(sample):
    f = parse_filters({"countryCode": "th|vn", "year": "2019,2021", "issue": "ZERO_COORDINATE|RECORDED_DATE_UNLIKELY"})
    assert set(ids(sample.query(f.replace(access="full", status=["accepted"])))) == {"r2", "r3"}


VN_PROVINCES = {
    "qb-2024": ("Quảng Bình", "2024-04-02"),  # former province, before the merger
    "qt-2023": ("Quảng Trị", "2023-01-09"),  # former Quảng Trị
    "qt-2025": ("Quảng Trị", "2025-09-14"),  # the new Quảng Trị (former Quảng Bình + Quảng Trị)
    "qb-romanised": ("Quang Binh", "2022-06-01"),
    "hn-2025": ("Hà Nội", "2025-08-01"),
    "th-loei": ("Loei", "2025-08-01"),
}


@pytest.mark.parametrize("name", ["Quảng Trị", "Quảng Bình", "Quang Tri", "Tỉnh Quảng Bình"])
def test_a_viet_nam_province_finds_its_records_under_the_name_before_or_after_the_merger(store, name):
    store.add_many([{**BASE, "occurrenceID": i, "scientificName": "Paguma larvata", "countryCode": "VN",
                     "stateProvince": province, "eventDate": when} for i, (province, when) in VN_PROVINCES.items()],
                   status="accepted")
    assert set(ids(store.query(F(stateProvince=[name])))) == {"qb-2024", "qt-2023", "qt-2025", "qb-romanised"}
    assert set(ids(store.query(F(stateProvince=["Hà Nội"])))) == {"hn-2025"}
    assert set(ids(store.query(F(stateProvince=["Loei"])))) == {"th-loei"}
    assert store.count(F(stateProvince=[name])) == 4


def test_new_records_are_pending_and_only_the_full_view_sees_them(store):
    store.add_many(records(["r1"]))  # default status: pending review
    assert store.count(Filters()) == 0
    assert store.count(F()) == 1
    assert store.get("r1", access="full")["occurrenceID"] == "r1"


# -- paging and sorting ----------------------------------------------------------------------------------------
def many(n: int, start: int = 0, **extra) -> list[dict]:
    return [{**BASE, "occurrenceID": f"m{i:05d}", "scientificName": "Paguma larvata", "countryCode": "TH",
             "eventDate": f"20{10 + i % 10}-0{1 + i % 9}-1{i % 10}", "decimalLatitude": 10 + (i % 50) / 10,
             "decimalLongitude": 100 + (i % 30) / 10, **extra} for i in range(start, start + n)]


def pages(store, filters: Filters) -> list[list[str]]:
    out, f = [], filters
    while True:
        page = store.query(f)
        out.append(ids(page))
        if not page.next_cursor:
            return out
        f = f.replace(cursor=page.next_cursor)


def test_cursor_paging_visits_every_record_exactly_once(store):
    store.add_many(many(250), status="accepted")
    got = pages(store, F(limit=40))
    assert [len(p) for p in got] == [40] * 6 + [10]
    flat = [i for p in got for i in p]
    assert flat == [f"m{i:05d}" for i in range(250)]  # insertion order, no gaps, no repeats


def test_paging_while_records_are_inserted_between_pages(store):
    store.add_many(many(100), status="accepted")
    page = store.query(F(limit=30))
    seen = ids(page)
    store.add_many(many(20, start=100), status="accepted")  # lands after the cursor: must still be seen once
    f = F(limit=30, cursor=page.next_cursor)
    while True:
        page = store.query(f)
        seen += ids(page)
        if not page.next_cursor:
            break
        store.add_many(many(5, start=120 + len(seen)), status="accepted")
        f = f.replace(cursor=page.next_cursor)
    assert len(seen) == len(set(seen))
    assert set(seen) == {r["occurrenceID"] for r in store.iter_records(F())}


@pytest.mark.parametrize("sort", ["eventDate", "-eventDate"])
def test_sort_by_event_date_pages_in_order_with_ties_broken_by_insertion(store, sort):
    store.add_many(many(60), status="accepted")
    flat = [i for p in pages(store, F(limit=7, sort=sort)) for i in p]
    assert sorted(flat) == sorted(f"m{i:05d}" for i in range(60))
    starts = [(store.get(i, access="full")["eventDate"], i) for i in flat]
    expected = sorted(starts, reverse=(sort == "-eventDate"))  # ids grow with insertion order here
    assert starts == expected


# -- counts and facets ------------------------------------------------------------------------------------------
def test_a_counted_page_is_the_same_page_with_the_count_of_every_match(store):
    """``query(count=True)`` (OGC numberMatched): the page of ``query`` and ``count`` of the same filters, whether
    the backend counts in the page's own scan (a first page with a bbox) or separately, for every reader."""
    from tests.sensitive_seed import SENSITIVE, seed

    store.add_many(many(250), status="accepted")
    seed(store, demo=40)
    _oid, _name, _level, _status, lat, lon = SENSITIVE[0]  # a generalised binturong: the public sees its cell
    public = Filters(limit=40)
    cases = [F(limit=40), F(limit=40, bbox=(100.0, 10.0, 100.5, 11.0)), F(limit=500, bbox=(100.0, 10.0, 100.5, 11.0)),
             F(limit=7, sort="-eventDate", bbox=(100.0, 10.0, 101.0, 12.0)),
             F(limit=5, scientificName=["Paguma larvata"], bbox=(99.0, 9.0, 103.0, 15.0)),
             F(limit=5, bbox=(150.0, 60.0, 151.0, 61.0)),
             public.replace(bbox=(lon - 0.01, lat - 0.01, lon + 0.01, lat + 0.01)),
             public.replace(bbox=(101.6, 14.7, 101.7, 14.8)), public.replace(bbox=(99.0, 9.0, 103.0, 15.0))]
    for f in cases:
        while True:
            counted, plain = store.query(f, count=True), store.query(f)
            assert ids(counted) == ids(plain) and counted.next_cursor == plain.next_cursor, f
            assert counted.matched == store.count(f), f
            assert counted.records == plain.records  # same fields, generalised alike
            if not plain.next_cursor:
                break
            f = f.replace(cursor=plain.next_cursor)
    assert store.query(F(limit=5, bbox=(100.0, 10.0, 100.5, 11.0)), count=True).matched > 5
    assert store.query(public.replace(bbox=(lon - 0.01, lat - 0.01, lon + 0.01, lat + 0.01)), count=True).matched == 0


def test_count_with_and_without_filters(sample):
    assert sample.count(F()) == 7
    assert sample.count(F(countryCode=["TH"], hasGeospatialIssue=False)) == 2


def test_facets_count_values_most_frequent_first_ties_by_value(sample):
    got = sample.facets(F(), ["countryCode", "scientificName", "year", "issue"])
    assert got["countryCode"] == [("TH", 3), ("KH", 1), ("LA", 1), ("MM", 1), ("VN", 1)]
    assert got["scientificName"] == [("Prionailurus bengalensis", 3), ("Paguma larvata", 2),
                                     ("Arctictis binturong", 1), ("Viverra zibetha", 1)]
    assert got["year"] == [(2020, 2), (2015, 1), (2018, 1), (2019, 1), (2021, 1), (2022, 1)]
    assert got["issue"] == [("RECORDED_DATE_UNLIKELY", 2), ("COUNTRY_COORDINATE_MISMATCH", 1),
                            ("ZERO_COORDINATE", 1)]


def test_facets_respect_filters_and_limit(sample):
    got = sample.facets(F(countryCode=["TH"]), ["issue", "scientificName"], limit=1)
    assert got == {"issue": [("COUNTRY_COORDINATE_MISMATCH", 1)], "scientificName": [("Prionailurus bengalensis", 2)]}
    with pytest.raises(InvalidParameter):
        sample.facets(F(), ["decimalLatitude"])


def test_extents_and_columns_refuse_fields_they_do_not_serve(sample):
    with pytest.raises(InvalidParameter) as exc:  # a group_by is a facet field: no value of SQL text gets through
        sample.extents(F(), group_by='"countryCode"; DROP TABLE occurrence')
    assert exc.value.params["name"] == "group_by"
    with pytest.raises(InvalidParameter) as exc:
        sample.columns(F(), ["occurrenceID", "_pub_lat"])
    assert exc.value.params["name"] == "columns" and exc.value.params["value"] == "_pub_lat"
    assert set(sample.extents(F(), group_by="countryCode")) >= {"TH"}


# -- update and delete ------------------------------------------------------------------------------------------
def test_update_changes_fields_and_recomputes_derived_columns(loaded):
    after = loaded.update("r1", {"eventDate": "2011-02-03", "issues": ["ZERO_COORDINATE"]})
    assert (after["eventDate"], after["year"], after["month"], after["day"]) == ("2011-02-03", 2011, 2, 3)
    assert loaded.get("r1", access="full")["issues"] == ["ZERO_COORDINATE"]
    assert set(ids(loaded.query(F(issue=["ZERO_COORDINATE"])))) == {"r1", "r2"}
    assert set(ids(loaded.query(F(hasGeospatialIssue=True)))) == {"r1", "r2", "r3"}
    assert set(ids(loaded.query(F(year=(2011, 2011))))) == {"r1"}
    with pytest.raises(NotFound):
        loaded.update("nope", {"locality": "x"})


def test_update_of_a_bad_value_changes_nothing(loaded):
    with pytest.raises(InvalidValue):
        loaded.update("r1", {"decimalLatitude": 123.0})
    assert loaded.get("r1", access="full")["decimalLatitude"] == 13.5


def test_delete_removes_the_record_and_its_flags(loaded):
    loaded.delete("r3")
    assert loaded.get("r3", access="full") is None
    assert loaded.count(F()) == 6
    assert loaded.facets(F(), ["issue"])["issue"] == [("RECORDED_DATE_UNLIKELY", 1), ("ZERO_COORDINATE", 1)]
    with pytest.raises(NotFound):
        loaded.delete("r3")


# -- idempotent re-import and all-or-nothing ------------------------------------------------------------------
def test_reimport_skips_identical_records_and_reports_conflicts(loaded):
    again = records()
    again[1] = {**again[1], "recordedBy": "Someone else"}  # r2 changed
    again.append({**BASE, "occurrenceID": "r8", **SAMPLE["r1"]})  # new
    result = loaded.add_many(again, submitted_by="second", status="accepted")
    assert result.statuses == ["skipped", "conflict", "skipped", "skipped", "skipped", "skipped", "skipped", "stored"]
    assert (result.stored, result.skipped, result.conflicts) == (1, 6, 1)
    assert loaded.get("r2", access="full")["recordedBy"] == "Binh"  # never overwritten
    assert loaded.count(F()) == 8


def test_a_bad_row_stores_nothing_and_names_row_and_field(loaded):
    batch = many(10)
    batch[6] = {**batch[6], "eventDate": "2020-02-30"}
    with pytest.raises(InvalidValue) as err:
        loaded.add_many(batch, status="accepted")
    assert (err.value.params["field"], err.value.params["row"], err.value.params["value"]) == \
        ("eventDate", 7, "2020-02-30")
    assert loaded.count(F()) == 7


def test_duplicate_ids_in_one_batch_store_nothing(store):
    batch = many(5) + many(1, start=2)
    with pytest.raises(InvalidValue) as err:
        store.add_many(batch, status="accepted")
    assert err.value.params["row"] == 6
    assert store.count(F()) == 0


def test_bulk_path_rebuilds_indexes_and_keeps_every_record(store, monkeypatch):
    module = __import__(type(store).__module__, fromlist=["BULK_THRESHOLD"])
    monkeypatch.setattr(module, "BULK_THRESHOLD", 50)  # take the drop-and-rebuild-indexes path on a small batch
    store.add_many(many(200), status="accepted")
    assert store.count(F(countryCode=["TH"], scientificName=["Paguma larvata"])) == 200
    assert store.count(F(bbox=(100.0, 10.0, 100.05, 10.05))) == len(
        [r for r in many(200) if r["decimalLongitude"] <= 100.05 and r["decimalLatitude"] <= 10.05])
    assert store.add_many(many(200), status="accepted").skipped == 200  # unique index back in place


def test_concurrent_writers_store_everything_once(store):
    errors = []

    def write(start):
        try:
            for k in range(4):
                store.add_many(many(10, start=start + 10 * k), status="accepted")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(s,)) for s in (0, 1000)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert not errors
    assert len(set(ids(store.iter_records(F())))) == store.count(F()) == 80


# -- schema and URLs -------------------------------------------------------------------------------------------
def test_reopening_keeps_data_and_schema_version(store_url):
    first = open_store(store_url)
    version = first.schema_version
    assert version >= 1
    first.add_many(records(["r1"]), status="accepted")
    first.close()
    again = open_store(store_url)
    try:
        assert again.schema_version == version
        assert again.get("r1", access="full")["scientificName"] == "Prionailurus bengalensis"
    finally:
        again.close()


def test_a_database_from_a_newer_program_is_refused(store_url, backend):
    open_store(store_url).close()
    if backend == "sqlite":
        conn = sqlite3.connect(store_url.removeprefix("sqlite:///"))
        conn.execute("PRAGMA user_version = 999")
        conn.close()
    else:
        import psycopg

        from occurrences.store.postgis import parse_url

        conninfo, schema, _ = parse_url(store_url)
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f'UPDATE "{schema}".schema_version SET version = 999')
    with pytest.raises(StoreUnavailable, match="newer"):
        open_store(store_url)


@pytest.mark.parametrize("url", ["mysql://localhost/db", "ftp://example.org/x.db"])
def test_unknown_url_scheme_is_a_clear_error(url):
    with pytest.raises(StoreUnavailable, match="unknown database type"):
        open_store(url)


# -- backend specifics ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_sqlite_runs_in_wal_mode_and_stays_consistent(loaded, store_url):
    loaded.update("r1", {"locality": "Doi Suthep"})
    loaded.delete("r2")
    check = sqlite3.connect(store_url.removeprefix("sqlite:///"))
    try:
        assert check.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert check.execute("SELECT count(*) FROM occurrence").fetchone()[0] == 6
    finally:
        check.close()


@pytest.mark.parametrize("backend", ["postgis"], indirect=True)
def test_postgis_stores_a_point_geometry_with_a_gist_index(loaded, store_url):
    import psycopg

    from occurrences.store.postgis import parse_url

    conninfo, schema, _ = parse_url(store_url)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'SET search_path TO "{schema}", public')
        kind = conn.execute("SELECT type, srid FROM geometry_columns WHERE f_table_schema = %s "
                            "AND f_table_name = 'occurrence'", [schema]).fetchone()
        assert kind == ("POINT", 4326)
        xy = conn.execute('SELECT ST_X(geom), ST_Y(geom) FROM occurrence WHERE "occurrenceID" = %s',
                          ["r4"]).fetchone()
        assert xy == (104.9, 12.5)
        assert conn.execute('SELECT geom IS NULL FROM occurrence WHERE "occurrenceID" = %s', ["r5"]).fetchone()[0]
        indexes = dict(conn.execute("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = %s "
                                    "AND tablename = 'occurrence'", [schema]).fetchall())
        assert "USING gist (geom)" in indexes["ix_geom"]
        assert {"ux_occurrence_id", "ix_species_country", "ix_country", "ix_start"} <= set(indexes)
        assert not {"ix_year", "ix_basis"} & set(indexes)  # year filters use ix_start (schema 3 / 4)
        conn.execute("SET enable_seqscan = off")  # a 7-row table: make the planner show it can use the index
        plan = "\n".join(r[0] for r in conn.execute(
            "EXPLAIN SELECT seq FROM occurrence WHERE geom && ST_MakeEnvelope(100, 13, 101, 14, 4326)"))
        assert "ix_geom" in plan


@pytest.mark.parametrize("backend", ["postgis"], indirect=True)
def test_postgis_url_errors_name_the_server_without_the_password(store_url):
    bad = "postgresql://someone:s3cret@127.0.0.1:1/nodb"
    with pytest.raises(StoreUnavailable) as err:
        open_store(bad)
    assert "s3cret" not in str(err.value) and "127.0.0.1" in str(err.value)
