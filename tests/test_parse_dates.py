"""Dates in the six languages: d/m/y, ISO, month names from CLDR, Buddhist Era years, era markers."""
from datetime import date

import pytest
from babel.dates import get_month_names

from occurrences.parse import parse_dates
from occurrences.parse.months import month_table

TODAY = date(2025, 6, 30)


def one(text, lang):
    parsed = parse_dates([text], lang, today=TODAY)
    return parsed.iso[0], [p.code for _, p in parsed.issues], bool(parsed.be_converted[0])


@pytest.mark.parametrize("lang, text, iso", [
    ("en", "2024-03-15", "2024-03-15"),
    ("en", "2024-03-15T10:30:00+07:00", "2024-03-15"),
    ("en", "15/3/2024", "2024-03-15"),
    ("en", "15.03.2024", "2024-03-15"),
    ("en", "2024/3/15", "2024-03-15"),
    ("en", "20240315", "2024-03-15"),
    ("en", "2024-03", "2024-03"),
    ("en", "2024", "2024"),
    ("en", "March 15, 2024", "2024-03-15"),
    ("en", "15 Sept 2024", "2024-09-15"),
    ("th", "15 มีนาคม 2024", "2024-03-15"),
    ("vi", "15 tháng 3, 2024", "2024-03-15"),
    ("vi", "ngày 15 tháng 03 năm 2024", "2024-03-15"),
    ("vi", "15 thg 3 2024", "2024-03-15"),
    ("km", "15 មីនា 2024", "2024-03-15"),
    ("km", "១៥ មីនា ២០២៤", "2024-03-15"),
    ("lo", "15 ມີນາ 2024", "2024-03-15"),
    ("lo", "15 ມ.ນ. 2024", "2024-03-15"),
    ("my", "2024 မတ် 15", "2024-03-15"),  # y MMM d, the Burmese medium pattern
    ("my", "၁၅ ဒီဇင်ဘာ ၂၀၂၄", "2024-12-15"),
    ("en", "2024-03-15/2024-03-20", "2024-03-15/2024-03-20"),
    ("th", "15/3/2567 - 20/3/2567", "2024-03-15/2024-03-20"),
])
def test_dates(lang, text, iso):
    assert one(text, lang)[:2] == (iso, [])


@pytest.mark.parametrize("text", [
    "15/3/2567", "๑๕/๓/๒๕๖๗", "15 มี.ค. 2567", "15 มี.ค 2567", "15 มีค 2567", "15 มีค. 67", "15 มี.ค. 67",
    "15 มีนาคม พ.ศ. 2567", "วันที่ 15 มีนาคม พ.ศ. 2567", "15/3/67", "2567-03-15",
])
def test_thai_buddhist_era(text):
    assert one(text, "th") == ("2024-03-15", [], True)


def test_thai_two_digit_year_that_could_be_ce_is_warned():
    iso, codes, be = one("15/3/24", "th")
    assert (iso, codes, be) == ("1981-03-15", ["DATE_TWO_DIGIT_YEAR_AMBIGUOUS"], True)


def test_ce_marker_in_thai():
    assert one("15 มีนาคม ค.ศ. 2024", "th") == ("2024-03-15", [], False)


@pytest.mark.parametrize("lang, text, iso, code", [
    ("en", "15/3/2567", "2024-03-15", "DATE_LOOKS_BUDDHIST_ERA"),  # BE typed in an English form
    ("vi", "15/3/2567", "2024-03-15", "DATE_LOOKS_BUDDHIST_ERA"),
])
def test_buddhist_era_outside_thai_is_converted_with_a_warning(lang, text, iso, code):
    assert one(text, lang) == (iso, [code], True)


