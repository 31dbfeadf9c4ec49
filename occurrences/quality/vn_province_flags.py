"""stateProvince of Viet Nam's records, judged against the units that existed on the record's date.

- A former province named on a record dated from 2025-07-01 (PROVINCE_MERGED): told the unit it became.
- A unit created on 2025-07-01 named on an older record (PROVINCE_NOT_YET_CREATED): told what it was then.
- A point outside the named unit of its date by more than the tolerance (PROVINCE_COORDINATE_MISMATCH): told
  where it is. The 34 new units' polygons are in the repository; the 63 former ones are the Natural Earth
  polygons of ``occurrences geodata build`` and are checked only when that build has run.

A record whose date spans 2025-07-01 (``2025``, ``2024/2026``) may name either; an undated one is judged
against the current units. Names that are no Vietnamese province are left to other checks.
"""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import shapely

from ..errors import InvalidValue
from ..flags import LocalName, Phrase
from ..i18n import N_
from ..records import date_bounds
from . import definitions as d
from .boundaries import Boundaries
from .coordinates import Coordinates
from .result import FlagSet
from .vn_provinces import NEW, NEW_FROM, OLD, Unit, VnProvinces, load

FIELD = "stateProvince"
NO_PROVINCE = Phrase(N_("no province of Viet Nam"))
KM_PER_DEGREE = 111.32  # at the equator; overstates east-west distances by ≤ 8 % at Viet Nam's latitudes


def province_flags(names, country: np.ndarray, dates: np.ndarray, c: Coordinates, b: Boundaries | None,
                   tolerance_km: float, provinces: VnProvinces | None = None) -> list[FlagSet]:
    """Flags for the VN rows with a stateProvince; ``country`` is the effective ISO code per row."""
    p = provinces or load()
    names = np.asarray(names, object)
    rows = np.flatnonzero((country == "VN") & pd.notna(names) & (pd.Series(names).astype(str).str.strip() != ""))
    if not len(rows):
        return []
    # Each distinct (name, date) is judged once: a batch repeats a few dozen provinces and dates many times.
    keys = pd.Series([f"{names[i]}\x00{dates[i]}" for i in rows])
    codes, uniques = pd.factorize(keys)
    verdicts = [_judge(p, *key.split("\x00", 1)) for key in uniques]
    judged = [verdicts[k] for k in codes]
    sets = _name_sets(rows, names, dates, judged)
    sets.append(_mismatch_set(p, rows, judged, c, b, tolerance_km, names))
    return sets


def _judge(p: VnProvinces, name: str, when) -> tuple[str | None, Unit | None, list[Unit]]:
    """(problem code or None, unit to check the point against, suggested units) for one row."""
    start, end = _bounds(when)
    new, old = p.find(name, NEW), p.find(name, OLD)
    if old is None and new is None:
        return None, None, []
    if start is not None and start >= NEW_FROM and new is None:
        successor = p.successor_of(old.name)
        return d.PROVINCE_MERGED, successor, [successor]
    if end is not None and end < NEW_FROM and old is None:
        before = p.predecessors(new)
        return d.PROVINCE_NOT_YET_CREATED, (before[0] if len(before) == 1 else None), before
    if end is not None and end < NEW_FROM:
        return None, old, []
    return None, new or old, []


def _bounds(when) -> tuple[date | None, date | None]:
    try:
        start, end = date_bounds(str(when))
    except (InvalidValue, ValueError, TypeError):
        return None, None
    return date.fromisoformat(start), date.fromisoformat(end)


def _name_sets(rows, names, dates, judged) -> list[FlagSet]:
    """One set per code and kind: with a one-click suggestion where exactly one unit fits, without where
    several former units became the new one (the point, not the name, says which)."""
    sets = []
    for code in (d.PROVINCE_MERGED, d.PROVINCE_NOT_YET_CREATED):
        for single in (True, False):
            pick = [k for k, (problem, _, units) in enumerate(judged) if problem == code and (len(units) == 1) == single]
            idx = rows[pick]
            suggested = np.array([_local(judged[k][2]) for k in pick], object)
            sets.append(FlagSet(code, FIELD, idx, names[idx], {"date": dates[idx], "suggested": suggested},
                                {FIELD: suggested} if single else None))
    return sets


