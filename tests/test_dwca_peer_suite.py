"""A peer's test suite: python-dwca-reader's sample archives (tests/data/dwca-reader, BSD licence, see its
README.md). Every archive its description calls valid imports; every invalid one, and every archive that is
not an occurrence dataset, is refused with a message saying why, and nothing is stored.

The archives name fish and birds from elsewhere and most have no event date; the test maps their taxa onto the
checklist and gives a date where the archive has none (our record needs one). Everything else is read as the
archive has it."""
from __future__ import annotations

import zipfile
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from occurrences.errors import FileProblem
from occurrences.importers import detect_format, import_interchange, read

SAMPLES = Path(__file__).parent / "data" / "dwca-reader"
VALID = {  # archive → records in its core
    "dwca-simple-test-archive.zip": 2, "dwca-simple-test-archive.tgz": 2,
    "dwca-simple-test-archive-enclosed.zip": 2, "dwca-noheaders-1.zip": 2, "dwca-noheaders-2.zip": 2,
    "dwca-test-default.zip": 2, "dwca-partial-default.zip": 2, "dwca-utf8-eol-test.zip": 1,
    "dwca-simple-subdir.zip": 2, "dwca-simple-csv.zip": 3, "dwca-simple-csv-eml.zip": 3,
    "dwca-simple-csv-dos.zip": 3, "dwca-simple-csv-notenclosed.zip": 3, "dwca-nometadata.zip": 2,
    "dwca-default-metadata-filename.zip": 2, "dwca-simple-dir": 4,
    "dwca-meta-default-values": 2, "dwca-metadata-windows1252-encoding": 4,
}
# Read whole, but its first record's basisOfRecord ("Observation, something": the archive tests a quoted comma)
# is no Darwin Core basis of record: refused on that row, naming the value.
QUOTED = "dwca-csv-quote-dir"
INVALID = {  # archive → what the message must say
    "dwca-invalid-lacks-metadata": "eml.xml is referenced in the archive descriptor but missing",
    "dwca-invalid-simple-toomuch.zip": "No Metafile was found, but the archive contains multiple files",
    "dwca-invalid-simple-two.zip": "No Metafile was found, but the archive contains multiple files",
    "dwca-malformed-descriptor": "references a non-existent field",
    "dwca-missing-extension-details": "extension file is referenced in Metafile, but its path is not specified",
}
NOT_OCCURRENCES = ("dwca-star-test-archive.zip", "dwca-2extensions.zip", "dwca-ids.zip", "dwca-orphaned-rows.zip")
CHECKLIST_SPECIES = "Paguma larvata"


def _on_checklist(data):
    """The archive's taxa mapped onto a checklist species (each record's own name kept, as an extra term
    ``verbatimIdentification``), its records placed in Thailand (the archives' fish are from Borneo and Japan,
    outside the region this database checks), and a date where a record has none (our record needs one)."""
    cols = dict(data.columns)
    n = data.n
    const = lambda value: pa.array([value] * n, pa.large_string())  # noqa: E731
    given = cols.get("scientificName")
    cols["scientificName"] = const(CHECKLIST_SPECIES)
    if given is not None:
        cols["verbatimIdentification"] = given
    cols["eventDate"] = pc.coalesce(cols["eventDate"], const("2020-01-01")) if "eventDate" in cols \
        else const("2020-01-01")
    for term, value in (("countryCode", "TH"), ("decimalLatitude", "14.43"), ("decimalLongitude", "101.37")):
        if term in cols:
            cols["verbatim" + term[0].upper() + term[1:]] = cols[term]  # kept, as the archive gave it
        cols[term] = const(value)
    cols.pop("country", None)
    data.columns = cols
    return data


@pytest.mark.parametrize("name", sorted(VALID))
def test_every_valid_archive_imports(name, store):
    path = SAMPLES / name
    assert detect_format(path) == "dwca"
    data = read(path)
    assert data.n == VALID[name]
    result = import_interchange(store, _on_checklist(data), name, submitted_by="peer", status="accepted")
    assert result.stored == VALID[name]
    assert store.count(store_filters()) == VALID[name]


