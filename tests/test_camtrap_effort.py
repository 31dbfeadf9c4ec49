"""Camera-trap effort and detection rates, against figures computed by hand."""
from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from occurrences.camtrap.effort import camera_days, detection_rates, independent_detections
from occurrences.camtrap.model import CamtrapPackage

CIVET, MARTEN = "Paradoxurus hermaphroditus", "Martes flavigula"


def deployments(*rows) -> pd.DataFrame:
    return pd.DataFrame([{"deploymentID": d, "deploymentStart": s, "deploymentEnd": e, "countryCode": cc,
                          "stateProvince": prov} for d, s, e, cc, prov in rows])


def obs(rows) -> pd.DataFrame:
    out = []
    for i, (dep, name, start, level) in enumerate(rows):
        out.append({"observationID": f"o{i}", "deploymentID": dep, "eventStart": start, "eventEnd": start,
                    "observationLevel": level, "observationType": "animal" if name else "blank",
                    "scientificName": name})
    return pd.DataFrame(out)


DEPS = deployments(("A", "2024-01-01T00:00:00+07:00", "2024-01-11T00:00:00+07:00", "TH", "Tak"),  # 10 days
                   ("B", "2024-01-01T00:00:00+07:00", "2024-01-21T00:00:00+07:00", "TH", "Tak"),  # 20 days
                   ("C", "2024-01-01T00:00:00+07:00", "2024-01-06T00:00:00+07:00", "LA", None))   # 5 days


def test_camera_days_subtract_clipped_merged_malfunctions():
    m = pd.DataFrame({"deploymentID": ["A", "A", "A", "B"],
                      "start": ["2024-01-02T00:00:00+07:00", "2024-01-03T00:00:00+07:00",
                                "2024-01-09T00:00:00+07:00", "2023-12-01T00:00:00Z"],
                      "end": ["2024-01-04T00:00:00+07:00", "2024-01-05T00:00:00+07:00",
                              "2024-02-01T00:00:00+07:00", "2024-01-02T00:00:00+07:00"]})
    days = camera_days(DEPS, m)
    # A: 10 − (2nd..5th merged = 3) − (9th..11th clipped = 2) = 5; B: 20 − 1; C untouched
    assert days.to_dict() == {"A": 5.0, "B": 19.0, "C": 5.0}


def test_records_within_the_threshold_are_one_detection_and_the_edge_is_inclusive():
    o = obs([("A", CIVET, "2024-01-02T01:00:00+07:00", "media"),
             ("A", CIVET, "2024-01-02T01:30:00+07:00", "media"),   # exactly 30 min later: same detection
             ("A", CIVET, "2024-01-02T02:00:01+07:00", "media"),   # 30 min 1 s after the previous: new
             ("A", MARTEN, "2024-01-02T01:10:00+07:00", "media"),  # another species: its own detection
             ("B", CIVET, "2024-01-02T01:05:00+07:00", "media"),   # another deployment: its own
             ("A", None, "2024-01-02T03:00:00+07:00", "media")])   # blank: nothing
    found = independent_detections(o).set_index(["deploymentID", "scientificName"])["detections"].to_dict()
    assert found == {("A", CIVET): 2, ("A", MARTEN): 1, ("B", CIVET): 1}
    wider = independent_detections(o, pd.Timedelta(hours=2))
    assert wider.set_index(["deploymentID", "scientificName"])["detections"].to_dict()[("A", CIVET)] == 1


def test_event_level_observations_are_not_counted_again_at_media_level():
    o = obs([("A", CIVET, "2024-01-02T01:00:00+07:00", "event"),
             ("A", CIVET, "2024-01-02T01:00:00+07:00", "media"),
             ("A", CIVET, "2024-01-03T01:00:00+07:00", "media"),  # media-only rows of a deployment with events
             ("B", CIVET, "2024-01-02T01:00:00+07:00", "media"),
             ("B", CIVET, "2024-01-04T01:00:00+07:00", "media")])
    found = independent_detections(o).set_index("deploymentID")["detections"].to_dict()
    assert found == {"A": 1, "B": 2}


def package(o, scope=None) -> CamtrapPackage:
    meta = {"taxonomic": [{"scientificName": n} for n in scope]} if scope else {}
    return CamtrapPackage(meta, DEPS, pd.DataFrame(), o)


OBS = obs([("A", CIVET, "2024-01-02T01:00:00+07:00", "media"),
           ("A", CIVET, "2024-01-05T01:00:00+07:00", "media"),
           ("B", CIVET, "2024-01-02T01:00:00+07:00", "media")])


def test_rates_per_deployment_and_non_detections_only_where_the_scope_is_declared():
    plain = detection_rates(package(OBS))
    assert plain[["deploymentID", "detections", "cameraDays", "ratePer100CameraDays"]].values.tolist() == [
        ["A", 2, 10.0, 20.0], ["B", 1, 20.0, 5.0]]
    assert plain["detected"].all()  # no scope: nothing is said of C or of the marten
    scoped = detection_rates(package(OBS, [CIVET, MARTEN]))
    rows = {(r.deploymentID, r.scientificName): (r.detections, r.detected) for r in scoped.itertuples()}
    assert rows[("C", CIVET)] == (0, False) and rows[("A", MARTEN)] == (0, False)
    assert rows[("A", CIVET)] == (2, True) and len(rows) == 6


