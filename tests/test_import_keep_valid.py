"""--keep-valid / --rejects: the valid rows are stored, the rejected ones given back in the input's own format,
encoding and header language with a reason column; the corrected file imports cleanly; re-imports are
idempotent by occurrenceID; without the option a file stays all or nothing."""
import csv
import io
import unicodedata

import pytest
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook

from occurrences.cli import cli
from occurrences.errors import ImportRejected
from occurrences.forms import load_form
from occurrences.i18n import translate
from occurrences.ingest import import_bytes
from occurrences.ingest.rejects import REASON_HEADER, encode
from occurrences.store import Filters, open_store

FORM = load_form()
TERMS = ["occurrenceID", "basisOfRecord", "scientificName", "eventDate", "decimalLatitude", "decimalLongitude",
         "countryCode"]
THAI_ROWS = [
    ["t-1", "คนพบเห็นหรือได้ยิน", "อีเห็นเครือ", "๑๕/๓/๒๕๖๗", "๑๘.๗๙", "๙๘.๙๘", "ไทย"],
    ["t-2", "คนพบเห็นหรือได้ยิน", "อีเห็นเครือ", "31/02/2567", "๑๘.๗๐", "๙๘.๙๐", "ไทย"],  # no 31 February
    ["t-3", "คนพบเห็นหรือได้ยิน", "หมีขอ", "๑/๔/๒๕๖๖", "๑๔.๕", "๑๐๑.๒", "ไทย"],
]


def headers(lang):
    return [FORM.field(t).labels[lang] for t in TERMS]


def csv_bytes(header, rows, encoding="utf-8", delimiter=","):
    buf = io.StringIO(newline="")
    w = csv.writer(buf, delimiter=delimiter)
    w.writerow(header)
    w.writerows(rows)
    return encode(buf.getvalue(), encoding)  # cp1258: Vietnamese letters it lacks as base + tone mark, as Excel


def read_csv(data: bytes, encoding: str, delimiter=","):
    text = unicodedata.normalize("NFC", data.decode(encoding))
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


@pytest.fixture
def db(tmp_path):
    return f"sqlite:///{tmp_path / 'keep.db'}"


def stored_ids(db):
    return {r["occurrenceID"] for r in open_store(db).query(Filters(access="full", limit=1000)).records}