@pytest.mark.parametrize("lang, text, code", [
    ("th", "ค.ศ. 2567", "DATE_ERA_CONFLICT"),  # CE marker on a BE year
    ("th", "15/3/2024 พ.ศ.", "DATE_ERA_CONFLICT"),  # BE marker on a CE year (= 1481)
    ("en", "3/15/2024", "DATE_DAY_MONTH_ORDER"),
    ("en", "31/02/2024", "DATE_IMPOSSIBLE"),
    ("en", "2030-01-01", "RECORDED_DATE_OUT_OF_RANGE"),
    ("th", "15/3/2600", "RECORDED_DATE_OUT_OF_RANGE"),  # BE 2600 = 2057
    ("en", "1500", "RECORDED_DATE_OUT_OF_RANGE"),
    ("en", "2024-03-20/2024-03-15", "DATE_INTERVAL_REVERSED"),
    ("en", "yesterday", "RECORDED_DATE_INVALID"),
    ("en", "15 Foo 2024", "RECORDED_DATE_INVALID"),
])
def test_bad_dates(lang, text, code):
    iso, codes, _ = one(text, lang)
    assert iso is None and codes == [code]


@pytest.mark.parametrize("lang", ["en", "th", "vi", "km", "lo", "my"])
def test_every_cldr_month_name_is_read(lang):
    for width in ("wide", "abbreviated"):
        names = get_month_names(width, "format", lang)
        texts = [f"15 {names[m]} 2024" for m in range(1, 13)]
        parsed = parse_dates(texts, lang, today=TODAY)
        assert parsed.iso.tolist() == [f"2024-{m:02d}-15" for m in range(1, 13)], (lang, width)


def test_month_table_is_not_polluted_by_lao_stand_alone_names():
    # babel#1234: a Lao stand-alone lookup used to leak Lao names into th/km/my; the table reads format context.
    get_month_names("wide", "stand-alone", "lo")
    assert month_table()["มี.ค."] == 3 and month_table()["មីនា"] == 3 and month_table()["မတ်"] == 3


def test_unique_values_parsed_once_rows_keep_order():
    parsed = parse_dates(["15/3/2567", "", "bad", "15/3/2567", None], "th", today=TODAY)
    assert parsed.iso.tolist() == ["2024-03-15", None, None, "2024-03-15", None]
    assert parsed.empty.tolist() == [False, True, False, False, True]
    assert parsed.be_converted.tolist() == [True, False, False, True, False]
    assert [(r, p.code) for r, p in parsed.issues] == [(2, "RECORDED_DATE_INVALID")]


@pytest.mark.parametrize("text", ["-2021-01-01", "2021-04-05/", "/2021-04-05", "2021-04-05 -"])
def test_dangling_slash_or_dash_is_invalid(text):
    parsed = parse_dates([text])
    assert parsed.iso[0] is None
    assert [p.code for _, p in parsed.issues] == ["RECORDED_DATE_INVALID"]


# -- Buddhist Era by the calendar of the submission's language (field_truth.md §1) ------------------------------
@pytest.mark.parametrize("lang, text, iso, code", [
    ("th", "15/3/2567", "2024-03-15", None),  # Thai: − 543 all year, no message
    ("th", "15/12/2567", "2024-12-15", None),
    ("km", "15/3/2567", "2024-03-15", "DATE_BE_CONVERTED"),  # before Visak Bochea: − 543
    ("km", "15/6/2567", "2023-06-15", "DATE_BE_CONVERTED"),  # after it: − 544
    ("km", "15 មីនា ព.ស. 2567", "2024-03-15", "DATE_BE_CONVERTED"),
    ("my", "15/3/2567", "2024-03-15", "DATE_BE_CONVERTED"),  # before Thingyan: − 543
    ("my", "20/4/2567", "2023-04-20", "DATE_BE_CONVERTED"),  # after it: − 544
    ("my", "၁၅/၁၂/၂၅၆၇ ဗုဒ္ဓသက္ကရာဇ်", "2023-12-15", "DATE_BE_CONVERTED"),
    ("lo", "15/3/2567", "2025-03-15", "DATE_BE_CONVERTED"),  # before Lao New Year: − 542
    ("lo", "20/4/2567", "2024-04-20", "DATE_BE_CONVERTED"),  # from it: − 543
    ("lo", "15 ມີນາ ພ.ສ. 2567", "2025-03-15", "DATE_BE_CONVERTED"),
    ("th", "15/3/2567 ພ.ສ.", "2025-03-15", "DATE_BE_CONVERTED"),  # a Lao marker is the Lao calendar in any form
    ("km", "15/6/67 ព.ស.", "2023-06-15", "DATE_BE_CONVERTED"),  # a two-digit BE year, Cambodian rule
    ("en", "15/3/2567", "2024-03-15", "DATE_LOOKS_BUDDHIST_ERA"),  # no BE calendar of its own: Thai rule, warned
    ("en", "2567-06-15", "2024-06-15", "DATE_LOOKS_BUDDHIST_ERA"),
])
def test_buddhist_era_follows_the_calendar_of_the_language(lang, text, iso, code):
    got, codes, be = one(text, lang)
    assert (got, codes, be) == (iso, [code] if code else [], True)


