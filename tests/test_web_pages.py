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
from occurrences.web.labels import FLAG_LABELS

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
CHOICE_VALUES = {c.value for term in ("sex", "lifeStage") for c in load_form().field(term).choices}


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
