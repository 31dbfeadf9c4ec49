"""All of Darwin Core is accepted (issue 15): other terms kept per record in ``extraTerms``, columns nobody
defined kept with a warning, sensitive records' extra terms withheld from the public, absences stored and
left out of maps and ranges unless asked for. Both backends (the ``store`` fixture)."""
from __future__ import annotations

import json

import pytest

from occurrences.dwc_terms import canonical_term, term_iris
from occurrences.importers import import_path
from occurrences.ingest import import_bytes, import_file
from occurrences.maps.range import range_for
from occurrences.maps.tiles import tile_layers
from occurrences.store import Filters, parse_filters
from occurrences.errors import InvalidParameter

FULL = Filters(access="full")
HEADER = ("occurrenceID,basisOfRecord,scientificName,eventDate,decimalLatitude,decimalLongitude,countryCode,"
          "InstitutionCode,dwc:county,catalogNumber,footprintWKT,Foo Bar,occurrenceStatus")


def _csv(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode("utf-8")


def test_term_list_holds_all_of_darwin_core_and_gbif_download_columns():
    iris = term_iris()
    assert len([t for t in iris if iris[t].startswith("http://rs.tdwg.org/dwc/terms/")]) > 250
    for term in ("institutionCode", "catalogNumber", "identifiedBy", "dateIdentified", "kingdom", "county",
                 "continent", "footprintWKT", "georeferenceRemarks", "occurrenceStatus", "verbatimElevation",
                 "gbifID", "datasetKey", "issue", "hasCoordinate", "hasGeospatialIssues", "publishingOrgKey",
                 "taxonKey", "speciesKey", "lastInterpreted", "mediaType", "modified", "rightsHolder"):
        assert term in iris, term
    assert canonical_term("InstitutionCode") == "institutionCode"
    assert canonical_term("http://rs.tdwg.org/dwc/terms/county") == "county"
    assert canonical_term("Foo Bar") is None


def test_other_terms_are_kept_verbatim_and_unknown_columns_are_warnings(store):
    data = _csv("x1,PRESERVED_SPECIMEN,Paguma larvata,2019-03-15,14.43,101.37,TH,KU, Pak Chong ,KU-1,"
                "\"POINT(101.37 14.43)\",hello,PRESENT",
                "x2,HumanObservation,Paguma larvata,2019-03-16,14.43,101.37,TH,,,,,,")
    result = import_bytes(store, data, "extra.csv", status="accepted")
    assert result.stored == 2
    warnings = {(f.field, f.code, f.severity) for r in result.report.rows for f in r.flags}
    assert ("Foo Bar", "UNKNOWN_FIELD_KEPT", "warning") in warnings
    assert not any(code == "UNKNOWN_FIELD" for _f, code, _s in warnings)
    assert not any(field in ("institutionCode", "county", "catalogNumber") for field, _c, _s in warnings)
    first = store.get("x1", access="full")
    assert first["basisOfRecord"] == "PreservedSpecimen" and first["occurrenceStatus"] == "present"
    assert json.loads(first["extraTerms"]) == {"institutionCode": "KU", "county": "Pak Chong",
                                               "catalogNumber": "KU-1", "footprintWKT": "POINT(101.37 14.43)",
                                               "Foo Bar": "hello"}
    assert store.get("x2", access="full")["extraTerms"] is None  # nothing given: nothing kept


def test_a_formula_in_an_extra_column_is_refused_like_any_cell(store):
    from occurrences.errors import ImportRejected

    data = _csv("x1,HumanObservation,Paguma larvata,2019-03-15,14.43,101.37,TH,=HYPERLINK(1),,,,,")
    with pytest.raises(ImportRejected) as caught:
        import_bytes(store, data, "formula.csv")
    assert any(code == "FORMULA_NOT_ALLOWED" for _row, _field, code in caught.value.report.flatten())
    assert store.count(FULL.replace(status=["pending", "accepted"])) == 0


def test_extra_terms_of_sensitive_records_are_withheld_from_the_public(store):
    # Arctictis binturong is sensitive in the checklist: its locality is withheld from public readers, and so
    # is every extra term (county, footprintWKT, locationID... may each say where it is).
    data = _csv("s1,HumanObservation,Arctictis binturong,2020-01-02,14.73917,101.62853,TH,KU,Pak Chong,,"
                "\"POINT(101.62853 14.73917)\",,",
                "p1,HumanObservation,Paguma larvata,2020-01-02,14.7,101.6,TH,KU,Pak Chong,,,,")
    store.add_user("alice", "submitter")
    import_bytes(store, data, "sens.csv", status="accepted", submitted_by="alice")
    assert json.loads(store.get("s1", access="full")["extraTerms"])["county"] == "Pak Chong"
    public = store.get("s1")
    assert public["extraTerms"] is None and public["locality"] is None
    assert json.loads(store.get("p1")["extraTerms"])["county"] == "Pak Chong"  # not sensitive: shown
    page = store.query(Filters(scientificName=["Arctictis binturong"]))
    assert [r["extraTerms"] for r in page.records] == [None]
    owner = store.get("s1", access="own:alice")
    assert json.loads(owner["extraTerms"])["county"] == "Pak Chong"


def _absence_data() -> bytes:
    return _csv("a1,MachineObservation,Paguma larvata,2021-05-01,14.1,101.1,TH,,,,,,absent",
                "a2,MachineObservation,Paguma larvata,2021-05-02,15.9,103.9,TH,,,,,,present",
                "a3,MachineObservation,Paguma larvata,2021-05-03,16.9,100.2,TH,,,,,,",
                "a4,MachineObservation,Paguma larvata,2021-05-04,17.5,102.5,TH,,,,,,")


def test_absences_are_stored_and_filterable(store):
    import_bytes(store, _absence_data(), "camera.csv", status="accepted")
    assert store.get("a1")["occurrenceStatus"] == "absent"
    assert store.count(Filters()) == 4  # lists show both
    assert store.count(parse_filters({"occurrenceStatus": "absent"})) == 1
    assert store.count(parse_filters({"occurrenceStatus": "PRESENT"})) == 3  # no status: a presence
    assert store.count(parse_filters({"occurrenceStatus": ["present", "absent"]})) == 4
    with pytest.raises(InvalidParameter):
        parse_filters({"occurrenceStatus": "maybe"})


def test_absences_are_left_out_of_tiles_and_ranges_unless_asked_for(store):
    import_bytes(store, _absence_data(), "camera.csv", status="accepted")
    f = Filters(scientificName=["Paguma larvata"])

    def tile_count(filters):
        layers = tile_layers(store, filters, 0, 0, 0)
        return sum(feat.get("properties", {}).get("count", 1) for feats in layers.values() for feat in feats)

    assert tile_count(f) == 3
    assert tile_count(f.replace(occurrenceStatus=["absent"])) == 1
    assert range_for(store, f).records_used == 3
    assert range_for(store, f.replace(occurrenceStatus=["absent"])).records_used == 1


def test_an_unknown_occurrence_status_is_an_error(store):
    from occurrences.errors import ImportRejected

    with pytest.raises(ImportRejected) as caught:
        import_bytes(store, _csv("b1,HumanObservation,Paguma larvata,2021-05-01,14.1,101.1,TH,,,,,,maybe"), "b.csv")
    assert ("occurrenceStatus", "OCCURRENCE_STATUS_INVALID") in {(f, c) for _r, f, c in caught.value.report.flatten()}


@pytest.mark.parametrize("fmt", ["csv", "dwca"])
def test_extra_terms_are_written_back_in_exports_and_import_again(store, tmp_path, fmt):
    import csv
    import io
    import zipfile

    from occurrences.export import export
    from occurrences.store import open_store

    data = _csv("x1,HumanObservation,Paguma larvata,2019-03-15,14.43,101.37,TH,KU,Pak Chong,KU-1,,hello,",
                "x2,HumanObservation,Paguma larvata,2019-03-16,14.43,101.37,TH,,,,,,",
                "s1,HumanObservation,Arctictis binturong,2020-01-02,14.73917,101.62853,TH,,Secret county,,,,")
    import_bytes(store, data, "extra.csv", status="accepted")
    path = tmp_path / f"out.{fmt}"
    export(store, Filters(), fmt, path)  # public: the sensitive record's county is withheld, even its name
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
        meta = ""
    else:
        with zipfile.ZipFile(path) as zf:
            rows = list(csv.DictReader(io.StringIO(zf.read("occurrence.txt").decode()), delimiter="\t"))
            meta = zf.read("meta.xml").decode()
    by_id = {r["occurrenceID"]: r for r in rows}
    assert "extraTerms" not in rows[0]
    assert by_id["x1"]["institutionCode"] == "KU" and by_id["x1"]["county"] == "Pak Chong"
    assert by_id["x1"]["Foo Bar"] == "hello" and by_id["x2"]["county"] == ""
    assert by_id["s1"]["county"] == ""
    if fmt == "dwca":
        assert 'term="http://rs.tdwg.org/dwc/terms/institutionCode"' in meta
        assert 'term="urn:occurrences:terms:column:Foo%20Bar"' in meta
    again = open_store(f"sqlite:///{tmp_path / 'again.db'}")
    if fmt == "csv":
        import_file(again, path, submitted_by="t", status="accepted")
    else:
        import_path(again, path, submitted_by="t", status="accepted")
    assert json.loads(again.get("x1")["extraTerms"]) == {"catalogNumber": "KU-1", "county": "Pak Chong",
                                                         "Foo Bar": "hello", "institutionCode": "KU"}
    again.close()


def test_record_page_shows_the_extra_terms_and_withholds_those_of_sensitive_records(tmp_path):
    from fastapi.testclient import TestClient

    from occurrences.api import create_app
    from occurrences.settings import Settings
    from occurrences.store import open_store

    url = f"sqlite:///{tmp_path / 'web.db'}"
    store = open_store(url)
    import_bytes(store, _csv("x1,HumanObservation,Paguma larvata,2019-03-15,14.43,101.37,TH,KU,Pak Chong,,,,",
                             "s1,HumanObservation,Arctictis binturong,2020-01-02,14.73917,101.62853,TH,,"
                             "Secret county,,,,"), "web.csv", status="accepted")
    store.close()
    with TestClient(create_app(Settings(db=url))) as client:
        page = client.get("/records/x1", params={"lang": "th"}).text
        assert "institutionCode</th><td>KU</td>" in page and "county</th><td>Pak Chong</td>" in page
        assert "extraTerms" not in page and "{&#34;" not in page  # shown as terms, not as JSON
        sensitive = client.get("/records/s1").text
        assert "Arctictis binturong" in sensitive and "Secret county" not in sensitive


@pytest.mark.parametrize("fmt", ["gpkg", "geojson"])
def test_extra_terms_survive_our_vector_exports(store, tmp_path, fmt):
    from occurrences.export import FORMATS, export
    from occurrences.store import open_store

    import_bytes(store, _csv("x1,HumanObservation,Paguma larvata,2019-03-15,14.43,101.37,TH,KU,Pak Chong,,,hi,"),
                 "extra.csv", status="accepted")
    path = tmp_path / f"out{FORMATS[fmt].suffix}"
    export(store, Filters(), fmt, path)
    again = open_store(f"sqlite:///{tmp_path / 'again.db'}")
    result = import_path(again, path, submitted_by="t", status="accepted")
    assert json.loads(again.get("x1")["extraTerms"]) == {"institutionCode": "KU", "county": "Pak Chong",
                                                         "Foo Bar": "hi"}
    assert not [f for r in result.report.rows for f in r.flags if f.code == "UNKNOWN_FIELD_KEPT"]
    again.close()


def test_occurrence_status_filter_on_the_api_ogc_and_cli(tmp_path):
    from click.testing import CliRunner
    from fastapi.testclient import TestClient

    from occurrences.api import create_app
    from occurrences.cli import cli
    from occurrences.settings import Settings
    from occurrences.store import open_store

    url = f"sqlite:///{tmp_path / 'f.db'}"
    store = open_store(url)
    import_bytes(store, _absence_data(), "camera.csv", status="accepted")
    store.close()
    with TestClient(create_app(Settings(db=url))) as client:
        api = client.get("/occurrences", params={"occurrenceStatus": "absent"}).json()
        assert [f["properties"]["occurrenceID"] for f in api["features"]] == ["a1"]
        ogc = client.get("/ogc/collections/occurrences/items", params={"occurrenceStatus": "present", "f": "json"})
        assert ogc.status_code == 200
        assert sorted(f["id"] for f in ogc.json()["features"]) == ["a2", "a3", "a4"]
        cql = client.get("/ogc/collections/occurrences/items", params={"filter": "occurrenceStatus='absent'"})
        assert [f["id"] for f in cql.json()["features"]] == ["a1"]
        assert client.get("/occurrences", params={"occurrenceStatus": "maybe"}).status_code == 400
    out = CliRunner().invoke(cli, ["query", "--db", url, "--occurrenceStatus", "absent", "--format", "csv"])
    assert out.exit_code == 0, out.output
    assert [line.split(",")[0] for line in out.output.splitlines()[1:]] == ["a1"]


def test_the_public_export_header_names_no_term_only_a_sensitive_record_holds(store, tmp_path):
    import csv
    import io

    from occurrences.export import export

    import_bytes(store, _csv("s1,HumanObservation,Arctictis binturong,2020-01-02,14.73917,101.62853,TH,,,,"
                             "\"POINT(101.62853 14.73917)\",,",
                             "p1,HumanObservation,Paguma larvata,2020-01-02,14.7,101.6,TH,KU,,,,,"), "s.csv",
                 status="accepted")
    path = tmp_path / "public.csv"
    export(store, Filters(), "csv", path)
    header = next(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert "institutionCode" in header and "footprintWKT" not in header
    export(store, FULL, "csv", tmp_path / "full.csv")
    assert "footprintWKT" in next(csv.reader(io.StringIO((tmp_path / "full.csv").read_text(encoding="utf-8"))))


def test_the_vectorised_extra_terms_text_is_what_json_dumps_writes():
    import pyarrow as pa

    from occurrences.dwc_terms import decode, extra_array, extra_column

    cells = {"a b": ['he said "hi"\\n', None, "  ", "tab\there", "back\\slash", "ctl\x01x", "ไทย", "", 'new\nline'],
             "c": ["1", None, None, None, "x", None, None, "  y ", None], "empty": [None] * 9}
    fast = extra_array({k: pa.array(v, pa.large_string()) for k, v in cells.items()}, 9).to_pylist()
    assert fast == extra_column(cells, 9)
    assert fast[1] is None and fast[2] is None and decode(fast[0]) == {"a b": 'he said "hi"\\n', "c": "1"}
    assert decode(fast[8]) == {"a b": "new\nline"}


def test_extra_terms_and_absences_survive_a_migration_both_ways(tmp_path, postgis_url):
    from occurrences.migrate import migrate
    from occurrences.store import open_store

    source = f"sqlite:///{tmp_path / 'a.db'}"
    store = open_store(source)
    import_bytes(store, _absence_data(), "camera.csv", status="accepted")
    import_bytes(store, _csv("x1,HumanObservation,Paguma larvata,2019-03-15,14.43,101.37,TH,KU,Pak Chong,,,hi,"),
                 "extra.csv", status="accepted")
    before = list(store.iter_records(FULL))
    store.close()
    migrate(source, postgis_url)
    there = open_store(postgis_url)
    assert list(there.iter_records(FULL)) == before
    assert there.count(FULL.replace(occurrenceStatus=["absent"])) == 1
    assert there.extra_term_names(FULL) == ["Foo Bar", "county", "institutionCode"]
    there.close()
    back = f"sqlite:///{tmp_path / 'b.db'}"
    migrate(postgis_url, back)
    again = open_store(back)
    assert list(again.iter_records(FULL)) == before
    again.close()
