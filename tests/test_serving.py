"""Serving under load: how many processes and threads ``occurrences serve`` runs, OGC items on the path of
/occurrences (no catalogue, one serialisation), and the catalogue built once however many requests wait."""
from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import anyio
import pytest
from fastapi.testclient import TestClient

from occurrences.api import create_app, request_threads
from occurrences.cli import usable_cores
from occurrences.demo import demo_records
from occurrences.settings import Settings
from occurrences.store import open_store

from .support import live_server


@pytest.fixture(scope="module")
def db_url(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('serving') / 'occ.db'}"
    store = open_store(url)
    store.add_many(demo_records(300), submitted_by="demo", status="accepted")
    store.close()
    return url


def children(pid: int) -> list[int]:
    """Processes whose parent is ``pid`` (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
            except (OSError, IndexError):
                continue
    return found


def server_pid(base: str) -> int:
    port = base.rsplit(":", 1)[1]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmd = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"serve" in cmd and port.encode() in cmd:
                return int(entry.name)
    raise AssertionError("server process not found")


def worker_processes(pid: int) -> list[int]:
    """The server's worker processes: its children but multiprocessing's resource tracker."""
    return [c for c in children(pid)
            if b"resource_tracker" not in Path(f"/proc/{c}/cmdline").read_bytes()]


@pytest.mark.skipif(not hasattr(os, "sched_getaffinity"), reason="needs CPU affinity (Linux)")
def test_serve_runs_one_worker_process_per_usable_core_by_default(db_url):
    cores = len(os.sched_getaffinity(0))
    assert usable_cores() == cores
    expected = cores if cores > 1 else 0  # one core: uvicorn serves in its own process
    with live_server(db_url, timeout=120) as base:
        pid, deadline = server_pid(base), time.time() + 20
        while len(worker_processes(pid)) < expected and time.time() < deadline:
            time.sleep(0.2)
        assert len(worker_processes(pid)) == expected


def test_the_thread_pool_is_sized_by_the_settings(db_url):
    app = create_app(Settings(db=db_url, threads=3))
    with TestClient(app) as client:
        assert client.get("/health").status_code == 200
        assert client.portal.call(lambda: anyio.to_thread.current_default_thread_limiter().total_tokens) == 3


def test_request_threads_default_by_store(db_url):
    """SQLite reads are CPU under the GIL: one request thread per process (more only took turns and made the
    tail, see SQLiteStore.request_threads); PostgreSQL requests wait on the server, so four overlap those waits.
    The store that answers decides, whatever the URL's spelling (postgres://, postgis://)."""
    from occurrences.store.postgis import PostGISStore

    store = open_store(db_url)
    try:
        assert request_threads(Settings(db=db_url), store) == 1
        assert request_threads(Settings(db=db_url, threads=3), store) == 3
    finally:
        store.close()
    assert PostGISStore.request_threads == 4
    with TestClient(create_app(Settings(db=db_url))) as client:
        assert client.portal.call(lambda: anyio.to_thread.current_default_thread_limiter().total_tokens) == 1


def test_an_export_in_progress_does_not_hold_up_a_page_with_one_request_thread(db_url, monkeypatch):
    """With one request thread per process a seconds-long export would make every other request of that process
    wait: exports run in a lane of their own."""
    import occurrences.api.exports as exports

    started, release = threading.Event(), threading.Event()

    def slow_export(store, filters, fmt, path, options=None):
        started.set()
        release.wait(10)
        Path(path).write_text("done")

    monkeypatch.setattr(exports, "export", slow_export)
    with TestClient(create_app(Settings(db=db_url, threads=1))) as client:
        result = {}
        downloading = threading.Thread(target=lambda: result.update(r=client.get("/exports?format=csv")))
        downloading.start()
        try:
            assert started.wait(10)
            t = time.perf_counter()
            assert client.get("/occurrences?limit=5").status_code == 200
            waited = time.perf_counter() - t
        finally:
            release.set()
            downloading.join(10)
        assert waited < 2 and result["r"].status_code == 200 and result["r"].text == "done"


def test_ogc_items_read_no_catalogue_and_a_species_collection_is_still_checked(db_url, monkeypatch):
    store = open_store(db_url)
    with TestClient(create_app(Settings(db=db_url), store=store)) as client:
        def no_catalogue(*args, **kwargs):
            raise AssertionError("items read the catalogue")

        monkeypatch.setattr(store, "extents", no_catalogue)
        body = client.get("/ogc/collections/occurrences/items?limit=5").json()
        assert body["numberReturned"] == 5 and body["numberMatched"] == 300
        name = body["features"][0]["properties"]["scientificName"]
        species = client.get(f"/ogc/collections/{name.replace(' ', '_')}/items?limit=5").json()
        assert {f["properties"]["scientificName"] for f in species["features"]} == {name}
        whole = client.get("/ogc/collections/occurrences/items?limit=1000").json()  # one page holds all
        assert whole["numberMatched"] == whole["numberReturned"] == 300
        missing = client.get("/ogc/collections/Nosuch_species/items")
        assert missing.status_code == 404 and missing.json()["code"] == "not-found"


