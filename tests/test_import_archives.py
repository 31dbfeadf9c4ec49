"""Darwin Core Archives and GBIF downloads as they come from other tools (issue 15, "Real files in"): each test
builds, from strings, the feature of a real public file that failed (tests/test_import_public_files.py runs
the files themselves when they are at hand): macOS zips, Darwin Core 1.4 archives, extensions, GBIF's
zipped simple CSV, dates given as year/month/day."""
from __future__ import annotations

import json
import zipfile

import pytest
from click.testing import CliRunner

from occurrences.cli import cli
from occurrences.errors import FileProblem
from occurrences.importers import detect_format, import_path, read
from occurrences.ingest.problems import FileRejected
from occurrences.store import Filters, open_store

FULL = Filters(access="full")
DWC = "http://rs.tdwg.org/dwc/terms/"
META = ('<?xml version="1.0" encoding="UTF-8"?>\n<archive xmlns="http://rs.tdwg.org/dwc/text/">'
        '<core encoding="UTF-8" fieldsTerminatedBy="\\t" linesTerminatedBy="\\n" fieldsEnclosedBy="" '
        'ignoreHeaderLines="1" rowType="{row_type}"><files><location>occurrence.txt</location></files>'
        '<id index="0"/>{fields}</core>{extensions}</archive>')
TERMS = ("occurrenceID", "basisOfRecord", "scientificName", "eventDate", "countryCode", "decimalLatitude",
         "decimalLongitude")
ROWS = ("o1\tHumanObservation\tPaguma larvata\t2019-03-15\tTH\t14.43\t101.37",
        "o2\tPreservedSpecimen\tArctictis binturong\t2020-01-02\tMM\t25.38\t97.4")
APPLE_DOUBLE = b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        \x00\x02"  # the start of a ._ file


def meta(terms=TERMS, row_type=DWC + "Occurrence", extensions="", namespace=DWC) -> str:
    fields = "".join(f'<field index="{i}" term="{namespace}{t}"/>' for i, t in enumerate(terms))
    return META.format(row_type=row_type, fields=fields, extensions=extensions)


def occurrence_txt(terms=TERMS, rows=ROWS) -> str:
    return "\n".join(["\t".join(terms), *rows]) + "\n"


def zipped(tmp_path, files: dict, name="archive.zip"):
    path = tmp_path / name
    with zipfile.ZipFile(path, "w") as zf:
        for member, content in files.items():
            zf.writestr(member, content)
    return path


@pytest.fixture
def store(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'a.db'}")
    yield store
    store.close()


# -- bug 4: macOS zips, Darwin Core 1.4 row types, an extension without coreid index, .tab in a zip ----------
def test_an_archive_zipped_by_macos_finder_imports(tmp_path, store):
    """Finder zips the folder and adds ``__MACOSX/`` with AppleDouble ``._`` copies of every file;
    python-dwca-reader took them for a second folder and refused the archive."""
    path = zipped(tmp_path, {
        "my-archive/": "", "my-archive/meta.xml": meta(), "my-archive/occurrence.txt": occurrence_txt(),
        "__MACOSX/": "", "__MACOSX/my-archive/": "", "__MACOSX/my-archive/._meta.xml": APPLE_DOUBLE,
        "__MACOSX/my-archive/._occurrence.txt": APPLE_DOUBLE, "my-archive/.DS_Store": b"\x00\x00\x00\x01Bud1"})
    assert detect_format(path) == "dwca"
    result = import_path(store, path, submitted_by="t", status="accepted")
    assert result.stored == 2
    assert store.get("o2", access="full")["scientificName"] == "Arctictis binturong"


def test_a_simple_archive_zipped_by_macos_finder_imports(tmp_path, store):
    """One data file and its ``._`` twin: a simple archive, not "several files"."""
    path = zipped(tmp_path, {"occurrence.txt": occurrence_txt(), "__MACOSX/._occurrence.txt": APPLE_DOUBLE})
    assert import_path(store, path, submitted_by="t", status="accepted").stored == 2


@pytest.mark.parametrize("row_type", [DWC + "DarwinCore", "http://rs.tdwg.org/dwc/xsd/simpledarwincore/",
                                      "http://rs.tdwg.org/dwc/xsd/simpledarwincore/SimpleDarwinRecord",
                                      "http://digir.net/schema/conceptual/darwin/2003/1.0/DarwinRecord"])
