"""Offline, proven: in headless Chromium with every request that does not go to 127.0.0.1 aborted, every page,
the species map and the API docs render, and text in each of the region's scripts is drawn with the Noto fonts
the app serves itself (@font-face), not with whatever the machine has installed."""
import pytest
from fastapi.testclient import TestClient

from occurrences.api import create_app
from occurrences.demo import demo_records
from occurrences.fonts import FAMILIES, font_files
from occurrences.settings import Settings
from occurrences.store import open_store

from .support import browser_page, live_server, needs_chromium

RECORD = {"occurrenceID": "offline-1", "basisOfRecord": "HumanObservation", "scientificName": "Paguma larvata",
          "eventDate": "2019-03-02", "decimalLatitude": 15.2, "decimalLongitude": 101.9, "countryCode": "TH"}
PAGES = ["/", "/search", "/species", "/species/Paguma%20larvata", "/records/offline-1", "/submit", "/upload",
         "/signin", "/review", "/ogc", "/ogc/collections", "/ogc/collections/occurrences/items?limit=5"]
SCRIPT_FONT = {"th": "Noto Sans Thai", "km": "Noto Sans Khmer", "lo": "Noto Sans Lao", "my": "Noto Sans Myanmar",
               "vi": "Noto Sans", "en": "Noto Sans"}


@pytest.fixture(scope="module")
def db_url(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('offline') / 'offline.db'}"
    store = open_store(url)
    store.add_many(demo_records(200) + [RECORD], submitted_by="demo", status="accepted")
    store.close()
    return url


@pytest.fixture(scope="module")
def base(db_url):
    with live_server(db_url) as url:
        yield url


def test_fonts_and_docs_assets_are_served_by_the_app(db_url):
    with TestClient(create_app(Settings(db=db_url))) as client:
        css = client.get("/static/fonts/fonts.css").text
        fonts = [client.get(f"/static/fonts/{path.name}") for path in font_files()]
        docs = client.get("/docs").text
        js = client.get("/static/docs/swagger-ui-bundle.js")
        page = client.get("/?lang=th").text
    for family in FAMILIES:
        assert f'font-family: "{family}"' in css
    assert all(r.status_code == 200 and r.content[:4] == b"\x00\x01\x00\x00" for r in fonts)  # TrueType
    assert "/static/fonts/fonts.css" in page
    assert "/static/docs/swagger-ui-bundle.js" in docs and "/static/docs/swagger-ui.css" in docs
    assert "cdn" not in docs.lower()
    assert js.status_code == 200 and len(js.content) > 100_000


def _watch(page):
    problems = []
    page.on("pageerror", lambda exc: problems.append(f"script error: {exc}"))
    # ERR_ABORTED: a request the page still had open when the test moved on to the next page; not a failure.
    page.on("requestfailed", lambda r: r.failure != "net::ERR_ABORTED" and problems.append(f"{r.failure}: {r.url}"))
    page.on("response", lambda r: r.status >= 400 and problems.append(f"{r.status}: {r.url}"))
    return problems


@pytest.mark.browser
@needs_chromium()
def test_every_page_the_map_and_the_docs_render_offline(base):
    with browser_page(block_outside=True) as page:
        problems = _watch(page)
        for path in PAGES:
            for lang in ("en", "th"):
                response = page.goto(f"{base}{path}{'&' if '?' in path else '?'}lang={lang}")
                assert response.status == 200, path
                page.wait_for_load_state("networkidle")
                assert page.locator("h1").first.inner_text().strip(), f"{path}: no heading"
        page.goto(f"{base}/species/Paguma%20larvata?lang=km")
        page.wait_for_selector("#map[data-ready=true]", timeout=30_000)
        page.goto(f"{base}/docs")
        page.wait_for_selector(".swagger-ui .opblock", timeout=30_000)
        assert page.locator(".swagger-ui .opblock").count() > 10
        assert page.outside_requests == [] and problems == []


def _fonts_drawing(page, selector: str) -> list[dict]:
    """The fonts Chromium actually used for the text of ``selector`` (DevTools: CSS.getPlatformFontsForNode)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    return cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]


@pytest.mark.browser
@needs_chromium()
def test_text_in_every_script_is_drawn_with_the_served_fonts(base):
    with browser_page(block_outside=True) as page:
        for lang, family in SCRIPT_FONT.items():
            page.goto(f"{base}/?lang={lang}")
            loaded = page.evaluate("async () => { await document.fonts.ready; return [...document.fonts]"
                                   ".filter(f => f.status === 'loaded').map(f => f.family.replace(/\"/g, '')); }")
            assert family in loaded, (lang, loaded)
            used = _fonts_drawing(page, "header.site .brand")
            assert used and all(font["isCustomFont"] for font in used), (lang, used)  # no system font fallback
            assert family in {font["familyName"] for font in used}, (lang, used)
        assert page.outside_requests == []
