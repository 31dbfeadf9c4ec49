"""Sampling-event Darwin Core Archive out: python-dwca-reader reads it back with every link intact, effort on
every deployment event, occurrences and measurements where the package has them."""
from __future__ import annotations

import pandas as pd
import pytest
from dwca.read import DwCAReader

from occurrences.camtrap.dwca import write_sampling_event_dwca
from occurrences.camtrap.effort import camera_days

from .camtrap_support import read_example, small_survey

DWC = "http://rs.tdwg.org/dwc/terms/"


def read_back(path):
    with DwCAReader(str(path)) as archive:
        assert archive.descriptor.core.type == DWC + "Event"
        assert sorted(e.type for e in archive.descriptor.extensions) == [DWC + "MeasurementOrFact",
                                                                          DWC + "Occurrence"]
        events = {row.id: {k.rsplit("/", 1)[-1]: v for k, v in row.data.items()} for row in archive}
        extension_rows = [(e.rowtype.rsplit("/", 1)[-1], e.core_id,
                           {k.rsplit("/", 1)[-1]: v for k, v in e.data.items()})
                          for row in archive for e in row.extensions]
        # every extension row, read from its own file, names a core row
        for ext in archive.descriptor.extensions:
            ids = pd.read_csv(archive.absolute_temporary_path(ext.file_location), sep="\t", dtype=str)["eventID"]
            assert set(ids) <= set(events), ext.file_location
    return events, extension_rows


@pytest.mark.parametrize("make", [small_survey, read_example], ids=["small survey", "official example"])
def test_archive_reads_back_with_links_and_effort(tmp_path, make):
    package = make()
    events, rows = read_back(write_sampling_event_dwca(package, tmp_path / "events.zip"))
    deployments = set(package.deployments["deploymentID"])
    survey = str(package.metadata["project"].get("id"))
    assert set(events) == deployments | {survey}
    days = camera_days(package.deployments, package.malfunctions)
    for deployment in deployments:
        event = events[deployment]
        assert event["parentEventID"] == survey
        assert event["samplingProtocol"] == "camera trap"
        assert event["sampleSizeUnit"] == "camera-days"
        assert float(event["sampleSizeValue"]) == pytest.approx(days[deployment], abs=1e-3)
        assert event["samplingEffort"]
        row = package.deployments.set_index("deploymentID").loc[deployment]
        # coordinates exactly as the package gives them (generalised upstream for sensitive species)
        assert float(event["decimalLatitude"]) == float(row["latitude"])
        assert float(event["decimalLongitude"]) == float(row["longitude"])
    obs = package.observations
    animals = obs[obs["observationType"] == "animal"]
    if (animals["observationLevel"] == "event").any():
        animals = animals[animals["observationLevel"] == "event"]
    occurrences = [r for r in rows if r[0] == "Occurrence"]
    assert len(occurrences) == len(animals)
    assert {r[2]["occurrenceID"] for r in occurrences} == set(animals["observationID"])
    for _, core_id, data in occurrences:
        assert core_id in deployments and data["eventID"] == core_id
        assert data["basisOfRecord"] == "MachineObservation" and data["occurrenceStatus"] == "present"
    facts = [r for r in rows if r[0] == "MeasurementOrFact"]
    assert {r[1] for r in facts if r[2]["measurementType"] == "camera-days"} == deployments
    assert {r[1] for r in facts if r[2]["measurementType"] == "camera height"} == \
        set(package.deployments.dropna(subset=["cameraHeight"])["deploymentID"])


def test_small_survey_details(tmp_path):
    events, rows = read_back(write_sampling_event_dwca(small_survey(), tmp_path / "events.zip"))
    assert events["survey-1"]["sampleSizeValue"] == "18"  # 10 + (10 - 2 malfunction days)
    assert events["survey-1"]["eventDate"] == "2024-01-01T08:00:00+07:00/2024-01-13T09:30:00+07:00"
    assert events["d2"]["sampleSizeValue"] == "8"
    assert "2 days" in events["d2"]["samplingEffort"]
    assert events["d1"]["eventRemarks"] == "'=1+1 is text here"  # spreadsheet formula neutralised
    binturong = next(r[2] for r in rows if r[0] == "Occurrence" and r[2]["occurrenceID"] == "o2")
    assert (binturong["scientificName"], binturong["individualCount"], binturong["sex"]) == \
        ("Arctictis binturong", "2", "female")
    assert binturong["eventDate"] == "2024-01-02T21:14:07+07:00"
    bait = {r[1]: r[2]["measurementValue"] for r in rows if r[0] == "MeasurementOrFact"
            and r[2]["measurementType"] == "bait use"}
    assert bait == {"d1": "false", "d2": "true"}


def test_effort_text_in_the_archive_language(tmp_path):
    english, _ = read_back(write_sampling_event_dwca(small_survey(), tmp_path / "en.zip"))
    thai, _ = read_back(write_sampling_event_dwca(small_survey(), tmp_path / "th.zip", lang="th"))
    assert thai["d1"]["samplingEffort"] != english["d1"]["samplingEffort"]
    assert "2024-01-01T08:00:00+07:00" in thai["d1"]["samplingEffort"]


def test_without_a_survey_id_there_is_no_parent_event(tmp_path):
    package = small_survey()
    del package.metadata["project"]["id"]
    events, rows = read_back(write_sampling_event_dwca(package, tmp_path / "events.zip"))
    assert set(events) == {"d1", "d2"}
    assert all(not e.get("parentEventID") for e in events.values())