def test_darwin_core_1_4_era_core_row_types_are_occurrences(tmp_path, store, row_type):
    path = zipped(tmp_path, {"meta.xml": meta(row_type=row_type), "occurrence.txt": occurrence_txt()})
    assert import_path(store, path, submitted_by="t", status="accepted").stored == 2


def test_a_taxon_core_is_still_refused(tmp_path):
    path = zipped(tmp_path, {"meta.xml": meta(row_type=DWC + "Taxon"), "occurrence.txt": occurrence_txt()})
    with pytest.raises(FileProblem, match="Taxon"):
        read(path)


def test_an_extension_without_coreid_index_is_refused_saying_which(tmp_path, store):
    """python-dwca-reader stopped with a TypeError (a traceback for the user)."""
    extension = ('<extension encoding="UTF-8" fieldsTerminatedBy="\\t" linesTerminatedBy="\\n" '
                 'fieldsEnclosedBy="" ignoreHeaderLines="1" rowType="http://rs.gbif.org/terms/1.0/VernacularName">'
                 '<files><location>vernacular.txt</location></files><coreid/>'
                 f'<field index="1" term="{DWC}vernacularName"/></extension>')
    path = zipped(tmp_path, {"meta.xml": meta(extensions=extension), "occurrence.txt": occurrence_txt(),
                             "vernacular.txt": "id\tvernacularName\no1\tcivet\n"})
    with pytest.raises(FileRejected) as caught:
        import_path(store, path, submitted_by="t")
    assert "vernacular.txt" in str(caught.value) and "coreid" in str(caught.value)
    assert "ส่วนขยาย vernacular.txt" in caught.value.message("th")
    assert store.count(FULL) == 0
    result = CliRunner().invoke(cli, ["validate", str(path), "--lang", "vi"])
    assert result.exit_code != 0 and "Traceback" not in result.output and "phần mở rộng" in result.output


def test_a_tab_file_in_a_zip_is_a_simple_archive(tmp_path, store):
    path = zipped(tmp_path, {"records.tab": occurrence_txt(), "__MACOSX/._records.tab": APPLE_DOUBLE},
                  name="records.tab.zip")
    assert detect_format(path) == "dwca"
    assert import_path(store, path, submitted_by="t", status="accepted").stored == 2


# -- bug 5: Darwin Core 1.4 / DiGIR term names ----------------------------------------------------------------
OLD_NAMES = ("GlobalUniqueIdentifier", "BasisOfRecord", "ScientificName", "EarliestDateCollected", "Collector",
             "CollectorNumber", "Country", "Latitude", "Longitude", "Locality")
OLD_ROWS = ("urn:catalog:KU:M:101\tPreservedSpecimen\tPaguma larvata\t1999-06-18 00:00:00.0\tNguyễn Văn An\t"
            "A-17\tThailand\t14.43\t101.37\tPak Chong",)


@pytest.mark.parametrize("namespace", [DWC, "http://rs.tdwg.org/dwc/dwcore/",
                                       "http://digir.net/schema/conceptual/darwin/2003/1.0/"])
def test_darwin_core_1_4_term_names_fill_the_current_fields(tmp_path, store, namespace):
    """An archive of 2009 (rowType dwc:DarwinCore, capitalised names, EarliestDateCollected, Collector)."""
    path = zipped(tmp_path, {"meta.xml": meta(OLD_NAMES, row_type=DWC + "DarwinCore", namespace=namespace)
                             .replace("occurrence.txt", "DarwinCore.txt"),
                             "DarwinCore.txt": occurrence_txt(OLD_NAMES, OLD_ROWS)})
    result = import_path(store, path, submitted_by="t", status="accepted")
    assert result.stored == 1
    rec = store.get("urn:catalog:KU:M:101", access="full")
    assert rec["eventDate"] == "1999-06-18" and rec["recordedBy"] == "Nguyễn Văn An"
    assert rec["scientificName"] == "Paguma larvata" and rec["decimalLatitude"] == 14.43
    assert rec["decimalLongitude"] == 101.37 and rec["basisOfRecord"] == "PreservedSpecimen"
    extra = json.loads(rec["extraTerms"])
    assert extra["recordNumber"] == "A-17" and extra["country"] == "Thailand" and rec["locality"] == "Pak Chong"
    assert not [f for r in result.report.rows for f in r.flags if f.code == "UNKNOWN_FIELD_KEPT"]


