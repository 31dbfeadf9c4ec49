"""DMS in every script's words, in any order, in one cell or two, with native digits (issue 15).

A table: cell(s) → the expected decimal degrees. One-cell pairs go through ``read_verbatim`` (verbatimCoordinates),
single coordinates through ``parse_coordinate`` (a latitude or longitude column)."""
import icu
import pytest

from occurrences.parse.coordinates import HEMISPHERES, parse_coordinate
from occurrences.parse.geo import read_verbatim

LAT, LON = 15 + 30 / 60 + 10 / 3600, 99 + 45 / 60 + 20 / 3600
LAT_M, LON_M = 15.5, 99.75

PAIRS = [
    # Thai: words, native digits, hemisphere words before or after, abbreviations with and without dots
    ("๑๕ องศา ๓๐ ลิปดา ๑๐ ฟิลิปดา เหนือ ๙๙ องศา ๔๕ ลิปดา ๒๐ ฟิลิปดา ตะวันออก", LAT, LON),
    ("15 องศา 30 ลิปดา 10 ฟิลิปดา N 99 องศา 45 ลิปดา 20 ฟิลิปดา E", LAT, LON),
    ("15 องศา 30 ลิปดา 10 พิลิปดา เหนือ 99 องศา 45 ลิปดา 20 พิลิปดา ตะวันออก", LAT, LON),
    ("15 องศา 30 ลิปดา 10 วิลิปดา เหนือ 99 องศา 45 ลิปดา 20 วิลิปดา ตะวันออก", LAT, LON),
    ("15 องศา 30 ลิปดา 10 วินาที เหนือ, 99 องศา 45 ลิปดา 20 วินาที ตะวันออก", LAT, LON),
    ("15 องศา 30 นาที 10 วินาที เหนือ 99 องศา 45 นาที 20 วินาที ตะวันออก", LAT, LON),
    ("เหนือ 15 องศา 30 ลิปดา 10 ฟิลิปดา ตะวันออก 99 องศา 45 ลิปดา 20 ฟิลิปดา", LAT, LON),
    ("ทิศเหนือ 15 องศา 30 ลิปดา ทิศตะวันออก 99 องศา 45 ลิปดา", LAT_M, LON_M),
    ("น. 15 องศา 30 ลิปดา ตอ. 99 องศา 45 ลิปดา", LAT_M, LON_M),
    ("15°30' น. 99°45' ตอ.", LAT_M, LON_M),
    ("15°30' น 99°45' ตอ", LAT_M, LON_M),
    ("ต. 15 องศา 30 ลิปดา ตต. 99 องศา 45 ลิปดา", -LAT_M, -LON_M),
    ("15 องศา 30 ลิปดา ใต้ 99 องศา 45 ลิปดา ตะวันตก", -LAT_M, -LON_M),
    ("99 องศา 45 ลิปดา ตะวันออก 15 องศา 30 ลิปดา เหนือ", LAT_M, LON_M),
    ("ละติจูด 15.5 ลองจิจูด 99.75", LAT_M, LON_M),
    ("๑๕.๕ เหนือ ๙๙.๗๕ ตะวันออก", LAT_M, LON_M),
    # Vietnamese
    ("15 độ 30 phút 10 giây B, 99 độ 45 phút 20 giây Đ", LAT, LON),
    ("15 độ 30 phút 10 giây Bắc 99 độ 45 phút 20 giây Đông", LAT, LON),
    ("vĩ độ 15 độ 30 phút Bắc kinh độ 99 độ 45 phút Đông", LAT_M, LON_M),
    ("Vĩ độ: 15°30′ B; Kinh độ: 99°45′ Đ", LAT_M, LON_M),
    ("15°30'10\" B 99°45'20\" Đ", LAT, LON),
    ("Bắc 15°30' Đông 99°45'", LAT_M, LON_M),
    ("15°30' Nam 99°45' Tây", -LAT_M, -LON_M),
    ("15°30'N 99°45'Đ", -LAT_M, LON_M),  # beside Đ (Đông), N is Vietnamese Nam: south
    ("99°45' Đông 15°30' Bắc", LAT_M, LON_M),
    ("15,5 B 99,75 Đ", LAT_M, LON_M),
    # Khmer (CLDR short forms, with and without ខាង), Khmer digits, CLDR unit names and the time words
    ("១៥ ដឺក្រេ ៣០ អាកនាទី ១០ អាកវិនាទី ខាងជើង ៩៩ ដឺក្រេ ៤៥ អាកនាទី ២០ អាកវិនាទី ខាងកើត", LAT, LON),
    ("១៥°៣០′ជើង ៩៩°៤៥′កើត", LAT_M, LON_M),
    ("15 ដឺក្រេ 30 នាទី 10 វិនាទី ជើង 99 ដឺក្រេ 45 នាទី 20 វិនាទី កើត", LAT, LON),
    ("ខាងត្បូង 15°30' ខាងលិច 99°45'", -LAT_M, -LON_M),
    ("រយៈទទឹង ១៥.៥ រយៈបណ្តោយ ៩៩.៧៥", LAT_M, LON_M),
    ("៩៩°៤៥′ កើត ១៥°៣០′ ជើង", LAT_M, LON_M),
    # Lao
    ("໑໕ ອົງສາ ໓໐ ນາທີ ໑໐ ວິນາທີ ເໜືອ ໙໙ ອົງສາ ໔໕ ນາທີ ໒໐ ວິນາທີ ຕາເວັນອອກ", LAT, LON),
    ("15 ອົງສາ 30 ນາທີ ເຫນືອ 99 ອົງສາ 45 ນາທີ ຕາເວັນອອກ", LAT_M, LON_M),
    ("15°30' ໃຕ້ 99°45' ຕາເວັນຕົກ", -LAT_M, -LON_M),
    ("໑໕,໕ ເໜືອ ໙໙,໗໕ ຕາເວັນອອກ", LAT_M, LON_M),
    # Burmese (CLDR long forms, -ဘက် "side"), Myanmar digits
    ("၁၅ ဒီဂရီ ၃၀ မိနစ် ၁၀ စက္ကန့် မြောက် ၉၉ ဒီဂရီ ၄၅ မိနစ် ၂၀ စက္ကန့် အရှေ့", LAT, LON),
    ("15°30' မြောက်ဘက် 99°45' အရှေ့ဘက်", LAT_M, LON_M),
    ("၁၅°၃၀′ တောင် ၉၉°၄၅′ အနောက်", -LAT_M, -LON_M),
    ("လတ္တီတွဒ် ၁၅.၅ လောင်ဂျီတွဒ် ၉၉.၇၅", LAT_M, LON_M),
    # English and symbols, both orders, separators
    ("15°30'10\" N 99°45'20\" E", LAT, LON),
    ("15°30'10\"N, 99°45'20\"E", LAT, LON),
    ("N 15°30'10\" E 99°45'20\"", LAT, LON),
    ("99°45'20\" E 15°30'10\" N", LAT, LON),
    ("15 30 10 N 99 45 20 E", LAT, LON),
    ("lat 15.5 lon 99.75", LAT_M, LON_M),
    ("Latitude: 15°30′ N; Longitude: 99°45′ E", LAT_M, LON_M),
    ("15.5 north 99.75 east", LAT_M, LON_M),
    ("15.5; 99.75", LAT_M, LON_M),
    ("15°30.0' N 99°45.0' E", LAT_M, LON_M),
]

