"""Store benchmark: SQLite and PostGIS side by side, each next to a raw baseline measured in the same run.

    .venv/bin/python benchmarks/bench_store.py                      # 1 M rows; PostGIS if a URL is set
    .venv/bin/python benchmarks/bench_store.py --rows 200000 --postgis postgresql://postgres@127.0.0.1/test

Insert: ``add_many`` of canonical records (validation, derived columns, indexes, flags — everything) against
the raw baseline of the same stored tuples: ``sqlite3.executemany`` into an index-free table (SQLite) and
psycopg ``COPY ... write_row`` into an index-free table (PostGIS). For PostGIS the store's indexes are then
dropped and built again alone, timed: raw COPY + that is the floor of a 1 M import with these indexes on
this machine, whatever the loading code does. Queries: 200 random species+country pages
of 100, 0.5° bbox pages of 100, species+country counts, through the public read path; p50/p99 in ms.
Export: one species' records (1/25 of the table) as Arrow batches, the backend's native ``iter_batches`` next to
the record path (``iter_records`` → batches, what a backend without it gets). Times are wall clock with the CPU
seconds of this process ("client") and, for a PostgreSQL server on this machine, of its processes ("server"):
on a shared machine the wall clock says more about the neighbours than about us.
The PostGIS URL comes from --postgis or OCCURRENCES_TEST_POSTGIS_URL; a throwaway schema is used and dropped.
"""
from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from occurrences.store import Filters, open_store  # noqa: E402
from occurrences.store import sql as S  # noqa: E402
from occurrences.store.columns import STORED_COLUMNS, to_columns  # noqa: E402

SPECIES = [f"Species {chr(65 + i)} synthetica" for i in range(25)]
COUNTRIES = ["TH", "VN", "KH", "LA", "MM"]
QUERIES = 200


def synthetic(n: int, seed: int = 1) -> dict[str, list]:
    """``n`` canonical records as columns: 25 species, 5 countries, points in lon 92-110 / lat 5-29, 5% flagged."""
    rng = np.random.default_rng(seed)
    days = (np.datetime64("2000-01-01") + rng.integers(0, 9000, n)).astype(str)
    issues = np.where(rng.random(n) < 0.05, "ZERO_COORDINATE", "")
    return {
        "occurrenceID": [f"bench-{i}" for i in range(n)],
        "basisOfRecord": np.array(["HumanObservation", "MachineObservation", "PreservedSpecimen"],
                                  dtype=object)[rng.integers(0, 3, n)].tolist(),
        "scientificName": np.array(SPECIES, dtype=object)[rng.integers(0, len(SPECIES), n)].tolist(),
        "eventDate": days.tolist(),
        "decimalLatitude": np.round(rng.uniform(5, 29, n), 5).tolist(),
        "decimalLongitude": np.round(rng.uniform(92, 110, n), 5).tolist(),
        "countryCode": np.array(COUNTRIES, dtype=object)[rng.integers(0, 5, n)].tolist(),
        "recordedBy": np.array([f"Recorder {i}" for i in range(200)], dtype=object)[rng.integers(0, 200, n)].tolist(),
        "locality": np.array([f"Site {i}" for i in range(5000)], dtype=object)[rng.integers(0, 5000, n)].tolist(),
        "individualCount": rng.integers(1, 5, n).tolist(),
        "issues": [[v] if v else [] for v in issues.tolist()],
    }


def stored_tuples(data: dict) -> tuple[list[str], list[tuple]]:
    cols = to_columns(data, submitted_by="bench")
    names = ["seq", *STORED_COLUMNS]
    return names, list(zip(range(1, len(cols["occurrenceID"]) + 1), *(cols[c] for c in STORED_COLUMNS)))


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def cpu_timed(fn) -> tuple[float, float, float | None]:
    """(wall s, client CPU s, server CPU s of a local PostgreSQL or None) of ``fn()``."""
    wall, client, server = time.perf_counter(), time.process_time(), postgres_cpu()
    fn()
    after = postgres_cpu()
    return (time.perf_counter() - wall, time.process_time() - client,
            None if server is None or after is None else after - server)


