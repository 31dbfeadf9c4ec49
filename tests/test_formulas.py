"""One formula rule (occurrences.formulas) for every output a spreadsheet may open: the API's CSV, the CSV
export and the Darwin Core Archive's text files (issue 14, item 8)."""
import csv
import io
import zipfile

import pyarrow as pa
import pytest
from fastapi.testclient import TestClient

from occurrences.api import create_app
from occurrences.demo import demo_records
from occurrences.export import export
from occurrences.formulas import is_formula, neutralise, neutralise_column
from occurrences.settings import Settings
from occurrences.store import Filters, open_store

FORMULAS = [
    "=1+1", "+1+1", "@SUM(A1)", "-2+3+cmd|' /C calc'!A0", "\t=1", "\rx", "\tplain", "=HYPERLINK(\"http://e\")",
    "\uff1d1+1", "\uff0bcmd", "\uff0d2+3", "\uff20SUM(1)",  # fullwidth ＝ ＋ － ＠
    "\u00a0=1+1", "\ufeff=1+1", "\u200b=1+1", "\u200b\u200c\u200d\u2060@x", "\u202e=1", "\u3000\uff1d1",
    " =1+1", "\u00a0\ufeff\u200b-2+3", "\x00=1", "\n=1",
]
SAFE = ["-2", "+66", "-12.5", "1e5", "plain", "", "a=b", "x-1", "'=already", "\u00a0-2", "Nguyễn", "ป่า=ดิบ"]


@pytest.mark.parametrize("text", FORMULAS)
def test_formulas_get_an_apostrophe(text):
    assert is_formula(text)
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("text", SAFE)
def test_plain_text_and_numbers_are_left_alone(text):
    assert not is_formula(text) and neutralise(text) == text


def test_the_column_version_is_the_same_rule():
    column = pa.array(FORMULAS + SAFE + [None])
    assert neutralise_column(column).to_pylist() == [neutralise(v) for v in FORMULAS + SAFE] + [None]
    untouched = pa.array(SAFE)
    assert neutralise_column(untouched) is untouched  # nothing risky: no copy


HOSTILE = {"locality": "-2+3+cmd|' /C calc'!A0", "recordedBy": "\uff1dHYPERLINK(\"http://e\")",
           "occurrenceRemarks": "\u200b=1+1", "verbatimLocality": "\ufeff@SUM(1)", "vernacularName": "\u00a0=cmd"}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    s = open_store(f"sqlite:///{tmp_path_factory.mktemp('formulas') / 'f.db'}")
    recs = demo_records(5)
    recs[0].update(occurrenceID="evil", scientificName="Viverra unlisted", **HOSTILE)  # own names used
    s.add_many(recs, submitted_by="demo", status="accepted")
    yield s
    s.close()


def evil_row(rows: list[dict]) -> dict:
    return next(r for r in rows if r["occurrenceID"] == "evil")


def assert_neutralised(row: dict) -> None:
    for name, value in HOSTILE.items():
        if name in row:
            assert row[name] == "'" + value, (name, row[name])


def test_csv_export(store, tmp_path):
    export(store, Filters(access="full"), "csv", tmp_path / "o.csv")
    assert_neutralised(evil_row(list(csv.DictReader(open(tmp_path / "o.csv", encoding="utf-8")))))


def test_dwca_export_core_and_vernacular_names(store, tmp_path):
    export(store, Filters(access="full"), "dwca", tmp_path / "o.zip")
    with zipfile.ZipFile(tmp_path / "o.zip") as zf:
        core = list(csv.DictReader(io.StringIO(zf.read("occurrence.txt").decode()), delimiter="\t"))
        names = list(csv.DictReader(io.StringIO(zf.read("vernacularname.txt").decode()), delimiter="\t"))
    assert_neutralised(evil_row(core))
    assert "'" + HOSTILE["vernacularName"] in [r["vernacularName"] for r in names if r["occurrenceID"] == "evil"]


def test_api_csv(store):
    with TestClient(create_app(Settings(db=store.url))) as client:
        r = client.get("/occurrences", params={"format": "csv", "limit": 100})
        assert r.status_code == 200
        assert_neutralised(evil_row(list(csv.DictReader(io.StringIO(r.text.lstrip("\ufeff"))))))


IMPORT_FORMULAS = ["=1+1", "\uff1dHYPERLINK(\"http://e\")", "\u200b=1+1", "\ufeff@SUM(1)", "\u00a0\uff20x",
                   "\uff0bcmd|' /C calc'!A0", "\u2060-cmd|x"]


@pytest.mark.parametrize("value", IMPORT_FORMULAS)
def test_imports_refuse_the_same_disguised_formulas(tmp_path, value):
    from occurrences.errors import ImportRejected
    from occurrences.ingest import import_bytes

    header = "occurrenceID,basisOfRecord,scientificName,eventDate,decimalLatitude,decimalLongitude,countryCode,locality\n"
    row = f'x1,HumanObservation,Paguma larvata,2021-04-05,15.1,100.2,TH,"{value}"\n'
    store = open_store(f"sqlite:///{tmp_path / 'i.db'}")
    with pytest.raises(ImportRejected) as caught:
        import_bytes(store, (header + row).encode(), "f.csv", submitted_by="t")
    assert ("locality", "FORMULA_NOT_ALLOWED") in [(f.field, f.code) for r in caught.value.report.rows
                                                   for f in r.flags]
    store.close()
