"""Wildlife Insights in. Fixtures are built here with the columns of Wildlife Insights' bulk downloads (its
Batch Upload Template data dictionaries, as in the real downloads under /work/shared/data/wildlife-insights-sample,
which the last tests read when present)."""
from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from occurrences.camtrap import wildlife_insights as wi
from occurrences.camtrap.dwca import write_sampling_event_dwca
from occurrences.camtrap.effort import camera_days
from occurrences.camtrap.wi_problems import DownloadRejected
from occurrences.camtrap.wildlife_insights import is_wildlife_insights, read_wildlife_insights
from occurrences.camtrap.write import write_camtrap_dp

from .camtrap_support import OFFICIAL, validate_offline

REAL = Path("/work/shared/data/wildlife-insights-sample")

PROJECT = {"project_id": "2009001", "project_name": "Khao Yai carnivores 2024", "project_short_name": "KY24",
           "project_objectives": "Small carnivore occupancy", "project_species": "Multiple",
           "project_sensor_layout": "Systematic", "project_bait_use": "No", "project_sensor_method": "Sensor Detection",
           "project_individual_animals": "No", "project_admin": "Somchai P.", "project_admin_email": "s@example.org",
           "project_admin_organization": "Example NGO", "country_code": "THA", "metadata_license": "CC-BY",
           "image_license": "CC-BY-NC", "data_citation": "Example citation", "project_type": "Image"}
CAMERAS = [{"project_id": "2009001", "camera_id": "c1", "make": "Browning", "model": "BTC-8E",
            "serial_number": "", "year_purchased": "2022"},
           {"project_id": "2009001", "camera_id": "c2", "make": "Bushnell", "model": "", "serial_number": "",
            "year_purchased": ""}]
DEPLOYMENT_COLUMNS = ("project_id,deployment_id,placename,longitude,latitude,start_date,end_date,bait_type,"
                      "bait_description,feature_type,feature_type_methodology,camera_id,quiet_period,"
                      "camera_functioning,sensor_height,height_other,sensor_orientation,orientation_other,"
                      "plot_treatment,plot_treatment_description,detection_distance,subproject_name,"
                      "subproject_design,event_name,event_description,event_type,recorded_by").split(",")
IMAGE_COLUMNS = ("project_id,deployment_id,image_id,filename,location,is_blank,identified_by,wi_taxon_id,class,"
                 "order,family,genus,species,common_name,uncertainty,timestamp,number_of_objects,age,sex,"
                 "animal_recognizable,individual_id,individual_animal_notes,highlighted,markings,cv_confidence,"
                 "license").split(",")


def deployment(**values):
    row = dict.fromkeys(DEPLOYMENT_COLUMNS, "")
    row.update(project_id="2009001", bait_type="None", feature_type="Trail game", quiet_period="30",
               camera_functioning="Camera Functioning", sensor_height="Knee height", recorded_by="Somchai P.")
    row.update(values)
    return row


def image(**values):
    row = dict.fromkeys(IMAGE_COLUMNS, "")
    row.update(project_id="2009001", is_blank="0", identified_by="Somchai P.", class_="", number_of_objects="1",
               age="Unknown", sex="Unknown", highlighted="false", license="CC-BY-NC")
    row.pop("class_")
    row.update(values)
    return row


def default_deployments():
    return [deployment(deployment_id="KY01", placename="KY-A", longitude="101.3722", latitude="14.4381",
                       start_date="2024-01-01 00:00:00", end_date="2024-01-10 00:00:00", camera_id="c1"),
            deployment(deployment_id="KY02", placename="KY-B", longitude="101.4015", latitude="14.5012",
                       start_date="2024-01-03 09:30:00", end_date="2024-01-13 09:30:00", camera_id="c2",
                       camera_functioning="Camera Hardware Failure")]


def default_images():
    return [image(deployment_id="KY01", image_id="i1", filename="IMG_0001.JPG", location="gs://bucket/i1.jpg",
                  **{"class": "Mammalia", "order": "Carnivora", "family": "Viverridae"}, genus="Paradoxurus",
                  species="hermaphroditus", common_name="Common Palm Civet", timestamp="2024-01-02 21:14:05",
                  age="Adult", sex="Female"),
            # one image, two species: two rows
            image(deployment_id="KY01", image_id="i2", filename="IMG_0002.JPG", location="gs://bucket/i2.jpg",
                  genus="Arctictis", species="binturong", common_name="Binturong", timestamp="2024-01-10 18:00:00",
                  number_of_objects="2"),
            image(deployment_id="KY01", image_id="i2", filename="IMG_0002.JPG", location="gs://bucket/i2.jpg",
                  family="Herpestidae", common_name="Mongoose Family", timestamp="2024-01-10 18:00:00"),
            image(deployment_id="KY02", image_id="i3", filename="IMG_0003.JPG", location="gs://bucket/i3.jpg",
                  is_blank="1", common_name="Blank", timestamp="2024-01-05 03:00:00", number_of_objects=""),
            image(deployment_id="KY02", image_id="i4", filename="IMG_0004.JPG", location="gs://bucket/i4.jpg",
                  genus="Homo", species="sapiens", common_name="Human", timestamp="2024-01-07 12:00:00")]


