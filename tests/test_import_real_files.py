"""Files as other tools and people write them (issue 15): vocabularies of other projects, row numbers in
messages as the user sees them."""
from click.testing import CliRunner

from occurrences.cli import cli
from occurrences.store import open_store

HEADER = "occurrenceID,basisOfRecord,scientificName,eventDate,countryCode,decimalLatitude,decimalLongitude\n"


def _import(tmp_path, body):
    path = tmp_path / "in.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'r.db'}"
    result = CliRunner().invoke(cli, ["import", str(path), "--db", db])
    return result, open_store(db)


def test_gbif_and_loose_spellings_of_basis_of_record(tmp_path):
    spellings = {"PRESERVED_SPECIMEN": "PreservedSpecimen", "HUMAN_OBSERVATION": "HumanObservation",
                 "MACHINE_OBSERVATION": "MachineObservation", "MATERIAL_SAMPLE": "MaterialSample",
                 "MATERIAL_CITATION": "MaterialCitation", "LIVING_SPECIMEN": "LivingSpecimen",
                 "OBSERVATION": "HumanObservation", "LITERATURE": "MaterialCitation",
                 "preserved specimen": "PreservedSpecimen", " Machine_Observation ": "MachineObservation"}
    body = "".join(f"b{i},{s},Paguma larvata,2024-03-{i + 1:02d},TH,15.{i},101.{i}\n"
                   for i, s in enumerate(spellings))
    result, store = _import(tmp_path, body)
    assert result.exit_code == 0, result.output
    for i, expected in enumerate(spellings.values()):
        assert store.get(f"b{i}", access="full")["basisOfRecord"] == expected


def test_duplicate_message_names_the_row_as_the_user_numbers_it(tmp_path):
    path = tmp_path / "in.csv"
    path.write_text(HEADER + "d1,HumanObservation,Paguma larvata,2024-03-15,TH,15.1,101.1\n"
                    "d2,HumanObservation,Paguma larvata,2024-03-15,TH,15.1,101.1\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(path)])
    line = next(l for l in result.output.splitlines() if "DUPLICATE_IN_BATCH" in l)
    assert line.startswith("row 3") and "row 2" in line.split("DUPLICATE_IN_BATCH", 1)[1]


def test_excel_serial_and_java_dates(tmp_path):
    """Dates as Excel leaves them when a date column loses its format, and as old GBIF portal downloads wrote
    them (java.util.Date.toString)."""
    body = ("s1,HumanObservation,Paguma larvata,42184.62153,TH,15.1,101.1\n"
            "s2,HumanObservation,Paguma larvata,36970,TH,15.2,101.2\n"
            "s3,PreservedSpecimen,Paguma larvata,Tue Apr 01 00:00:00 CET 1930,TH,15.3,101.3\n"
            "s4,HumanObservation,Paguma larvata,2019-03-15T22:10:00+07:00,TH,15.4,101.4\n")
    result, store = _import(tmp_path, body)
    assert result.exit_code == 0, result.output
    expected = {"s1": "2015-06-29", "s2": "2001-03-20", "s3": "1930-04-01", "s4": "2019-03-15"}
    for oid, iso in expected.items():
        record = store.get(oid, access="full")
        assert record["eventDate"] == iso, oid
    assert "DATE_EXCEL_SERIAL" in store.get("s1", access="full")["issues"]
    assert "DATE_EXCEL_SERIAL" not in (store.get("s3", access="full")["issues"] or [])


def test_excel_serial_message_names_both_date_systems(tmp_path):
    path = tmp_path / "in.csv"
    path.write_text(HEADER + "s1,HumanObservation,Paguma larvata,36970,TH,15.1,101.1\n"
                    "s2,HumanObservation,Paguma larvata,99999,TH,15.1,101.1\n", encoding="utf-8")
    out = CliRunner().invoke(cli, ["validate", str(path)]).output
    serial = next(l for l in out.splitlines() if "DATE_EXCEL_SERIAL\t" in l)
    assert "2001-03-20" in serial and "2005-03-21" in serial
    assert any("DATE_EXCEL_SERIAL_OUT_OF_RANGE" in l and "error" in l for l in out.splitlines())


def test_messages_are_wholly_in_the_submitters_language(tmp_path):
    """"the sea" and the summary line were English inside Thai messages (issue 15)."""
    path = tmp_path / "in.csv"
    path.write_text(HEADER + "s1,HumanObservation,Paguma larvata,2024-03-15,TH,12.5,100.5\n", encoding="utf-8")
    out = CliRunner().invoke(cli, ["validate", str(path), "--lang", "th"]).output
    assert "the sea" not in out and "ทะเล" in out
    assert out.splitlines()[0].startswith("แถว 2") and "rows:" not in out
