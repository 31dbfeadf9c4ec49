"""Regional geodetic datums → WGS84 with PROJ (pyproj), and UTM positions on any of them.

The transformation is PROJ's own choice for the region (its best operation whose area of use covers mainland
Southeast Asia), never the "ballpark" no-op PROJ falls back to outside an operation's area. All operations
used are Helmert parameter sets from PROJ's bundled database, so nothing is downloaded (network disabled).
"""
from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
import pyproj
from pyproj.aoi import AreaOfInterest
from pyproj.crs import ProjectedCRS
from pyproj.crs.coordinate_operation import UTMConversion
from pyproj.transformer import TransformerGroup

WGS84 = 4326
# EPSG geographic CRS codes (checked against PROJ's database: CRS.from_epsg(code).name).
DATUMS: dict[str, int] = {
    "wgs84": 4326, "wgs1984": 4326, "epsg4326": 4326, "gps": 4326,
    "indian1954": 4239, "indian1960": 4131, "indian1975": 4240,
    "kalianpur1937": 4144, "kalianpur1962": 4145, "kalianpur1975": 4146,
    "vn2000": 4756, "vietnam2000": 4756,
}
DATUM_NAMES = {4326: "WGS84", 4239: "Indian 1954", 4131: "Indian 1960", 4240: "Indian 1975",
               4144: "Kalianpur 1937", 4145: "Kalianpur 1962", 4146: "Kalianpur 1975", 4756: "VN-2000"}
REGION = AreaOfInterest(92.0, 5.0, 110.0, 29.0)  # mainland Southeast Asia, west/south/east/north


def datum_code(text: str | None) -> int | None:
    """'Indian 1975', 'EPSG:4240', 'VN-2000', 'wgs 84' → EPSG code; None for unknown; 4326 for empty."""
    if text is None or not str(text).strip():
        return WGS84
    key = re.sub(r"[^0-9a-z]", "", str(text).casefold())
    if key in DATUMS:
        return DATUMS[key]
    m = re.fullmatch(r"(?:epsg)?(\d{4,5})", key)
    if m and int(m[1]) in DATUM_NAMES:
        return int(m[1])
    return None


@lru_cache(maxsize=None)
def _to_wgs84(epsg: int) -> pyproj.Transformer | None:
    pyproj.network.set_network_enabled(False)
    group = TransformerGroup(pyproj.CRS.from_epsg(epsg), pyproj.CRS.from_epsg(WGS84), always_xy=True,
                             area_of_interest=REGION)
    usable = [t for t in group.transformers if "ballpark" not in t.description.lower()]
    return usable[0] if usable else None


def to_wgs84(lon: np.ndarray, lat: np.ndarray, epsg: int) -> tuple[np.ndarray, np.ndarray, bool]:
    """Arrays in datum ``epsg`` → WGS84 arrays; ``ok`` False when PROJ has no real operation for it."""
    if epsg == WGS84:
        return lon, lat, True
    transformer = _to_wgs84(epsg)
    if transformer is None:
        return lon, lat, False
    x, y = transformer.transform(lon, lat, errcheck=False)
    x, y = np.asarray(x, float), np.asarray(y, float)
    bad = ~np.isfinite(x) | ~np.isfinite(y)
    return np.where(bad, np.nan, x), np.where(bad, np.nan, y), True


def operation(epsg: int) -> str:
    """The PROJ operation used for ``epsg`` (documented in reports and tests)."""
    t = _to_wgs84(epsg)
    return t.description if t else ""


@lru_cache(maxsize=None)
def _utm_inverse(zone: int, south: bool, epsg: int) -> pyproj.Transformer:
    geographic = pyproj.CRS.from_epsg(epsg)
    projected = ProjectedCRS(conversion=UTMConversion(zone, "S" if south else "N"), geodetic_crs=geographic)
    return pyproj.Transformer.from_crs(projected, geographic, always_xy=True)


def utm_to_geographic(zone: int, south: bool, easting, northing, epsg: int):
    """UTM on datum ``epsg`` → (lon, lat) on the same datum (the datum step is separate). Scalars give floats,
    arrays give arrays (one PROJ call for all of them); positions PROJ cannot invert come back as inf."""
    x, y = _utm_inverse(zone, south, epsg).transform(easting, northing)
    if np.ndim(x) == 0:
        return float(x), float(y)
    return np.asarray(x, float), np.asarray(y, float)
