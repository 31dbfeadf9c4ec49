"""The columnar export path (``store.iter_batches``, native on both backends) gives exactly what the record path
gives, for every access level, sort order and awkward value (NULL vs empty text, newlines, quotes, issues)."""
import pytest

from occurrences.store import Filters, open_store
from occurrences.store.arrow import SCHEMA, batches_from_records
from tests.conftest import BACKENDS, fresh_db_url
from tests.sensitive_seed import seed
from tests.test_export import records


@pytest.fixture(scope="module", params=BACKENDS)
def store(request, tmp_path_factory):
    with fresh_db_url(request.param, tmp_path_factory.mktemp("batches")) as url:
        s = open_store(url)
        try:
            seed(s, demo=60)
            awkward = records()
            for i, rec in enumerate(awkward):
                rec["occurrenceID"] = f"awkward-{i}"
            awkward[5].update(locality="", occurrenceRemarks='"', recordedBy="a,b", sex="\\N", vernacularName=None)
            awkward[6].update(locality="line\r\nbreak", occurrenceRemarks="   ")
            s.add_many(awkward, submitted_by="carol", status="accepted")
            yield s
        finally:
            s.close()


def as_rows(batches) -> list[dict]:
    return [row for batch in batches for row in batch.to_pylist()]


@pytest.mark.parametrize("access", ["public", "own:alice", "full"])
@pytest.mark.parametrize("filters", [Filters(), Filters(sort="-eventDate"), Filters(status=["pending", "accepted"]), Filters(countryCode=["TH"]),
                                     Filters(bbox=(99.0, 10.0, 106.0, 20.0))])
def test_native_batches_equal_the_record_path(store, access, filters):
    filters = filters.replace(access=access)
    native = list(store.iter_batches(filters, batch_size=17))  # small batches: paging across many pages
    assert all(b.schema == SCHEMA and b.num_rows <= 17 for b in native)
    expected = as_rows(batches_from_records(store.iter_records(filters)))
    assert len(expected) > 20
    assert as_rows(native) == expected


def test_batches_keep_empty_text_apart_from_null(store):
    rows = {r["occurrenceID"]: r for r in as_rows(store.iter_batches(Filters(access="full")))}
    five, six = rows["awkward-5"], rows["awkward-6"]
    assert five["locality"] == "" and five["occurrenceRemarks"] == '"' and five["sex"] == "\\N"
    assert five["recordedBy"] == "a,b" and five["vernacularName"] is None
    assert six["locality"] == "line\r\nbreak" and six["occurrenceRemarks"] == "   "
    assert rows["awkward-4"]["issues"] == ["COORDINATE_ROUNDED", "gbif:RECORDED_DATE_MISMATCH"]


def test_public_batches_hold_no_precise_sensitive_point(store):
    every_status = ["accepted", "pending", "rejected"]
    public = {r["occurrenceID"]: r for r in as_rows(store.iter_batches(Filters(status=every_status)))}
    full = {r["occurrenceID"]: r for r in as_rows(store.iter_batches(Filters(status=every_status, access="full")))}
    assert "sens-pending-1" not in public and "sens-pending-1" in full
    assert public["sens-binturong-1"]["decimalLatitude"] != full["sens-binturong-1"]["decimalLatitude"]
    assert public["sens-binturong-1"]["locality"] is None and full["sens-binturong-1"]["locality"]
