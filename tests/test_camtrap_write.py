"""Camtrap DP out: the written package validates against the official Camtrap DP 1.0 profile and table schemas
(local copies, offline) and reads back to the same values, offsets included."""
from __future__ import annotations

import json
import zipfile

import pandas as pd
import pytest

from occurrences.camtrap.effort import camera_days
from occurrences.camtrap.write import TABLES, with_malfunction_tags, write_camtrap_dp

from .camtrap_support import read_example, read_table, small_survey, validate_offline


def typed(frame: pd.DataFrame, fields: dict[str, str], offsets: bool = True) -> pd.DataFrame:
    """Values comparable across a write and a read: instants (with their offsets unless ``offsets`` is false),
    numbers as floats."""
    out = {}
    for name, kind in fields.items():
        column = frame[name] if name in frame else pd.Series([None] * len(frame), index=frame.index)
        if kind == "datetime":
            out[name] = column.map(lambda v: None if pd.isna(v) else (
                pd.Timestamp(v).value, pd.Timestamp(v).utcoffset() if offsets else None))
        elif kind in ("number", "integer"):
            out[name] = pd.to_numeric(column, errors="coerce").astype(float)
        elif kind == "boolean":
            out[name] = column.map(lambda v: None if pd.isna(v) else str(v).lower())
        else:
            out[name] = column.map(lambda v: None if pd.isna(v) else str(v))
    frame = pd.DataFrame({k: v.astype(object) for k, v in out.items()}).reset_index(drop=True)
    return frame.where(frame.notna(), None)  # pd.NA, NaN and None alike


def assert_round_trip(package, folder, offsets=True):
    frames = {"deployments": with_malfunction_tags(package.deployments, package.malfunctions),
              "media": package.media, "observations": package.observations}
    for name, fields in TABLES.items():
        back = read_table(folder / f"{name}.csv", name)
        assert list(back.columns) == list(fields), name  # every schema field, in the schema's order
        pd.testing.assert_frame_equal(typed(back, fields, offsets), typed(frames[name], fields, offsets),
                                      check_dtype=False, obj=name)


def test_small_survey_validates_and_round_trips(tmp_path):
    package = small_survey()
    package.metadata["surveys"] = [{"id": "survey-1", "submittedBy": "someone@example.org"}]
    folder = write_camtrap_dp(package, tmp_path / "survey")
    assert validate_offline(folder) == []
    assert_round_trip(package, folder)
    descriptor = json.loads((folder / "datapackage.json").read_text())
    assert descriptor["profile"] == "https://raw.githubusercontent.com/tdwg/camtrap-dp/1.0/camtrap-dp-profile.json"
    assert [r["name"] for r in descriptor["resources"]] == ["deployments", "media", "observations"]
    # measured where the survey declared nothing; declared values kept
    assert descriptor["temporal"] == {"start": "2024-01-01", "end": "2024-01-13"}
    assert descriptor["project"]["samplingDesign"] == "systematicRandom"
    assert [t["scientificName"] for t in descriptor["taxonomic"]] == ["Arctictis binturong",
                                                                     "Paradoxurus hermaphroditus"]
    assert "surveys" not in descriptor  # the store's bookkeeping (who imported it) stays out
    # the local offset is kept, not converted to UTC
    assert "2024-01-02T21:14:05+07:00" in (folder / "media.csv").read_text()


def test_zip_holds_the_package_at_its_root(tmp_path):
    path = write_camtrap_dp(small_survey(), tmp_path / "survey.zip")
    with zipfile.ZipFile(path) as zf:
        assert sorted(zf.namelist()) == ["datapackage.json", "deployments.csv", "media.csv", "observations.csv"]
        zf.extractall(tmp_path / "unzipped")
    assert validate_offline(tmp_path / "unzipped") == []


def test_official_example_round_trips(tmp_path):
    example = read_example()
    folder = write_camtrap_dp(example, tmp_path / "example")
    assert validate_offline(folder) == []
    assert_round_trip(example, folder)
    descriptor = json.loads((folder / "datapackage.json").read_text())
    # the example's own metadata survives unchanged
    assert descriptor["project"] == example.metadata["project"]
    ring = descriptor["spatial"]["coordinates"][0]
    assert min(x for x, _ in ring) == example.deployments["longitude"].astype(float).min()
    assert max(y for _, y in ring) == example.deployments["latitude"].astype(float).max()
    assert descriptor["taxonomic"] == example.metadata["taxonomic"]


@pytest.mark.parametrize("breakage", ["no deployment end", "unknown deployment", "bad sampling design"])
def test_validation_catches_a_broken_package(tmp_path, breakage):
    """The check the tests above rely on does fail on packages the official schemas refuse."""
    package = small_survey()
    if breakage == "no deployment end":
        package.deployments.loc[0, "deploymentEnd"] = pd.NaT
    elif breakage == "unknown deployment":
        package.media.loc[0, "deploymentID"] = "nowhere"
    else:
        package.metadata["project"]["samplingDesign"] = "whatever"
    assert validate_offline(write_camtrap_dp(package, tmp_path / "broken"))


