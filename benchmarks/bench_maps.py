"""Maps benchmark: vector tiles on 1 M records, static maps and EOO/AOO of 100 k points.

Run:  .venv/bin/python benchmarks/bench_maps.py [--records 1000000] [--db /tmp/bench_maps.db]
      .venv/bin/python benchmarks/bench_maps.py --postgis postgresql://user@host/db --records 200000

Prints our figures next to a baseline measured in the same run:
* tiles: ``tile_mvt`` (SQL GROUP BY cell, through the store) vs fetching the tile's records through
  ``iter_records`` and binning them in Python;
* static map: ours (points, and the automatic density grid) vs a naive scatter with one colour name per point;
* EOO/AOO: ours vs shapely ``multipoints`` + ``np.unique(axis=0)``.
Targets (issue 6): tile p50 ≤ 30 ms at 1 M records; static map of 100 k points ≤ 1 s; EOO/AOO of 100 k ≤ 1 s.

``--postgis URL`` builds the same records in a throwaway schema ``bench_xxxxxxxx`` of that database (dropped at
the end) and runs the tile section only, timing on each tile, in alternating order, the tile built in Python
(``tile_layers`` + ``encode_mvt``: grid pyramid up to zoom 8, then SQL counts) and the tile encoded by the
server (``PostGISStore.mvt``, ``ST_AsMVT``; counted in SQL at every zoom), and checking that both decode to the
same features (issue 9: ``tile_mvt`` uses the server's above zoom 8).
"""
from __future__ import annotations

import argparse
import collections
import math
import os
import statistics
import time
import uuid

import numpy as np

from occurrences.demo import ANCHORS, BASIS, SPECIES
from occurrences.store import Filters, open_store

COMMON = SPECIES[0][0]  # gets 10 % of the records, so one species has 100 k points at 1 M


def build(url: str, n: int, seed: int = 11) -> None:
    rng = np.random.default_rng(seed)
    anchors = np.array([(lat, lon) for sites in ANCHORS.values() for lat, lon, _ in sites])
    countries = np.array([cc for cc, sites in ANCHORS.items() for _ in sites])
    site = rng.integers(len(anchors), size=n)
    lat = np.clip(anchors[site, 0] + rng.normal(0, 0.8, n), 5.7, 28.4).round(5)
    lon = np.clip(anchors[site, 1] + rng.normal(0, 0.8, n), 92.3, 109.4).round(5)
    weights = np.full(len(SPECIES), 0.9 / (len(SPECIES) - 1))
    weights[0] = 0.1
    species = rng.choice(len(SPECIES), size=n, p=weights)
    year = rng.integers(1990, 2026, n)
    month, day = rng.integers(1, 13, n), rng.integers(1, 29, n)
    dates = np.char.add(np.char.add(year.astype(str), "-"), np.char.add(np.char.zfill(month.astype(str), 2),
                        np.char.add("-", np.char.zfill(day.astype(str), 2))))
    store = open_store(url)
    step = 250_000
    for i in range(0, n, step):
        sl = slice(i, min(n, i + step))
        store.add_many({
            "occurrenceID": [str(uuid.UUID(int=k)) for k in range(sl.start + 1, sl.stop + 1)],
            "basisOfRecord": np.array(BASIS)[rng.integers(len(BASIS), size=sl.stop - sl.start)].tolist(),
            "scientificName": [SPECIES[s][0] for s in species[sl]],
            "eventDate": dates[sl].tolist(),
            "decimalLatitude": lat[sl].tolist(), "decimalLongitude": lon[sl].tolist(),
            "countryCode": countries[site[sl]].tolist(),
        }, submitted_by="bench", status="accepted")
    store.close()


def tiles_around(z: int, count: int, rng) -> list[tuple[int, int, int]]:
    """Random tiles at zoom ``z`` whose centre falls in the study area (lon 92–110, lat 5–29)."""
    out = []
    for _ in range(count):
        lon, lat = rng.uniform(92, 110), rng.uniform(5, 29)
        n = 2 ** z
        x = int((lon + 180) / 360 * n)
        y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
        out.append((z, x, y))
    return out


