"""Coordinates: decimal degrees, DMS/DDM with symbols and local words, hemispheres, UTM, regional datums."""
import math

import numpy as np
import pyproj
import pytest

from occurrences.parse import parse_coordinates, read_verbatim
from occurrences.parse.datums import datum_code, operation

DMS_13 = 13 + 45 / 60 + 30 / 3600


def lat_of(text, lang="en", lon="100.5"):
    parsed = parse_coordinates([text], [lon], lang=lang)
    return parsed.lat[0], [p.code for _, p in parsed.issues]


@pytest.mark.parametrize("text, expected", [
    ("13.7563", 13.7563),
    ("๑๓.๗๕๖๓", 13.7563),
    ("13,7563", 13.7563),  # decimal comma
    ("-13.5", -13.5),
    ("−13.5", -13.5),  # U+2212
    ("13.5°", 13.5),
    ("13°45'30\"N", DMS_13),
    ("13°45′30″ N", DMS_13),
    ("N 13°45'30''", DMS_13),
    ("13 45 30 N", DMS_13),
    ("13°45.5'N", 13 + 45.5 / 60),  # degrees and decimal minutes
    ("13.5 S", -13.5),
    ("13.5 south", -13.5),
    ("๑๓ องศา ๔๕ ลิปดา ๓๐ ฟิลิปดา เหนือ", DMS_13),
    ("13 องศา 45 ลิปดา 30 พิลิปดา ทิศเหนือ", DMS_13),
    ("13 ដឺក្រេ 45 អាកនាទី 30 អាកវិនាទី", DMS_13),
    ("13 ອົງສາ 45 ນາທີ 30 ວິນາທີ", DMS_13),
    ("၁၃ ဒီဂရီ ၄၅ မိနစ် ၃၀ စက္ကန့်", DMS_13),
])
def test_latitudes(text, expected):
    value, codes = lat_of(text)
    assert codes == [] and value == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("lat, lon, expected", [
    ("10 độ 45 phút 30 giây B", "106 độ 40 phút Đ", (10.758333, 106.666667)),
    ("10.5 N", "106.7 Đ", (-10.5, 106.7)),  # with Đ/T on the longitude, N is Nam (south)
    ("10.5 N", "106.7 E", (10.5, 106.7)),  # with E/W, N is North
    ("10,7626", "106,6602", (10.7626, 106.6602)),
    ("10.7626", "106.6602", (10.7626, 106.6602)),  # NOT 107626 in a Vietnamese form
    ("10.5 Bắc", "106.5 Tây", (10.5, -106.5)),
])
def test_vietnamese(lat, lon, expected):
    parsed = parse_coordinates([lat], [lon], lang="vi")
    assert not len(parsed.issues)
    assert (parsed.lat[0], parsed.lon[0]) == pytest.approx(expected, abs=1e-6)


def test_lone_n_in_a_vietnamese_form_is_refused():
    parsed = parse_coordinates(["10.5 N"], ["106.7"], lang="vi")
    assert math.isnan(parsed.lat[0]) and [p.code for _, p in parsed.issues] == ["COORDINATE_HEMISPHERE_AMBIGUOUS"]
    assert lat_of("10.5 N", lang="en") == (10.5, [])


@pytest.mark.parametrize("text, code", [
    ("107626", "COORDINATE_OUT_OF_RANGE"),  # 10.7626 with the separator lost is an error, not a value
    ("195.5", "COORDINATE_OUT_OF_RANGE"),
    ("1,234.5", "COORDINATE_SEPARATORS"),  # grouping separators are forbidden in coordinates
    ("13.756.3", "COORDINATE_SEPARATORS"),
    ("13°65'N", "COORDINATE_MINUTES_SECONDS_INVALID"),
    ("13°45'61\"", "COORDINATE_MINUTES_SECONDS_INVALID"),
    ("13.5°45'", "COORDINATE_MINUTES_SECONDS_INVALID"),
    ("-13.5 S", "COORDINATE_HEMISPHERE_CONFLICT"),
    ("N13.5 S", "COORDINATE_HEMISPHERE_CONFLICT"),
    ("13.5 E", "COORDINATE_HEMISPHERE_MISMATCH"),
    ("abc", "COORDINATE_INVALID"),
])
def test_bad_latitudes(text, code):
    value, codes = lat_of(text)
    assert math.isnan(value) and codes == [code]


def test_latitude_between_90_and_180_is_kept_for_the_swap_check():
    # a longitude typed in the latitude column: quality.geo decides (presumed swapped, or out of range)
    assert lat_of("100.5") == (100.5, [])


