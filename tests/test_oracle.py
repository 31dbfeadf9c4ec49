"""No location oracle: what a reader or another submitter receives does not depend on a precise point they may
not see. Two worlds hold the same records, except that each sensitive record's precise point (and its submitted
uncertainty) differs while its public view is the same: another point of the same generalisation cell, or, for a
withheld record, anywhere. The flags are computed by the import checks on each world's points, so world A's
records carry the flags a precise point earns (near a capital, at a country centroid, whole degrees) and world
B's do not.

The attacker then asks both worlds the same questions and every answer is compared byte for byte, after removing
what changes from run to run (timestamps, random ids): every route found in ``app.routes`` (as tests/test_leaks.py
does, so a new route is covered without editing this test) with query variants (narrow boxes and polygons around
either world's hidden points, the issue filter and facet, the geospatial-issue filter, sorts), the links found in
the answers, and the duplicate attack of issue 14: uploads, JSON and form submissions of guessed points around the
hidden ones with one invalid row, so nothing is stored. The work such a submission costs is compared too: the
stored candidates it is checked against must be the same in both worlds. A reviewer, who may see the precise
points, is the control: the same comparison must find differences for them.
"""
from __future__ import annotations

import gzip
import io
import json
import re
import typing
import zipfile
from urllib.parse import quote, urlencode, urljoin, urlparse

import pytest
from fastapi import UploadFile
from fastapi.testclient import TestClient

from occurrences import auth
from occurrences.api import create_app
from occurrences.demo import demo_records
from occurrences.settings import Settings
from occurrences.store import Filters, open_store

from .conftest import BACKENDS, fresh_db_url
from .test_leaks import body_variants, discover_routes, links_in, path_fills, query_choices

STAMP = "2024-04-01T00:00:00Z"
MAX_PER_ROUTE = 8  # path fills per route; the first FULLY_ASKED get every query variant, the others a few
FULLY_ASKED = 2
MAX_CRAWL = 100
CSRF = "c" * 32
SPECIES_COUNTRY_CENTROID = "TH"


def _thailand_centroid() -> tuple[float, float]:
    from occurrences.quality import load_boundaries

    b = load_boundaries(None)
    lon, lat = b.centroids[b.position[SPECIES_COUNTRY_CENTROID]]
    return round(float(lat), 5), round(float(lon), 5)


def hidden_points() -> dict[str, dict]:
    """id → species, own level, status, and each world's precise point. A's points earn point flags, B's do not;
    generalised records stay in the same cell in both worlds (same public view)."""
    centroid = _thailand_centroid()
    return {
        # 0.1° cells
        "sens-binturong-1": ("Arctictis binturong", None, "accepted", (14.73917, 101.62853), (14.78123, 101.60411)),
        "sens-binturong-2": ("Arctictis binturong", None, "accepted", (14.71386, 101.68294), (14.72311, 101.66127)),
        "sens-wholedeg-1": ("Arctictis binturong", None, "accepted", (15.0, 100.0), (15.04217, 100.06389)),
        "sens-pending-1": ("Arctictis binturong", None, "pending", (15.06283, 99.12647), (15.04122, 99.18336)),
        # 0.2° cell holding Bangkok: A is beside it (COORDINATE_NEAR_CAPITAL), B 18 km away in the same cell
        "sens-megaspila-1": ("Viverra megaspila", None, "accepted", (13.75713, 100.50334), (13.61277, 100.41383)),
        # withheld: A on the country's area centroid (COORDINATE_NEAR_COUNTRY_CENTROID), B elsewhere
        "sens-withheld-1": ("Paradoxurus hermaphroditus", "withhold", "accepted", centroid, (18.31579, 103.71942)),
    }


