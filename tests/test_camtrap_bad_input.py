"""Bad Camtrap DP packages: each problem named by file, row, field and value with a fix, translated; nothing
stored; hostile zips get bounded work."""
from __future__ import annotations

import json
import zipfile

import pytest
from click.testing import CliRunner

from occurrences.camtrap import read as R
from occurrences.camtrap.problems import PackageRejected
from occurrences.camtrap.read import read_camtrap_dp
from occurrences.cli import cli
from tests.camtrap_fixtures import build_package, zip_package


def _problems(folder):
    with pytest.raises(PackageRejected) as caught:
        read_camtrap_dp(folder)
    return caught.value


def _found(exc, code, file, row, field):
    hits = [p for p in exc.problems if (p.code, p.file, p.row, p.field) == (code, file, row, field)]
    assert hits, [(p.code, p.file, p.row, p.field) for p in exc.problems]
    return hits[0]


def test_an_observation_of_a_missing_deployment_or_media(tmp_path):
    def edit(t):
        t["observations"][0]["deploymentID"] = "nowhere"
        t["observations"][1]["mediaID"] = "no-such-media"
        t["media"][2]["deploymentID"] = "gone"
    exc = _problems(build_package(tmp_path / "p", edit=edit))
    p = _found(exc, "unknown-deployment", "observations.csv", 2, "deploymentID")
    assert p.value == "nowhere" and "deployments.csv" in p.message("en")
    _found(exc, "unknown-media", "observations.csv", 3, "mediaID")
    _found(exc, "unknown-deployment", "media.csv", 4, "deploymentID")


def test_an_event_outside_its_deployment_and_a_deployment_ending_before_it_starts(tmp_path):
    def edit(t):
        t["observations"][0]["eventStart"] = "2019-01-01T00:00:00Z"
        t["deployments"][1]["deploymentEnd"] = "2019-01-01T00:00:00+07:00"
    exc = _problems(build_package(tmp_path / "p", edit=edit))
    _found(exc, "end-before-start", "deployments.csv", 3, "deploymentEnd")
    assert _found(exc, "outside-deployment", "observations.csv", 2, "eventStart").value.startswith("2019-01-01")


def test_a_timestamp_without_time_zone(tmp_path):
    def edit(t):
        t["media"][0]["timestamp"] = "2020-05-30T04:57:37"
    exc = _problems(build_package(tmp_path / "p", edit=edit))
    p = _found(exc, "no-timezone", "media.csv", 2, "timestamp")
    assert "+07:00" in p.message("en")
    assert p.message("th") != p.message("en")  # translated


def test_another_camtrap_dp_version_is_refused(tmp_path):
    def edit(t):
        t["datapackage"]["profile"] = "https://raw.githubusercontent.com/tdwg/camtrap-dp/0.5/camtrap-dp-profile.json"
    exc = _problems(build_package(tmp_path / "p", edit=edit))
    p = _found(exc, "profile-version", "datapackage.json", None, "profile")
    assert "0.5" in p.message("en")


def test_a_patch_version_of_1_0_is_accepted(tmp_path):
    def edit(t):
        t["datapackage"]["profile"] = "https://raw.githubusercontent.com/tdwg/camtrap-dp/1.0.1/camtrap-dp-profile.json"
    assert len(read_camtrap_dp(build_package(tmp_path / "p", edit=edit)).deployments) == 4


def test_values_of_the_wrong_type_or_outside_the_standard(tmp_path):
    def edit(t):
        t["deployments"][0]["latitude"] = "north"
        t["deployments"][1]["longitude"] = "200"
        t["observations"][2]["observationType"] = "ghost"
        t["observations"][3]["count"] = "1.5"
        t["observations"][4]["observationID"] = t["observations"][5]["observationID"]
        t["media"][1]["filePath"] = "../../etc/passwd"
    exc = _problems(build_package(tmp_path / "p", edit=edit))
    _found(exc, "not-a-number", "deployments.csv", 2, "latitude")
    _found(exc, "out-of-range", "deployments.csv", 3, "longitude")
    _found(exc, "not-allowed", "observations.csv", 4, "observationType")
    _found(exc, "not-an-integer", "observations.csv", 5, "count")
    _found(exc, "duplicate-id", "observations.csv", 7, "observationID")
    _found(exc, "bad-pattern", "media.csv", 3, "filePath")


def test_a_missing_required_column_and_a_missing_file(tmp_path):
    def edit(t):
        for row in t["deployments"]:
            del row["deploymentEnd"]
    exc = _problems(build_package(tmp_path / "p", edit=edit))
    _found(exc, "column-missing", "deployments.csv", 1, "deploymentEnd")
    folder = build_package(tmp_path / "q")
    (folder / "media.csv").unlink()
    assert _problems(folder).problems[0].code == "file-missing"


def test_a_zip_bomb_is_refused_within_the_budget(tmp_path, monkeypatch):
    folder = build_package(tmp_path / "p")
    target = zip_package(folder, tmp_path / "bomb.zip")
    with zipfile.ZipFile(target, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr("observations.csv", b"0" * (8 * 1024 * 1024))  # a second, huge member of the same name
    monkeypatch.setattr(R, "LIMITS", R.ReadLimits(unzipped_bytes=4 * 1024 * 1024, seconds=30))
    exc = _problems(target)
    assert exc.problems[0].code == "too-large"


def test_the_cli_lists_the_problems_and_stores_nothing(tmp_path):
    def edit(t):
        t["observations"][0]["deploymentID"] = "nowhere"
    folder = build_package(tmp_path / "p", edit=edit)
    db = f"sqlite:///{tmp_path / 'x.db'}"
    report = tmp_path / "report.json"
    out = CliRunner().invoke(cli, ["import", str(zip_package(folder, tmp_path / "p.zip")), "--db", db,
                                   "--report", str(report), "--lang", "vi"])
    assert out.exit_code == 1
    assert "observations.csv, dòng 2: deploymentID 'nowhere'" in out.output  # in the language asked for
    [entry] = json.loads(report.read_text("utf-8"))
    [problem] = entry["error"]["problems"]
    assert (problem["file"], problem["row"], problem["field"], problem["value"]) == (
        "observations.csv", 2, "deploymentID", "nowhere")
    listed = CliRunner().invoke(cli, ["survey", "list", "--db", db, "--json"])
    assert json.loads(listed.output) == []


def test_the_cli_imports_lists_and_shows_a_survey(tmp_path):
    folder = build_package(tmp_path / "p")
    db = f"sqlite:///{tmp_path / 'x.db'}"
    out = CliRunner().invoke(cli, ["import", str(folder), "--db", db])
    assert out.exit_code == 0, out.output
    assert "19 stored" in out.output
    [survey] = json.loads(CliRunner().invoke(cli, ["survey", "list", "--db", db, "--json"]).output)
    assert (survey["id"], survey["deployments"], survey["detections"]) == ("khao-yai-2020", 4, 19)
    shown = json.loads(CliRunner().invoke(cli, ["survey", "show", "khao-yai-2020", "--db", db, "--json"]).output)
    assert sum(d["detections"] for d in shown["deployments"]) == 19
    assert all(d["cameraDays"] > 0 for d in shown["deployments"])
    missing = CliRunner().invoke(cli, ["survey", "show", "nope", "--db", db])
    assert missing.exit_code == 1 and "No survey with id nope" in missing.output