def csv_text(rows, columns) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def download(tmp_path: Path, *, project=None, deployments=None, images=None, cameras=None, folder="ky24",
             leave_out=()) -> Path:
    files = {"projects.csv": csv_text([project or PROJECT], list((project or PROJECT).keys())),
             "cameras.csv": csv_text(cameras or CAMERAS, list(CAMERAS[0].keys())),
             "deployments.csv": csv_text(deployments or default_deployments(), DEPLOYMENT_COLUMNS),
             "images.csv": csv_text(images or default_images(), IMAGE_COLUMNS)}
    path = tmp_path / "wi_download.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in files.items():
            if name not in leave_out:
                zf.writestr(f"{folder}/{name}" if folder else name, text)
    return path


def problems(path, **kw):
    with pytest.raises(DownloadRejected) as caught:
        read_wildlife_insights(path, **kw)
    return [(p.code, p.file, p.row, p.field, p.value) for p in caught.value.problems], caught.value


def test_download_becomes_a_camtrap_package(tmp_path):
    package = read_wildlife_insights(download(tmp_path))
    d = package.deployments.set_index("deploymentID")
    assert str(d.loc["KY01", "deploymentStart"]) == "2024-01-01 00:00:00+07:00"  # Thailand: one zone
    assert str(d.loc["KY01", "deploymentEnd"]) == "2024-01-10 23:59:59+07:00"  # an end date is its whole day
    assert str(d.loc["KY02", "deploymentEnd"]) == "2024-01-13 09:30:00+07:00"  # a real time is kept
    assert d.loc["KY01", "cameraModel"] == "Browning-BTC-8E" and d.loc["KY02", "cameraModel"] == "Bushnell"
    assert d.loc["KY01", "featureType"] == "trailGame" and d.loc["KY01", "baitUse"] is False
    assert d.loc["KY01", "cameraDelay"] == 30 and d.loc["KY01", "countryCode"] == "TH"
    assert "sensor_height:Knee height" in d.loc["KY01", "deploymentTags"]
    assert list(package.media["mediaID"]) == ["i1", "i2", "i3", "i4"]  # one media row per image
    assert str(package.media.set_index("mediaID").loc["i1", "timestamp"]) == "2024-01-02 21:14:05+07:00"
    assert not package.media["filePublic"].any()
    obs = package.observations.set_index("observationID")
    assert list(obs.index) == ["i1:1", "i2:1", "i2:2", "i3:1", "i4:1"]
    assert obs.loc["i1:1", ["scientificName", "count", "lifeStage", "sex", "observationType"]].tolist() == \
        ["Paradoxurus hermaphroditus", 1, "adult", "female", "animal"]
    assert obs.loc["i2:1", "count"] == 2
    assert obs.loc["i2:2", "scientificName"] == "Herpestidae"  # lowest rank given
    assert obs.loc["i3:1", "observationType"] == "blank" and pd.isna(obs.loc["i3:1", "scientificName"])
    assert obs.loc["i4:1", "observationType"] == "human"
    assert pd.isna(obs.loc["i2:1", "lifeStage"])  # "Unknown" is no Camtrap DP value
    meta = package.metadata
    assert meta["project"]["samplingDesign"] == "systematicRandom"
    assert meta["licenses"] == [{"name": "CC-BY-4.0", "scope": "data"}, {"name": "CC-BY-NC-4.0", "scope": "media"}]


def test_failed_camera_worked_until_its_last_image(tmp_path):
    package = read_wildlife_insights(download(tmp_path))
    m = package.malfunctions
    assert list(m["deploymentID"]) == ["KY02"]
    assert str(m["start"].iloc[0]) == "2024-01-07 12:00:00+07:00" and str(m["end"].iloc[0]) == \
        "2024-01-13 09:30:00+07:00"
    days = camera_days(package.deployments, package.malfunctions)
    assert days["KY02"] == pytest.approx(4 + 2.5 / 24)  # 3 Jan 09:30 → 7 Jan 12:00


