"""/surveys pages and their JSON: the stations as the reader may see them (sensitive ones generalised, their
media links withheld), in the reader's language, map assets served by the app (offline)."""
from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from occurrences.api import create_app
from occurrences.camtrap.read import read_camtrap_dp
from occurrences.camtrap.store import save_survey
from occurrences.settings import Settings
from occurrences.store import open_store
from tests.camtrap_fixtures import STATIONS, build_package

SENSITIVE_STATION = "00a2c20d"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("surveys")

    def edit(t):
        first = next(o for o in t["observations"] if o["deploymentID"] == SENSITIVE_STATION
                     and o["observationLevel"] == "event" and o["observationType"] == "animal")
        first["scientificName"] = "Arctictis binturong"
    url = f"sqlite:///{tmp / 'db.sqlite'}"
    store = open_store(url)
    save_survey(store, read_camtrap_dp(build_package(tmp / "pkg", edit=edit)), source="pkg", submitted_by="alice",
                access="full", status="accepted")
    store.close()
    with TestClient(create_app(Settings(db=url))) as c:
        yield c


def test_survey_list_json_and_html(client):
    data = client.get("/surveys", params={"f": "json"}).json()
    [survey] = data["surveys"]
    assert (survey["id"], survey["deployments"], survey["detections"]) == ("khao-yai-2020", 4, 19)
    page = client.get("/surveys", params={"lang": "th"}, headers={"accept": "text/html"})
    assert page.status_code == 200
    assert "/surveys/khao-yai-2020" in page.text and 'id="survey-map"' in page.text
    assert "/static/survey-map.js" in page.text and "/vendor/maplibre-gl.js" in page.text
    assert not re.search(r'(src|href)="(https?:)?//(?!testserver/)', page.text)  # no CDN: every asset from the app itself


def test_survey_page_shows_deployments_with_effort_and_detections(client):
    detail = client.get("/surveys/khao-yai-2020", params={"f": "json"}).json()
    by_id = {d["deploymentID"]: d for d in detail["deployments"]}
    assert sum(d["detections"] for d in by_id.values()) == 19
    assert by_id["29b7d356"]["cameraDays"] > 0 and by_id["29b7d356"]["countryCode"] == "TH"
    page = client.get("/surveys/khao-yai-2020", headers={"accept": "text/html"})
    assert page.status_code == 200 and "29b7d356" in page.text


def test_the_public_never_gets_the_sensitive_station(client):
    lat, lon = STATIONS[SENSITIVE_STATION]
    texts = [client.get("/surveys", params={"f": "json"}).text,
             client.get("/surveys/khao-yai-2020", params={"f": "json"}).text,
             client.get("/surveys", headers={"accept": "text/html"}).text,
             client.get("/surveys/khao-yai-2020", headers={"accept": "text/html"}).text]
    for text in texts:
        assert str(lat) not in text and str(lon) not in text
        assert "B_HS_val 2_processiepark" not in text
    detail = client.get("/surveys/khao-yai-2020", params={"f": "json"}).json()
    station = next(d for d in detail["deployments"] if d["deploymentID"] == SENSITIVE_STATION)
    assert (station["latitude"], station["longitude"]) == (14.45, 101.35)


def test_an_unknown_survey_is_404(client):
    r = client.get("/surveys/nope", params={"f": "json"})
    assert r.status_code == 404 and r.json()["code"] == "survey-not-found"
