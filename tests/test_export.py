"""Exports: every format read back by an independent reader (pyogrio, python-dwca-reader, csv) gives the
stored records; CSV is formula-safe; Shapefile ships its field mapping; DwC-A has EML, meta.xml and the
vernacular-names extension; the API streams a download; sensitive records leave generalised."""
from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from xml.etree import ElementTree as ET

import pyogrio
import pytest
from click.testing import CliRunner
from dwca.read import DwCAReader

from occurrences.cli import cli
from occurrences.demo import demo_records
from occurrences.export import FORMATS, ExportOptions, export
from occurrences.export.shapefile import SHORT_NAMES, read_fields_csv
from occurrences.records import FIELDS
from occurrences.store import Filters, open_store, parse_filters
from tests.conftest import BACKENDS, fresh_db_url

THAI = "ป่าดิบแล้ง ริมห้วยขาแข้ง"
BURMESE = "ကချင်ပြည်နယ် မြစ်ကြီးနား"
DWC = "http://rs.tdwg.org/dwc/terms/"


def records() -> list[dict]:
    recs = demo_records(40)
    recs[0].update(locality=THAI, vernacularName="อีเห็นเครือ", decimalLatitude=14.1234567, decimalLongitude=101.7654321)
    recs[1].update(locality=BURMESE, occurrenceRemarks="line one\nline\ttwo \"quoted\"", recordedBy="Nguyễn Văn A")
    recs[2].update(decimalLatitude=None, decimalLongitude=None, coordinateUncertaintyInMeters=None,
                   geodeticDatum=None, locality="no coordinates")
    recs[3].update(individualCount=None, sex="female", lifeStage="adult")
    recs[4].update(issues=["COORDINATE_ROUNDED", "gbif:RECORDED_DATE_MISMATCH"])
    return recs


@pytest.fixture(scope="module", params=BACKENDS)
def db(request, tmp_path_factory):
    with fresh_db_url(request.param, tmp_path_factory.mktemp("export")) as url:
        store = open_store(url)
        try:
            store.add_many(records(), submitted_by="tester", status="accepted")
            yield store
        finally:
            store.close()


@pytest.fixture(scope="module")
def stored(db):
    return {r["occurrenceID"]: r for r in db.iter_records(Filters(access="public"))}


def nfc(value):
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value


def assert_same(stored: dict, read: dict[str, dict], fields=None):
    """Every record came back: coordinates to 1e-7°, numbers equal, text identical after NFC."""
    assert set(read) == set(stored)
    fields = fields or [f.name for f in FIELDS if f.name not in ("issues",)]
    for oid, want in stored.items():
        got = read[oid]
        for name in fields:
            w, g = want[name], got.get(name)
            if w is None:
                assert g in (None, ""), (oid, name, g)
            elif isinstance(w, float):
                assert g is not None and abs(float(g) - w) < 1e-7, (oid, name, w, g)
            elif isinstance(w, int):
                assert int(float(g)) == w, (oid, name, w, g)
            else:
                assert nfc(str(g)) == nfc(w), (oid, name, w, g)


def _read_layer(path, layer="occurrences", **kw) -> dict[str, dict]:
    df = pyogrio.read_dataframe(path, layer=layer, datetime_as_string=True, **kw)
    rows = df.drop(columns="geometry").astype(object).where(df.notna(), None).to_dict("records")
    out = {}
    for row, geom in zip(rows, df.geometry):
        if geom is not None:  # the geometry carries the same coordinates as the attribute columns
            assert abs(geom.x - row["decimalLongitude"]) < 1e-9 and abs(geom.y - row["decimalLatitude"]) < 1e-9
        out[row["occurrenceID"]] = row
    return out


