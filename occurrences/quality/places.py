"""Points that sit on a reference place rather than where an animal was: country centroids and capitals.

These are CoordinateCleaner's ``centroids`` (1 km) and ``capitals`` (10 km) tests. Centroids are the area
centroids of the polygons in use: the country boundaries, and the provinces of the five countries when
``occurrences geodata build`` could build them (otherwise countries only). CoordinateCleaner takes its centroids
from its own reference table; we take the polygons' centroids, not Natural Earth's label points, so the test
agrees with the boundaries the other checks use.
"""
from __future__ import annotations

import numpy as np

from . import definitions as d
from .boundaries import Boundaries
from .coordinates import LAT, Coordinates
from .provinces import Provinces
from .distance import near_points
from .result import FlagSet

# Seats of government of the five countries and their neighbours (WGS84, ~100 m), plus Yangon, the capital of
# Myanmar until 2005, to which many older records and specimens are georeferenced.
CAPITALS: tuple[tuple[str, str, float, float], ...] = (
    ("Bangkok", "TH", 13.7563, 100.5018),
    ("Hanoi", "VN", 21.0285, 105.8542),
    ("Phnom Penh", "KH", 11.5564, 104.9282),
    ("Vientiane", "LA", 17.9757, 102.6331),
    ("Naypyidaw", "MM", 19.7633, 96.0785),
    ("Yangon", "MM", 16.8409, 96.1735),
    ("Beijing", "CN", 39.9042, 116.4074),
    ("New Delhi", "IN", 28.6139, 77.2090),
    ("Dhaka", "BD", 23.8103, 90.4125),
    ("Kuala Lumpur", "MY", 3.1390, 101.6869),
    ("Putrajaya", "MY", 2.9264, 101.6964),
    ("Thimphu", "BT", 27.4728, 89.6390),
    ("Singapore", "SG", 1.2903, 103.8520),
    ("Jakarta", "ID", -6.2088, 106.8456),
)


def place_flags(c: Coordinates, rows: np.ndarray, b: Boundaries) -> list[FlagSet]:
    """Centroid and capital flags for ``rows`` (indices of points that are placed on the map)."""
    lon, lat = c.lon[rows], c.lat[rows]
    sets = []
    pts, ref, dist = near_points(lon, lat, b.centroids[:, 0], b.centroids[:, 1], d.CENTROID_RADIUS_KM)
    pts, ref, dist = _closest(pts, ref, dist)
    hit = rows[pts]
    sets.append(FlagSet(d.COORDINATE_NEAR_COUNTRY_CENTROID, LAT, hit, c.raw_lat[hit],
                        {"lat": c.lat[hit], "lon": c.lon[hit], "distance_km": np.round(dist, 2),
                         "country": b.names[ref]}))
    provinces = b.provinces
    if provinces is not None and len(provinces):
        sets.append(_province_centroid_flags(c, rows, provinces, b))
    cap_lon = np.array([p[3] for p in CAPITALS])
    cap_lat = np.array([p[2] for p in CAPITALS])
    pts, ref, dist = _closest(*near_points(lon, lat, cap_lon, cap_lat, d.CAPITAL_RADIUS_KM))
    hit = rows[pts]
    names = np.array([p[0] for p in CAPITALS], object)
    sets.append(FlagSet(d.COORDINATE_NEAR_CAPITAL, LAT, hit, c.raw_lat[hit],
                        {"lat": c.lat[hit], "lon": c.lon[hit], "distance_km": np.round(dist, 1),
                         "capital": names[ref]}))
    return sets


def _province_centroid_flags(c: Coordinates, rows: np.ndarray, p: Provinces, b: Boundaries) -> FlagSet:
    pts, ref, dist = _closest(*near_points(c.lon[rows], c.lat[rows], p.centroids[:, 0], p.centroids[:, 1],
                                           d.CENTROID_RADIUS_KM))
    hit = rows[pts]
    country = b.indices(p.countries[ref])
    country_names = np.where(country >= 0, b.names[np.maximum(country, 0)], p.countries[ref])
    return FlagSet(d.COORDINATE_NEAR_PROVINCE_CENTROID, LAT, hit, c.raw_lat[hit],
                   {"lat": c.lat[hit], "lon": c.lon[hit], "distance_km": np.round(dist, 2),
                    "province": p.names[ref], "province_code": p.codes[ref], "country": country_names})


def _closest(pts: np.ndarray, ref: np.ndarray, dist: np.ndarray):
    """One pair per point, the nearest reference; sorted by point."""
    order = np.lexsort((dist, pts))
    pts, ref, dist = pts[order], ref[order], dist[order]
    first = np.r_[True, pts[1:] != pts[:-1]] if len(pts) else np.zeros(0, bool)
    return pts[first], ref[first], dist[first]
