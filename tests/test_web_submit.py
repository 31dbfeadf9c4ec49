"""The web form and upload page, server-rendered from the form definition; the browser test drives them in
real headless Chromium (Thai digits in, stored record out; a bad coordinate shows the Thai error)."""
import io
import re

import pytest
from fastapi.testclient import TestClient

from occurrences import auth
from occurrences.api import create_app
from occurrences.flags import REGISTRY
from occurrences.forms import load_form
from occurrences.i18n import LANGUAGES, gettext, translate
from occurrences.settings import Settings
from occurrences.store import open_store

from .support import browser_page, live_server, needs_chromium

FORM = load_form()
THAI = {"scientificName": "อีเห็นเครือ", "eventDate": "๑๕/๓/๒๕๖๗", "decimalLatitude": "๑๘.๗๙",
        "decimalLongitude": "๙๘.๙๘", "individualCount": "๒", "locality": "ดอยสุเทพ"}


@pytest.fixture
def db(tmp_path):
    return f"sqlite:///{tmp_path / 'web.db'}"


@pytest.fixture
def token(db):
    return auth.add_user(open_store(db), "somchai", "submitter")


@pytest.fixture
def client(db):
    with TestClient(create_app(Settings(db=db)), raise_server_exceptions=False) as c:
        yield c


@pytest.mark.parametrize("lang", LANGUAGES)
def test_form_page_in_each_language_is_accessible(client, lang):
    html = client.get(f"/submit?lang={lang}").text
    assert f'<html lang="{lang}">' in html
    for f in FORM.fields:
        assert f'<label for="f-{f.term}">{f.labels[lang]}' in html
        assert re.search(rf'id="f-{f.term}"[^>]*aria-describedby="help-{f.term} err-{f.term}"', html, re.S), f.term
        assert f'id="help-{f.term}">{f.help[lang]}</p>' in html.replace("&#39;", "'").replace("&#34;", '"')
    assert 'inputmode="decimal"' in html and 'inputmode="numeric"' in html
    assert '<script src="/static/submit.js"' in html and "https://" not in html.split("<main")[1]
    assert all(f'hreflang="{code}"' in html for code in LANGUAGES)  # the language switcher