def timed(fn, *args, **kwargs) -> tuple[float, object]:
    t = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - t, result


def ms(values, tail: float = 0.95) -> str:
    values = sorted(values)
    return (f"p50 {statistics.median(values) * 1000:7.1f} ms  p{round(tail * 100)} "
            f"{values[int(tail * (len(values) - 1))] * 1000:7.1f} ms")


def bench_tiles(store, rng, per_zoom: int = 12) -> None:
    from occurrences.maps.tiles import TileGrid, tile_mvt

    if hasattr(store, "mvt"):
        bench_server_tiles(store, rng, per_zoom)
        return
    print("\n## Vector tiles (tile_mvt, through the store; public access)")
    for label, filters in (("one species", Filters(scientificName=[COMMON])), ("all records", Filters())):
        all_times = []
        for z in (4, 5, 6, 7, 8, 9, 10, 11, 12):
            times = [timed(tile_mvt, store, filters, *t)[0] for t in tiles_around(z, per_zoom, rng)]
            all_times += times
            print(f"  {label:12s} z{z:<2d} {ms(times)}")
        print(f"  {label:12s} all zooms {ms(all_times)}  (target p50 ≤ 30 ms)")

    def baseline(filters, z, x, y):  # fetch the tile's records, bin them in Python
        grid = TileGrid(z, x, y)
        counts = {}
        for rec in store.iter_records(filters.replace(bbox=grid.bbox)):
            px, py = grid.pixels(np.array([rec["decimalLongitude"]]), np.array([rec["decimalLatitude"]]))
            key = (int(px[0] * grid.n / 4096), int(py[0] * grid.n / 4096))
            counts[key] = counts.get(key, 0) + 1
        return counts

    sample = tiles_around(6, 3, rng) + tiles_around(9, 3, rng)
    ours = [timed(tile_mvt, store, Filters(scientificName=[COMMON]), *t)[0] for t in sample]
    base = [timed(baseline, Filters(scientificName=[COMMON]), *t)[0] for t in sample]
    print(f"  baseline (iter_records + Python binning), one species, z6/z9: {ms(base)}; ours on the same tiles: {ms(ours)}")


def bench_server_tiles(store, rng, per_zoom: int) -> None:
    """The tile built in Python vs the tile encoded by the server (ST_AsMVT), same tiles, same run."""
    from occurrences.demo import ANCHORS
    from occurrences.maps.tiles import PYRAMID_ZOOM

    print(f"\n## Vector tiles on PostGIS, {per_zoom} tiles per zoom (public access): built in Python vs ST_AsMVT")
    pooled = collections.defaultdict(lambda: ([], [], []))
    for label, filters in (("one species", Filters(scientificName=[COMMON])), ("all records", Filters())):
        for z in (4, 5, 6, 7, 8, 9, 10, 11, 12):
            ours, server, full = compare_tiles(store, filters, label, z, tiles_around(z, per_zoom, rng))
            band = "z4-8 (pyramid)" if z <= PYRAMID_ZOOM else "z9-12 (SQL)"
            for into, values in zip(pooled[(label, band)], (ours, server, full)):
                into.extend(values)
    anchors = [(lat, lon) for sites in ANCHORS.values() for lat, lon, _ in sites]
    for z in (9, 10):  # random tiles above zoom 8 rarely hold > 1000 records: the densest ones do
        n = 2 ** z
        dense = [(z, int((lon + 180) / 360 * n), int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n))
                 for lat, lon in anchors]
        compare_tiles(store, Filters(), "at anchors", z, dense)
    print("  pooled (p50 of the tiles with features in brackets):")
    for (label, band), (ours, server, full) in pooled.items():
        def with_features(times):
            return statistics.median([t for t, f in zip(times, full) if f]) * 1000
        print(f"  {label:12s} {band:15s} Python {ms(ours, 0.99)} [{with_features(ours):5.1f}] | "
              f"ST_AsMVT {ms(server, 0.99)} [{with_features(server):5.1f}]")
    print_encoder_choice(pooled)