def test_an_old_name_beside_the_current_one_stays_an_extra_term(tmp_path, store):
    """Both ``Collector`` and ``recordedBy``: the current one fills the field, the old one is kept as given."""
    terms = TERMS + ("recordedBy", "Collector")
    rows = tuple(r + "\tA. Observer\tsomeone else" for r in ROWS)
    path = zipped(tmp_path, {"meta.xml": meta(terms), "occurrence.txt": occurrence_txt(terms, rows)})
    import_path(store, path, submitted_by="t", status="accepted")
    rec = store.get("o1", access="full")
    assert rec["recordedBy"] == "A. Observer" and json.loads(rec["extraTerms"])["Collector"] == "someone else"


def test_old_names_as_spreadsheet_headers(tmp_path):
    path = tmp_path / "old.csv"
    path.write_text("GlobalUniqueIdentifier,BasisOfRecord,ScientificName,EarliestDateCollected,Collector,"
                    "countryCode,Latitude,Longitude\n"
                    "s1,Specimen,Paguma larvata,1999-06-18,Nguyễn Văn An,TH,14.43,101.37\n", encoding="utf-8")
    db = f"sqlite:///{tmp_path / 's.db'}"
    result = CliRunner().invoke(cli, ["import", str(path), "--db", db])
    assert result.exit_code == 0, result.output
    store = open_store(db)
    rec = store.get("s1", access="full")
    assert rec["recordedBy"] == "Nguyễn Văn An" and rec["eventDate"] == "1999-06-18"
    assert rec["basisOfRecord"] == "PreservedSpecimen"
    store.close()


# -- bug 6: the core id as occurrenceID; basisOfRecord "Specimen" ---------------------------------------------
def test_the_core_id_is_the_occurrence_id_when_there_is_none(tmp_path, store):
    """meta.xml's ``<id index="0"/>`` column, with no occurrenceID field: the records keep their publisher's
    ids (and importing the archive again adds nothing); the id is not reported as an unknown column."""
    terms = ("id",) + TERMS[1:]
    fields = "".join(f'<field index="{i}" term="{DWC}{t}"/>' for i, t in enumerate(terms) if i)
    meta_xml = META.format(row_type=DWC + "Occurrence", fields=fields, extensions="")
    path = zipped(tmp_path, {"meta.xml": meta_xml, "occurrence.txt": occurrence_txt(terms)})
    result = import_path(store, path, submitted_by="t", status="accepted")
    assert result.stored == 2 and store.get("o1", access="full")["scientificName"] == "Paguma larvata"
    assert not [f for r in result.report.rows for f in r.flags if f.code == "UNKNOWN_FIELD_KEPT"]
    assert import_path(store, path, submitted_by="t", status="accepted").skipped == 2


def test_a_simple_archive_id_column_and_an_empty_occurrence_id(tmp_path, store):
    terms = ("id",) + TERMS
    rows = ("c1\t\tHumanObservation\tPaguma larvata\t2019-03-15\tTH\t14.43\t101.37",
            "c2\tmine-2\tHumanObservation\tPaguma larvata\t2019-03-16\tTH\t14.44\t101.38")
    path = zipped(tmp_path, {"occurrence.txt": occurrence_txt(terms, rows)})
    assert import_path(store, path, submitted_by="t", status="accepted").stored == 2
    assert store.get("c1", access="full") and store.get("mine-2", access="full")


def test_basis_of_record_specimen_is_a_preserved_specimen(tmp_path, store):
    rows = tuple(r.replace("HumanObservation", "Specimen").replace("PreservedSpecimen", "SPECIMEN") for r in ROWS)
    path = zipped(tmp_path, {"meta.xml": meta(), "occurrence.txt": occurrence_txt(rows=rows)})
    assert import_path(store, path, submitted_by="t", status="accepted").stored == 2
    assert {store.get(o, access="full")["basisOfRecord"] for o in ("o1", "o2")} == {"PreservedSpecimen"}


