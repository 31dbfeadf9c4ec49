"""Importing CSV/XLSX whose headers are form labels in any of the six languages, values as typed there."""
import csv
import io
import json

import pytest
from click.testing import CliRunner
from openpyxl import Workbook

from occurrences.cli import cli
from occurrences.errors import ImportRejected
from occurrences.forms import load_form
from occurrences.ingest import FileRejected, import_bytes, import_file
from occurrences.store import open_store

FORM = load_form()
TERMS = ["occurrenceID", "basisOfRecord", "scientificName", "eventDate", "decimalLatitude", "decimalLongitude",
         "countryCode", "locality", "individualCount", "sex"]
# Per language: a row as a field worker there would type it (native digits, decimal comma in vi/lo, BE in th),
# and what must be stored.
ROWS = {
    "th": (["th-1", "คนพบเห็นหรือได้ยิน", "อีเห็นเครือ", "๑๕/๓/๒๕๖๗", "๑๘.๗๙", "๙๘.๙๘", "ไทย", "ดอยสุเทพ", "๒", "ตัวผู้"],
           {"eventDate": "2024-03-15", "decimalLatitude": 18.79, "decimalLongitude": 98.98, "countryCode": "TH",
            "individualCount": 2, "sex": "male", "vernacularName": "อีเห็นเครือ"}),
    "vi": (["vi-1", "Bẫy ảnh hoặc thiết bị khác", "Cay voi moc", "15 tháng 3 năm 2024", "10,7626", "106,6602",
            "Việt Nam", "Cát Tiên", "1", "Cái"],
           {"eventDate": "2024-03-15", "decimalLatitude": 10.7626, "decimalLongitude": 106.6602,
            "countryCode": "VN", "individualCount": 1, "sex": "female", "basisOfRecord": "MachineObservation"}),
    "km": (["km-1", "មនុស្សបានឃើញ ឬឮ", "Paguma larvata", "១៥/៣/២០២៤", "១១.៥៥៦៤", "១០៤.៩២៨២", "កម្ពុជា", "ភ្នំពេញ", "៣", "ញី"],
           {"eventDate": "2024-03-15", "decimalLatitude": 11.5564, "decimalLongitude": 104.9282,
            "countryCode": "KH", "individualCount": 3, "sex": "female"}),
    "lo": (["lo-1", "ຄົນພົບເຫັນ ຫຼື ໄດ້ຍິນ", "Paguma larvata", "໑໕/໓/໒໐໒໔", "໑໗,໙໗໕໗", "໑໐໒,໖໓໓໑", "ລາວ", "ວຽງຈັນ", "໑", "ໂຕຜູ້"],
           {"eventDate": "2024-03-15", "decimalLatitude": 17.9757, "decimalLongitude": 102.6331,
            "countryCode": "LA", "individualCount": 1, "sex": "male"}),
    "my": (["my-1", "လူကိုယ်တိုင် တွေ့မြင် သို့မဟုတ် ကြားသိ", "Paguma larvata", "၁၅/၃/၂၀၂၄", "၁၆.၈၆၆၁", "၉၆.၁၉၅၁",
            "မြန်မာ", "ရန်ကုန်", "၁ဝ", "မသိ"],
           {"eventDate": "2024-03-15", "decimalLatitude": 16.8661, "decimalLongitude": 96.1951,
            "countryCode": "MM", "individualCount": 10, "sex": "unknown"}),
    "en": (["en-1", "Seen or heard by a person", "Masked palm civet", "15 March 2024", "13.75", "100.5", "Thailand",
            "Khao Yai", "1", "Unknown"],
           {"eventDate": "2024-03-15", "decimalLatitude": 13.75, "decimalLongitude": 100.5, "countryCode": "TH"}),
}


@pytest.fixture
def db(tmp_path):
    return f"sqlite:///{tmp_path / 'import.db'}"


def headers(lang):
    return [FORM.field(t).labels[lang] for t in TERMS]


def csv_bytes(header, rows, encoding="utf-8", delimiter=","):
    buf = io.StringIO(newline="")
    w = csv.writer(buf, delimiter=delimiter)
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue().encode(encoding)


def stored(db, occurrence_id):
    return open_store(db).get(occurrence_id, access="full")


