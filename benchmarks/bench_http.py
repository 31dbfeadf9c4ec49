"""HTTP benchmark: our server on SQLite, on PostGIS and pygeoapi, on the same records, in the same run.

    .venv/bin/python benchmarks/bench_http.py [--records 1000000] [--duration 15] [--connections 4]
        [--workers 1] [--postgis postgresql://postgres@127.0.0.1:5432/occurrences_test]

1. Builds (once, cached in benchmarks/out/) a synthetic SQLite store of N records (lon 92–110, lat 5–29), with
   ``--postgis URL`` the same records in a throwaway schema (``URL?schema=bench_xxxxxxxx``, dropped at the end,
   also on an error, Ctrl-C or SIGTERM), both with the store's ``add_many``. Prints each store's size on disk:
   the SQLite file and its WAL; PostgreSQL's ``pg_total_relation_size`` (heap, TOAST, indexes) of the
   occurrence and occurrence_issue tables.
2. Store: species + country, page of 100: p50 / p99 in ms, per backend.
3. Exports the same records (the public view, through the store) to a GeoPackage with pyogrio for pygeoapi.
4. Serves them on 127.0.0.1: ours with ``occurrences serve --workers N`` (uvicorn + httptools; 1 process by
   default) once per backend, pygeoapi (one process)
   with uvicorn + its Starlette app and its OGR provider (GDAL, GeoPackage R-tree) when GDAL's Python bindings
   are importable, else its SQLite/GeoPackage provider (SpatiaLite); skipped, saying so, when not installed.
5. Load: ``wrk`` (Debian package) with a Lua script asking random 0.5° boxes, limit 100, 4 connections; a
   Python load generator (threads, keep-alive) when wrk is missing. Prints requests/s, p50 and p99, and for
   PostGIS the number of PostgreSQL backends the server opened (its pool grows with the concurrent requests).
   PostgreSQL runs on the same machine: its backends share the cores with the server and wrk.

pygeoapi is a benchmark-only dependency (``pip install 'occurrences[bench]'``). Its dependencies may clash with
ours, so it can live in its own virtualenv: pass ``--pygeoapi-python /path/to/venv/bin/python`` (a venv made
with ``--system-site-packages`` from Debian's python3 sees ``python3-gdal``).
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import urllib.request
import uuid
from http.client import HTTPConnection
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from occurrences.demo import SPECIES  # noqa: E402
from occurrences.store import Filters, open_store, redact  # noqa: E402
from tests.support import free_port, live_server  # noqa: E402

COUNTRIES = ["TH", "VN", "KH", "LA", "MM"]
BASIS = ["HumanObservation", "MachineObservation", "PreservedSpecimen", "MaterialCitation"]
LON, LAT = (92.0, 110.0), (5.0, 29.0)
BOX = 0.5


# -- data -------------------------------------------------------------------------------------------------------
def synthetic(n: int) -> dict[str, list]:
    rng = np.random.default_rng(42)
    names = [s[0] for s in SPECIES]
    days = np.datetime64("2000-01-01") + rng.integers(0, 26 * 365, n).astype("timedelta64[D]")
    return {
        "occurrenceID": [f"bench-{i:07d}" for i in range(n)],
        "basisOfRecord": list(np.array(BASIS)[rng.integers(0, len(BASIS), n)]),
        "scientificName": list(np.array(names)[rng.integers(0, len(names), n)]),
        "eventDate": days.astype(str).tolist(),
        "decimalLatitude": np.round(rng.uniform(*LAT, n), 5).tolist(),
        "decimalLongitude": np.round(rng.uniform(*LON, n), 5).tolist(),
        "countryCode": list(np.array(COUNTRIES)[rng.integers(0, len(COUNTRIES), n)]),
        "coordinateUncertaintyInMeters": rng.choice([30.0, 100.0, 250.0, 1000.0], n).tolist(),
        "recordedBy": ["Synthetic benchmark"] * n,
    }


def fill(url: str, n: int, label: str) -> None:
    """One ``add_many`` of all records: both stores load a first batch this large without indexes and build
    them once at the end (several smaller batches would maintain them from the second batch on)."""
    cols = synthetic(n)
    store = open_store(url)
    t = time.perf_counter()
    store.add_many(cols, submitted_by="bench", status="accepted")
    print(f"{label}: built {n:,} records in {time.perf_counter() - t:.1f} s")
    store.close()


def build_store(path: Path, n: int) -> str:
    url = f"sqlite:///{path}"
    if path.exists():
        store = open_store(url)
        if store.count(Filters()) == n:
            store.close()
            return url
        store.close()
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    fill(url, n, "SQLite")
    return url


def with_params(url: str, **params: str) -> str:
    """``url`` with these query parameters set (replacing any of the same name)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    return urlunsplit(parts._replace(query=urlencode([*query, *params.items()])))