def test_country_with_several_zones_needs_the_zone(tmp_path):
    path = download(tmp_path, project={**PROJECT, "country_code": "IDN"})
    found, error = problems(path)
    assert found == [("wi-no-timezone", "projects.csv", 2, "country_code", "IDN")]
    assert "Asia/Bangkok" in error.problems[0].message("en")
    assert error.problems[0].message("th") != error.problems[0].message("en")
    package = read_wildlife_insights(path, timezone="Asia/Jakarta")
    assert str(package.media["timestamp"].iloc[0]) == "2024-01-02 21:14:05+07:00"
    package = read_wildlife_insights(path, timezone="Asia/Jayapura")
    assert str(package.media["timestamp"].iloc[0]) == "2024-01-02 21:14:05+09:00"
    assert problems(path, timezone="Mars/Olympus")[0] == [("wi-bad-timezone", "projects.csv", None, None,
                                                          "Mars/Olympus")]


def test_bad_rows_are_named_by_file_row_field_and_value(tmp_path):
    deployments = default_deployments()
    deployments[0]["latitude"] = "14,4381"
    deployments[1]["end_date"] = "2023-12-01 00:00:00"
    images = default_images()
    images[1]["timestamp"] = "10/01/2024 18:00"
    images[3]["deployment_id"] = "KY99"
    images[4]["number_of_objects"] = "1.5"
    found, error = problems(download(tmp_path, deployments=deployments, images=images))
    assert sorted(found, key=str) == sorted([
        ("wi-not-a-number", "deployments.csv", 2, "latitude", "14,4381"),
        ("wi-end-before-start", "deployments.csv", 3, "end_date", "2023-12-01 00:00:00"),
        ("wi-not-a-timestamp", "images.csv", 3, "timestamp", "10/01/2024 18:00"),
        ("wi-unknown-deployment", "images.csv", 5, "deployment_id", "KY99"),
        ("wi-not-a-whole-number", "images.csv", 6, "number_of_objects", "1.5")], key=str)
    message = error.problems[0].message("en")
    assert error.problems[0].file in message and str(error.problems[0].row) in message
    assert error.to_dict("vi")["problems"][0]["message"] != error.to_dict("en")["problems"][0]["message"]


def test_missing_file_and_column(tmp_path):
    assert problems(download(tmp_path, leave_out=("images.csv",)))[0] == [
        ("wi-file-missing", "images.csv", None, None, None)]
    project = {k: v for k, v in PROJECT.items() if k != "country_code"}
    assert problems(download(tmp_path, project=project))[0] == [
        ("wi-column-missing", "projects.csv", None, "country_code", None)]


def test_oversized_member_is_refused_without_reading_it(tmp_path, monkeypatch):
    monkeypatch.setattr(wi, "MAX_FILE_BYTES", 200)
    found, _ = problems(download(tmp_path))
    assert ("wi-file-too-large", "images.csv") in [f[:2] for f in found]


def test_recognised_by_its_files(tmp_path):
    assert is_wildlife_insights(download(tmp_path))
    (tmp_path / "root").mkdir()
    assert is_wildlife_insights(download(tmp_path / "root", folder=""))  # files at the zip's root
    folder = tmp_path / "unzipped"
    with zipfile.ZipFile(download(tmp_path)) as zf:
        zf.extractall(folder)
    assert is_wildlife_insights(folder) and is_wildlife_insights(folder / "ky24")
    assert not is_wildlife_insights(download(tmp_path, leave_out=("images.csv",)))
    (tmp_path / "not.zip").write_bytes(b"not a zip")
    assert not is_wildlife_insights(tmp_path / "not.zip")
    if (OFFICIAL / "example").exists():
        assert not is_wildlife_insights(OFFICIAL / "example")


def test_download_exports_as_valid_camtrap_dp_and_event_archive(tmp_path):
    package = read_wildlife_insights(download(tmp_path))
    folder = write_camtrap_dp(package, tmp_path / "out")
    if OFFICIAL.exists():
        assert validate_offline(folder) == []
    assert "2024-01-02T21:14:05+07:00" in (folder / "media.csv").read_text()
    write_sampling_event_dwca(package, tmp_path / "events.zip")


@pytest.mark.parametrize("name", ["cristales", "cajambre"])
def test_real_downloads(tmp_path, name):
    path = REAL / f"{name}.zip"
    if not path.exists():
        pytest.skip(f"real Wildlife Insights downloads not present at {REAL}")
    assert is_wildlife_insights(path)
    package = read_wildlife_insights(path)  # Colombia has one zone
    with zipfile.ZipFile(path) as zf:
        images = pd.read_csv(zf.open(f"{name}/images.csv"), dtype=str)
        deployments = pd.read_csv(zf.open(f"{name}/deployments.csv"), dtype=str)
    assert len(package.observations) == len(images)
    assert len(package.media) == images["image_id"].nunique()
    assert set(package.deployments["deploymentID"]) == set(deployments["deployment_id"])
    assert str(package.media["timestamp"].iloc[0]).endswith("-05:00")
    # every image inside its deployment, the last day included
    merged = package.media.merge(package.deployments, on="deploymentID")
    assert ((merged["timestamp"] >= merged["deploymentStart"]) & (merged["timestamp"] <= merged["deploymentEnd"])).all()
    if OFFICIAL.exists():
        assert validate_offline(write_camtrap_dp(package, tmp_path / "out")) == []


