"""HTTP benchmark: our server on SQLite, on PostGIS and pygeoapi, on the same records, in the same run.

    .venv/bin/python benchmarks/bench_http.py [--records 1000000] [--duration 10] [--connections 4,16,64]
        [--rounds 3] [--workers N] [--postgis postgresql://postgres@127.0.0.1:5432/occurrences_test]

1. Builds (once, cached in benchmarks/out/) a synthetic SQLite store of N records (lon 92–110, lat 5–29), with
   ``--postgis URL`` the same records in a throwaway schema (``URL?schema=bench_xxxxxxxx``, dropped at the end,
   also on an error, Ctrl-C or SIGTERM), both with the store's ``add_many``. Prints each store's size on disk:
   the SQLite file and its WAL; PostgreSQL's ``pg_total_relation_size`` (heap, TOAST, indexes) of the
   occurrence and occurrence_issue tables.
2. Store: species + country, page of 100: p50 / p99 in ms, per backend.
3. Exports the same records (the public view, through the store) to a GeoPackage with pyogrio for pygeoapi.
4. Serves them on 127.0.0.1: ours with ``occurrences serve`` (its default: one worker per usable core; or
   ``--workers N``) once per backend, pygeoapi (one process) with uvicorn + its Starlette app and its OGR
   provider (GDAL, GeoPackage R-tree) when GDAL's Python bindings are importable, else its SQLite/GeoPackage
   provider (SpatiaLite); skipped, saying so, when not installed. Every server's output goes to a log file in
   ``OUT/logs/``. Before the measured server, a fresh one of each backend takes a first burst of 64 connections
   (the cold start).
5. Load: ``wrk`` (Debian package) with a Lua script asking random 0.5° boxes, limit 100, at each of
   ``--connections`` (4, 16, 64), OGC items and /occurrences, ``--rounds`` times each (default 3, the two
   endpoints alternating which goes first; the table shows the median and the range); a Python load generator
   (threads, keep-alive) when wrk is missing. Timeouts (5 s), socket errors and non-2xx answers are counted and reported; any of
   them from our servers makes the run exit non-zero (pygeoapi's are reported loudly). p50/p99 include
   timed-out requests (shown as "≥ 5000"). Prints a table by connections, the ratios (OGC / native, PostGIS /
   SQLite, ours / pygeoapi), the no-collapse checks on SQLite, the machine's load average at start and end, and
   for PostGIS the number of PostgreSQL backends the server opened. Targets are printed only at the size they
   were set for (1,000,000 records). PostgreSQL runs on the same machine: its backends share the cores with the
   server and wrk. The temporary folder (wrk script, pygeoapi config) is removed at the end, also on an error,
   Ctrl-C or SIGTERM.

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
    """pygeoapi under uvicorn; its output (a GDAL warning per request with Debian's GDAL 3.6) goes to ``log``."""

    def __init__(self, python: str, gpkg: Path, workdir: Path, log):
        self.python, self.gpkg, self.workdir, self.log = python, gpkg, workdir, log
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
                       env=env, check=True, stdout=self.log, stderr=subprocess.STDOUT)
        self.proc = subprocess.Popen([self.python, "-m", "uvicorn", "pygeoapi.starlette_app:APP", "--host",
                                      "127.0.0.1", "--port", str(self.port), "--log-level", "warning"],
                                     env=env, stdout=self.log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{self.port}"
        for _ in range(150):
            try:
                urllib.request.urlopen(base + "/collections?f=json", timeout=2).read()
                return base
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"pygeoapi exited, see {self.log.name}")
                time.sleep(0.2)
        raise RuntimeError(f"pygeoapi did not start, see {self.log.name}")

    def __exit__(self, *exc):
        self.proc.terminate()
        self.proc.wait(10)


# -- load ---------------------------------------------------------------------------------------------------------
TIMEOUT_S = 5.0  # a request slower than this counts as timed out (wrk --timeout; the Python client's socket)
PERCENTILES = (50, 99)
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
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %d %d %d\\n", summary.requests, summary.duration, e.connect,
                         e.read, e.write, e.status, e.timeout))
  for i = 1, 1000 do
    io.write(string.format("PCT %.1f %d\\n", i / 10, latency:percentile(i / 10)))
  end
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