@pytest.mark.parametrize("lang", list(ROWS))
def test_csv_in_each_language_with_native_digits(tmp_path, db, lang):
    row, expected = ROWS[lang]
    path = tmp_path / f"{lang}.csv"
    path.write_bytes(csv_bytes(headers(lang), [row]))
    result = CliRunner().invoke(cli, ["import", str(path), "--db", db, "--report", str(tmp_path / "r.json")])
    assert result.exit_code == 0, result.output
    assert result.output.rstrip().endswith(f" {lang})")  # detected from the headers: "(language: th)", in th
    record = stored(db, row[0])
    assert record["scientificName"] == "Paguma larvata" and record["family"] == "Viverridae"
    for key, value in expected.items():
        assert record[key] == pytest.approx(value) if isinstance(value, float) else record[key] == value, key
    assert record["language"] == lang
    assert record["verbatimEventDate"] == row[3]
    assert record["verbatimLatitude"] == row[4] and record["verbatimLongitude"] == row[5]
    report = json.loads((tmp_path / "r.json").read_text())[0]
    assert report["language"] == lang and report["rows"][0]["status"] == "stored"


def test_darwin_core_headers_and_explicit_language(tmp_path, db):
    row, _ = ROWS["vi"]
    path = tmp_path / "dwc.csv"
    path.write_bytes(csv_bytes(TERMS, [row]))
    result = CliRunner().invoke(cli, ["import", str(path), "--db", db, "--lang", "vi"])
    assert result.exit_code == 0, result.output
    assert stored(db, "vi-1")["decimalLatitude"] == pytest.approx(10.7626)  # decimal comma read as vi


def test_utf16_tab_separated_as_excel_unicode_text(tmp_path, db):
    row, _ = ROWS["th"]
    data = b"\xff\xfe" + csv_bytes(headers("th"), [row], delimiter="\t").decode().encode("utf-16-le")
    result = import_bytes(open_store(db), data, "excel.txt", status="accepted")
    assert result.stored == 1 and result.language == "th"
    assert stored(db, "th-1")["eventDate"] == "2024-03-15"


def test_utf8_with_bom(db):
    row, _ = ROWS["km"]
    result = import_bytes(open_store(db), b"\xef\xbb\xbf" + csv_bytes(headers("km"), [row]), "bom.csv")
    assert result.stored == 1 and result.language == "km"


def test_xlsx_with_labels_dms_and_excel_dates(tmp_path, db):
    from datetime import datetime

    wb = Workbook()
    ws = wb.active
    ws.append(headers("th") + [FORM.field("verbatimCoordinates").labels["th"]])
    ws.append(ROWS["th"][0] + [None])
    ws.append(["th-2", "กล้องดักถ่ายหรืออุปกรณ์อื่น", "Paguma larvata", datetime(2024, 3, 16), None, None, "ไทย",
               "ป่า", 1, None, "13°45'22\"N 100°30'06\"E"])
    path = tmp_path / "book.xlsx"
    wb.save(path)
    result = import_file(open_store(db), path)
    assert result.stored == 2 and result.language == "th"
    second = stored(db, "th-2")
    assert second["eventDate"] == "2024-03-16"
    assert second["decimalLatitude"] == pytest.approx(13 + 45 / 60 + 22 / 3600)
    assert second["verbatimCoordinates"] == "13°45'22\"N 100°30'06\"E"


def test_report_lists_each_row_with_code_field_value_and_message(tmp_path, db):
    good, _ = ROWS["th"]
    bad = ["th-9", "คนพบเห็นหรือได้ยิน", "อีเห็นเครือ", "๑๕/๓/๒๕๖๗", "๙๘.๗๙", "๙๘.๙๘", "ไทย", "ป่า", "๑", "ตัวผู้"]
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes(headers("th"), [good, bad]))
    result = CliRunner().invoke(cli, ["import", str(path), "--db", db, "--report", str(tmp_path / "r.json")])
    latitude = FORM.field("decimalLatitude").labels["th"]
    # in Thai, naming the column by the submitter's own header
    assert result.exit_code == 1 and f"แถว 3, {latitude}" in result.output
    rows = json.loads((tmp_path / "r.json").read_text())[0]["rows"]
    assert [r["status"] for r in rows] == ["valid", "rejected"]
    issue = rows[1]["issues"][0]
    assert (issue["code"], issue["field"], issue["value"]) == ("COORDINATE_OUT_OF_RANGE", "decimalLatitude", "๙๘.๗๙")
    assert issue["column"] == latitude and issue["message"]
    assert "\\u0e" not in (tmp_path / "r.json").read_text()  # UTF-8 text, not \u escapes
    assert count_rows(db) == 0


def count_rows(db):
    import sqlite3

    with sqlite3.connect(db.removeprefix("sqlite:///")) as conn:  # every row, whatever its review status
        return conn.execute("SELECT count(*) FROM occurrence").fetchone()[0]


