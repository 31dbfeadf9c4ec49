"""Array parsers on 1 M Thai CSV-like rows: Thai digits, Buddhist Era dates, DMS coordinates in a fifth of rows.

Prints each parser's time next to a baseline measured in the same run: Python ``float()`` on the same number of
ASCII decimal strings (the least any per-cell parser could cost). Run: ``.venv/bin/python benchmarks/bench_parse.py
[rows]``.
"""
from __future__ import annotations

import sys
import time

import numpy as np
import pyarrow as pa

from occurrences.parse import parse_coordinates, parse_dates, parse_numbers
from occurrences.taxa import Checklist

THAI = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")


def thai_rows(n: int, seed: int = 1):
    rng = np.random.default_rng(seed)
    lat = rng.uniform(5.6, 20.4, n)
    lon = rng.uniform(97.4, 105.6, n)
    dms = rng.random(n) < 0.2
    lat_text = [_dms(v, "เหนือ") if d else f"{v:.5f}".translate(THAI) for v, d in zip(lat, dms)]
    lon_text = [_dms(v, "E") if d else f"{v:.5f}".translate(THAI) for v, d in zip(lon, dms)]
    days = rng.integers(0, 3650, n)
    dates = [_be_date(int(d)) for d in days]
    counts = [str(int(c)).translate(THAI) for c in rng.integers(1, 6, n)]
    names = rng.choice(["อีเห็นข้างลาย", "Paguma larvata", "หมีขอ", "พังพอน", "Herpestes javanicus"], n)
    return lat_text, lon_text, dates, counts, list(names), lat


def _dms(value: float, hemisphere: str) -> str:
    tenths = round(value * 36000)  # whole tenths of a second, so the text never shows 60.0 seconds
    d, rest = divmod(tenths, 36000)
    m, s = divmod(rest, 600)
    return f"{d}°{m}'{s / 10:.1f}\" {hemisphere}".translate(THAI)


def _be_date(offset: int) -> str:
    ordinal = 738000 + offset  # 2021-07-29 onwards
    from datetime import date
    day = date.fromordinal(ordinal)
    return f"{day.day}/{day.month}/{day.year + 543}".translate(THAI)


def timed(label: str, fn, *args, **kwargs):
    """Prints wall and CPU seconds (the machine is shared: CPU time is the steadier); returns CPU seconds."""
    start, cpu = time.perf_counter(), time.process_time()
    result = fn(*args, **kwargs)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"{label:<48} {elapsed:7.3f} s wall {cpu:7.3f} s CPU")
    return result, cpu


def main(n: int = 1_000_000) -> None:
    lat_text, lon_text, dates, counts, names, lat_true = thai_rows(n)
    ascii_numbers = [f"{v:.5f}" for v in lat_true]
    print(f"{n:,} Thai rows (Thai digits, BE dates, 20% DMS)")
    _, base = timed("baseline: float() on ASCII strings (1 column)", lambda: [float(v) for v in ascii_numbers])
    coords, t_coords = timed("parse_coordinates (lat + lon + datum)", parse_coordinates, lat_text, lon_text,
                             None, None, "th")
    lat_arrow, lon_arrow = (pa.array(v, pa.large_string()) for v in (lat_text, lon_text))
    timed("parse_coordinates on Arrow columns (as imported)", parse_coordinates, lat_arrow, lon_arrow, None, None,
          "th")
    _, t_dates = timed("parse_dates (BE, Thai digits)", parse_dates, dates, "th")
    _, t_counts = timed("parse_numbers (individualCount, whole)", parse_numbers, counts, "th", whole=True)
    checklist = Checklist.load()
    _, t_names = timed("Checklist.match (scientificName)", checklist.match, names)
    total = t_coords + t_dates + t_counts + t_names
    print(f"{'total of the parsers (CPU)':<48} {total:7.3f} s")
    print(f"ratio parse_coordinates / (2 x float baseline), CPU: {t_coords / (2 * base):.2f}")
    assert not coords.errors.any(), "generated rows must all parse"
    assert np.allclose(coords.lat, lat_true, atol=1e-4)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
