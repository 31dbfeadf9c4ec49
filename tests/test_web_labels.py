"""Province names on the pages come in the reader's language where a source gives them (issue 17)."""
import occurrences.api  # noqa: F401  (the web package is imported through the app)
from occurrences.web.labels import Values


def test_viet_nam_provinces_are_shown_in_the_readers_language():
    assert Values("lo").province("Quảng Trị") == "ກວາງຕຣີ"  # iso-codes' Lao name
    assert Values("th").province("Quảng Trị") == "กว่างตรี"
    assert Values("vi").province("Quang Tri") == "Quảng Trị"  # romanised input, official name out


def test_other_provinces_stay_as_stored():
    assert Values("th").province("Chiang Mai") == "Chiang Mai"
    assert Values("km").province(None) == ""