# -- bug 2: eventDate from year, month and day -------------------------------------------------------------------
GBIF_HEADER = ("gbifID\tdatasetKey\toccurrenceID\tspecies\ttaxonRank\tscientificName\tcountryCode\tdecimalLatitude\t"
               "decimalLongitude\teventDate\tday\tmonth\tyear\tbasisOfRecord\tissue")
GBIF_ROWS = (  # dated to a month (eventDate empty), to a month (year only in eventDate), to a day, to a year
    '2001\tds\t\tPaguma larvata\tSPECIES\tPaguma larvata (Smith, 1827)\tTH\t14.43\t101.37\t\t\t3\t2019\t'
    'PRESERVED_SPECIMEN\tRECORDED_DATE_MISMATCH',
    '2002\tds\t\tPaguma larvata\tSPECIES\tPaguma larvata\tTH\t14.44\t101.38\t2019\t\t03\t2019\tPRESERVED_SPECIMEN\t',
    '2003\tds\t\tPaguma larvata\tSPECIES\tPaguma larvata\tTH\t14.45\t101.39\t2019-03-05T00:00:00\t5\t3\t2019\t'
    'HUMAN_OBSERVATION\t',
    '2004\tds\t\tPaguma larvata\tSPECIES\tPaguma larvata\tTH\t14.46\t101.40\t\t\t\t1931\tPRESERVED_SPECIMEN\t',
)
GBIF_DATES = {"2001": "2019-03", "2002": "2019-03", "2003": "2019-03-05", "2004": "1931"}


def test_gbif_records_dated_to_a_month_get_their_event_date(tmp_path, store):
    path = tmp_path / "0001234-250101000000000.csv"
    path.write_text("\n".join([GBIF_HEADER, *GBIF_ROWS]) + "\n", encoding="utf-8")
    assert import_path(store, path, submitted_by="t", status="accepted").stored == 4
    for key, date in GBIF_DATES.items():
        assert store.get(f"https://www.gbif.org/occurrence/{key}", access="full")["eventDate"] == date, key


def test_an_archive_with_year_month_day_and_no_event_date(tmp_path, store):
    terms = ("occurrenceID", "basisOfRecord", "scientificName", "YearCollected", "MonthCollected", "DayCollected",
             "countryCode", "decimalLatitude", "decimalLongitude")
    rows = ("y1\tHumanObservation\tPaguma larvata\t2009\t5\t14\tTH\t14.43\t101.37",
            "y2\tHumanObservation\tPaguma larvata\t2009\t05\t\tTH\t14.44\t101.38")
    path = zipped(tmp_path, {"meta.xml": meta(terms), "occurrence.txt": occurrence_txt(terms, rows)})
    assert import_path(store, path, submitted_by="t", status="accepted").stored == 2
    assert store.get("y1", access="full")["eventDate"] == "2009-05-14"
    assert store.get("y2", access="full")["eventDate"] == "2009-05"


def test_a_spreadsheet_with_year_month_day_columns(tmp_path):
    """eBird's and other portals' exports: YEAR, MONTH, DAY and no eventDate."""
    path = tmp_path / "ebird.txt"
    path.write_text("OCCURRENCEID\tBASISOFRECORD\tYEAR\tMONTH\tDAY\tCOUNTRYCODE\tDECIMALLATITUDE\t"
                    "DECIMALLONGITUDE\tSCIENTIFICNAME\n"
                    "e1\tObservation\t2009\t05\t14\tTH\t14.43\t101.37\tPaguma larvata\n"
                    "e2\tObservation\t2009\t09\t\tTH\t14.44\t101.38\tPaguma larvata\n", encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'e.db'}"
    result = CliRunner().invoke(cli, ["import", str(path), "--db", db])
    assert result.exit_code == 0, result.output
    store = open_store(db)
    assert store.get("e1", access="full")["eventDate"] == "2009-05-14"
    assert store.get("e2", access="full")["eventDate"] == "2009-09"
    store.close()


# -- bug 3: GBIF's simple CSV download, zipped as GBIF delivers it -----------------------------------------------
SIMPLE_HEADER = ("gbifID\tdatasetKey\toccurrenceID\tspecies\ttaxonRank\tscientificName\tcountryCode\tlocality\t"
                 "decimalLatitude\tdecimalLongitude\teventDate\tbasisOfRecord\tissue")