def _mismatch_set(p: VnProvinces, rows, judged, c: Coordinates, b: Boundaries | None, tol: float,
                  names) -> FlagSet:
    """Points farther than ``tol`` from the unit their record names (for the record's date), one array
    operation per unit."""
    units = np.array([j[1] for j in judged], object)
    placed = c.usable[rows] & (units != None)  # noqa: E711
    hit, dist, named, where = [], [], [], []
    candidates: dict[str, list] = {}
    for unit in dict.fromkeys(units[placed]):
        geom = _geometry(p, unit, b)
        if geom is None:
            continue
        idx = rows[placed & (units == unit)]
        idx = idx[~shapely.contains_xy(geom, c.lon[idx], c.lat[idx])]
        km = shapely.distance(geom, shapely.points(c.lon[idx], c.lat[idx])) * KM_PER_DEGREE
        far = km > tol
        hit.append(idx[far])
        dist.append(np.round(km[far], 1))
        named += [_local([unit])] * int(far.sum())
        if unit.set not in candidates:
            candidates[unit.set] = _candidates(p, unit.set, b)
        where.append(_located(candidates[unit.set], c.lon[idx[far]], c.lat[idx[far]]))
    idx = np.concatenate(hit) if hit else np.zeros(0, np.int64)
    order = np.argsort(idx, kind="stable")
    idx = idx[order]
    return FlagSet(d.PROVINCE_COORDINATE_MISMATCH, FIELD, idx, names[idx],
                   {"lat": c.lat[idx], "lon": c.lon[idx],
                    "distance_km": (np.concatenate(dist) if dist else np.zeros(0))[order],
                    "province": np.array(named, object)[order],
                    "located": (np.concatenate(where) if where else np.zeros(0, object))[order]})


def _local(units: list[Unit]) -> LocalName:
    """The units' official names ("Quảng Trị", or "A / B"), shown in the reader's language in messages."""
    langs = set().union(*(u.names for u in units))
    return LocalName(" / ".join(u.name for u in units), {lang: " / ".join(u.names[lang] for u in units) for lang in langs})


def _geometry(p: VnProvinces, unit: Unit, b: Boundaries | None):
    if unit.set == NEW:
        return p.prepared.get(unit.name)
    built = b.provinces if b is not None else None
    if built is None:
        return None  # the former units' polygons come only from `occurrences geodata build`
    match = np.flatnonzero(built.codes == unit.code)
    if not len(match):
        return None
    shapely.prepare(built.geometries[match[0]])
    return built.geometries[match[0]]


def _located(candidates: list[tuple[str, object]], lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Name of the unit each point lies in, among ``candidates`` (name, prepared geometry); NO_PROVINCE if none."""
    out = np.full(len(lon), NO_PROVINCE, object)
    for name, geom in candidates:
        if not len(lon):
            break
        out[(out == NO_PROVINCE) & shapely.contains_xy(geom, lon, lat)] = name
    return out


def _candidates(p: VnProvinces, unit_set: str, b: Boundaries | None) -> list[tuple[str, object]]:
    """The units of one set with their prepared polygons: the 34 from the repository, or the 63 built ones."""
    if unit_set == NEW:
        return list(p.prepared.items())
    built = b.provinces
    by_code = {u.code: u.name for u in p.units if u.set == OLD}
    out = []
    for i in np.flatnonzero(built.countries == "VN"):
        shapely.prepare(built.geometries[i])
        out.append((by_code.get(built.codes[i], str(built.names[i])), built.geometries[i]))
    return out
