"""Camtrap DP 1.0 in: the official example reads; a package becomes a stored survey and occurrence records of
checklist species, on both stores, all or nothing; sensitive stations are generalised like records."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from occurrences.camtrap.effort import camera_days
from occurrences.camtrap.read import is_camtrap_package, read_camtrap_dp
from occurrences.camtrap.store import SurveyExists, list_surveys, load_survey, load_surveys, save_survey
from occurrences.errors import ImportRejected
from occurrences.store.filters import Filters
from tests.camtrap_fixtures import EXAMPLE, STATIONS, build_package, need_example, zip_package


def _save(store, folder, **kw):
    return save_survey(store, read_camtrap_dp(folder), source=folder.name, submitted_by="alice",
                       access="full", status="accepted", **kw)


def test_the_official_example_reads_with_every_table_typed():
    need_example()
    package = read_camtrap_dp(EXAMPLE)
    assert (len(package.deployments), len(package.media), len(package.observations)) == (4, 423, 549)
    assert str(package.deployments["deploymentStart"].dt.tz) == "UTC"
    assert package.deployments["timezoneOffset"].tolist() == ["+02:00", "+02:00", "+02:00", "+01:00"]
    assert package.observations["count"].dtype == "Int64"
    assert package.metadata["profile"].endswith("/1.0/camtrap-dp-profile.json")
    assert "resources" not in package.metadata


def test_zip_and_folder_are_recognised_and_other_files_are_not(tmp_path):
    folder = build_package(tmp_path / "pkg")
    assert is_camtrap_package(folder)
    assert is_camtrap_package(zip_package(folder, tmp_path / "a.zip"))
    assert is_camtrap_package(zip_package(folder, tmp_path / "b.zip", inside="survey/"))
    (tmp_path / "x.csv").write_text("a,b\n1,2\n")
    assert not is_camtrap_package(tmp_path / "x.csv")
    other = tmp_path / "dp"
    other.mkdir()
    (other / "datapackage.json").write_text(json.dumps({"profile": "tabular-data-package", "resources": []}))
    assert not is_camtrap_package(other)


def test_a_survey_is_stored_with_records_of_checklist_species(store, tmp_path):
    folder = build_package(tmp_path / "pkg")
    package = read_camtrap_dp(folder)
    result = _save(store, folder)
    # event-level animal observations of checklist species only (the example has 29 animal events, of
    # which the mapped species make 19; the others are birds and rodents not in our checklist)
    assert result.stored == result.records == 19
    assert store.count(Filters(access="full")) == 19
    record = store.get("khao-yai-2020:705e6036", access="full")
    assert record["basisOfRecord"] == "MachineObservation"
    assert record["scientificName"] == "Paguma larvata"
    assert (record["decimalLatitude"], record["decimalLongitude"]) == STATIONS["00a2c20d"]
    assert record["coordinateUncertaintyInMeters"] == 187
    assert record["verbatimEventDate"] == "2020-05-30T09:57:37+07:00/2020-05-30T09:57:44+07:00"
    assert record["eventDate"].startswith("2020-05-30")
    assert (record["individualCount"], record["sex"], record["lifeStage"]) == (1, "female", "adult")
    extra = json.loads(record["extraTerms"])
    assert extra["eventID"] == "00a2c20d" and extra["behavior"] == "foraging"
    assert extra["associatedMedia"].startswith("https://multimedia.agouti.eu/assets/07840dcc")
    # survey data: every observation kept (humans, vehicles, blanks, other taxa), effort per deployment
    stored = load_survey(store, "khao-yai-2020", access="full")
    assert len(stored.observations) == 549 and len(stored.media) == 423
    assert set(stored.observations["observationType"]) >= {"human", "vehicle", "blank"}
    assert stored.observations["occurrenceID"].notna().sum() == 19
    expected = camera_days(package.deployments, package.malfunctions)
    got = stored.deployments.set_index("deploymentID")["cameraDays"]
    assert got.round(6).to_dict() == expected.round(6).to_dict()
    assert set(stored.deployments["countryCode"]) == {"TH"}
    [summary] = list_surveys(store, access="public")
    assert (summary["deployments"], summary["detections"]) == (4, 19)


def test_malfunctions_reduce_camera_days(store, tmp_path):
    def edit(t):
        t["deployments"][0]["deploymentTags"] = ("position:above stream | malfunction:2020-06-01T00:00:00+07:00/"
                                                 "2020-06-03T00:00:00+07:00")
    folder = build_package(tmp_path / "pkg", edit=edit)
    _save(store, folder)
    clean = read_camtrap_dp(build_package(tmp_path / "clean"))
    days = load_survey(store, "khao-yai-2020", access="full").deployments.set_index("deploymentID")["cameraDays"]
    assert days["00a2c20d"] == pytest.approx(camera_days(clean.deployments)["00a2c20d"] - 2)
    assert len(load_surveys(store, access="full").malfunctions) == 1


def test_a_rejected_record_stores_nothing_and_names_its_observation_row(store, tmp_path):
    def edit(t):
        t["deployments"][0]["latitude"] = t["deployments"][0]["longitude"] = "0"
    folder = build_package(tmp_path / "pkg", edit=edit)
    with pytest.raises(ImportRejected) as caught:
        _save(store, folder)
    assert store.count(Filters(access="full")) == 0
    assert list_surveys(store, access="full") == []
    rows = {r.row for r in caught.value.report.rows if r.has_errors}
    assert 2 in rows  # observations.csv row 2: the first observation, at the zeroed station
    assert "observations.csv" in caught.value.report.source


def test_survey_rows_and_records_commit_together(store):
    """The store hook save_survey relies on: a failure while writing the survey's rows undoes the records."""
    def fail(conn):
        raise RuntimeError("survey rows could not be written")

    record = {"occurrenceID": "x1", "basisOfRecord": "MachineObservation", "scientificName": "Paguma larvata",
              "eventDate": "2020-01-01", "decimalLatitude": 14.4, "decimalLongitude": 101.4}
    with pytest.raises(RuntimeError):
        store.add_many([record], submitted_by="alice", status="accepted", also=fail)
    assert store.count(Filters(access="full")) == 0
    written = []
    store.add_many([record], submitted_by="alice", status="accepted", also=written.append)
    assert len(written) == 1 and store.count(Filters(access="full")) == 1


