"""Text cells: Burmese Zawgyi → Unicode, NFC, Khmer mark order, zero-width characters, matching keys.

Zawgyi is detected with Google's myanmartools (p > 0.95, only on text with Myanmar letters) and converted with
ICU's ``Zawgyi-my`` transform (pyicu-wheels), the reference converter in l10n.md A2. Conversion is never run on
Unicode text: ICU turns Unicode Burmese into garbage. Khmer syllables typed in the wrong order are fixed with
khmerspell (l10n.md A3); Thai and Burmese get NFC only (no maintained reorderer beyond it).
"""
from __future__ import annotations

import re
import unicodedata
import warnings
from functools import lru_cache

import numpy as np

from . import flags as _flags  # noqa: F401
from .result import Issues, Problem
from .strings import to_arrow, unique_codes

ZAWGYI_THRESHOLD = 0.95
MIXED_SURE = 0.999  # per-word certainty needed on both sides to call a cell a Zawgyi/Unicode mix
_MYANMAR = re.compile(r"[\u1000-\u109f]")
_KHMER = re.compile(r"[\u1780-\u17ff]")
# Invisible characters typed as word breaks or joiners (category Cf); kept in display text, removed from keys.
ZERO_WIDTH = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=1)
def _detector():
    with warnings.catch_warnings():  # myanmartools uses a deprecated importlib.resources call
        warnings.simplefilter("ignore", DeprecationWarning)
        from myanmartools import ZawgyiDetector
        return ZawgyiDetector()


@lru_cache(maxsize=1)
def _zawgyi_to_unicode():
    import icu
    return icu.Transliterator.createInstance("Zawgyi-my")


def zawgyi_probability(text: str) -> float:
    """Probability that ``text`` is Zawgyi; 0.0 for text without Myanmar letters (the detector gives -inf)."""
    if not text or not _MYANMAR.search(text):
        return 0.0
    return max(float(_detector().get_zawgyi_probability(text)), 0.0)


def detect_zawgyi(text: str) -> bool:
    return zawgyi_probability(text) > ZAWGYI_THRESHOLD


def zawgyi_mixed(text: str) -> bool:
    """Some words clearly Zawgyi and others clearly Unicode: converting the cell would garble the Unicode words
    and leaving it would keep the Zawgyi ones, so the person has to retype it. Per word, with a stricter
    threshold than detection: Unicode words of the checklist and form score up to 0.94 on their own."""
    words = [w for w in text.split() if _MYANMAR.search(w)]
    if len(words) < 2:
        return False
    probabilities = [zawgyi_probability(w) for w in words]
    return max(probabilities) > MIXED_SURE and min(probabilities) < 1 - MIXED_SURE


def zawgyi_to_unicode(text: str) -> str:
    return unicodedata.normalize("NFC", _zawgyi_to_unicode().transliterate(text))


def normalize_text(text: str) -> tuple[str, bool]:
    """One cell → (normalised text, converted from Zawgyi?). Zawgyi first: NFC would reorder Zawgyi bytes."""
    converted = detect_zawgyi(text) and not zawgyi_mixed(text)
    if converted:
        text = zawgyi_to_unicode(text)
    text = unicodedata.normalize("NFC", text)
    if _KHMER.search(text):
        from khmerspell import khnormal
        text = unicodedata.normalize("NFC", khnormal(text))
    return text, converted


def normalize_texts(values, field: str | None = None) -> tuple[np.ndarray, Issues]:
    """Cells → (object array of normalised text, None where empty; TEXT_ZAWGYI_CONVERTED per converted row)."""
    codes, uniques = unique_codes(to_arrow(values))
    results = [normalize_text(u) for u in uniques]
    mixed = [bool(_MYANMAR.search(u)) and zawgyi_mixed(u) for u in uniques]
    texts = np.array([r[0] for r in results] + [None], object)
    converted, refused = Problem.of("TEXT_ZAWGYI_CONVERTED", field), Problem.of("TEXT_ZAWGYI_MIXED", field)
    issues = Issues.from_unique(codes, [(refused,) if m else (converted,) if r[1] else ()
                                        for r, m in zip(results, mixed)])
    return texts[codes], issues


def clean_identifier(text: str) -> str:
    """Identifiers (occurrenceID, codes): NFC, zero-width characters removed, outer spaces trimmed."""
    return ZERO_WIDTH.sub("", unicodedata.normalize("NFC", text)).strip()


# Spellings that look the same and that established translations use side by side (field_truth.md, summary;
# l10n.md B): Khmer subscript DA for subscript TA, Lao ຫຼ/ຫລ and the ligatures ໜ ໝ, Thai and Lao SARA AM typed as
# NIKHAHIT + SARA AA. Keys use one of each pair, so a header, choice or name spelled either way matches.
_SPELLING_VARIANTS = str.maketrans({"\u0edc": "\u0eab\u0e99", "\u0edd": "\u0eab\u0ea1", "\u0ebc": "\u0ea5"})
_SPELLING_PAIRS = (("\u17d2\u178a", "\u17d2\u178f"), ("\u0e4d\u0e32", "\u0e33"), ("\u0ecd\u0eb2", "\u0eb3"))


def fold_spelling_variants(text: str) -> str:
    """One spelling for each pair of equivalent spellings (for matching keys only, never for stored text)."""
    text = text.translate(_SPELLING_VARIANTS)
    for variant, canonical in _SPELLING_PAIRS:
        text = text.replace(variant, canonical)
    return text


def matching_key(text: str) -> str:
    """Key for comparing names: NFC, no zero-width characters, single spaces, casefolded, equivalent spellings
    folded (:func:`fold_spelling_variants`)."""
    return fold_spelling_variants(_SPACES.sub(" ", clean_identifier(text)).strip().casefold())


def folded_key(text: str) -> str:
    """:func:`matching_key` without Latin diacritics (Vietnamese typed without accents; đ → d).

    Only marks on Latin letters are dropped: Thai, Lao, Khmer and Burmese vowel signs are letters' parts.
    """
    out = []
    for ch in unicodedata.normalize("NFD", matching_key(text).replace("đ", "d")):
        if unicodedata.category(ch) == "Mn" and out and out[-1].isascii():
            continue
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))