def with_timeouts(pct: dict[float, float], completed: int, timeouts: int) -> dict:
    """p50/p99 over every request sent, timed-out ones included as "at least TIMEOUT_S": the percentile p of all
    requests is the percentile p × all / completed of the completed ones, or ≥ the timeout when that passes 100.
    wrk's own percentiles leave timed-out requests out (64 connections to pygeoapi: 45 completed, 39 timed out,
    and a p99 of the 45)."""
    out = {}
    total = completed + timeouts
    for p in PERCENTILES:
        rank = p * total / max(completed, 1)
        if rank > 100 or not pct:
            out[f"p{p}"], out[f"p{p}_floor"] = TIMEOUT_S * 1000, True
        else:
            key = min((k for k in pct if k >= rank), default=max(pct))
            out[f"p{p}"], out[f"p{p}_floor"] = pct[key], False
    return out


def load_wrk(base, template, duration, connections, workdir) -> dict:
    script = workdir / "bbox.lua"
    script.write_text(WRK_SCRIPT.format(template=template, x0=LON[0], xr=LON[1] - LON[0] - BOX, y0=LAT[0],
                                        yr=LAT[1] - LAT[0] - BOX, box=BOX))
    out = subprocess.run(["wrk", "-t", "2", "-c", str(connections), "-d", f"{int(duration)}s", "--timeout",
                          f"{int(TIMEOUT_S)}s", "-s", str(script), base], capture_output=True, text=True,
                         check=True).stdout
    requests, micros, connect, read, write, status, timeouts = map(int, re.search(r"RESULT (.*)", out).group(1).split())
    pct = {float(p): int(v) / 1000 for p, v in re.findall(r"PCT ([\d.]+) (\d+)", out)}
    # wrk counts a response that came after the timeout in both ``requests`` and ``timeout`` (and keeps it out of
    # the latency histogram): the in-time responses are the difference.
    completed = max(requests - timeouts, 0)
    return {"rps": requests / (micros / 1e6), "timeouts": timeouts, "socket_errors": connect + read + write,
            "non_2xx": status, **with_timeouts(pct, completed, timeouts), "tool": "wrk"}


def load_python(base, template, duration, connections) -> dict:
    host, port = base.split("//")[1].split(":")
    latencies: list[float] = []
    counts = {"timeouts": 0, "socket_errors": 0, "non_2xx": 0}
    stop = time.perf_counter() + duration

    def worker(seed):
        rnd, conn = random.Random(seed), HTTPConnection(host, int(port), timeout=TIMEOUT_S)
        while time.perf_counter() < stop:
            t = time.perf_counter()
            try:
                conn.request("GET", random_path(template, rnd))
                resp = conn.getresponse()
                resp.read()
            except TimeoutError:
                counts["timeouts"] += 1
                conn.close()
                continue
            except OSError:
                counts["socket_errors"] += 1
                conn.close()
                continue
            latencies.append((time.perf_counter() - t) * 1000)
            counts["non_2xx"] += not 200 <= resp.status < 300

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    t0 = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    pct = {p / 10: float(np.percentile(latencies, p / 10)) for p in range(1, 1001)} if latencies else {}
    return {"rps": len(latencies) / (time.perf_counter() - t0), **counts,
            **with_timeouts(pct, len(latencies), counts["timeouts"]), "tool": "python"}


def failures(r: dict) -> int:
    return r["timeouts"] + r["socket_errors"] + r["non_2xx"]


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
    """SIGTERM unwinds like Ctrl-C, so the throwaway schema, the servers and the temporary folder are cleaned up."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))


def median_of(rounds: list[dict]) -> dict:
    """Several runs of one point → one row: the median throughput and percentiles, the range of throughput, and
    every failure of every run. With as many workers as cores, which worker each of 4 connections lands on is
    the kernel's hash: one run can put them all on one core (half the throughput), so one run is not a figure."""
    out = {"tool": rounds[0]["tool"], "rounds": len(rounds), "rps": statistics.median(r["rps"] for r in rounds),
           "rps_range": (min(r["rps"] for r in rounds), max(r["rps"] for r in rounds))}
    for key in ("timeouts", "socket_errors", "non_2xx"):
        out[key] = sum(r[key] for r in rounds)
    for p in PERCENTILES:
        out[f"p{p}"] = statistics.median(r[f"p{p}"] for r in rounds)
        out[f"p{p}_floor"] = any(r[f"p{p}_floor"] for r in rounds)
    return out


