"""Viet Nam's provinces before and after the 2025 merger: 63 units until 2025-06-30, 34 from 2025-07-01.

Resolution 202/2025/QH15 merged the 63 provincial-level units into 34, in force from 1 July 2025. A record is
judged against the units that existed on its date: its ``stateProvince`` must name one of them, and its point
should lie in that unit. The data is kept in the repository (``geodata/vn-provinces/``, built by
:mod:`.vn_provinces_build`; provenance in its README):

- ``units.csv``: both sets, with validity dates, names in six languages and the source of each name;
- ``old63_to_new34.csv``: which new unit each former one became;
- ``vn_provinces_34.geojson``: the 34 new units (simplified). The 63 former units' polygons are the
  Natural Earth admin-1 ones built by ``occurrences geodata build`` (:mod:`.provinces`), when present.

Names are matched on :func:`name_key`: accents, case, spacing and the words "tỉnh", "thành phố", "TP" do not
count, so "Khánh Hoà", "Khanh Hoa" and "Tỉnh Khánh Hòa" are one name.
"""
from __future__ import annotations

import csv
import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np
import shapely

from ..i18n import data_dir

OLD_UNTIL = date(2025, 6, 30)  # last day of the 63 units
NEW_FROM = date(2025, 7, 1)  # first day of the 34 units
OLD, NEW = "vn63", "vn34"
VN_DIR = data_dir("geodata") / "vn-provinces"
_UNIT_WORDS = re.compile(r"^(tinh|thanh pho|tp)\b|\b(province|city)$")
# Other ways people write a unit (abbreviations, older names), matched like any other name.
_ALIASES = {"hcm": "Hồ Chí Minh", "tphcm": "Hồ Chí Minh", "saigon": "Hồ Chí Minh"}


@lru_cache(maxsize=4096)
def name_key(name: str) -> str:
    """'Tỉnh Khánh Hoà' → 'khanhhoa'; 'TP. Hồ Chí Minh' → 'hochiminh'; 'Đăk Lăk' → 'daklak'."""
    text = unicodedata.normalize("NFC", str(name)).replace("Đ", "D").replace("đ", "d").replace("Ð", "D")
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c)).lower()
    text = re.sub(r"[^a-z ]+", " ", text)
    text = _UNIT_WORDS.sub(" ", " ".join(text.split())).strip()
    return text.replace(" ", "")


def romanised(vi: str) -> str:
    """The Vietnamese name without tone marks and with Đ → D, as English-language sources often write it."""
    plain = unicodedata.normalize("NFD", vi.replace("Đ", "D").replace("đ", "d"))
    return unicodedata.normalize("NFC", "".join(c for c in plain if not unicodedata.combining(c)))


@dataclass(frozen=True, eq=False)  # one object per unit: compared and hashed by identity
class Unit:
    set: str  # OLD or NEW
    name: str  # official Vietnamese name
    code: str  # ISO 3166-2 for the former units; "" for the new ones (no ISO code was published yet)
    kind: str  # "province" (tỉnh) or "city" (thành phố trực thuộc trung ương)
    names: dict[str, str]  # per language
    sources: dict[str, str]  # per language
    valid_from: date | None
    valid_until: date | None
    merged_from: tuple[str, ...] = ()  # NEW units: the former units' names


