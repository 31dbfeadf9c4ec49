"""Sensitive records never leak: walk every route of the app (discovered from ``app.routes``, so endpoints added
later are covered) as an anonymous reader and as a submitter of another record, with path parameters filled
from the seeded data, query variants (narrow bbox and polygon around each precise point, every choice of
``format``-like parameters, other statuses, ``all``), request bodies for writes, and every same-site link found
in the responses (pages, next pages, export downloads). Fails if a precise coordinate (3 decimals), locality,
verbatim location or remark of a sensitive record appears in any body, header, file inside a zip, or log line.
"""
from __future__ import annotations

import collections
import enum
import gzip
import io
import itertools
import json
import logging
import math
import re
import typing
import zipfile
from urllib.parse import quote, urlencode, urljoin, urlparse

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel

from occurrences.api import create_app
from occurrences.settings import Settings
from occurrences.store import open_store

from .conftest import BACKENDS, fresh_db_url
from .sensitive_seed import SENSITIVE, points, secrets_of, seed

MAX_PER_ROUTE = 40
MAX_CRAWL = 400
ZOOMS = (3, 6, 9, 12, 15)
GENERIC_CHOICES = ["json", "geojson", "csv", "ndjson", "html", "zip", "dwca", "xlsx", "png", "svg", "pbf", "mvt",
                   "jsonld", "gpkg", "kml"]


@pytest.fixture(scope="module", params=BACKENDS)
def world(request, tmp_path_factory):
    with fresh_db_url(request.param, tmp_path_factory.mktemp("leaks")) as url:
        store = open_store(url)
        seeded = seed(store)
        app = create_app(Settings(db=url), store=store)
        empty = open_store(f"sqlite:///{tmp_path_factory.mktemp('leaks-empty') / 'empty.db'}")
        seeded["empty_app"] = create_app(Settings(db="sqlite://"), store=empty)
        yield app, seeded
        store.close()
        empty.close()


# -- route discovery ---------------------------------------------------------------------------------------
def discover_routes(app) -> list[tuple[str, set[str], object]]:
    """(path template, methods, route object) for every HTTP route, including routers included later."""
    found = []
    for r in app.routes:
        if hasattr(r, "effective_route_contexts"):  # FastAPI's lazily included routers
            for ctx in r.effective_route_contexts():
                route = ctx.original_route
                found.append((ctx.path or route.path, set(getattr(route, "methods", None) or ()), route))
        elif getattr(r, "methods", None):
            found.append((r.path, set(r.methods), r))
    return [(p, m, r) for p, m, r in found if not p.startswith(("/docs", "/redoc", "/static"))]


def choices(annotation) -> list:
    """Values a parameter may take when its type says so (Literal, Enum, booleans), through Optional/list."""
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return list(typing.get_args(annotation))
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return [m.value for m in annotation]
    if annotation is bool:
        return ["true"]
    out = []
    for arg in typing.get_args(annotation):
        out += [c for c in choices(arg) if c not in out]
    return out


def query_choices(route) -> dict[str, list]:
    dependant = getattr(route, "dependant", None)
    out = {}
    for field in getattr(dependant, "query_params", []) if dependant else []:
        values = choices(field.field_info.annotation)
        if values:
            out[field.alias or field.name] = values
    return out


def body_variants(route) -> list[dict]:
    dependant = getattr(route, "dependant", None)
    variants = [{}]
    for field in getattr(dependant, "body_params", []) if dependant else []:
        annotation = field.field_info.annotation
        model = next((a for a in (annotation, *typing.get_args(annotation))
                      if isinstance(a, type) and issubclass(a, BaseModel)), None)
        if model is not None:
            for name, f in model.model_fields.items():
                variants += [{name: v} for v in choices(f.annotation)]
        else:
            variants += [{field.alias or field.name: v} for v in choices(annotation)]
    return variants


