"""PostGIS bulk loads: every record stored exactly (CSV COPY), pages all-visible afterwards (COPY FREEZE on a
first load, VACUUM after a load into a non-empty table) so counts are index-only, indexes rebuilt, and the
partial indexes serve the reads they were made for."""
import psycopg
import pytest

from occurrences.store import Filters, open_store
from occurrences.store import sql as S
from occurrences.store.postgis import parse_url
from tests.test_store_contract import many

pytestmark = pytest.mark.postgis


@pytest.fixture
def pg(postgis_url, monkeypatch):
    from occurrences.store import postgis

    monkeypatch.setattr(postgis, "BULK_THRESHOLD", 50)  # the bulk path on small batches
    store = open_store(postgis_url)
    conninfo, schema, _ = parse_url(postgis_url)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'SET search_path TO "{schema}", public')
        yield store, conn
    store.close()


def visibility(conn) -> tuple[int, int]:
    return conn.execute("SELECT relpages, relallvisible FROM pg_class WHERE oid = 'occurrence'::regclass").fetchone()


def indexes(conn) -> set[str]:
    return {r[0] for r in conn.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'occurrence' "
                                       "AND schemaname = current_schema()")}


def plan(conn, sql_params) -> str:
    sql, params = sql_params
    return "\n".join(r[0] for r in conn.execute("EXPLAIN (ANALYZE, COSTS OFF) " + sql, params))


def test_first_bulk_load_is_all_visible_and_counts_read_only_the_index(pg):
    store, conn = pg
    before = indexes(conn)
    store.add_many(many(3000), status="accepted")
    pages, visible = visibility(conn)
    assert pages > 0 and visible == pages
    assert indexes(conn) == before
    f = Filters(scientificName=["Paguma larvata"], countryCode=["TH"])
    assert store.count(f) == 3000
    conn.execute("SET enable_seqscan = off")  # a small table: show the plan the planner takes at scale
    text = plan(conn, S.count_sql(f, store.dialect))
    assert "Index Only Scan using ix_species_country" in text and "Heap Fetches: 0" in text


def test_bulk_load_into_a_non_empty_table_is_vacuumed_after_commit(pg):
    store, conn = pg
    store.add_many(many(60), status="accepted")
    store.add_many(many(500, start=1000), status="accepted")  # larger than the table: the bulk path
    pages, visible = visibility(conn)
    assert visible == pages and store.count(Filters()) == 560


def test_review_queue_and_public_reads_use_the_partial_indexes(pg):
    store, conn = pg
    # Paguma larvata among many TH records, and a few VN records: selective filters, as at scale
    store.add_many(many(5000, scientificName="Viverra zibetha"), status="accepted")
    store.add_many(many(20, start=7000, countryCode="VN"), status="accepted")
    store.add_many(many(20, start=8000), status="accepted")
    store.add_many(many(5, start=9000), status="pending")
    conn.execute("SET enable_seqscan = off")
    conn.execute("SET enable_bitmapscan = off")
    queue = Filters(status=["pending"], access="full")
    assert "ix_review" in plan(conn, S.select_page(queue, store.dialect))
    assert [r["occurrenceID"] for r in store.query(queue).records] == [r["occurrenceID"] for r in many(5, start=9000)]
    for access in ("public", "own:alice", "full"):
        f = Filters(scientificName=["Paguma larvata"], countryCode=["TH"], access=access)
        assert "ix_species_country" in plan(conn, S.select_page(f, store.dialect)), access
        assert "ix_country" in plan(conn, S.select_page(Filters(countryCode=["VN"], access=access), store.dialect))


