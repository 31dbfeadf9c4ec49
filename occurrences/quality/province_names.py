"""Province names of Thailand, Cambodia, Lao PDR and Myanmar in the six page languages (issue 17).

The names are CLDR's subdivision names (Unicode CLDR 48, Unicode License V3), extracted into
``geodata/provinces/names.csv`` by ``scripts/build_province_names.py`` (provenance in that folder's README).
Viet Nam's provinces are not here: :mod:`.vn_provinces` has them, before and after the 2025 merger.

A stored ``stateProvince`` is matched to a province by any of its names: the ISO 3166-2 name, CLDR's name in
any of the six languages, and a few other common romanisations (:data:`OTHER_SPELLINGS`). Case, accents,
spaces, punctuation and the words for the kind of unit ("Province", "จังหวัด", "ខេត្ត", "ແຂວງ", "ပြည်နယ်", ...)
do not count. A name that fits two provinces (ISO writes both Vientiane units "Viangchan") matches neither.
Nothing is read from the network; the file is read once and kept.
"""
from __future__ import annotations

import csv
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..i18n import data_dir

LANGS = ("en", "th", "vi", "km", "lo", "my")
NAMES_FILE = data_dir("geodata") / "provinces" / "names.csv"
# Romanisations in common use that neither ISO 3166-2 nor CLDR gives; used only to recognise a stored value,
# never shown. Each is a spelling of the unit's name in English-language sources, not a new name.
OTHER_SPELLINGS = {
    "LA-BL": ("Bolikhamxay", "Borikhamxai"),
    "LA-XA": ("Sayaboury", "Xayaboury", "Xayaburi"),
    "LA-AT": ("Attopeu",),
    "LA-LP": ("Louang Phrabang", "Luang Phabang"),
    "LA-XI": ("Xieng Khouang", "Xiangkhoang"),
    "LA-SL": ("Saravan",),
    "KH-18": ("Kampong Som",),
    "KH-16": ("Rattanakiri", "Ratanak Kiri"),
    "MM-06": ("Rangoon",),
    "MM-07": ("Irrawaddy",),
    "MM-02": ("Pegu",),
    "MM-05": ("Tenasserim",),
    "MM-16": ("Arakan",),
    "MM-03": ("Magwe",),
    "TH-30": ("Korat",),
}
# Words for the kind of unit, in the six languages, at the start or end of a name.
_UNIT_WORDS = [
    "province", "region", "state", "division", "prefecture", "city", "municipality", "union territory",
    "changwat", "khet", "khoueng", "khaet", "krong", "tinh", "vung", "thanh pho", "lanh tho lien bang",
    "จังหวัด", "แขวง", "เขต", "รัฐ", "เมือง", "นครหลวง",
    "ខេត្ត", "ខ្វែង", "រាជធានី", "រដ្ឋធានី", "ក្រុង", "តំបន់", "រដ្ឋ",
    "ແຂວງ", "ຈັງຫວັດ", "ນະຄອນຫຼວງ", "ນະຄອນ", "ລັດ", "ຂົງເຂດ",
    "ပြည်နယ်", "တိုင်းဒေသကြီး", "တိုင်း", "ခရိုင်", "မြို့",
]
_WORDS_LONGEST_FIRST = sorted(_UNIT_WORDS, key=len, reverse=True)
_FOLDED_WORDS = sorted({w.replace(" ", "") for w in _UNIT_WORDS}, key=len, reverse=True)


def fold(name: str) -> str:
    """Case, Latin accents, spaces, punctuation and zero-width characters removed: 'Savannakhét' and
    'savannakhet' are one key; Thai, Lao, Khmer and Burmese vowel and tone signs are kept (they are letters)."""
    text = unicodedata.normalize("NFD", str(name).replace("Đ", "D").replace("đ", "d"))
    out, latin = [], False
    for ch in text:
        if unicodedata.combining(ch):
            if not latin:
                out.append(ch)
            continue
        latin = ch.isascii()
        if ch.isalnum() or unicodedata.category(ch).startswith("M"):
            out.append(ch.lower())
    return unicodedata.normalize("NFC", "".join(out))


def variants(key: str) -> list[str]:
    """A folded name as it is, without a word for the kind of unit at its start, at its end, and at both
    ('จังหวัดเชียงใหม่' → also 'เชียงใหม่'; 'ຈັງຫວັດນະຄອນພະນົມ' → also 'ນະຄອນພະນົມ')."""
    head = next((key[len(w):] for w in _FOLDED_WORDS if key.startswith(w) and len(key) > len(w)), key)
    tail = next((key[: -len(w)] for w in _FOLDED_WORDS if key.endswith(w) and len(key) > len(w)), key)
    both = next((head[: -len(w)] for w in _FOLDED_WORDS if head.endswith(w) and len(head) > len(w)), head)
    return list(dict.fromkeys([key, head, tail, both]))


