"""Country, border, coast, swap/negation, sea, region, centroid and capital checks on real Natural Earth data.

Coordinates below were checked against the built boundaries; distances in comments are to the named country.
"""
from datetime import date

import numpy as np
import pytest

from occurrences.flags import ERROR, WARNING
from occurrences.quality import check_batch, load_boundaries

TODAY = date(2025, 1, 1)


@pytest.fixture(scope="module")
def boundaries():
    return load_boundaries()


def run(boundaries, points, **kw):
    """points: [(lat, lon, countryCode)] → BatchFlags."""
    cols = {"decimalLatitude": [p[0] for p in points], "decimalLongitude": [p[1] for p in points],
            "countryCode": [p[2] for p in points]}
    return check_batch(cols, boundaries=boundaries, today=TODAY, **kw)


def codes(result, i=0):
    return result.codes(i)


@pytest.mark.parametrize("lat, lon, country", [
    (14.44, 101.37, "TH"),  # Khao Yai
    (18.79, 98.98, "TH"),  # Chiang Mai
    (20.32, 105.61, "VN"),  # Cuc Phuong
    (11.94, 108.44, "VN"),  # Da Lat
    (13.36, 103.86, "KH"),  # Siem Reap
    (19.89, 102.13, "LA"),  # Luang Prabang
    (21.96, 96.09, "MM"),  # Mandalay
    (12.50, 98.35, "MM"),  # Kadan Kyun, Mergui archipelago (on land in NE)
    (9.50, 100.00, "TH"),  # Ko Samui interior
])
def test_points_inside_their_country_have_no_flags(boundaries, lat, lon, country):
    result = run(boundaries, [(lat, lon, country)])
    assert result.rows == [[]]
    assert list(result.located_country) == [country]
    assert not result.rejected[0]


@pytest.mark.parametrize("lat, lon, declared, located", [
    (17.86, 102.74, "LA", "Thailand"),  # Nong Khai, 3.0 km from LA across the Mekong
    (16.56, 104.76, "TH", "Laos"),  # Savannakhet, 1.2 km from TH across the Mekong
    (13.66, 102.56, "TH", "Cambodia"),  # Poipet, 2.0 km
    (16.69, 98.51, "MM", "Thailand"),  # Moei river at Myawaddy, 1.9 km
    (20.43, 99.89, "MM", "Thailand"),  # Mae Sai, 0.8 km
    (20.45, 99.88, "TH", "Myanmar"),  # Tachileik, 1.6 km
    (11.06, 106.13, "VN", "Cambodia"),  # Bavet, 2.2 km
    (16.62, 106.61, "LA", "Vietnam"),  # Lao Bao, 2.6 km
    (21.18, 101.67, "LA", "China"),  # Boten/Mohan, 0.2 km
    (21.95, 106.70, "CN", "Vietnam"),  # Dong Dang, 2.7 km
    (6.50, 100.42, "TH", "Malaysia"),  # Bukit Kayu Hitam, 1.6 km
    (20.86, 92.30, "MM", "Bangladesh"),  # Teknaf, 2.6 km
    (24.22, 94.30, "IN", "Myanmar"),  # Tamu, 3.6 km
    (14.395, 106.22, "LA", "Cambodia"),  # 1.8 km
    (14.395, 106.18, "KH", "Laos"),  # 1.8 km
    (20.884, 100.539, "MM", "Laos"),  # Mekong above the Golden Triangle, 1.0 km
    (20.884, 100.499, "LA", "Myanmar"),  # 1.8 km
    (23.944, 97.498, "CN", "Myanmar"),  # near Muse/Ruili, 1.9 km
    (23.944, 97.538, "MM", "China"),  # 1.5 km
])
def test_just_across_a_border_is_a_warning_naming_both_countries(boundaries, lat, lon, declared, located):
    result = run(boundaries, [(lat, lon, declared)])
    assert codes(result) == ["COORDINATE_NEAR_BORDER"]
    flag = result.rows[0][0]
    assert flag.severity == WARNING and flag.field == "countryCode" and flag.value == declared
    assert flag.params["located"] == located
    assert 0 < flag.params["distance_km"] <= 5
    assert f"in {located}" in flag.message()
    assert not result.rejected[0]


