"""Probable duplicates: same taxon, same eventDate, same recorder, within 100 m; inside a batch and against
records already stored.

Vectorized with grid keys: points are put in 100 m cells of a local metric grid, so two points within 100 m
are in the same or a neighbouring cell. Joining (record key, cell) with the 3 × 3 neighbouring cells gives
the candidate pairs, and the exact distance decides.
"""
from __future__ import annotations

from typing import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from . import definitions as d
from .distance import haversine_km
from .result import FlagSet
from .vectors import clean_column

EXISTING_COLUMNS = ("scientificName", "eventDate", "decimalLatitude", "decimalLongitude", "recordedBy",
                    "occurrenceID")
_M_PER_DEG_LAT = 110_574.0
_M_PER_DEG_LON = 111_320.0


def keyed_points(taxon, event_date, lat, lon, recorder) -> pd.DataFrame:
    """One row per record that can be compared: key text, 100 m cell and coordinates; index = input position."""
    frame = pd.DataFrame({"taxon": clean_column(taxon, fold=True), "date": clean_column(event_date),
                          "recorder": clean_column(recorder, fold=True),
                          "lat": np.asarray(lat, np.float64), "lon": np.asarray(lon, np.float64)})
    ok = frame["taxon"].notna() & frame["date"].notna() & np.isfinite(frame["lat"]) & np.isfinite(frame["lon"])
    ok &= (frame["lat"].abs() <= 90) & (frame["lon"].abs() <= 180)
    frame = frame[ok]
    cell = d.DUPLICATE_RADIUS_M
    return pd.DataFrame({
        "key": frame["taxon"] + "\x1f" + frame["date"] + "\x1f" + frame["recorder"].fillna(""),
        "cx": np.floor(frame["lon"] * _M_PER_DEG_LON * np.cos(np.radians(frame["lat"])) / cell).astype(np.int64),
        "cy": np.floor(frame["lat"] * _M_PER_DEG_LAT / cell).astype(np.int64),
        "lat": frame["lat"], "lon": frame["lon"]}, index=frame.index)


def candidate_pairs(left: pd.DataFrame, right: pd.DataFrame) -> pd.DataFrame:
    """(i, j, metres) for left row i and right row j with the same key within the radius.

    Key text and cell are packed into one int64 per point; for each of the 3 × 3 neighbouring cells a
    binary search in the sorted right-hand keys gives the matching ranges.
    """
    keys, _ = pd.factorize(pd.concat([left["key"], right["key"]], ignore_index=True))
    lpacked = _pack(keys[:len(left)], left["cx"].to_numpy(), left["cy"].to_numpy())
    rpacked = _pack(keys[len(left):], right["cx"].to_numpy(), right["cy"].to_numpy())
    lorder = np.argsort(lpacked, kind="stable")
    rorder = np.argsort(rpacked, kind="stable")
    lsorted, rsorted = lpacked[lorder], rpacked[rorder]
    ii, jj = [], []
    for dx in (-1, 0, 1):
        for dy in (-1, 0, 1):
            # Shifting every cell by the same offset keeps the packed keys sorted: sorted needles search fast.
            needles = lsorted + ((dx << 21) + dy)
            lo = np.searchsorted(rsorted, needles, "left")
            counts = np.searchsorted(rsorted, needles, "right") - lo
            ii.append(np.repeat(lorder, counts))
            jj.append(rorder[np.repeat(lo - (np.cumsum(counts) - counts), counts) + np.arange(counts.sum())])
    i, j = np.concatenate(ii), np.concatenate(jj)
    metres = haversine_km(left["lon"].to_numpy()[i], left["lat"].to_numpy()[i],
                          right["lon"].to_numpy()[j], right["lat"].to_numpy()[j]) * 1000
    close = metres <= d.DUPLICATE_RADIUS_M
    return pd.DataFrame({"i": left.index.to_numpy()[i[close]], "j": right.index.to_numpy()[j[close]],
                         "metres": metres[close]})


def _pack(key: np.ndarray, cx: np.ndarray, cy: np.ndarray) -> np.ndarray:
    """key (< 2^22 distinct), cx and cy (|.| < 2^20 cells of 100 m: the whole globe) in one int64."""
    return (key.astype(np.int64) << 42) | ((cx + (1 << 20)) << 21) | (cy + (1 << 20))


def batch_duplicate_flags(points: pd.DataFrame, first_row: int) -> list[FlagSet]:
    """Each later row that matches an earlier one is flagged, naming the earliest match."""
    # Identical points first, so a pile of copies does not turn into a quadratic number of pairs.
    exact = points.groupby(["key", "lat", "lon"], sort=False).ngroup()
    first_of = pd.Series(points.index, index=points.index).groupby(exact.to_numpy()).transform("min")
    copies = points.index.to_numpy()[first_of.to_numpy() != points.index.to_numpy()]
    reps = points[first_of.to_numpy() == points.index.to_numpy()]
    pairs = candidate_pairs(reps, reps)
    pairs = pairs[pairs["i"] > pairs["j"]].sort_values(["i", "j"]).drop_duplicates("i")
    rows = np.concatenate([pairs["i"].to_numpy(np.int64), copies])
    other = np.concatenate([pairs["j"].to_numpy(np.int64), first_of.loc[copies].to_numpy(np.int64)])
    metres = np.concatenate([pairs["metres"].to_numpy(), np.zeros(len(copies))])
    order = np.argsort(rows, kind="stable")
    rows, other, metres = rows[order], other[order], metres[order]
    return [FlagSet(d.DUPLICATE_IN_BATCH, None, rows, None,
                    {"other_row": other + first_row, "distance_m": np.round(metres).astype(np.int64)})]


def stored_duplicate_flags(points: pd.DataFrame, existing) -> list[FlagSet]:
    stored, ids = existing_points(existing)
    pairs = candidate_pairs(points, stored).sort_values(["i", "metres"]).drop_duplicates("i").sort_values("i")
    rows = pairs["i"].to_numpy(np.int64)
    return [FlagSet(d.DUPLICATE_OF_STORED_RECORD, None, rows, None,
                    {"other_id": ids[pairs["j"].to_numpy(np.int64)],
                     "distance_m": np.round(pairs["metres"].to_numpy()).astype(np.int64)})]


def existing_points(existing: Mapping[str, Sequence] | Iterable[Sequence]) -> tuple[pd.DataFrame, np.ndarray]:
    """Stored candidates as columns (Darwin Core names) or as tuples (taxon, date, lat, lon, recorder[, id])."""
    if isinstance(existing, Mapping):
        n = len(next(iter(existing.values()), []))
        cols = [existing.get(name, [None] * n) for name in EXISTING_COLUMNS]
    else:
        rows = [tuple(r) + (None,) * (6 - len(r)) for r in existing]
        cols = [list(c) for c in zip(*rows)] if rows else [[] for _ in EXISTING_COLUMNS]
    n = len(cols[0])
    ids = pd.Series(clean_column(cols[5]), dtype=object)
    ids = ids.where(ids.notna(), "#" + pd.Series(np.arange(1, n + 1)).astype(str)).to_numpy(object)
    lat = pd.to_numeric(pd.Series(cols[2], dtype=object), errors="coerce").to_numpy(np.float64)
    lon = pd.to_numeric(pd.Series(cols[3], dtype=object), errors="coerce").to_numpy(np.float64)
    return keyed_points(cols[0], cols[1], lat, lon, cols[4]), ids