def print_encoder_choice(pooled) -> None:
    """Per zoom band, the faster encoder on these tiles (mean time per tile: the server's work per tile under
    load) next to the one ``tile_mvt`` uses there, so a change in the balance shows up in the next run."""
    from occurrences.maps.tiles import PYRAMID_ZOOM

    bands = collections.defaultdict(lambda: ([], []))
    for (_, band), (ours, server, _) in pooled.items():
        bands[band][0].extend(ours)
        bands[band][1].extend(server)
    print("  encoder per zoom band (mean ms per tile; p99):")
    for band, (ours, server) in bands.items():
        faster = "Python" if statistics.mean(ours) < statistics.mean(server) else "ST_AsMVT"
        used = "Python" if band.startswith("z4") else "ST_AsMVT"  # tile_mvt: ST_AsMVT above PYRAMID_ZOOM
        print(f"  {band:15s} Python {statistics.mean(ours) * 1000:6.1f} ({ms(ours, 0.99)}) | ST_AsMVT "
              f"{statistics.mean(server) * 1000:6.1f} ({ms(server, 0.99)}): faster {faster}; tile_mvt uses {used} "
              f"(ST_AsMVT above z{PYRAMID_ZOOM}) - {'confirmed' if faster == used else 'CONTRADICTED'}")


def compare_tiles(store, filters, label: str, z: int, tiles) -> tuple[list, list, list]:
    """Times both encoders on each tile (alternating which goes first) and checks they agree; prints a line."""
    from occurrences.maps.tiles import (EXTENT, POINT_LIMIT, POINT_MIN_ZOOM, PYRAMID_ZOOM, TileGrid, encode_mvt,
                                        tile_content, tile_layers)

    def python_tile(z, x, y):
        return encode_mvt(tile_layers(store, filters, z, x, y))

    def server_tile(z, x, y):
        return store.mvt(filters, TileGrid(z, x, y), EXTENT, POINT_LIMIT if z >= POINT_MIN_ZOOM else 0)

    ours, server, full, kinds, differ = [], [], [], collections.Counter(), 0
    for i, t in enumerate(tiles):
        pair = (python_tile, server_tile) if i % 2 == 0 else (server_tile, python_tile)
        runs = dict(zip(pair, (timed(fn, *t) for fn in pair)))
        (ours_t, ours_b), (server_t, server_b) = runs[python_tile], runs[server_tile]
        # The pyramid gives a record on a tile border to one tile, SQL to both: compare with SQL counts.
        expected = tile_content(ours_b if z > PYRAMID_ZOOM else encode_mvt(tile_layers(store, filters, *t,
                                                                                       pyramid=False)))
        differ += expected != tile_content(server_b)
        kinds.update(list(expected) or ["empty"])
        ours.append(ours_t)
        server.append(server_t)
        full.append(bool(expected))
    layers = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
    print(f"  {label:12s} z{z:<2d} Python {ms(ours, 0.99)} | ST_AsMVT {ms(server, 0.99)}  "
          f"[{layers}; {'same features' if not differ else f'{differ} tiles DIFFER'}]")
    return ours, server, full


