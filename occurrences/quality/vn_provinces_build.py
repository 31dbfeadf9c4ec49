"""Build step for Viet Nam's provinces before and after the 2025 merger (63 → 34 units from 2025-07-01).

Reads the shared source folder (``vn_provinces_34.geojson`` and ``old63_to_new34.csv``, MIT, from
TaliaCao/Vietnam-Shape-Map) and writes ``geodata/vn-provinces/`` in the repository:

- ``vn_provinces_34.geojson``: the 34 units, simplified (``shapely.coverage_simplify``, so neighbours keep one
  shared border) and rounded to 4 decimals;
- ``units.csv``: every unit of both sets with its validity dates and its name in the six languages, each with
  the source of that name;
- ``old63_to_new34.csv``: the mapping, with the old names replaced by the ISO 3166-2 names the project already
  has (pycountry) and the source's own spelling kept beside them.

Nothing is written unless every name is recognised: a mapping with an unknown or duplicated name is refused
with :class:`ProvinceMappingRejected` and the files already in ``geodata/vn-provinces/`` stay as they were.

    python -m occurrences.quality.vn_provinces_build /work/shared/data/vn-provinces-2025
"""
from __future__ import annotations

import csv
import gettext
import io
import json
import os
import sys
import unicodedata
from importlib import metadata
from pathlib import Path

import numpy as np
import shapely

from ..errors import FileProblem
from ..i18n import N_, translate
from .vn_provinces import NEW_FROM, OLD_UNTIL, VN_DIR, name_key, romanised

SIMPLIFY_DEG = 0.005  # ~500 m: enough for "is the point in the named province", 320 kB instead of 3.9 MB
MAPPING = "old63_to_new34.csv"
GEOJSON = "vn_provinces_34.geojson"
LANGS = ("en", "th", "vi", "km", "lo", "my")
# Spellings of the source that are not variants but mistakes (see the source's README).
SOURCE_TYPOS = {"Quản Bình": "Quảng Bình", "Cần Thơn": "Cần Thơ"}
# The 34 units as the source writes them → the official short name (no "TP" prefix, "Hòa" spelling as in
# pycountry; the six centrally governed cities are thành phố). Names not listed are the same in both.
NEW_NAMES = {"TP HCM": "Hồ Chí Minh", "TP Huế": "Huế", "TP Hà Nội": "Hà Nội", "TP Hải Phòng": "Hải Phòng",
             "TP Đà Nẵng": "Đà Nẵng", "TP Cần Thơ": "Cần Thơ", "Khánh Hoà": "Khánh Hòa", "Thanh Hoá": "Thanh Hóa"}
# ISO 3166-2 (as pycountry has it) misspells one province: the official name is Kiên Giang (level tone).
ISO_CORRECTIONS = {"VN-47": "Kiên Giang"}
# CLDR 48.2.0 subdivision names (npm cldr-subdivisions-full, subdivisions/en/en.json), Viet Nam's rows only.
CLDR_EXTRACT = "cldr_subdivisions_en.csv"
CLDR_SOURCE = "CLDR 48.2 subdivisions"
CITIES = {"Hồ Chí Minh", "Huế", "Hà Nội", "Hải Phòng", "Đà Nẵng", "Cần Thơ"}


class ProvinceMappingRejected(FileProblem):
    """A province mapping that names a unit nobody knows, or maps one unit twice; nothing was changed."""

    code = "province-mapping-rejected"
    template = N_("The province mapping {name} was refused and the previous province data kept: {reason}")

    def message(self, lang: str = "en") -> str:
        reason = translate(lang, self.params["reason"], **self.params)
        return translate(lang, self.template, **{**self.params, "reason": reason})