@contextlib.contextmanager
def postgis_schema(url: str):
    """A throwaway schema in the database of ``url``: yields the store URL, drops the schema whatever happens."""
    import psycopg

    from occurrences.store.postgis import parse_url

    schema = f"bench_{uuid.uuid4().hex[:8]}"
    conninfo = parse_url(url)[0]
    print(f"PostGIS: schema {schema} in {redact(conninfo)} (dropped at the end)")
    try:
        yield with_params(url, schema=schema)
    finally:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        print(f"PostGIS: dropped schema {schema}")


def mb(size: int) -> str:
    return f"{size / 1e6:,.1f} MB ({size:,} bytes)"


def sqlite_size(path: Path) -> str:
    db, wal = path.stat().st_size, Path(f"{path}-wal")
    wal_size = wal.stat().st_size if wal.exists() else 0
    return f"{mb(db + wal_size)}: file {mb(db)} + WAL {mb(wal_size)}"


def postgis_size(url: str) -> str:
    """``pg_total_relation_size`` (heap + TOAST + indexes) of the two record tables, and their sum."""
    import psycopg

    from occurrences.store import sql as S
    from occurrences.store.postgis import parse_url

    conninfo, schema, _ = parse_url(url)
    sizes = {}
    with psycopg.connect(conninfo, autocommit=True) as conn:
        for table in (S.TABLE, S.ISSUE_TABLE):
            name = f"{S.quote(schema)}.{S.quote(table)}"
            sizes[table] = conn.execute("SELECT pg_total_relation_size(%s::regclass), pg_indexes_size(%s::regclass)",
                                        [name, name]).fetchone()
    parts = ", ".join(f"{t} {mb(total)} (indexes {total_i / 1e6:,.1f} MB)" for t, (total, total_i) in sizes.items())
    return f"{mb(sum(total for total, _ in sizes.values()))}: {parts}"


def postgres_backends(url: str, application_name: str) -> int:
    """Connections the server opened (its pool keeps them for minutes after the load)."""
    import psycopg

    from occurrences.store.postgis import parse_url

    with psycopg.connect(parse_url(url)[0], autocommit=True) as conn:
        return conn.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = %s",
                            [application_name]).fetchone()[0]


def export_gpkg(url: str, path: Path, n: int) -> None:
    """The public view of every record, read through the store, written with pyogrio (Arrow)."""
    if path.exists():
        return
    import geopandas as gpd
    import pandas as pd

    store = open_store(url)
    t = time.perf_counter()
    frames, batch = [], []
    for rec in store.iter_records(Filters(), batch_size=50_000):
        batch.append(rec)
        if len(batch) == 100_000:
            frames.append(pd.DataFrame(batch))
            batch = []
    if batch:
        frames.append(pd.DataFrame(batch))
    store.close()
    df = pd.concat(frames, ignore_index=True)
    df["issues"] = df["issues"].map(lambda v: "|".join(v))
    gdf = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df["decimalLongitude"], df["decimalLatitude"]),
                           crs="EPSG:4326")
    gdf.to_file(path, layer="occurrences", driver="GPKG", engine="pyogrio", use_arrow=True)
    print(f"exported {len(gdf):,} records to {path.name} in {time.perf_counter() - t:.1f} s")


# -- store -------------------------------------------------------------------------------------------------------
def bench_store(url: str, queries: int = 2000) -> dict:
    store = open_store(url)
    rnd = random.Random(1)
    pairs = [([rnd.choice(SPECIES)[0]], [rnd.choice(COUNTRIES)]) for _ in range(queries)]
    for s, c in pairs[:100]:
        store.query(Filters(scientificName=s, countryCode=c, limit=100))
    times = []
    for s, c in pairs:
        t = time.perf_counter()
        page = store.query(Filters(scientificName=s, countryCode=c, limit=100))
        times.append((time.perf_counter() - t) * 1000)
        assert len(page.records) == 100
    store.close()
    return {"p50": statistics.median(times), "p99": float(np.percentile(times, 99))}


