"""Mapbox Vector Tiles of occurrences: a density grid where records are many, the points themselves where few.

A tile ``z/x/y`` (Web Mercator, XYZ numbering) is split into ``GRID_CELLS`` × ``GRID_CELLS`` cells; the store
counts records per cell in SQL (only occupied cells leave the database). When the tile holds few records
(≤ ``POINT_LIMIT``) at a zoom where single points are meaningful, the points are sent instead, with the
attributes the map colours by and the id it fetches on click. Coordinates are read through the store with the
caller's ``Filters.access``, so sensitive records appear only at their generalised position.

Low zooms (≤ ``PYRAMID_ZOOM``) cover many records per tile, and on SQLite a species' rows are spread over the
whole file: counting them costs one pass over the table (≈1 s at 1 M records). So the counts of each filter set
are taken once, on the global grid of zoom ``PYRAMID_ZOOM``, kept in memory, and every lower-zoom tile is summed
from them (cells nest: a cell at zoom z is 2^(8-z) × 2^(8-z) cells at zoom 8). Each entry remembers the store's
change counter (``store.changes()``, held in the database) and is rebuilt once it moved, so every server process
(and machine) serves a write from its next tile on; entries older than ``CACHE_SECONDS`` are dropped.

Above ``PYRAMID_ZOOM`` a store with a ``mvt`` method (PostGIS: ``ST_AsMVT``) encodes the tile itself: the same
features, in one round trip and without encoding in Python (faster there, see README "PostgreSQL + PostGIS").

Layers: ``grid`` (polygons; ``count``, ``min_year``, ``max_year``) or ``points`` (``id``, ``basis``, ``year``).
"""
from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, fields

import numpy as np
import shapely

from ..errors import InvalidParameter
from ..i18n import N_
from ..store.filters import presences_unless_asked
from .points import mapped_columns

EXTENT = 4096
GRID_CELLS = 32
POINT_LIMIT = 1000
POINT_MIN_ZOOM = 5
MAX_ZOOM = 18
MAX_LAT = 85.0511287798066
PYRAMID_ZOOM = 8
CACHE_SECONDS = 600.0
POINT_COLUMNS = ("occurrenceID", "decimalLongitude", "decimalLatitude", "basisOfRecord", "year")