def load_average() -> str:
    return "load average " + " ".join(f"{v:.2f}" for v in os.getloadavg())


# -- report --------------------------------------------------------------------------------------------------------
TARGET_RECORDS = 1_000_000  # the size the store targets (1 / 5 ms) and the ×10 over pygeoapi were set for


def ms(r: dict, p: int) -> str:
    return f"≥ {r[f'p{p}']:.0f}" if r[f"p{p}_floor"] else f"{r[f'p{p}']:.1f}"


def print_table(results: list[dict], conns: list[int]) -> None:
    print("| server | request | connections | req/s (median) | req/s range | p50 ms | p99 ms | timeouts | "
          "socket errors | non-2xx | req/s vs 4 connections |\n|---|---|---|---|---|---|---|---|---|---|---|")
    first = {(r["server"], r["path"]): r["rps"] for r in results if r["connections"] == conns[0]}
    for r in results:
        share = r["rps"] / first[(r["server"], r["path"])] if first.get((r["server"], r["path"])) else float("nan")
        low, high = r["rps_range"]
        print(f"| {r['server']} | `{r['path']}` | {r['connections']} | {r['rps']:.1f} | {low:.0f}–{high:.0f} | "
              f"{ms(r, 50)} | {ms(r, 99)} | {r['timeouts']} | {r['socket_errors']} | {r['non_2xx']} | {share:.2f} |")


def print_ratios(results: list[dict], conns: list[int], ogc: str, native: str, theirs: str) -> None:
    """Per connections: OGC items / /occurrences (throughput and p99) per backend, PostGIS / SQLite, ours /
    pygeoapi."""
    by = {(r["backend"], r["path"], r["connections"]): r for r in results}
    backends = list(dict.fromkeys(r["backend"] for r in results if r["backend"] != "pygeoapi"))
    print("\n| connections | " + " | ".join(f"{b}: OGC / native req/s (p99)" for b in backends)
          + (" | PostGIS / SQLite OGC req/s" if "PostGIS" in backends else "")
          + (" | ours on SQLite / pygeoapi OGC req/s" if any(r["backend"] == "pygeoapi" for r in results) else "")
          + " |")
    print("|---" * (1 + len(backends) + ("PostGIS" in backends) + any(r["backend"] == "pygeoapi" for r in results))
          + "|")
    for c in conns:
        cells = []
        for b in backends:
            o, n = by[(b, ogc, c)], by[(b, native, c)]
            cells.append(f"{o['rps'] / n['rps']:.2f} ({o['p99'] / n['p99']:.2f})")
        if "PostGIS" in backends:
            cells.append(f"{by[('PostGIS', ogc, c)]['rps'] / by[('SQLite', ogc, c)]['rps']:.2f}")
        if ("pygeoapi", theirs, c) in by:
            cells.append(f"{by[('SQLite', ogc, c)]['rps'] / max(by[('pygeoapi', theirs, c)]['rps'], 1e-9):.1f}")
        print(f"| {c} | " + " | ".join(cells) + " |")


def collapse_checks(results: list[dict], conns: list[int]) -> list[str]:
    """Issue 18 on SQLite: throughput at every connection count ≥ 90 % of the first (4), and p99 at the largest
    ≤ connections / throughput × 2 (the tail grows no faster than the queue)."""
    lines = []
    for path in dict.fromkeys(r["path"] for r in results if r["backend"] == "SQLite"):
        rows = {r["connections"]: r for r in results if r["backend"] == "SQLite" and r["path"] == path}
        base = rows[conns[0]]["rps"]
        for c in conns[1:]:
            ok = rows[c]["rps"] >= 0.9 * base
            lines.append(f"SQLite `{path}` {c} connections: {rows[c]['rps']:.0f} req/s = "
                         f"{rows[c]['rps'] / base:.0%} of {conns[0]} connections (≥ 90 %: {'met' if ok else 'NOT met'})")
        c = conns[-1]
        bound = c / rows[c]["rps"] * 2 * 1000
        ok = rows[c]["p99"] <= bound and not rows[c]["p99_floor"]
        lines.append(f"SQLite `{path}` {c} connections: p99 {ms(rows[c], 99)} ms vs {c} / throughput × 2 = "
                     f"{bound:.0f} ms ({'met' if ok else 'NOT met'})")
    return lines