@dataclass
class VnProvinces:
    units: list[Unit]
    successor: dict[str, Unit]  # former name key → the new unit it became
    folder: Path
    by_key: dict[tuple[str, str], Unit] = field(init=False)  # (set, name_key) → unit

    def __post_init__(self):
        self.by_key = {(u.set, name_key(name)): u for u in self.units for name in (u.name, u.names["en"])}

    @cached_property
    def polygons(self) -> dict[str, object]:
        """New unit name → shapely geometry; read on first use (a name lookup or filter never needs them)."""
        geojson = json.loads((self.folder / "vn_provinces_34.geojson").read_text("utf-8"))
        return {f["properties"]["name"]: shapely.from_geojson(json.dumps(f["geometry"]))
                for f in geojson["features"]}

    @cached_property
    def prepared(self) -> dict[str, object]:
        """:attr:`polygons`, prepared for fast point-in-polygon tests."""
        for geom in self.polygons.values():
            shapely.prepare(geom)
        return self.polygons

    def find(self, name: str, unit_set: str) -> Unit | None:
        key = name_key(name)
        return self.by_key.get((unit_set, name_key(_ALIASES[key]) if key in _ALIASES else key))

    def successor_of(self, name: str) -> Unit | None:
        """The new unit a former unit named ``name`` became (None if ``name`` is no former unit)."""
        old = self.find(name, OLD)
        return self.successor[name_key(old.name)] if old else None

    def predecessors(self, unit: Unit) -> list[Unit]:
        return [u for name in unit.merged_from if (u := self.find(name, OLD))]

    def related_names(self, name: str) -> list[str]:
        """Every spelling of the units ``name`` is part of, before and after the merger: Quảng Trị → the new
        Quảng Trị and the former Quảng Bình and Quảng Trị, in Vietnamese and romanised. [] if not a VN unit."""
        new = self.find(name, NEW) or self.successor_of(name)
        if new is None:
            return []
        units = [new, *self.predecessors(new)]
        out = []
        for unit in units:
            prefixes = ("Thành phố", "TP") if unit.kind == "city" else ("Tỉnh",)
            out += [unit.name, romanised(unit.name), unit.names["en"], *(f"{prefix} {unit.name}" for prefix in prefixes)]
        return list(dict.fromkeys(out))


def load(folder: Path | str = VN_DIR) -> VnProvinces:
    """Both unit sets, the mapping and the 34 polygons from ``folder`` (default: the repository's copy)."""
    folder = Path(folder)
    return _load_cached(str(folder.resolve()), *_stamps(folder))


def _stamps(folder: Path) -> tuple:
    return tuple((p.name, p.stat().st_mtime_ns) for p in sorted(folder.glob("*")) if p.is_file())


@lru_cache(maxsize=2)
def _load_cached(folder: str, *_stamps) -> VnProvinces:
    base = Path(folder)
    with (base / "units.csv").open(encoding="utf-8", newline="") as fh:
        units = [_unit(row) for row in csv.DictReader(fh)]
    new = {name_key(u.name): u for u in units if u.set == NEW}
    with (base / "old63_to_new34.csv").open(encoding="utf-8", newline="") as fh:
        successor = {name_key(row["old_name"]): new[name_key(row["new_name"])] for row in csv.DictReader(fh)}
    return VnProvinces(units, successor, base)


def _unit(row: dict) -> Unit:
    langs = ("en", "th", "vi", "km", "lo", "my")
    return Unit(row["set"], row["vi"], row["code"], row["kind"], {lang: row[lang] for lang in langs},
                {lang: row[f"source_{lang}"] for lang in langs},
                date.fromisoformat(row["valid_from"]) if row["valid_from"] else None,
                date.fromisoformat(row["valid_until"]) if row["valid_until"] else None,
                tuple(filter(None, (row.get("merged_from") or "").split("|"))))


def locate(p: VnProvinces, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Name of the new (34) unit each point lies in; "" for none."""
    out = np.full(len(lon), "", object)
    for name, geom in p.polygons.items():
        shapely.prepare(geom)
        out[shapely.contains_xy(geom, lon, lat) & (out == "")] = name
    return out


def expand_province_names(values: list[str]) -> list[str]:
    """``values`` plus, for each name of a Viet Nam unit, the names of the same area before and after the
    merger (:meth:`VnProvinces.related_names`), so a filter on either name finds the records of the other.
    Depends on the fixed unit table only, never on stored data."""
    p = load()
    return list(dict.fromkeys([*values, *(name for value in values for name in p.related_names(value))]))


def set_for_dates(last_days) -> str:
    """The unit set a map of records with these last days (ISO dates or ``date``) should draw: the 63 former
    units when every record ends before 2025-07-01, else (and with no dates: the default) the current 34."""
    days = [date.fromisoformat(str(d)[:10]) if not isinstance(d, date) else d for d in last_days if d]
    return OLD if days and max(days) <= OLD_UNTIL else NEW


def set_for_years(years) -> str:
    """:func:`set_for_dates` from years only: a year's last day stands for it (2025 counts as current)."""
    valid = [int(y) for y in np.asarray(years if years is not None else [], dtype="float64") if np.isfinite(y) and y > 0]
    return set_for_dates([date(y, 12, 31) for y in valid])


def merged_into(name: str) -> str | None:
    """The official name of the unit a former province (one that is no current unit) became; None otherwise."""
    p = load()
    unit = None if p.find(name, NEW) else p.successor_of(name)
    return unit.name if unit else None
