"""Users and tokens (CLI, hashed storage, revocation), Bearer and session sign-in, CSRF, sign-in rate limit,
request-size limit, safe redirects, and escaping of hostile text in pages."""
from __future__ import annotations

import hashlib
import html
import re

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from occurrences import review
from occurrences.api import create_app
from occurrences.auth import User, add_user, authenticate
from occurrences.cli import cli
from occurrences.settings import Settings
from occurrences.store import open_store

HOSTILE = "<script>window.pwned=1</script> ป่าดงพญาเย็น ရန်ကုန် \"'&"


@pytest.fixture
def app_store(tmp_path):
    url = f"sqlite:///{tmp_path / 'auth.db'}"
    store = open_store(url)
    tokens = {name: add_user(store, name, role) for name, role in
              (("alice", "submitter"), ("rita", "reviewer"))}
    review.submit(store, [{"occurrenceID": "p-1", "basisOfRecord": "HumanObservation",
                           "scientificName": "Paguma larvata", "eventDate": "2024-02-01", "decimalLatitude": 14.5,
                           "decimalLongitude": 101.2, "locality": HOSTILE}], User("alice", "submitter"))
    yield url, store, tokens
    store.close()


def client_for(url, store, **settings):
    return TestClient(create_app(Settings(db=url, **settings), store=store), follow_redirects=False)


def test_cli_user_lifecycle_and_hashed_tokens(tmp_path):
    db_path = tmp_path / "users.db"
    db = f"sqlite:///{db_path}"
    runner = CliRunner()
    result = runner.invoke(cli, ["user", "add", "somchai", "--role", "reviewer", "--db", db])
    assert result.exit_code == 0, result.output
    token = result.stdout.strip().splitlines()[-1]
    assert len(token) >= 40
    store = open_store(db)
    assert authenticate(store, token) == User("somchai", "reviewer")
    store.close()
    raw = db_path.read_bytes() + (db_path.with_name(db_path.name + "-wal").read_bytes()
                                  if db_path.with_name(db_path.name + "-wal").exists() else b"")
    assert token.encode() not in raw  # only the hash is kept
    assert hashlib.sha256(token.encode()).hexdigest().encode() in raw
    listing = runner.invoke(cli, ["user", "list", "--db", db]).output
    assert "somchai\treviewer\tactive" in listing
    assert runner.invoke(cli, ["user", "add", "somchai", "--db", db]).exit_code == 1  # names are unique
    assert runner.invoke(cli, ["user", "revoke", "somchai", "--db", db]).exit_code == 0
    store = open_store(db)
    assert authenticate(store, token) is None
    store.close()
    assert "revoked" in runner.invoke(cli, ["user", "list", "--db", db]).output


def test_bearer_tokens(app_store):
    url, store, tokens = app_store
    client = client_for(url, store)
    assert client.get("/me").json() == {"name": None, "role": "reader"}
    assert client.get("/me", headers={"Authorization": f"Bearer {tokens['rita']}"}).json() == \
        {"name": "rita", "role": "reviewer"}
    bad = client.get("/occurrences", headers={"Authorization": "Bearer not-a-token"})
    assert bad.status_code == 401 and bad.json()["code"] == "invalid-token"


def _csrf(client) -> str:
    first = "csrf" not in client.cookies
    page = client.get("/signin")
    if first:  # set once per browser
        cookie = page.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    assert client.cookies.get("csrf") == token
    return token


def _sign_in(client, token, next_="/review"):
    return client.post("/signin", data={"token": token, "next": next_, "csrf_token": _csrf(client)})


def test_session_sign_in_and_out(app_store):
    url, store, tokens = app_store
    client = client_for(url, store)
    r = _sign_in(client, tokens["rita"])
    assert r.status_code == 303 and r.headers["location"] == "/review"
    session_cookie = r.headers["set-cookie"]
    assert "session=" in session_cookie and "HttpOnly" in session_cookie and "SameSite=lax" in session_cookie
    assert client.get("/me").json()["name"] == "rita"
    page = client.get("/review")
    assert page.status_code == 200 and "p-1" in page.text
    r = client.post("/signout", data={"csrf_token": client.cookies.get("csrf")})
    assert r.status_code == 303
    client.cookies.delete("session")
    assert client.get("/me").json()["role"] == "reader"