SIMPLE_ROWS = (  # GBIF writes no quoting: a quote is a character like any other, even at the start of a cell
    '3001\tds\t\tPaguma larvata\tSPECIES\tPaguma larvata\tTH\t"Khao Yai" north, 3 km\t14.43\t101.37\t2019-03-15\t'
    'HUMAN_OBSERVATION\tCOORDINATE_ROUNDED',
    '3002\tds\t\tPaguma larvata\tSPECIES\tPaguma larvata\tTH\t"Ban Na\t14.44\t101.38\t2019-03-16\tHUMAN_OBSERVATION\t',
    '3003\tds\t\tPaguma larvata\tSPECIES\tPaguma larvata\tTH\tnear the "big" tree\t14.45\t101.39\t2019-03-17\t'
    'HUMAN_OBSERVATION\t',
)
SIMPLE_LOCALITIES = {"3001": '"Khao Yai" north, 3 km', "3002": '"Ban Na', "3003": 'near the "big" tree'}


@pytest.mark.parametrize("extra", [{}, {"__MACOSX/._0001234-250101000000000.csv": APPLE_DOUBLE}])
def test_a_zipped_gbif_simple_csv_is_read_as_tab_separated_unquoted_text(tmp_path, store, extra):
    path = zipped(tmp_path, {"0001234-250101000000000.csv": "\n".join([SIMPLE_HEADER, *SIMPLE_ROWS]) + "\n",
                             **extra}, name="0001234-250101000000000.zip")
    assert detect_format(path) == "gbif-csv"
    result = import_path(store, path, submitted_by="t", status="accepted")
    assert result.stored == 3
    for key, locality in SIMPLE_LOCALITIES.items():
        rec = store.get(f"https://www.gbif.org/occurrence/{key}", access="full")
        assert rec["locality"] == locality, key
    assert "gbif:COORDINATE_ROUNDED" in store.get("https://www.gbif.org/occurrence/3001", access="full")["issues"]


def test_a_zipped_csv_that_is_not_gbif_s_is_still_a_simple_archive(tmp_path):
    path = zipped(tmp_path, {"occurrence.csv": "occurrenceID,scientificName\nx1,Paguma larvata\n"})
    assert detect_format(path) == "dwca"


# -- bug 1: the terms meta.xml declares are known; a media extension fills associatedMedia --------------------
def test_unusual_terms_declared_in_meta_xml_are_not_unknown_columns(tmp_path, store):
    """meta.xml says what each column is (an IPT's own ``sourceID``, Dublin Core's ``source``): kept as extra
    terms without the UNKNOWN_FIELD_KEPT warning, which is for columns nobody defined."""
    fields = "".join(f'<field index="{i}" term="{DWC}{t}"/>' for i, t in enumerate(TERMS))
    fields += (f'<field index="{len(TERMS)}" term="http://ipt.gbif.org/terms/sourceID"/>'
               f'<field index="{len(TERMS) + 1}" term="http://purl.org/dc/terms/source"/>'
               f'<field index="{len(TERMS) + 2}" term="urn:occurrences:terms:column:my%20notes"/>')
    meta_xml = META.format(row_type=DWC + "Occurrence", fields=fields, extensions="")
    terms = TERMS + ("sourceID", "source", "my notes")
    rows = tuple(r + "\tS-1\thttp://example.org/a\tnone" for r in ROWS)
    path = zipped(tmp_path, {"meta.xml": meta_xml, "occurrence.txt": occurrence_txt(terms, rows)})
    result = import_path(store, path, submitted_by="t", status="accepted")
    unknown = {f.field for r in result.report.rows for f in r.flags if f.code == "UNKNOWN_FIELD_KEPT"}
    assert unknown == {"my notes"}  # (our exports' IRI for a column nobody defined)
    extra = json.loads(store.get("o1", access="full")["extraTerms"])
    assert extra["sourceID"] == "S-1" and extra["source"] == "http://example.org/a"


MEDIA_EXTENSION = ('<extension encoding="UTF-8" fieldsTerminatedBy="\\t" linesTerminatedBy="\\n" fieldsEnclosedBy="" '
                   'ignoreHeaderLines="1" rowType="{row_type}"><files><location>multimedia.txt</location></files>'
                   '<coreid index="0"/><field index="1" term="http://purl.org/dc/terms/type"/>'
                   '<field index="2" term="{term}"/></extension>')


