"""Bounded work per spreadsheet (issue 14, item 4): limits on columns, cells, unpacked size and time, each
refusing with a clear, translated message; hostile workbooks are refused fast; a real server stays responsive
while they are uploaded and stops on SIGTERM within 5 s."""
import io
import signal
import statistics
import subprocess
import sys
import threading
import time
import zipfile

import httpx
import pytest

from occurrences.auth import add_user
from occurrences.demo import demo_records
from occurrences.ingest.limits import ReadLimits
from occurrences.ingest.problems import ReadTooSlow, TooLarge, TooManyCells, TooManyColumns
from occurrences.ingest.read import read_table
from occurrences.store import open_store

from .hostile import _xlsx, huge_sheet_xlsx, wide_dimension_xlsx
from .support import free_port


def refused(data: bytes, error, limits: ReadLimits | None = None, name: str = "f.xlsx"):
    start = time.perf_counter()
    with pytest.raises(error) as caught:
        read_table(data, name, **({"limits": limits} if limits else {}))
    elapsed = time.perf_counter() - start
    english, thai = caught.value.message("en"), caught.value.message("th")
    assert name in english and name in thai and english != thai  # a clear message, translated
    return caught.value, elapsed


def test_a_claimed_dimension_of_a_whole_sheet_is_refused_in_well_under_a_second():
    data = wide_dimension_xlsx()
    assert len(data) < 10_000 and b'<dimension ref="A1:XFD1048576"/>' in zipfile.ZipFile(io.BytesIO(data)).read(
        "xl/worksheets/sheet1.xml")
    error, elapsed = refused(data, TooManyColumns)
    assert error.params["column"] == 16384 and elapsed < 1.0


def test_a_small_zip_of_huge_sheet_xml_is_refused_by_its_size_before_parsing():
    data = huge_sheet_xlsx(120)
    assert len(data) < 2_000_000
    _error, elapsed = refused(data, TooLarge)
    assert elapsed < 1.0


def test_actual_inflated_size_is_checked_not_only_the_declared_one():
    data = huge_sheet_xlsx(120)
    limits = ReadLimits(unzipped_bytes=200 * 2**20)  # the declared sizes pass...
    _error, _elapsed = refused(data, TooLarge, ReadLimits(unzipped_bytes=110 * 2**20))  # 120 MB declared
    table = read_table(_xlsx([["occurrenceID"], ["a"]]), "ok.xlsx", limits)
    assert table.n_rows == 1


def test_cell_column_and_time_limits_each_refuse():
    rows = [["occurrenceID", "eventDate", "locality"]] + [[f"x{i}", "2021-01-02", "here"] for i in range(200)]
    data = _xlsx(rows)
    assert read_table(data, "ok.xlsx").n_rows == 200  # the defaults let a normal workbook through
    refused(data, TooManyCells, ReadLimits(cells=300))
    refused(data, TooManyColumns, ReadLimits(columns=2))
    refused(data, ReadTooSlow, ReadLimits(seconds=0.0))


def test_empty_rows_and_cells_far_apart_read_as_before():
    rows = [["occurrenceID", None, "locality"], [None, None, None], ["a", None, "x"], [None, None, None],
            ["b", None, None]]
    table = read_table(_xlsx(rows), "gaps.xlsx")
    assert table.headers == ["occurrenceID", "", "locality"]
    assert [c.to_pylist() for c in table.columns] == [["a", "b"], ["", ""], ["x", ""]]


# -- a real server ---------------------------------------------------------------------------------------------
@pytest.fixture
def server(tmp_path):
    db = f"sqlite:///{tmp_path / 's.db'}"
    store = open_store(db)
    store.add_many(demo_records(300), submitted_by="demo", status="accepted")
    token = add_user(store, "field", "submitter")
    store.close()
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "occurrences", "serve", "--db", db, "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 30
    while True:
        try:
            httpx.get(base + "/health", timeout=1)
            break
        except httpx.HTTPError:
            assert proc.poll() is None and time.time() < deadline, "server did not start"
            time.sleep(0.2)
    try:
        yield proc, base, token
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def list_p50(base: str, n: int = 40) -> float:
    times = []
    with httpx.Client(base_url=base, timeout=30) as client:
        for _ in range(n):
            start = time.perf_counter()
            assert client.get("/occurrences", params={"limit": 50}).status_code == 200
            times.append(time.perf_counter() - start)
    return statistics.median(times)


# Each of the four uploaders sends its next hostile file this long after the answer to the last one. Before the
# limits one such upload kept a worker busy for minutes; now each is refused within milliseconds of reading,
# and the server's time goes to its ordinary per-request work (multipart parsing, the page).
PAUSE = 0.5


def hostile_uploads(base: str, token: str, files: list, stop: threading.Event, answers: list) -> None:
    with httpx.Client(base_url=base, timeout=60, headers={"Authorization": f"Bearer {token}"}) as client:
        i = 0
        while not stop.is_set():
            name, data = files[i % 2]
            try:
                answers.append(client.post("/upload", files={"file": (name, data, "application/octet-stream")},
                                           data={"lang": "th"}).status_code)
            except httpx.HTTPError:
                answers.append("closed")  # the server is stopping
                return
            i += 1
            stop.wait(PAUSE)


def test_server_stays_responsive_during_hostile_uploads_and_stops_on_sigterm(server):
    proc, base, token = server
    list_p50(base, 10)  # warm up
    idle = list_p50(base)
    files = [("wide-dimension.xlsx", wide_dimension_xlsx()), ("huge-sheet.xlsx", huge_sheet_xlsx(120))]
    stop, answers = threading.Event(), []
    uploaders = [threading.Thread(target=hostile_uploads, args=(base, token, files, stop, answers))
                 for _ in range(4)]
    for t in uploaders:
        t.start()
    time.sleep(0.5)
    busy = list_p50(base)
    assert answers and all(a == 413 for a in answers), answers[:10]
    assert busy <= 2 * idle, f"list p50 {busy * 1000:.1f} ms during hostile uploads vs {idle * 1000:.1f} ms idle"
    start = time.perf_counter()
    proc.send_signal(signal.SIGTERM)  # with the uploads still running
    proc.wait(10)
    stopped = time.perf_counter() - start
    stop.set()
    for t in uploaders:
        t.join(30)
    assert stopped < 5, f"SIGTERM took {stopped:.1f} s"
