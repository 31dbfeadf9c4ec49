"""Numbers and digits as typed in the six languages (l10n.md A1): native digits, decimal comma, no misreads."""
import math

import numpy as np
import pyarrow as pa
import pytest

from occurrences.flags import REGISTRY
from occurrences.parse import ascii_digits, parse_numbers, read_number


@pytest.mark.parametrize("text, expected", [
    ("๑๒๓.๔๕", "123.45"),  # Thai
    ("១២៣", "123"),  # Khmer
    ("໑໒໓", "123"),  # Lao
    ("၁၂၃", "123"),  # Myanmar
    ("၁ဝ", "10"),  # Myanmar letter WA typed for zero, next to a digit
    ("၁ဝဝ", "100"),  # a run of look-alikes touching a digit
    ("ရ၇", "77"),  # letter RA typed for seven
    ("ဝ", "ဝ"),  # alone it is a letter: left alone
    ("ရွာ ၁", "ရွာ 1"),  # RA inside a word, not touching the digit
    ("abc", "abc"),
])
def test_native_digits_become_ascii(text, expected):
    assert ascii_digits(pa.array([text])).to_pylist() == [expected]


@pytest.mark.parametrize("lang, text, expected", [
    ("th", "๑๒.๕", 12.5),
    ("en", "1,234", 1234.0),  # the usual thousands comma
    ("en", "1,234.5", 1234.5),
    ("vi", "10,7626", 10.7626),  # decimal comma
    ("vi", "10.7626", 10.7626),  # NOT 107626 (babel's parse_decimal misreads this)
    ("lo", "17.9757", 17.9757),  # NOT 179757
    ("vi", "1.234,5", 1234.5),
    ("vi", "1.234.567", 1234567.0),
    ("en", "−5", -5.0),  # U+2212 minus
    ("en", "1 234", 1234.0),
    ("my", "၁၆.၈၆၆၁", 16.8661),
])
def test_numbers(lang, text, expected):
    parsed = parse_numbers([text], lang)
    assert parsed.values[0] == pytest.approx(expected)
    assert not len(parsed.issues)


@pytest.mark.parametrize("lang, text, code", [
    ("vi", "1.234", "NUMBER_SEPARATOR_AMBIGUOUS"),  # 1234 or 1.234? refuse rather than guess
    ("en", "12.5.6", "NUMBER_INVALID"),
    ("en", "1,23,4", "NUMBER_INVALID"),
    ("th", "สิบ", "NUMBER_INVALID"),
])
def test_unreadable_numbers_are_errors(lang, text, code):
    parsed = parse_numbers(["7", text], lang)
    assert math.isnan(parsed.values[1]) and parsed.values[0] == 7
    assert [(row, p.code) for row, p in parsed.issues] == [(1, code)]
    assert parsed.errors.tolist() == [False, True]
    assert code in REGISTRY


def test_ambiguous_message_names_both_readings():
    value, problem = read_number("1.234", "vi")
    assert "1,234" in problem.message("en", value="1.234") and "1234" in problem.message("en", value="1.234")


def test_empty_cells_are_nan_not_errors():
    parsed = parse_numbers(["", None, float("nan"), "  ", "3"], "en")
    assert parsed.empty.tolist() == [True, True, True, True, False]
    assert not len(parsed.issues)


def test_whole_numbers():
    parsed = parse_numbers(["3", "๔", "2.5"], "th", whole=True)
    assert parsed.values[:2].tolist() == [3, 4] and math.isnan(parsed.values[2])
    assert [p.code for _, p in parsed.issues] == ["NUMBER_NOT_WHOLE"]


def test_each_bad_value_reported_on_every_row():
    parsed = parse_numbers(["x", "1", "x", "y"] * 3, "en")
    assert parsed.issues.rows.tolist() == [0, 2, 3, 4, 6, 7, 8, 10, 11]
    assert np.isnan(parsed.values[parsed.issues.rows]).all()
