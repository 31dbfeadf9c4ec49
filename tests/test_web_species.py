"""Species pages: names in six languages, counts, range figures, exports; and the interactive map in headless
Chromium with the outside network closed (it draws, and a click on a known point shows its record)."""
import io
import urllib.parse

import numpy as np
import pytest
from fastapi.testclient import TestClient

from occurrences.api import create_app
from occurrences.demo import demo_records
from occurrences.settings import Settings
from occurrences.store import open_store

from .support import browser_page, live_server, needs_chromium

KNOWN = {"occurrenceID": "known-point-1", "basisOfRecord": "PreservedSpecimen", "scientificName": "Paguma larvata",
         "eventDate": "2012-07-21", "decimalLatitude": 14.5, "decimalLongitude": 101.5, "countryCode": "TH",
         "locality": "Known test locality", "recordedBy": "Test Recorder"}


@pytest.fixture(scope="module")
def db_url(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('species') / 'species.db'}"
    store = open_store(url)
    store.add_many(demo_records(400) + [KNOWN], submitted_by="demo", status="accepted")
    store.close()
    return url


@pytest.fixture(scope="module")
def client(db_url):
    with TestClient(create_app(Settings(db=db_url))) as c:
        yield c


@pytest.mark.parametrize("name", ["Paguma larvata", "paguma  LARVATA", "Masked palm civet", "อีเห็นเครือ", "Cầy vòi mốc"])
def test_species_page_by_any_name(client, name):
    r = client.get(f"/species/{urllib.parse.quote(name)}", params={"lang": "th"})
    assert r.status_code == 200, r.text
    html = r.text
    assert "<i>Paguma larvata</i>" in html
    assert "อีเห็นเครือ" in html and "Cầy vòi mốc" in html and "Masked palm civet" in html  # several languages
    assert 'id="iucn">กังวลน้อยที่สุด (LC)<' in html  # the category's Thai name, with IUCN's code
    assert 'id="by-country"' in html and 'id="by-year"' in html and "2012" in html
    assert "/exports?format=csv&amp;scientificName=Paguma+larvata" in html
    assert "/exports?format=gpkg&amp;scientificName=Paguma+larvata" in html
    assert 'id="range"' in html and "km²" in html
    assert 'src="/vendor/maplibre-gl.js"' in html and "https://" not in html.split("</head>")[0]


def test_unknown_species_is_404(client):
    r = client.get("/species/Felis%20nonexistens")
    assert r.status_code == 404 and r.json()["code"] == "unknown-species"  # a program gets JSON


def test_unknown_species_is_a_page_for_a_browser(client):
    r = client.get("/species/Felis%20nonexistens", params={"lang": "vi"}, headers={"accept": "text/html,*/*"})
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert '<html lang="vi">' in r.text and 'data-code="unknown-species"' in r.text
    assert "Không tìm thấy" in r.text and 'href="/species?lang=vi"' in r.text


def test_species_list_in_the_request_language(client):
    html = client.get("/species", params={"lang": "th"}, headers={"accept": "text/html"}).text
    assert "อีเห็นเครือ" in html and 'href="/species/Paguma%20larvata?lang=th"' in html
    data = client.get("/species", params={"lang": "vi", "f": "json"}).json()
    paguma = next(e for e in data if e["scientificName"] == "Paguma larvata")
    assert paguma["vernacularName"] == "Cầy vòi mốc" and paguma["iucnCategory"] == "LC"


def test_assets_come_from_the_installed_package(client):
    js = client.get("/vendor/maplibre-gl.js")
    assert js.status_code == 200 and b"MapLibre GL JS" in js.content[:200]
    geo = client.get("/maps/boundaries.geojson").json()
    assert {f["properties"]["iso"] for f in geo["features"]} >= {"TH", "VN", "KH", "LA", "MM"}


@pytest.mark.browser
@needs_chromium()
def test_map_draws_offline_and_a_click_shows_the_record(db_url):
    from PIL import Image

    with live_server(db_url) as base, browser_page() as page:
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"{base}/species/Paguma%20larvata?lang=en")
        page.wait_for_selector("#map[data-ready=true]", timeout=30_000)
        shot = np.asarray(Image.open(io.BytesIO(page.locator("#map canvas").screenshot())).convert("RGB"))
        colours = {tuple(c) for c in shot.reshape(-1, 3)[::37]}
        assert len(colours) > 10, "the map canvas is blank"
        assert (np.abs(shot.astype(int) - [0xcf, 0xe3, 0xef]).sum(axis=2) < 10).mean() > 0.05  # sea drawn
        assert (np.abs(shot.astype(int) - [0xf2, 0xef, 0xe6]).sum(axis=2) < 10).mean() > 0.05  # land drawn

        page.evaluate("([lon, lat]) => { occMap.jumpTo({center: [lon, lat], zoom: 10}); }",
                      [KNOWN["decimalLongitude"], KNOWN["decimalLatitude"]])
        page.wait_for_function("() => occMap.loaded() && occMap.areTilesLoaded() && "
                               "occMap.queryRenderedFeatures({layers: ['points']}).length > 0", timeout=30_000)
        x, y = page.evaluate("([lon, lat]) => { const p = occMap.project([lon, lat]); return [p.x, p.y]; }",
                             [KNOWN["decimalLongitude"], KNOWN["decimalLatitude"]])
        box = page.locator("#map canvas").bounding_box()
        page.mouse.click(box["x"] + x, box["y"] + y)
        popup = page.wait_for_selector(".record-popup[data-id='known-point-1']", timeout=15_000)
        text = popup.inner_text()
        # date, country and kind of record in the page's language, not as stored (2012-07-21, TH)
        assert "Jul 21, 2012" in text and "Thailand" in text and "Known test locality" in text
        assert "Preserved specimen" in text
        assert page.outside_requests == [] and errors == []
