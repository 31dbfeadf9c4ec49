"""Real public files nobody on the team wrote (issue 15, "Real files in"): GBIF downloads, IPT and dwca-io test
archives, an eBird export. They are not in this repository (fetched material is never committed): these tests
run when ``OCCURRENCES_PUBLIC_FILES`` points at a folder holding them, whose README.md gives each file's
repository, path, commit and licence (the team's copy: /work/public-files). Otherwise they are skipped.

Each format feature these files showed is also built from strings in tests/test_import_archives.py, so CI
proves every fix without them. None of the files is about small carnivores: where a test imports, it maps the
names onto the checklist and the places into Thailand, and reads everything else as the file has it."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pyarrow as pa
import pytest

from occurrences.importers import detect_format, import_interchange, read
from occurrences.ingest import import_file
from occurrences.ingest.problems import ExtensionWithoutCoreId
from occurrences.errors import ImportRejected
from occurrences.store import Filters, open_store

ENV = "OCCURRENCES_PUBLIC_FILES"
FOLDER = Path(os.environ[ENV]) if os.environ.get(ENV) else None
pytestmark = pytest.mark.skipif(FOLDER is None or not FOLDER.is_dir(), reason=(
    f"{ENV} is not set to a folder of the public test files (see this module's docstring; the team's copy is "
    f"/work/public-files, with their provenance in its README.md)"))
FULL = Filters(access="full")


def public(name: str) -> Path:
    path = FOLDER / name
    if not path.exists():
        pytest.skip(f"{name} is not in {FOLDER} (see README.md there for where it comes from)")
    return path


@pytest.fixture
def store(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'public.db'}")
    yield store
    store.close()


def on_checklist(data, *aside):
    """Names onto a checklist species and places into Thailand (each original kept as an extra term), and the
    columns ``aside`` (values outside our vocabularies, e.g. sex "M-gonads") kept as extra terms."""
    cols = dict(data.columns)
    const = lambda value: pa.array([value] * data.n, pa.large_string())  # noqa: E731
    for term, value in (("scientificName", "Paguma larvata"), ("countryCode", "TH"),
                        ("decimalLatitude", "14.43"), ("decimalLongitude", "101.37")):
        if term in cols:
            cols["verbatim" + term[0].upper() + term[1:]] = cols[term]
        cols[term] = const(value)
    for term in ("taxonRank", "stateProvince", *aside):
        if term in cols:
            cols["source_" + term] = cols.pop(term)
    data.columns = cols
    return data


def columns(data) -> dict[str, list]:
    return {k: v.to_pylist() for k, v in data.columns.items()}


# -- gbif/dwca-io ---------------------------------------------------------------------------------------------
def test_archive_occ_mac_zip_darwin_core_1_4(store):
    """Bugs 1, 4, 5, 6: refused before ("No Metafile was found, but the archive contains multiple files")."""
    path = public("archive-occ.zip")
    assert detect_format(path) == "dwca"
    data = read(path)
    assert data.n == 1534 and data.unknown == []  # sourceID (IPT's term) and dc:source are declared in meta.xml
    c = columns(data)
    assert c["occurrenceID"][0] == "3170b210-6254-43d3-9740-de18b261b594"  # the core id
    assert c["eventDate"][0] == "1999-06-18 00:00:00.0" and c["recordedBy"][0]  # EarliestDateCollected, Collector
    assert c["scientificName"][0] and c["basisOfRecord"][0] == "PreservedSpecimen"
    result = import_interchange(store, on_checklist(data), path.name, submitted_by="public", status="accepted")
    assert result.stored == 1534
    rec = store.get("3170b210-6254-43d3-9740-de18b261b594", access="full")
    assert rec["eventDate"] == "1999-06-18" and rec["recordedBy"] == c["recordedBy"][0]
    extra = json.loads(rec["extraTerms"])
    assert extra["verbatimScientificName"] == c["scientificName"][0] and extra["sourceID"] == "1"


def test_null_core_id_is_refused_saying_which_extension():
    """Bug 4: python-dwca-reader's TypeError (a traceback) before."""
    with pytest.raises(ExtensionWithoutCoreId) as caught:
        read(public("nullCoreID.zip"))
    assert "VernacularName.txt" in str(caught.value)


def test_a_tab_file_in_a_mac_zip_is_read():
    """Bug 4: taken for an Excel workbook before. (Its rows are taxon names: read, not imported.)"""
    path = public("gnub.tab.zip")
    assert detect_format(path) == "dwca"
    data = read(path)
    assert data.n == 9 and all(columns(data)["scientificName"])


def test_ebird_export_gets_its_event_date_from_year_month_day(tmp_path):
    """Bug 2 (spreadsheet path): YEAR, MONTH, DAY and no eventDate; every row was REQUIRED_FIELD_MISSING."""
    store = open_store(f"sqlite:///{tmp_path / 'e.db'}")
    try:
        with pytest.raises(ImportRejected) as caught:  # American birds: not on the checklist, outside the region
            import_file(store, public("ebird.tab.txt"), submitted_by="public")
    finally:
        store.close()
    flags = caught.value.report.flatten()
    assert not [f for f in flags if f[1] == "eventDate"]
    assert {code for _, field, code in flags if field.upper() == "SCIENTIFICNAME"} == {"TAXON_MATCH_NONE"}


