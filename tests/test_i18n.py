"""Language negotiation and translated error messages."""
import pytest

from occurrences.errors import InvalidParameter
from occurrences.i18n import LANGUAGES, negotiate, normalize_language


@pytest.mark.parametrize("query,cookie,header,expected", [
    ("th", None, None, "th"),
    (None, "vi", "km", "vi"),
    (None, None, "fr-FR, lo;q=0.8, en;q=0.5", "lo"),
    (None, None, "my-MM", "my"),
    ("xx", None, "km-KH", "km"),
    (None, None, None, "en"),
])
def test_negotiate(query, cookie, header, expected):
    assert negotiate(query, cookie, header) == expected


def test_normalize_language():
    assert normalize_language("th_TH") == "th"
    assert normalize_language("de") is None
    assert set(LANGUAGES) == {"en", "th", "vi", "km", "lo", "my"}


def test_error_message_is_translated_for_every_language():
    err = InvalidParameter(name="bbox", value="1,2", reason="use true or false")
    english = err.message("en")
    for lang in LANGUAGES[1:]:
        text = err.message(lang)
        assert "bbox" in text and "'1,2'" in text
        assert text != english, f"{lang}: message not translated"