def tile(lat: float, lon: float, z: int) -> tuple[int, int]:
    n = 2 ** z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def path_fills(template: str, seeded: dict) -> list[str]:
    names = re.findall(r"{(\w+)(?::\w+)?}", template)
    if not names:
        return [template]
    ids = ["sens-binturong-1", "sens-withheld-1", "sens-pending-1", seeded["bob_record"]]
    species = sorted({s[1] for s in SENSITIVE})
    generic = ids + species + ["occurrences"] + GENERIC_CHOICES
    candidates: dict[str, list] = {}
    for name in names:
        low = name.lower()
        if low in ("z", "x", "y"):
            continue
        if "id" in low or "occurrence" in low:
            candidates[name] = ids
        elif any(k in low for k in ("name", "species", "taxon", "slug")):
            candidates[name] = species
        elif any(k in low for k in ("format", "fmt", "ext", "f")):
            candidates[name] = GENERIC_CHOICES
        else:
            candidates[name] = generic
    combos = [dict(zip(candidates, values)) for values in itertools.product(*candidates.values())] or [{}]
    if {"z", "x", "y"} <= set(names):
        tiles = [dict(zip("zxy", (z, *tile(lat, lon, z)))) for _oid, lat, lon in points() for z in ZOOMS]
        combos = [{**c, **t} for c in combos for t in tiles]
    out = []
    for combo in combos[:MAX_PER_ROUTE * 4]:
        path = template
        for name, value in combo.items():
            path = re.sub(r"{" + name + r"(?::\w+)?}", quote(str(value), safe=""), path)
        out.append(path)
    return out


def query_variants(route) -> list[dict]:
    boxes, polygons = [], []
    for _oid, lat, lon in [points()[i] for i in (0, 2, 4)]:  # 0.1° cell, 0.2° cell, pending
        # ±0.002°: narrower than any generalisation cell, and the edges differ from the point at the 3rd decimal
        boxes.append(f"{lon - 0.002:.4f},{lat - 0.002:.4f},{lon + 0.002:.4f},{lat + 0.002:.4f}")
        x0, y0, x1, y1 = lon - 0.002, lat - 0.002, lon + 0.002, lat + 0.002
        polygons.append(f"POLYGON(({x0:.4f} {y0:.4f},{x1:.4f} {y0:.4f},{x1:.4f} {y1:.4f},{x0:.4f} {y1:.4f},{x0:.4f} {y0:.4f}))")
    variants = [{}, {"status": "pending|rejected"}, {"all": "true"}, {"f": "json"}, {"f": "html"}]
    variants += [{"bbox": b} for b in boxes] + [{"geometry": polygons[0]}]
    for name, values in query_choices(route).items():
        for v in values:
            variants += [{name: v}, {name: v, "bbox": boxes[0]}]
    return variants


# -- checking responses ------------------------------------------------------------------------------------
def texts_of(response) -> list[str]:
    """Everything a client receives: headers, body, and files inside zip/gzip bodies."""
    out = ["\n".join(f"{k}: {v}" for k, v in response.headers.items())]
    data = response.content
    if _is_drawing(response):  # numbers in SVG/PNG/tiles are pixel or tile units, not degrees: text only
        return out + [t for t in _strings(data)]
    out.append(data.decode("utf-8", errors="ignore"))
    if data[:2] == b"\x1f\x8b":
        out.append(gzip.decompress(data).decode("utf-8", errors="ignore"))
    if data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            out += [z.read(n).decode("utf-8", errors="ignore") for n in z.namelist()]
    return out


def _is_drawing(response) -> bool:
    kind = response.headers.get("content-type", "")
    return kind.startswith("image/") or "protobuf" in kind or "mapbox-vector-tile" in kind


def _strings(data: bytes) -> list[str]:
    """Words in a drawing (labels, titles): digits and punctuation dropped, so only text tokens are checked."""
    return [" ".join(re.findall(r"[A-Za-z]{4,}\w*", data.decode("utf-8", errors="ignore")))]


def links_in(response, base: str) -> list[str]:
    text = response.content.decode("utf-8", errors="ignore")
    found = re.findall(r'(?:href|action|src)="([^"]+)"', text)
    if "json" in response.headers.get("content-type", ""):
        found += re.findall(r'"(?:href|url|download|link)"\s*:\s*"([^"]+)"', text)
    if response.headers.get("location"):
        found.append(response.headers["location"])
    out = []
    for link in found:
        url = urljoin(base, link.replace("&amp;", "&"))
        parsed = urlparse(url)
        if parsed.netloc in ("", "testserver") and not parsed.path.startswith(("/static", "/docs", "/redoc")):
            # the language switcher repeats every page six times: same data, so one language is enough
            query = "&".join(p for p in parsed.query.split("&") if p and not p.startswith("lang="))
            out.append(parsed.path + (f"?{query}" if query else ""))
    return out


