"""Detection rates: 10 k deployments and 1 M observations, ours beside a per-deployment Python loop (the
straightforward way: sort each deployment's records and walk them) in the same run.

    .venv/bin/python benchmarks/bench_effort.py [--deployments 10000] [--observations 1000000]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from occurrences.camtrap.effort import THRESHOLD, camera_days, detection_rates  # noqa: E402
from tests.test_camtrap_effort import synthetic  # noqa: E402


def loop_baseline(pkg) -> dict:
    """Per deployment and species: walk the records in time order, a new detection after a gap > 30 min."""
    days = camera_days(pkg.deployments).to_dict()
    obs = pkg.observations
    starts = pd.to_datetime(obs["eventStart"], utc=True)
    records: dict = {}
    for dep, name, t in zip(obs["deploymentID"], obs["scientificName"], starts):
        records.setdefault((dep, name), []).append(t)
    rates = {}
    for (dep, name), times in records.items():
        times.sort()
        n, last = 0, None
        for t in times:
            if last is None or t - last > THRESHOLD:
                n += 1
            last = t
        rates[(dep, name)] = n / days[dep] * 100
    return rates


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--deployments", type=int, default=10_000)
    ap.add_argument("--observations", type=int, default=1_000_000)
    args = ap.parse_args()
    pkg = synthetic(args.deployments, args.observations)
    detection_rates(synthetic(100, 1000))  # warm-up
    t = time.perf_counter()
    ours = detection_rates(pkg)
    t_ours = time.perf_counter() - t
    t = time.perf_counter()
    base = loop_baseline(pkg)
    t_base = time.perf_counter() - t
    same = all(abs(r.ratePer100CameraDays - base[(r.deploymentID, r.scientificName)]) < 1e-3
               for r in ours.itertuples())
    print(f"{args.deployments:,} deployments, {args.observations:,} observations")
    print(f"  ours (vectorized pandas)      {t_ours:6.2f} s   (target < 1 s: {'met' if t_ours < 1 else 'NOT met'})")
    print(f"  baseline (per-record loop)    {t_base:6.2f} s   ours / baseline = {t_ours / t_base:.2f}")
    print(f"  same rates as the baseline: {same} ({len(ours):,} deployment × species rows)")
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
