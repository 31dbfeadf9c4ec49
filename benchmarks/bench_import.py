"""Import of a 1 M-row Thai CSV (Thai digits, Buddhist Era dates, DMS coordinates in a fifth of the rows) with
full validation and storage, next to a raw insert of the same canonical rows in the same run.

    .venv/bin/python benchmarks/bench_import.py [--rows 1000000] [--no-gbif]

Baseline: ``store.add_many`` of the canonical columns the import produced (the store's own validation and
insert, nothing parsed). Ours: ``occurrences.ingest.import_file`` from the CSV bytes on disk to committed rows.
Target (issue 3): ours ≤ 10 s at 1 M rows on the 2-core machine.

Beside it (issue 15), a GBIF simple-CSV download of the same size (tab-separated, GBIF's interpreted columns,
ISO date-times, GBIF enum spellings and issue lists) through ``importers.import_path``; ``--no-gbif`` skips it.
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np

from occurrences.forms import load_form
from occurrences.ingest import import_file
from occurrences.store import open_store

THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
SPECIES = ["อีเห็นเครือ", "Paguma larvata", "หมีขอ", "Arctictis binturong", "ชะมดเช็ด", "พังพอน", "หมาไม้",
           "Viverra zibetha", "Herpestes javanicus", "อีเห็นข้างลาย"]
TERMS = ["occurrenceID", "basisOfRecord", "scientificName", "eventDate", "decimalLatitude", "decimalLongitude",
         "verbatimCoordinates", "countryCode", "locality", "individualCount", "sex", "recordedBy"]


def dms(values: np.ndarray, hemi: str) -> list[str]:
    d = np.floor(values).astype(int)
    m = np.floor((values - d) * 60).astype(int)
    s = np.round(((values - d) * 60 - m) * 60).astype(int).clip(0, 59)
    return [f"{a}°{b:02d}'{c:02d}\"{hemi}" for a, b, c in zip(d, m, s)]


def make_csv(path: Path, n: int, seed: int = 7, dms_share: float = 0.2) -> None:
    rng = np.random.default_rng(seed)
    form = load_form()
    labels = [form.field(t).labels["th"] for t in TERMS]
    # Inland Thailand (Khorat plateau to the central plain): the import checks the country against the point, so
    # the rows must be in Thailand, away from borders, the coast and Bangkok.
    lat = np.round(rng.uniform(14.6, 16.8, n), 5)
    lon = np.round(rng.uniform(99.8, 103.3, n), 5)
    is_dms = rng.random(n) < dms_share
    day, month = rng.integers(1, 29, n), rng.integers(1, 13, n)
    year = rng.integers(2555, 2568, n)  # Buddhist Era 2012–2024
    months = ["ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค."]
    use_name = rng.random(n) < 0.3
    dates = [f"{d} {months[m - 1]} {y}" if named else f"{d}/{m}/{y}"
             for d, m, y, named in zip(day.tolist(), month.tolist(), year.tolist(), use_name.tolist())]
    dms_text = [f"{a} {b}" for a, b in zip(dms(lat, "N"), dms(lon, "E"))]
    lat_text = [f"{v:.5f}" for v in lat]
    lon_text = [f"{v:.5f}" for v in lon]
    basis = ["คนพบเห็นหรือได้ยิน", "กล้องดักถ่ายหรืออุปกรณ์อื่น"]
    sexes = ["ตัวผู้", "ตัวเมีย", "ไม่ทราบ", ""]
    places = [f"ป่าชุมชนบ้าน{i}" for i in range(500)]
    observers = [f"ผู้สำรวจ {i}" for i in range(200)]
    sp, bs, sx, pl, ob = (rng.integers(0, k, n).tolist() for k in (len(SPECIES), 2, 4, 500, 200))
    counts = rng.integers(1, 5, n).tolist()
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(labels) + "\n")
        lines = []
        for i in range(n):
            if is_dms[i]:
                la, lo, v = "", "", dms_text[i].replace('"', '""')  # CSV quoting
            else:
                la, lo, v = lat_text[i].translate(THAI_DIGITS), lon_text[i].translate(THAI_DIGITS), ""
            lines.append(f"TH-{i},{basis[bs[i]]},{SPECIES[sp[i]]},{dates[i].translate(THAI_DIGITS)},{la},{lo},"
                         f"\"{v}\",ไทย,{places[pl[i]]},{str(counts[i]).translate(THAI_DIGITS)},{sexes[sx[i]]},"
                         f"{observers[ob[i]]}\n")
            if len(lines) >= 100_000:
                fh.writelines(lines)
                lines = []
        fh.writelines(lines)


GBIF_COLUMNS = [  # a GBIF "simple CSV" download's columns, in GBIF's order
    "gbifID", "datasetKey", "occurrenceID", "kingdom", "phylum", "class", "order", "family", "genus", "species",
    "infraspecificEpithet", "taxonRank", "scientificName", "verbatimScientificName",
    "verbatimScientificNameAuthorship", "countryCode", "locality", "stateProvince", "occurrenceStatus",
    "individualCount", "publishingOrgKey", "decimalLatitude", "decimalLongitude", "coordinateUncertaintyInMeters",
    "coordinatePrecision", "elevation", "elevationAccuracy", "depth", "depthAccuracy", "eventDate", "day", "month",
    "year", "taxonKey", "speciesKey", "basisOfRecord", "institutionCode", "collectionCode", "catalogNumber",
    "recordNumber", "identifiedBy", "dateIdentified", "license", "rightsHolder", "recordedBy", "typeStatus",
    "establishmentMeans", "lastInterpreted", "mediaType", "issue"]
GBIF_SPECIES = ["Paguma larvata", "Arctictis binturong", "Viverra zibetha", "Herpestes javanicus",
                "Paradoxurus hermaphroditus"]


def make_gbif_csv(path: Path, n: int, seed: int = 11) -> None:
    """A GBIF simple-CSV download (tab-separated, unquoted) of ``n`` rows in inland Thailand: ten columns map to
    our fields, the other forty (keys, higher taxa, institutionCode...) are kept as extra terms."""
    rng = np.random.default_rng(seed)
    lat = np.round(rng.uniform(14.6, 16.8, n), 5).tolist()
    lon = np.round(rng.uniform(99.8, 103.3, n), 5).tolist()
    sp = rng.integers(0, len(GBIF_SPECIES), n).tolist()
    day, month, year = (rng.integers(1, 29, n).tolist(), rng.integers(1, 13, n).tolist(),
                        rng.integers(2005, 2024, n).tolist())
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("\t".join(GBIF_COLUMNS) + "\n")
        lines = []
        for i in range(n):
            name = GBIF_SPECIES[sp[i]]
            values = {"gbifID": str(4_000_000_000 + i), "datasetKey": "b1047888-ae52-4179-9dd5-5448ea342a24",
                      "kingdom": "Animalia", "phylum": "Chordata", "class": "Mammalia", "order": "Carnivora",
                      "family": "Viverridae", "genus": name.split()[0], "species": name, "taxonRank": "SPECIES",
                      "scientificName": name + " (Author, 1827)", "verbatimScientificName": name,
                      "countryCode": "TH", "locality": f"Camera station {i % 300}", "occurrenceStatus": "PRESENT",
                      "individualCount": "1", "publishingOrgKey": "7ce8aef0-9e92-11dc-8738-b8a03c50a862",
                      "decimalLatitude": str(lat[i]), "decimalLongitude": str(lon[i]),
                      "coordinateUncertaintyInMeters": "30.0",
                      "eventDate": f"{year[i]}-{month[i]:02d}-{day[i]:02d}T00:00:00", "day": str(day[i]),
                      "month": str(month[i]), "year": str(year[i]), "taxonKey": str(2434000 + sp[i]),
                      "speciesKey": str(2434000 + sp[i]), "basisOfRecord": "MACHINE_OBSERVATION",
                      "institutionCode": "WCS", "collectionCode": "CT", "catalogNumber": f"CT-{i}",
                      "identifiedBy": "A. Observer", "license": "CC_BY_4_0", "recordedBy": f"Team {i % 40}",
                      "lastInterpreted": "2024-05-01T10:00:00.000Z", "mediaType": "StillImage",
                      "issue": "COORDINATE_ROUNDED" if i % 7 == 0 else ""}
            lines.append("\t".join(values.get(c, "") for c in GBIF_COLUMNS) + "\n")
            if len(lines) >= 100_000:
                fh.writelines(lines)
                lines = []
        fh.writelines(lines)


def timed(fn):
    """(wall seconds, CPU seconds of this process, result): the machine is shared, CPU time is the steadier."""
    start, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return (time.perf_counter() - start, time.process_time() - cpu), out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--dms-share", type=float, default=0.2, help="share of rows with DMS coordinates")
    parser.add_argument("--no-gbif", action="store_true", help="skip the GBIF simple-CSV case")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        csv_path = tmp / "thai.csv"
        (t_make, _), _ = timed(lambda: make_csv(csv_path, args.rows, dms_share=args.dms_share))
        size = csv_path.stat().st_size / 2**20
        print(f"generated {args.rows:,} Thai rows ({size:.0f} MB) in {t_make:.1f} s (not timed below)")

        store = open_store(f"sqlite:///{tmp / 'ours.db'}")
        t_ours, result = timed(lambda: import_file(store, csv_path, submitted_by="bench", status="accepted"))
        assert result.stored == args.rows, result.stored
        canonical = {k: v for k, v in result.batch.columns.items()}
        store.close()

        raw_store = open_store(f"sqlite:///{tmp / 'raw.db'}")
        t_raw, added = timed(lambda: raw_store.add_many(canonical, submitted_by="bench", status="accepted"))
        assert added.stored == args.rows
        raw_store.close()

        t_gbif = None
        if not args.no_gbif:
            from occurrences.importers import import_path

            gbif_path = tmp / "0012345-240101000000000.csv"
            make_gbif_csv(gbif_path, args.rows)
            gbif_store = open_store(f"sqlite:///{tmp / 'gbif.db'}")
            t_gbif, got = timed(lambda: import_path(gbif_store, gbif_path, fmt="gbif-csv", submitted_by="bench",
                                                    status="accepted"))
            assert got.stored == args.rows, got.stored
            gbif_store.close()

    print(f"{'':40}{'wall s':>9}{'CPU s':>9}{'rows/s (wall)':>15}")
    print(f"{'raw insert of canonical rows (baseline)':40}{t_raw[0]:9.2f}{t_raw[1]:9.2f}{args.rows / t_raw[0]:15,.0f}")
    print(f"{'full import: read+parse+check+store':40}{t_ours[0]:9.2f}{t_ours[1]:9.2f}{args.rows / t_ours[0]:15,.0f}")
    if t_gbif is not None:
        print(f"{'GBIF simple CSV (50 columns, 40 extra)':40}{t_gbif[0]:9.2f}{t_gbif[1]:9.2f}"
              f"{args.rows / t_gbif[0]:15,.0f}")
    print(f"ratio full import / raw insert: wall {t_ours[0] / t_raw[0]:.2f}x, CPU {t_ours[1] / t_raw[1]:.2f}x; "
          f"target <= 10 s: {'met' if t_ours[0] <= 10 else 'NOT met'} (cores: {os.cpu_count()}, "
          f"load average at the end: {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