class Walker:
    def __init__(self, client: TestClient, who: str, secrets: list[str], empty: TestClient | None = None):
        self.client, self.who, self.secrets = client, who, secrets
        # The same app over an empty database: a string it also serves (a vertex of the province borders
        # that happens to equal a seeded coordinate) cannot have come from a record.
        self.empty = empty
        self.seen: set[tuple[str, str, str]] = set()
        self.leaks: list[str] = []
        self.queue: list[str] = []
        self.requests = 0
        self.drawings: collections.Counter = collections.Counter()

    def request(self, method: str, url: str, body=None) -> bool:
        """Send one request and check it; True when the answer was a drawing (image or tile)."""
        key = (method, url, json.dumps(body, sort_keys=True) if body is not None else "")
        path = urlparse(url).path
        if key in self.seen or self.drawings[path] >= 3:  # drawings are slow to make and checked for words only
            return False
        self.seen.add(key)
        self.requests += 1
        response = self.client.request(method, url, json=body, follow_redirects=False)
        found = [s for text in texts_of(response) for s in self.secrets if s in text]
        if found and method == "GET" and self.empty is not None:
            baseline = "\n".join(texts_of(self.empty.request(method, url, follow_redirects=False)))
            found = [s for s in found if s not in baseline]
        for secret in found:
            self.leaks.append(f"{self.who} {method} {url} {body or ''} -> {response.status_code}: {secret!r}")
        self.queue += links_in(response, "http://testserver" + path)
        self.drawings[path] += _is_drawing(response)
        return _is_drawing(response)

    def crawl(self) -> None:
        done = 0
        while self.queue and done < MAX_CRAWL:
            url = self.queue.pop(0)
            if _other_species_drawing(url):
                continue
            if ("GET", url, "") not in self.seen:
                done += 1
                self.request("GET", url)


def _other_species_drawing(url: str) -> bool:
    """Maps of species without seeded sensitive records (linked from species lists) cost a second each and
    cannot show a seeded record: skip them."""
    path = urlparse(url).path
    if not path.endswith((".png", ".svg", ".pbf", ".mvt", ".jpg")):
        return False
    return not any(quote(name) in path or name in path for name in {s[1] for s in SENSITIVE})


def walk(app, seeded, who: str, headers: dict) -> Walker:
    client = TestClient(app, headers=headers, raise_server_exceptions=False)
    empty = TestClient(seeded["empty_app"], raise_server_exceptions=False)
    walker = Walker(client, who, secrets_of(), empty)
    routes = discover_routes(app)
    assert len(routes) > 10 and any(p == "/occurrences" for p, _m, _r in routes)
    for template, methods, route in routes:
        for path in path_fills(template, seeded)[:MAX_PER_ROUTE]:
            if "GET" in methods:
                variants = query_variants(route)
                if walker.request("GET", path):  # a drawing: only its words are checked, a few variants do
                    variants = variants[:3]
                for params in variants:
                    walker.request("GET", path + ("?" + urlencode(params) if params else ""))
            for method in sorted(methods - {"GET", "HEAD", "OPTIONS"}):
                if seeded["bob_record"] in path:
                    continue  # bob's own record: changing it is allowed and not what this test is about
                for body in body_variants(route):
                    walker.request(method, path, body)
    walker.crawl()
    walker.crawl()  # links found late (e.g. export downloads that became ready)
    return walker