def test_bad_half_voids_the_pair_and_missing_half_is_reported():
    parsed = parse_coordinates(["13.5", "13.5", None], ["abc", None, "100.5"])
    assert np.isnan(parsed.lat).all() and np.isnan(parsed.lon).all()
    assert [(r, p.code, p.field) for r, p in parsed.issues] == [
        (0, "COORDINATE_INVALID", "decimalLongitude"), (1, "COORDINATE_INCOMPLETE", "decimalLongitude"),
        (2, "COORDINATE_INCOMPLETE", "decimalLatitude")]


def test_utm_matches_pyproj():
    lon, lat = pyproj.Transformer.from_crs(32647, 4326, always_xy=True).transform(812345, 1598765)
    parsed = parse_coordinates([None], [None], ["47P 812345 1598765"], ["WGS84"])
    assert (parsed.lat[0], parsed.lon[0]) == pytest.approx((lat, lon), abs=1e-9)
    assert (lat, lon) == pytest.approx((14.4437, 101.8969), abs=1e-4)
    assert parsed.source[0] == "verbatim" and not len(parsed.issues)


@pytest.mark.parametrize("text", ["47N 812345 1598765", "47 N 812345mE 1598765mN", "UTM 47P 812345, 1598765"])
def test_utm_spellings(text):
    lat, lon, problems = read_verbatim(text)
    assert problems == [] and (lat, lon) == pytest.approx((14.4437, 101.8969), abs=1e-4)


@pytest.mark.parametrize("text, code", [
    ("52P 812345 1598765", "UTM_ZONE_UNSUPPORTED"),
    ("47Q 812345 1598765", "UTM_BAND_MISMATCH"),  # band Q is 16–24°N; the northing gives 14.4°N
])
def test_bad_utm(text, code):
    assert [p.code for p in read_verbatim(text)[2]] == [code]


def test_utm_on_indian_1975_matches_pyproj_epsg_24047():
    parsed = parse_coordinates([None], [None], ["47P 812345 1598765"], ["Indian 1975"])
    lon, lat = pyproj.Transformer.from_crs(24047, 4240, always_xy=True).transform(812345, 1598765)
    group = pyproj.transformer.TransformerGroup(4240, 4326, always_xy=True,
                                                area_of_interest=pyproj.aoi.AreaOfInterest(92, 5, 110, 29))
    lon84, lat84 = group.transformers[0].transform(lon, lat)
    assert (parsed.lat[0], parsed.lon[0]) == pytest.approx((lat84, lon84), abs=1e-9)
    assert parsed.reprojected[0]


@pytest.mark.parametrize("text, lat, lon", [
    ("13.7563, 100.5018", 13.7563, 100.5018),
    ("13°45'22\"N 100°30'06\"E", 13.756111, 100.501667),
    ("100.5018E 13.7563N", 13.7563, 100.5018),  # order told by the letters
    ("N13.7563 E100.5018", 13.7563, 100.5018),
])
def test_verbatim_pairs(text, lat, lon):
    parsed = parse_coordinates([None], [None], [text])
    assert (parsed.lat[0], parsed.lon[0]) == pytest.approx((lat, lon), abs=1e-6)


def test_decimal_fields_win_over_verbatim():
    parsed = parse_coordinates(["13.5"], ["100.5"], ["47P 812345 1598765"])
    assert (parsed.lat[0], parsed.lon[0], parsed.source[0]) == (13.5, 100.5, "decimal")


@pytest.mark.parametrize("text, code", [
    ("WGS84", 4326), ("WGS 84", 4326), ("EPSG:4326", 4326), ("", 4326),
    ("Indian 1954", 4239), ("Indian 1960", 4131), ("indian1975", 4240), ("EPSG:4240", 4240),
    ("Kalianpur 1937", 4144), ("Kalianpur 1962", 4145), ("Kalianpur 1975", 4146),
    ("VN-2000", 4756), ("Vietnam 2000", 4756), ("Tokyo", None),
])
def test_datum_names(text, code):
    assert datum_code(text) == code


@pytest.mark.parametrize("code, name", [(4239, "Indian 1954"), (4131, "Indian 1960"), (4240, "Indian 1975"),
                                        (4144, "Kalianpur 1937"), (4145, "Kalianpur 1962"),
                                        (4146, "Kalianpur 1975"), (4756, "VN-2000")])
def test_epsg_codes_are_the_named_datums(code, name):
    assert pyproj.CRS.from_epsg(code).name == name


