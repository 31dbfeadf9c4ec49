"""The map's columnar fast path returns exactly what the record path returns, for every kind of access."""
import pytest

from occurrences.demo import demo_records
from occurrences.maps.points import mapped_columns
from occurrences.store import Filters, open_store
from tests.conftest import BACKENDS, fresh_db_url

COLUMNS = ("occurrenceID", "decimalLongitude", "decimalLatitude", "basisOfRecord", "year")


class RecordsOnly:
    """The same store seen only through the contract's ``iter_records`` (no fast path)."""

    def __init__(self, store):
        self.iter_records = store.iter_records


@pytest.fixture(scope="module", params=BACKENDS)
def store(request, tmp_path_factory):
    with fresh_db_url(request.param, tmp_path_factory.mktemp("cols")) as url:
        s = open_store(url)
        try:
            s.add_many(demo_records(600), submitted_by="demo", status="accepted")
            s.add_many(demo_records(50, seed=99), submitted_by="alice", status="pending")
            yield s
        finally:
            s.close()


@pytest.mark.parametrize("access", ["public", "full", "own:alice"])
@pytest.mark.parametrize("filters", [Filters(), Filters(scientificName=["Arctictis binturong"]),
                                     Filters(bbox=(100.0, 12.0, 106.0, 20.0)), Filters(hasGeospatialIssue=False)])
def test_fast_path_equals_record_path(store, access, filters):
    filters = filters.replace(access=access)
    fast = mapped_columns(store, filters, COLUMNS)
    slow = mapped_columns(RecordsOnly(store), filters, COLUMNS)
    for name in COLUMNS:
        assert list(fast[name]) == list(slow[name]), name
