"""Centroid and capital tests (quality.places) for N random points: countries only vs countries + provinces,
next to a baseline in the same run: a shapely STRtree of the province centroids queried with every point
(``dwithin`` a degree radius, then haversine).

    .venv/bin/python benchmarks/bench_places.py            # 1 M points, lon 92–110, lat 5–29
    .venv/bin/python benchmarks/bench_places.py --n 10000000

Needs the provinces built (``occurrences geodata build``); without them only the countries-only line runs.
The script asserts that ours and the baseline flag the same points.
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from occurrences.quality import load_boundaries
from occurrences.quality.coordinates import Coordinates
from occurrences.quality.definitions import CENTROID_RADIUS_KM, COORDINATE_NEAR_PROVINCE_CENTROID
from occurrences.quality.places import place_flags


def timed(fn, *args):
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn(*args)
    return out, time.perf_counter() - wall, time.process_time() - cpu


def line(label: str, n: int, wall: float, cpu: float) -> str:
    return f"  {label:37s} wall {wall:6.2f} s {n / wall / 1e6:6.1f} M/s | CPU {cpu:6.2f} s {n / cpu / 1e6:6.1f} M/s"


def strtree_near(lon, lat, ref_lon, ref_lat, km):
    """Baseline: points within ``km`` of any reference point, by an STRtree of the references."""
    import shapely

    from occurrences.quality.distance import degrees_for_km, haversine_km

    tree = shapely.STRtree(shapely.points(ref_lon, ref_lat))
    pts, refs = tree.query(shapely.points(lon, lat), predicate="dwithin", distance=degrees_for_km(km, lat))
    close = haversine_km(lon[pts], lat[pts], ref_lon[refs], ref_lat[refs]) <= km
    out = np.zeros(len(lon), bool)
    out[pts[close]] = True
    return out


class WithoutProvinces:
    """The same boundaries, seen as if no provinces were built."""

    def __init__(self, b):
        self._b = b

    provinces = None

    def __getattr__(self, name):
        return getattr(self._b, name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    args = parser.parse_args()
    rng = np.random.default_rng(42)
    b = load_boundaries()
    provinces = b.provinces
    lon, lat = rng.uniform(92, 110, args.n), rng.uniform(5, 29, args.n)
    if provinces is not None:  # make sure some points are near province centroids
        k = min(len(provinces), args.n)
        lon[:k], lat[:k] = provinces.centroids[:k, 0] + 0.003, provinces.centroids[:k, 1]
    coords = Coordinates.parse(lat, lon)
    rows = np.arange(args.n)
    print(f"{args.n:,} points; {len(b.codes)} country centroids, "
          f"{0 if provinces is None else len(provinces)} province centroids, 14 capitals")
    _, wall, cpu = timed(place_flags, coords, rows, WithoutProvinces(b))
    print(line("places, countries only (before)", args.n, wall, cpu))
    if provinces is None:
        print("  no provinces built: run `occurrences geodata build`")
        return
    sets, wall, cpu = timed(place_flags, coords, rows, b)
    print(line("places, countries + provinces (ours)", args.n, wall, cpu))
    ours = np.zeros(args.n, bool)
    ours[next(s for s in sets if s.code == COORDINATE_NEAR_PROVINCE_CENTROID).index] = True
    ref, wall, cpu = timed(strtree_near, lon, lat, provinces.centroids[:, 0], provinces.centroids[:, 1],
                           CENTROID_RADIUS_KM)
    print(line("province centroids only, STRtree", args.n, wall, cpu))
    assert (ours == ref).all(), f"ours and the STRtree differ on {(ours != ref).sum()} points"
    print(f"  ours and the STRtree flag the same {ours.sum():,} points")


if __name__ == "__main__":
    main()