@pytest.mark.parametrize("row_type, term", [
    ("http://rs.gbif.org/terms/1.0/Multimedia", "http://purl.org/dc/terms/identifier"),
    ("http://rs.gbif.org/terms/1.0/Image", "http://purl.org/dc/terms/identifier"),
    ("http://rs.tdwg.org/ac/terms/Multimedia", "http://rs.tdwg.org/ac/terms/accessURI")])
def test_a_multimedia_extension_becomes_associated_media(tmp_path, store, row_type, term):
    media = ("coreid\ttype\tidentifier\n"
             "o1\tStillImage\thttps://example.org/o1-a.jpg\n"
             "o1\tStillImage\thttps://example.org/o1-b.jpg\n"
             "o2\tSound\t\n")
    path = zipped(tmp_path, {"meta.xml": meta(extensions=MEDIA_EXTENSION.format(row_type=row_type, term=term)),
                             "occurrence.txt": occurrence_txt(), "multimedia.txt": media})
    result = import_path(store, path, submitted_by="t", status="accepted")
    assert result.stored == 2
    extra = json.loads(store.get("o1", access="full")["extraTerms"])
    assert extra["associatedMedia"] == "https://example.org/o1-a.jpg | https://example.org/o1-b.jpg"
    assert "associatedMedia" not in (store.get("o2", access="full")["extraTerms"] or "")


def test_a_gbif_download_s_multimedia_file_is_linked_by_gbif_id(tmp_path, store):
    gbif = "http://rs.gbif.org/terms/1.0/"
    names = SIMPLE_HEADER.split("\t")
    uri = {"gbifID": gbif + "gbifID", "datasetKey": gbif + "datasetKey", "issue": gbif + "issue"}
    fields = "".join(f'<field index="{i}" term="{uri.get(n, DWC + n)}"/>' for i, n in enumerate(names))
    extension = MEDIA_EXTENSION.format(row_type=gbif + "Multimedia", term="http://purl.org/dc/terms/identifier")
    meta_xml = META.format(row_type=DWC + "Occurrence", fields=fields, extensions=extension)
    path = zipped(tmp_path, {"meta.xml": meta_xml, "occurrence.txt": "\n".join([SIMPLE_HEADER, *SIMPLE_ROWS]) + "\n",
                             "multimedia.txt": "gbifID\ttype\tidentifier\n3002\tStillImage\thttps://x.org/1.jpg\n"})
    assert import_path(store, path, submitted_by="t", status="accepted").stored == 3
    rec = store.get("https://www.gbif.org/occurrence/3002", access="full")
    assert json.loads(rec["extraTerms"])["associatedMedia"] == "https://x.org/1.jpg"


QUOTING_HEADER = SIMPLE_HEADER + "\tcatalogNumber\tdateIdentified"
QUOTING_ROWS = (  # a 2025 download: a cell holding quotes is quoted CSV-style; an older one's cell as written
    '3101\tds\t\tPaguma larvata\tSPECIES\tPaguma larvata\tTH\t"Camping ""Ban Mae Sa"", 3 km"\t14.43\t101.37\t'
    '2019-03-15\tHUMAN_OBSERVATION\t\t000123\t2024-02-18T17:59:05',
    '3102\tds\t\tPaguma larvata\tSPECIES\tPaguma larvata\tTH\t"Khao Yai"\t14.44\t101.38\t2019-03-16\t'
    'HUMAN_OBSERVATION\t\t0042\t',
)