def world_records(world: str) -> list[tuple[dict, str]]:
    """(record, status) of the sensitive records of ``world`` ("A" or "B"), with the flags the import checks
    give their precise points."""
    from occurrences.ingest import check_quality

    out = []
    for oid, (name, level, status, a, b) in hidden_points().items():
        lat, lon = a if world == "A" else b
        rec = {"occurrenceID": oid, "basisOfRecord": "HumanObservation", "scientificName": name,
               "eventDate": "2024-03-15", "decimalLatitude": lat, "decimalLongitude": lon,
               "coordinateUncertaintyInMeters": 30.0 if world == "A" else 5.0, "countryCode": "TH",
               "stateProvince": "Nakhon Ratchasima", "locality": "near the ranger station",
               "occurrenceRemarks": "den tree", "recordedBy": "Field Team A", "submittedAt": STAMP}
        cols = {k: [v] for k, v in rec.items()}
        issues = check_quality(cols, 1, "en")
        rec["issues"] = sorted({p.code for _row, p in issues if p.severity != "error"})
        if level:
            rec["sensitivity"] = level
        out.append((rec, status))
    return out


def seed_survey(store, world: str) -> None:
    """A camera-trap survey whose station that detected a binturong stands on world A's or world B's precise
    point of sens-binturong-1 (same 0.1° cell): survey pages, effort and rates must not tell the worlds apart.
    Named like a record id so that the route walk fills /surveys/{survey_id} with it."""
    import tempfile
    from pathlib import Path

    from occurrences.camtrap.read import read_camtrap_dp
    from occurrences.camtrap.store import save_survey

    from .camtrap_fixtures import mini_package

    _name, _level, _status, a, b = hidden_points()["sens-binturong-1"]
    lat, lon = a if world == "A" else b
    with tempfile.TemporaryDirectory() as tmp:
        package = read_camtrap_dp(mini_package(Path(tmp) / "pkg", lat, lon, survey_id="sens-binturong-1"))
    from unittest import mock

    # the survey and its records get the same submission time in both worlds, like every seeded record
    with mock.patch("occurrences.store.columns.now_iso", lambda: STAMP), \
            mock.patch("occurrences.camtrap.store.now_iso", lambda: STAMP):
        save_survey(store, package, source="oracle", submitted_by="alice", access="full", status="accepted")


def seed(store, world: str) -> dict:
    store.add_many([{**r, "submittedAt": STAMP} for r in demo_records(40)], submitted_by="demo", status="accepted")
    tokens = {name: auth.add_user(store, name, role) for name, role in
              (("alice", "submitter"), ("bob", "submitter"), ("rita", "reviewer"))}
    for rec, status in world_records(world):
        store.add_many([rec], submitted_by="alice", status=status)
    seed_survey(store, world)
    store.add_many([{"occurrenceID": "bob-own-1", "basisOfRecord": "HumanObservation",
                     "scientificName": "Paguma larvata", "eventDate": "2023-05-02", "decimalLatitude": 19.1,
                     "decimalLongitude": 99.9, "countryCode": "TH", "submittedAt": STAMP}],
                   submitted_by="bob", status="pending")
    return {"tokens": tokens, "bob_record": "bob-own-1"}


@pytest.fixture(params=BACKENDS)
def worlds(request, tmp_path_factory):
    """Fresh worlds for each test: a walk's writes and exports must not change what the next one finds."""
    out, stores = {}, []
    with fresh_db_url(request.param, tmp_path_factory.mktemp("oracle-a")) as url_a, \
            fresh_db_url(request.param, tmp_path_factory.mktemp("oracle-b")) as url_b:
        for world, url in (("A", url_a), ("B", url_b)):
            store = open_store(url)
            stores.append(store)
            out[world] = (create_app(Settings(db=url), store=store), seed(store, world), store)
        yield out
        for store in stores:
            store.close()


def test_the_worlds_differ_only_where_the_public_cannot_see(worlds):
    """The premise: A's precise records carry point flags B's lack, and the public copies are equal."""
    _app, _seeded, a = worlds["A"]
    _app, _seeded, b = worlds["B"]
    precise_a = {r["occurrenceID"]: r for r in a.iter_records(Filters(access="full", status=["accepted", "pending"]))}
    precise_b = {r["occurrenceID"]: r for r in b.iter_records(Filters(access="full", status=["accepted", "pending"]))}
    assert "COORDINATE_NEAR_CAPITAL" in precise_a["sens-megaspila-1"]["issues"]
    assert "COORDINATE_NEAR_COUNTRY_CENTROID" in precise_a["sens-withheld-1"]["issues"]
    assert "COORDINATE_PRECISION_LOW" in precise_a["sens-wholedeg-1"]["issues"]
    for oid in hidden_points():
        assert precise_a[oid]["decimalLatitude"] != precise_b[oid]["decimalLatitude"]
        assert precise_a[oid]["issues"] != precise_b[oid]["issues"] or oid.startswith(("sens-binturong",
                                                                                       "sens-pending"))
        assert a.get(oid) == b.get(oid)  # the public view (None for the pending one)
        assert a.get(oid, access="own:bob") == b.get(oid, access="own:bob")


