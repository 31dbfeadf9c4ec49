"""GBIF downloads (simple CSV and Darwin Core Archive) and our own exports import with GBIF's columns mapped,
GBIF's issue flags kept as gbif:CODE beside ours, absences left out, and all-or-nothing validation."""
from __future__ import annotations

import json
import zipfile

import pytest
from click.testing import CliRunner

from occurrences.cli import cli
from occurrences.demo import demo_records
from occurrences.errors import ImportRejected
from occurrences.export import FORMATS, export
from occurrences.importers import detect_format, import_path
from occurrences.store import Filters, open_store

FULL = Filters(access="full")
HEADER = ("gbifID\tdatasetKey\toccurrenceID\tkingdom\tfamily\tspecies\ttaxonRank\tscientificName\tcountryCode\t"
          "locality\tstateProvince\toccurrenceStatus\tindividualCount\tdecimalLatitude\tdecimalLongitude\t"
          "coordinateUncertaintyInMeters\teventDate\tday\tmonth\tyear\tbasisOfRecord\trecordedBy\tissue")
ROWS = [
    "1001\tds\t\tAnimalia\tViverridae\tPaguma larvata\tSPECIES\tPaguma larvata (C.E.H.Smith, 1827)\tTH\t"
    'เขาใหญ่ "north"\tNakhon Ratchasima\tPRESENT\t2\t14.4391234\t101.3712345\t30\t2019-03-15T00:00:00\t15\t3\t'
    "2019\tHUMAN_OBSERVATION\tA. Recorder\tCOORDINATE_ROUNDED;GEODETIC_DATUM_ASSUMED_WGS84",
    "1002\tds\tmy-occ-2\tAnimalia\tViverridae\tArctictis binturong\tSPECIES\tArctictis binturong (Raffles, 1821)\t"
    "MM\tကချင်\tKachin\tPRESENT\t\t25.38\t97.4\t\t2020-01-01T00:00:00/2020-01-31T00:00:00\t\t1\t2020\t"
    "MACHINE_OBSERVATION\t\t",
    "1003\tds\t\tAnimalia\tViverridae\tArctictis binturong\tSPECIES\tArctictis binturong\tMM\t\t\tABSENT\t\t25.3\t"
    "97.3\t\t2020-02-01\t\t\t\tHUMAN_OBSERVATION\t\t",
]


@pytest.fixture
def simple_csv(tmp_path):
    path = tmp_path / "0012345-240101000000000.csv"
    path.write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")
    return path


def test_simple_csv_maps_gbif_columns_and_keeps_gbif_flags(simple_csv, tmp_path):
    assert detect_format(simple_csv) == "gbif-csv"
    store = open_store(f"sqlite:///{tmp_path / 'g.db'}")
    result = import_path(store, simple_csv, submitted_by="t", status="accepted")
    assert result.stored == 3  # the absence record is stored as an absence
    absent = store.get("https://www.gbif.org/occurrence/1003", access="full")
    assert absent["occurrenceStatus"] == "absent"
    first = store.get("https://www.gbif.org/occurrence/1001", access="full")
    assert first["occurrenceStatus"] == "present"
    # GBIF's other columns are kept verbatim as extra terms (its issue flags are in issues already)
    assert json.loads(first["extraTerms"]) == {"gbifID": "1001", "datasetKey": "ds", "kingdom": "Animalia",
                                               "species": "Paguma larvata"}
    assert not [f for r in result.report.rows for f in r.flags if f.code == "UNKNOWN_FIELD_KEPT"]
    assert first["scientificName"] == "Paguma larvata" and first["taxonRank"] == "species"
    assert first["basisOfRecord"] == "HumanObservation" and first["eventDate"] == "2019-03-15"
    assert first["decimalLatitude"] == 14.4391234 and first["decimalLongitude"] == 101.3712345
    assert first["locality"] == 'เขาใหญ่ "north"' and first["individualCount"] == 2
    assert {"gbif:COORDINATE_ROUNDED", "gbif:GEODETIC_DATUM_ASSUMED_WGS84"} <= set(first["issues"])
    second = store.get("my-occ-2", access="full")
    assert second["eventDate"] == "2020-01-01/2020-01-31" and second["locality"] == "ကချင်"
    assert second["basisOfRecord"] == "MachineObservation"
    assert store.count(FULL.replace(issue=["gbif:COORDINATE_ROUNDED"])) == 1
    again = import_path(store, simple_csv, submitted_by="t", status="accepted")
    assert again.stored == 0 and again.skipped == 3  # idempotent
    store.close()


