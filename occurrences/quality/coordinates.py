"""Coordinate checks that need no map: missing, invalid, out of range, zero, equal, whole degrees, uncertainty."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd

from . import definitions as d
from .result import FlagSet

LAT, LON = "decimalLatitude", "decimalLongitude"


def to_float(raw: Sequence) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Numbers, blank mask and unreadable mask. Text is parsed once per distinct value."""
    arr = np.asarray(raw) if not isinstance(raw, np.ndarray) else raw
    if arr.dtype.kind in "fiu":
        values = arr.astype(np.float64, copy=False)
        return values, np.isnan(values), np.isinf(values)
    codes, uniques = pd.factorize(pd.Series(arr, dtype=object), use_na_sentinel=True)
    parsed = np.array([_parse_number(u) for u in uniques], np.float64)
    blank_u = np.array([_is_blank(u) for u in uniques], bool)
    values = np.where(codes >= 0, parsed[codes] if len(parsed) else np.nan, np.nan)
    blank = (codes < 0) | (blank_u[codes] if len(blank_u) else False)
    return values, blank, ~blank & ~np.isfinite(values)


def _is_blank(value) -> bool:
    return value is None or (isinstance(value, float) and value != value) or (isinstance(value, str) and not value.strip())


def _parse_number(value) -> float:
    if _is_blank(value) or isinstance(value, bool):
        return np.nan
    try:
        return float(value.strip() if isinstance(value, str) else value)
    except (TypeError, ValueError):
        return np.nan


@dataclass
class Coordinates:
    raw_lat: np.ndarray
    raw_lon: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    blank_lat: np.ndarray
    blank_lon: np.ndarray
    bad_lat: np.ndarray
    bad_lon: np.ndarray

    @classmethod
    def parse(cls, raw_lat: Sequence, raw_lon: Sequence) -> Coordinates:
        lat, blank_lat, bad_lat = to_float(raw_lat)
        lon, blank_lon, bad_lon = to_float(raw_lon)
        return cls(np.asarray(raw_lat, object), np.asarray(raw_lon, object), lat, lon, blank_lat, blank_lon,
                   bad_lat, bad_lon)

    @property
    def finite(self) -> np.ndarray:
        return np.isfinite(self.lat) & np.isfinite(self.lon)

    @property
    def out_lat(self) -> np.ndarray:
        return np.isfinite(self.lat) & (np.abs(self.lat) > 90)

    @property
    def out_lon(self) -> np.ndarray:
        return np.isfinite(self.lon) & (np.abs(self.lon) > 180)

    @property
    def zero(self) -> np.ndarray:
        with np.errstate(invalid="ignore"):
            return self.finite & ((self.lat == 0) | (self.lon == 0) | (np.hypot(self.lat, self.lon) <= d.ZERO_RADIUS_DEG))

    @property
    def usable(self) -> np.ndarray:
        """Both numbers, in range, not zero: these are placed on the map and checked against countries."""
        return self.finite & ~self.out_lat & ~self.out_lon & ~self.zero


def basic_flags(c: Coordinates) -> list[FlagSet]:
    """Missing, incomplete, unreadable, zero, |lat| == |lon|, whole degrees. Out of range is decided later,
    when a swapped or negated reading may explain it."""
    sets = [FlagSet(d.COORDINATE_MISSING, LAT, np.flatnonzero(c.blank_lat & c.blank_lon))]
    for field, blank, other_blank in ((LAT, c.blank_lat, c.blank_lon), (LON, c.blank_lon, c.blank_lat)):
        sets.append(FlagSet(d.COORDINATE_INCOMPLETE, field, np.flatnonzero(blank & ~other_blank)))
    for field, bad, raw in ((LAT, c.bad_lat, c.raw_lat), (LON, c.bad_lon, c.raw_lon)):
        idx = np.flatnonzero(bad)
        sets.append(FlagSet(d.COORDINATE_INVALID, field, idx, raw[idx]))
    idx = np.flatnonzero(c.zero & ~c.out_lat & ~c.out_lon)
    sets.append(_pair_set(d.ZERO_COORDINATE, c, idx))
    usable = c.usable
    idx = np.flatnonzero(usable & (np.abs(c.lat) == np.abs(c.lon)))
    sets.append(_pair_set(d.EQUAL_COORDINATES, c, idx))
    idx = np.flatnonzero(usable & (c.lat == np.round(c.lat)) & (c.lon == np.round(c.lon)))
    sets.append(_pair_set(d.COORDINATE_PRECISION_LOW, c, idx))
    return sets


def out_of_range_flags(c: Coordinates, explained: np.ndarray) -> list[FlagSet]:
    """COORDINATE_OUT_OF_RANGE, except on rows a presumed swap or negation already explains."""
    sets = []
    for field, out, raw in ((LAT, c.out_lat, c.raw_lat), (LON, c.out_lon, c.raw_lon)):
        idx = np.flatnonzero(out & ~explained)
        sets.append(FlagSet(d.COORDINATE_OUT_OF_RANGE, field, idx, raw[idx]))
    return sets


def _pair_set(code: str, c: Coordinates, idx: np.ndarray, field: str = LAT) -> FlagSet:
    return FlagSet(code, field, idx, c.raw_lat[idx], {"lat": c.lat[idx], "lon": c.lon[idx]})


def uncertainty_flags(raw: Sequence) -> list[FlagSet]:
    values, blank, bad = to_float(raw)
    with np.errstate(invalid="ignore"):
        implausible = bad | (~blank & ((values <= 0) | (values > d.UNCERTAINTY_MAX_M)))
    idx = np.flatnonzero(implausible)
    raw = np.asarray(raw, object)
    return [FlagSet(d.COORDINATE_UNCERTAINTY_METERS_INVALID, "coordinateUncertaintyInMeters", idx, raw[idx],
                    {"maximum": np.full(len(idx), int(d.UNCERTAINTY_MAX_M))})]
