"""Languages, gettext catalogs and locale negotiation.

Catalogs live in ``locales/<lang>/LC_MESSAGES/occurrences.po``. They are compiled in memory when first used
(babel's own compiler), so there is no build step to forget and an edited ``.po`` takes effect on restart.
Parsing of numbers and dates typed by users is *not* done here: see :mod:`occurrences.parse`.
"""
from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LANGUAGES: tuple[str, ...] = ("en", "th", "vi", "km", "lo", "my")
DEFAULT_LANGUAGE = "en"
DOMAIN = "occurrences"
LANGUAGE_NAMES = {
    "en": "English",
    "th": "ไทย",
    "vi": "Tiếng Việt",
    "km": "ខ្មែរ",
    "lo": "ລາວ",
    "my": "မြန်မာ",
}


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated where it is shown, in the reader's language."""
    return message


def data_dir(name: str) -> Path:
    """A top-level data folder (``locales``, ``geodata``): the checkout's, or the copy inside a wheel."""
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / name, here / "_data" / name):
        if candidate.is_dir():
            return candidate
    return here.parent / name


def catalog_path(lang: str) -> Path:
    return data_dir("locales") / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@lru_cache(maxsize=None)
def translations(lang: str) -> NullTranslations:
    path = catalog_path(lang)
    if lang == DEFAULT_LANGUAGE or not path.exists():
        return NullTranslations()
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=lang, domain=DOMAIN)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return Translations(buf, domain=DOMAIN)


def gettext(lang: str, message: str) -> str:
    return translations(normalize_language(lang) or DEFAULT_LANGUAGE).gettext(message)


def translate(lang: str, template: str, **params) -> str:
    """Translate ``template`` and fill its ``{named}`` placeholders."""
    text = gettext(lang, template)
    try:
        return text.format(**params)
    except (KeyError, IndexError, ValueError):
        # A broken translation must not hide the message: fall back to the English template.
        return template.format(**params)


def normalize_language(value: str | None) -> str | None:
    """``th-TH`` → ``th``; unknown languages → None."""
    if not value:
        return None
    code = value.strip().replace("_", "-").split("-")[0].lower()
    return code if code in LANGUAGES else None


def negotiate(query_lang: str | None = None, cookie_lang: str | None = None,
              accept_language: str | None = None) -> str:
    """Pick the response language: ``?lang=`` first, then the cookie, then Accept-Language, then English."""
    for explicit in (query_lang, cookie_lang):
        if lang := normalize_language(explicit):
            return lang
    for tag, _q in _parse_accept_language(accept_language or ""):
        if lang := normalize_language(tag):
            return lang
    return DEFAULT_LANGUAGE


def _parse_accept_language(header: str) -> list[tuple[str, float]]:
    ranked = []
    for part in header.split(","):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        if tag:
            ranked.append((tag, q))
    return sorted(ranked, key=lambda item: -item[1])
