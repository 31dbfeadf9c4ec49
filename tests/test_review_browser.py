"""The review queue in a real browser (Debian's headless Chromium against a real server process): sign in with
the form, see the queue in each of the six languages, hostile Thai/Burmese text shown as text, accept and
reject with the buttons."""
from __future__ import annotations

import pytest

from occurrences import review
from occurrences.auth import User, add_user
from occurrences.i18n import LANGUAGES
from occurrences.store import open_store

from .support import browser_page, live_server, needs_chromium

pytestmark = [needs_chromium(), pytest.mark.browser]
HOSTILE = "<script>window.pwned=1</script><img src=x onerror=window.pwned=2> ป่าดงพญาเย็น ရန်ကုန်"


def test_review_queue_in_chromium(tmp_path):
    db = f"sqlite:///{tmp_path / 'browser.db'}"
    store = open_store(db)
    token = add_user(store, "rita", "reviewer")
    alice = User("alice", "submitter")
    review.submit(store, [
        {"occurrenceID": oid, "basisOfRecord": "HumanObservation", "scientificName": "Paguma larvata",
         "eventDate": "2024-02-01", "decimalLatitude": 14.5, "decimalLongitude": lon, "locality": HOSTILE,
         "issues": issues}
        for oid, lon, issues in (("b-accept", 101.2, []), ("b-reject", 101.3, []),
                                 ("b-fix", -101.4, ["PRESUMED_NEGATED_LONGITUDE"]))], alice)
    store.close()
    with live_server(db) as base, browser_page() as page:
        page.goto(f"{base}/review?lang=th")
        assert "/signin" in page.url  # not signed in yet
        page.fill("#token", token)
        page.click("form.signin button[type=submit]")
        page.wait_for_url(f"{base}/review**")
        assert page.locator("html").get_attribute("lang") == "th"
        assert page.locator("tr[data-id]").count() == 3
        assert page.evaluate("window.pwned") is None  # the script and the onerror never ran
        assert HOSTILE in page.locator("tr[data-id=b-accept] .locality").inner_text()

        for lang in LANGUAGES:
            page.goto(f"{base}/review?lang={lang}")
            assert page.locator("html").get_attribute("lang") == lang
            assert page.locator("h1").inner_text().strip()
            assert page.locator("tr[data-id]").count() == 3

        page.click("tr[data-id=b-accept] button[name=accept]")
        page.wait_for_selector("tr[data-id=b-accept]", state="detached")
        page.fill("tr[data-id=b-reject] input[name=reason]", "ภาพไม่ชัด (blurry)")
        page.click("tr[data-id=b-reject] button[name=reject]")
        page.wait_for_selector("tr[data-id=b-reject]", state="detached")
        page.click("tr[data-id=b-fix] button[name=fix]")
        page.wait_for_selector("tr[data-id=b-fix]", state="detached")
        assert page.locator("html").get_attribute("lang") == LANGUAGES[-1]  # stayed in the chosen language
        assert not page.outside_requests

    store = open_store(db)
    assert store.state("b-accept")["status"] == "accepted"
    assert store.state("b-reject")["status"] == "rejected"
    assert store.history("b-reject")[-1]["reason"] == "ภาพไม่ชัด (blurry)"
    fixed = store.get("b-fix")
    assert fixed["decimalLongitude"] == 101.4 and store.history("b-fix")[-1]["actor"] == "rita"
    store.close()