# -- comparing answers -------------------------------------------------------------------------------------
_VOLATILE = [
    (re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?"), "<time>"),
    (re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), "<uuid>"),
    (re.compile(r"\b[0-9a-f]{16,}\b"), "<hex>"),
    (re.compile(r"\b[A-Za-z0-9_-]{40,}\b"), "<token>"),
    (re.compile(r"\bp[0-9a-f]{10}\b"), "<svg-id>"),  # matplotlib's random clip-path ids
    # a time of day as Babel writes it on pages ("12:51:39\u202fPM", "12:51:39"): when a figure was computed
    (re.compile(r"\b\d{1,2}:\d{2}:\d{2}(\\u202f|\u202f|\s)?([AP]M)?"), "<clock>"),
]
_KEPT_HEADERS = ("content-type", "location", "content-disposition")


def normalised(text: str) -> str:
    for pattern, replacement in _VOLATILE:
        text = pattern.sub(replacement, text)
    return text


def answer(response) -> dict:
    """What a client receives, without what changes between two runs of the same program on the same data."""
    data = response.content
    headers = {k: normalised(v) for k, v in response.headers.items() if k in _KEPT_HEADERS}
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    if data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            body = {n: _member(z.read(n)) for n in sorted(z.namelist())}
    elif data.startswith(b"\x89PNG") or "protobuf" in headers.get("content-type", "") \
            or "vector-tile" in headers.get("content-type", ""):
        body = data.hex()
    else:
        body = normalised(data.decode("utf-8", errors="replace"))
    return {"status": response.status_code, "headers": headers, "body": body}


def _member(data: bytes) -> str:
    try:
        return normalised(data.decode("utf-8"))
    except UnicodeDecodeError:  # a binary member (shapefile, GeoPackage, XLSX): compared as it is
        return data.hex()


def first_difference(a, b) -> str:
    if a["status"] != b["status"] or a["headers"] != b["headers"]:
        return f"{a['status']} {a['headers']} / {b['status']} {b['headers']}"
    x, y = json.dumps(a["body"], sort_keys=True), json.dumps(b["body"], sort_keys=True)
    i = next((k for k, (p, q) in enumerate(zip(x, y)) if p != q), min(len(x), len(y)))
    return f"...{x[max(0, i - 120):i + 80]!r} / ...{y[max(0, i - 120):i + 80]!r}"


class Pair:
    """The same requests to both worlds, as one user; records every answer that differs."""

    def __init__(self, worlds: dict, who: str | None):
        self.clients = {}
        for world, (app, seeded, _store) in worlds.items():
            headers = {"x-csrf-token": CSRF}
            if who:
                headers["Authorization"] = f"Bearer {seeded['tokens'][who]}"
            client = TestClient(app, headers=headers, raise_server_exceptions=False)
            client.cookies.set("csrf", CSRF)
            self.clients[world] = client
        self.who = who or "anonymous"
        self.differences: list[str] = []
        self.server_errors: list[str] = []  # an answer that is a crash compares nothing
        self.seen: set = set()
        self.queue: list[tuple[str, str]] = []
        self.requests = 0

    def request(self, method: str, url: str | tuple[str, str], **kwargs) -> None:
        urls = (url, url) if isinstance(url, str) else url
        key = (method, urls, json.dumps(kwargs, sort_keys=True, default=str))
        if key in self.seen:
            return
        self.seen.add(key)
        self.requests += 1
        got = {w: self.clients[w].request(method, u, follow_redirects=False, **kwargs)
               for w, u in zip("AB", urls)}
        a, b = answer(got["A"]), answer(got["B"])
        if max(a["status"], b["status"]) >= 500:
            self.server_errors.append(f"{self.who} {method} {urls[0]}: {a['status']} / {b['status']}")
        if a != b:
            self.differences.append(f"{self.who} {method} {urls[0]} {kwargs or ''}: {first_difference(a, b)}")
        links = [links_in(got[w], "http://testserver" + urlparse(u).path) for w, u in zip("AB", urls)]
        if len(links[0]) == len(links[1]):  # a link that differs only by a job id: each world follows its own
            self.queue += [(x, y) for x, y in zip(*links) if normalised(x) == normalised(y)]

    def crawl(self) -> None:
        done = 0
        while self.queue and done < MAX_CRAWL:
            a, b = self.queue.pop(0)
            if ("GET", (a, b), "{}") not in self.seen and not a.endswith((".png", ".svg")):
                done += 1
                self.request("GET", (a, b))


