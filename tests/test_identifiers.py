"""Identifiers are data, not paths: an occurrenceID holding ``/``, ``%2F``, ``?``, ``#``, ``../`` or any script
is one path segment in every link, and each route reads it back whole (issue 14, item 5).

Links are resolved as a browser does (``urljoin`` removes dot segments), so a form whose action escapes its
segment (``/review/../review/EVIL-HIDDEN/accept``) would act on another record and fail here."""
from __future__ import annotations

import re
from html import unescape
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from fastapi.testclient import TestClient

from occurrences import review
from occurrences.api import create_app
from occurrences.api.paths import routing_path, segment
from occurrences.auth import User, add_user
from occurrences.errors import PathStepIdentifier
from occurrences.settings import Settings
from occurrences.store import open_store
from occurrences.store.access import FULL

from .support import browser_page, live_server, needs_chromium

VICTIM = "EVIL-HIDDEN"
HOSTILE_IDS = ["../review/EVIL-HIDDEN", "a%2Fb", "a/b", "a?b", "a#b", "a%b", "a b", "urn:catalog:KU:Mammals:12",
               "https://example.org/o/1?x=1#y", "ป่า/ထ:é", "..%2F..", "./x", "review", "EVIL-HIDDEN/accept"]
ALICE, RITA = User("alice", "submitter"), User("rita", "reviewer")
# Path prefix → which segment after it is the record's identifier.
ID_ROUTES = ("/records/", "/occurrences/", "/review/", "/ogc/collections/occurrences/items/")


def _record(oid: str) -> dict:
    return {"occurrenceID": oid, "basisOfRecord": "HumanObservation", "scientificName": "Paguma larvata",
            "eventDate": "2024-02-01", "decimalLatitude": 14.5, "decimalLongitude": 101.2, "countryCode": "TH"}


@pytest.fixture
def site(tmp_path):
    url = f"sqlite:///{tmp_path / 'ids.db'}"
    store = open_store(url)
    token = add_user(store, "rita", "reviewer")
    review.submit(store, [_record(oid) for oid in [VICTIM, *HOSTILE_IDS]], ALICE)
    client = TestClient(create_app(Settings(db=url), store=store), follow_redirects=False,
                        headers={"Authorization": f"Bearer {token}"})
    yield client, store
    store.close()


def record_id_of(page_url: str, href: str) -> str | None:
    """The identifier a link (resolved like a browser) points at, or None if it points at no record."""
    path = urlsplit(urljoin(page_url, unescape(href))).path
    for prefix in ID_ROUTES:
        if path.startswith(prefix) and len(path) > len(prefix):
            return unquote(path[len(prefix):].split("/")[0])
    return None


def links(text: str) -> list[str]:
    return re.findall(r'(?:href|action)="([^"]+)"', text)


def test_segment_encodes_every_separator():
    assert segment("../review/EVIL-HIDDEN") == "..%2Freview%2FEVIL-HIDDEN"
    assert segment("a?b#c%d e") == "a%3Fb%23c%25d%20e"
    assert routing_path("/o/a%2fb%252F%C3%A9%3F") == "/o/a%2Fb%252Fé?"


@pytest.mark.parametrize("oid", HOSTILE_IDS)
def test_every_route_reads_the_whole_identifier(site, oid):
    client, store = site
    review.accept(store, oid, RITA)  # record pages and OGC items show accepted records
    seg = segment(oid)
    feature = client.get(f"/occurrences/{seg}")
    assert feature.status_code == 200 and feature.json()["id"] == oid
    page = client.get(f"/records/{seg}")
    assert page.status_code == 200
    item = client.get(f"/ogc/collections/occurrences/items/{seg}?f=json")
    assert item.status_code == 200 and item.json()["id"] == oid
    self_link = next(link["href"] for link in item.json()["links"] if link["rel"] == "self")
    assert record_id_of(str(item.url), self_link) == oid
    assert client.get(f"/occurrences/{seg}/history").json()["occurrenceID"] == oid
    for href in links(page.text):  # the record page links only to itself
        assert record_id_of(str(page.url), href) in (None, oid), href