def refused(db, name, data):
    store = open_store(db)
    before = count_rows(db)
    with pytest.raises((FileRejected, ImportRejected)) as info:
        import_bytes(store, data, name)
    assert count_rows(db) == before  # nothing half-stored
    return info.value


def row_codes(exc):
    return {(f.field, f.code) for r in exc.report.rows for f in r.flags}


def test_unknown_encoding_names_the_fix(db):
    """Not UTF-8 and not plausibly one of the legacy code pages (Shift-JIS here): refused, saying how to save."""
    row, _ = ROWS["en"]
    data = csv_bytes(headers("en"), [row[:7] + ["北海道の森林公園"] + row[8:]], encoding="shift_jis")
    exc = refused(db, "sjis.csv", data)
    assert exc.code == "wrong-encoding"
    assert "CSV UTF-8" in exc.message()


def test_one_megabyte_cell(db):
    row = list(ROWS["en"][0])
    row[7] = "x" * 1_000_000
    exc = refused(db, "big.csv", csv_bytes(headers("en"), [row]))
    assert ("locality", "CELL_TOO_LONG") in row_codes(exc)
    flag = exc.report.rows[0].flags[0]
    assert len(str(flag.value)) < 200 and "1000000" in flag.message()


def test_formula_cell_is_refused_not_run(db):
    row = list(ROWS["en"][0])
    row[2] = '=HYPERLINK("http://example.com","Paguma larvata")'
    exc = refused(db, "formula.csv", csv_bytes(headers("en"), [row]))
    assert ("scientificName", "FORMULA_NOT_ALLOWED") in row_codes(exc)


def test_formula_in_xlsx_is_refused(tmp_path, db):
    wb = Workbook()
    ws = wb.active
    ws.append(headers("en"))
    row = list(ROWS["en"][0])
    row[7] = '=HYPERLINK("http://example.com","here")'
    ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    exc = refused(db, "formula.xlsx", buf.getvalue())
    assert ("locality", "FORMULA_NOT_ALLOWED") in row_codes(exc)


def test_mixed_scripts_in_a_name(db):
    row = list(ROWS["en"][0])
    row[2] = "Paguma lаrvata"  # Cyrillic а
    exc = refused(db, "mixed.csv", csv_bytes(headers("en"), [row]))
    flags = [f for r in exc.report.rows for f in r.flags if f.code == "MIXED_SCRIPTS"]
    assert flags and "CYRILLIC + LATIN" in flags[0].message()


@pytest.mark.parametrize("name,data,code", [
    ("empty.csv", b"", "empty-file"),
    ("blank.csv", b"\xef\xbb\xbf \r\n", "empty-file"),
    ("headers-only.csv", csv_bytes(headers("th"), []), "no-data-rows"),
    ("fake.xlsx", b"this is a text file, not a workbook", "not-a-spreadsheet"),
    ("random.xlsx", b"PK\x03\x04" + bytes(range(256)) * 4, "not-a-spreadsheet"),
    ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), "not-a-spreadsheet"),
])
def test_unreadable_files_get_a_clear_message(db, name, data, code):
    exc = refused(db, name, data)
    assert exc.code == code
    assert name in exc.message()


def test_header_only_xlsx_and_docx_renamed(tmp_path, db):
    wb = Workbook()
    wb.active.append(headers("lo"))
    buf = io.BytesIO()
    wb.save(buf)
    assert refused(db, "h.xlsx", buf.getvalue()).code == "no-data-rows"
    import zipfile

    zbuf = io.BytesIO()
    with zipfile.ZipFile(zbuf, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
    exc = refused(db, "letter.xlsx", zbuf.getvalue())
    assert exc.code == "not-a-spreadsheet" and "xl/workbook.xml" in exc.message()


def test_choice_value_or_label_in_any_language_but_not_a_misspelt_value(db):
    row = list(ROWS["en"][0])
    row[1], row[9] = "MachineObservation", "ตัวเมีย"  # a stored value, and a Thai label in an English file
    assert import_bytes(open_store(db), csv_bytes(headers("en"), [row]), "c.csv").stored == 1
    row[0], row[1] = "en-2", "machine observation"  # case and space variants are the same value (issue 15)
    assert import_bytes(open_store(db), csv_bytes(headers("en"), [row]), "c2.csv").stored == 1
    row[0], row[1] = "en-3", "machine obsrvation"
    exc = refused(db, "c3.csv", csv_bytes(headers("en"), [row]))
    assert ("basisOfRecord", "CHOICE_INVALID") in row_codes(exc)