@pytest.mark.parametrize("who", ["anonymous", "other-submitter"])
def test_no_response_reveals_a_sensitive_record(world, who, caplog):
    app, seeded = world
    headers = {} if who == "anonymous" else {"Authorization": f"Bearer {seeded['tokens']['bob']}"}
    caplog.set_level(logging.DEBUG)
    for noisy in ("httpx", "httpcore", "asyncio"):  # the test client's own request lines
        caplog.set_level(logging.WARNING, logger=noisy)
    walker = walk(app, seeded, who, headers)
    assert walker.requests > 200, walker.requests
    assert not walker.leaks, "\n".join(walker.leaks[:30])
    logged = "\n".join(r.getMessage() + " " + json.dumps(getattr(r, "__dict__", {}), default=str)
                       for r in caplog.records)
    leaked = [s for s in secrets_of() if s in logged]
    assert not leaked, f"log lines reveal {leaked}"


@pytest.mark.parametrize("who", ["anonymous", "other-submitter", "reviewer"])
def test_tiles_put_sensitive_records_only_where_the_reader_sees_them(world, who):
    """The walk reads only the words of a tile (its numbers are pixels), so here the tiles around each sensitive
    record, at its precise and at its visible position, are decoded: the record's point is where
    GET /occurrences/{id} puts it for the same reader (generalised, or nowhere), and no point sits on a precise
    location. Above zoom 8 the PostGIS store encodes tiles itself (ST_AsMVT), so both encoders are covered. The
    reviewer, who may see everything, is the control: the same check finds the precise points."""
    import mapbox_vector_tile
    import numpy as np

    from occurrences.maps.tiles import TileGrid

    app, seeded = world
    token = {"anonymous": None, "other-submitter": "bob", "reviewer": "rita"}[who]
    client = TestClient(app, headers={"Authorization": f"Bearer {seeded['tokens'][token]}"} if token else {})
    statuses = {oid: status for oid, _n, _l, status, _lat, _lon in SENSITIVE}
    for oid, lat, lon in points():
        answer = client.get(f"/occurrences/{quote(oid)}")
        geometry = answer.json()["geometry"] if answer.status_code == 200 else None
        visible = geometry["coordinates"] if geometry and statuses[oid] == "accepted" else None  # tiles: accepted
        if who == "reviewer" and statuses[oid] == "accepted":
            assert visible == [lon, lat]
        for z in ZOOMS[1:]:  # from zoom 6 on, the seed's tiles are points
            for at_lon, at_lat in [(lon, lat)] + ([tuple(visible)] if visible else []):
                x, y = tile(at_lat, at_lon, z)
                layers = mapbox_vector_tile.decode(client.get(f"/tiles/{z}/{x}/{y}.mvt").content,
                                                   default_options={"y_coord_down": True})
                assert "grid" not in layers or not layers["grid"]["features"], "seed too large for point tiles"
                found = layers.get("points", {"features": []})["features"]
                mine = [f["geometry"]["coordinates"] for f in found if f["properties"]["id"] == oid]
                grid = TileGrid(z, x, y)
                expected = []
                if visible:
                    px, py = grid.pixels(np.array([visible[0]]), np.array([visible[1]]))
                    expected = [[round(px[0]), round(py[0])]] if 0 <= px[0] < 4096 and 0 <= py[0] < 4096 else []
                assert mine == expected, (who, oid, z, x, y)
                if who != "reviewer":
                    px, py = grid.pixels(np.array([lon]), np.array([lat]))
                    assert not [f for f in found if abs(f["geometry"]["coordinates"][0] - px[0]) <= 2
                                and abs(f["geometry"]["coordinates"][1] - py[0]) <= 2], (who, oid, z)


def test_the_walk_would_notice_a_leak(world):
    """The detector itself works: a reviewer (allowed to see everything) does get the precise values."""
    app, seeded = world
    client = TestClient(app, headers={"Authorization": f"Bearer {seeded['tokens']['rita']}"})
    walker = Walker(client, "reviewer", secrets_of())
    walker.request("GET", "/occurrences/sens-binturong-1")
    walker.request("GET", "/occurrences?status=pending&format=csv")
    assert any("14.739" in leak for leak in walker.leaks)
    assert any("LEAKREMSENSPENDING1" in leak for leak in walker.leaks)


def test_discovery_fills_path_parameters_from_seeded_data(world):
    app, seeded = world
    paths = [p for t, _m, _r in discover_routes(app) for p in path_fills(t, seeded)]
    assert "/occurrences/sens-binturong-1" in paths
    assert "/occurrences/sens-withheld-1/history" in paths