def test_copy_stores_awkward_values_exactly(pg):
    store, _ = pg
    values = ["", "\\.", "\\N", 'say "hi", then', "two\nlines\r\n", "tab\there", "ป่าเขาใหญ่", "  "]
    batch = many(len(values))
    for rec, value in zip(batch, values):
        rec["locality"] = value
    batch[0]["recordedBy"] = 12345  # a number where text is expected: stored as its text
    batch[1]["decimalLatitude"], batch[1]["decimalLongitude"] = 10.123456789012345, 100.98765432109876
    store.add_many(batch, status="accepted")
    got = {r["occurrenceID"]: r for r in store.iter_records(Filters(access="full"))}
    assert [got[r["occurrenceID"]]["locality"] for r in batch] == values
    assert got[batch[0]["occurrenceID"]]["recordedBy"] == "12345"
    assert got[batch[1]["occurrenceID"]]["decimalLatitude"] == 10.123456789012345
    assert got[batch[1]["occurrenceID"]]["decimalLongitude"] == 100.98765432109876
    assert got[batch[2]["occurrenceID"]]["vernacularName"] is None


@pytest.fixture
def sliced(pg, monkeypatch):
    """The first-load pipeline in slices of 40 records (see PostGISStore._first_load)."""
    from occurrences.store import postgis

    monkeypatch.setattr(postgis, "LOAD_SLICE_ROWS", 40)
    return pg


def test_first_load_in_slices_stores_what_the_row_path_stores(sliced, monkeypatch):
    import itertools

    from occurrences.store import columns
    from tests.conftest import postgis_schema_url

    store, conn = sliced
    ticks = itertools.count()  # a new time at every call: slices stamped one by one would differ
    monkeypatch.setattr(columns, "now_iso", lambda: f"2026-01-01T00:00:{next(ticks) % 60:02d}Z")
    batch = many(130)
    batch[45]["issues"] = ["ZERO_COORDINATE", "ZERO_COORDINATE"]  # a flag given twice, in the second slice
    batch[100]["occurrenceID"] = ""  # gets a new id
    store.add_many(batch, status="accepted")
    with postgis_schema_url() as url:  # the same records added one by one (never the bulk path) elsewhere
        other = open_store(url)
        for record in batch:
            other.add_many([record], status="accepted")
        ignore = {"occurrenceID", "submittedAt"}
        mine = [{k: v for k, v in r.items() if k not in ignore} for r in store.iter_records(Filters(access="full"))]
        theirs = [{k: v for k, v in r.items() if k not in ignore} for r in other.iter_records(Filters(access="full"))]
        other.close()
    assert mine == theirs and len(mine) == 130
    ids_ = [r["occurrenceID"] for r in store.iter_records(Filters(access="full"))]
    assert ids_[:100] == [r["occurrenceID"] for r in batch[:100]] and ids_[100] not in ("", None)
    assert len({r["submittedAt"] for r in store.iter_records(Filters(access="full"))}) == 1  # one stamp
    assert store.count(Filters(issue=["ZERO_COORDINATE"])) == 1
    assert conn.execute("SELECT count(*) FROM pg_constraint WHERE conrelid = 'occurrence'::regclass "
                        "AND contype = 'p'").fetchone()[0] == 1
    seqs = [r[0] for r in conn.execute("SELECT seq FROM occurrence ORDER BY seq")]
    assert seqs == list(range(1, 131))


def test_a_bad_value_in_a_later_slice_names_its_row_and_stores_nothing(sliced):
    from occurrences.errors import InvalidValue

    store, conn = sliced
    before = indexes(conn)
    batch = many(130)
    batch[97]["decimalLatitude"] = 123.0
    with pytest.raises(InvalidValue) as exc:
        store.add_many(batch, status="accepted")
    assert exc.value.params["row"] == 98 and exc.value.params["field"] == "decimalLatitude"
    assert store.count(Filters(access="full", status=["accepted", "pending", "rejected"])) == 0
    assert indexes(conn) == before  # the dropped indexes come back with the rollback


def test_a_first_load_refuses_an_id_given_twice(sliced):
    from occurrences.errors import InvalidValue

    store, _ = sliced
    batch = many(130)
    batch[120]["occurrenceID"] = batch[3]["occurrenceID"]
    with pytest.raises(InvalidValue) as exc:
        store.add_many(batch, status="accepted")
    assert exc.value.params["row"] == 121
    assert store.count(Filters(access="full")) == 0