# -- the questions -----------------------------------------------------------------------------------------
ISSUE_CODES = ("COORDINATE_NEAR_CAPITAL", "COORDINATE_NEAR_COUNTRY_CENTROID", "COORDINATE_PRECISION_LOW",
               "DUPLICATE_OF_STORED_RECORD", "TAXON_NOT_KNOWN_FROM_COUNTRY")


def probe_points() -> list[tuple[float, float]]:
    """Both worlds' hidden points of the records whose flags differ (the others differ only in the point)."""
    flagged = ("sens-wholedeg-1", "sens-megaspila-1", "sens-withheld-1", "sens-binturong-1")
    return [p for oid in flagged for p in hidden_points()[oid][3:]]


def query_variants(route) -> list[dict]:
    variants = [{}, {"status": "pending|rejected"}, {"sort": "eventDate"}, {"sort": "-eventDate"},
                {"facet": "issue"}, {"hasGeospatialIssue": "true"}, {"hasGeospatialIssue": "false"},
                {"issue": "|".join(ISSUE_CODES)}, {"f": "json"}]
    variants += [{"issue": code} for code in ISSUE_CODES]
    for lat, lon in probe_points():
        x0, y0, x1, y1 = lon - 0.002, lat - 0.002, lon + 0.002, lat + 0.002
        variants.append({"bbox": f"{x0:.4f},{y0:.4f},{x1:.4f},{y1:.4f}"})
        variants.append({"geometry": f"POLYGON(({x0:.4f} {y0:.4f},{x1:.4f} {y0:.4f},{x1:.4f} {y1:.4f},"
                                     f"{x0:.4f} {y1:.4f},{x0:.4f} {y0:.4f}))"})
    for name, values in query_choices(route).items():
        variants += [{name: v} for v in values] + [{name: v, "facet": "issue"} for v in values[:3]]
    return variants


def attack_rows(invalid: bool = True) -> list[dict]:
    """The duplicate attack: the public species, date and recorder of each sensitive record, at a grid of
    guessed points around each world's hidden point (within 100 m of A's), and one row that cannot be stored."""
    rows = []
    for oid, (name, _level, _status, a, b) in hidden_points().items():
        for lat, lon in (a, b):
            for dlat, dlon in ((0, 0), (0.0004, 0), (0, 0.0004), (-0.0003, -0.0003)):
                rows.append({"occurrenceID": f"probe-{len(rows)}", "basisOfRecord": "HumanObservation",
                             "scientificName": name, "eventDate": "2024-03-15", "recordedBy": "Field Team A",
                             "decimalLatitude": f"{lat + dlat:.5f}", "decimalLongitude": f"{lon + dlon:.5f}",
                             "countryCode": "TH"})
    for oid, (lat, lon) in public_points().items():  # where the public sees them: these are duplicates
        name = hidden_points()[oid][0]
        rows.append({**rows[0], "occurrenceID": f"probe-{len(rows)}", "scientificName": name,
                     "decimalLatitude": f"{lat:.5f}", "decimalLongitude": f"{lon:.5f}"})
    if invalid:
        rows.append({**rows[0], "occurrenceID": "probe-invalid", "eventDate": "not a date"})
    return rows