def test_review_forms_act_on_their_own_row(site):
    client, store = site
    page = client.get("/review?lang=en")
    rows = re.findall(r'<tr data-id="([^"]*)">(.*?)</tr>', page.text, re.S)
    assert {unescape(rid) for rid, _ in rows} == {VICTIM, *HOSTILE_IDS}
    for rid, row in rows:
        targets = {record_id_of(str(page.url), href) for href in links(row) if not href.startswith("/species/")}
        assert targets == {unescape(rid)}, (rid, targets)
    # Accept or reject every hostile row through its own form: the victim must stay pending.
    for i, (rid, row) in enumerate(r for r in rows if unescape(r[0]) != VICTIM):
        verb = "accept" if i % 2 else "reject"
        action = next(a for a in links(row) if f"/{verb}?" in a)
        target = urljoin(str(page.url), unescape(action))
        assert client.post(target, data={"reason": "test"}).status_code == 303
        assert store.state(unescape(rid))["status"] == verb + "ed"
    assert store.state(VICTIM)["status"] == "pending"


def test_search_and_ogc_pages_link_each_record(site):
    client, store = site
    for oid in [VICTIM, *HOSTILE_IDS]:
        review.accept(store, oid, RITA)
    for url in ("/search?lang=en&limit=100", "/ogc/collections/occurrences/items?f=html&limit=100"):
        page = client.get(url)
        assert page.status_code == 200
        targets = [record_id_of(str(page.url), h) for h in links(page.text)]
        assert set(filter(None, targets)) == {VICTIM, *HOSTILE_IDS}, url


def test_submitted_record_location_points_at_it(site):
    client, _store = site
    body = {"scientificName": "Paguma larvata", "eventDate": "2024-03-01", "basisOfRecord": "HumanObservation",
            "decimalLatitude": "14.5", "decimalLongitude": "101.2", "occurrenceID": "urn:x:1/../2?#"}
    created = client.post("/occurrences", json=body)
    assert created.status_code == 201, created.text
    assert client.get(created.headers["location"]).json()["id"] == "urn:x:1/../2?#"


@pytest.mark.parametrize("oid", [".", ".."])
def test_path_steps_are_refused_as_identifiers(site, oid):
    client, store = site
    with pytest.raises(PathStepIdentifier, match="another identifier"):
        review.submit(store, [_record("ok-1"), _record(oid)], ALICE)
    assert store.get("ok-1", access=FULL) is None
    body = {"scientificName": "Paguma larvata", "eventDate": "2024-03-01", "basisOfRecord": "HumanObservation",
            "occurrenceID": oid}
    refused = client.post("/occurrences", json=body)
    assert refused.status_code == 422 and "another identifier" in refused.text


@needs_chromium()
@pytest.mark.browser
def test_review_buttons_in_chromium_act_on_their_own_row(tmp_path):
    """The browser resolves the form actions itself: clicking a hostile row's buttons changes that row only."""
    db = f"sqlite:///{tmp_path / 'browser.db'}"
    store = open_store(db)
    token = add_user(store, "rita", "reviewer")
    hostile = ["../review/EVIL-HIDDEN", "a%2Fb", "a?b#c", "EVIL-HIDDEN/accept"]
    review.submit(store, [_record(oid) for oid in [VICTIM, *hostile]], ALICE)
    store.close()
    with live_server(db) as base, browser_page() as page:
        page.goto(f"{base}/signin?next=/review")
        page.fill("#token", token)
        page.click("form.signin button[type=submit]")
        page.wait_for_url(f"{base}/review**")
        for i, oid in enumerate(hostile):
            row = f'tr[data-id="{oid}"]'
            if i % 2:
                page.fill(f"{row} input[name=reason]", "test")
                page.click(f"{row} button[name=reject]")
            else:
                page.click(f"{row} button[name=accept]")
            page.wait_for_selector(row, state="detached")
    store = open_store(db)
    try:
        assert [store.state(oid)["status"] for oid in hostile] == ["accepted", "rejected"] * 2
        assert store.state(VICTIM)["status"] == "pending"
    finally:
        store.close()
