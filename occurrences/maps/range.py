"""Red List range figures: extent of occurrence (EOO) and area of occupancy (AOO), IUCN criteria B1/B2.

Method (IUCN Red List Guidelines v16, section 4.9 and 4.10):

* **EOO** is the area of the minimum convex polygon around the records, computed in a Lambert azimuthal
  equal-area projection centred on the records (so the area is true and distortion of the hull's edges stays
  small). With fewer than three distinct points, or all points on a line, the polygon has no area: EOO is 0.
  As the Guidelines ask, an EOO smaller than the AOO is raised to the AOO (``eoo_raised_to_aoo`` says so).
* **AOO** is the number of occupied 2 km × 2 km cells × 4 km². The grid is fixed, so the same records always
  give the same AOO: cells are 2000 m squares of the global equal-area projection EPSG:6933 (WGS 84 / NSIDC
  EASE-Grid 2.0 Global), with the grid origin at that projection's origin (0° E on the equator, x = y = 0).
* Only records that pass review and carry no geospatial quality flag count (``hasGeospatialIssue=false`` on the
  store's public view).
"""
from __future__ import annotations

import threading
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone

import numpy as np
import shapely
from pyproj import CRS, Transformer

from ..i18n import N_

AOO_CELL_M = 2000.0
AOO_CRS = "EPSG:6933"
# IUCN criterion B thresholds (km²), strictest first.
EOO_THRESHOLDS = (("CR", 100.0), ("EN", 5000.0), ("VU", 20000.0))
AOO_THRESHOLDS = (("CR", 10.0), ("EN", 500.0), ("VU", 2000.0))
METHOD = N_("EOO: minimum convex polygon in a Lambert azimuthal equal-area projection centred on the records; "
            "AOO: occupied 2 km × 2 km cells of EPSG:6933 (grid origin at x=0, y=0: 0° E on the equator) × 4 km²; "
            "records without geospatial issues only; IUCN Red List Guidelines criteria B1 and B2.")


@dataclass
class RangeFigures:
    eoo_km2: float
    aoo_km2: float
    records_used: int
    distinct_points: int
    occupied_cells: int
    eoo_category: str | None  # "CR", "EN", "VU" or None (above the B1 thresholds)
    aoo_category: str | None
    eoo_raised_to_aoo: bool
    hull_km2: float  # the convex polygon's own area, before raising to the AOO
    method: str = METHOD
    grid: dict = field(default_factory=lambda: {"crs": AOO_CRS, "cell_m": AOO_CELL_M, "origin": [0.0, 0.0]})
    computed_at: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


def threshold_category(value_km2: float, thresholds) -> str | None:
    """The strictest IUCN category whose threshold ``value_km2`` is below (``<``), or None."""
    for category, limit in thresholds:
        if value_km2 < limit:
            return category
    return None


def hull_area_km2(lon, lat) -> float:
    """Area of the convex hull of the points, in km², in an equal-area projection centred on them."""
    lon, lat = _finite(lon, lat)
    if lon.size < 3:
        return 0.0
    lon0, lat0 = _centre(lon, lat)
    laea = CRS.from_proj4(f"+proj=laea +lat_0={lat0} +lon_0={lon0} +datum=WGS84 +units=m")
    x, y = Transformer.from_crs("EPSG:4326", laea, always_xy=True).transform(lon, lat)
    # The hull of a line through all points is the hull of the points; one GEOS geometry instead of n Points.
    hull = shapely.convex_hull(shapely.linestrings(np.column_stack([x, y])))
    return float(shapely.area(hull)) / 1e6  # 0 for fewer than 3 distinct or collinear points


def occupied_cells(lon, lat) -> np.ndarray:
    """(column, row) of each occupied AOO cell, one row per cell."""
    lon, lat = _finite(lon, lat)
    if lon.size == 0:
        return np.empty((0, 2), dtype="int64")
    x, y = _to_aoo_crs().transform(lon, lat)
    col = np.floor(x / AOO_CELL_M).astype("int64")
    row = np.floor(y / AOO_CELL_M).astype("int64")
    # One int64 key per cell (|col|, |row| < 2^31 on Earth) makes unique a plain sort, 10× faster than axis=0.
    keys = _sorted_unique((col << 32) + (row + (1 << 31)))
    return np.column_stack([keys >> 32, (keys & 0xFFFFFFFF) - (1 << 31)])


def range_figures(lon, lat) -> RangeFigures:
    """EOO, AOO and their criterion B categories for arrays of WGS84 coordinates."""
    lon, lat = _finite(lon, lat)
    cells = occupied_cells(lon, lat)
    aoo = float(len(cells)) * (AOO_CELL_M / 1000.0) ** 2
    hull = hull_area_km2(lon, lat)
    eoo = max(hull, aoo)
    return RangeFigures(
        eoo_km2=round(eoo, 3), aoo_km2=aoo, records_used=int(lon.size),
        distinct_points=_count_distinct(lon, lat),
        occupied_cells=int(len(cells)), eoo_category=threshold_category(eoo, EOO_THRESHOLDS),
        aoo_category=threshold_category(aoo, AOO_THRESHOLDS), eoo_raised_to_aoo=hull < aoo,
        hull_km2=round(hull, 3), computed_at=datetime.now(timezone.utc).replace(microsecond=0).isoformat())


def range_for(store, filters) -> RangeFigures:
    """Range figures of the records matching ``filters`` that count for a Red List assessment."""
    from .points import mapped_columns

    from ..store.filters import presences_unless_asked

    usable = presences_unless_asked(filters).replace(hasGeospatialIssue=False)
    cols = mapped_columns(store, usable, ("decimalLongitude", "decimalLatitude"))
    return range_figures(cols["decimalLongitude"], cols["decimalLatitude"])


def _finite(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    lon = np.asarray(lon, dtype="float64")
    lat = np.asarray(lat, dtype="float64")
    ok = np.isfinite(lon) & np.isfinite(lat)
    return lon[ok], lat[ok]


def _count_distinct(lon: np.ndarray, lat: np.ndarray) -> int:
    if lon.size == 0:
        return 0
    order = np.lexsort((lat, lon))
    lon, lat = lon[order], lat[order]
    return 1 + int(np.count_nonzero((np.diff(lon) != 0) | (np.diff(lat) != 0)))


def _sorted_unique(keys: np.ndarray) -> np.ndarray:
    """np.unique by sorting (numpy 2's hash-based unique was 5× slower on 100 k int64 here)."""
    keys = np.sort(keys)
    return keys[np.concatenate([[True], keys[1:] != keys[:-1]])] if keys.size else keys


def _centre(lon: np.ndarray, lat: np.ndarray) -> tuple[float, float]:
    """Centre of the points' bounding box (good enough for a projection centre; robust to clusters)."""
    return float((lon.min() + lon.max()) / 2), float((lat.min() + lat.max()) / 2)


_local = threading.local()  # pyproj transformers must not be shared between threads


def _to_aoo_crs() -> Transformer:
    if getattr(_local, "aoo", None) is None:
        _local.aoo = Transformer.from_crs("EPSG:4326", AOO_CRS, always_xy=True)
    return _local.aoo