def public_points() -> dict[str, tuple[float, float]]:
    """The generalised points of the accepted generalised records (equal in both worlds)."""
    import numpy as np

    from occurrences.sensitivity import public_columns, species_levels

    out = {}
    for oid, (name, level, status, a, _b) in hidden_points().items():
        if level is None and status == "accepted":
            pub = public_columns(np.array([a[0]]), np.array([a[1]]), np.array([30.0]), [None], [None],
                                 species_levels([name]))
            out[oid] = (pub["_pub_lat"][0], pub["_pub_lon"][0])
    return out


def csv_of(rows: list[dict]) -> bytes:
    header = list(rows[0])
    lines = [",".join(header)] + [",".join(str(r[h]) for h in header) for r in rows]
    return ("\n".join(lines) + "\n").encode()


def _takes_file(route) -> bool:
    dependant = getattr(route, "dependant", None)
    return any(UploadFile in (p.field_info.annotation, *typing.get_args(p.field_info.annotation))
               for p in (getattr(dependant, "body_params", []) if dependant else []))


def ask_everything(pair: Pair, worlds: dict) -> None:
    _app, seeded, _store = worlds["A"]
    app = worlds["A"][0]
    for template, methods, route in discover_routes(app):
        for i, path in enumerate(path_fills(template, seeded)[:MAX_PER_ROUTE]):
            if "GET" in methods:
                pair.request("GET", path)
                variants = query_variants(route)
                if i >= FULLY_ASKED or path.endswith((".png", ".svg")):  # drawings are slow: a few variants do
                    variants = variants[:3] + [v for v in variants if "issue" in v or "facet" in v][:2]
                for params in variants:
                    pair.request("GET", path + "?" + urlencode(params))
            for method in sorted(methods - {"GET", "HEAD", "OPTIONS"}):
                if "signin" in path or "signout" in path:
                    continue  # credentials, not records (and the sign-in limiter's countdown is a clock)
                submit_attacks(pair, method, path, route)
                for body in body_variants(route):
                    pair.request(method, path, json=body)
    pair.crawl()


def submit_attacks(pair: Pair, method: str, path: str, route) -> None:
    """Every write route gets the duplicate attack in each shape it might accept: a file, a JSON record, a form."""
    rows = attack_rows()
    if _takes_file(route):
        for name, data in (("attack.csv", csv_of(rows)), ("one.csv", csv_of(rows[:1] + rows[-1:]))):
            pair.request(method, path, files={"file": (name, data, "text/csv")}, data={"csrf_token": CSRF})
        return
    for row in rows[:: 4] + rows[1:2]:
        single = {k: v for k, v in row.items() if k != "occurrenceID"}
        pair.request(method, path, json={**single, "individualCount": "-1"})
        pair.request(method, path, data={**single, "individualCount": "-1", "csrf_token": CSRF})


@pytest.mark.parametrize("who", [None, "bob"])
def test_no_answer_moves_with_a_hidden_point(worlds, who):
    pair = Pair(worlds, who)
    ask_everything(pair, worlds)
    assert pair.requests > 300, pair.requests
    assert not pair.server_errors, f"{len(pair.server_errors)} crashes:\n" + "\n".join(pair.server_errors[:20])
    assert not pair.differences, f"{len(pair.differences)} answers differ:\n" + "\n".join(pair.differences[:20])
    if who:  # the attack did reach the duplicate check: rows at the public points are reported
        upload = pair.clients["A"].post("/upload", files={"file": ("a.csv", csv_of(attack_rows()), "text/csv")},
                                        data={"csrf_token": CSRF})
        assert upload.status_code == 422 and "sens-megaspila-1" in upload.text, upload.text[:300]


def test_the_comparison_would_notice_an_oracle(worlds):
    """The control: a reviewer may see the precise points, so the same questions do get different answers
    (precise flags, uncertainty, duplicate warnings naming the record and the distance)."""
    pair = Pair(worlds, "rita")
    pair.request("GET", "/occurrences/sens-withheld-1")
    pair.request("GET", "/occurrences?" + urlencode({"issue": "COORDINATE_NEAR_CAPITAL"}))
    pair.request("GET", "/occurrences/facets?" + urlencode({"facet": "issue"}))
    rows = attack_rows()
    pair.request("POST", "/upload", files={"file": ("attack.csv", csv_of(rows), "text/csv")},
                 data={"csrf_token": CSRF})
    assert len(pair.differences) == 4, "\n".join(pair.differences)
    assert any("sens-megaspila-1" in d or "DUPLICATE" in d or "duplicate" in d for d in pair.differences[3:])