@pytest.mark.parametrize("fmt", ["gpkg", "fgb", "geojson"])
def test_gis_formats_round_trip(db, stored, tmp_path, fmt):
    path = tmp_path / f"out.{fmt}"
    result = export(db, Filters(), fmt, path)
    assert result.records == len(stored)
    read = _read_layer(path)
    assert_same(stored, read)
    assert read[records()[4]["occurrenceID"]]["issues"] == "COORDINATE_ROUNDED|gbif:RECORDED_DATE_MISMATCH"


def test_geopackage_has_typed_columns_and_species_layers(db, stored, tmp_path):
    path = tmp_path / "out.gpkg"
    result = export(db, Filters(), "gpkg", path, options=ExportOptions(layers_per_species=True))
    info = pyogrio.read_info(path, layer="occurrences")
    types = dict(zip(info["fields"], info["ogr_types"]))
    assert types["decimalLatitude"] == "OFTReal" and types["individualCount"] == "OFTInteger64"
    assert types["scientificName"] == "OFTString" and info["geometry_type"] == "Point"
    assert info["crs"] == "EPSG:4326"
    species = sorted({r["scientificName"] for r in stored.values()})
    layers = [name for name, _ in pyogrio.list_layers(path)]
    assert len(layers) == 1 + len(species) and layers[0] == "occurrences"
    for name, layer in zip(species, result.layers[1:]):
        rows = _read_layer(path, layer)
        assert {r["scientificName"] for r in rows.values()} == {name}
        assert len(rows) == sum(r["scientificName"] == name for r in stored.values())


def test_shapefile_zip_has_all_parts_utf8_and_field_mapping(db, stored, tmp_path):
    path = tmp_path / "out.shp.zip"
    export(db, Filters(), "shp", path)
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
        assert {"occurrences.shp", "occurrences.shx", "occurrences.dbf", "occurrences.prj", "occurrences.cpg",
                "fields.csv"} <= names
        assert zf.read("occurrences.cpg").decode().strip().upper() in ("UTF-8", "UTF8")
        mapping = read_fields_csv(zf.read("fields.csv").decode("utf-8"))
    assert all(len(short) <= 10 for short in mapping) and set(mapping.values()) == {f.name for f in FIELDS}
    assert mapping == {short: long for long, short in SHORT_NAMES.items()}
    df = pyogrio.read_dataframe(f"/vsizip/{path}/occurrences.shp")
    assert all(len(c) <= 10 for c in df.columns)
    rows = df.drop(columns="geometry").rename(columns=mapping)
    rows = rows.astype(object).where(rows.notna(), None).to_dict("records")
    assert_same(stored, {r["occurrenceID"]: r for r in rows})


def test_kml_placemarks_named_by_species_with_descriptions(db, stored, tmp_path):
    path = tmp_path / "out.kml"
    export(db, Filters(), "kml", path)
    ns = {"k": "http://www.opengis.net/kml/2.2"}
    placemarks = ET.parse(path).getroot().findall(".//k:Placemark", ns)
    assert len(placemarks) == len(stored)
    thai = next(p for p in placemarks if THAI in ET.tostring(p, encoding="unicode"))
    record = next(r for r in stored.values() if r["locality"] == THAI)
    assert thai.find("k:name", ns).text == record["scientificName"]
    assert record["eventDate"] in thai.find("k:description", ns).text
    assert THAI in thai.find("k:description", ns).text
    df = pyogrio.read_dataframe(path)
    rows = df.drop(columns="geometry").astype(object).where(df.notna(), None).to_dict("records")
    by_id = {r["occurrenceID"]: r for r in rows}
    assert_same(stored, by_id, ["occurrenceID", "scientificName", "locality", "decimalLatitude",
                                "decimalLongitude", "recordedBy", "occurrenceRemarks"])


