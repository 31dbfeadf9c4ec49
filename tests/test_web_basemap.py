"""The interactive map's base: the land of every country in view (not a rectangle cut out of the region) and
country names in the page's language, checked in headless Chromium with the outside network closed."""
import io

import numpy as np
import pytest
from fastapi.testclient import TestClient

from occurrences.api import create_app
from occurrences.demo import demo_records
from occurrences.maps.basemap import DISPLAY_BBOX
from occurrences.settings import Settings
from occurrences.store import open_store

from .support import browser_page, live_server, needs_chromium

LAND_GREY, SEA = np.array([0xe3, 0xe3, 0xe3]), np.array([0xcf, 0xe3, 0xef])


@pytest.fixture(scope="module")
def db_url(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('basemap') / 'basemap.db'}"
    store = open_store(url)
    store.add_many(demo_records(100), submitted_by="demo", status="accepted")
    store.close()
    return url


def test_country_names_in_the_request_language(db_url):
    with TestClient(create_app(Settings(db=db_url))) as client:
        th = client.get("/maps/countries.geojson", params={"lang": "th"}).json()
        lo = client.get("/maps/countries.geojson", headers={"Accept-Language": "lo"}).json()
    names = {f["properties"]["iso"]: f["properties"]["name"] for f in th["features"]}
    assert names["TH"] == "ไทย" and names["IN"] == "อินเดีย" and names["CN"] == "จีน" and names["BD"] == "บังกลาเทศ"
    assert {f["properties"]["iso"]: f["properties"]["name"] for f in lo["features"]}["LA"] == "ລາວ"
    assert th["bbox"] == list(DISPLAY_BBOX)
    for f in th["features"]:
        lon, lat = f["geometry"]["coordinates"]
        assert DISPLAY_BBOX[0] <= lon <= DISPLAY_BBOX[2] and DISPLAY_BBOX[1] <= lat <= DISPLAY_BBOX[3]


@pytest.mark.browser
@needs_chromium()
def test_the_map_draws_neighbouring_land_and_names_countries_in_the_page_language(db_url):
    from PIL import Image

    with live_server(db_url) as base, browser_page(block_outside=True) as page:
        page.set_viewport_size({"width": 1366, "height": 900})
        page.goto(f"{base}/species/Paguma%20larvata?lang=th")
        page.wait_for_selector("#map[data-ready=true]", timeout=30_000)
        page.wait_for_selector(".country-label[data-iso=IN]", state="attached", timeout=15_000)
        labels = page.eval_on_selector_all(".country-label", "els => els.map(e => [e.dataset.iso, e.textContent])")
        assert {"TH": "ไทย", "MM": "เมียนมา (พม่า)", "CN": "จีน"}.items() <= dict(labels).items()
        # Zoomed out as far as the map allows: West Bengal, Bangladesh and southern China are land.
        page.evaluate("() => occMap.jumpTo({center: [101, 18], zoom: 0})")
        page.wait_for_function("() => occMap.loaded() && occMap.areTilesLoaded()", timeout=30_000)
        west, _, east, _ = page.evaluate("() => occMap.getBounds().toArray().flat()")
        assert west >= DISPLAY_BBOX[0] - 0.5 and east <= DISPLAY_BBOX[2] + 0.5  # never past the drawn extent
        shot = np.asarray(Image.open(io.BytesIO(page.locator("#map canvas").screenshot())).convert("RGB")).astype(int)
        ratio = shot.shape[1] / page.evaluate("() => occMap.getCanvas().clientWidth")

        def colour(lon, lat):
            x, y = page.evaluate("([lon, lat]) => { const p = occMap.project([lon, lat]); return [p.x, p.y]; }",
                                 [lon, lat])
            return shot[int(y * ratio), int(x * ratio)]

        # West Bengal, Bangladesh, Guangdong, southern India
        for lon, lat in [(87.5, 23.5), (90.2, 23.2), (113.5, 24.5), (78.0, 15.0)]:
            assert np.abs(colour(lon, lat) - LAND_GREY).sum() < 12, (lon, lat, colour(lon, lat))
        assert np.abs(colour(89.5, 15.0) - SEA).sum() < 12  # Bay of Bengal
        assert page.outside_requests == []
