"""Every page as its readers see it: in each of the six languages, values are shown by their labels (never a raw
Darwin Core code or an untranslated English message); on a 360 or 412 px phone nothing scrolls sideways; axe-core
finds no serious or critical accessibility problem; bad input gives a sensible page, never a stack trace.

The text checks run through the app in-process; the layout and axe checks in Debian's headless Chromium against a
real server with the outside network closed."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

from occurrences import review
from occurrences.api import create_app
from occurrences.auth import User, add_user
from occurrences.demo import demo_records
from occurrences.forms import load_form
from occurrences.i18n import LANGUAGES, catalog_path
from occurrences.records import BASIS_OF_RECORD
from occurrences.settings import Settings
from occurrences.store import open_store
from occurrences.web.labels import FLAG_LABELS, IUCN_LABELS

from .support import browser_page, live_server, needs_chromium

KNOWN = {"occurrenceID": "known-1", "basisOfRecord": "PreservedSpecimen", "scientificName": "Urva javanica",
         "vernacularName": "Javan mongoose", "eventDate": "2012-07-21", "decimalLatitude": 14.5,
         "decimalLongitude": 101.5, "countryCode": "TH", "locality": "Known test locality", "sex": "female",
         "lifeStage": "adult", "individualCount": 1594175, "issues": ["COORDINATE_PRECISION_LOW"]}
PENDING = {"occurrenceID": "pending-1", "basisOfRecord": "MachineObservation", "scientificName": "Paguma larvata",
           "eventDate": "2024-02-01", "decimalLatitude": 14.2, "decimalLongitude": -101.4, "countryCode": "TH",
           "issues": ["PRESUMED_NEGATED_LONGITUDE"]}
PAGES = ("/", "/search", "/search?countryCode=TH&basisOfRecord=PreservedSpecimen", "/species",
         "/species/Paguma%20larvata", "/species/Urva%20javanica", "/records/known-1", "/submit", "/upload",
         "/signin", "/review", "/ogc?f=html", "/ogc/collections?f=html",
         "/ogc/collections/occurrences/items?f=html&limit=20", "/ogc/collections/occurrences/items/known-1?f=html",
         "/species/Unknown", "/records/no-such-record")


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('pages') / 'pages.db'}"
    store = open_store(url)
    store.add_many(demo_records(300) + [KNOWN], submitted_by="demo", status="accepted")
    token = add_user(store, "rita", "reviewer")
    review.submit(store, [PENDING], User("alice", "submitter"))
    store.close()
    return url, token


@pytest.fixture(scope="module")
def client(seeded):
    with TestClient(create_app(Settings(db=seeded[0]))) as c:
        c.headers["authorization"] = f"Bearer {seeded[1]}"
        yield c


class VisibleText(HTMLParser):
    """Text a reader sees (text nodes, and placeholder/aria-label/title/alt), without scientific names in
    <i>, code samples, scripts and the language switcher (each language's name in its own script)."""
    SKIP = {"script", "style", "i", "code", "title"}
    ATTRIBUTES = ("placeholder", "aria-label", "title", "alt")

    def __init__(self):
        super().__init__()
        self.texts: list[str] = []
        self._skip: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in self.SKIP or "languages" in (attrs.get("class") or ""):
            self._skip.append(tag)
        elif self._skip and tag == self._skip[-1]:
            self._skip.append(tag)
        self.texts.extend(attrs[a] for a in self.ATTRIBUTES if attrs.get(a) and not self._skip)

    def handle_endtag(self, tag):
        if self._skip and tag == self._skip[-1]:
            self._skip.pop()

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.texts.append(data)


def visible_texts(html: str) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    return [" ".join(t.split()) for t in parser.texts]


def translated_msgids(lang: str) -> set[str]:
    """English messages of the catalog that have a translation different from themselves."""
    with catalog_path(lang).open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    return {m.id for m in catalog if isinstance(m.id, str) and m.string and m.string != m.id and len(m.id) > 2}


CODES = re.compile(r"\b(" + "|".join(sorted(set(BASIS_OF_RECORD) | set(FLAG_LABELS), key=len, reverse=True)) + r")\b")
# Codes that are ordinary words or letters elsewhere: raw only when a cell shows nothing else.
CHOICE_VALUES = {c.value for term in ("sex", "lifeStage") for c in load_form().field(term).choices} | set(IUCN_LABELS)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_page_shows_values_in_the_readers_language(client, lang):
    msgids = translated_msgids(lang) if lang != "en" else set()
    for path in PAGES:
        r = client.get(path, params={"lang": lang}, headers={"accept": "text/html"})
        assert r.status_code in (200, 404), (path, r.status_code)
        assert r.headers["content-type"].startswith("text/html"), path
        texts = visible_texts(r.text)
        raw = [t for t in texts if CODES.search(t) or t in CHOICE_VALUES]
        assert not raw, f"{path} ({lang}) shows Darwin Core codes: {raw[:5]}"
        untranslated = [t for t in texts if t.rstrip(":·. ").strip() in msgids]
        assert not untranslated, f"{path} ({lang}) shows English messages: {untranslated[:5]}"


def test_record_page_in_vietnamese(client):
    html = client.get("/records/known-1", params={"lang": "vi"}).text
    texts = visible_texts(html)
    assert "1.594.175" in texts  # Vietnamese digit grouping (Babel), not 1,594,175
    assert "21 thg 7, 2012" in texts  # the date in the locale's format, not 2012-07-21
    assert "Cầy lỏn" in html and "<i>Urva javanica</i>" in html  # the checklist's Vietnamese name, not "Javan mongoose"
    assert "Mẫu vật lưu giữ" in texts and "Cái" in texts  # basis of record and sex by the form's labels
    assert "Loại bản ghi" in texts  # field labels from the form definition
    assert "Thái Lan" in texts


def test_species_without_a_name_in_the_language_says_it_shows_the_english_one(client, monkeypatch):
    from occurrences.web import labels

    monkeypatch.setattr(labels, "_checklist_names", lambda name: {"en": "Masked palm civet"})
    html = client.get("/search", params={"lang": "km", "scientificName": "Paguma larvata"}).text
    assert "Masked palm civet" in html and 'class="fallback"' in html


# ---- in Chromium ---------------------------------------------------------------------------------------------

PHONE_WIDTHS = (360, 412)
TAPPABLE = ("header.site nav a, header.site .brand, button, select, input:not([type=hidden]):not([type=checkbox])"
            ":not([type=radio]), .tiles a, .button, .paging a, table.cards td a")
MEASURE = """(selector) => {
  const root = document.documentElement;
  const small = [...document.querySelectorAll(selector)].filter(e => e.offsetParent !== null)
    .map(e => [e.outerHTML.slice(0, 80), e.getBoundingClientRect().height])
    .filter(([, h]) => h < 43.5);
  return {scroll: root.scrollWidth, client: root.clientWidth, small: small.slice(0, 5)};
}"""


def signed_in_page(base, page, token):
    page.goto(f"{base}/signin")
    page.fill("#token", token)
    page.click("form.signin button[type=submit]")
    page.wait_for_load_state()


@pytest.mark.browser
@needs_chromium()
def test_no_page_scrolls_sideways_on_a_phone_and_taps_are_44px(seeded):
    url, token = seeded
    problems = []
    with live_server(url) as base, browser_page() as page:
        page.set_viewport_size({"width": PHONE_WIDTHS[0], "height": 780})
        signed_in_page(base, page, token)
        for lang in LANGUAGES:
            for path in PAGES:
                page.set_viewport_size({"width": PHONE_WIDTHS[0], "height": 780})
                page.goto(f"{base}{path}{'&' if '?' in path else '?'}lang={lang}")
                for width in PHONE_WIDTHS:
                    page.set_viewport_size({"width": width, "height": 780})
                    m = page.evaluate(MEASURE, TAPPABLE)
                    if m["scroll"] > m["client"]:
                        problems.append(f"{path} {lang} {width}px: scrollWidth {m['scroll']} > {m['client']}")
                    if m["small"]:
                        problems.append(f"{path} {lang} {width}px: tap targets under 44 px: {m['small']}")
        assert page.outside_requests == []
    assert not problems, "\n".join(problems[:20])


@pytest.mark.browser
@needs_chromium()
def test_axe_finds_no_serious_problem_on_any_page_in_any_language(seeded):
    from axe_playwright_python.sync_playwright import Axe

    url, token = seeded
    axe = Axe()
    problems = []
    with live_server(url) as base, browser_page() as page:
        signed_in_page(base, page, token)
        for lang in LANGUAGES:
            for path in PAGES:
                page.goto(f"{base}{path}{'&' if '?' in path else '?'}lang={lang}")
                violations = axe.run(page).response["violations"]
                for v in violations:
                    if v["impact"] in ("serious", "critical"):
                        problems.append(f"{path} {lang}: {v['id']} ({v['impact']}): "
                                        f"{[n['html'][:100] for n in v['nodes'][:3]]}")
        assert page.outside_requests == []
    assert not problems, "\n".join(problems[:30])


# ---- search on a map, downloads, bad input ----------------------------------------------------------------------

def test_downloads_export_exactly_the_current_filters(client, seeded):
    import csv
    import io
    import urllib.parse

    from occurrences.store import Filters

    html = client.get("/search", params={"countryCode": "TH", "basisOfRecord": "HumanObservation",
                                         "dateFrom": "2005-01-01", "limit": "5", "lang": "th"}).text
    links = dict(re.findall(r'href="(/exports\?[^"]+)" data-format="(\w+)"', html))
    links = {fmt: url.replace("&amp;", "&") for url, fmt in links.items()}
    assert {"gpkg", "csv", "dwca"} <= set(links)
    for url in links.values():  # every button: the filters, not the page (no limit or cursor)
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
        assert query["countryCode"] == ["TH"] and query["basisOfRecord"] == ["HumanObservation"]
        assert query["eventDate"] == ["2005-01-01,9999-12-31"] and "limit" not in query and "cursor" not in query
    store = open_store(seeded[0])
    expected = store.count(Filters(countryCode=["TH"], basisOfRecord=["HumanObservation"],
                                   eventDate=("2005-01-01", "9999-12-31")))
    store.close()
    rows = list(csv.DictReader(io.StringIO(client.get(links["csv"]).text)))
    assert len(rows) == expected > 5 and {r["countryCode"] for r in rows} == {"TH"}
    assert client.get(links["gpkg"]).content[:15] == b"SQLite format 3"


def test_a_species_name_with_html_is_shown_as_text(client):
    hostile = "<script>window.pwned=1</script><b>Paguma</b>"
    for path in (f"/species/{hostile}", "/search"):
        r = client.get(path, params={"scientificName": hostile, "lang": "th"}, headers={"accept": "text/html"})
        assert r.status_code in (200, 404) and r.headers["content-type"].startswith("text/html")
        assert "<script>window.pwned" not in r.text and "<b>Paguma" not in r.text
        assert "&lt;script&gt;window.pwned=1&lt;/script&gt;" in r.text


def test_a_ten_thousand_record_page_is_capped_and_says_so(client):
    r = client.get("/search", params={"limit": "10000", "lang": "vi"})
    assert r.status_code == 200 and 'id="page-capped"' in r.text
    assert 0 < r.text.count('class="record-link"') <= 500
    bad = client.get("/search", params={"limit": "lots"}, headers={"accept": "text/html"})
    assert bad.status_code == 400 and 'role="alert"' in bad.text and "Traceback" not in bad.text


@pytest.mark.parametrize("headers, params", [({"accept-language": "zz-ZZ,xx;q=0.5"}, {}), ({}, {"lang": "xx"}),
                                             ({}, {"lang": "<script>"})])
def test_an_unknown_language_gets_english(client, headers, params):
    client.cookies.clear()  # no language remembered from an earlier page
    r = client.get("/", params=params, headers={"accept": "text/html", **headers})
    assert r.status_code == 200 and '<html lang="en">' in r.text and "<script>" not in r.text


def test_a_species_with_no_records_has_a_page_and_maps(client):
    from occurrences.maps.species import checklist

    recorded = {"Paguma larvata", "Viverra zibetha", "Martes flavigula", "Paradoxurus hermaphroditus",
                "Prionodon pardicolor", "Arctonyx collaris", "Arctictis binturong", "Melogale personata",
                "Urva javanica"}
    empty = next(name for name in sorted(checklist().taxa) if name not in recorded)
    page = client.get(f"/species/{empty}", params={"lang": "lo"}, headers={"accept": "text/html"})
    assert page.status_code == 200 and "<h2 id=\"counts-h\">" in page.text
    png = client.get(f"/species/{empty}/map.png", params={"lang": "lo"})
    assert png.status_code == 200 and png.content[:4] == b"\x89PNG"
    tile = client.get("/tiles/4/12/7.mvt", params={"scientificName": empty})
    assert tile.status_code == 200


@pytest.mark.parametrize("z, x, y", [(0, 0, 0), (22, 3_000_000, 1_900_000)])
def test_tiles_at_zoom_0_and_22_answer_without_a_stack_trace(client, z, x, y):
    r = client.get(f"/tiles/{z}/{x}/{y}.mvt")
    assert r.status_code in (200, 400)
    if r.status_code == 400:  # beyond the deepest zoom: said so, in the API's error body
        assert r.json()["code"] == "invalid-parameter" and "18" in r.json()["message"]
    page = client.get(f"/tiles/{z}/{x}/{y}.mvt", headers={"accept": "text/html"})
    assert "Traceback" not in page.text


@pytest.mark.browser
@needs_chromium()
def test_search_shows_the_matching_records_on_the_offline_map(seeded):
    url, _token = seeded
    with live_server(url) as base, browser_page() as page:
        errors, tiles = [], []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("request", lambda req: tiles.append(req.url) if "/tiles/" in req.url else None)
        page.goto(f"{base}/search?countryCode=TH&basisOfRecord=PreservedSpecimen&lang=vi")
        page.wait_for_selector("#map[data-ready=true]", timeout=30_000)
        assert tiles and all("countryCode=TH" in t and "basisOfRecord=PreservedSpecimen" in t for t in tiles)
        assert all("limit=" not in t and "cursor=" not in t for t in tiles)
        for zoom in (4, 10):  # a legend for what is drawn: the colour scale for cells, record types for points
            page.evaluate("(z) => occMap.jumpTo({center: [101.5, 14.5], zoom: z})", zoom)
            page.wait_for_function("() => occMap.loaded() && occMap.areTilesLoaded()", timeout=30_000)
            page.wait_for_timeout(300)
            drawn = page.evaluate("() => ['grid', 'points'].map(l => occMap.queryRenderedFeatures({layers: [l]}).length > 0)")
            assert page.locator("#legend-density").is_visible() == drawn[0]
            assert page.locator("#legend-basis").is_visible() == drawn[1]
        assert drawn[1], "no point drawn at zoom 10 around the known record"
        assert page.locator("#legend-density li").count() == 5
        assert "Mẫu vật lưu giữ" in page.locator("#legend-basis").inner_text()
        for zoom in (0, 22):  # clamped by the map, never an error
            page.evaluate("(z) => occMap.jumpTo({zoom: z})", zoom)
            page.wait_for_function("() => occMap.loaded()", timeout=30_000)

        # The short "per country" table keeps its own row height beside the long "per year" one.
        page.set_viewport_size({"width": 1366, "height": 900})
        page.goto(f"{base}/species/Paguma%20larvata?lang=en")
        heights = page.evaluate("() => ['#by-country', '#by-year'].map(t => [document.querySelectorAll(t + ' tr').length,"
                                " document.querySelector(t + ' tr').getBoundingClientRect().height])")
        assert heights[0][0] < heights[1][0] and abs(heights[0][1] - heights[1][1]) < 2, heights
        assert errors == [] and page.outside_requests == []


def test_a_refused_form_post_from_a_browser_is_a_page(client):
    r = client.post("/review/pending-1/accept", params={"lang": "th"}, data={"csrf_token": "forged"},
                    headers={"accept": "text/html", "authorization": ""})
    assert 400 <= r.status_code < 500 and r.headers["content-type"].startswith("text/html")
    assert '<html lang="th">' in r.text and 'role="alert"' in r.text
    api = client.post("/review/pending-1/accept", data={"csrf_token": "forged"}, headers={"authorization": ""})
    assert api.headers["content-type"].startswith("application/json") and api.json()["code"]
