"""Month names and abbreviations of the six languages, from babel's CLDR data, as one lookup table.

Only the *format* context is read: babel 2.18's stand-alone lookups write Lao names into the shared data of
other locales (python-babel#1234, l10n.md A1). Every locale is loaded before the first lookup (workaround a).
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from babel import localedata
from babel.dates import get_month_names

from ..i18n import LANGUAGES

# Thai abbreviations are also typed without their dots (มีค, มี.ค): variants are generated below.
_EXTRA = {"en": {9: ("sept",)}}


def _key(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()


@lru_cache(maxsize=1)
def month_table() -> dict[str, int]:
    """Every accepted spelling (NFC, casefolded) → month number."""
    for code in LANGUAGES:  # eager load before any lookup (babel#1234 workaround)
        localedata.load(code)
    table: dict[str, int] = {}
    for code in LANGUAGES:
        for width in ("wide", "abbreviated"):
            for number, name in get_month_names(width, "format", code).items():
                for variant in _variants(name):
                    table.setdefault(_key(variant), number)
        for number, names in _EXTRA.get(code, {}).items():
            for name in names:
                table.setdefault(name, number)
    return table


def _variants(name: str) -> set[str]:
    out = {name, name.rstrip("."), name.replace(".", "")}
    if name.isascii() and "." not in name:
        out.add(name + ".")  # "Mar."
    return {v for v in out if v}


@lru_cache(maxsize=1)
def month_regex() -> re.Pattern:
    names = sorted(month_table(), key=len, reverse=True)
    # Latin names must not be the start of a longer word; digits may follow Vietnamese "tháng 1" only as a
    # different month ("tháng 11"), which the longest-first order already prefers.
    return re.compile("|".join(re.escape(n) + (r"(?![a-z0-9])" if n.isascii() else r"(?!\d)") for n in names))