def bench_static(store, rng) -> None:
    from occurrences.maps.points import mapped_columns
    from occurrences.maps.static import render_map

    print("\n## Static map, 100 k points")
    cols = mapped_columns(store, Filters(scientificName=[COMMON]), ("decimalLongitude", "decimalLatitude",
                                                                    "basisOfRecord", "year"))
    lon, lat, basis = cols["decimalLongitude"][:100_000], cols["decimalLatitude"][:100_000], cols["basisOfRecord"][:100_000]
    render_map(lon[:10], lat[:10], title="warm-up")
    for mode in ("auto", "points"):
        for fmt in ("png", "svg"):
            t, _ = timed(render_map, lon, lat, basis=basis, title="ស្វា Paradoxurus", lang="km", fmt=fmt, mode=mode)
            print(f"  ours {mode:6s} {fmt}: {t:5.2f} s  (target ≤ 1 s)")
    t_fetch, _ = timed(mapped_columns, store, Filters(scientificName=[COMMON]),
                       ("decimalLongitude", "decimalLatitude", "basisOfRecord", "year"))
    print(f"  reading the species' {len(cols['decimalLongitude']):,} points through the store: {t_fetch:5.2f} s")

    def naive():
        import io

        from matplotlib.figure import Figure
        from occurrences.maps.static import BASIS_COLOURS

        fig = Figure(figsize=(7.5, 8.5), dpi=100)
        ax = fig.add_subplot()
        ax.scatter(lon, lat, s=14, c=[BASIS_COLOURS[b] for b in basis], edgecolors="white", linewidths=0.3)
        fig.savefig(io.BytesIO(), format="png")

    print(f"  baseline naive scatter (colour name per point, no boundaries): {timed(naive)[0]:5.2f} s")


def bench_range(store, rng) -> None:
    import shapely
    from pyproj import CRS, Transformer

    from occurrences.maps.range import range_figures, range_for

    print("\n## EOO/AOO, 100 k points")
    lon, lat = rng.uniform(98, 106, 100_000), rng.uniform(10, 20, 100_000)
    range_figures(lon[:10], lat[:10])
    times = [timed(range_figures, lon, lat)[0] for _ in range(3)]
    print(f"  ours range_figures: {statistics.median(times):5.2f} s  (target ≤ 1 s)")

    def naive():
        laea = CRS.from_proj4("+proj=laea +lat_0=15 +lon_0=102 +datum=WGS84 +units=m")
        x, y = Transformer.from_crs("EPSG:4326", laea, always_xy=True).transform(lon, lat)
        eoo = shapely.area(shapely.convex_hull(shapely.multipoints(np.column_stack([x, y])))) / 1e6
        x2, y2 = Transformer.from_crs("EPSG:4326", "EPSG:6933", always_xy=True).transform(lon, lat)
        cells = np.unique(np.column_stack([np.floor(x2 / 2000), np.floor(y2 / 2000)]), axis=0)
        return eoo, len(cells) * 4

    print(f"  baseline multipoints + np.unique(axis=0): {statistics.median([timed(naive)[0] for _ in range(3)]):5.2f} s")
    t, figures = timed(range_for, store, Filters(scientificName=[COMMON]))
    print(f"  end to end range_for(store, one species) on {figures.records_used:,} records: {t:5.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--db", default="/tmp/bench_maps.db")
    parser.add_argument("--postgis", metavar="URL", help="PostGIS database: tiles only, in a throwaway schema")
    parser.add_argument("--tiles", type=int, default=12, help="tiles per zoom level")
    args = parser.parse_args()
    if args.postgis:
        bench_postgis(args.postgis, args.records, args.tiles)
        return
    if not os.path.exists(args.db):
        t, _ = timed(build, f"sqlite:///{args.db}", args.records)
        print(f"built {args.db} with {args.records:,} records in {t:.1f} s")
    store = open_store(f"sqlite:///{args.db}")
    print(f"# bench_maps: {store.count(Filters()):,} records in {args.db}")
    rng = np.random.default_rng(5)
    bench_tiles(store, rng, args.tiles)
    bench_static(store, rng)
    bench_range(store, rng)
    store.close()


def bench_postgis(base: str, records: int, per_zoom: int) -> None:
    import psycopg

    from occurrences.store.postgis import parse_url

    schema = f"bench_{uuid.uuid4().hex[:8]}"
    url = f"{base}{'&' if '?' in base else '?'}schema={schema}"
    try:
        t, _ = timed(build, url, records)
        store = open_store(url)
        try:
            print(f"# bench_maps: {store.count(Filters()):,} records in PostGIS schema {schema} (built in {t:.1f} s)")
            bench_tiles(store, np.random.default_rng(5), per_zoom)
        finally:
            store.close()
    finally:
        with psycopg.connect(parse_url(base)[0], autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        print(f"dropped schema {schema}")


if __name__ == "__main__":
    main()
