"""Text: Zawgyi detection and conversion (Unicode never touched), NFC, Khmer order, zero-width characters."""
import unicodedata

import pytest

from occurrences.parse import (clean_identifier, detect_zawgyi, folded_key, matching_key, normalize_text,
                               normalize_texts)

# Google myanmar-tools test pair and package doc examples (l10n.md A2).
ZAWGYI_UNICODE = [
    ("အျပည္ျပည္ဆိုင္ရာ လူ႔အခြင့္အေရး ေၾကညာစာတမ္း", "အပြည်ပြည်ဆိုင်ရာ လူ့အခွင့်အရေး ကြေညာစာတမ်း"),
    ("ျမန္မာ", "မြန်မာ"),
    ("ဉာဏ္ႀကီးရွင္", "ဉာဏ်ကြီးရှင်"),
]


@pytest.mark.parametrize("zawgyi, unicode", ZAWGYI_UNICODE)
def test_zawgyi_is_detected_and_converted(zawgyi, unicode):
    assert detect_zawgyi(zawgyi)
    assert normalize_text(zawgyi) == (unicodedata.normalize("NFC", unicode), True)


@pytest.mark.parametrize("_zawgyi, unicode", ZAWGYI_UNICODE)
def test_unicode_burmese_is_never_converted(_zawgyi, unicode):
    assert not detect_zawgyi(unicode)
    assert normalize_text(unicode) == (unicodedata.normalize("NFC", unicode), False)


@pytest.mark.parametrize("text", ["hello", "13.75", "", "๑๒๓", "ပန်ဒါနီ"])
def test_other_text_not_flagged(text):
    assert not detect_zawgyi(text)


def test_normalize_texts_flags_converted_rows_only():
    values, issues = normalize_texts(["ျမန္မာ", "မြန်မာ", None, "ျမန္မာ"], "locality")
    assert values.tolist() == ["မြန်မာ", "မြန်မာ", None, "မြန်မာ"]
    assert [(r, p.code, p.field) for r, p in issues] == [(0, "TEXT_ZAWGYI_CONVERTED", "locality"),
                                                         (3, "TEXT_ZAWGYI_CONVERTED", "locality")]


def test_nfc_vietnamese():
    decomposed = unicodedata.normalize("NFD", "Cầy vòi đốm")
    assert normalize_text(decomposed)[0] == "Cầy vòi đốm"


def test_khmer_mark_order_fixed():
    assert normalize_text("ខ្ញំុ")[0] == normalize_text("ខ្ញុំ")[0]


def test_zero_width_removed_from_identifiers_and_keys():
    assert clean_identifier(" TH-\u200b001\ufeff ") == "TH-001"
    assert matching_key("อีเห็น\u200bข้างลาย") == matching_key("อีเห็นข้างลาย")
    assert matching_key("Paguma   LARVATA") == "paguma larvata"


def test_folded_key_drops_latin_accents_only():
    assert folded_key("Cầy vòi Đốm") == "cay voi dom"
    assert folded_key("อีเห็นข้างลาย") == "อีเห็นข้างลาย"  # Thai vowel and tone marks are kept