SINGLE = [  # one coordinate per cell (latitude or longitude columns)
    ("๑๕ องศา ๓๐ ลิปดา ๑๐ ฟิลิปดา เหนือ", "lat", LAT),
    ("๙๙ องศา ๔๕ ลิปดา ๒๐ ฟิลิปดา ตะวันออก", "lon", LON),
    ("15 องศา 30 ลิปดา น.", "lat", LAT_M),
    ("99 องศา 45 ลิปดา ตอ.", "lon", LON_M),
    ("ทิศใต้ 15 องศา 30 ลิปดา", "lat", -LAT_M),
    ("15 độ 30 phút Bắc", "lat", LAT_M),
    ("99 độ 45 phút 20 giây Đông", "lon", LON),
    ("១៥ ដឺក្រេ ៣០ អាកនាទី ជើង", "lat", LAT_M),
    ("໙໙ ອົງສາ ໔໕ ນາທີ ຕາເວັນອອກ", "lon", LON_M),
    ("၁၅ ဒီဂရီ ၃၀ မိနစ် မြောက်", "lat", LAT_M),
    ("99°45′20″ E", "lon", LON),
    ("-15°30'", "lat", -LAT_M),
]


@pytest.mark.parametrize("text, lat, lon", PAIRS, ids=[p[0][:40] for p in PAIRS])
def test_pair_in_one_cell(text, lat, lon):
    got_lat, got_lon, problems = read_verbatim(text, lang="th")
    assert not problems, problems
    assert got_lat == pytest.approx(lat, abs=1e-9) and got_lon == pytest.approx(lon, abs=1e-9)


@pytest.mark.parametrize("text, axis, value", SINGLE, ids=[s[0][:40] for s in SINGLE])
def test_one_coordinate_per_cell(text, axis, value):
    assert parse_coordinate(text, axis) == pytest.approx(value, abs=1e-9)


def test_at_least_sixty_cases():
    assert len(PAIRS) + len(SINGLE) >= 60


@pytest.mark.parametrize("text", ["15 องศา 30 ลิปดา เหนือ ใต้ 99 องศา", "15°30' N 99°45' N", "เหนือ 15 ตะวันออก"])
def test_contradictions_are_refused_not_guessed(text):
    lat, lon, problems = read_verbatim(text, lang="th")
    assert problems and lat != lat and lon != lon  # NaN: nothing guessed


@pytest.mark.parametrize("lang, width", [("th", "units"), ("th", "unitsShort"), ("vi", "units"),
                                         ("km", "unitsShort"), ("my", "units")])
def test_hemisphere_words_include_cldr_cardinal_directions(lang, width):
    """Our table is checked against CLDR as ICU ships it (units/coordinate), so a wrong or missing word shows."""
    bundle = icu.ResourceBundle(f"icudt{icu.ICU_VERSION.split('.')[0]}l-unit", icu.Locale(lang))
    coordinate = bundle.get(width).get("coordinate")
    signs = {"north": ("lat", 1), "south": ("lat", -1), "east": ("lon", 1), "west": ("lon", -1)}
    for direction, meaning in signs.items():
        word = coordinate.get(direction).getString().replace("{0}", "").strip().lower()
        assert HEMISPHERES.get(word) == meaning, (lang, direction, word)