def postgres_cpu() -> float | None:
    """CPU seconds used so far by the local PostgreSQL server: its live processes plus the exited ones (parallel
    index-build workers, closed connections) that the postmaster has reaped. None when there is none here."""
    total, found = 0.0, False
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        name, fields = text[text.index("(") + 1:text.rindex(")")], text[text.rindex(")") + 2:].split()
        if name == "postgres" or name.startswith("postgres:"):
            found = True
            total += sum(int(v) for v in fields[11:15])  # utime, stime, cutime, cstime
    return total / os.sysconf("SC_CLK_TCK") if found else None


def latencies(store, make_filters, fn, n: int = QUERIES, seed: int = 7) -> tuple[float, float]:
    rng = np.random.default_rng(seed)
    fn(store, make_filters(rng))  # warm up
    times = []
    for _ in range(n):
        f = make_filters(rng)
        start = time.perf_counter()
        fn(store, f)
        times.append((time.perf_counter() - start) * 1000)
    return float(np.percentile(times, 50)), float(np.percentile(times, 99))


def species_country(rng) -> Filters:
    return Filters(scientificName=[SPECIES[rng.integers(len(SPECIES))]], countryCode=[COUNTRIES[rng.integers(5)]])


def bbox(rng) -> Filters:
    x, y = rng.uniform(92, 109.5), rng.uniform(5, 28.5)
    return Filters(bbox=(x, y, x + 0.5, y + 0.5))


def export_figures(store) -> dict[str, float]:
    from occurrences.store.arrow import batches_from_records

    f = Filters(scientificName=[SPECIES[0]])
    rows = []
    native = timed(lambda: rows.append(sum(b.num_rows for b in store.iter_batches(f))))
    records = timed(lambda: rows.append(sum(b.num_rows for b in batches_from_records(store.iter_records(f)))))
    assert rows[0] == rows[1]
    return {"rows": rows[0], "native_s": native, "records_s": records}


def query_figures(store) -> dict[str, tuple[float, float]]:
    page = lambda s, f: s.query(f)  # noqa: E731
    count = lambda s, f: s.count(f)  # noqa: E731
    return {"species+country page of 100": latencies(store, species_country, page),
            "0.5° bbox page of 100": latencies(store, bbox, page),
            "species+country count": latencies(store, species_country, count)}


# -- SQLite ---------------------------------------------------------------------------------------------------
def bench_sqlite(data: dict, names: list[str], rows: list[tuple], workdir: Path) -> dict:
    raw_path = workdir / "raw.db"
    raw = sqlite3.connect(raw_path, isolation_level=None)
    raw.execute("PRAGMA journal_mode = WAL")
    raw.execute("PRAGMA synchronous = NORMAL")
    raw.execute(f"CREATE TABLE t ({', '.join(S.quote(c) for c in names)})")

    def raw_insert():
        raw.execute("BEGIN")
        raw.executemany(f"INSERT INTO t VALUES ({', '.join('?' * len(names))})", rows)
        raw.execute("COMMIT")

    raw_s = timed(raw_insert)
    raw.close()
    store = open_store(f"sqlite:///{workdir / 'store.db'}")
    ours = cpu_timed(lambda: store.add_many(data, submitted_by="bench", status="accepted"))
    figures = {"raw_s": raw_s, "ours_s": ours[0], "ours_cpu": ours[1:], "queries": query_figures(store),
               "export": export_figures(store)}
    store.close()
    return figures