# -- servers -----------------------------------------------------------------------------------------------------
PYGEOAPI_CONFIG = """
server:
  bind: {{host: 127.0.0.1, port: {port}}}
  url: http://127.0.0.1:{port}
  mimetype: application/json; charset=UTF-8
  encoding: utf-8
  languages: [en-US]
  limits: {{default_items: 10, max_items: 10000}}
  map: {{url: "https://tile.openstreetmap.org/{{z}}/{{x}}/{{y}}.png", attribution: OSM}}
logging: {{level: ERROR}}
metadata:
  identification: {{title: bench, description: bench, keywords: [bench], keywords_type: theme, terms_of_service: none, url: http://example.org}}
  license: {{name: CC-BY 4.0, url: https://creativecommons.org/licenses/by/4.0/}}
  provider: {{name: bench, url: http://example.org}}
  contact: {{name: bench, position: bench, address: x, city: x, stateorprovince: x, postalcode: x, country: x, phone: x, fax: x, email: x@example.org, url: http://example.org, hours: x, instructions: x, role: pointOfContact}}
resources:
  occurrences:
    type: collection
    title: occurrences
    description: occurrences
    keywords: [occurrences]
    links: []
    extents:
      spatial: {{bbox: [92, 5, 110, 29], crs: http://www.opengis.net/def/crs/OGC/1.3/CRS84}}
    providers:
      - {provider}
"""
OGR_PROVIDER = ("{{type: feature, name: OGR, data: {{source_type: GPKG, source: {gpkg}, source_capabilities: "
                "{{paging: true}}, source_options: {{}}, gdal_ogr_options: {{}}}}, id_field: occurrenceID, "
                "layer: occurrences}}")
SQLITE_PROVIDER = "{{type: feature, name: SQLiteGPKG, data: {gpkg}, id_field: occurrenceID, table: occurrences}}"


def pygeoapi_provider(python: str) -> str:
    ok = subprocess.run([python, "-c", "from osgeo import ogr"], capture_output=True).returncode == 0
    return "OGR" if ok else "SQLiteGPKG"


class PygeoapiServer:
    def __init__(self, python: str, gpkg: Path, workdir: Path):
        self.python, self.gpkg, self.workdir = python, gpkg, workdir
        self.port = free_port()
        self.provider = pygeoapi_provider(python)

    def __enter__(self) -> str:
        template = OGR_PROVIDER if self.provider == "OGR" else SQLITE_PROVIDER
        cfg = self.workdir / "pygeoapi.yml"
        cfg.write_text(PYGEOAPI_CONFIG.format(port=self.port, provider=template.format(gpkg=self.gpkg)))
        openapi = self.workdir / "pygeoapi-openapi.yml"
        bindir = Path(self.python).parent
        env = {**os.environ, "PYGEOAPI_CONFIG": str(cfg), "PYGEOAPI_OPENAPI": str(openapi)}
        subprocess.run([str(bindir / "pygeoapi"), "openapi", "generate", str(cfg), "--output-file", str(openapi)],
                       env=env, check=True, capture_output=True)
        self.proc = subprocess.Popen([self.python, "-m", "uvicorn", "pygeoapi.starlette_app:APP", "--host",
                                      "127.0.0.1", "--port", str(self.port), "--log-level", "warning"],
                                     env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{self.port}"
        for _ in range(150):
            try:
                urllib.request.urlopen(base + "/collections?f=json", timeout=2).read()
                return base
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError(self.proc.stdout.read().decode(errors="replace"))
                time.sleep(0.2)
        raise RuntimeError("pygeoapi did not start")

    def __exit__(self, *exc):
        self.proc.terminate()
        self.proc.wait(10)


# -- load ---------------------------------------------------------------------------------------------------------
WRK_SCRIPT = """
math.randomseed(7)
local template = "{template}"
request = function()
  local x = {x0} + math.random() * {xr}
  local y = {y0} + math.random() * {yr}
  local bbox = string.format("%.4f,%.4f,%.4f,%.4f", x, y, x + {box}, y + {box})
  local path = string.gsub(template, "BBOX", bbox)
  return wrk.format("GET", path)
end
"""


def random_path(template: str, rnd: random.Random) -> str:
    x = LON[0] + rnd.random() * (LON[1] - LON[0] - BOX)
    y = LAT[0] + rnd.random() * (LAT[1] - LAT[0] - BOX)
    return template.replace("BBOX", f"{x:.4f},{y:.4f},{x + BOX:.4f},{y + BOX:.4f}")


def load(base: str, template: str, duration: float, connections: int, workdir: Path) -> dict:
    if shutil.which("wrk"):
        return load_wrk(base, template, duration, connections, workdir)
    return load_python(base, template, duration, connections)


def load_wrk(base, template, duration, connections, workdir) -> dict:
    script = workdir / "bbox.lua"
    script.write_text(WRK_SCRIPT.format(template=template, x0=LON[0], xr=LON[1] - LON[0] - BOX, y0=LAT[0],
                                        yr=LAT[1] - LAT[0] - BOX, box=BOX))
    out = subprocess.run(["wrk", "-t", "2", "-c", str(connections), "-d", f"{int(duration)}s", "--latency",
                          "-s", str(script), base], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)

    def pct(p):
        value, unit = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", out).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    return {"rps": rps, "p50": pct(50), "p99": pct(99), "errors": int(errors.group(1)) if errors else 0,
            "tool": "wrk"}