def ogc_checks(results: list[dict], conns: list[int], ogc: str, native: str) -> list[str]:
    """Issue 18: OGC items within 10 % of /occurrences, throughput and p99, at every connection count."""
    by = {(r["backend"], r["path"], r["connections"]): r for r in results}
    lines = []
    for b in dict.fromkeys(r["backend"] for r in results if r["backend"] != "pygeoapi"):
        for c in conns:
            o, n = by[(b, ogc, c)], by[(b, native, c)]
            rps, p99 = o["rps"] / n["rps"], o["p99"] / n["p99"]
            ok = rps >= 0.9 and p99 <= 1.1
            lines.append(f"{b} {c} connections: OGC items / native req/s {rps:.2f} (≥ 0.90), p99 {p99:.2f} "
                         f"(≤ 1.10): {'met' if ok else 'NOT met'}")
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--duration", type=float, default=10, help="seconds per point")
    ap.add_argument("--connections", default="4,16,64", help="comma-separated connection counts")
    ap.add_argument("--rounds", type=int, default=3, help="runs of each point (the table shows the median and "
                                                          "the range of req/s)")
    ap.add_argument("--workers", type=int, help="processes of each of our servers (default: serve's own, one "
                                                "per usable core)")
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
        failed = run(args, cleanup)
    if failed:
        raise SystemExit(f"FAILED: {failed} request(s) timed out, hit socket errors or answered non-2xx "
                         f"(see the table and the server logs)")


def cold_burst(url: str, template: str, args, workdir: Path, log) -> dict:
    """A freshly started server's first burst: 64 connections right after it answers /health."""
    with live_server(url, *_workers(args), log=log, timeout=180) as base:
        return load(base, template, min(args.duration, 5), 64, workdir)


def _workers(args) -> list[str]:
    return ["--workers", str(args.workers)] if args.workers else []