@pytest.mark.parametrize("zip_it", [False, True])
def test_gbif_simple_csv_quoted_cells_and_text_columns(tmp_path, store, zip_it):
    """Recent downloads quote a cell that holds quotes (doubled inside); older ones wrote quotes as they are.
    No column is given a type on reading: timestamps and catalogue numbers stay as written."""
    content = "\n".join([QUOTING_HEADER, *QUOTING_ROWS]) + "\n"
    if zip_it:
        path = zipped(tmp_path, {"0002345-250101000000000.csv": content}, name="0002345-250101000000000.zip")
    else:
        path = tmp_path / "0002345-250101000000000.csv"
        path.write_text(content, encoding="utf-8")
    assert import_path(store, path, submitted_by="t", status="accepted").stored == 2
    first = store.get("https://www.gbif.org/occurrence/3101", access="full")
    assert first["locality"] == 'Camping "Ban Mae Sa", 3 km'
    extra = json.loads(first["extraTerms"])
    assert extra["catalogNumber"] == "000123" and extra["dateIdentified"] == "2024-02-18T17:59:05"
    second = store.get("https://www.gbif.org/occurrence/3102", access="full")
    assert second["locality"] == '"Khao Yai"' and json.loads(second["extraTerms"])["catalogNumber"] == "0042"


# -- found with MOBOTDarwinCore.csv (gbif/dwca-io): scientificName beside GBIF's species column -------------------
def test_an_exact_term_wins_over_a_label_that_is_another_term(tmp_path):
    """``species`` is GBIF's column and also our English label "Species": beside ``scientificName`` the file was
    refused as two columns for one field. The exact term fills the field; ``species`` is kept as an extra term.
    Two labels for one field are still refused."""
    from occurrences.forms.headers import map_headers

    assert map_headers(["scientificName", "species", "Collector", "recordedBy"]).terms == [
        "scientificName", None, None, "recordedBy"]
    assert map_headers(["Species", "ชนิดพันธุ์"]).duplicates  # two labels: which one wins is a guess
    path = tmp_path / "mobot.txt"
    path.write_text("occurrenceID\tscientificName\tspecies\tday\tmonth\tyear\tcountryCode\tdecimalLatitude\t"
                    "decimalLongitude\tbasisOfRecord\n"
                    "MO:1\tPaguma larvata\tlarvata\t29\t10\t1985\tTH\t14.43\t101.37\t"
                    "PreservedSpecimen\n", encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'm.db'}"
    result = CliRunner().invoke(cli, ["import", str(path), "--db", db])
    assert result.exit_code == 0, result.output
    store = open_store(db)
    rec = store.get("MO:1", access="full")
    assert rec["eventDate"] == "1985-10-29" and json.loads(rec["extraTerms"])["species"] == "larvata"
    store.close()


# -- found with an Event-core example (jhpoelen/dwca-event-example, from TDWG's dwc-qa): sampling-event datasets --
EVENT_META = ('<archive xmlns="http://rs.tdwg.org/dwc/text/"><core encoding="UTF-8" fieldsTerminatedBy="\\t" '
              'linesTerminatedBy="\\n" fieldsEnclosedBy="" ignoreHeaderLines="1" rowType="' + DWC + 'Event">'
              '<files><location>event.txt</location></files><id index="0"/>{event_fields}</core>'
              '<extension encoding="UTF-8" fieldsTerminatedBy="\\t" linesTerminatedBy="\\n" fieldsEnclosedBy="" '
              'ignoreHeaderLines="1" rowType="' + DWC + 'Occurrence"><files><location>occurrence.txt</location>'
              '</files><coreid index="0"/>{occurrence_fields}</extension></archive>')


def test_a_sampling_event_archive_gives_one_record_per_occurrence(tmp_path, store):
    """Camera-trap and survey datasets are published as Event core + Occurrence extension; such an archive was
    refused ("its core is Event records"). Each occurrence row is a record; its event's date, place and
    coordinates fill what the row leaves empty; an event without occurrences gives none."""
    event_terms = ("eventID", "eventDate", "countryCode", "decimalLatitude", "decimalLongitude", "samplingProtocol")
    occurrence_terms = ("occurrenceID", "basisOfRecord", "scientificName", "individualCount", "decimalLatitude")
    fields = lambda terms: "".join(f'<field index="{i + 1}" term="{DWC}{t}"/>'  # noqa: E731
                                   for i, t in enumerate(terms))
    path = zipped(tmp_path, {
        "meta.xml": EVENT_META.format(event_fields=fields(event_terms), occurrence_fields=fields(occurrence_terms)),
        "event.txt": "id\t" + "\t".join(event_terms) + "\n"
                     "ct1\tct1\t2020-02-01/2020-03-01\tTH\t14.43\t101.37\tcamera trap\n"
                     "ct2\tct2\t2020-02-01/2020-03-01\tTH\t14.50\t101.40\tcamera trap\n",
        "occurrence.txt": "id\t" + "\t".join(occurrence_terms) + "\n"
                          "ct1\tct1-a\tMachineObservation\tPaguma larvata\t2\t\n"
                          "ct1\tct1-b\tMachineObservation\tArctictis binturong\t1\t14.44\n"})
    result = import_path(store, path, submitted_by="t", status="accepted")
    assert result.stored == 2 and store.count(FULL) == 2
    a, b = (store.get(o, access="full") for o in ("ct1-a", "ct1-b"))
    assert a["eventDate"] == b["eventDate"] == "2020-02-01/2020-03-01" and a["samplingProtocol"] == "camera trap"
    assert a["decimalLatitude"] == 14.43 and b["decimalLatitude"] == 14.44 and a["individualCount"] == 2
    assert json.loads(a["extraTerms"])["eventID"] == "ct1"
    assert not [f for r in result.report.rows for f in r.flags if f.code == "UNKNOWN_FIELD_KEPT"]