def test_ogc_items_and_occurrences_pages_serialise_the_same_features(db_url):
    with TestClient(create_app(Settings(db=db_url))) as client:
        ogc = client.get("/ogc/collections/occurrences/items?limit=50&bbox=90,0,115,30").json()
        native = client.get("/occurrences?limit=50&bbox=90,0,115,30").json()
        assert ogc["features"] == native["features"] and len(ogc["features"]) == 50


def test_the_catalogue_is_built_once_however_many_requests_wait_for_it(db_url, monkeypatch):
    store = open_store(db_url)
    calls, original = [], store.extents

    def slow_extents(*args, **kwargs):
        calls.append(kwargs.get("group_by"))
        time.sleep(0.2)
        return original(*args, **kwargs)

    monkeypatch.setattr(store, "extents", slow_extents)
    with TestClient(create_app(Settings(db=db_url, threads=8), store=store)) as client:
        statuses = []
        threads = [threading.Thread(target=lambda: statuses.append(client.get("/ogc/collections").status_code))
                   for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert statuses == [200] * 8 and calls == [None, "scientificName"]


# -- workers act as one: the tile pyramid follows the database's change counter ------------------------------------
REGION_TILE = (3, 6, 3)  # z/x/y of a zoom-3 tile over mainland Southeast Asia (counted from the pyramid)


def tile_count(data: bytes) -> int:
    import mapbox_vector_tile

    layers = mapbox_vector_tile.decode(data, default_options={"y_coord_down": True})
    return sum(f["properties"]["count"] for f in layers.get("grid", {"features": []})["features"])


def new_record(i: int) -> dict:
    return {"occurrenceID": f"fresh-{i}", "basisOfRecord": "HumanObservation", "scientificName": "Paguma larvata",
            "countryCode": "TH", "eventDate": "2024-05-01", "decimalLatitude": 15.2, "decimalLongitude": 101.3}


def test_every_write_moves_the_change_counter_and_a_failed_one_does_not(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'c.db'}")
    start = store.changes()
    store.add_many([new_record(1)], status="accepted")
    store.update("fresh-1", {"status": "rejected"}, actor="t")
    store.delete("fresh-1", actor="t")
    assert store.changes() == start + 3
    with pytest.raises(Exception):
        store.add_many([new_record(2), new_record(2)])  # duplicate in the batch: nothing written
    assert store.changes() == start + 3
    store.close()


def test_a_cached_low_zoom_tile_shows_a_record_written_by_another_process(db_url):
    from occurrences.maps.tiles import tile_mvt
    from occurrences.store import Filters

    reader, writer = open_store(db_url), open_store(db_url)  # two connections, as two server processes
    before = tile_count(tile_mvt(reader, Filters(), *REGION_TILE))
    assert tile_count(tile_mvt(reader, Filters(), *REGION_TILE)) == before  # from the cache
    writer.add_many([new_record(10)], status="accepted")
    assert tile_count(tile_mvt(reader, Filters(), *REGION_TILE)) == before + 1
    reader.close(), writer.close()


def connection_owner(conn, server_port: int, pids: list[int]) -> int | None:
    """The worker process holding the server side of this client connection: the socket inode in /proc/net/tcp
    whose local port is the server's and remote port ours, found among the workers' open files."""
    client_port = conn.sock.getsockname()[1]
    want = f"0100007F:{server_port:04X} 0100007F:{client_port:04X}"
    inode = None
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if f"{fields[1]} {fields[2]}" == want:
            inode = fields[9]
    for pid in pids:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                if os.readlink(fd) == f"socket:[{inode}]":
                    return pid
            except OSError:
                continue
    return None


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="finds each connection's worker through /proc")
def test_three_workers_serve_the_fresh_tile_after_a_write(db_url):
    """``serve --workers 3``: a keep-alive connection to each worker (found through /proc), each caches the
    zoom-3 tile, a record is written, and every worker's next answer counts it."""
    from http.client import HTTPConnection

    path = "/tiles/{}/{}/{}.mvt".format(*REGION_TILE)
    with live_server(db_url, "--workers", "3", timeout=120) as base:
        port = int(base.rsplit(":", 1)[1])
        pid, deadline = server_pid(base), time.time() + 20
        while len(worker_processes(pid)) < 3 and time.time() < deadline:
            time.sleep(0.2)
        workers = worker_processes(pid)
        assert len(workers) == 3
        by_worker: dict[int, HTTPConnection] = {}
        for _ in range(300):
            conn = HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", "/health")
            conn.getresponse().read()
            owner = connection_owner(conn, port, workers)
            if owner in by_worker or owner is None:
                conn.close()
            else:
                by_worker[owner] = conn
            if len(by_worker) == 3:
                break
        assert len(by_worker) == 3, "could not reach every worker"

        def counts() -> list[int]:
            found = []
            for conn in by_worker.values():
                conn.request("GET", path)
                resp = conn.getresponse()
                assert resp.status == 200
                found.append(tile_count(resp.read()))
            return found

        before = counts()
        assert len(set(before)) == 1 and counts() == before  # each worker answers from its cache
        writer = open_store(db_url)
        writer.add_many([new_record(20)], status="accepted")
        writer.close()
        assert counts() == [before[0] + 1] * 3
        for conn in by_worker.values():
            conn.close()


