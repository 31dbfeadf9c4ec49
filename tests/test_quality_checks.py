"""Checks that need no boundaries: dates, uncertainty, species per country, duplicates; plus the flag docs."""
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from occurrences import flags
from occurrences.flags import ERROR, WARNING
from occurrences.quality import check_batch
from occurrences.quality.distance import haversine_km
from occurrences.records import GEOSPATIAL_ISSUES

TODAY = date(2025, 1, 1)
DOCS = Path(__file__).resolve().parents[1] / "docs" / "flags.md"


def dates(values, **kw):
    return check_batch({"eventDate": values}, today=TODAY, **kw)


def without_missing_coordinates(result, keys=("row", "field", "code")):
    """flatten(), leaving out COORDINATE_MISSING (these batches have no coordinates on purpose)."""
    return [r[:-1] for r in result.flatten(keys + ("code",)) if r[-1] != "COORDINATE_MISSING"]


@pytest.mark.parametrize("value, code, suggested", [
    ("2567-03-15", "RECORDED_DATE_BUDDHIST_ERA", "2024-03-15"),
    ("2567-02-29", "RECORDED_DATE_BUDDHIST_ERA", "2024-02-29"),  # valid BE leap day, not a CE date
    ("2566-01/2566-02", "RECORDED_DATE_BUDDHIST_ERA", "2023-01/2023-02"),
    ("2567", "RECORDED_DATE_BUDDHIST_ERA", "2024"),
    ("2030-01-01", "RECORDED_DATE_IN_FUTURE", None),
    ("2025-01-02", "RECORDED_DATE_IN_FUTURE", None),
    ("2600-01-01", "RECORDED_DATE_IN_FUTURE", None),  # BE 2600 is CE 2057: still the future
    ("1650-05-01", "RECORDED_DATE_UNLIKELY", None),
    ("2024-13-01", "RECORDED_DATE_INVALID", None),
    ("15/03/2024", "RECORDED_DATE_INVALID", None),
])
def test_bad_dates(value, code, suggested):
    result = dates([value])
    assert without_missing_coordinates(result, ("row", "field", "code", "value")) == [[1, "eventDate", code, value]]
    flag = result.rows[0][-1]
    assert flag.suggestion == ({"eventDate": suggested} if suggested else None)
    if suggested:
        assert flag.message() == (f"The year in {value!r} looks like a Buddhist Era year (BE = CE + 543). "
                                  f"Did you mean {suggested}?")
    assert result.rejected[0] == (flag.severity == ERROR)


@pytest.mark.parametrize("value", ["2025-01-01", "2024", "1700-01-01", "2020-02/2020-05", None, "", "  "])
def test_good_or_empty_dates_have_no_flag(value):
    assert without_missing_coordinates(dates([value])) == []


def test_year_column_stands_in_for_an_empty_event_date():
    result = check_batch({"eventDate": [None, "2020-01-01"], "year": [2567, 2566]}, today=TODAY)
    assert without_missing_coordinates(result) == [[1, "eventDate", "RECORDED_DATE_BUDDHIST_ERA"]]
    assert result.rows[0][-1].suggestion == {"eventDate": "2024"}


def test_future_message_names_today():
    assert dates(["2030-01-01"]).rows[0][-1].message() == \
        "The date '2030-01-01' is in the future (today is 2025-01-01). Check the year."


@pytest.mark.parametrize("value, flagged", [(30, False), ("250", False), (None, False), ("", False), (0, True),
                                            (-5, True), ("abc", True), (6_000_000, True)])
def test_coordinate_uncertainty(value, flagged):
    result = check_batch({"coordinateUncertaintyInMeters": [value]})
    expected = [[1, "coordinateUncertaintyInMeters", "COORDINATE_UNCERTAINTY_METERS_INVALID"]] if flagged else []
    assert without_missing_coordinates(result) == expected
    assert not result.rejected.any()  # a warning: stored with the flag


