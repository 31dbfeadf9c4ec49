"""KoboToolbox / ODK submissions of our XLSForm: CSV (Kobo ';' with group paths, ODK Central '-' with split
geopoints) and JSON (Kobo list, ODK Central OData) import with choice names and geopoints mapped."""
from __future__ import annotations

import json

import pytest

from occurrences.errors import ImportRejected
from occurrences.importers import detect_format, import_path
from occurrences.store import Filters, open_store

FULL = Filters(access="full")


@pytest.fixture
def store(tmp_path):
    s = open_store(f"sqlite:///{tmp_path / 'k.db'}")
    yield s
    s.close()


def _one(store):
    [rec] = list(store.iter_records(FULL))
    return rec


def test_kobo_csv_with_groups_geopoint_and_choice_names(tmp_path, store):
    path = tmp_path / "kobo.csv"
    path.write_text(
        "start;end;obs/basisOfRecord;obs/scientificName;obs/eventDate;where/countryCode;where/location;"
        "_where/location_latitude;_where/location_longitude;where/locality;_id;_uuid;_submission_time\n"
        "2024-03-15T08:00:00.000+07:00;2024-03-15T08:05:00.000+07:00;HumanObservation;Paguma larvata;2024-03-15;"
        "TH;14.4391234 101.3712345 250 12.5;14.4391234;101.3712345;ป่าเขาใหญ่;77;"
        "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0;2024-03-15T01:06:00\n", encoding="utf-8")
    assert detect_format(path) == "kobo-csv"
    result = import_path(store, path, submitted_by="kobo", status="accepted")
    assert result.stored == 1
    rec = _one(store)
    assert rec["occurrenceID"] == "urn:uuid:0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
    assert rec["decimalLatitude"] == 14.4391234 and rec["decimalLongitude"] == 101.3712345
    assert rec["coordinateUncertaintyInMeters"] == 12.5
    assert rec["locality"] == "ป่าเขาใหญ่" and rec["scientificName"] == "Paguma larvata"
    assert import_path(store, path, submitted_by="kobo").skipped == 1  # same instance id: not stored twice


def test_odk_central_csv_split_geopoint(tmp_path, store):
    path = tmp_path / "odk.csv"
    path.write_text(
        "SubmissionDate,obs-basisOfRecord,obs-scientificName,obs-eventDate,where-countryCode,"
        "where-location-Latitude,where-location-Longitude,where-location-Altitude,where-location-Accuracy,"
        "meta-instanceID,KEY,SubmitterID\n"
        "2024-03-16T01:00:00.000Z,MachineObservation,Arctictis binturong,2024-03-10,MM,25.3812345,97.4012345,"
        "120,8,uuid:11111111-2222-3333-4444-555555555555,uuid:11111111-2222-3333-4444-555555555555,5\n",
        encoding="utf-8")
    assert detect_format(path) == "kobo-csv"
    import_path(store, path, submitted_by="odk", status="accepted")
    rec = _one(store)
    assert rec["occurrenceID"] == "urn:uuid:11111111-2222-3333-4444-555555555555"
    assert (rec["decimalLatitude"], rec["decimalLongitude"], rec["coordinateUncertaintyInMeters"]) == \
        (25.3812345, 97.4012345, 8.0)
    assert rec["basisOfRecord"] == "MachineObservation" and rec["countryCode"] == "MM"


def test_kobo_json_and_choice_name_with_underscore(tmp_path, store):
    from occurrences.forms import load_form

    spaced = [(f.term, c.value) for f in load_form().fields for c in f.choices if " " in c.value]
    submission = {"_id": 5, "_uuid": "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", "obs/basisOfRecord": "HumanObservation",
                  "obs/scientificName": "Paguma larvata", "obs/eventDate": "2024-03-15", "where/countryCode": "KH",
                  "where/location": "12.5712345 104.9212345 10 5", "_geolocation": [12.5712345, 104.9212345],
                  "obs/occurrenceRemarks": "ကျွန်ုပ်တို့ တွေ့ရှိ"}
    if spaced:
        term, value = spaced[0]
        submission[f"obs/{term}"] = value.replace(" ", "_")
    path = tmp_path / "kobo.json"
    path.write_text(json.dumps({"count": 1, "results": [submission]}, ensure_ascii=False), encoding="utf-8")
    assert detect_format(path) == "kobo-json"
    import_path(store, path, submitted_by="kobo", status="accepted")
    rec = _one(store)
    assert rec["decimalLatitude"] == 12.5712345 and rec["coordinateUncertaintyInMeters"] == 5.0
    assert rec["occurrenceRemarks"] == "ကျွန်ုပ်တို့ တွေ့ရှိ"
    if spaced:
        assert rec[term] == value


def test_odk_central_json_geojson_point(tmp_path, store):
    doc = {"value": [{"__id": "uuid:99999999-8888-7777-6666-555555555555",
                      "obs": {"basisOfRecord": "HumanObservation", "scientificName": "Paguma larvata",
                              "eventDate": "2024-01-02"},
                      "where": {"countryCode": "LA", "location": {"type": "Point", "coordinates": [102.4012345, 20.1012345, 300],
                                                                  "properties": {"accuracy": 7}}},
                      "__system": {"submitterId": "3"}}]}
    path = tmp_path / "odk.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    import_path(store, path, submitted_by="odk", status="accepted")
    rec = _one(store)
    assert (rec["decimalLatitude"], rec["decimalLongitude"], rec["coordinateUncertaintyInMeters"]) == \
        (20.1012345, 102.4012345, 7.0)
    assert rec["occurrenceID"] == "urn:uuid:99999999-8888-7777-6666-555555555555"


def test_unknown_column_is_a_warning_and_kept_with_the_record(tmp_path, store):
    path = tmp_path / "kobo.csv"
    path.write_text("obs/basisOfRecord;obs/scientificName;obs/eventDate;obs/speciez;obs/county;_uuid\n"
                    "HumanObservation;Paguma larvata;2024-03-15;typo;Nan;abc\n", encoding="utf-8")
    result = import_path(store, path, submitted_by="kobo", status="accepted")
    flags = [(field, code) for _row, field, code in result.report.flatten()]
    assert ("obs/speciez", "UNKNOWN_FIELD_KEPT") in flags
    assert not any(code == "UNKNOWN_FIELD_KEPT" and field == "county" for field, code in flags)  # a DwC term
    rec = _one(store)
    assert json.loads(rec["extraTerms"]) == {"county": "Nan", "obs/speciez": "typo"}
