"""Detection rates: 10 k deployments and 1 M observations, ours beside a per-deployment Python loop (the
straightforward way: sort each deployment's records and walk them) in the same run.

    .venv/bin/python benchmarks/bench_effort.py [--deployments 10000] [--observations 1000000] [--store]

``--store`` also imports a synthetic Camtrap DP package of that size into a temporary SQLite store (about a minute
at 1 M observations, not timed) and times what ``GET /effort`` and the species page do: read the deployments and
animal observations back (generalised for the public) and compute the rates.
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


def store_figures(deployments: int, observations: int) -> None:
    import tempfile

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_camtrap import SPECIES, make_package

    from occurrences.camtrap.read import read_camtrap_dp
    from occurrences.camtrap.store import load_effort, save_survey
    from occurrences.camtrap.views import species_effort
    from occurrences.store import open_store

    with tempfile.TemporaryDirectory() as tmp:
        zipped = make_package(Path(tmp) / "survey", observations, deployments=deployments)
        store = open_store(f"sqlite:///{Path(tmp) / 'effort.db'}")
        try:
            save_survey(store, read_camtrap_dp(zipped), source="bench", submitted_by="bench", access="full",
                        status="accepted")
            load_effort(store, access="public")  # warm-up: boundaries, page cache
            t = time.perf_counter()
            package = load_effort(store, access="public")
            t_load = time.perf_counter() - t
            t = time.perf_counter()
            rates = detection_rates(package)
            t_rates = time.perf_counter() - t
            t = time.perf_counter()
            page = species_effort(store, SPECIES[0], access="public")
            t_species = time.perf_counter() - t
        finally:
            store.close()
    print(f"from a SQLite store ({len(package.observations):,} animal observations read back):")
    print(f"  all species (GET /effort)     {t_load + t_rates:6.2f} s   (read {t_load:.2f} s + rates {t_rates:.2f} s, "
          f"{len(rates):,} rows)")
    print(f"  one species (species page)    {t_species:6.2f} s   ({len(page['stations']):,} stations)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--deployments", type=int, default=10_000)
    ap.add_argument("--observations", type=int, default=1_000_000)
    ap.add_argument("--store", action="store_true", help="also time effort read back from a SQLite store")
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
    if args.store:
        store_figures(args.deployments, args.observations)


if __name__ == "__main__":
    main()