@pytest.mark.parametrize("lat, lon, declared, located, km, extra", [
    (16.72, 98.57, "MM", "Thailand", 9.0, []),  # Mae Sot
    (6.64, 100.42, "MY", "Thailand", 12.9, []),  # Sadao
    (11.40, 103.00, "TH", "Cambodia", 28.9, []),  # Koh Kong province
    (22.10, 106.75, "VN", "China", 8.1, ["COORDINATE_OUTSIDE_REGION"]),  # Pingxiang
])
def test_beyond_the_tolerance_is_a_mismatch_error(boundaries, lat, lon, declared, located, km, extra):
    result = run(boundaries, [(lat, lon, declared)])
    assert codes(result) == ["COUNTRY_COORDINATE_MISMATCH"] + extra
    flag = result.rows[0][0]
    assert flag.severity == ERROR and result.rejected[0]
    assert flag.params["located"] == located
    assert flag.params["distance_km"] == pytest.approx(km, abs=0.3)
    assert flag.message().startswith(f"The point ({lat}, {lon}) is {flag.params['distance_km']} km outside")
    assert f"in {located}." in flag.message()


def test_tolerance_is_configurable(boundaries):
    mae_sot = [(16.72, 98.57, "MM")]  # 9 km from Myanmar
    assert codes(run(boundaries, mae_sot, tolerance_km=10)) == ["COORDINATE_NEAR_BORDER"]
    assert codes(run(boundaries, mae_sot, tolerance_km=5)) == ["COUNTRY_COORDINATE_MISMATCH"]


@pytest.mark.parametrize("lat, lon, country", [
    (10.22, 103.96, "VN"),  # Phu Quoc: the 1:10m coastline puts Duong Dong 0.2 km offshore
    (10.30, 103.84, "VN"),  # Phu Quoc west coast, 3.0 km
    (9.535, 99.935, "TH"),  # Ko Samui west coast, 0.2 km
    (11.30, 103.05, "KH"),  # Koh Kong island, 0.2 km
    (10.88, 98.25, "MM"),  # Lanbi Kyun, Mergui archipelago, 2.2 km
])
def test_coastal_and_island_records_are_kept_with_a_warning(boundaries, lat, lon, country):
    result = run(boundaries, [(lat, lon, country)])
    assert codes(result) == ["COORDINATE_NEAR_BORDER"]
    assert result.rows[0][0].params["located"] == "the sea"
    assert not result.rejected[0]


def test_island_record_without_country_gets_the_nearest_country(boundaries):
    result = run(boundaries, [(10.22, 103.96, None), (9.50, 100.00, "")])
    assert codes(result, 0) == ["COUNTRY_DERIVED_FROM_COORDINATES"]
    assert codes(result, 1) == ["COUNTRY_DERIVED_FROM_COORDINATES"]
    assert list(result.derived_country) == ["VN", "TH"]
    assert result.rows[0][0].suggestion == {"countryCode": "VN"}
    assert result.rows[1][0].message() == ("countryCode is empty; the coordinates are in Thailand (TH). "
                                           "Fill in countryCode TH if that is right.")


@pytest.mark.parametrize("lat, lon, code, field, fixed", [
    (100.5, 13.75, "PRESUMED_SWAPPED_COORDINATE", "decimalLatitude", (13.75, 100.5)),  # also out of range
    (101.37, 14.44, "PRESUMED_SWAPPED_COORDINATE", "decimalLatitude", (14.44, 101.37)),
    (-14.44, 101.37, "PRESUMED_NEGATED_LATITUDE", "decimalLatitude", (14.44, 101.37)),
    (14.44, -101.37, "PRESUMED_NEGATED_LONGITUDE", "decimalLongitude", (14.44, 101.37)),
])
def test_swapped_and_negated_coordinates_suggest_the_fix(boundaries, lat, lon, code, field, fixed):
    result = run(boundaries, [(lat, lon, "TH")])
    assert [[f.field, f.code] for f in result.rows[0]] == [[field, code]]
    flag = result.rows[0][0]
    assert flag.severity == WARNING  # stored corrected and sent to review (ingest), not refused
    assert flag.suggestion == {"decimalLatitude": fixed[0], "decimalLongitude": fixed[1]}
    assert f"({fixed[0]}, {fixed[1]})" in flag.message()


def test_both_signs_negated(boundaries):
    result = run(boundaries, [(-19.89, -102.13, "LA")])
    assert codes(result) == ["PRESUMED_NEGATED_LATITUDE", "PRESUMED_NEGATED_LONGITUDE"]
    assert all(f.suggestion == {"decimalLatitude": 19.89, "decimalLongitude": 102.13} for f in result.rows[0])


def test_out_of_range_without_an_explanation_stays_out_of_range(boundaries):
    result = run(boundaries, [(95.0, 100.0, "TH"), (14.0, 200.0, None)])
    assert result.flatten() == [[1, "decimalLatitude", "COORDINATE_OUT_OF_RANGE"],
                                [2, "decimalLongitude", "COORDINATE_OUT_OF_RANGE"]]
    assert result.rejected.tolist() == [True, True]