def test_a_quoted_comma_is_read_whole_and_a_bad_basis_of_record_refused(store):
    from occurrences.errors import ImportRejected

    with pytest.raises(ImportRejected) as caught:
        import_interchange(store, _on_checklist(read(SAMPLES / QUOTED)), QUOTED, submitted_by="peer")
    flags = [f for r in caught.value.report.rows for f in r.flags if f.severity == "error"]
    assert [(f.row, f.field, f.value) for f in flags] == [(2, "basisOfRecord", "Observation, something")]
    assert store.count(store_filters()) == 0


def store_filters():
    from occurrences.store import Filters

    return Filters(access="full")


def test_what_the_archives_hold_is_read_as_they_hold_it(store):
    # default values from meta.xml fill the country (dwca-test-default); an empty cell takes the default
    # (dwca-partial-default); quoted fields keep their comma (dwca-csv-quote-dir)
    assert set(read(SAMPLES / "dwca-test-default.zip").columns["country"].to_pylist()) == {"Belgium"}
    partial = read(SAMPLES / "dwca-partial-default.zip").columns["country"].to_pylist()
    assert "Belgium" in partial and None not in partial
    quoted = read(SAMPLES / "dwca-csv-quote-dir").columns["basisOfRecord"].to_pylist()
    assert "Observation, something" in quoted
    # a GBIF simple CSV zipped alone: its lower-case headers are Darwin Core terms again
    simple = read(SAMPLES / "dwca-simple-csv.zip")
    assert simple.columns["countryCode"].to_pylist()[0] == "JP"
    # other terms are kept per record (institutionCode, county ... of the 2013 GBIF-style archive)
    data = _on_checklist(read(SAMPLES / "dwca-utf8-eol-test.zip"))
    import_interchange(store, data, "utf8", submitted_by="peer", status="accepted")
    import json

    [rec] = list(store.iter_records(store_filters()))
    extra = json.loads(rec["extraTerms"])
    assert extra["institutionCode"] == "FishBase" and extra["verbatimIdentification"]


@pytest.mark.parametrize("name", sorted(INVALID))
def test_every_invalid_archive_is_refused_saying_why(name):
    with pytest.raises(FileProblem) as caught:
        read(SAMPLES / name)
    assert INVALID[name] in str(caught.value)
    assert "not a valid Darwin Core Archive" in str(caught.value)


@pytest.mark.parametrize("name", NOT_OCCURRENCES)
def test_archives_of_other_records_are_refused_naming_their_core(name):
    with pytest.raises(FileProblem) as caught:
        read(SAMPLES / name)
    assert "its core is Taxon records, not Occurrence records" in str(caught.value)


META = ('<archive xmlns="http://rs.tdwg.org/dwc/text/"><core encoding="UTF-8" fieldsTerminatedBy="\\t" '
        'linesTerminatedBy="\\n" ignoreHeaderLines="1" rowType="http://rs.tdwg.org/dwc/terms/Occurrence">'
        '<files><location>{location}</location></files><id index="0"/>{fields}</core></archive>')
TERMS = ("occurrenceID", "basisOfRecord", "scientificName", "eventDate", "county")


def _archive(tmp_path, location: str, n_fields: int, data: str | None) -> Path:
    fields = "".join(f'<field index="{i}" term="http://rs.tdwg.org/dwc/terms/{TERMS[i]}"/>' for i in range(n_fields))
    path = tmp_path / "bad.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("meta.xml", META.format(location=location, fields=fields))
        if data is not None:
            zf.writestr("occurrence.txt", data)
    return path


def test_meta_xml_pointing_at_a_missing_file_is_refused(tmp_path):
    path = _archive(tmp_path, "occurrences.txt", 4, "occurrenceID\\tbasisOfRecord\\nx\\tHumanObservation\\n")
    with pytest.raises(FileProblem) as caught:
        read(path)
    assert "not a valid Darwin Core Archive" in str(caught.value) and "occurrences.txt" in str(caught.value)


def test_meta_xml_declaring_more_columns_than_the_data_has_is_refused(tmp_path, store):
    rows = "id\tbasis\tname\tdate\nx1\tHumanObservation\tPaguma larvata\t2020-01-01\n"
    path = _archive(tmp_path, "occurrence.txt", 5, rows)
    with pytest.raises(FileProblem) as caught:
        read(path)
    assert "not a valid Darwin Core Archive" in str(caught.value) and "index=4" in str(caught.value)
    assert store.count(store_filters()) == 0