CHECKLIST = {"Arctonyx collaris": {"TH", "VN", "KH", "LA", "MM"}, "Mustela strigidorsa": {"TH", "LA", "MM", "VN"}}


@pytest.mark.parametrize("checklist", [CHECKLIST, CHECKLIST.get])
def test_species_not_known_from_country(checklist):
    cols = {"scientificName": ["Mustela strigidorsa", "Mustela strigidorsa ", "Arctonyx collaris", "Unknown sp.",
                               "Mustela strigidorsa"],
            "countryCode": ["KH", "LA", "KH", "KH", None]}
    result = check_batch(cols, species_countries=checklist)
    assert without_missing_coordinates(result) == [[1, "scientificName", "TAXON_NOT_KNOWN_FROM_COUNTRY"]]
    flag = result.rows[0][-1]
    assert flag.severity == WARNING
    assert flag.message() == ("Mustela strigidorsa is not known from Cambodia (KH) in the checklist; it is known "
                              "from: LA, MM, TH, VN. Check the identification and the location.")


def test_species_check_uses_the_derived_country():
    cols = {"scientificName": ["Mustela strigidorsa"], "decimalLatitude": [13.36], "decimalLongitude": [103.86]}
    result = check_batch(cols, species_countries=CHECKLIST)
    assert result.codes(0) == ["COUNTRY_DERIVED_FROM_COORDINATES", "TAXON_NOT_KNOWN_FROM_COUNTRY"]


def batch(rows):
    """rows: (name, date, lat, lon, recorder)."""
    keys = ("scientificName", "eventDate", "decimalLatitude", "decimalLongitude", "recordedBy")
    return {k: [r[i] for r in rows] for i, k in enumerate(keys)}


def test_duplicates_inside_a_batch():
    # 0.0005° of latitude is 55 m; 0.0015° is 166 m.
    rows = [("Paradoxurus hermaphroditus", "2024-03-01", 14.4400, 101.3700, "A. Chan"),
            ("Paradoxurus hermaphroditus", "2024-03-01", 14.4405, 101.3700, "a. chan "),  # 55 m: duplicate of 1
            ("Paradoxurus hermaphroditus", "2024-03-01", 14.4415, 101.3700, "A. Chan"),  # 166 m from 1, 111 from 2
            ("Paradoxurus hermaphroditus", "2024-03-02", 14.4400, 101.3700, "A. Chan"),  # other day
            ("Paradoxurus hermaphroditus", "2024-03-01", 14.4400, 101.3700, "B. Lee"),  # other recorder
            ("paradoxurus hermaphroditus", "2024-03-01", 14.4400, 101.3700, "A. Chan"),  # copy of 1
            ("Viverra zibetha", "2024-03-01", 14.4400, 101.3700, "A. Chan")]  # other species
    result = check_batch(batch(rows))
    assert [r for r in result.flatten() if r[2].startswith("DUPLICATE")] == [
        [2, None, "DUPLICATE_IN_BATCH"], [6, None, "DUPLICATE_IN_BATCH"]]
    assert result.rows[1][-1].params == {"other_row": 1, "distance_m": 56}
    assert result.rows[5][-1].params == {"other_row": 1, "distance_m": 0}
    assert not result.rejected.any()


def test_duplicates_across_a_cell_edge():
    # 100 m cells: these two points are 20 m apart on either side of a cell boundary in longitude.
    cell_deg = 100 / (111_320 * 0.96923)  # cos(14.24°)
    edge = 1000 * cell_deg
    rows = [("Martes flavigula", "2024-01-01", 14.24, edge - 0.0001, "X"),
            ("Martes flavigula", "2024-01-01", 14.24, edge + 0.0001, "X")]
    result = check_batch(batch(rows))
    assert [r[2] for r in result.flatten() if r[2].startswith("DUPLICATE")] == ["DUPLICATE_IN_BATCH"]


