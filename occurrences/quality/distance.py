"""Distances in kilometres from points to country boundaries and to reference points (centroids, capitals).

Boundary distances use an STRtree of the boundary *segments* (short lines), never of whole country polygons: a
tree of big polygons tests every point against a full, unprepared polygon and is orders of magnitude slower.
The nearest point on a segment is found in degree space and measured with the haversine formula; that is
accurate to a few percent, which is what a tolerance of a few kilometres needs.
"""
from __future__ import annotations

import numpy as np
import shapely

EARTH_RADIUS_KM = 6371.0088
_KM_PER_DEG_MIN = 110.5  # the shortest a degree of latitude gets; lon degrees are scaled by cos(lat) on top


def haversine_km(lon1, lat1, lon2, lat2) -> np.ndarray:
    lon1, lat1, lon2, lat2 = (np.radians(np.asarray(a, np.float64)) for a in (lon1, lat1, lon2, lat2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def degrees_for_km(km: float, lat: np.ndarray) -> float:
    """A search radius in degrees that cannot miss anything within ``km`` of any of these points."""
    max_lat = min(float(np.max(np.abs(lat), initial=0.0)) + km / _KM_PER_DEG_MIN, 89.0)
    return km / (_KM_PER_DEG_MIN * np.cos(np.radians(max_lat)))


class SegmentIndex:
    """Nearest boundary segment queries over a set of segments, each owned by a country index."""

    def __init__(self, segments: np.ndarray, owners: np.ndarray):
        self.segments = segments
        self.owners = owners
        self.tree = shapely.STRtree(segments)

    def nearest_km(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Distance to the nearest segment (unbounded), km."""
        if not len(lon) or not len(self.segments):
            return np.full(len(lon), np.inf)
        points = shapely.points(lon, lat)
        src, seg = self.tree.query_nearest(points, all_matches=False)
        out = np.full(len(lon), np.inf)
        out[src] = _km_to_segments(points[src], self.segments[seg])
        return out

    def within_km(self, lon: np.ndarray, lat: np.ndarray, km: float) -> tuple[np.ndarray, np.ndarray]:
        """Distance (km) to, and owner of, the nearest segment within ``km``; inf / -1 where there is none."""
        dist = np.full(len(lon), np.inf)
        owner = np.full(len(lon), -1, np.int32)
        if not len(lon) or not len(self.segments):
            return dist, owner
        points = shapely.points(lon, lat)
        src, seg = self.tree.query(points, predicate="dwithin", distance=degrees_for_km(km, lat))
        if not len(src):
            return dist, owner
        km_pairs = _km_to_segments(points[src], self.segments[seg])
        order = np.lexsort((km_pairs, src))  # by point, nearest first
        src, seg, km_pairs = src[order], seg[order], km_pairs[order]
        first = np.flatnonzero(np.r_[True, src[1:] != src[:-1]])
        ok = km_pairs[first] <= km
        dist[src[first[ok]]] = km_pairs[first[ok]]
        owner[src[first[ok]]] = self.owners[seg[first[ok]]]
        return dist, owner


def _km_to_segments(points: np.ndarray, segments: np.ndarray) -> np.ndarray:
    ends = shapely.get_coordinates(shapely.shortest_line(points, segments)).reshape(-1, 2, 2)
    return haversine_km(ends[:, 0, 0], ends[:, 0, 1], ends[:, 1, 0], ends[:, 1, 1])


def near_points(lon: np.ndarray, lat: np.ndarray, ref_lon: np.ndarray, ref_lat: np.ndarray,
                radius_km: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """All (point index, reference index, km) pairs closer than ``radius_km``.

    Points are sorted by latitude once; each reference point then only looks at the slice of points in its
    latitude band, so the cost is one sort plus the points actually near a reference.
    """
    order = np.argsort(lat, kind="stable")
    sorted_lat = lat[order]
    dlat = radius_km / _KM_PER_DEG_MIN
    pts, refs, dists = [], [], []
    for r, (rx, ry) in enumerate(zip(ref_lon, ref_lat)):
        a, b = np.searchsorted(sorted_lat, [ry - dlat, ry + dlat], side="left")
        if a == b:
            continue
        idx = order[a:b]
        d = haversine_km(lon[idx], lat[idx], rx, ry)
        close = d <= radius_km
        pts.append(idx[close])
        refs.append(np.full(close.sum(), r))
        dists.append(d[close])
    if not pts:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    return np.concatenate(pts), np.concatenate(refs), np.concatenate(dists)
