"""Point-in-country for N random points: our lookup grid vs geopandas.sjoin (and prepared contains_xy).

    .venv/bin/python benchmarks/bench_geo.py            # 10 M points, lon 92–110, lat 5–29
    .venv/bin/python benchmarks/bench_geo.py --n 1000000

All methods run on the same points in one run, and the script asserts that they give the same country for
every point. The grid is timed after one warm-up call; the first-call time is printed too. Each line shows wall
time and CPU time of this process: on a shared machine the CPU time is the steadier figure (all three methods
run on one core).
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import shapely

from occurrences.quality import load_boundaries


def timed(fn, *args):
    """(result, wall seconds, CPU seconds)."""
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn(*args)
    return out, time.perf_counter() - wall, time.process_time() - cpu


def line(label: str, n: int, wall: float, cpu: float, note: str = "") -> str:
    return (f"  {label:26s} wall {wall:7.2f} s {n / wall / 1e6:6.1f} M/s | "
            f"CPU {cpu:7.2f} s {n / cpu / 1e6:6.1f} M/s {note}")


def ours(b, lon, lat):
    return b.locate(lon, lat)


def prepared_contains_xy(b, lon, lat):
    out = np.full(len(lon), -1)
    bounds = shapely.bounds(b.geometries)
    for i, geom in enumerate(b.geometries):
        minx, miny, maxx, maxy = bounds[i]
        if maxx < lon.min() or minx > lon.max() or maxy < lat.min() or miny > lat.max():
            continue
        hit = shapely.contains_xy(geom, lon, lat) & (out == -1)
        out[hit] = i
    return out


def geopandas_sjoin(b, lon, lat):
    import geopandas as gpd

    countries = gpd.GeoDataFrame({"country": np.arange(len(b.codes))}, geometry=b.geometries, crs=4326)
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs=4326)
    joined = gpd.sjoin(points, countries, how="left", predicate="within")
    # A point on two overlapping polygons appears twice; keep the lowest country index, as the others do.
    first = joined["country"].fillna(-1).astype(np.int64).groupby(level=0).min()
    return first.reindex(np.arange(len(lon))).to_numpy()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rng = np.random.default_rng(42)
    lon = rng.uniform(92, 110, args.n)
    lat = rng.uniform(5, 29, args.n)
    b, t_load, _ = timed(load_boundaries)
    _, t_grid, _ = timed(lambda: b.locator)
    print(f"{args.n:,} points in lon 92–110, lat 5–29; {len(b.codes)} countries "
          f"(load {t_load:.2f} s, grid load/build {t_grid:.2f} s)")
    first, first_wall, first_cpu = timed(ours, b, lon, lat)
    runs = [timed(ours, b, lon, lat)[1:] for _ in range(args.repeat)]
    wall, cpu = statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)
    print(line("grid lookup (ours)", args.n, wall, cpu,
               f"(median of {args.repeat}; first call wall {first_wall:.2f} s, CPU {first_cpu:.2f} s)"))
    ref, prep_wall, prep_cpu = timed(prepared_contains_xy, b, lon, lat)
    print(line("shapely prepared contains", args.n, prep_wall, prep_cpu))
    sj, sj_wall, sj_cpu = timed(geopandas_sjoin, b, lon, lat)
    print(line("geopandas.sjoin within", args.n, sj_wall, sj_cpu))
    assert (first == ref).all(), f"grid and contains_xy differ on {(first != ref).sum()} points"
    assert (first == sj).all(), f"grid and sjoin differ on {(first != sj).sum()} points"
    on_land = (first >= 0).sum()
    print(f"  all three agree on every point ({on_land:,} on land, {args.n - on_land:,} in no country); "
          f"grid is {sj_cpu / cpu:.0f}x sjoin, {prep_cpu / cpu:.1f}x contains_xy (CPU time)")


if __name__ == "__main__":
    main()
