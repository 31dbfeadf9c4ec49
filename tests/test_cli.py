"""The CLI through its real entry point (subprocess for `python -m`, CliRunner for the rest)."""
import csv
import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from occurrences.cli import cli
from occurrences.store import open_store, Filters


@pytest.fixture
def db(tmp_path):
    return f"sqlite:///{tmp_path / 'cli.db'}"


def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def write_csv(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


GOOD_HEADER = ["occurrenceID", "basisOfRecord", "scientificName", "eventDate", "decimalLatitude",
               "decimalLongitude", "countryCode", "locality"]
GOOD_ROWS = [
    ["a-1", "HumanObservation", "Paguma larvata", "2023-05-01", "18.79", "98.98", "TH", "ดอยสุเทพ"],
    ["a-2", "MachineObservation", "Arctictis binturong", "2024-01", "11.44", "107.43", "VN", "Cát Tiên"],
    ["a-3", "PreservedSpecimen", "Paguma larvata", "2020-01-01/2020-01-31", "19.75", "96.10", "MM", "နေပြည်တော်"],
]


def test_python_dash_m_and_every_command_has_help():
    out = subprocess.run([sys.executable, "-m", "occurrences", "--help"], capture_output=True, text=True)
    assert out.returncode == 0 and "import" in out.stdout and "serve" in out.stdout
    for command in cli.commands:
        result = run(command, "--help")
        assert result.exit_code == 0, command
        assert "Usage:" in result.output


def test_import_query_roundtrip(tmp_path, db):
    path = write_csv(tmp_path / "ok.csv", GOOD_HEADER, GOOD_ROWS)
    result = run("import", str(path), "--db", db)
    assert result.exit_code == 0, result.output
    assert "3 stored" in result.output
    out = run("query", "--db", db, "--countryCode", "TH", "--format", "ndjson")
    records = [json.loads(line) for line in out.output.splitlines()]
    assert [r["occurrenceID"] for r in records] == ["a-1"]
    assert records[0]["locality"] == "ดอยสุเทพ"
    geo = json.loads(run("query", "--db", db, "--scientificName", "Paguma larvata").output)
    assert {f["id"] for f in geo["features"]} == {"a-1", "a-3"}
    assert geo["features"][0]["geometry"]["coordinates"] == [98.98, 18.79]
    rows = list(csv.DictReader(run("query", "--db", db, "--year", "2024", "--format", "csv").output.splitlines()))
    assert [r["occurrenceID"] for r in rows] == ["a-2"]


def test_reimport_is_idempotent(tmp_path, db):
    path = write_csv(tmp_path / "ok.csv", GOOD_HEADER, GOOD_ROWS)
    run("import", str(path), "--db", db)
    again = run("import", str(path), "--db", db)
    assert again.exit_code == 0 and "0 stored, 3 already present" in again.output
    assert open_store(db).count(Filters()) == 3


def test_a_column_nobody_defined_is_a_warning_and_kept(tmp_path, db):
    """Issue 15: a column that is neither a Darwin Core term nor a form label no longer rejects the file."""
    path = write_csv(tmp_path / "extra.csv", GOOD_HEADER + ["colour"], [r + ["brown"] for r in GOOD_ROWS])
    result = run("import", str(path), "--db", db)
    assert result.exit_code == 0, result.output
    assert json.loads(open_store(db).get(GOOD_ROWS[0][0], access="full")["extraTerms"]) == {"colour": "brown"}


@pytest.mark.parametrize("header,row,field", [
    (GOOD_HEADER, ["b-1", "HumanObservation", "", "2023-05-01", "18.7", "98.9", "TH", "x"], "scientificName"),
    (GOOD_HEADER, ["b-1", "HumanObservation", "Paguma larvata", "2023-05-01", "18,7x", "98.9", "TH", "x"],
     "decimalLatitude"),
    (GOOD_HEADER, ["b-1", "HumanObservation", "Paguma larvata", "2023-13-45", "18.7", "98.9", "TH", "x"],
     "eventDate"),
    (GOOD_HEADER, ["b-1", "Sighting", "Paguma larvata", "2023-05-01", "18.7", "98.9", "TH", "x"],
     "basisOfRecord"),
])
def test_bad_row_rejects_whole_file_naming_row_and_field(tmp_path, db, header, row, field):
    path = write_csv(tmp_path / "bad.csv", header, [GOOD_ROWS[1], row])
    report = tmp_path / "report.json"
    result = CliRunner().invoke(cli, ["import", str(path), "--db", db, "--report", str(report)])
    assert result.exit_code == 1
    assert "Nothing was stored" in result.output
    assert f"row 3, {field}" in result.output
    assert open_store(db).count(Filters()) == 0
    rows = json.loads(report.read_text())[0]["rows"]
    assert rows[1]["status"] == "rejected"
    assert any(i["field"] == field for i in rows[1]["issues"])


def test_unknown_filter_and_bad_values_are_errors(db):
    result = CliRunner().invoke(cli, ["query", "--db", db, "--bbox", "100,10,99,12"])
    assert result.exit_code == 1
    assert "Parameter bbox has an invalid value" in result.output


def test_unopenable_database_is_one_clear_line(tmp_path):
    result = CliRunner().invoke(cli, ["init", "--db", f"sqlite:///{tmp_path}/missing/dir/x.db"])
    assert result.exit_code == 1
    lines = [l for l in result.output.splitlines() if l.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: Cannot open the database")
    bad = tmp_path / "not-a-db.db"
    bad.write_bytes(b"this is not sqlite" * 100)
    result = CliRunner().invoke(cli, ["init", "--db", f"sqlite:///{bad}"])
    assert result.exit_code == 1 and "Cannot open the database" in result.output
    result = CliRunner().invoke(cli, ["init", "--db", "mysql://x/y"])
    assert result.exit_code == 1 and "unknown database type" in result.output


def test_env_var_selects_database(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'env.db'}"
    monkeypatch.setenv("OCCURRENCES_DB", url)
    assert run("demo", "--records", "25", "--no-survey").exit_code == 0  # demo has its own default; env wins
    assert open_store(url).count(Filters()) == 25


def test_demo_builds_five_countries(db):
    result = run("demo", "--db", db, "--no-survey")
    assert result.exit_code == 0
    store = open_store(db)
    facets = dict(store.facets(Filters(), ["countryCode"])["countryCode"])
    assert set(facets) == {"TH", "VN", "KH", "LA", "MM"}
    assert sum(facets.values()) == 400
    assert len(store.facets(Filters(), ["scientificName"])["scientificName"]) >= 5
    first = store.query(Filters(limit=1)).records[0]
    assert "Synthetic" in first["occurrenceRemarks"]


def test_demo_adds_its_camera_trap_survey_once(db):
    from occurrences.camtrap.store import list_surveys

    assert run("demo", "--db", db, "--records", "10").exit_code == 0
    again = run("demo", "--db", db, "--records", "10")
    assert again.exit_code == 0 and "survey added" not in again.output
    store = open_store(db)
    surveys = list_surveys(store, access="public")
    assert [(s["id"], s["deployments"]) for s in surveys] == [("demo-khao-yai-2024", 12)]
    made = store.count(Filters(recordedBy=["Demo team (synthetic)"]))
    assert made == surveys[0]["detections"] > 0 and store.count(Filters()) == 10 + made
    rates = json.loads(run("effort", "--db", db, "--by", "survey", "--format", "json").output)
    assert {"scientificName": "Prionodon pardicolor", "detected": False}.items() <= \
        next(r for r in rates if r["scientificName"] == "Prionodon pardicolor").items()  # in scope, never seen


def test_migrate_command_copies_and_verifies(tmp_path):
    src, dst = f"sqlite:///{tmp_path / 'a.db'}", f"sqlite:///{tmp_path / 'b.db'}"
    assert run("demo", "--db", src, "--records", "50", "--no-survey").exit_code == 0
    result = run("migrate", "--from", src, "--to", dst)
    assert result.exit_code == 0, result.output
    assert "Copied 50 records" in result.output and "checksums verified" in result.output
    full = Filters(access="full", limit=100)
    assert open_store(src).query(full).records == open_store(dst).query(full).records


def test_validate_reports_every_check_and_stores_nothing(tmp_path, db):
    path = write_csv(tmp_path / "v.csv", GOOD_HEADER, [
        ["v1", "HumanObservation", "Paguma larvata", "2023-05-01", "95.5", "13.7", "TH", "x"],  # no swap explains it
        ["v2", "HumanObservation", "Paguma larvata", "2567-05-01", "18.79", "98.98", "TH", "x"],
        ["v3", "HumanObservation", "Paguma larvata", "2023-05-01", "18.79", "98.98", "", "x"],
    ])
    report = tmp_path / "r.json"
    result = CliRunner().invoke(cli, ["validate", str(path), "--db", db, "--report", str(report)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert any(l.startswith("row 2\tdecimalLatitude\tCOORDINATE_OUT_OF_RANGE\terror") for l in lines)
    assert any(l.startswith("row 3\teventDate\tDATE_LOOKS_BUDDHIST_ERA\twarning") for l in lines)
    assert any(l.startswith("row 4\tcountryCode\tCOUNTRY_DERIVED_FROM_COORDINATES\twarning") for l in lines)
    assert lines[-1] == "3 rows: 2 valid, 1 with errors"
    assert json.loads(report.read_text())["rejected"] == 1
    assert open_store(db).count(Filters(access="full")) == 0
    thai = CliRunner().invoke(cli, ["validate", str(path), "--lang", "th"])
    assert "ละติจูด" in thai.output
    assert "ไทย (TH)" in thai.output  # country names in the reader's language (CLDR)


def test_swapped_and_negated_pairs_are_stored_corrected_verbatim_kept_and_sent_to_review(tmp_path, db):
    path = write_csv(tmp_path / "s.csv", GOOD_HEADER, [
        ["s-1", "HumanObservation", "Paguma larvata", "2023-05-01", "100.5", "13.75", "TH", "x"],  # out of range
        ["s-2", "HumanObservation", "Paguma larvata", "2023-05-01", "101.37", "14.44", "TH", "x"],  # in Libya's sea
        ["s-3", "HumanObservation", "Paguma larvata", "2023-05-01", "15.2", "-101.2", "TH", "x"],
        ["s-4", "HumanObservation", "Paguma larvata", "2023-05-01", "18.79", "98.98", "TH", "x"],
        ["s-5", "HumanObservation", "Paguma larvata", "2023-05-01", "95.5", "13.7", "", "x"],  # no country: no swap
    ])
    refused = CliRunner().invoke(cli, ["import", str(path), "--db", db])
    assert refused.exit_code == 1 and "row 6, decimalLatitude" in refused.output
    assert open_store(db).count(Filters(access="full", status=["accepted", "pending"])) == 0
    write_csv(path, GOOD_HEADER, [[*r] for r in csv.reader(open(path, encoding="utf-8"))][1:5])
    result = CliRunner().invoke(cli, ["import", str(path), "--db", db])
    assert result.exit_code == 0, result.output
    store = open_store(db)
    got = {i: store.get(i, access="full") for i in ("s-1", "s-2", "s-3", "s-4")}
    assert (got["s-1"]["decimalLatitude"], got["s-1"]["decimalLongitude"]) == (13.75, 100.5)
    assert (got["s-1"]["verbatimLatitude"], got["s-1"]["verbatimLongitude"]) == ("100.5", "13.75")
    # the corrected point is checked again: (13.75, 100.5) is Bangkok
    assert got["s-1"]["issues"] == ["PRESUMED_SWAPPED_COORDINATE", "COORDINATE_NEAR_CAPITAL"]
    assert (got["s-2"]["decimalLatitude"], got["s-2"]["decimalLongitude"]) == (14.44, 101.37)
    assert (got["s-3"]["decimalLongitude"], got["s-3"]["issues"]) == (101.2, ["PRESUMED_NEGATED_LONGITUDE"])
    states = {i: store.state(i)["status"] for i in got}
    assert states == {"s-1": "pending", "s-2": "pending", "s-3": "pending", "s-4": "accepted"}
    # the public (accepted) view does not show the corrected records until a reviewer accepts them
    assert {r["occurrenceID"] for r in store.query(Filters()).records} == {"s-4"}
    from occurrences import review
    assert review.suggestions(got["s-1"]) == {"PRESUMED_SWAPPED_COORDINATE": {"decimalLatitude": 100.5,
                                                                             "decimalLongitude": 13.75}}


def test_flags_table_and_geodata_build():
    table = run("flags").output
    assert "\n| `COUNTRY_COORDINATE_MISMATCH` |" in table or "\n| COUNTRY_COORDINATE_MISMATCH |" in table
    assert "ZERO_COORDINATE" in table and "| code | severity |" in table
    built = run("geodata", "build")
    assert built.exit_code == 0 and "Boundaries ready" in built.output


def test_species_add_names_needs_a_source_and_is_all_or_nothing(tmp_path, monkeypatch):
    overlay = tmp_path / "names.csv"
    monkeypatch.setenv("OCCURRENCES_NAMES", str(overlay))
    bad = tmp_path / "bad.csv"
    bad.write_text("scientific_name,language,name,source\n"
                   "Paguma larvata,km,SYNTHETIC-TEST-NAME-1,Test fixture\n"
                   "Paguma larvata,lo,SYNTHETIC-TEST-NAME-2,\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["species", "add-names", str(bad)])
    assert result.exit_code == 1 and "source" in result.output
    assert not overlay.exists() or "SYNTHETIC" not in overlay.read_text()
    good = tmp_path / "good.csv"
    good.write_text("scientific_name,language,name,source\nPaguma larvata,km,SYNTHETIC-TEST-NAME-1,Test fixture\n",
                    encoding="utf-8")
    assert "1 names added" in run("species", "add-names", str(good)).output
    listed = [json.loads(l) for l in run("species", "list", "--lang", "km").output.splitlines()]
    paguma = next(e for e in listed if e["scientificName"] == "Paguma larvata")
    assert paguma["vernacularName"] == "SYNTHETIC-TEST-NAME-1"
    from occurrences.query import resolve_names
    assert resolve_names(["SYNTHETIC-TEST-NAME-1"]) == ["Paguma larvata"]