@dataclass(frozen=True)
class Province:
    code: str  # ISO 3166-2
    country: str  # ISO 3166-1 alpha-2
    iso_name: str
    names: dict[str, str]  # language → CLDR name; a language CLDR does not cover is absent

    def name(self, lang: str) -> str:
        """The name in ``lang``, else the English one (CLDR names every province in English)."""
        return self.names.get(lang) or self.names["en"]


class ProvinceNames:
    def __init__(self, provinces: list[Province]):
        self.provinces = provinces
        self.by_code = {p.code: p for p in provinces}
        exact: dict[str, set[str]] = {}
        loose: dict[str, set[str]] = {}
        for p in provinces:
            for spelling in (p.iso_name, *p.names.values(), *OTHER_SPELLINGS.get(p.code, ())):
                key = fold(spelling)
                if key:
                    exact.setdefault(key, set()).add(p.code)
                    for variant in variants(key):
                        loose.setdefault(variant, set()).add(p.code)
        # A key that fits two provinces identifies neither.
        self._exact = {k: next(iter(v)) for k, v in exact.items() if len(v) == 1}
        self._loose = {k: next(iter(v)) for k, v in loose.items() if len(v) == 1}

    def find(self, name: str | None) -> Province | None:
        """The province ``name`` names: first by the whole name, then with a word for the kind of unit
        removed on either side; None when it names none, or more than one."""
        key = fold(name or "")
        if not key:
            return None
        if key in self._exact:
            return self.by_code[self._exact[key]]
        code = next((self._loose[v] for v in variants(key) if v in self._loose), None)
        return self.by_code.get(code) if code else None

    def spellings(self, province: Province) -> list[str]:
        """The names a record may store for ``province``: ISO's, CLDR's in the six languages (also without the
        word for the kind of unit, as people often write them: 'เชียงใหม่') and :data:`OTHER_SPELLINGS`; only
        those that name this province alone."""
        names = [province.iso_name, *province.names.values(), *OTHER_SPELLINGS.get(province.code, ())]
        candidates = dict.fromkeys(n for name in names for n in (name, _without_unit_word(name)) if n)
        # Not a spelling that names another province too ("Viangchan", or "Vientiane" for Vientiane Province).
        return [n for n in candidates if self.find(n) is province]

    def coverage(self) -> dict[str, int]:
        """How many provinces have a CLDR name in each language."""
        return {lang: sum(1 for p in self.provinces if lang in p.names) for lang in LANGS}


def _without_unit_word(name: str) -> str:
    """``name`` without a word for the kind of unit at its start or end ('จังหวัดเชียงใหม่' → 'เชียงใหม่',
    'Vientiane Province' → 'Vientiane'); '' when there is none to remove."""
    lower = name.lower()
    for word in _WORDS_LONGEST_FIRST:
        if lower.startswith(word) and len(name) > len(word):
            return name[len(word):].strip(" \u200b")
        if lower.endswith(word) and len(name) > len(word):
            return name[: -len(word)].strip(" \u200b")
    return ""


def expand(values: list[str]) -> list[str]:
    """``values`` plus, for each that names a province of the four countries, its other spellings
    (:meth:`ProvinceNames.spellings`), so a filter on the Thai, Lao, ... name finds the records stored under the
    English one and the other way round. Depends on the fixed name table only, never on stored data."""
    names = load()
    found = [p for value in values if (p := names.find(value))]
    return list(dict.fromkeys([*values, *(s for p in found for s in names.spellings(p))]))


def load(path: Path | str = NAMES_FILE) -> ProvinceNames:
    path = Path(path)
    return _load_cached(str(path.resolve()), path.stat().st_mtime_ns)


@lru_cache(maxsize=2)
def _load_cached(path: str, _mtime_ns: int) -> ProvinceNames:
    with open(path, encoding="utf-8", newline="") as fh:
        provinces = [Province(row["code"], row["country"], row["iso_name"],
                              {lang: row[lang] for lang in LANGS if row.get(lang)})
                     for row in csv.DictReader(fh)]
    return ProvinceNames(provinces)


def localised(name: str | None, lang: str) -> str | None:
    """The province ``name`` names, in ``lang`` (English where CLDR has no name in ``lang``); None when
    ``name`` is no province of the four countries."""
    province = load().find(name)
    return province.name(lang) if province else None