# -- gbif/ipt ---------------------------------------------------------------------------------------------------
def test_ipt_archive_image_extension_and_core_id(store):
    """Bugs 1 and 6: the Simple Image extension's addresses become associatedMedia; the core id the
    occurrenceID."""
    path = public("dwca-inside-parent.zip")
    data = read(path)
    c = columns(data)
    assert c["occurrenceID"] == ["fe6947df-54bc-43df-94cf-9d69be4389be", "5baf95b3-3f31-4e0b-b6fd-4360905995e6"]
    assert all(m.startswith("http") and m.endswith(".jpg") and " | " not in m for m in c["associatedMedia"])
    result = import_interchange(store, on_checklist(data, "sex"), path.name, submitted_by="public",
                                status="accepted")
    assert result.stored == 2
    extra = json.loads(store.get("fe6947df-54bc-43df-94cf-9d69be4389be", access="full")["extraTerms"])
    assert extra["associatedMedia"] == c["associatedMedia"][0]


def test_simple_archive_id_column_is_the_occurrence_id():
    """Bug 6: the id column was an unknown column and the records had no occurrenceID."""
    data = read(public("occurrence.txt.zip"))
    c = columns(data)
    assert "id" not in data.unknown and c["occurrenceID"][:2] == ["1575", "8082"]


# -- ropensci/rgbif -------------------------------------------------------------------------------------------
def test_gbif_darwin_core_archive_download_2014(store):
    """Bugs 1 and 2: multimedia.txt → associatedMedia (209 records), ~100 declared Dublin Core and GBIF terms no
    longer UNKNOWN_FIELD_KEPT, records dated to a month get eventDate year-month."""
    path = public("0000066-140928181241064.zip")
    data = read(path)
    assert data.n == 470 and data.unknown == []
    c = columns(data)
    assert sum(1 for v in c["associatedMedia"] if v) == 209
    by_id = dict(zip(c["occurrenceID"], c["eventDate"]))
    assert by_id["https://www.gbif.org/occurrence/78602108"] == "1980-07"
    assert by_id["https://www.gbif.org/occurrence/78633570"] == "1958-08"
    media = dict(zip(c["occurrenceID"], c["associatedMedia"]))["https://www.gbif.org/occurrence/727496415"]
    assert media.count(" | ") == 1 and all(m.startswith("http") for m in media.split(" | "))


def test_gbif_simple_csv_download_2025_zipped():
    """Bug 3: the zipped simple CSV is read as GBIF writes it (tab-separated); its CSV-quoted cells unquoted,
    its date-times as written."""
    path = public("0009886-250127130748423.zip")
    assert detect_format(path) == "gbif-csv"
    data = read(path)
    assert data.n == 91
    c = columns(data)
    quoted = [v for v in c["locality"] if v and '"' in v]  # five cells the file quotes CSV-style
    assert len(quoted) == 5 and all(not v.startswith('"') and '""' not in v and v.count('"') == 2 for v in quoted)
    assert all(v is None or "T" in v for v in c["lastInterpreted"])


def test_mobot_darwin_core_file_with_scientific_name_and_species(tmp_path):
    """Refused before: "the columns 'scientificName', 'species' all fill the same field scientificName". Now
    read, and the records with day/month/year get their eventDate (plants of the Americas and Africa: refused
    for the checklist and the countries, as they should be)."""
    store = open_store(f"sqlite:///{tmp_path / 'm.db'}")
    try:
        with pytest.raises(ImportRejected) as caught:
            import_file(store, public("MOBOTDarwinCore.csv"), submitted_by="public")
    finally:
        store.close()
    flags = caught.value.report.flatten()
    assert {code for _, field, code in flags if field == "scientificName"} == {"TAXON_MATCH_NONE"}
    missing_dates = {row for row, field, code in flags if field == "eventDate"}
    assert missing_dates == {2}  # the only record without day, month and year


# -- jhpoelen/dwca-event-example ----------------------------------------------------------------------------------
def test_event_core_archive_gives_its_occurrences(store):
    """Refused before ("its core is Event records"): each occurrence row is a record, with its event's terms."""
    path = public("dwca-event-example")
    assert detect_format(path) == "dwca"
    data = read(path)
    c = columns(data)
    assert data.n == 3 and data.unknown == [] and c["occurrenceID"] == ["tuco1", "tuco2", "tuco3"]
    assert c["eventDate"] == ["2019-07-04"] * 3 and c["basisOfRecord"] == ["MachineObservation"] * 3
    result = import_interchange(store, on_checklist(data), path.name, submitted_by="public", status="accepted")
    assert result.stored == 3 and store.get("tuco2", access="full")["lifeStage"] == "juvenile"