def run(args, cleanup: contextlib.ExitStack) -> int:
    """Runs everything; returns the number of our failed requests (timeouts, socket errors, non-2xx; pygeoapi's
    are reported, not failed on: the baseline is not under test)."""
    print(f"start: {load_average()} ({os.cpu_count()} CPUs)")
    conns = [int(c) for c in args.connections.split(",")]
    db = args.out / f"http_{args.records}.db"
    stores = {"SQLite": build_store(db, args.records)}
    sizes = {"SQLite": sqlite_size(db)}
    app_name = f"bench_http_{os.getpid()}"  # finds the server's connections in pg_stat_activity
    if args.postgis:
        stores["PostGIS"] = cleanup.enter_context(postgis_schema(args.postgis))
        fill(stores["PostGIS"], args.records, "PostGIS")
        sizes["PostGIS"] = postgis_size(stores["PostGIS"])
    at_target = args.records == TARGET_RECORDS

    print()
    for backend, url in stores.items():
        store = bench_store(url)
        print(f"store on {backend}, species + country, page of 100: p50 {store['p50']:.3f} ms, "
              f"p99 {store['p99']:.3f} ms" + (" (targets 1 / 5 ms)" if at_target else ""))

    have_pygeoapi = subprocess.run([args.pygeoapi_python, "-c", "import pygeoapi"], capture_output=True).returncode == 0
    gpkg = args.out / f"http_{args.records}.gpkg"
    if have_pygeoapi:
        export_gpkg(stores["SQLite"], gpkg, args.records)

    logs = args.out / "logs"
    logs.mkdir(exist_ok=True)

    def log_file(name: str):
        return cleanup.enter_context(open(logs / f"{name}.log", "w"))

    results, bursts = [], {}
    backends_opened = None
    ours_ogc = "/ogc/collections/occurrences/items?bbox=BBOX&limit=100"
    ours_native = "/occurrences?bbox=BBOX&limit=100"
    theirs_ogc = "/collections/occurrences/items?bbox=BBOX&limit=100&f=json"
    workdir = Path(cleanup.enter_context(tempfile.TemporaryDirectory()))
    bases = {}
    for backend, url in stores.items():
        served = with_params(url, application_name=app_name) if backend == "PostGIS" else url
        bursts[backend] = cold_burst(served, ours_ogc, args, workdir, log_file(f"ours_{backend}_cold"))
        bases[backend] = base = cleanup.enter_context(live_server(served, *_workers(args), timeout=180,
                                                                  log=log_file(f"ours_{backend}")))
        for path in (ours_ogc, ours_native):
            warm_up(base, path)
        for c in conns:
            runs = {ours_ogc: [], ours_native: []}
            for i in range(args.rounds):  # alternate which endpoint goes first: neither always meets a cold cache
                for path in ((ours_ogc, ours_native) if i % 2 == 0 else (ours_native, ours_ogc)):
                    runs[path].append(load(base, path, args.duration, c, workdir))
            for path, rounds in runs.items():
                results.append({"server": f"ours on {backend}", "backend": backend, "path": path,
                                "connections": c, **median_of(rounds)})
        if backend == "PostGIS":
            backends_opened = postgres_backends(url, app_name)
    theirs_base = None
    if have_pygeoapi:
        server = PygeoapiServer(args.pygeoapi_python, gpkg, workdir, log_file("pygeoapi"))
        try:
            theirs_base = cleanup.enter_context(server)
        except RuntimeError as exc:  # keep our figures: the baseline is optional
            print(f"!!! pygeoapi did not start ({exc}): no pygeoapi baseline this run")
            have_pygeoapi = False
    if have_pygeoapi:
        warm_up(theirs_base, theirs_ogc)
        for c in conns:
            rounds = [load(theirs_base, theirs_ogc, args.duration, c, workdir) for _ in range(args.rounds)]
            results.append({"server": f"pygeoapi {server.provider}", "backend": "pygeoapi", "path": theirs_ogc,
                            "connections": c, **median_of(rounds)})
    print(same_answer(bases, theirs_base))
    if theirs_base is None:
        print("no pygeoapi in", args.pygeoapi_python, "- skipped it (no pygeoapi baseline this run)")

    workers = args.workers or "serve's default"
    print(f"\n{args.records:,} records, random {BOX}° bbox, limit 100, {args.duration:.0f} s per run, "
          f"{args.rounds} runs per point alternating OGC and native (median shown) "
          f"({results[0]['tool']}, timeout {TIMEOUT_S:.0f} s: a timed-out request counts in the percentiles as "
          f"≥ {TIMEOUT_S:.0f} s), {os.cpu_count()} CPUs shared by server, load generator"
          f"{' and PostgreSQL' if args.postgis else ''}; our servers: {workers} workers; end: {load_average()}\n")
    print_table(results, conns)
    print_ratios(results, conns, ours_ogc, ours_native, theirs_ogc)
    print()
    for backend, r in bursts.items():
        print(f"cold server on {backend}, first burst of 64 connections ({min(args.duration, 5):.0f} s, OGC items): "
              f"{r['rps']:.0f} req/s, p99 {ms(r, 99)} ms, {r['timeouts']} timeouts, {r['socket_errors']} socket "
              f"errors, {r['non_2xx']} non-2xx")
    for line in collapse_checks(results, conns):
        print(line)
    if at_target:
        for line in ogc_checks(results, conns, ours_ogc, ours_native):
            print(line)
    for backend, size in sizes.items():
        print(f"{backend} store on disk, {args.records:,} records: {size}")
    if backends_opened is not None:
        from occurrences.store.postgis import DEFAULT_POOL_MAX

        print(f"PostgreSQL backends opened by our PostGIS server: {backends_opened} "
              f"(pool of at most {DEFAULT_POOL_MAX} connections per worker)")
    if have_pygeoapi and at_target:
        print("target: ours on SQLite ≥ 10× pygeoapi at 4 connections")
    print(f"server logs: {logs}")
    theirs_failed = sum(failures(r) for r in results if r["backend"] == "pygeoapi")
    if theirs_failed:
        print(f"\n!!! pygeoapi: {theirs_failed} failed requests (timeouts, socket errors, non-2xx), counted above")
    failed = sum(failures(r) for r in [*results, *bursts.values()] if r.get("backend") != "pygeoapi")
    if failed:
        print(f"\n!!! ours: {failed} FAILED REQUESTS (timeouts, socket errors, non-2xx): the figures above are not "
              f"clean")
    return failed


if __name__ == "__main__":
    main()