def test_bad_gbif_row_rejects_the_file(simple_csv, tmp_path):
    bad = ROWS[0].replace("HUMAN_OBSERVATION", "FOSSIL_SPECIMEN").replace("14.4391234", "94.4")
    simple_csv.write_text("\n".join([HEADER, bad, ROWS[1]]) + "\n", encoding="utf-8")
    store = open_store(f"sqlite:///{tmp_path / 'g.db'}")
    with pytest.raises(ImportRejected) as caught:
        import_path(store, simple_csv, submitted_by="t")
    fields = {(row, field) for row, field, _code in caught.value.report.flatten()}
    assert (2, "basisOfRecord") in fields and (2, "decimalLatitude") in fields
    assert store.count(FULL) == 0
    store.close()


def _gbif_archive(tmp_path, simple_csv):
    """A GBIF-style DwC-A download: meta.xml + occurrence.txt with term URIs and GBIF's issue term."""
    dwc, gbif = "http://rs.tdwg.org/dwc/terms/", "http://rs.gbif.org/terms/1.0/"
    names = HEADER.split("\t")
    uri = {"gbifID": gbif + "gbifID", "datasetKey": gbif + "datasetKey", "issue": gbif + "issue"}
    fields = "\n".join(f'<field index="{i}" term="{uri.get(n, dwc + n)}"/>' for i, n in enumerate(names))
    meta = (f'<archive xmlns="http://rs.tdwg.org/dwc/text/"><core encoding="UTF-8" fieldsTerminatedBy="\\t" '
            f'linesTerminatedBy="\\n" fieldsEnclosedBy="" ignoreHeaderLines="1" rowType="{dwc}Occurrence">'
            f'<files><location>occurrence.txt</location></files><id index="0"/>{fields}</core></archive>')
    path = tmp_path / "0012345-240101000000000.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("meta.xml", meta)
        zf.writestr("occurrence.txt", simple_csv.read_text(encoding="utf-8"))
    return path


def test_gbif_darwin_core_archive(simple_csv, tmp_path):
    archive = _gbif_archive(tmp_path, simple_csv)
    assert detect_format(archive) == "dwca"
    store = open_store(f"sqlite:///{tmp_path / 'a.db'}")
    assert import_path(store, archive, submitted_by="t", status="accepted").stored == 3
    rec = store.get("https://www.gbif.org/occurrence/1001", access="full")
    assert rec["scientificName"] == "Paguma larvata" and "gbif:COORDINATE_ROUNDED" in rec["issues"]
    store.close()


@pytest.mark.parametrize("fmt", ["dwca", "gpkg", "geojson", "fgb", "shp", "kml"])
def test_our_exports_import_back(tmp_path, fmt):
    source = open_store(f"sqlite:///{tmp_path / 'src.db'}")
    recs = demo_records(12)
    recs[0].update(locality="ป่าดิบแล้ง", issues=["gbif:COORDINATE_ROUNDED"])
    source.add_many(recs, status="accepted")
    path = tmp_path / f"out{FORMATS[fmt].suffix}"
    export(source, FULL, fmt, path)
    target = open_store(f"sqlite:///{tmp_path / 'dst.db'}")
    result = CliRunner().invoke(cli, ["import", "--db", target.url, str(path)])
    assert result.exit_code == 0, result.output
    want = {r["occurrenceID"]: r for r in source.iter_records(FULL)}
    got = {r["occurrenceID"]: r for r in target.iter_records(FULL)}
    assert set(got) == set(want)
    for oid, w in want.items():
        g = got[oid]
        for name in ("scientificName", "eventDate", "countryCode", "locality", "basisOfRecord", "individualCount"):
            assert g[name] == w[name], (fmt, name)
        assert abs(g["decimalLatitude"] - w["decimalLatitude"]) < 1e-7
    assert "gbif:COORDINATE_ROUNDED" in got[recs[0]["occurrenceID"]]["issues"]
    source.close()
    target.close()


def test_simple_csv_resaved_by_excel_as_comma_csv(tmp_path):
    """The same download opened in Excel and saved as "CSV UTF-8 (Comma delimited)": comma-separated, quoted
    where needed, a BOM, CRLF. Detected by its gbifID + datasetKey columns, read as a spreadsheet."""
    import csv
    import io

    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    for line in [HEADER, *ROWS]:
        writer.writerow(line.split("\t"))
    path = tmp_path / "resaved.csv"
    path.write_bytes(b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8"))
    assert detect_format(path) == "gbif-csv"
    store = open_store(f"sqlite:///{tmp_path / 'g.db'}")
    result = import_path(store, path, submitted_by="t", status="accepted")
    assert result.stored == 3
    first = store.get("https://www.gbif.org/occurrence/1001", access="full")
    assert first["scientificName"] == "Paguma larvata" and first["locality"] == 'เขาใหญ่ "north"'
    assert {"gbif:COORDINATE_ROUNDED", "gbif:GEODETIC_DATUM_ASSUMED_WGS84"} <= set(first["issues"])
    store.close()
