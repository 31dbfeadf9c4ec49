"""Seed data for the sensitivity, review and leak tests: sensitive records with unique precise coordinates and
text that must never reach anyone below reviewer, plus users of each role."""
from __future__ import annotations

import json
import math

from occurrences import auth
from occurrences.demo import demo_records

# Each point sits well inside its generalisation cell, with digits that occur nowhere else in the data.
SENSITIVE = [
    # id, species (checklist level), record level, status, lat, lon
    ("sens-binturong-1", "Arctictis binturong", None, "accepted", 14.73917, 101.62853),   # generalise-0.1
    ("sens-binturong-2", "Arctictis binturong", None, "accepted", 14.71386, 101.68294),   # same 0.1° cell
    ("sens-megaspila-1", "Viverra megaspila", None, "accepted", 12.48261, 107.19437),     # generalise-0.2
    ("sens-withheld-1", "Paradoxurus hermaphroditus", "withhold", "accepted", 18.31579, 103.71942),
    ("sens-pending-1", "Arctictis binturong", None, "pending", 15.06283, 99.12647),
]


def sensitive_records() -> list[dict]:
    out = []
    for oid, name, level, _status, lat, lon in SENSITIVE:
        tag = oid.upper().replace("-", "")
        rec = {"occurrenceID": oid, "basisOfRecord": "HumanObservation", "scientificName": name,
               "eventDate": "2024-03-15", "decimalLatitude": lat, "decimalLongitude": lon,
               "coordinateUncertaintyInMeters": 30.0, "countryCode": "TH", "stateProvince": "Nakhon Ratchasima",
               "locality": f"LEAKLOC{tag} near the ranger station ป่าเขาใหญ่",
               "verbatimLocality": f"LEAKVLOC{tag}", "verbatimCoordinates": f"LEAKVC{tag}",
               "verbatimLatitude": f"LEAKVLAT{tag}", "verbatimLongitude": f"LEAKVLON{tag}",
               "occurrenceRemarks": f"LEAKREM{tag} den tree by the stream", "recordedBy": "Field Team A",
               # other Darwin Core terms kept per record (issue 15): withheld with the locality
               "extraTerms": json.dumps({"county": f"LEAKCOUNTY{tag}", "locationID": f"LEAKLOCID{tag}"})}
        if level:
            rec["sensitivity"] = level
        out.append(rec)
    return out


def secrets_of(records=None) -> list[str]:
    """Strings that must not appear in anything a reader or another submitter receives: each coordinate
    rounded and truncated to 3 decimals, and the unique text tokens."""
    out = []
    for oid, _name, _level, _status, lat, lon in SENSITIVE:
        tag = oid.upper().replace("-", "")
        for v in (lat, lon):
            out += [f"{v:.3f}", f"{math.trunc(v * 1000) / 1000:.3f}"]
        out += [f"LEAKLOC{tag}", f"LEAKVLOC{tag}", f"LEAKVC{tag}", f"LEAKVLAT{tag}", f"LEAKVLON{tag}",
                f"LEAKREM{tag}", f"LEAKCOUNTY{tag}", f"LEAKLOCID{tag}"]
    return sorted(set(out))


def seed(store, demo: int = 40) -> dict:
    """Demo records (accepted), the sensitive records (submitted by alice), bob's own pending record, and a
    token per user. Returns {"tokens": {name: token}, "bob_record": id}."""
    store.add_many(demo_records(demo), submitted_by="demo", status="accepted")
    tokens = {name: auth.add_user(store, name, role) for name, role in
              (("alice", "submitter"), ("bob", "submitter"), ("rita", "reviewer"), ("ada", "admin"))}
    recs = sensitive_records()
    for rec, (_oid, _n, _l, status, _lat, _lon) in zip(recs, SENSITIVE):
        store.add_many([rec], submitted_by="alice", status=status)
    store.add_many([{"occurrenceID": "bob-own-1", "basisOfRecord": "HumanObservation",
                     "scientificName": "Paguma larvata", "eventDate": "2023-05-02", "decimalLatitude": 19.1,
                     "decimalLongitude": 99.9, "countryCode": "TH", "locality": "Bob's garden"}],
                   submitted_by="bob", status="pending")
    return {"tokens": tokens, "bob_record": "bob-own-1"}


def points() -> list[tuple[str, float, float]]:
    return [(oid, lat, lon) for oid, _n, _l, _s, lat, lon in SENSITIVE]