# -- PostGIS --------------------------------------------------------------------------------------------------
def bench_postgis(url: str, data: dict, names: list[str], rows: list[tuple]) -> dict:
    import psycopg

    schema = f"bench_{uuid.uuid4().hex[:8]}"
    store_url = f"{url}{'&' if '?' in url else '?'}schema={schema}"
    types = {"issues": "text"}
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
            sample = dict(zip(names, rows[0]))
            columns = ", ".join(f"{S.quote(c)} {types.get(c, _pg_type(sample[c]))}" for c in names)
            conn.execute(f'CREATE TABLE "{schema}".raw ({columns})')

            def raw_copy():
                with conn.transaction(), conn.cursor() as cur:
                    with cur.copy(f'COPY "{schema}".raw FROM STDIN') as copy:
                        for row in rows:
                            copy.write_row(row)

            raw_s = timed(raw_copy)
        store = open_store(store_url)
        ours = cpu_timed(lambda: store.add_many(data, submitted_by="bench", status="accepted"))
        figures = {"raw_s": raw_s, "ours_s": ours[0], "ours_cpu": ours[1:], "queries": query_figures(store),
                   "export": export_figures(store), "indexes_s": rebuild_indexes(store)}
        store.close()
        return figures
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def rebuild_indexes(store) -> float:
    """Seconds to build the store's indexes (primary key included) on the loaded table, as the bulk load does
    at its end: the part of an import that no loading trick removes."""
    from occurrences.store import postgis

    with store.pool.connection() as conn, conn.transaction():
        saved = postgis._drop_indexes(conn, S.TABLE, primary=True)
        start = time.perf_counter()
        postgis.PostGISStore._rebuild(conn, saved, analyze=False)
        return time.perf_counter() - start


def _pg_type(value) -> str:
    if isinstance(value, bool) or isinstance(value, int):
        return "bigint"
    if isinstance(value, float):
        return "double precision"
    return "text"


# -- report ---------------------------------------------------------------------------------------------------
def report(n: int, results: dict) -> None:
    print(f"\n{n:,} records; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores\n")
    print(f"{'insert':38} {'raw baseline':>20} {'add_many':>20} {'ours/raw':>9}")
    for name, r in results.items():
        raw_rate, ours_rate = n / r["raw_s"], n / r["ours_s"]
        print(f"{name:38} {raw_rate:>12,.0f} rows/s {ours_rate:>12,.0f} rows/s {ours_rate / raw_rate:>8.0%}"
              f"   ({r['raw_s']:.1f} s vs {r['ours_s']:.1f} s)")
        client, server = r["ours_cpu"]
        print(f"{'':38} add_many CPU: client {client:.1f} s" + (f", server {server:.1f} s" if server is not None
                                                                 and name == "PostGIS" else ""))
        if "indexes_s" in r:
            print(f"{'':38} of which building the indexes: {r['indexes_s']:.1f} s (rebuilt alone afterwards); "
                  f"floor = raw COPY + indexes = {r['raw_s'] + r['indexes_s']:.1f} s")
    print(f"\n{'query (ms, p50 / p99)':38}" + "".join(f"{name:>22}" for name in results))
    for q in next(iter(results.values()))["queries"]:
        print(f"{q:38}" + "".join(f"{r['queries'][q][0]:>11.2f} / {r['queries'][q][1]:<8.2f}"
                                   for r in results.values()))
    print(f"\n{'export of one species (s)':38}" + "".join(f"{name:>22}" for name in results))
    for label, key in (("native iter_batches", "native_s"), ("record path (iter_records)", "records_s")):
        print(f"{label:38}" + "".join(f"{r['export'][key]:>22.2f}" for r in results.values()))
    print(f"{'rows':38}" + "".join(f"{r['export']['rows']:>22,}" for r in results.values()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--postgis", default=os.environ.get("OCCURRENCES_TEST_POSTGIS_URL"))
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()
    data = synthetic(args.rows)
    names, rows = stored_tuples(data)
    results = {}
    if not args.skip_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            results["SQLite"] = bench_sqlite(data, names, rows, Path(tmp))
    if args.postgis:
        results["PostGIS"] = bench_postgis(args.postgis, data, names, rows)
    else:
        print("PostGIS: skipped (no --postgis URL or OCCURRENCES_TEST_POSTGIS_URL)")
    report(args.rows, results)


if __name__ == "__main__":
    main()