def load_python(base, template, duration, connections) -> dict:
    host, port = base.split("//")[1].split(":")
    latencies: list[float] = []
    errors = [0]
    stop = time.perf_counter() + duration

    def worker(seed):
        rnd, conn = random.Random(seed), HTTPConnection(host, int(port))
        while time.perf_counter() < stop:
            t = time.perf_counter()
            conn.request("GET", random_path(template, rnd))
            resp = conn.getresponse()
            resp.read()
            latencies.append((time.perf_counter() - t) * 1000)
            errors[0] += resp.status != 200

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    t0 = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return {"rps": len(latencies) / (time.perf_counter() - t0), "p50": statistics.median(latencies),
            "p99": float(np.percentile(latencies, 99)), "errors": errors[0], "tool": "python"}


FIXED_BOX = "100.0000,15.0000,100.5000,15.5000"


def matched(base: str) -> int:
    url = f"{base}/ogc/collections/occurrences/items?bbox={FIXED_BOX}&limit=10000"
    return json.load(urllib.request.urlopen(url))["numberMatched"]


def same_answer(ours: dict[str, str], theirs: str | None) -> str:
    """Every server must answer a fixed box with the same number of features; ours must agree exactly."""
    counts = {backend: matched(base) for backend, base in ours.items()}
    if len(set(counts.values())) != 1:
        raise SystemExit(f"the backends disagree on box {FIXED_BOX}: {counts}")
    note = f"box {FIXED_BOX}: " + ", ".join(f"ours on {b} numberMatched={n}" for b, n in counts.items())
    if theirs:
        b = json.load(urllib.request.urlopen(f"{theirs}/collections/occurrences/items?bbox={FIXED_BOX}"
                                             "&limit=10000&f=json"))
        note += f", pygeoapi numberMatched={b.get('numberMatched')} returned={len(b['features'])}"
    return note


def warm_up(base: str, template: str, requests: int = 20) -> None:
    rnd = random.Random(0)
    for _ in range(requests):
        urllib.request.urlopen(base + random_path(template, rnd)).read()


