"""Cost of sensitive-species protection, measured in one run next to its baseline.

* write side: ``to_columns`` (validation + derived columns, including the public copy) vs the public copy
  alone (``public_derived``), for N demo records;
* read side: a public page/count/bbox query (generalised columns, accepted records) vs the same with full
  access (precise columns) on the same SQLite database.

Run: ``.venv/bin/python benchmarks/bench_sensitivity.py [N]``
"""
from __future__ import annotations

import sys
import tempfile
import time

from occurrences.demo import demo_records
from occurrences.store import Filters, open_store
from occurrences.store.access import FULL, public_derived
from occurrences.store.columns import to_columns


def timed(fn, repeat=1):
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def main(n: int) -> None:
    records = demo_records(n)
    cols = {k: [r.get(k) for r in records] for k in records[0]}
    built = to_columns(cols, submitted_by="bench")
    total = timed(lambda: to_columns(cols, submitted_by="bench"))
    public = timed(lambda: public_derived(built), 3)
    print(f"write, {n:,} records: to_columns {total:.2f} s, of which the public copy {public:.2f} s "
          f"({public / total:.0%})")
    with tempfile.TemporaryDirectory() as d:
        store = open_store(f"sqlite:///{d}/bench.db")
        store.add_many(cols, submitted_by="bench", status="accepted")
        for label, f in (("page of 1000", Filters(limit=1000)),
                         ("count, one species", Filters(scientificName=["Arctictis binturong"])),
                         ("bbox 1°", Filters(bbox=(101.0, 14.0, 102.0, 15.0), limit=1000))):
            run = (lambda f=f: store.query(f)) if "page" in label or "bbox" in label else (lambda f=f: store.count(f))
            pub = timed(run, 5)
            full = timed(lambda f=f, run=run: (store.query(f.replace(access=FULL)) if "page" in label or "bbox" in label
                                               else store.count(f.replace(access=FULL))), 5)
            print(f"read {label}: public {pub * 1000:.1f} ms, full access (baseline) {full * 1000:.1f} ms")
        store.close()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200_000)