def test_malfunctions_travel_as_deployment_tags(tmp_path):
    """Camtrap DP has no malfunction field: the intervals go into deploymentTags (malfunction:START/END), the
    deployment's other tags kept, and the effort read back from them is the effort written."""
    package = small_survey()
    package.deployments["deploymentTags"] = ["position:trail", "malfunction:2024-01-01T00:00:00Z/2024-01-02T00:00:00Z"]
    folder = write_camtrap_dp(package, tmp_path / "survey")
    tags = read_table(folder / "deployments.csv", "deployments").set_index("deploymentID")["deploymentTags"]
    assert tags["d1"] == "position:trail"
    # the stale tag is replaced by the package's own interval
    assert tags["d2"] == "malfunction:2024-01-08T00:00:00+07:00/2024-01-10T00:00:00+07:00"
    found = tags.dropna().str.extractall(r"malfunction:([^/|\s]+)/([^|\s]+)")
    back = pd.DataFrame({"deploymentID": found.index.get_level_values(0),
                         "start": pd.to_datetime(found[0].to_numpy(), utc=True),
                         "end": pd.to_datetime(found[1].to_numpy(), utc=True)})
    pd.testing.assert_series_equal(camera_days(package.deployments, back),
                                   camera_days(package.deployments, package.malfunctions))


def test_round_trip_through_the_camtrap_reader(tmp_path):
    """Through the project's own Camtrap DP reader, once it is there. Instants are compared, not offsets: the
    offsets written are checked by the pandas round-trip above."""
    read = pytest.importorskip("occurrences.camtrap.read")
    for label, package in (("survey", small_survey()), ("example", read_example())):
        back = read.read_camtrap_dp(write_camtrap_dp(package, tmp_path / label))
        for name, fields in TABLES.items():
            written = with_malfunction_tags(package.deployments, package.malfunctions) if name == "deployments" \
                else getattr(package, name)
            pd.testing.assert_frame_equal(typed(getattr(back, name), fields, False), typed(written, fields, False),
                                          check_dtype=False, obj=f"{label} {name}")
        pd.testing.assert_series_equal(camera_days(back.deployments, back.malfunctions),
                                       camera_days(package.deployments, package.malfunctions), obj=label)


def test_generalised_survey_leaks_no_precise_place(tmp_path):
    """The writers use the coordinates they are given: a survey generalised for its reader (to 0.1 degree here),
    with a precise bounding box left in its metadata, yields no precise coordinate in either export."""
    from occurrences.camtrap.dwca import write_sampling_event_dwca

    package = small_survey()
    precise = [f"{v:.4f}" for v in [*package.deployments["latitude"], *package.deployments["longitude"]]]
    package.metadata["spatial"] = {"type": "Point", "coordinates": [101.3722, 14.4381]}
    package.deployments["latitude"] = package.deployments["latitude"].round(1)
    package.deployments["longitude"] = package.deployments["longitude"].round(1)
    folder = write_camtrap_dp(package, tmp_path / "survey")
    archive = write_sampling_event_dwca(package, tmp_path / "events.zip")
    texts = [p.read_text() for p in folder.iterdir()]
    with zipfile.ZipFile(archive) as zf:
        texts += [zf.read(n).decode() for n in zf.namelist()]
    for text in texts:
        assert not any(value in text for value in precise)
    assert "14.4" in (folder / "deployments.csv").read_text()


def test_utc_timestamps_are_written_at_the_deployments_offset(tmp_path):
    """A survey read back from the store holds UTC instants and each deployment's offset (timezoneOffset): the
    package shows local times again, the same instants."""
    package = small_survey()
    package.deployments["timezoneOffset"] = ["+07:00", "+06:30"]
    for frame, columns in ((package.deployments, ("deploymentStart", "deploymentEnd")),
                           (package.media, ("timestamp",)), (package.observations, ("eventStart", "eventEnd"))):
        for column in columns:
            frame[column] = frame[column].dt.tz_convert("UTC")
    folder = write_camtrap_dp(package, tmp_path / "survey")
    assert validate_offline(folder) == []
    media = (folder / "media.csv").read_text()
    assert "2024-01-02T21:14:05+07:00" in media and "2024-01-05T02:30:00+06:30" in media
    assert "2024-01-03T09:00:00+06:30" in (folder / "deployments.csv").read_text()
    assert_round_trip(package, folder, offsets=False)


def test_withheld_media_files_still_validate(tmp_path):
    """The store withholds a sensitive species' media files from a public reader (empty filePath): the package
    still validates, each such file marked withheld and not public, nothing else changed."""
    package = small_survey()
    package.media.loc[0, "filePath"] = None
    package.media.loc[0, "fileName"] = None
    folder = write_camtrap_dp(package, tmp_path / "survey")
    assert validate_offline(folder) == []
    media = read_table(folder / "media.csv", "media").set_index("mediaID")
    assert media.loc["m1", "filePath"] == "withheld/m1" and media.loc["m1", "filePublic"] == "false"
    assert media.loc["m2", "filePath"] == "https://example.org/m2.jpg" and media.loc["m2", "filePublic"] == "true"
