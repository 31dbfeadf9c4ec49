"""CSV files in the encodings Excel and phones really write (issue 15): detected, converted, flagged with the
encoding assumed; --encoding overrides; a file whose script a legacy save destroyed is refused, in its language;
a file mixing two encodings is refused."""
import csv
import io
import unicodedata

import pytest
from click.testing import CliRunner

from occurrences.cli import cli
from occurrences.forms import load_form
from occurrences.store import open_store

FORM = load_form()
TERMS = ["occurrenceID", "basisOfRecord", "scientificName", "eventDate", "decimalLatitude", "decimalLongitude",
         "countryCode", "locality", "recordedBy"]


def table(lang, rows):
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")  # Excel for Windows
    writer.writerow([FORM.field(t).label(lang) for t in TERMS])
    writer.writerows(rows)
    return buf.getvalue()


def cp1258(text: str) -> bytes:
    """Vietnamese as Windows-1258 holds it: letters with circumflex/breve/horn precomposed, tones combining."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        try:
            out.append(ch.encode("cp1258"))
            continue
        except UnicodeEncodeError:
            pass
        base, *marks = unicodedata.normalize("NFD", ch)
        tones = "".join(m for m in marks if m in "\u0300\u0301\u0303\u0309\u0323")
        rest = "".join(m for m in marks if m not in tones)
        out.append(unicodedata.normalize("NFC", base + rest).encode("cp1258") + tones.encode("cp1258"))
    return b"".join(out)


TH = table("th", [["th-1", "คนพบเห็นหรือได้ยิน", "อีเห็นเครือ", "๑๕/๓/๒๕๖๗", "18.79", "98.98", "ไทย", "ดอยสุเทพ",
                   "สมชาย ใจดี"]])
VI = table("vi", [["vi-1", "Bẫy ảnh hoặc thiết bị khác", "Paguma larvata", "15/3/2024", "10,7626", "106,6602",
                   "Việt Nam", "Vườn quốc gia Cát Tiên, Đồng Nai", "Nguyễn Thị Hồng"]])
EN = table("en", [["en-1", "Seen or heard by a person", "Paguma larvata", "15/3/2024", "13.75", "100.5", "Thailand",
                   "Forêt près du réservoir", "José Müller"]])
CASES = {  # name: (bytes as saved, expected locality, expected recordedBy, encoding assumed)
    "thai-excel-windows": (TH.encode("cp874"), "ดอยสุเทพ", "สมชาย ใจดี", "cp874"),
    "vietnamese-excel-windows": (cp1258(VI), "Vườn quốc gia Cát Tiên, Đồng Nai", "Nguyễn Thị Hồng", "cp1258"),
    "western-excel-windows": (EN.encode("cp1252"), "Forêt près du réservoir", "José Müller", "cp1252"),
    "excel-for-mac": (EN.encode("mac_roman"), "Forêt près du réservoir", "José Müller", "mac_roman"),
    "utf8-bom": (b"\xef\xbb\xbf" + TH.encode("utf-8"), "ดอยสุเทพ", "สมชาย ใจดี", None),
    "utf16-unicode-text": (TH.replace(",", "\t").encode("utf-16"), "ดอยสุเทพ", "สมชาย ใจดี", None),
}


@pytest.mark.parametrize("case", list(CASES))
def test_encoding_detected_converted_and_flagged(tmp_path, case):
    data, locality, recorder, assumed = CASES[case]
    path = tmp_path / "records.csv"
    path.write_bytes(data)
    db = f"sqlite:///{tmp_path / 'r.db'}"
    result = CliRunner().invoke(cli, ["import", str(path), "--db", db])
    assert result.exit_code == 0, result.output
    record = next(iter(open_store(db).iter_records(open_store(db).__class__ and __import__(
        "occurrences.store", fromlist=["Filters"]).Filters(access="full"))))
    assert record["locality"] == locality and record["recordedBy"] == recorder
    assert unicodedata.is_normalized("NFC", record["locality"])
    assert ("TEXT_ENCODING_ASSUMED" in (record["issues"] or [])) == (assumed is not None)


def test_validate_names_the_encoding_and_override_skips_the_guess(tmp_path):
    path = tmp_path / "records.csv"
    path.write_bytes(EN.encode("cp1252"))
    out = CliRunner().invoke(cli, ["validate", str(path)]).output
    assert "TEXT_ENCODING_ASSUMED" in out and "Windows-1252" in out
    out = CliRunner().invoke(cli, ["validate", str(path), "--encoding", "cp1252"]).output
    assert "TEXT_ENCODING_ASSUMED" not in out
    # the override is obeyed even when it is wrong: Mac Roman reads ê (0xEA in cp1252) as Í
    db = f"sqlite:///{tmp_path / 'r.db'}"
    CliRunner().invoke(cli, ["import", str(path), "--db", db, "--encoding", "mac_roman"])
    from occurrences.store import Filters
    assert next(iter(open_store(db).iter_records(Filters(access="full"))))["locality"].startswith("ForÍt")


@pytest.mark.parametrize("lang, phrase", [("km", "សំណួរ"), ("lo", "ຄຳຖາມ"), ("my", "မေးခွန်း")])
def test_script_destroyed_by_a_legacy_save_is_refused_in_the_files_language(tmp_path, lang, phrase):
    """Excel's 'CSV (Comma delimited)' on a machine with a Western code page turns Khmer, Lao and Burmese letters
    into '?': the file is refused, in the language the headers' shapes give away, saying how to save it."""
    text = table(lang, [[f"{lang}-1", FORM.field("basisOfRecord").choices[0].label(lang), "Paguma larvata",
                         "15/3/2024", "11.5", "104.9", FORM.field("countryCode").choices[2].label(lang),
                         FORM.field("countryCode").choices[2].label(lang), "x"]])
    path = tmp_path / "records.csv"
    path.write_bytes(text.encode("cp1252", errors="replace"))
    result = CliRunner().invoke(cli, ["import", str(path), "--db", f"sqlite:///{tmp_path / 'r.db'}"])
    assert result.exit_code == 1
    assert "CSV UTF-8" in result.output and "?" in result.output
    english = CliRunner().invoke(cli, ["import", str(path), "--lang", "en",
                                       "--db", f"sqlite:///{tmp_path / 'r.db'}"])
    assert result.output != english.output  # not the English message: the file's language
    from occurrences.store import Filters
    assert open_store(f"sqlite:///{tmp_path / 'r.db'}").count(Filters(access="full")) == 0


def test_a_file_mixing_two_encodings_is_refused_naming_lines(tmp_path):
    lines = TH.splitlines(keepends=True)
    extra = lines[1].replace("th-1", "th-2").encode("cp874")
    path = tmp_path / "records.csv"
    path.write_bytes(TH.encode("utf-8") + extra)
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 1
    assert "line 1" in result.output and "line 3" in result.output