def test_indian_1975_shift_is_a_few_hundred_metres():
    parsed = parse_coordinates(["13.75"], ["100.5"], datum_values=["Indian 1975"])
    assert "Indian 1975 to WGS 84" in operation(4240)  # a real Helmert operation, not PROJ's ballpark
    dlat_m = (parsed.lat[0] - 13.75) * 111_320
    dlon_m = (parsed.lon[0] - 100.5) * 111_320 * math.cos(math.radians(13.75))
    assert 300 < math.hypot(dlat_m, dlon_m) < 800
    assert parsed.reprojected[0] and 0.001 < parsed.shift[0] < 0.1
    assert [p.code for _, p in parsed.issues] == []


def test_datum_flags():
    parsed = parse_coordinates(["13.75"] * 4, ["100.5"] * 4, datum_values=["", "WGS84", "Tokyo", "Kalianpur 1962"])
    assert parsed.datum_assumed.tolist() == [True, False, False, False]
    assert [(r, p.code) for r, p in parsed.issues] == [(2, "GEODETIC_DATUM_INVALID"),
                                                        (3, "COORDINATE_REPROJECTION_FAILED")]
    assert parsed.lat[2] == 13.75  # unknown datum: kept as given


def test_vn2000_converted():
    parsed = parse_coordinates(["21.0"], ["105.8"], datum_values=["VN-2000"])
    assert parsed.reprojected[0] and parsed.lat[0] != 21.0 and abs(parsed.lat[0] - 21.0) < 0.01


def test_whitespace_class_is_pythons():
    import re

    from occurrences.parse.geo import _WS

    assert re.fullmatch(_WS + "+", "".join(ch for ch in map(chr, range(0x3001)) if ch.isspace()))
    assert not any(re.fullmatch(_WS, chr(c)) for c in range(0x3001) if not chr(c).isspace())


@pytest.mark.parametrize("text, lat, lon", [
    ("10 20 30 40", 10.0, 20 + 30 / 60 + 40 / 3600),  # the first whitespace split whose halves both read wins
    ("13.5; 100,5", 13.5, 100.5),  # a lone ';' is tried before the ',' and the spaces
    ("N 13° 45' 30\" E 100° 30' 6\"", DMS_13, 100.501667),  # split at the fourth whitespace run
    ("47P\u00a0812345\u00a01598765", 14.4437, 101.8969),  # no-break spaces pasted from the web
])
def test_verbatim_splits(text, lat, lon):
    parsed = parse_coordinates([None], [None], [text])
    assert (parsed.lat[0], parsed.lon[0]) == pytest.approx((lat, lon), abs=1e-4)


def test_verbatim_column_reads_each_text_per_datum():
    texts = ["47P 812345 1598765", "13.5 100.5", "47P 812345 1598765", "junk", "52P 812345 1598765", None] * 50
    datums = ["WGS84", "", "Indian 1975", "", "", ""] * 50
    parsed = parse_coordinates([None] * 300, [None] * 300, texts, datums)
    assert parsed.lat[0] != parsed.lat[2] and abs(parsed.lat[0] - parsed.lat[2]) < 0.01  # UTM on its own datum
    assert parsed.lat[6] == parsed.lat[0] and parsed.lat[1] == 13.5
    codes = {(r % 6, p.code) for r, p in parsed.issues}
    assert codes == {(3, "VERBATIM_COORDINATES_INVALID"), (4, "UTM_ZONE_UNSUPPORTED")}
    assert sum(1 for _, p in parsed.issues if p.code == "UTM_ZONE_UNSUPPORTED") == 50
    assert (parsed.source[[0, 1, 2]] == "verbatim").all() and parsed.source[5] == ""


def test_verbatim_with_very_many_spaces_is_refused_quickly():
    text = "13.5 " + "x " * 4000 + "100.5"
    assert [p.code for p in read_verbatim(text)[2]] == ["VERBATIM_COORDINATES_INVALID"]


def test_latitude_beyond_90_in_a_regional_datum_is_kept_not_lost():
    # PROJ gives NaN for it; it must reach the swap check as given, not vanish into "no coordinates"
    parsed = parse_coordinates(["100.5", "13.7"], ["13.7", "100.5"], None, ["Indian 1975", "Indian 1975"])
    assert (parsed.lat[0], parsed.lon[0]) == (100.5, 13.7) and not parsed.reprojected[0]
    assert parsed.reprojected[1] and abs(parsed.lat[1] - 13.7) < 0.01