# -- one listening socket per worker (occurrences/workers.py) ----------------------------------------------------

def _serve_cmd(db_url: str, port: int, workers: int) -> list[str]:
    import sys

    return [sys.executable, "-m", "occurrences", "serve", "--db", db_url, "--port", str(port),
            "--workers", str(workers)]


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="counts each worker's connections through /proc")
def listening_inodes(port: int) -> set[str]:
    """Inodes of the sockets listening on 127.0.0.1:port (state 0A in /proc/net/tcp)."""
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[1] == f"0100007F:{port:04X}" and fields[3] == "0A":
            found.add(fields[9])
    return found


def socket_inodes(pid: int) -> set[str]:
    found = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            found.add(target[8:-1])
    return found


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads the listening sockets from /proc")
def test_each_worker_accepts_on_a_listening_socket_of_its_own(db_url):
    """With uvicorn's workers every process accepts from one shared socket, and under load the one awake first
    took ~80 % of 64 connections (13/51 measured); with a socket per worker (SO_REUSEPORT) the kernel spreads
    new connections over the sockets by a hash of the client's address and port."""
    with live_server(db_url, "--workers", "3", timeout=120) as base:
        port = int(base.rsplit(":", 1)[1])
        pid, deadline = server_pid(base), time.time() + 20
        while len(worker_processes(pid)) < 3 and time.time() < deadline:
            time.sleep(0.2)
        listening = listening_inodes(port)
        owned = [socket_inodes(w) & listening for w in worker_processes(pid)]
    assert len(listening) == 3
    assert sorted(len(o) for o in owned) == [1, 1, 1] and set().union(*owned) == listening


def test_a_second_server_on_the_same_port_fails_at_once_with_one_line(db_url):
    import subprocess

    with live_server(db_url, "--workers", "2", timeout=120) as base:
        port = int(base.rsplit(":", 1)[1])
        done = subprocess.run(_serve_cmd(db_url, port, 2), capture_output=True, text=True, timeout=60)
        assert done.returncode == 1
        assert "address is in use" in done.stderr and "Traceback" not in done.stderr
        assert "Serving" not in done.stdout  # it says nothing it did not do
        urllib_ok = __import__("urllib.request").request.urlopen(base + "/health", timeout=5).status
        assert urllib_ok == 200  # the first server is untouched


def test_sigterm_stops_every_worker_within_five_seconds_and_a_dead_worker_is_replaced(db_url):
    import signal
    import subprocess

    from .support import free_port

    port = free_port()
    proc = subprocess.Popen(_serve_cmd(db_url, port, 2), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 60
        while len(worker_processes(proc.pid)) < 2 and time.time() < deadline:
            time.sleep(0.2)
        first = worker_processes(proc.pid)
        assert len(first) == 2
        os.kill(first[0], signal.SIGKILL)
        deadline = time.time() + 30
        while time.time() < deadline and (first[0] in worker_processes(proc.pid)
                                          or len(worker_processes(proc.pid)) < 2):
            time.sleep(0.2)
        workers = worker_processes(proc.pid)
        assert len(workers) == 2 and first[0] not in workers  # replaced
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        proc.wait(10)
        assert time.monotonic() - started <= 5.5
        assert not any(Path(f"/proc/{w}").exists() and b"zombie" not in Path(f"/proc/{w}/status").read_bytes()
                       for w in workers)
    finally:
        if proc.poll() is None:
            proc.kill()
