"""Bad input gets one clear message or a flag, in bounded time and memory, and nothing is half-stored."""
import time

import pytest

from occurrences.errors import ImportRejected
from occurrences.ingest import FileRejected, import_bytes
from occurrences.store import Filters, open_store

EVERYTHING = Filters(access="full", status=["accepted", "pending", "rejected"])
FIFTY_MB = 50 * 2**20


@pytest.fixture
def store(tmp_path):
    return open_store(f"sqlite:///{tmp_path / 'bad.db'}")


@pytest.mark.parametrize("line, code", [
    ("field notes in one column 2020\n", "no-known-columns"),  # no delimiter at all
    ("field notes, in one column 2020\n", "bad-csv"),  # a comma in every row: more cells than the header
])
def test_fifty_megabytes_of_one_column_is_refused_at_once(store, line, code):
    data = ("notes\n" + line * (FIFTY_MB // len(line))).encode()
    started = time.perf_counter()
    with pytest.raises(FileRejected) as exc:
        import_bytes(store, data, "one-column.csv")
    assert time.perf_counter() - started < 20  # was 70 s and 5.7 GB of row errors
    assert exc.value.code == code and "one-column.csv" in exc.value.message("en")
    assert store.count(EVERYTHING) == 0


def test_buddhist_era_year_in_an_english_file_is_flagged_and_stored_read_by_the_thai_rule(store):
    body = ("occurrenceID,basisOfRecord,scientificName,eventDate,decimalLatitude,decimalLongitude,countryCode\n"
            "be-1,HumanObservation,Paguma larvata,15/3/2567,18.79,98.98,TH\n")
    result = import_bytes(store, body.encode(), "english.csv", submitted_by="t")
    record = store.get("be-1", access="full")
    assert record["eventDate"] == "2024-03-15" and record["issues"] == ["DATE_LOOKS_BUDDHIST_ERA"]
    [flag] = result.report.rows[0].flags
    assert "Thai calendar: CE = BE − 543" in flag.message("en")


def test_one_bad_row_stores_nothing_of_the_file(store):
    body = ("occurrenceID,basisOfRecord,scientificName,eventDate,decimalLatitude,decimalLongitude,countryCode\n"
            "ok-1,HumanObservation,Paguma larvata,2024-03-15,18.79,98.98,TH\n"
            "bad-1,HumanObservation,Paguma larvata,2024-02-30,18.79,98.98,TH\n")
    with pytest.raises(ImportRejected):
        import_bytes(store, body.encode(), "half.csv", submitted_by="t")
    assert store.count(EVERYTHING) == 0