def test_unreadable_csv_and_two_projects(tmp_path):
    path = download(tmp_path)
    broken = tmp_path / "broken.zip"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(broken, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.endswith("images.csv"):
                data = data + b'2009001,KY01,"i9,never closed\n'
            dst.writestr(info, data)
    found, _ = problems(broken)
    assert [f[:2] for f in found] == [("wi-file-unreadable", "images.csv")]
    path = download(tmp_path)
    projects = csv_text([PROJECT, {**PROJECT, "project_id": "2009002"}], list(PROJECT.keys()))
    folder = tmp_path / "folder"
    with zipfile.ZipFile(path) as zf:
        zf.extractall(folder)
    (folder / "ky24" / "projects.csv").write_text(projects)
    assert problems(folder)[0] == [("wi-projects", "projects.csv", None, None, 2)]


def test_download_is_stored_and_exported(store, tmp_path):
    """The package the reader makes is what the survey store takes (timezoneOffset included), on both stores."""
    from occurrences.camtrap.store import load_survey, save_survey

    result = save_survey(store, read_wildlife_insights(download(tmp_path)), source="wi_download.zip",
                         submitted_by="alice", access="full", status="accepted")
    assert result.survey_id == "2009001" and result.observations == 5
    back = load_survey(store, "2009001", access="full")
    assert str(back.deployments.set_index("deploymentID").loc["KY01", "timezoneOffset"]) == "+07:00"
    folder = write_camtrap_dp(back, tmp_path / "out")
    if OFFICIAL.exists():
        assert validate_offline(folder) == []
    assert "2024-01-02T21:14:05+07:00" in (folder / "media.csv").read_text()  # local time again


def test_images_without_common_names(tmp_path):
    """A download whose common_name and is_blank columns are all empty is read (no name: unknown)."""
    images = [dict(row, common_name="", is_blank="") for row in default_images()]
    obs = read_wildlife_insights(download(tmp_path, images=images)).observations.set_index("observationID")
    assert obs.loc["i1:1", "observationType"] == "animal" and obs.loc["i4:1", "observationType"] == "human"
    assert obs.loc["i3:1", "observationType"] == "unknown"


def test_cli_imports_a_download_and_computes_its_rates(tmp_path):
    """``occurrences import`` recognises the download (a zip of WI's CSVs) and stores it as a survey; the
    civet record is made, rates come out per deployment with the failed camera's lost days subtracted."""
    import json

    from click.testing import CliRunner

    from occurrences.cli import cli

    path, url = download(tmp_path), f"sqlite:///{tmp_path / 'occ.db'}"
    runner = CliRunner()
    done = runner.invoke(cli, ["import", "--db", url, str(path)])
    assert done.exit_code == 0, done.output
    surveys = json.loads(runner.invoke(cli, ["survey", "list", "--db", url, "--json"]).output)
    assert len(surveys) == 1 and surveys[0]["deployments"] == 2
    rows = json.loads(runner.invoke(cli, ["effort", "--db", url, "--format", "json",
                                          "--species", "Paradoxurus hermaphroditus"]).output)
    direct = json.loads(runner.invoke(cli, ["effort", str(path), "--format", "json",
                                            "--species", "Paradoxurus hermaphroditus"]).output)
    assert [(r["deploymentID"], r["detections"]) for r in rows] == [(r["deploymentID"], r["detections"])
                                                                     for r in direct]
    assert sum(r["detections"] for r in rows) >= 1
    (tmp_path / "idn").mkdir()
    idn = download(tmp_path / "idn", project={**PROJECT, "country_code": "IDN"})
    refused = runner.invoke(cli, ["import", "--db", url, str(idn)])
    assert refused.exit_code == 1 and "Asia/Bangkok" in refused.output
    again = runner.invoke(cli, ["import", "--db", url, "--timezone", "Asia/Jakarta", str(idn)])
    assert again.exit_code == 1 and "already stored" in again.output  # the same project id: refused, not doubled
    other = f"sqlite:///{tmp_path / 'other.db'}"
    assert runner.invoke(cli, ["import", "--db", other, "--timezone", "Asia/Jakarta", str(idn)]).exit_code == 0