def test_csv_round_trip_utf8_bom_and_formula_safety(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'c.db'}")
    recs = records()[:6]
    recs[0]["locality"] = "=HYPERLINK(\"http://evil\")"
    recs[1]["recordedBy"] = "@SUM(A1)"
    recs[2]["occurrenceRemarks"] = "+cmd|' /C calc'!A0"
    recs[3]["verbatimLatitude"] = "-12.5"  # a number: left alone
    store.add_many(recs, status="accepted")
    path = tmp_path / "out.csv"
    full = Filters(access="full")  # remarks of sensitive species are hidden from the public
    export(store, full, "csv", path, options=ExportOptions(bom=True))
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    by_id = {r["occurrenceID"]: r for r in rows}
    assert by_id[recs[0]["occurrenceID"]]["locality"] == "'=HYPERLINK(\"http://evil\")"
    assert by_id[recs[1]["occurrenceID"]]["recordedBy"] == "'@SUM(A1)"
    assert by_id[recs[2]["occurrenceID"]]["occurrenceRemarks"].startswith("'+cmd")
    assert by_id[recs[3]["occurrenceID"]]["verbatimLatitude"] == "-12.5"
    stored = {r["occurrenceID"]: r for r in store.iter_records(full)}
    safe = {k: {**v} for k, v in stored.items()}
    for k, name in ((recs[0]["occurrenceID"], "locality"), (recs[1]["occurrenceID"], "recordedBy"),
                    (recs[2]["occurrenceID"], "occurrenceRemarks")):
        safe[k][name] = "'" + safe[k][name]
    assert_same(safe, by_id)
    plain = tmp_path / "plain.csv"
    export(store, Filters(), "csv", plain)
    assert not plain.read_bytes().startswith(b"\xef\xbb\xbf")
    store.close()


def test_darwin_core_archive_read_back_with_dwca_reader(db, stored, tmp_path):
    path = tmp_path / "out.zip"
    options = ExportOptions()
    options.metadata.title = "Test archive"
    options.metadata.contact_email = "scsg@example.org"
    export(db, Filters(), "dwca", path, options=options)
    with DwCAReader(str(path)) as archive:
        assert len(archive.rows) == len(stored)
        core_terms = {f["term"] for f in archive.descriptor.core.fields}
        assert DWC + "occurrenceID" in core_terms and "urn:occurrences:terms:issues" in core_terms
        assert DWC + "informationWithheld" in core_terms and DWC + "dataGeneralizations" in core_terms
        [ext] = archive.descriptor.extensions
        assert ext.type == "http://rs.gbif.org/terms/1.0/VernacularName"
        read = {}
        for row in archive:
            rec = {term.rsplit("/", 1)[-1].rsplit(":", 1)[-1]: value for term, value in row.data.items()}
            read[row.id] = rec
            names = {(e.data[DWC + "vernacularName"], e.data["http://purl.org/dc/terms/language"])
                     for e in row.extensions}
            if rec["locality"] == THAI:
                assert ("อีเห็นเครือ", "th") in names or any(lang == "th" for _, lang in names)
            assert all(lang for _, lang in names)
        eml = archive.metadata
    assert_same(stored, read, [f.name for f in FIELDS if f.name not in ("issues", "submittedBy", "submittedAt")])
    flagged = read[records()[4]["occurrenceID"]]
    assert flagged["issues"] == "COORDINATE_ROUNDED|gbif:RECORDED_DATE_MISMATCH"
    dataset = eml.find("dataset")
    assert dataset.find("title").text == "Test archive"
    assert "creativecommons.org/licenses/by/4.0" in ET.tostring(dataset.find("intellectualRights"), encoding="unicode")
    assert dataset.find("contact/electronicMailAddress").text == "scsg@example.org"
    box = dataset.find("coverage/geographicCoverage/boundingCoordinates")
    lats = [r["decimalLatitude"] for r in stored.values() if r["decimalLatitude"] is not None]
    assert float(box.find("northBoundingCoordinate").text) == max(lats)
    dates = dataset.find("coverage/temporalCoverage/rangeOfDates")
    assert dates.find("beginDate/calendarDate").text == min(r["eventDate"][:10] for r in stored.values())
    taxa = {t.find("taxonRankValue").text for t in dataset.findall("coverage/taxonomicCoverage/taxonomicClassification")}
    assert taxa == {r["scientificName"] for r in stored.values()}
    # EML element order as the schema requires
    order = [child.tag for child in dataset]
    assert order.index("title") < order.index("creator") < order.index("pubDate") < order.index("abstract") \
        < order.index("intellectualRights") < order.index("coverage") < order.index("contact")


