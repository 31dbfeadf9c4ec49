"""Review workflow: pending → accepted/rejected, edits, suggested fixes, permissions, audit trail (library on
both backends; API and CLI on SQLite)."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from occurrences import review
from occurrences.api import create_app
from occurrences.auth import Forbidden, NotSignedIn, NotYours, User, add_user
from occurrences.auth import ANONYMOUS
from occurrences.cli import cli
from occurrences.errors import InvalidValue, NotFound
from occurrences.settings import Settings
from occurrences.store import Filters, open_store
from occurrences.store.access import FULL, own_access

ALICE, BOB, RITA = User("alice", "submitter"), User("bob", "submitter"), User("rita", "reviewer")


def _record(oid, **extra):
    return {"occurrenceID": oid, "basisOfRecord": "HumanObservation", "scientificName": "Paguma larvata",
            "eventDate": "2024-02-01", "decimalLatitude": 14.5, "decimalLongitude": 101.2, "countryCode": "TH",
            **extra}


def test_submissions_wait_for_review_then_become_public(store):
    review.submit(store, [_record("r-1")], ALICE)
    assert store.state("r-1")["status"] == "pending"
    assert store.get("r-1") is None and store.count(Filters()) == 0
    assert store.get("r-1", access=own_access("alice")) is not None
    review.accept(store, "r-1", RITA)
    assert store.get("r-1")["occurrenceID"] == "r-1"
    entry = store.history("r-1")[-1]
    assert (entry["actor"], entry["action"]) == ("rita", "accept") and entry["at"].endswith("Z")
    assert entry["before"]["status"] == "pending" and entry["after"]["status"] == "accepted"


def test_reviewer_submissions_are_accepted_directly(store):
    review.submit(store, [_record("r-2")], RITA)
    assert store.state("r-2")["status"] == "accepted"


def test_reject_needs_a_reason_and_keeps_it(store):
    review.submit(store, [_record("r-3")], ALICE)
    with pytest.raises(InvalidValue):
        review.reject(store, "r-3", RITA, "  ")
    review.reject(store, "r-3", RITA, "photo shows a domestic cat")
    assert store.state("r-3")["status"] == "rejected" and store.get("r-3") is None
    assert store.history("r-3")[-1]["reason"] == "photo shows a domestic cat"


def test_accept_a_suggested_fix_in_one_action(store):
    review.submit(store, [_record("r-4", decimalLongitude=-101.2, issues=["PRESUMED_NEGATED_LONGITUDE"])], ALICE)
    record = store.get("r-4", access=FULL)
    assert review.suggestions(record) == {"PRESUMED_NEGATED_LONGITUDE": {"decimalLongitude": 101.2}}
    fixed = review.accept_suggestion(store, "r-4", "PRESUMED_NEGATED_LONGITUDE", RITA)
    assert fixed["decimalLongitude"] == 101.2 and fixed["issues"] == []
    history = store.history("r-4")
    assert len(history) == 1 and history[0]["action"] == "accept-suggestion"
    assert review.changed_fields(history[0])["decimalLongitude"] == [-101.2, 101.2]
    assert history[0]["after"]["status"] == "accepted"


def test_edit_and_accept_with_explicit_suggestion(store):
    review.submit(store, [_record("r-5", issues=["PRESUMED_SWAPPED_COORDINATE"])], ALICE)
    out = review.accept_suggestion(store, "r-5", "PRESUMED_SWAPPED_COORDINATE", RITA,
                                   suggestion={"decimalLatitude": 14.6, "decimalLongitude": 101.3})
    assert (out["decimalLatitude"], out["decimalLongitude"]) == (14.6, 101.3)


def test_submitters_edit_only_their_own_pending_records(store):
    review.submit(store, [_record("r-6"), _record("r-7")], ALICE)
    review.edit(store, "r-6", {"individualCount": 2}, ALICE)
    assert store.get("r-6", access=FULL)["individualCount"] == 2
    with pytest.raises(NotYours):
        review.edit(store, "r-6", {"individualCount": 3}, BOB)
    review.accept(store, "r-7", RITA)
    with pytest.raises(NotYours):
        review.edit(store, "r-7", {"individualCount": 3}, ALICE)  # accepted: only reviewers change it now
    with pytest.raises(Forbidden):
        review.accept(store, "r-6", ALICE)
    with pytest.raises(NotSignedIn):
        review.edit(store, "r-6", {}, ANONYMOUS)
    with pytest.raises(InvalidValue):
        review.edit(store, "r-6", {"issues": []}, ALICE)  # flags are not the submitter's to clear
    with pytest.raises(NotFound):
        review.history(store, "r-6", BOB)
    assert [e["action"] for e in review.history(store, "r-6", ALICE)] == ["edit"]


# -- API ---------------------------------------------------------------------------------------------------
@pytest.fixture
def api(tmp_path):
    url = f"sqlite:///{tmp_path / 'api.db'}"
    store = open_store(url)
    tokens = {name: add_user(store, name, role) for name, role in
              (("alice", "submitter"), ("bob", "submitter"), ("rita", "reviewer"))}
    review.submit(store, [_record("a-1"), _record("a-2")], ALICE)
    client = TestClient(create_app(Settings(db=url), store=store))
    auth = {name: {"Authorization": f"Bearer {t}"} for name, t in tokens.items()}
    yield client, auth, store
    store.close()


def test_api_roles_for_review_actions(api):
    client, auth, store = api
    assert client.post("/occurrences/a-1/accept").status_code == 401
    r = client.post("/occurrences/a-1/accept", headers=auth["alice"])
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    r = client.post("/occurrences/a-1/accept", headers=auth["rita"])
    assert r.status_code == 200 and store.state("a-1")["status"] == "accepted"
    r = client.post("/occurrences/a-2/reject", headers=auth["rita"], json={"reason": "duplicate of a-1"})
    assert r.status_code == 200 and store.state("a-2")["status"] == "rejected"
    assert client.post("/occurrences/nope/accept", headers=auth["rita"]).status_code == 404


def test_api_edit_and_history(api):
    client, auth, store = api
    r = client.patch("/occurrences/a-1", headers=auth["alice"], json={"individualCount": 4})
    assert r.status_code == 200 and r.json()["properties"]["individualCount"] == 4
    assert client.patch("/occurrences/a-1", headers=auth["bob"], json={"individualCount": 5}).status_code == 403
    assert client.get("/occurrences/a-1/history").status_code == 401
    assert client.get("/occurrences/a-1/history", headers=auth["bob"]).status_code == 404
    body = client.get("/occurrences/a-1/history", headers=auth["rita"]).json()
    assert body["entries"][0]["actor"] == "alice" and body["entries"][0]["changed"]["individualCount"] == [None, 4]


def test_api_lists_respect_status_and_owner(api):
    client, auth, _store = api
    assert client.get("/occurrences").json()["features"] == []
    mine = client.get("/occurrences?status=pending", headers=auth["alice"]).json()["features"]
    assert {f["id"] for f in mine} == {"a-1", "a-2"}
    assert client.get("/occurrences?status=pending", headers=auth["bob"]).json()["features"] == []
    assert len(client.get("/occurrences?status=pending", headers=auth["rita"]).json()["features"]) == 2


def test_cli_history_accept_reject(tmp_path):
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    store = open_store(db)
    review.submit(store, [_record("c-1"), _record("c-2")], ALICE)
    store.close()
    runner = CliRunner()
    assert runner.invoke(cli, ["review", "accept", "c-1", "--db", db, "--as", "coordinator"]).exit_code == 0
    result = runner.invoke(cli, ["review", "reject", "c-2", "--db", db, "--reason", "blurry photo"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in runner.invoke(cli, ["review", "history", "c-1", "--db", db]).output.splitlines()]
    assert lines[0]["actor"] == "coordinator" and lines[0]["changed"]["status"] == ["pending", "accepted"]
    out = runner.invoke(cli, ["review", "history", "c-2", "--db", db]).output
    assert "blurry photo" in out


def test_after_an_automatic_correction_the_suggestion_restores_the_values_as_given(store):
    # an import stored (14.44, 101.37) for the pair given as latitude 101.37, longitude 14.44
    review.submit(store, [_record("r-9", decimalLatitude=14.44, decimalLongitude=101.37, verbatimLatitude="101.37",
                                  verbatimLongitude="14.44", issues=["PRESUMED_SWAPPED_COORDINATE"])], ALICE)
    record = store.get("r-9", access=FULL)
    assert review.suggestions(record) == {"PRESUMED_SWAPPED_COORDINATE": {"decimalLatitude": 101.37,
                                                                         "decimalLongitude": 14.44}}
    assert review.restores_given_values(record, "PRESUMED_SWAPPED_COORDINATE")
    assert review.suggestion_label(record, "PRESUMED_SWAPPED_COORDINATE") == "Restore the values as given"
    # a record whose point is still as given (stored by an older version): the suggestion is the fix
    review.submit(store, [_record("r-10", decimalLongitude=-101.2, verbatimLatitude=None,
                                  issues=["PRESUMED_NEGATED_LONGITUDE"])], ALICE)
    assert review.suggestion_label(store.get("r-10", access=FULL), "PRESUMED_NEGATED_LONGITUDE") == "Accept with fix"