def stop_on_sigterm() -> None:
    """SIGTERM unwinds like Ctrl-C, so the throwaway schema and the servers are cleaned up."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--duration", type=float, default=15)
    ap.add_argument("--connections", type=int, default=4)
    ap.add_argument("--workers", type=int, default=1, help="processes of each of our servers (serve --workers)")
    ap.add_argument("--postgis", metavar="URL",
                    help="also serve the records from PostGIS, in a throwaway schema of this database "
                         "(e.g. postgresql://postgres@127.0.0.1:5432/occurrences_test)")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out")
    ap.add_argument("--pygeoapi-python", default=sys.executable,
                    help="Python of the environment where pygeoapi is installed")
    args = ap.parse_args()
    stop_on_sigterm()
    args.out.mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as cleanup:
        run(args, cleanup)


def run(args, cleanup: contextlib.ExitStack) -> None:
    db = args.out / f"http_{args.records}.db"
    stores = {"SQLite": build_store(db, args.records)}
    sizes = {"SQLite": sqlite_size(db)}
    app_name = f"bench_http_{os.getpid()}"  # finds the server's connections in pg_stat_activity
    if args.postgis:
        stores["PostGIS"] = cleanup.enter_context(postgis_schema(args.postgis))
        fill(stores["PostGIS"], args.records, "PostGIS")
        sizes["PostGIS"] = postgis_size(stores["PostGIS"])

    print()
    for backend, url in stores.items():
        store = bench_store(url)
        print(f"store on {backend}, species + country, page of 100: p50 {store['p50']:.3f} ms, "
              f"p99 {store['p99']:.3f} ms (targets 1 / 5 ms)")

    have_pygeoapi = subprocess.run([args.pygeoapi_python, "-c", "import pygeoapi"], capture_output=True).returncode == 0
    gpkg = args.out / f"http_{args.records}.gpkg"
    if have_pygeoapi:
        export_gpkg(stores["SQLite"], gpkg, args.records)

    results = []
    backends_opened = None
    ours_ogc = "/ogc/collections/occurrences/items?bbox=BBOX&limit=100"
    ours_native = "/occurrences?bbox=BBOX&limit=100"
    theirs_ogc = "/collections/occurrences/items?bbox=BBOX&limit=100&f=json"
    workdir = Path(cleanup.enter_context(tempfile.TemporaryDirectory()))
    bases = {}
    for backend, url in stores.items():
        served = with_params(url, application_name=app_name) if backend == "PostGIS" else url
        bases[backend] = base = cleanup.enter_context(live_server(served, "--workers", str(args.workers)))
        for path in (ours_ogc, ours_native):
            warm_up(base, path)
            results.append((f"occurrences on {backend} (FastAPI + uvicorn/httptools)", path,
                            load(base, path, args.duration, args.connections, workdir)))
        if backend == "PostGIS":
            backends_opened = postgres_backends(url, app_name)
    theirs_base = None
    if have_pygeoapi:
        server = PygeoapiServer(args.pygeoapi_python, gpkg, workdir)
        theirs_base = cleanup.enter_context(server)
        warm_up(theirs_base, theirs_ogc)
        results.append((f"pygeoapi {server.provider} provider (uvicorn/Starlette + GeoPackage)", theirs_ogc,
                        load(theirs_base, theirs_ogc, args.duration, args.connections, workdir)))
    print(same_answer(bases, theirs_base))
    if not have_pygeoapi:
        print("pygeoapi is not installed in", args.pygeoapi_python, "- skipped it (no pygeoapi baseline this run)")

    print(f"\n{args.records:,} records, random {BOX}° bbox, limit 100, {args.connections} connections, "
          f"{args.duration:.0f} s each ({results[0][2]['tool']}), {os.cpu_count()} CPUs shared by server, "
          f"load generator{' and PostgreSQL' if args.postgis else ''}\n")
    print("| server | request | req/s | p50 ms | p99 ms | non-200 |\n|---|---|---|---|---|---|")
    for name, path, r in results:
        print(f"| {name} | `{path}` | {r['rps']:.1f} | {r['p50']:.1f} | {r['p99']:.1f} | {r['errors']} |")
    print()
    for backend, size in sizes.items():
        print(f"{backend} store on disk, {args.records:,} records: {size}")
    print(f"our server: {args.workers} worker process{'es' if args.workers > 1 else ''} per backend"
          + ("; pygeoapi: 1 process" if have_pygeoapi else ""))
    if backends_opened is not None:
        from occurrences.store.postgis import DEFAULT_POOL_MAX

        print(f"PostgreSQL backends opened by our PostGIS server: {backends_opened} "
              f"(pool of at most {DEFAULT_POOL_MAX} connections per worker)")
    if args.postgis:
        ratio = results[2][2]["rps"] / results[0][2]["rps"]
        print(f"OGC items throughput, ours on PostGIS / ours on SQLite: {ratio:.2f}×")
    if have_pygeoapi:
        ratio = results[0][2]["rps"] / results[-1][2]["rps"]
        print(f"OGC items throughput, ours on SQLite / pygeoapi: {ratio:.1f}× (target ≥ 10×)")


if __name__ == "__main__":
    main()