def test_cli_keep_valid_writes_rejects_then_the_fixed_file_imports(tmp_path, db):
    source = tmp_path / "survey.csv"
    source.write_bytes(csv_bytes(headers("th"), THAI_ROWS))
    rejects = tmp_path / "rejects.csv"
    result = CliRunner().invoke(cli, ["import", str(source), "--db", db, "--keep-valid", "--rejects", str(rejects)])
    assert result.exit_code == 0, result.output
    assert stored_ids(db) == {"t-1", "t-3"}
    assert str(rejects) in result.output and "1" in result.output
    rows = read_csv(rejects.read_bytes(), "utf-8")
    reason = translate("th", REASON_HEADER)
    assert rows[0] == [*headers("th"), reason]  # the submitter's own headers, the reason header in Thai
    assert rows[1][:7] == THAI_ROWS[1]  # the cells as given
    date_label = FORM.field("eventDate").labels["th"]
    assert rows[1][7].startswith(f"{date_label}: ") and "31/02/2567" in rows[1][7]
    assert reason != REASON_HEADER  # translated
    # the submitter fixes the date and imports the rejects file itself (its reason column is ignored)
    rows[1][3] = "๒๘/๒/๒๕๖๗"
    with open(rejects, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    again = CliRunner().invoke(cli, ["import", str(rejects), "--db", db])
    assert again.exit_code == 0, again.output
    assert stored_ids(db) == {"t-1", "t-2", "t-3"}
    assert open_store(db).get("t-2", access="full")["eventDate"] == "2024-02-28"
    # importing anything again changes nothing (idempotent by occurrenceID)
    for path in (source, rejects):
        CliRunner().invoke(cli, ["import", str(path), "--db", db, "--keep-valid"])
    assert open_store(db).count(Filters(access="full")) == 3


def test_without_keep_valid_the_file_stays_all_or_nothing(tmp_path, db):
    source = tmp_path / "survey.csv"
    source.write_bytes(csv_bytes(headers("th"), THAI_ROWS))
    result = CliRunner().invoke(cli, ["import", str(source), "--db", db])
    assert result.exit_code == 1 and stored_ids(db) == set()
    misuse = CliRunner().invoke(cli, ["import", str(source), "--db", db, "--rejects", str(tmp_path / "r.csv")])
    assert misuse.exit_code != 0 and stored_ids(db) == set()


@pytest.mark.parametrize("encoding, delimiter, lang, rows", [
    ("cp874", ",", "th", THAI_ROWS),  # Excel "CSV (Comma delimited)" on a Thai Windows
    ("utf-8-sig", ";", "th", THAI_ROWS),  # Excel "CSV UTF-8" in a locale with ; as list separator
    ("utf-16", "\t", "th", THAI_ROWS),  # Excel "Unicode text"
    ("cp1258", ",", "vi", [["v-1", "Bẫy ảnh hoặc thiết bị khác", "Paguma larvata", "15/3/2024", "10,76", "106,66",
                            "Việt Nam"],
                           ["v-2", "Bẫy ảnh hoặc thiết bị khác", "Paguma larvata", "3/15/2024", "10,77", "106,67",
                            "Việt Nam"]]),  # month/day: refused
])
def test_rejects_keep_the_encoding_delimiter_and_headers(db, encoding, delimiter, lang, rows):
    data = csv_bytes(headers(lang), rows, encoding, delimiter)
    store = open_store(db)
    result = import_bytes(store, data, "f.csv", keep_valid=True, submitted_by="t")
    assert (result.stored, result.rejected, result.rejects_format) == (len(rows) - 1, 1, "csv")
    if encoding == "utf-8-sig":
        assert result.rejects.startswith(b"\xef\xbb\xbf")
    if encoding == "utf-16":
        assert result.rejects[:2] in (b"\xff\xfe", b"\xfe\xff")
    back = read_csv(result.rejects, encoding, delimiter)
    assert back[0][:-1] == headers(lang) and back[1][:-1] == rows[1]
    assert back[0][-1] == translate(lang, REASON_HEADER)  # Thai / Vietnamese survive their code pages
    assert back[1][-1]
    # the rejects file as written is readable by the importer: only the fixed row is missing
    again = import_bytes(store, result.rejects, "rejects.csv", keep_valid=True, submitted_by="t")
    assert (again.stored, again.rejected) == (0, 1)


def test_xlsx_rejects_are_xlsx_with_text_cells(db):
    wb = Workbook()
    ws = wb.active
    ws.title = "records"
    ws.append(headers("vi"))
    ws.append(["x-1", "Bẫy ảnh hoặc thiết bị khác", "Paguma larvata", "15/3/2024", "10.76", "106.66", "Việt Nam"])
    ws.append(["x-2", "Bẫy ảnh hoặc thiết bị khác", "Paguma larvata", "15/3/2024", "=1+1", "106.66", "Việt Nam"])
    buf = io.BytesIO()
    wb.save(buf)
    store = open_store(db)
    result = import_bytes(store, buf.getvalue(), "f.xlsx", keep_valid=True, submitted_by="t")
    assert (result.stored, result.rejected, result.rejects_format) == (1, 1, "xlsx")
    sheet = load_workbook(io.BytesIO(result.rejects))["records"]
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    assert rows[0] == [*headers("vi"), translate("vi", REASON_HEADER)]
    assert rows[1][4] == "=1+1" and sheet.cell(2, 5).data_type == "s"  # given back as text, never a live formula
    fixed = Workbook()
    fixed.active.title = "records"
    for row in rows:
        fixed.active.append(row)
    fixed.active.cell(2, 5).value = "10.77"
    out = io.BytesIO()
    fixed.save(out)
    again = import_bytes(store, out.getvalue(), "fixed.xlsx", submitted_by="t")
    assert again.stored == 1 and store.count(Filters(access="full", status=["pending"])) == 2


def test_every_row_rejected_stores_nothing_and_gives_all_back(db):
    rows = [r[:3] + ["bad date"] + r[4:] for r in THAI_ROWS]
    result = import_bytes(open_store(db), csv_bytes(headers("th"), rows), "f.csv", keep_valid=True)
    assert (result.stored, result.rejected) == (0, 3)
    assert len(read_csv(result.rejects, "utf-8")) == 4
    with pytest.raises(ImportRejected):
        import_bytes(open_store(db), csv_bytes(headers("th"), rows), "f.csv")


def test_rows_without_occurrence_id_are_idempotent_too(db):
    header = headers("th")[1:]  # no occurrenceID column
    rows = [r[1:] for r in THAI_ROWS[:1]] * 2 + [THAI_ROWS[2][1:]]  # two identical sightings: two records
    data = csv_bytes(header, rows)
    store = open_store(db)
    first = import_bytes(store, data, "f.csv", submitted_by="anan", status="accepted")
    assert first.stored == 3
    again = import_bytes(store, data, "f.csv", submitted_by="anan", status="accepted")
    assert (again.stored, again.skipped) == (0, 3)
    other = import_bytes(store, data, "f.csv", submitted_by="binh", status="accepted")  # not anan's records
    assert other.stored == 3 and store.count(Filters(access="full")) == 6
