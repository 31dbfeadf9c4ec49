"""The search and record pages: server-rendered in six languages, checked over HTTP and in headless Chromium
(with every request outside 127.0.0.1 blocked, proving no CDN is needed)."""
import re

import pytest
from fastapi.testclient import TestClient

from occurrences.api import create_app
from occurrences.demo import demo_records
from occurrences.i18n import LANGUAGES
from occurrences.settings import Settings
from occurrences.store import Filters, open_store

from .support import browser_page, live_server, needs_chromium


@pytest.fixture(scope="module")
def db_url(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('web') / 'web.db'}"
    store = open_store(url)
    store.add_many(demo_records(400), submitted_by="demo", status="accepted")
    store.close()
    return url


@pytest.fixture(scope="module")
def client(db_url):
    with TestClient(create_app(Settings(db=db_url))) as c:
        yield c


def count_on(html: str) -> int:
    return int(re.search(r'id="result-count">[^<]*<strong>(\d+)</strong>', html).group(1))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_search_page_in_each_language(client, lang):
    r = client.get("/search", params={"lang": lang, "countryCode": "TH"})
    assert r.status_code == 200 and f'<html lang="{lang}">' in r.text
    assert count_on(r.text) == 80
    assert 'data-facet="scientificName"' in r.text and "/species/" in r.text
    for name in ("scientificName", "countryCode", "stateProvince", "dateFrom", "dateTo", "basisOfRecord", "issue"):
        assert f'name="{name}"' in r.text


def test_search_filters_match_the_api(client, db_url):
    params = {"countryCode": "VN", "basisOfRecord": "HumanObservation", "dateFrom": "2010-01-01",
              "dateTo": "2020-12-31", "scientificName": "Paguma larvata"}
    html = client.get("/search", params=params).text
    store = open_store(db_url)
    try:
        expected = store.count(Filters(countryCode=["VN"], basisOfRecord=["HumanObservation"],
                                       eventDate=("2010-01-01", "2020-12-31"), scientificName=["Paguma larvata"]))
    finally:
        store.close()
    assert count_on(html) == expected and expected > 0
    assert html.count('href="/records/') == expected


def test_bad_input_is_explained_on_the_page(client):
    r = client.get("/search", params={"dateFrom": "2020-05-01", "dateTo": "2019-01-01"})
    assert r.status_code == 400 and 'role="alert"' in r.text and "eventDate" in r.text


def test_record_page_and_not_found(client, db_url):
    store = open_store(db_url)
    record = store.query(Filters(limit=1)).records[0]
    store.close()
    r = client.get(f"/records/{record['occurrenceID']}", params={"lang": "vi"})
    assert r.status_code == 200 and record["occurrenceID"] in r.text and record["scientificName"] in r.text
    assert f'/species/{record["scientificName"].replace(" ", "%20")}' in r.text
    assert client.get("/records/no-such-record").status_code == 404


@needs_chromium()
@pytest.mark.browser
def test_search_in_headless_chromium(db_url):
    with live_server(db_url) as base, browser_page() as page:
        page.goto(f"{base}/search?lang=th")
        assert page.locator("html").get_attribute("lang") == "th"
        page.select_option("#countryCode", "LA")
        page.select_option("#basisOfRecord", "MachineObservation")
        page.click("form.search button[type=submit]")
        page.wait_for_url(re.compile(r"countryCode=LA"))
        shown = int(page.locator("#result-count strong").inner_text())
        rows = page.locator("#results tbody tr")
        assert shown > 0 and rows.count() == shown
        facet = page.locator('[data-facet="countryCode"] li')
        assert facet.count() == 1 and facet.locator(".n").inner_text() == str(shown)
        page.locator("#results tbody tr a[href^='/species/']").first.get_attribute("href")
        page.locator("#results tbody tr a[href^='/records/']").first.click()
        page.wait_for_url(re.compile(r"/records/"))
        assert page.locator("table.record").count() == 1
        # the value in the reader's language (the form's Thai label), never the Darwin Core code
        assert page.locator("tr[data-term=basisOfRecord] td").inner_text() == "กล้องดักถ่ายหรืออุปกรณ์อื่น"
        assert "MachineObservation" not in page.locator("main").inner_text()
        assert page.outside_requests == []