def build(source: Path | str, out: Path | str = VN_DIR) -> Path:
    """Validate the source folder, then write the three files into ``out`` (each replaced atomically)."""
    source, out = Path(source), Path(out)
    old = _old_units()
    pairs = read_mapping(source / MAPPING, old)
    frame = json.loads((source / GEOJSON).read_text("utf-8"))
    new_units = _new_units(frame, pairs, source / MAPPING)
    geojson = _simplified(frame, new_units)
    units = _unit_rows(old, new_units)
    out.mkdir(parents=True, exist_ok=True)
    _write(out / GEOJSON, json.dumps(geojson, ensure_ascii=False, separators=(",", ":")) + "\n")
    _write(out / "units.csv", _csv(units))
    _write(out / MAPPING, _csv([{"old_code": old[o]["code"], "old_name": old[o]["vi"], "new_name": n,
                                 "source_spelling_old": raw_o, "source_spelling_new": raw_n}
                                for o, n, raw_o, raw_n in pairs]))
    return out


def read_mapping(path: Path, old: dict[str, dict]) -> list[tuple[str, str, str, str]]:
    """(old key, new official name, source spelling old, source spelling new) for each row; refuses bad rows."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    pairs, seen = [], {}
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != 2 or not all(cell.strip() for cell in row):
            _refuse(path, N_("row {row} should have two names, the province before 2025-07-01 and the one it "
                             "became; it has {value!r}."), row=number, value=",".join(row))
        raw_old, raw_new = (unicodedata.normalize("NFC", c.strip()) for c in row)
        key = name_key(SOURCE_TYPOS.get(raw_old, raw_old))
        if key not in old:
            _refuse(path, N_("row {row} names {value!r}, which is not one of Viet Nam's 63 provinces before "
                             "2025-07-01. Check the spelling."), row=number, value=raw_old)
        if key in seen:
            _refuse(path, N_("row {row} maps {value!r} a second time (first on row {other_row}); each former "
                             "province becomes exactly one new one."), row=number, value=raw_old,
                    other_row=seen[key])
        seen[key] = number
        pairs.append((key, NEW_NAMES.get(raw_new, raw_new), raw_old, raw_new))
    missing = [old[k]["vi"] for k in old if k not in seen]
    if missing:
        _refuse(path, N_("it does not say what became of {value}."), value=", ".join(missing))
    return pairs


def _new_units(frame: dict, pairs: list, path: Path) -> dict[str, dict]:
    """The 34 units, named officially, each with the old keys merged into it; polygons and mapping must agree."""
    polygons = {NEW_NAMES.get(f["properties"]["ten_tinh"], f["properties"]["ten_tinh"]) for f in frame["features"]}
    units: dict[str, dict] = {}
    for old_key, new, _, raw_new in pairs:
        if new not in polygons:
            _refuse(path, N_("the new province {value!r} has no polygon in the boundary file."), value=raw_new)
        units.setdefault(new, {"merged": []})["merged"].append(old_key)
    return units


def _simplified(frame: dict, new_units: dict) -> dict:
    names = [NEW_NAMES.get(f["properties"]["ten_tinh"], f["properties"]["ten_tinh"]) for f in frame["features"]]
    geoms = np.array([shapely.from_geojson(json.dumps(f["geometry"])) for f in frame["features"]])
    geoms = shapely.make_valid(shapely.set_precision(shapely.coverage_simplify(geoms, SIMPLIFY_DEG), 1e-4))
    feats = [{"type": "Feature", "properties": {"name": n, "layer_code": f["properties"]["code"]},
              "geometry": json.loads(shapely.to_geojson(g))}
             for n, f, g in sorted(zip(names, frame["features"], geoms), key=lambda t: name_key(t[0]))
             if n in new_units]
    return {"type": "FeatureCollection", "name": "vn_provinces_34", "features": feats}


def _old_units() -> dict[str, dict]:
    """The 63 units before 2025-07-01 as the project knows them: pycountry's ISO 3166-2 VN subdivisions."""
    import pycountry

    units = {}
    for s in pycountry.subdivisions.get(country_code="VN"):
        name = ISO_CORRECTIONS.get(s.code, s.name)
        units[name_key(name)] = {"code": s.code, "vi": name, "iso_name": s.name, "type": s.type}
    return units