def test_the_same_survey_twice_is_refused(store, tmp_path):
    folder = build_package(tmp_path / "pkg")
    _save(store, folder)
    with pytest.raises(SurveyExists):
        _save(store, folder)
    assert store.count(Filters(access="full")) == 19


def test_a_package_without_id_gets_one_and_keeps_it(store, tmp_path):
    def renamed(t):
        t["datapackage"]["name"] = "another-survey"
    first = _save(store, build_package(tmp_path / "a", package_id=None))
    second = _save(store, build_package(tmp_path / "b", package_id=None, edit=renamed))
    assert first.survey_id != second.survey_id
    with pytest.raises(SurveyExists):  # the same package again: same derived id
        _save(store, build_package(tmp_path / "c", package_id=None))
    assert len(list_surveys(store, access="full")) == 2
    assert set(load_surveys(store, access="full").deployments["surveyID"]) == {first.survey_id, second.survey_id}


def test_dry_run_stores_nothing(store, tmp_path):
    result = _save(store, build_package(tmp_path / "pkg"), dry_run=True)
    assert result.records == 19
    assert store.count(Filters(access="full")) == 0 and list_surveys(store, access="full") == []


def test_migration_carries_surveys_to_postgis_and_back(tmp_path, postgis_url):
    from occurrences.migrate import migrate
    from occurrences.store import open_store

    source = f"sqlite:///{tmp_path / 'a.db'}"
    store = open_store(source)
    _save(store, build_package(tmp_path / "pkg"))
    before = load_surveys(store, access="full")
    store.close()
    result = migrate(source, postgis_url)
    assert result.tables["camtrap_observation"] == 549 and result.tables["deployment"] == 4
    back = f"sqlite:///{tmp_path / 'b.db'}"
    migrate(postgis_url, back)
    again = open_store(back)
    after = load_surveys(again, access="full")
    again.close()
    assert after.deployments.equals(before.deployments)
    assert after.observations.equals(before.observations)