def test_api_post_stores_values_as_typed(client, token):
    r = client.post("/occurrences", json={**THAI, "basisOfRecord": "HumanObservation", "lang": "th"},
                    headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 201, r.text
    record = r.json()
    assert (record["scientificName"], record["eventDate"], record["decimalLatitude"], record["individualCount"]) == \
        ("Paguma larvata", "2024-03-15", 18.79, 2)
    assert record["verbatimEventDate"] == "๑๕/๓/๒๕๖๗" and record["language"] == "th"
    assert record["submittedBy"] == "somchai"


def test_api_422_has_per_field_issues_in_the_submission_language(client, token):
    r = client.post("/occurrences", json={**THAI, "decimalLatitude": "๙๘.๗๙", "lang": "th"},
                    headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 422
    issue = r.json()["issues"][0]
    assert (issue["field"], issue["code"], issue["value"]) == ("decimalLatitude", "COORDINATE_OUT_OF_RANGE", "๙๘.๗๙")
    assert issue["label"] == "ละติจูด"
    assert issue["message"] == translate("th", REGISTRY["COORDINATE_OUT_OF_RANGE"].template,
                                         field="ละติจูด", value="๙๘.๗๙")


def test_api_refuses_anonymous_and_unknown_fields(client, token):
    assert client.post("/occurrences", json=THAI).status_code == 401
    r = client.post("/occurrences", json={"colour": "brown"}, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code in (400, 422) and "colour" in r.text


def test_plain_form_post_without_javascript(client, token):
    data = {**THAI, "basisOfRecord": "HumanObservation", "lang": "th"}
    r = client.post("/submit?lang=th", data=data, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 201 and 'data-term="eventDate">2024-03-15<' in r.text
    r = client.post("/submit?lang=th", data={**data, "decimalLongitude": "๓๙๘.๙๘"},
                    headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 422
    assert re.search(r'id="f-decimalLongitude"[^>]*aria-invalid="true"', r.text, re.S)
    assert 'value="๓๙๘.๙๘"' in r.text  # what the user typed is kept


def test_upload_page_shows_the_report_table(client, token):
    labels = [FORM.field(t).labels["th"] for t in ("scientificName", "eventDate", "decimalLatitude",
                                                     "decimalLongitude")]
    body = ",".join(labels) + "\nอีเห็นเครือ,๑๕/๓/๒๕๖๗,๑๘.๗๙,๙๘.๙๘\nหมีขอ,๑๖/๓/๒๕๖๗,๑๘.๘,๙๙๙\n"
    files = {"file": ("th.csv", io.BytesIO(body.encode()), "text/csv")}
    r = client.post("/upload?lang=th", files=files, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 422
    assert "<table>" in r.text and "<td>ลองจิจูด</td><td>๙๙๙</td>" in r.text
    good = body.rsplit("หมีขอ", 1)[0]
    files = {"file": ("th.csv", io.BytesIO(good.encode()), "text/csv")}
    ok = client.post("/upload?lang=th", files=files, headers={"Authorization": f"Bearer {token}"})
    assert ok.status_code == 201 and f"<td>2</td><td>{gettext('th', 'stored')}</td>" in ok.text.replace("\n", "")


def test_upload_can_keep_the_valid_rows_and_give_back_the_others(client, token):
    import base64
    import html

    labels = [FORM.field(t).labels["th"] for t in ("scientificName", "eventDate", "decimalLatitude",
                                                     "decimalLongitude")]
    body = ",".join(labels) + "\nอีเห็นเครือ,๑๕/๓/๒๕๖๗,๑๘.๗๙,๙๘.๙๘\nหมีขอ,๑๖/๓/๒๕๖๗,๑๘.๘,๙๙๙\n"
    files = {"file": ("survey.csv", io.BytesIO(body.encode()), "text/csv")}
    r = client.post("/upload?lang=th", files=files, data={"keep_valid": "1"},
                    headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 201
    link = re.search(r'<a id="rejects" download="([^"]+)" href="data:text/csv;base64,([^"]+)"', r.text)
    assert link and link[1] == "survey-rejects.csv"
    rejects = base64.b64decode(html.unescape(link[2])).decode("utf-8").splitlines()
    assert rejects[0].startswith(",".join(labels)) and rejects[1].startswith("หมีขอ,๑๖/๓/๒๕๖๗,๑๘.๘,๙๙๙,")
    assert f"<td>2</td><td>{gettext('th', 'stored')}</td>" in r.text.replace("\n", "")


def test_template_downloads(client):
    r = client.get("/forms/template.csv?lang=lo")
    assert r.status_code == 200 and r.content.decode("utf-8-sig").startswith(FORM.fields[0].labels["lo"])
    assert client.get("/forms/occurrence?lang=my").json()["lang"] == "my"
    assert client.get("/forms/nope.txt").status_code == 404


@pytest.mark.browser
@needs_chromium()
def test_thai_form_in_headless_chromium(db, token):
    with live_server(db) as base, browser_page() as page:
        page.goto(f"{base}/signin?lang=th")
        page.fill("#token", token)
        page.click("button[type=submit]")
        page.goto(f"{base}/submit?lang=th")
        assert page.get_attribute("html", "lang") == "th"
        for term, value in THAI.items():
            page.fill(f"#f-{term}", value)
        page.select_option("#f-sex", "male")
        page.click("#submit-form button[type=submit]")
        page.wait_for_selector("#result dl", timeout=10_000)
        result = page.inner_text("#result")
        assert "2024-03-15" in result and "18.79" in result and "Paguma larvata" in result
        assert page.inner_text("#result dd[data-term=sex]") == "ตัวผู้"

        page.fill("#f-scientificName", "อีเห็นเครือ")
        page.fill("#f-eventDate", "๑๖/๓/๒๕๖๗")
        page.fill("#f-decimalLatitude", "๙๘.๗๙")  # outside -90..90: an error, not a value
        page.fill("#f-decimalLongitude", "๙๘.๙๘")
        page.click("#submit-form button[type=submit]")
        page.wait_for_selector("#f-decimalLatitude[aria-invalid=true]", timeout=10_000)
        expected = translate("th", REGISTRY["COORDINATE_OUT_OF_RANGE"].template, field="ละติจูด", value="๙๘.๗๙")
        assert page.inner_text("#err-decimalLatitude").strip() == expected
        assert page.evaluate("document.activeElement.id") == "f-decimalLatitude"
        assert not page.outside_requests
    import sqlite3

    with sqlite3.connect(db.removeprefix("sqlite:///")) as conn:
        rows = conn.execute('SELECT "eventDate", "decimalLatitude", "verbatimLatitude", "language" '
                            "FROM occurrence").fetchall()
    assert rows == [("2024-03-15", 18.79, "๑๘.๗๙", "th")]