def test_filters_apply_to_every_format(db, stored, tmp_path):
    filters = parse_filters({"countryCode": ["TH"]})
    want = sum(r["countryCode"] == "TH" for r in stored.values())
    for fmt in FORMATS:
        assert export(db, filters, fmt, tmp_path / f"th{FORMATS[fmt].suffix}").records == want


def test_sensitive_records_leave_generalised(store, tmp_path):
    from tests.sensitive_seed import secrets_of, seed

    seed(store, demo=10)
    secrets = secrets_of()
    for fmt in FORMATS:
        path = tmp_path / f"public.{fmt}"
        export(store, Filters(access="public"), fmt, path)
        blob = path.read_bytes()
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as zf:
                blob = b"".join(zf.read(n) for n in zf.namelist())
        leaked = [s for s in secrets if s.encode() in blob]
        assert not leaked, (fmt, leaked)
    archive = tmp_path / "public.dwca"
    with DwCAReader(str(archive)) as a:
        withheld = [r.data for r in a if r.data[DWC + "occurrenceID"].startswith("sens-binturong")]
    assert withheld and all(r[DWC + "dataGeneralizations"] for r in withheld)


def test_cli_export_is_quiet_without_a_terminal(db, tmp_path):
    out = tmp_path / "cli.gpkg"
    result = CliRunner().invoke(cli, ["export", "--db", db.url, "--format", "gpkg", "-o", str(out),
                                      "--countryCode", "VN", "--layers-per-species"])
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith("(gpkg)") and "Exporting" not in result.output
    assert len(pyogrio.list_layers(out)) > 1


def test_api_download(db, stored):
    from fastapi.testclient import TestClient

    from occurrences.api import create_app

    client = TestClient(create_app(store=db))
    response = client.get("/exports", params={"format": "csv", "bom": "true", "countryCode": "KH"})
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    assert response.headers["content-disposition"].endswith('.csv"')
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == sum(r["countryCode"] == "KH" for r in stored.values())
    assert client.get("/exports", params={"format": "gpkg", "nonsense": "1"}).status_code == 400
    assert client.get("/exports", params={"format": "xls"}).status_code in (400, 422)


def test_cli_shows_progress_on_a_terminal(db, tmp_path):
    import os
    import pty
    import subprocess
    import sys

    leader, follower = pty.openpty()
    out = tmp_path / "tty.csv"
    proc = subprocess.run([sys.executable, "-m", "occurrences", "export", "--db", db.url, "--format", "csv",
                           "-o", str(out)], stderr=follower, stdout=subprocess.PIPE, timeout=120)
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    assert proc.returncode == 0
    assert b"Exporting" in shown and b"100%" in shown
    assert b"Exporting" not in proc.stdout


def test_read_ahead_keeps_order_passes_errors_and_stops_early():
    import threading

    from occurrences.export import _read_ahead

    assert list(_read_ahead(iter(range(50)))) == list(range(50))

    def failing():
        yield 1
        raise ValueError("store went away")

    with pytest.raises(ValueError, match="store went away"):
        list(_read_ahead(failing()))
    produced = []

    def endless():
        i = 0
        while True:
            produced.append(i)
            yield i
            i += 1

    it = _read_ahead(endless(), depth=2)
    assert [next(it) for _ in range(3)] == [0, 1, 2]
    it.close()  # the consumer stops: the reader thread must end too
    assert not any(t.name == "export-read-ahead" and t.is_alive() for t in threading.enumerate())
    assert len(produced) < 10
