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
from .vectors import clean_text

EXISTING_COLUMNS = ("scientificName", "eventDate", "decimalLatitude", "decimalLongitude", "recordedBy",
                    "occurrenceID")
_M_PER_DEG_LAT = 110_574.0
_M_PER_DEG_LON = 111_320.0


def keyed_points(taxon, event_date, lat, lon, recorder) -> pd.DataFrame:
    """One row per record that can be compared: normalized key text and 100 m cell; index = input position."""
    def norm(values, fold=True):
        s = pd.Series(np.asarray(values, object), dtype=object).map(clean_text, na_action="ignore")
        return s.str.casefold() if fold else s

    frame = pd.DataFrame({"taxon": norm(taxon), "date": norm(event_date, fold=False),
                          "recorder": norm(recorder).fillna(""),
                          "lat": np.asarray(lat, np.float64), "lon": np.asarray(lon, np.float64)})
    ok = frame["taxon"].notna() & frame["date"].notna() & np.isfinite(frame["lat"]) & np.isfinite(frame["lon"])
    ok &= (frame["lat"].abs() <= 90) & (frame["lon"].abs() <= 180)
    frame = frame[ok]
    cell = d.DUPLICATE_RADIUS_M
    frame = frame.assign(key=frame["taxon"] + "\x1f" + frame["date"] + "\x1f" + frame["recorder"],
                         cy=np.floor(frame["lat"] * _M_PER_DEG_LAT / cell).astype(np.int64),
                         cx=np.floor(frame["lon"] * _M_PER_DEG_LON * np.cos(np.radians(frame["lat"])) / cell)
                         .astype(np.int64))
    return frame[["key", "cx", "cy", "lat", "lon"]]


def candidate_pairs(left: pd.DataFrame, right: pd.DataFrame) -> pd.DataFrame:
    """(i, j, metres) for left row i and right row j with the same key within the radius."""
    left = left.rename_axis("i").reset_index()
    right = right.rename_axis("j").reset_index()
    found = []
    for dx in (-1, 0, 1):
        for dy in (-1, 0, 1):
            shifted = left.assign(cx=left["cx"] + dx, cy=left["cy"] + dy)
            found.append(shifted.merge(right, on=["key", "cx", "cy"], suffixes=("", "_r")))
    pairs = pd.concat(found, ignore_index=True)
    metres = haversine_km(pairs["lon"], pairs["lat"], pairs["lon_r"], pairs["lat_r"]) * 1000
    pairs = pairs.assign(metres=metres)[metres <= d.DUPLICATE_RADIUS_M]
    return pairs[["i", "j", "metres"]]


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
    ids = pd.Series(cols[5], dtype=object).map(clean_text, na_action="ignore")
    ids = ids.where(ids.notna(), "#" + pd.Series(np.arange(1, n + 1)).astype(str)).to_numpy(object)
    lat = pd.to_numeric(pd.Series(cols[2], dtype=object), errors="coerce").to_numpy(np.float64)
    lon = pd.to_numeric(pd.Series(cols[3], dtype=object), errors="coerce").to_numpy(np.float64)
    return keyed_points(cols[0], cols[1], lat, lon, cols[4]), ids
