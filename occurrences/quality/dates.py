"""eventDate checks: unreadable, in the future, before 1700, or a Thai Buddhist Era year (BE = CE + 543).

Each distinct date string is read once; results are broadcast back to the rows.
"""
from __future__ import annotations

import re
from datetime import date
from typing import Sequence

import numpy as np
import pandas as pd

from ..errors import InvalidValue
from ..records import date_bounds
from . import definitions as d
from .result import FlagSet
from .vectors import clean_column

EVENT_DATE = "eventDate"
_YEAR_AT_START = re.compile(r"^(\s*)(\d{4})")


def event_dates(event_date: Sequence | None, year: Sequence | None, n: int) -> np.ndarray:
    """eventDate text per row; where it is empty, the ``year`` column (if any) stands in."""
    dates = np.array([None] * n, object) if event_date is None else np.asarray(event_date, object).copy()
    dates = clean_column(dates)
    if year is not None:
        years = pd.to_numeric(pd.Series(np.asarray(year, object)), errors="coerce").to_numpy(np.float64)
        fill = pd.isna(dates) & np.isfinite(years)
        dates[fill] = [str(int(y)) for y in years[fill]]
    return dates


def date_flags(dates: np.ndarray, today: date) -> list[FlagSet]:
    codes, uniques = pd.factorize(pd.Series(dates, dtype=object))
    verdicts = [_judge(u, today) for u in uniques]
    sets = []
    for code in (d.RECORDED_DATE_INVALID, d.RECORDED_DATE_IN_FUTURE, d.RECORDED_DATE_UNLIKELY,
                 d.RECORDED_DATE_BUDDHIST_ERA):
        which = np.array([v is not None and v[0] == code for v in verdicts], bool)
        idx = np.flatnonzero((codes >= 0) & which[np.maximum(codes, 0)]) if len(which) else np.zeros(0, np.int64)
        values = dates[idx]
        params, suggestion = {}, None
        if code == d.RECORDED_DATE_IN_FUTURE:
            params = {"today": np.full(len(idx), today.isoformat(), object)}
        elif code == d.RECORDED_DATE_UNLIKELY:
            params = {"earliest": np.full(len(idx), d.EARLIEST_YEAR)}
        elif code == d.RECORDED_DATE_BUDDHIST_ERA:
            suggested = np.array([verdicts[k][1] for k in codes[idx]], object)
            params, suggestion = {"suggested": suggested}, {EVENT_DATE: suggested}
        sets.append(FlagSet(code, EVENT_DATE, idx, values, params, suggestion))
    return sets


def _judge(text: str, today: date) -> tuple[str, str | None] | None:
    """(code, suggested date) for one distinct date string, or None if it is fine."""
    bounds = _bounds(text)
    if bounds is None or bounds[0] > today:
        converted = from_buddhist_era(text)
        cbounds = _bounds(converted) if converted else None
        if cbounds and cbounds[0] >= date(d.EARLIEST_YEAR, 1, 1) and cbounds[1] <= today:
            return d.RECORDED_DATE_BUDDHIST_ERA, converted
        return (d.RECORDED_DATE_INVALID, None) if bounds is None else (d.RECORDED_DATE_IN_FUTURE, None)
    if bounds[1] < date(d.EARLIEST_YEAR, 1, 1):
        return d.RECORDED_DATE_UNLIKELY, None
    return None


def _bounds(text: str) -> tuple[date, date] | None:
    try:
        start, end = date_bounds(text)
    except InvalidValue:
        return None
    return date.fromisoformat(start), date.fromisoformat(end)


def from_buddhist_era(text: str) -> str | None:
    """The same date with every year 543 lower (``2567-03-15`` → ``2024-03-15``); None if no year to convert."""
    parts = text.split("/")
    out = []
    for part in parts:
        m = _YEAR_AT_START.match(part)
        if not m:
            return None
        year = int(m[2]) - d.BUDDHIST_ERA_OFFSET
        if year < 1:
            return None
        out.append(f"{m[1]}{year:04d}{part[m.end():]}")
    return "/".join(out)
