"""``occurrences survey export``: a stored survey out as Camtrap DP or as a sampling-event archive, as the
public sees it unless --precise."""
from __future__ import annotations

import zipfile

from click.testing import CliRunner
from dwca.read import DwCAReader

from occurrences.camtrap.write import write_camtrap_dp
from occurrences.cli import cli

from .camtrap_support import OFFICIAL, small_survey, validate_offline


def test_survey_export_both_formats_public_and_precise(tmp_path):
    db = f"sqlite:///{tmp_path}/cli.db"
    source = write_camtrap_dp(small_survey(), tmp_path / "survey")  # binturong at d1: generalised for the public
    runner = CliRunner()
    result = runner.invoke(cli, ["import", str(source), "--db", db])
    assert result.exit_code == 0, result.output
    listed = runner.invoke(cli, ["survey", "list", "--db", db])
    survey_id = listed.output.split("\t")[0]
    out = {}
    for precise in (False, True):
        flag = ["--precise"] if precise else []
        dp = tmp_path / f"dp-{precise}.zip"
        ev = tmp_path / f"ev-{precise}.zip"
        for fmt, path in (("camtrap-dp", dp), ("dwca-event", ev)):
            result = runner.invoke(cli, ["survey", "export", survey_id, "--format", fmt, "-o", str(path),
                                         "--db", db, *flag])
            assert result.exit_code == 0, result.output
        with zipfile.ZipFile(dp) as zf:
            zf.extractall(tmp_path / f"unzipped-{precise}")
            text = "".join(zf.read(n).decode() for n in zf.namelist())
        if OFFICIAL.exists():
            assert validate_offline(tmp_path / f"unzipped-{precise}") == []
        with DwCAReader(str(ev)) as archive:
            rows = list(archive)
            assert {r.id for r in rows} >= {"d1", "d2"}
            assert all(e.core_id in {r.id for r in rows} for r in rows for e in r.extensions)
        with zipfile.ZipFile(ev) as zf:
            text += "".join(zf.read(n).decode() for n in zf.namelist())
        out[precise] = text
    assert "14.4381" in out[True] and "14.4381" not in out[False]


def test_unknown_survey_is_a_clear_error(tmp_path):
    db = f"sqlite:///{tmp_path}/cli.db"
    result = CliRunner().invoke(cli, ["survey", "export", "nope", "--format", "camtrap-dp", "-o",
                                      str(tmp_path / "x.zip"), "--db", db])
    assert result.exit_code != 0 and "nope" in result.output