# -- the work behind a nothing-stored submission -----------------------------------------------------------
@pytest.mark.parametrize("who", ["bob", "rita"])
def test_a_submission_is_checked_against_the_same_records_in_both_worlds(worlds, who, monkeypatch):
    """The time a rejected upload takes depends on the candidates it is compared with: for a submitter they are
    the public copies (the same in both worlds), so the work, and its timing, cannot depend on a hidden point.
    A reviewer's are precise (the control)."""
    import occurrences.ingest as ingest

    seen = []
    real = ingest.check_quality

    def spy(columns, n, lang, existing=None):
        seen.append(existing)
        return real(columns, n, lang, existing)

    monkeypatch.setattr(ingest, "check_quality", spy)
    pair = Pair(worlds, who)
    pair.request("POST", "/upload", files={"file": ("attack.csv", csv_of(attack_rows()), "text/csv")},
                 data={"csrf_token": CSRF})
    assert len(seen) == 2 and seen[0] is not None and len(seen[0]["occurrenceID"]) >= 4
    if who == "bob":
        assert seen[0] == seen[1]
        withheld = seen[0]["occurrenceID"].index("sens-withheld-1")
        assert seen[0]["decimalLatitude"][withheld] is None  # compared with nothing: it has no public point
    else:
        assert seen[0] != seen[1]


def test_duplicates_of_a_generalised_record_are_found_on_its_public_point(worlds):
    """What a submitter is told: a row at the cell's centre is a duplicate of the (public) record, a row at the
    hidden point is not; the reviewer is told about the hidden point."""
    from occurrences.ingest import import_bytes

    from occurrences.errors import ImportRejected

    _app, _seeded, store = worlds["A"]
    public = store.get("sens-binturong-1")
    lat, lon = public["decimalLatitude"], public["decimalLongitude"]
    hidden = hidden_points()["sens-binturong-1"][3]
    rows = [{"basisOfRecord": "HumanObservation", "scientificName": "Arctictis binturong",
             "eventDate": "2024-03-15", "recordedBy": "Field Team A", "decimalLatitude": f"{y:.5f}",
             "decimalLongitude": f"{x:.5f}", "countryCode": "TH"} for y, x in ((lat, lon), hidden)]
    data = csv_of(rows + [{**rows[0], "eventDate": "not a date"}])

    def duplicates(access):
        with pytest.raises(ImportRejected) as caught:
            import_bytes(store, data, "probe.csv", submitted_by="bob", access=access)
        return [(r.row, f.params.get("other_id")) for r in caught.value.report.rows for f in r.flags
                if f.code == "DUPLICATE_OF_STORED_RECORD"]

    in_the_cell = {"sens-binturong-1", "sens-binturong-2"}  # both generalised to the same centre
    for access in ("own:bob", "public"):
        found = duplicates(access)
        assert [row for row, _id in found] == [2] and found[0][1] in in_the_cell, (access, found)
    assert duplicates("full") == [(3, "sens-binturong-1")]


# -- the rule in the store's read path ---------------------------------------------------------------------
POINT_FLAGS = ["COORDINATE_NEAR_CAPITAL", "ZERO_COORDINATE", "TAXON_NOT_KNOWN_FROM_COUNTRY", "GBIF_UNKNOWN_CODE"]


def flagged(oid: str, name: str, lat: float, lon: float, uncertainty: float) -> dict:
    return {"occurrenceID": oid, "basisOfRecord": "HumanObservation", "scientificName": name,
            "eventDate": "2024-03-15", "decimalLatitude": lat, "decimalLongitude": lon,
            "coordinateUncertaintyInMeters": uncertainty, "countryCode": "TH", "issues": POINT_FLAGS}