def test_zero_coordinates_are_rejected_and_not_checked_further(boundaries):
    result = run(boundaries, [(0, 0, "TH"), (0.0, 100.5, "TH"), (0.3, 0.2, None)])
    assert result.flatten() == [[1, "decimalLatitude", "ZERO_COORDINATE"], [2, "decimalLatitude", "ZERO_COORDINATE"],
                                [3, "decimalLatitude", "ZERO_COORDINATE"]]
    assert result.rejected.all()


def test_missing_incomplete_and_unreadable_coordinates(boundaries):
    result = run(boundaries, [(None, None, "TH"), ("", 100.5, "TH"), (13.7, None, "TH"), ("13,7", "100.5", "TH"),
                              (" 14.44 ", "101.37", "TH")])
    assert result.flatten() == [[1, "decimalLatitude", "COORDINATE_MISSING"],
                                [2, "decimalLatitude", "COORDINATE_INCOMPLETE"],
                                [3, "decimalLongitude", "COORDINATE_INCOMPLETE"],
                                [4, "decimalLatitude", "COORDINATE_INVALID"]]
    assert result.rows[3][0].value == "13,7"
    assert result.rejected.tolist() == [False, True, True, True, False]


def test_sea_and_outside_region(boundaries):
    result = run(boundaries, [
        (10.0, 103.5, None),  # Gulf of Thailand, 20 km from Phu Quoc
        (8.05, 104.05, "VN"),  # open sea, 55 km south of Ca Mau
        (25.0, 102.7, None),  # Kunming, China
        (12.0, 106.0, None),  # Cambodia, inside the region
    ])
    assert codes(result, 0) == ["COORDINATE_IN_SEA"]
    assert codes(result, 1) == ["COUNTRY_COORDINATE_MISMATCH", "COORDINATE_IN_SEA"]
    assert result.rows[1][0].params["located"] == "the sea"
    assert codes(result, 2) == ["COUNTRY_DERIVED_FROM_COORDINATES", "COORDINATE_OUTSIDE_REGION"]
    assert "is in China, more than 5.0 km outside" in result.rows[2][1].message()
    assert codes(result, 3) == ["COORDINATE_PRECISION_LOW", "COUNTRY_DERIVED_FROM_COORDINATES"]
    assert list(result.derived_country) == [None, None, "CN", "KH"]


def test_country_centroid_and_capital(boundaries):
    lon, lat = boundaries.centroids[boundaries.position["LA"]]
    result = run(boundaries, [(round(lat + 0.004, 4), round(lon, 4), "LA"),  # ~0.45 km from the centroid
                              (13.7563, 100.5018, "TH"),  # Bangkok
                              (17.99, 102.70, "LA")])  # ~7 km from Vientiane centre
    assert codes(result, 0) == ["COORDINATE_NEAR_COUNTRY_CENTROID"]
    assert result.rows[0][0].params["country"] == "Laos"
    assert result.rows[0][0].params["distance_km"] < 1
    assert codes(result, 1) == ["COORDINATE_NEAR_CAPITAL"]
    assert codes(result, 2) == ["COORDINATE_NEAR_CAPITAL"]
    assert result.rows[2][0].params["capital"] == "Vientiane"
    assert 5 < result.rows[2][0].params["distance_km"] < 10
    assert not result.rejected.any()


def test_whole_degrees_and_equal_coordinates(boundaries):
    result = run(boundaries, [(14.0, 101.0, "TH"), (45.5, -45.5, None)])
    assert codes(result, 0) == ["COORDINATE_PRECISION_LOW"]
    assert codes(result, 1) == ["EQUAL_COORDINATES", "COORDINATE_IN_SEA"]


def test_invalid_country_code(boundaries):
    result = run(boundaries, [(14.44, 101.37, "XX"), (14.44, 101.37, "Thailand"), (14.44, 101.37, "th")])
    assert result.flatten() == [[1, "countryCode", "COUNTRY_INVALID"], [2, "countryCode", "COUNTRY_INVALID"]]


def test_row_numbers_follow_first_row(boundaries):
    cols = {"decimalLatitude": [14.44, 95.0], "decimalLongitude": [101.37, 100.0], "countryCode": ["TH", "TH"]}
    result = check_batch(cols, boundaries=boundaries, first_row=2)
    assert result.flatten() == [[3, "decimalLatitude", "COORDINATE_OUT_OF_RANGE"]]


def test_numpy_columns_and_many_rows(boundaries):
    rng = np.random.default_rng(7)
    n = 20_000
    cols = {"decimalLatitude": rng.uniform(14, 16, n), "decimalLongitude": rng.uniform(99.5, 101.5, n),
            "countryCode": np.full(n, "TH", object)}
    result = check_batch(cols, boundaries=boundaries)
    assert set(result.located_country) == {"TH"}
    assert not result.rejected.any()