@pytest.mark.parametrize("as_columns", [False, True])
def test_duplicates_against_stored_records(as_columns):
    stored = [("Martes flavigula", "2024-01-01", 18.7900, 98.9800, "X", "occ-1"),
              ("Martes flavigula", "2024-01-01", 18.8000, 98.9800, "X", "occ-2")]
    if as_columns:
        keys = ("scientificName", "eventDate", "decimalLatitude", "decimalLongitude", "recordedBy", "occurrenceID")
        stored = {k: [r[i] for r in stored] for i, k in enumerate(keys)}
    rows = [("Martes flavigula", "2024-01-01", 18.7903, 98.9800, "x"),  # 33 m from occ-1
            ("Martes flavigula", "2024-01-01", 18.7950, 98.9800, "X"),  # 550 m from both
            ("Martes flavigula", "2024-01-02", 18.8000, 98.9800, "X")]  # other day
    result = check_batch(batch(rows), existing=stored)
    dups = [f for flags_ in result.rows for f in flags_ if f.code == "DUPLICATE_OF_STORED_RECORD"]
    assert [(f.row, f.params["other_id"], f.params["distance_m"]) for f in dups] == [(1, "occ-1", 33)]
    assert "stored record occ-1" in dups[0].message()


def test_columns_of_different_length_are_a_clear_error():
    from occurrences.errors import InvalidParameter

    with pytest.raises(InvalidParameter, match="same length"):
        check_batch({"eventDate": ["2020"], "countryCode": ["TH", "VN"]})


def test_every_flag_is_documented_and_the_doc_is_in_sync():
    table = flags.markdown_table()
    assert DOCS.read_text("utf-8") == table, "regenerate with: python -m occurrences.flags > docs/flags.md"
    for code in ("COUNTRY_COORDINATE_MISMATCH", "RECORDED_DATE_BUDDHIST_ERA", "DUPLICATE_IN_BATCH"):
        assert f"`{code}`" in table


def test_geospatial_flags_are_exactly_gbifs_rules():
    flags.markdown_table()  # imports every module that defines flags
    assert {c for c, t in flags.REGISTRY.items() if t.geospatial} == GEOSPATIAL_ISSUES


def test_message_parameters_that_are_phrases_are_translated(monkeypatch):
    from occurrences import flags as flags_module

    monkeypatch.setattr(flags_module, "translate",
                        lambda lang, text, **p: ("THE SEA" if (lang, text) == ("xx", "the sea") else text).format(**p))
    flag = flags_module.Flag("COORDINATE_NEAR_BORDER", params={
        "lat": 1, "lon": 2, "distance_km": 1.0, "country": "Thailand", "country_code": "TH",
        "located": flags_module.Phrase("the sea"), "tolerance_km": 5.0})
    assert "in THE SEA" in flag.message("xx")
    assert "in the sea" in flag.message("en")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["A a", "B b"]), st.sampled_from(["2024-01-01", "2024-01-02"]),
                          st.floats(0, 0.004), st.floats(0, 0.004), st.sampled_from(["x", "y"])),
                min_size=1, max_size=60))
def test_batch_duplicates_agree_with_brute_force(rows):
    rows = [(n, dt, 17.0 + dlat, 100.0 + dlon, r) for n, dt, dlat, dlon, r in rows]
    result = check_batch(batch(rows))
    flagged = {f.row - 1 for fl in result.rows for f in fl if f.code == "DUPLICATE_IN_BATCH"}
    lat = np.array([r[2] for r in rows])
    lon = np.array([r[3] for r in rows])
    expected = set()
    for j in range(len(rows)):
        for i in range(j):
            same = rows[i][0] == rows[j][0] and rows[i][1] == rows[j][1] and rows[i][4] == rows[j][4]
            if same and haversine_km(lon[i], lat[i], lon[j], lat[j]) * 1000 <= 100:
                expected.add(j)
                break
    assert flagged == expected


def test_country_code_is_checked_without_coordinates_and_missing_values_are_blank():
    import pandas as pd

    result = check_batch({"countryCode": ["XX", pd.NA, None, float("nan"), "TH"]})
    assert without_missing_coordinates(result) == [[1, "countryCode", "COUNTRY_INVALID"]]
