"""Clearly synthetic demo data: a few hundred records across the five countries and several species.

Deterministic (fixed seed), generated on the fly, so ``occurrences demo`` works offline. Every record says it
is synthetic in ``occurrenceRemarks`` and ``recordedBy``. Run ``python -m occurrences.demo out.csv`` to see it.
"""
from __future__ import annotations

import csv
import sys
import uuid

import numpy as np

# Interior anchor points (lat, lon, province) well inside each country; records scatter ±0.3° around them.
ANCHORS = {
    "TH": [(14.44, 101.37, "Nakhon Ratchasima"), (18.79, 98.98, "Chiang Mai"), (15.07, 99.11, "Uthai Thani"),
           (8.43, 99.96, "Nakhon Si Thammarat")],
    "VN": [(11.44, 107.43, "Đồng Nai"), (21.59, 105.37, "Thái Nguyên"), (14.35, 108.00, "Kon Tum"),
           (18.34, 105.90, "Hà Tĩnh")],
    "KH": [(12.57, 104.92, "Kampong Thom"), (13.36, 103.86, "Siem Reap"), (12.49, 107.19, "Mondulkiri")],
    "LA": [(18.30, 103.70, "Bolikhamxay"), (20.10, 102.40, "Luang Prabang"), (15.12, 106.10, "Salavan")],
    "MM": [(19.75, 96.10, "Naypyidaw"), (21.98, 96.08, "Mandalay"), (17.34, 96.48, "Bago"),
           (25.38, 97.40, "Kachin")],
}
SPECIES = [
    ("Paradoxurus hermaphroditus", "Asian palm civet", "Viverridae"),
    ("Paguma larvata", "Masked palm civet", "Viverridae"),
    ("Arctictis binturong", "Binturong", "Viverridae"),
    ("Viverra zibetha", "Large Indian civet", "Viverridae"),
    ("Prionodon pardicolor", "Spotted linsang", "Prionodontidae"),
    ("Urva javanica", "Javan mongoose", "Herpestidae"),
    ("Martes flavigula", "Yellow-throated marten", "Mustelidae"),
    ("Arctonyx collaris", "Greater hog badger", "Mustelidae"),
    ("Melogale personata", "Large-toothed ferret-badger", "Mustelidae"),
]
BASIS = ["MachineObservation", "HumanObservation", "HumanObservation", "PreservedSpecimen", "MaterialCitation"]
LANGUAGE = {"TH": "th", "VN": "vi", "KH": "km", "LA": "lo", "MM": "my"}


def demo_records(n: int = 400, seed: int = 7) -> list[dict]:
    rng = np.random.default_rng(seed)
    countries = list(ANCHORS)
    records = []
    for i in range(n):
        cc = countries[i % len(countries)]
        lat0, lon0, province = ANCHORS[cc][rng.integers(len(ANCHORS[cc]))]
        name, vernacular, family = SPECIES[rng.integers(len(SPECIES))]
        year = int(rng.integers(2005, 2026))
        month, day = int(rng.integers(1, 13)), int(rng.integers(1, 29))
        records.append({
            "occurrenceID": str(uuid.UUID(int=int(rng.integers(0, 2**63)) << 64 | i)),
            "basisOfRecord": BASIS[rng.integers(len(BASIS))],
            "scientificName": name,
            "vernacularName": vernacular,
            "family": family,
            "taxonRank": "species",
            "eventDate": f"{year:04d}-{month:02d}-{day:02d}",
            "decimalLatitude": round(lat0 + float(rng.uniform(-0.3, 0.3)), 5),
            "decimalLongitude": round(lon0 + float(rng.uniform(-0.3, 0.3)), 5),
            "coordinateUncertaintyInMeters": float(rng.choice([30, 100, 250, 1000])),
            "countryCode": cc,
            "stateProvince": province,
            "locality": f"Synthetic site {i % 37 + 1}",
            "recordedBy": "Demo Recorder (synthetic)",
            "individualCount": int(rng.integers(1, 4)),
            "occurrenceRemarks": "Synthetic demo record, not a real sighting.",
            "language": LANGUAGE[cc],
        })
    return records


def write_csv(path, records) -> None:
    names = list(records[0])
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=names)
        writer.writeheader()
        writer.writerows(records)


if __name__ == "__main__":
    write_csv(sys.argv[1] if len(sys.argv) > 1 else "demo.csv", demo_records())
