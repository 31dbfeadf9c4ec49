"""Detection rates out of the store: ``occurrences effort``, ``GET /effort`` and the species page's camera-trap
section (stations coloured by rate, non-detections as such), as each reader may see them."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from occurrences.api import create_app
from occurrences.camtrap.read import read_camtrap_dp
from occurrences.camtrap.store import save_survey
from occurrences.cli import cli
from occurrences.settings import Settings
from tests.camtrap_fixtures import STATIONS, build_package

SENSITIVE, STATION = "Arctictis binturong", "00a2c20d"
HTML = {"accept": "text/html,*/*"}


@pytest.fixture
def surveyed(store, store_url, tmp_path):
    def edit(t):
        first = next(o for o in t["observations"] if o["deploymentID"] == STATION and o["observationLevel"] == "event"
                     and o["observationType"] == "animal")
        first["scientificName"] = SENSITIVE
        t["datapackage"]["taxonomic"] = [{"scientificName": n} for n in
                                         ("Paguma larvata", "Martes flavigula", SENSITIVE, "Prionodon pardicolor")]
    folder = build_package(tmp_path / "pkg", edit=edit)
    save_survey(store, read_camtrap_dp(folder), source="pkg", submitted_by="alice", access="full", status="accepted")
    return store_url, folder


def test_effort_cli_on_the_store_and_on_the_package_agree(surveyed):
    url, folder = surveyed
    runner = CliRunner()
    stored = runner.invoke(cli, ["effort", "--db", url, "--species", "Paguma larvata", "--format", "json"])
    assert stored.exit_code == 0, stored.output
    direct = runner.invoke(cli, ["effort", str(folder), "--species", "Paguma larvata", "--format", "json"])
    assert direct.exit_code == 0, direct.output
    a, b = json.loads(stored.output), json.loads(direct.output)
    assert [(r["deploymentID"], r["detections"], r["ratePer100CameraDays"]) for r in a] == \
        [(r["deploymentID"], r["detections"], r["ratePer100CameraDays"]) for r in b]
    assert sum(r["detections"] for r in a) > 0
    by_country = json.loads(runner.invoke(cli, ["effort", "--db", url, "--by", "country", "--format",
                                                "json"]).output)
    assert {r["countryCode"] for r in by_country} == {"TH"}
    # declared in scope, never detected: a non-detection at every station with effort, not a record
    absent = json.loads(runner.invoke(
        cli, ["effort", "--db", url, "--species", "Prionodon pardicolor", "--format", "json"]).output)
    assert len(absent) == 4 and not any(r["detected"] for r in absent) and all(r["detections"] == 0 for r in absent)
    csv = runner.invoke(cli, ["effort", "--db", url, "--by", "survey", "--format", "csv"]).output
    assert csv.splitlines()[0] == "surveyID,scientificName,detections,cameraDays,ratePer100CameraDays,detected"


def test_effort_route_and_its_parameters(surveyed, store_url):
    url, _ = surveyed
    with TestClient(create_app(Settings(db=url))) as c:
        body = c.get("/effort", params={"by": "survey", "threshold": 60}).json()
        assert body["by"] == "survey" and body["thresholdMinutes"] == 60
        paguma = [r for r in body["rates"] if r["scientificName"] == "Paguma larvata"]
        assert paguma and paguma[0]["ratePer100CameraDays"] > 0
        assert c.get("/effort", params={"by": "planet"}).status_code in (400, 422)
        assert "/effort" in c.get("/openapi.json").json()["paths"]


def test_species_page_shows_rates_and_non_detections_with_generalised_stations(surveyed):
    url, _ = surveyed
    with TestClient(create_app(Settings(db=url))) as c:
        page = c.get("/species/Paguma%20larvata", params={"lang": "th"}, headers=HTML).text
        assert 'id="camera-traps"' in page and 'id="survey-stations"' in page
        absent = c.get("/species/Prionodon%20pardicolor", headers=HTML).text
        assert 'id="camera-traps"' in absent and "not-detected" in absent and 'class="detected"' not in absent
        none = c.get("/species/Mustela%20kathiah", headers=HTML).text
        assert 'id="camera-traps"' not in none  # no survey looked for it or saw it
        sensitive = c.get("/species/Arctictis%20binturong", headers=HTML).text
        lat, lon = STATIONS[STATION]
        assert 'id="camera-traps"' in sensitive
        for text in (sensitive, c.get("/effort", params={"species": SENSITIVE}).text, page):
            assert str(lat) not in text and str(lon) not in text  # the station only in its cell


def test_one_species_from_the_store_counts_the_levels_as_all_species_do(store, store_url, tmp_path):
    """A deployment with event-level observations is counted at that level for every species, also when one
    species is asked for: a media-level row of a species no event names stays out, as in the package."""
    media_only = "Prionodon pardicolor"

    def edit(t):
        row = next(o for o in t["observations"] if o["deploymentID"] == STATION and o["observationLevel"] == "media"
                   and o["observationType"] == "animal")
        row["scientificName"] = media_only
    folder = build_package(tmp_path / "pkg", edit=edit)
    save_survey(store, read_camtrap_dp(folder), source="pkg", submitted_by="alice", access="full", status="accepted")
    runner = CliRunner()

    def rows(*args):
        result = runner.invoke(cli, ["effort", *args, "--format", "json"])
        assert result.exit_code == 0, result.output
        return [(r["deploymentID"], r["scientificName"], r["detections"]) for r in json.loads(result.output)]
    one = rows("--db", store_url, "--species", media_only)
    assert one == rows(str(folder), "--species", media_only)
    assert one == [r for r in rows("--db", store_url) if r[1] == media_only]
    assert (STATION, media_only, 1) not in one


def test_species_summary_counts_the_effort_of_whole_surveys_as_by_survey_does(store, store_url, tmp_path):
    """Without a declared scope only the stations that detected the species are listed, but the page's overall
    rate divides by every camera-day of the survey, as ``--by survey`` does: not by the lucky stations' alone."""
    from occurrences.camtrap.views import species_effort, store_effort

    def edit(t):
        t["datapackage"].pop("taxonomic", None)
    save_survey(store, read_camtrap_dp(build_package(tmp_path / "pkg", edit=edit)), source="pkg",
                submitted_by="alice", access="full", status="accepted")
    name = "Herpestes javanicus"  # the example's grey heron: seen at one station of four
    section = species_effort(store, name, access="public")
    assert len(section["stations"]) < 4 and all(s["detected"] for s in section["stations"])
    (survey,) = store_effort(store, access="public", by="survey", species=name)
    assert (section["detections"], section["cameraDays"], section["ratePer100CameraDays"]) == \
        (survey["detections"], round(survey["cameraDays"], 2), survey["ratePer100CameraDays"])
    assert section["cameraDays"] > sum(s["cameraDays"] for s in section["stations"])
