"""Camera-trap maps in a real browser (Chromium): the survey page and the species page's rate map draw their
stations offline, a non-detection as such, with no script error and no request leaving the machine."""
from __future__ import annotations

import pytest

from occurrences.camtrap.read import read_camtrap_dp
from occurrences.camtrap.store import save_survey
from occurrences.store import open_store

from .camtrap_fixtures import mini_package
from .support import browser_page, live_server, needs_chromium


@pytest.fixture(scope="module")
def db_url(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("camtrap-browser")
    url = f"sqlite:///{tmp / 'occ.db'}"
    store = open_store(url)
    save_survey(store, read_camtrap_dp(mini_package(tmp / "pkg", 15.25, 101.25, survey_id="ky-browser")),
                source="pkg", submitted_by="alice", access="full", status="accepted")
    store.close()
    return url


def stations_drawn(page) -> list[dict]:
    page.wait_for_function("() => window.occSurveyMap && occSurveyMap.loaded() && "
                           "occSurveyMap.queryRenderedFeatures({layers: ['stations']}).length > 0", timeout=30_000)
    return page.evaluate("() => occSurveyMap.queryRenderedFeatures({layers: ['stations']})"
                         ".map(f => f.properties)")


@pytest.mark.browser
@needs_chromium()
def test_survey_and_species_maps_draw_their_stations(db_url):
    with live_server(db_url) as base, browser_page() as page:
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"{base}/surveys/ky-browser?lang=th")
        assert len(stations_drawn(page)) == 2
        page.goto(f"{base}/species/Paguma%20larvata?lang=vi")
        drawn = stations_drawn(page)
        # dep-2 detected the civet; dep-1's survey looked for it and did not: a hollow non-detection
        assert sorted(p["detected"] for p in drawn) == [False, True]
        assert max(p["rate"] for p in drawn) > 0
        assert page.locator("#camera-stations tr.not-detected").count() == 1
        assert page.outside_requests == [] and errors == []