GBIF_2013_TERMS = [  # as the 2013 GBIF portal wrote them: Darwin Core and GBIF IRIs, no header line
    "http://rs.gbif.org/terms/1.0/gbifID", "http://rs.tdwg.org/dwc/terms/institutionCode",
    "http://rs.tdwg.org/dwc/terms/catalogNumber", "http://rs.tdwg.org/dwc/terms/basisOfRecord",
    "http://rs.tdwg.org/dwc/terms/kingdom", "http://rs.tdwg.org/dwc/terms/scientificName",
    "http://rs.tdwg.org/dwc/terms/taxonRank", "http://rs.gbif.org/terms/1.0/species",
    "http://rs.tdwg.org/dwc/terms/countryCode", "http://rs.tdwg.org/dwc/terms/continent",
    "http://rs.tdwg.org/dwc/terms/county", "http://rs.tdwg.org/dwc/terms/decimalLatitude",
    "http://rs.tdwg.org/dwc/terms/decimalLongitude", "http://rs.tdwg.org/dwc/terms/eventDate",
    "http://rs.tdwg.org/dwc/terms/identifiedBy", "http://rs.tdwg.org/dwc/terms/dateIdentified",
    "http://rs.gbif.org/terms/1.0/datasetKey", "http://rs.gbif.org/terms/1.0/issue",
]
GBIF_2013_ROW = ["44012", "NHMUK", "1930.4.1.7", "PRESERVED_SPECIMEN", "Animalia",
                 "Paguma larvata (C.E.H.Smith, 1827)", "SPECIES", "Paguma larvata", "TH", "ASIA", "Pak Chong",
                 "14.43", "101.37", "Tue Apr 01 00:00:00 CET 1930", "H.C. Robinson", "Mon Jun 02 00:00:00 CEST 1930",
                 "7e380070-f762-11e1-a439-00145eb45e9a", ""]


def test_a_2013_gbif_portal_archive_imports_with_its_other_terms(tmp_path, store):
    fields = "".join(f'<field index="{i}" term="{t}"/>' for i, t in enumerate(GBIF_2013_TERMS))
    meta = META.format(location="occurrence.txt", fields=fields).replace('ignoreHeaderLines="1"',
                                                                         'ignoreHeaderLines="0"')
    path = tmp_path / "gbif-results.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("meta.xml", meta)
        zf.writestr("occurrence.txt", "\t".join(GBIF_2013_ROW) + "\n")
    result = import_interchange(store, read(path), path.name, submitted_by="gbif", status="accepted")
    assert result.stored == 1
    [rec] = list(store.iter_records(store_filters()))
    assert rec["basisOfRecord"] == "PreservedSpecimen" and rec["scientificName"] == CHECKLIST_SPECIES
    assert rec["eventDate"] == "1930-04-01" and rec["occurrenceID"] == "https://www.gbif.org/occurrence/44012"
    import json

    extra = json.loads(rec["extraTerms"])
    assert extra["institutionCode"] == "NHMUK" and extra["county"] == "Pak Chong" and extra["continent"] == "ASIA"
    assert extra["identifiedBy"] == "H.C. Robinson" and extra["datasetKey"].startswith("7e38")
    assert not [f for r in result.report.rows for f in r.flags if f.severity == "error"]


def test_the_cli_imports_an_unpacked_archive(tmp_path):
    from click.testing import CliRunner

    from occurrences.cli import cli
    from occurrences.store import open_store

    folder = tmp_path / "unpacked"
    folder.mkdir()
    fields = "".join(f'<field index="{i}" term="http://rs.tdwg.org/dwc/terms/{t}"/>' for i, t in enumerate(
        ("occurrenceID", "basisOfRecord", "scientificName", "eventDate", "countryCode", "decimalLatitude",
         "decimalLongitude", "institutionCode")))
    (folder / "meta.xml").write_text(META.format(location="occurrence.txt", fields=fields), encoding="utf-8")
    (folder / "occurrence.txt").write_text(
        "id\tbasis\tname\tdate\tcc\tlat\tlon\tinst\n"
        "u1\tPRESERVED_SPECIMEN\tPaguma larvata\t2001-02-03\tTH\t14.43\t101.37\tKU\n", encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    result = CliRunner().invoke(cli, ["import", "--db", db, str(folder)])
    assert result.exit_code == 0, result.output
    store = open_store(db)
    rec = store.get("u1", access="full")
    assert rec["basisOfRecord"] == "PreservedSpecimen" and '"institutionCode":"KU"' in rec["extraTerms"]
    store.close()