def _unit_rows(old: dict[str, dict], new_units: dict[str, dict]) -> list[dict]:
    rows = [{"set": "vn63", "valid_from": "", "valid_until": OLD_UNTIL.isoformat(), "code": unit["code"],
             "kind": "city" if unit["type"] == "Municipality" else "province", **_names(unit["vi"], unit["code"])} for unit in sorted(old.values(), key=lambda u: u["code"])]
    for name in sorted(new_units, key=name_key):
        code = next((old[k]["code"] for k in new_units[name]["merged"] if name_key(old[k]["vi"]) == name_key(name)),
                    None) or next(old[k]["code"] for k in new_units[name]["merged"] if old[k]["vi"].endswith(name))
        rows.append({"set": "vn34", "valid_from": NEW_FROM.isoformat(), "valid_until": "", "code": "",
                     "kind": "city" if name in CITIES else "province", **_names(name, code),
                     "merged_from": "|".join(old[k]["vi"] for k in new_units[name]["merged"])})
    return rows


def _names(vi: str, iso_code: str) -> dict[str, str]:
    """The unit's name per language with its source: CLDR's subdivision name (English only: CLDR 48 has no
    Vietnamese subdivision names in th, vi, km, lo or my), else iso-codes (via pycountry) where it has a
    translation in that language, else the Vietnamese name, already in Latin script, romanised."""
    import pycountry

    iso_name = pycountry.subdivisions.get(code=iso_code).name
    vi_iso = ISO_CORRECTIONS.get(iso_code, iso_name)
    version = metadata.version("pycountry")
    out = {"vi": vi, "source_vi": "official"}
    cldr_en = _cldr_en().get(iso_code)
    for lang in ("en", "th", "km", "lo", "my"):
        translated = _iso_codes(lang).gettext(iso_name)
        if lang == "en" and cldr_en and _same_unit(vi, vi_iso):
            out[lang], out[f"source_{lang}"] = cldr_en, CLDR_SOURCE
        elif translated != iso_name and _same_unit(vi, vi_iso):
            out[lang], out[f"source_{lang}"] = translated, f"iso-codes via pycountry {version}"
        else:
            out[lang], out[f"source_{lang}"] = romanised(vi), "romanised"
    return {k: out[k] for k in (*LANGS, *(f"source_{lang}" for lang in LANGS))}


def _cldr_en() -> dict[str, str]:
    """ISO code → CLDR English subdivision name, from the extract kept beside the data (see its README)."""
    path = VN_DIR / CLDR_EXTRACT
    with path.open(encoding="utf-8", newline="") as fh:
        return {row["code"]: row["en"] for row in csv.DictReader(fh)}


def _same_unit(vi: str, iso_name: str) -> bool:
    # "Huế" (the new city) is not a translation of "Thừa Thiên-Huế" (the former province): no borrowed name.
    return name_key(vi) == name_key(iso_name)


def _iso_codes(lang: str) -> gettext.NullTranslations:
    import pycountry

    return gettext.translation("iso3166-2", pycountry.LOCALES_DIR, [lang], fallback=True)


def _refuse(path: Path, reason: str, **params) -> None:
    raise ProvinceMappingRejected(name=path.name, reason=reason, **params)


def _csv(rows: list[dict]) -> str:
    fields = list(dict.fromkeys(k for row in rows for k in row))
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, "utf-8")
    tmp.replace(path)


def main(argv: list[str]) -> int:
    """``python -m occurrences.quality.vn_provinces_build SOURCE [OUT]``: 0 when built, 1 (and why) when refused."""
    if not 1 <= len(argv) <= 2:
        print("usage: python -m occurrences.quality.vn_provinces_build SOURCE_FOLDER [OUT_FOLDER]", file=sys.stderr)
        return 2
    try:
        print(build(*argv))
    except ProvinceMappingRejected as exc:
        print(exc.message(), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover - the documented build command
    sys.exit(main(sys.argv[1:]))
