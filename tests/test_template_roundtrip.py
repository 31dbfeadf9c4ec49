"""Our own blank templates come back: template → one filled row per choice → validate → import stores every row,
in all six languages, as CSV and as XLSX (issue 15: vi, km and my CSV templates were taken for Kobo exports
because a province label contains "/")."""
import csv
import io

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from occurrences.cli import cli
from occurrences.forms import load_form
from occurrences.forms.templates import write_template
from occurrences.i18n import LANGUAGES
from occurrences.importers import detect_format
from occurrences.store import open_store

FORM = load_form()
# A point well inside each country, so every row passes the geography checks whatever datum it names.
POINTS = {"TH": ("13.75", "100.5"), "VN": ("21.03", "105.85"), "KH": ("11.56", "104.93"),
          "LA": ("17.97", "102.63"), "MM": ("19.75", "96.1")}
DECIMAL_COMMA = {"vi", "lo"}  # how people there type a decimal (as the other import tests do)


def filled_rows(lang: str) -> list[dict[str, str]]:
    """One row per choice of the field with most choices; every choice field cycles through its labels."""
    n = max(len(f.choices) for f in FORM.fields)
    rows = []
    for i in range(n):
        row = {}
        for f in FORM.fields:
            if f.choices:
                row[f.term] = f.choices[i % len(f.choices)].label(lang)
        country = FORM.field("countryCode").choices[i % 5].value
        lat, lon = POINTS[country]
        if lang in DECIMAL_COMMA:
            lat, lon = lat.replace(".", ","), lon.replace(".", ",")
        row.update(scientificName="Paguma larvata", eventDate="2024-03-15", locality=f"site {i}",
                   decimalLatitude=lat, decimalLongitude=lon, coordinateUncertaintyInMeters="30",
                   individualCount="1", recordedBy="Tester", occurrenceID=f"{lang}-{i}")
        rows.append(row)
    return rows


def fill_csv(path, lang):
    with path.open(encoding="utf-8-sig", newline="") as fh:
        header = next(csv.reader(fh))
    by_label = {f.label(lang): f.term for f in FORM.fields}
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(header)
    for row in filled_rows(lang):
        writer.writerow([row.get(by_label[h], "") for h in header])
    path.write_bytes(("\ufeff" + out.getvalue()).encode("utf-8"))


def fill_xlsx(path, lang):
    wb = load_workbook(path)
    ws = wb["records"]
    by_label = {f.label(lang): f.term for f in FORM.fields}
    header = [c.value for c in ws[1]]
    for r, row in enumerate(filled_rows(lang), start=2):
        for c, label in enumerate(header, start=1):
            ws.cell(row=r, column=c, value=row.get(by_label[label], ""))
    wb.save(path)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_template_round_trips(tmp_path, lang, fmt):
    path = write_template(tmp_path / f"template.{fmt}", fmt, lang)
    (fill_csv if fmt == "csv" else fill_xlsx)(path, lang)
    assert detect_format(path) == fmt
    db = f"sqlite:///{tmp_path / 'r.db'}"
    checked = CliRunner().invoke(cli, ["validate", str(path)])
    assert checked.exit_code == 0, checked.output
    imported = CliRunner().invoke(cli, ["import", str(path), "--db", db])
    assert imported.exit_code == 0, imported.output
    rows = filled_rows(lang)
    store = open_store(db)
    for row in rows:
        record = store.get(row["occurrenceID"], access="full")
        assert record is not None, row["occurrenceID"]
        assert record["scientificName"] == "Paguma larvata"
        assert record["language"] == lang
    # every choice of every choice field came back as its stored value
    for f in FORM.fields:
        if f.choices and f.term != "geodeticDatum":  # points on other datums are stored converted to WGS84
            stored = {store.get(r["occurrenceID"], access="full")[f.term] for r in rows}
            assert stored == {c.value for c in f.choices}, f.term


@pytest.mark.parametrize("lang, variant", [
    ("km", lambda s: s.replace("\u17d2\u178f", "\u17d2\u178a")),  # subscript TA typed as subscript DA
    ("lo", lambda s: s.replace("\u0eab\u0ebc", "\u0eab\u0ea5").replace("\u0edc", "\u0eab\u0e99")),  # ຫຼ→ຫລ, ໜ→ຫນ
])
def test_headers_in_an_equivalent_spelling_still_match(tmp_path, lang, variant):
    path = write_template(tmp_path / "t.csv", "csv", lang)
    fill_csv(path, lang)
    text = path.read_text("utf-8-sig")
    header, body = text.split("\n", 1)
    assert variant(header) != header  # the template really uses the spelling we vary
    path.write_text(variant(header) + "\n" + body, encoding="utf-8-sig")
    result = CliRunner().invoke(cli, ["import", str(path), "--db", f"sqlite:///{tmp_path / 'r.db'}"])
    assert result.exit_code == 0, result.output