def test_an_event_archive_without_occurrences_is_still_refused(tmp_path):
    path = zipped(tmp_path, {"meta.xml": meta(row_type=DWC + "Event"), "occurrence.txt": occurrence_txt()})
    with pytest.raises(FileProblem, match="Event"):
        read(path)


def test_validate_takes_an_unpacked_archive_like_import(tmp_path):
    """``occurrences import`` took a folder (an unpacked DwC-A) but ``validate`` refused it as a directory."""
    folder = tmp_path / "unpacked"
    folder.mkdir()
    (folder / "meta.xml").write_text(meta(), encoding="utf-8")
    (folder / "occurrence.txt").write_text(occurrence_txt(), encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(folder)])
    assert result.exit_code == 0, result.output
    assert "2 rows: 2 valid" in result.output


def test_a_tgz_archive_made_on_macos_imports(tmp_path, store):
    """macOS's tar adds ``._name`` AppleDouble files beside each file (unless COPYFILE_DISABLE is set)."""
    import io
    import tarfile

    path = tmp_path / "archive.tgz"
    with tarfile.open(path, "w:gz") as tf:
        for name, content in (("my-archive/meta.xml", meta()), ("my-archive/occurrence.txt", occurrence_txt()),
                              ("my-archive/._meta.xml", APPLE_DOUBLE), ("._my-archive", APPLE_DOUBLE)):
            data = content.encode("utf-8") if isinstance(content, str) else content
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    assert detect_format(path) == "dwca"
    assert import_path(store, path, submitted_by="t", status="accepted").stored == 2


def test_an_archive_unpacking_past_the_limit_is_refused_before_anything_is_extracted(tmp_path, monkeypatch):
    """python-dwca-reader extracts every member to disk, and a macOS archive is first copied without its extra
    files: both only after the members' sizes are checked (zip: declared sizes, which zipfile enforces; tar:
    header sizes)."""
    import io as _io
    import tarfile as _tarfile
    import zipfile as _zipfile

    import dwca.read

    from occurrences.importers import gbif
    from occurrences.ingest.problems import TooLarge

    zipped = tmp_path / "bomb.zip"
    with _zipfile.ZipFile(zipped, "w", _zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("occurrence.txt", "occurrenceID\tscientificName\n" + "x\ty\n" * 300_000)
        zf.writestr("__MACOSX/._occurrence.txt", "mac")
    tgz = tmp_path / "bomb.tgz"
    with _tarfile.open(tgz, "w:gz") as tf:
        data = b"occurrenceID\tscientificName\n" + b"x\ty\n" * 300_000
        info = _tarfile.TarInfo("occurrence.txt")
        info.size = len(data)
        tf.addfile(info, _io.BytesIO(data))
    monkeypatch.setattr(gbif, "ARCHIVE_UNPACKED_LIMIT", 1_000_000)
    opened = []
    monkeypatch.setattr(dwca.read.DwCAReader, "__init__", lambda *a, **k: opened.append(a) or None)
    for path in (zipped, tgz):
        with pytest.raises(TooLarge) as caught:
            gbif.read_dwca(path)
        assert "MB" in caught.value.message("th") and caught.value.message("th") != caught.value.message("en")
    assert opened == []