def test_signed_out_session_token_no_longer_works(app_store):
    url, store, tokens = app_store
    client = client_for(url, store)
    _sign_in(client, tokens["rita"])
    session = client.cookies.get("session")
    client.post("/signout", data={"csrf_token": client.cookies.get("csrf")})
    other = client_for(url, store)
    other.cookies.set("session", session)
    assert other.get("/me").json()["role"] == "reader"


def test_form_posts_need_the_csrf_token(app_store):
    url, store, tokens = app_store
    client = client_for(url, store)
    r = client.post("/signin", data={"token": tokens["rita"], "next": "/"})
    assert r.status_code == 403 and r.json()["code"] == "csrf-failed"
    _sign_in(client, tokens["rita"])
    forged = client.post("/review/p-1/accept", data={"csrf_token": "x" * 43})
    assert forged.status_code == 403 and store.state("p-1")["status"] == "pending"
    missing = client.post("/review/p-1/reject", data={"reason": "forged"})
    assert missing.status_code == 403 and store.state("p-1")["status"] == "pending"
    ok = client.post("/review/p-1/accept", data={"csrf_token": client.cookies.get("csrf")})
    assert ok.status_code == 303 and store.state("p-1")["status"] == "accepted"


def test_bearer_clients_need_no_csrf_token(app_store):
    url, store, tokens = app_store
    client = client_for(url, store)
    r = client.post("/occurrences/p-1/accept", headers={"Authorization": f"Bearer {tokens['rita']}"})
    assert r.status_code == 200


def test_sign_in_is_rate_limited(app_store):
    url, store, tokens = app_store
    client = client_for(url, store)
    for _ in range(5):
        assert _sign_in(client, "wrong-token").status_code == 401
    blocked = _sign_in(client, "wrong-token")
    assert blocked.status_code == 429 and blocked.json()["code"] == "too-many-attempts"
    assert "session" not in client.cookies
    assert _sign_in(client, tokens["rita"]).status_code == 303  # the right token is never locked out
    assert "session" in client.cookies


def test_request_bodies_are_limited(app_store):
    url, store, tokens = app_store
    client = client_for(url, store, max_upload_bytes=2_000)
    r = client.post("/occurrences/p-1/reject", headers={"Authorization": f"Bearer {tokens['rita']}"},
                    json={"reason": "x" * 5_000})
    assert r.status_code == 413 and r.json()["code"] == "payload-too-large"
    assert store.state("p-1")["status"] == "pending"

    def chunks():  # no Content-Length: counted as it arrives
        for _ in range(5):
            yield b"y" * 1_000

    r = client.post("/occurrences/p-1/reject", headers={"Authorization": f"Bearer {tokens['rita']}",
                                                         "Content-Type": "application/json"}, content=chunks())
    assert r.status_code == 413


def test_sign_in_redirects_only_within_the_site(app_store):
    url, store, tokens = app_store
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        client = client_for(url, store)
        assert _sign_in(client, tokens["rita"], target).headers["location"] == "/"


def test_hostile_locality_is_escaped_in_the_review_page(app_store):
    url, store, tokens = app_store
    client = client_for(url, store)
    page = client.get("/review?lang=my", headers={"Authorization": f"Bearer {tokens['rita']}"})
    assert page.status_code == 200
    assert "<script>window.pwned" not in page.text
    assert html.escape(HOSTILE, quote=False).split(" ")[0] in page.text


def test_review_page_needs_a_reviewer(app_store):
    url, store, tokens = app_store
    client = client_for(url, store)
    r = client.get("/review")
    assert r.status_code == 303 and r.headers["location"].startswith("/signin")
    assert client.get("/review", headers={"Authorization": f"Bearer {tokens['alice']}"}).status_code == 403