def test_public_flags_and_uncertainty_of_sensitive_records(store):
    """Stored flags of a sensitive record are public only when they depend on what the public sees anyway (here
    the species and country); the issue filter, the issue facet and the geospatial-issue filter agree with the
    records; the public uncertainty is the cell's radius whatever was submitted."""
    from occurrences.store.access import PUBLIC_FLAGS_OF_SENSITIVE
    from occurrences.records import GEOSPATIAL_ISSUES

    assert not PUBLIC_FLAGS_OF_SENSITIVE & GEOSPATIAL_ISSUES
    store.add_many([flagged("s-30", "Arctictis binturong", 14.73917, 101.62853, 30.0),
                    flagged("s-5", "Arctictis binturong", 14.78123, 101.60411, 5.0),
                    flagged("open-1", "Paguma larvata", 14.73917, 101.62853, 30.0)],
                   submitted_by="alice", status="accepted")
    public = {r["occurrenceID"]: r for r in store.iter_records(Filters())}
    assert public["s-30"]["issues"] == public["s-5"]["issues"] == ["TAXON_NOT_KNOWN_FROM_COUNTRY"]
    assert public["open-1"]["issues"] == POINT_FLAGS
    assert public["s-30"]["coordinateUncertaintyInMeters"] == public["s-5"]["coordinateUncertaintyInMeters"] > 7000
    assert public["open-1"]["coordinateUncertaintyInMeters"] == 30.0
    for access, sees_precise in (("public", False), ("own:bob", False), ("own:alice", True), ("full", True)):
        def ids(**f):
            return sorted(r["occurrenceID"] for r in store.iter_records(Filters(access=access, **f)))

        everything = ["open-1", "s-30", "s-5"]
        assert ids(issue=["COORDINATE_NEAR_CAPITAL"]) == (everything if sees_precise else ["open-1"]), access
        assert ids(issue=["GBIF_UNKNOWN_CODE"]) == (everything if sees_precise else ["open-1"]), access
        assert ids(issue=["TAXON_NOT_KNOWN_FROM_COUNTRY"]) == everything, access
        assert ids(hasGeospatialIssue=True) == (everything if sees_precise else ["open-1"]), access
        assert ids(hasGeospatialIssue=False) == ([] if sees_precise else ["s-30", "s-5"]), access
        facet = dict(store.facets(Filters(access=access), ["issue"])["issue"])
        listed = [c for r in store.iter_records(Filters(access=access)) for c in r["issues"]]
        assert facet == {c: listed.count(c) for c in set(listed)}, access
        assert store.count(Filters(access=access, issue=["COORDINATE_NEAR_CAPITAL"])) == (3 if sees_precise else 1)


def test_existing_databases_get_the_public_flags_and_uncertainty(store_url):
    """A database written before the public issue list existed (and with the submitted uncertainty added to the
    cell's radius) is brought up to date when it is opened, on both backends."""
    store = open_store(store_url)
    store.add_user("alice", "submitter")  # an account: the later owner migration leaves her records to her
    store.add_many([flagged("s-30", "Arctictis binturong", 14.73917, 101.62853, 30.0)], status="accepted",
                   submitted_by="alice")
    expected = store.get("s-30")
    _make_it_old(store)
    store.close()
    store = open_store(store_url)
    try:
        assert store.get("s-30") == expected
        assert expected["issues"] == ["TAXON_NOT_KNOWN_FROM_COUNTRY"]
        assert store.state("s-30")["sensitivity"] == "generalise-0.1"
    finally:
        store.close()


def _make_it_old(store) -> None:
    """Undo what the migration to the public issue list does: no column, the old uncertainty, older version."""
    from occurrences.store import postgis as PG, sqlite as SL

    statements = ['ALTER TABLE occurrence DROP COLUMN "_pub_issues"',
                  'UPDATE occurrence SET "_pub_uncertainty" = "_pub_uncertainty" + 30 WHERE "_sensitivity" > 0']
    if hasattr(store, "pool"):
        with store.pool.connection() as conn:
            for sql in statements:
                conn.execute(sql)
            conn.execute("UPDATE schema_version SET version = %s", [PG.MIGRATIONS.index(PG._schema_v4)])
    else:
        for sql in statements:
            store.conn.execute(sql)
        store.conn.execute(f"PRAGMA user_version = {SL.MIGRATIONS.index(SL._schema_public_issues)}")
