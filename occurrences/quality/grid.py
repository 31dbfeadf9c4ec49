"""Point-in-country lookup grid: the fast path for "which country is this point in?".

Every cell of a regular lon/lat grid is classified once: wholly inside one country, wholly outside all
countries, or crossed by a border or coastline. A point in an inside/outside cell gets its answer from one array
lookup; only points in border cells are tested exactly (shapely ``contains_xy`` on prepared polygons, against
the few countries whose boundary crosses that cell). A fine grid covers the study region, a coarse one the rest of
the world, so the answer is exact everywhere and fast where the records are.

Cell values: ``>= 0`` country index (interior), ``-1`` no country, ``<= -2`` border cell number ``-(value + 2)``
into the CSR arrays ``offsets``/``candidates`` (the countries whose boundary crosses the cell).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely

NO_COUNTRY = -1
GRID_VERSION = 1
# The study region with a margin (Myanmar 92.2 E to Viet Nam 109.5 E, Malaysia to Yunnan); east of 111 E it
# would reach the Paracels and Spratlys, which belong to no ISO country in Natural Earth.
REGION_BBOX = (86.0, -1.0, 111.0, 31.0)
FINE_CELL_DEG = 0.025
COARSE_CELL_DEG = 1.0
_EDGE_EPS = 1e-9  # cell boxes are widened by this so a boundary on a cell edge marks both cells as border
CHUNK = 1 << 18  # points per lookup pass


@dataclass
class Grid:
    x0: float
    y0: float
    cell: float
    nx: int
    ny: int
    cells: np.ndarray  # int32, ny * nx, row-major (y, x)
    offsets: np.ndarray  # int64, n_border + 1
    candidates: np.ndarray  # int32

    @classmethod
    def build(cls, geometries: np.ndarray, bbox: tuple[float, float, float, float], cell: float,
              edges: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None) -> Grid:
        x0, y0 = bbox[0], bbox[1]
        nx = max(1, int(np.ceil((bbox[2] - x0) / cell)))
        ny = max(1, int(np.ceil((bbox[3] - y0) / cell)))
        grid = cls(x0, y0, cell, nx, ny, np.full(nx * ny, NO_COUNTRY, np.int32), np.zeros(1, np.int64),
                   np.zeros(0, np.int32))
        border_cells, owners = grid._border_pairs(edges or boundary_edges(geometries))
        labels = grid._centre_labels(geometries)
        grid._set_border(border_cells, owners, labels)
        return grid

    def _border_pairs(self, edges: tuple[np.ndarray, np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """(cell id, country index) for every cell a country's boundary passes through."""
        start, end, owner = edges
        inv = 1.0 / self.cell
        lo, hi = np.minimum(start, end), np.maximum(start, end)
        ix0 = np.floor((lo[:, 0] - self.x0) * inv - _EDGE_EPS).astype(np.int64)
        ix1 = np.floor((hi[:, 0] - self.x0) * inv + _EDGE_EPS).astype(np.int64)
        iy0 = np.floor((lo[:, 1] - self.y0) * inv - _EDGE_EPS).astype(np.int64)
        iy1 = np.floor((hi[:, 1] - self.y0) * inv + _EDGE_EPS).astype(np.int64)
        keep = (ix1 >= 0) & (ix0 < self.nx) & (iy1 >= 0) & (iy0 < self.ny)
        segments = shapely.linestrings(np.stack([start[keep], end[keep]], axis=1))
        owner = owner[keep]
        ix0, ix1 = np.clip(ix0[keep], 0, self.nx - 1), np.clip(ix1[keep], 0, self.nx - 1)
        iy0, iy1 = np.clip(iy0[keep], 0, self.ny - 1), np.clip(iy1[keep], 0, self.ny - 1)
        # Every (segment, cell) pair whose envelopes overlap, then the exact intersects test on those only.
        width = ix1 - ix0 + 1
        counts = width * (iy1 - iy0 + 1)
        seg = np.repeat(np.arange(len(segments)), counts)
        local = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        cx = ix0[seg] + local % width[seg]
        cy = iy0[seg] + local // width[seg]
        boxes = shapely.box(self.x0 + cx * self.cell - _EDGE_EPS, self.y0 + cy * self.cell - _EDGE_EPS,
                            self.x0 + (cx + 1) * self.cell + _EDGE_EPS, self.y0 + (cy + 1) * self.cell + _EDGE_EPS)
        hit = shapely.intersects(segments[seg], boxes)
        pairs = np.unique(np.stack([cy[hit] * self.nx + cx[hit], owner[seg[hit]]], axis=1), axis=0)
        return pairs[:, 0], pairs[:, 1].astype(np.int32)

    def _centre_labels(self, geometries: np.ndarray) -> np.ndarray:
        """Country containing each cell centre (lowest index wins if polygons overlap)."""
        ids = np.arange(self.nx * self.ny)
        cx = self.x0 + (ids % self.nx + 0.5) * self.cell
        cy = self.y0 + (ids // self.nx + 0.5) * self.cell
        b = shapely.bounds(geometries)
        near = np.flatnonzero((b[:, 2] >= self.x0) & (b[:, 0] <= self.x0 + self.nx * self.cell)
                              & (b[:, 3] >= self.y0) & (b[:, 1] <= self.y0 + self.ny * self.cell))
        labels = np.full(len(ids), NO_COUNTRY, np.int32)
        return assign_exact(geometries, cx, cy, labels, near)

    def _set_border(self, border_cells: np.ndarray, owners: np.ndarray, labels: np.ndarray) -> None:
        # A country covering a border cell's centre is a candidate too (matters only if polygons overlap).
        centre = labels[border_cells]
        extra = np.unique(np.stack([border_cells, centre], axis=1)[centre >= 0], axis=0)
        pairs = np.unique(np.concatenate([np.stack([border_cells, owners], axis=1), extra]), axis=0)
        cells, first = np.unique(pairs[:, 0], return_index=True)
        self.offsets = np.append(first, len(pairs)).astype(np.int64)
        self.candidates = pairs[:, 1].astype(np.int32)
        labels[cells] = -(np.arange(len(cells), dtype=np.int32) + 2)
        self.cells = labels

    def lookup(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Cell value per point and whether the grid covers the point (NaN is never covered)."""
        inv = 1.0 / self.cell
        # In-place arithmetic and int32 cell numbers: fewer and smaller temporaries on the hot path.
        fx = lon - self.x0
        fx *= inv
        fy = lat - self.y0
        fy *= inv
        with np.errstate(invalid="ignore"):
            covered = fx >= 0
            covered &= fx < self.nx
            covered &= fy >= 0
            covered &= fy < self.ny
            flat = fy.astype(np.int32)
            ix = fx.astype(np.int32)
        flat *= self.nx
        flat += ix
        if not covered.all():
            flat[~covered] = 0
        return self.cells.take(flat), covered

    def resolve_border(self, values: np.ndarray, lon: np.ndarray, lat: np.ndarray, geometries: np.ndarray) -> None:
        """Replace border-cell values in place by the exact answer."""
        border = np.flatnonzero(values <= -2)
        if not len(border):
            return
        k = -values[border].astype(np.int64) - 2
        starts = self.offsets[k]
        counts = self.offsets[k + 1] - starts
        point = np.repeat(np.arange(len(border)), counts)
        pos = np.repeat(starts - (np.cumsum(counts) - counts), counts) + np.arange(counts.sum())
        result = np.full(len(border), NO_COUNTRY, np.int32)
        px, py = lon[border], lat[border]
        values[border] = assign_exact(geometries, px, py, result, self.candidates[pos], point)

    def arrays(self, prefix: str) -> dict[str, np.ndarray]:
        meta = np.array([self.x0, self.y0, self.cell, self.nx, self.ny], np.float64)
        return {f"{prefix}_meta": meta, f"{prefix}_cells": self.cells, f"{prefix}_offsets": self.offsets,
                f"{prefix}_candidates": self.candidates}

    @classmethod
    def from_arrays(cls, data, prefix: str) -> Grid:
        x0, y0, cell, nx, ny = data[f"{prefix}_meta"]
        return cls(float(x0), float(y0), float(cell), int(nx), int(ny), data[f"{prefix}_cells"],
                   data[f"{prefix}_offsets"], data[f"{prefix}_candidates"])


def assign_exact(geometries: np.ndarray, x: np.ndarray, y: np.ndarray, result: np.ndarray,
                 candidates: np.ndarray, point: np.ndarray | None = None) -> np.ndarray:
    """Exact point-in-polygon for (point, candidate country) pairs; the lowest country index wins.

    Without ``point``, ``candidates`` lists the countries to try for every point.
    """
    if point is None:
        countries = candidates
        for c in countries:
            _assign(geometries[c], c, np.flatnonzero(result == NO_COUNTRY), x, y, result)
        return result
    order = np.argsort(candidates, kind="stable")
    sorted_c = candidates[order]
    countries, first = np.unique(sorted_c, return_index=True)
    bounds = np.append(first, len(sorted_c))
    for c, a, b in zip(countries, bounds[:-1], bounds[1:]):
        pts = point[order[a:b]]
        _assign(geometries[c], c, pts[result[pts] == NO_COUNTRY], x, y, result)
    return result


def _assign(geometry, country: int, idx: np.ndarray, x: np.ndarray, y: np.ndarray, result: np.ndarray) -> None:
    if not len(idx):
        return
    minx, miny, maxx, maxy = shapely.bounds(geometry)
    idx = idx[(x[idx] >= minx) & (x[idx] <= maxx) & (y[idx] >= miny) & (y[idx] <= maxy)]
    if len(idx):
        result[idx[shapely.contains_xy(geometry, x[idx], y[idx])]] = country


def boundary_edges(geometries: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every edge of every ring: start (n, 2), end (n, 2) and the index of its country."""
    parts, part_owner = shapely.get_parts(geometries, return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    coords, ring_idx = shapely.get_coordinates(rings, return_index=True)
    start = np.flatnonzero(ring_idx[:-1] == ring_idx[1:])
    return coords[start], coords[start + 1], part_owner[ring_part[ring_idx[start]]].astype(np.int32)


def boundary_segments(geometries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every edge of every ring as a two-point LineString, with the index of its country."""
    start, end, owner = boundary_edges(geometries)
    return shapely.linestrings(np.stack([start, end], axis=1)), owner


class Locator:
    """Which country each point falls in: fine grid, then coarse grid, exact tests on border cells."""

    def __init__(self, grids: list[Grid], geometries: np.ndarray):
        self.grids = grids
        self.geometries = geometries
        shapely.prepare(geometries)

    @classmethod
    def build(cls, geometries: np.ndarray) -> Locator:
        minx, miny, maxx, maxy = shapely.total_bounds(geometries)
        edges = boundary_edges(geometries)
        grids = []
        fine = (max(minx, REGION_BBOX[0]), max(miny, REGION_BBOX[1]),
                min(maxx, REGION_BBOX[2]), min(maxy, REGION_BBOX[3]))
        if fine[0] < fine[2] and fine[1] < fine[3]:
            grids.append(Grid.build(geometries, fine, FINE_CELL_DEG, edges))
        coarse = (np.floor(minx), np.floor(miny), np.ceil(maxx) + COARSE_CELL_DEG, np.ceil(maxy) + COARSE_CELL_DEG)
        grids.append(Grid.build(geometries, coarse, COARSE_CELL_DEG, edges))
        return cls(grids, geometries)

    def save(self, path: Path, digest: str) -> None:
        arrays = {"version": np.array([GRID_VERSION]), "digest": np.array([digest]),
                  "n_grids": np.array([len(self.grids)])}
        for i, grid in enumerate(self.grids):
            arrays.update(grid.arrays(f"g{i}"))
        tmp = path.with_name(f".{path.name}.{np.random.randint(1 << 30)}.tmp.npz")
        np.savez(tmp, **arrays)
        tmp.replace(path)  # atomic: a concurrent reader sees the old file or the new one, never half of it

    @classmethod
    def load(cls, path: Path, digest: str, geometries: np.ndarray) -> Locator | None:
        """The saved grid, or None if it is missing, stale or from another grid version."""
        try:
            with np.load(path) as data:
                if int(data["version"][0]) != GRID_VERSION or str(data["digest"][0]) != digest:
                    return None
                grids = [Grid.from_arrays(data, f"g{i}") for i in range(int(data["n_grids"][0]))]
        except (OSError, KeyError, ValueError):
            return None
        return cls(grids, geometries)

    def locate(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Country index per point; -1 for no country (sea, NaN)."""
        lon = np.asarray(lon, np.float64)
        lat = np.asarray(lat, np.float64)
        if len(lon) <= CHUNK:
            return self._locate(lon, lat)
        # Chunks keep the temporaries small enough to stay in cache and be reused, instead of page-faulting
        # fresh arrays the size of the whole input.
        out = np.empty(len(lon), np.int32)
        for start in range(0, len(lon), CHUNK):
            out[start:start + CHUNK] = self._locate(lon[start:start + CHUNK], lat[start:start + CHUNK])
        return out

    def _locate(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        result, covered = self.grids[0].lookup(lon, lat)
        self.grids[0].resolve_border(result, lon, lat, self.geometries)
        rest = np.flatnonzero(~covered)
        for grid in self.grids[1:]:
            if not len(rest):
                break
            values, covered = grid.lookup(lon[rest], lat[rest])
            grid.resolve_border(values, lon[rest], lat[rest], self.geometries)
            result[rest] = values
            result[rest[~covered]] = NO_COUNTRY
            rest = rest[~covered]
        if len(rest):
            result[rest] = NO_COUNTRY
        return result