@pytest.mark.parametrize("lang, text, iso, alt", [
    ("km", "10/5/2567", "2024-05-10", 2023),  # Visak Bochea falls somewhere in May
    ("km", "20/5/2567", "2023-05-20", 2024),
    ("my", "14/4/2567", "2024-04-14", 2023),  # Thingyan, 13-17 April
    ("lo", "15/4/2567", "2025-04-15", 2024),  # Lao New Year, 14-16 April
    ("lo", "4/2567", "2024-04", 2025),  # a month that holds the new year
    ("my", "2567", "2023", 2024),  # a bare year spans two CE years
])
def test_be_date_in_the_new_year_window_names_both_years(lang, text, iso, alt):
    parsed = parse_dates([text], lang, today=TODAY)
    assert parsed.iso[0] == iso
    [(_, problem)] = list(parsed.issues)
    assert problem.code == "DATE_NEW_YEAR_AMBIGUOUS" and problem.severity == "warning"
    message = problem.message("en", text)
    assert str(alt) in message and iso[:4] in message and "new year" in message.lower()


@pytest.mark.parametrize("lang, text, iso", [
    ("my", "၁၅/၃/၁၃၈၅ မြန်မာသက္ကရာဇ်", "2024-03-15"),  # before Thingyan: ME + 639
    ("my", "15/6/1385 မြန်မာသက္ကရာဇ်", "2023-06-15"),  # after it: ME + 638
    ("en", "15/3/1385 ME", "2024-03-15"),
    ("my", "15/6/1385 ကောဇာ", "2023-06-15"),
])
def test_myanmar_era_is_read_with_its_marker(lang, text, iso):
    got, codes, be = one(text, lang)
    assert got == iso
    if iso:
        assert codes == ["DATE_MYANMAR_ERA_CONVERTED"] and not be


def test_myanmar_era_year_without_marker_is_a_plain_year():
    assert one("15/3/1385", "my")[0] is None  # 1385 CE is before 1700: out of range, not silently ME


@pytest.mark.parametrize("lang, expected", [
    ("en", "Lao calendar: CE = BE − 543 from Lao New Year (mid-April), BE − 542 before it"),
    ("th", "ปฏิทินลาว"),
])
def test_messages_state_the_rule_applied(lang, expected):
    parsed = parse_dates(["15/3/2567"], "lo", today=TODAY)
    [(_, problem)] = list(parsed.issues)
    assert expected in problem.message(lang, "15/3/2567")


@pytest.mark.parametrize("text, iso", [
    ("2019-03-01T23:30:00+07:00", "2019-03-01"),  # the local day as written, not shifted to UTC
    ("2019-03-01T10:00:00Z", "2019-03-01"),
    ("2019-03-01T10:00Z/2019-03-02T10:00Z", "2019-03-01/2019-03-02"),
    ("2019-03/2019-05", "2019-03/2019-05"),
])
def test_iso_date_times_with_zones_and_intervals(text, iso):
    assert one(text, "en")[:2] == (iso, [])