@dataclass(frozen=True)
class TileGrid:
    """Tile ``z/x/y`` and its ``n``×``n`` cell grid: ``gx = (lon - west) * kx``, ``gy = (y_top - merc(lat)) * ky``
    with ``merc(lat) = ln(tan(π/4 + lat·π/360))``."""

    z: int
    x: int
    y: int
    n: int = GRID_CELLS

    @property
    def west(self) -> float:
        return self.x / 2 ** self.z * 360.0 - 180.0

    @property
    def east(self) -> float:
        return (self.x + 1) / 2 ** self.z * 360.0 - 180.0

    @property
    def y_top(self) -> float:
        return math.pi * (1 - 2 * self.y / 2 ** self.z)

    @property
    def y_bottom(self) -> float:
        return math.pi * (1 - 2 * (self.y + 1) / 2 ** self.z)

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return (self.west, _lat(self.y_bottom), self.east, _lat(self.y_top))

    @property
    def kx(self) -> float:
        return self.n / (self.east - self.west)

    @property
    def ky(self) -> float:
        return self.n / (self.y_top - self.y_bottom)

    def pixels(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Tile coordinates (0..EXTENT, y down) of points."""
        merc = np.log(np.tan(math.pi / 4 + np.radians(np.clip(lat, -MAX_LAT, MAX_LAT)) / 2))
        px = (lon - self.west) / (self.east - self.west) * EXTENT
        py = (self.y_top - merc) / (self.y_top - self.y_bottom) * EXTENT
        return px, py


def check_tile(z: int, x: int, y: int) -> TileGrid:
    if not 0 <= z <= MAX_ZOOM:
        raise InvalidParameter(name="z", value=z, reason=N_("use a zoom level from 0 to 18"))
    for name, value in (("x", x), ("y", y)):
        if not 0 <= value < 2 ** z:
            raise InvalidParameter(name=name, value=value, reason=N_("use a tile number from 0 to 2^z - 1"))
    return TileGrid(z, x, y)


def tile_layers(store, filters, z: int, x: int, y: int, pyramid: bool = True) -> dict[str, list[dict]]:
    """The tile's features as ``{"grid": [...]}`` or ``{"points": [...]}`` (geometries in tile pixels).
    ``pyramid=False`` counts low-zoom tiles in SQL too (the benchmark compares the store's own tiles with these:
    the pyramid gives a record on the border of two tiles to one of them, the SQL bbox to both)."""
    grid = check_tile(z, x, y)
    filters = presences_unless_asked(filters)
    if z <= PYRAMID_ZOOM and pyramid:
        cells = _PYRAMID.cells(store, filters, grid)
    else:
        cells = np.array(store.grid_counts(filters, grid), dtype="float64").reshape(-1, 5)
    total = int(cells[:, 2].sum()) if len(cells) else 0
    if total and z >= POINT_MIN_ZOOM and total <= POINT_LIMIT:
        return {"points": _point_features(store, filters, grid)}
    return {"grid": _grid_features(cells, grid)}


def tile_mvt(store, filters, z: int, x: int, y: int) -> bytes:
    grid = check_tile(z, x, y)
    filters = presences_unless_asked(filters)
    # Above the pyramid every tile is counted in SQL anyway. A store that encodes the tile itself (PostGIS:
    # ST_AsMVT) gives the same features in one round trip, with no encoding in Python (benchmarks/bench_maps.py
    # --postgis measures both).
    encode = getattr(store, "mvt", None)
    if encode is not None and z > PYRAMID_ZOOM:
        return encode(filters, grid, EXTENT, POINT_LIMIT if z >= POINT_MIN_ZOOM else 0)
    return encode_mvt(tile_layers(store, filters, z, x, y))


def encode_mvt(layers: dict[str, list[dict]]) -> bytes:
    """Layers from :func:`tile_layers` as a Mapbox Vector Tile."""
    import mapbox_vector_tile

    layers = [{"name": name, "features": feats} for name, feats in layers.items()]
    # Geometries are built in tile pixels with y down and exterior rings already oriented, so the encoder's
    # (slow, per-feature) winding check is not needed.
    return mapbox_vector_tile.encode(layers, default_options={"extents": EXTENT, "y_coord_down": True,
                                                              "check_winding_order": False})


def tile_content(data: bytes) -> dict[str, list]:
    """A tile's features, comparable whatever encoded them: per non-empty layer, the sorted (normalised geometry,
    exterior ring counter-clockwise in x/y, properties) of its features. Feature order and ring start may differ
    between encoders; the winding may not (it tells MVT readers which ring is the outside)."""
    import mapbox_vector_tile
    from shapely.geometry import shape

    def key(f):
        g = shape(f["geometry"])
        ccw = bool(shapely.is_ccw(g.exterior)) if g.geom_type == "Polygon" else None
        return shapely.normalize(g).wkt, ccw, sorted(f["properties"].items())

    layers = mapbox_vector_tile.decode(data, default_options={"y_coord_down": True})
    return {name: sorted(key(f) for f in layer["features"]) for name, layer in layers.items() if layer["features"]}


def _grid_features(cells: np.ndarray, grid: TileGrid) -> list[dict]:
    if not len(cells):
        return []
    gx = np.clip(cells[:, 0], 0, grid.n - 1)
    gy = np.clip(cells[:, 1], 0, grid.n - 1)
    size = EXTENT / grid.n
    boxes = shapely.box(gx * size, gy * size, (gx + 1) * size, (gy + 1) * size)
    return [{"geometry": box, "properties": {"count": int(n), "min_year": int(y0), "max_year": int(y1)}}
            for box, n, y0, y1 in zip(boxes, cells[:, 2], np.nan_to_num(cells[:, 3]), np.nan_to_num(cells[:, 4]))]


def _point_features(store, filters, grid: TileGrid) -> list[dict]:
    cols = mapped_columns(store, filters.replace(bbox=grid.bbox), POINT_COLUMNS, limit=POINT_LIMIT)
    px, py = grid.pixels(cols["decimalLongitude"], cols["decimalLatitude"])
    points = shapely.points(np.round(px), np.round(py))
    return [{"geometry": p, "properties": {"id": oid, "basis": basis, "year": int(year)}}
            for p, oid, basis, year in zip(points, cols["occurrenceID"], cols["basisOfRecord"], cols["year"])]


class _Pyramid:
    """Per filter set: record counts on the global cell grid of zoom ``PYRAMID_ZOOM``, for ``CACHE_SECONDS``."""

    def __init__(self):
        self._lock = threading.Lock()
        self._entries: dict[tuple, tuple[float, np.ndarray]] = {}

    def cells(self, store, filters, grid: TileGrid) -> np.ndarray:
        """(gx, gy, count, min year, max year) of ``grid``'s occupied cells, summed from the fine grid."""
        fine = self._fine(store, filters)
        shift = PYRAMID_ZOOM - grid.z
        gx, gy = fine[:, 0].astype("int64") >> shift, fine[:, 1].astype("int64") >> shift
        inside = (gx // grid.n == grid.x) & (gy // grid.n == grid.y)
        if not inside.any():
            return np.empty((0, 5))
        key = (gx[inside] % grid.n) * grid.n + gy[inside] % grid.n
        order = np.argsort(key, kind="stable")
        key, rows = key[order], fine[inside][order]
        starts = np.flatnonzero(np.concatenate([[True], key[1:] != key[:-1]]))
        return np.column_stack([key[starts] // grid.n, key[starts] % grid.n, np.add.reduceat(rows[:, 2], starts),
                                np.minimum.reduceat(rows[:, 3], starts), np.maximum.reduceat(rows[:, 4], starts)])

    def _fine(self, store, filters) -> np.ndarray:
        key = (id(store), getattr(store, "url", ""), _filters_key(filters))
        stamp = _stamp(store)  # read before counting: a write committed meanwhile moves it past this entry
        entry = self._entries.get(key)
        if entry and entry[1] == stamp and entry[0] > time.monotonic():
            return entry[2]
        with self._lock:  # one heavy count at a time; a second caller waiting for the same key reuses it
            entry = self._entries.get(key)
            if entry and entry[1] == stamp and entry[0] > time.monotonic():
                return entry[2]
            world = TileGrid(0, 0, 0, n=GRID_CELLS * 2 ** PYRAMID_ZOOM)
            fine = np.array(store.grid_counts(filters.replace(bbox=None), world), dtype="float64").reshape(-1, 5)
            fine[:, :2] = np.clip(fine[:, :2], 0, world.n - 1)
            self._entries = {k: v for k, v in self._entries.items() if v[0] > time.monotonic()}
            self._entries[key] = (time.monotonic() + CACHE_SECONDS, stamp, fine)
            return fine


def _stamp(store):
    """The store's change counter; a store without one (a test double) is taken as unchanged for
    CACHE_SECONDS."""
    changes = getattr(store, "changes", None)
    return changes() if changes is not None else None


def _filters_key(filters) -> tuple:
    """Everything in ``filters`` that changes which records are counted (not paging or the tile's bbox)."""
    import shapely as _shapely

    out = []
    for f in fields(filters):
        if f.name in ("bbox", "limit", "cursor", "sort"):
            continue
        value = getattr(filters, f.name)
        if f.name == "geometry" and value is not None:
            value = _shapely.to_wkb(value)
        out.append((f.name, repr(value) if not isinstance(value, bytes) else value))
    return tuple(out)


_PYRAMID = _Pyramid()


def _lat(merc_y: float) -> float:
    return math.degrees(math.atan(math.sinh(merc_y)))