def test_non_detections_are_said_of_species_not_of_higher_taxa():
    # the official example declares Aves and Ardea beside its species: "no Aves" would be false at a station whose
    # birds were all named to species; only species (by rank, or a two-word name without one) get non-detections
    meta = {"taxonomic": [{"scientificName": CIVET, "taxonRank": "species"},
                          {"scientificName": "Aves", "taxonRank": "class"},
                          {"scientificName": "Martes", "taxonRank": "genus"},
                          {"scientificName": "Viverridae"},        # no rank, one word: not a species
                          {"scientificName": MARTEN}]}             # no rank, a binomial: a species
    rates = detection_rates(CamtrapPackage(meta, DEPS, pd.DataFrame(), OBS))
    absent = set(rates.loc[~rates["detected"], "scientificName"])
    assert absent == {CIVET, MARTEN}
    assert len(rates[rates["scientificName"] == MARTEN]) == 3  # every station with effort


def test_province_and_country_sum_detections_and_effort_before_dividing():
    by_province = detection_rates(package(OBS), by="province")
    th = by_province[by_province["stateProvince"] == "Tak"].iloc[0]
    assert (th.detections, th.cameraDays, th.ratePer100CameraDays) == (3, 30.0, 10.0)  # not mean(20, 5)
    by_country = detection_rates(package(OBS, [CIVET]), by="country").set_index("countryCode")
    assert by_country.loc["LA", "detected"] == False and by_country.loc["LA", "cameraDays"] == 5.0  # noqa: E712
    assert by_country.loc["TH", "ratePer100CameraDays"] == 10.0


def test_a_group_divides_each_species_by_the_effort_of_the_surveys_that_recorded_or_looked_for_it():
    # Tak: s1 (no declared scope) saw the civet twice at A (10 days); s2 looked for the marten only, at B (20 days).
    # s2's cameras may have seen civets nobody recorded: Tak's civet rate is 2 per 10 days, not 2 per 30.
    dep = pd.concat([DEPS.iloc[[0]].assign(surveyID="s1"), DEPS.iloc[[1]].assign(surveyID="s2")], ignore_index=True)
    o = OBS.iloc[[0, 1]].assign(surveyID="s1")
    meta = {"surveys": [{"id": "s1"}, {"id": "s2", "taxonomic": [{"scientificName": MARTEN}]}]}
    rates = detection_rates(CamtrapPackage(meta, dep, pd.DataFrame(), o), by="province").set_index("scientificName")
    assert rates.loc[CIVET, ["detections", "cameraDays", "ratePer100CameraDays"]].tolist() == [2, 10.0, 20.0]
    assert rates.loc[MARTEN, ["detections", "cameraDays", "detected"]].tolist() == [0, 20.0, False]


def test_surveys_mixed_keep_their_own_scope_and_deployment_names():
    dep = pd.concat([DEPS.assign(surveyID="s1"), DEPS.iloc[:1].assign(surveyID="s2")], ignore_index=True)
    o = pd.concat([OBS.assign(surveyID="s1"), OBS.iloc[:1].assign(surveyID="s2")], ignore_index=True)
    meta = {"surveys": [{"id": "s1", "taxonomic": [{"scientificName": MARTEN}]}, {"id": "s2"}]}
    rates = detection_rates(CamtrapPackage(meta, dep, pd.DataFrame(), o))
    rows = {(r.surveyID, r.deploymentID, r.scientificName): r.detections for r in rates.itertuples()}
    assert rows[("s2", "A", CIVET)] == 1 and rows[("s1", "A", CIVET)] == 2
    assert ("s1", "C", MARTEN) in rows and not any(k[0] == "s2" and k[2] == MARTEN for k in rows)
    by_survey = detection_rates(CamtrapPackage(meta, dep, pd.DataFrame(), o), by="survey")
    assert by_survey.set_index(["surveyID", "scientificName"]).loc[("s2", CIVET), "cameraDays"] == 10.0


def synthetic(deployments_n: int, observations_n: int, seed: int = 3) -> CamtrapPackage:
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2024-01-01T00:00:00+07:00")
    ids = np.array([f"d{i}" for i in range(deployments_n)], dtype=object)
    dep = pd.DataFrame({"deploymentID": ids, "deploymentStart": start,
                        "deploymentEnd": start + pd.to_timedelta(rng.integers(5, 90, deployments_n), "D"),
                        "countryCode": rng.choice(["TH", "VN", "LA", "KH", "MM"], deployments_n),
                        "stateProvince": rng.choice(["p1", "p2", "p3"], deployments_n)})
    t = start + pd.to_timedelta(rng.integers(0, 5 * 86400, observations_n), "s")
    o = pd.DataFrame({"observationID": np.arange(observations_n).astype(str),
                      "deploymentID": ids[rng.integers(0, deployments_n, observations_n)],
                      "eventStart": t, "observationLevel": "media", "observationType": "animal",
                      "scientificName": rng.choice([CIVET, MARTEN, "Arctictis binturong"], observations_n)})
    return CamtrapPackage({}, dep, pd.DataFrame(), o)


def test_rates_for_10k_deployments_take_under_a_second():
    pkg = synthetic(10_000, 200_000)
    detection_rates(pkg)  # warm-up (pandas imports)
    t = time.perf_counter()
    rates = detection_rates(pkg)
    assert time.perf_counter() - t < 1.0
    assert rates["detections"].sum() <= 200_000 and rates["deploymentID"].nunique() <= 10_000
