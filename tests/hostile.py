"""A generated corpus of hostile files and requests (issue: reliability). Deterministic, built in memory."""
from __future__ import annotations

import io
import json
import random
import zipfile

HEADER = "occurrenceID,basisOfRecord,scientificName,eventDate,decimalLatitude,decimalLongitude,countryCode\n"
GOOD = "h-{i},HumanObservation,Paguma larvata,2021-04-05,15.1,100.2,TH\n"


def _csv(*rows: str, header: str = HEADER) -> bytes:
    return (header + "".join(rows)).encode("utf-8")


def _zip(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return buf.getvalue()


def hostile_files() -> list[tuple[str, bytes]]:
    """(file name, content) pairs, every one of which must be refused with a clear message."""
    rng = random.Random(7)
    good = GOOD.format(i=0)
    files: list[tuple[str, bytes]] = [
        ("empty.csv", b""),
        ("blank.csv", b"   \n\n  \n"),
        ("only-header.csv", HEADER.encode()),
        ("latin1.csv", _csv("x,HumanObservation,Paguma larvata,2021-04-05,15.1,100.2,TH,\n").replace(b"Paguma", "Pagümà".encode("latin-1"))),
        ("cp874-thai.csv", (HEADER + "x,HumanObservation,อีเห็น,2021-04-05,15.1,100.2,TH\n").encode("cp874")),
        ("nul-bytes.csv", _csv(good.replace("Paguma", "Pag\0uma"))),
        ("one-mb-cell.csv", _csv(good.replace("Paguma larvata", "A" * 1_000_000))),
        ("many-columns.csv", _csv(good, header=HEADER.strip() + "," + ",".join(f"c{i}" for i in range(20000)) + "\n")),
        ("formula.csv", _csv(good.replace("Paguma larvata", '=HYPERLINK("http://evil","x")'))),
        ("formula-at.csv", _csv(good.replace("TH", "@SUM(1)"))),
        ("rtl-override.csv", _csv(good.replace("Paguma larvata", "Paguma\u202elarvata"))),
        ("truncated.xlsx", _zip({"[Content_Types].xml": b"<Types/>"})[:60]),
        ("not-a-spreadsheet.xlsx", b"PK\x03\x04" + bytes(rng.randrange(256) for _ in range(500))),
        ("zip-bomb.xlsx", _zip({"xl/worksheets/sheet1.xml": b"<" + b"a" * 50_000_000 + b">"})),
        ("truncated.zip", _zip({"occurrence.txt": HEADER.encode() * 100})[:100]),
        ("binary.csv", bytes(rng.randrange(256) for _ in range(4000))),
        ("utf16-no-bom-garbage.csv", "\ud800".encode("utf-16-le", "surrogatepass") * 10),
        ("deep.json", ("[" * 100_000 + "]" * 100_000).encode()),
        ("huge-row-count-bad.csv", _csv(*[GOOD.format(i=i) for i in range(2000)], "x,HumanObservation,,2021-04-05,15.1,100.2,TH\n")),
        ("duplicate-ids.csv", _csv(GOOD.format(i=1), GOOD.format(i=1))),
    ]
    absurd_coords = ["91", "-90.0001", "181", "-180.5", "1e308", "nan", "inf", "-inf", "0x10", "15,1,2",
                     "15.1°°", "15.1.1", "--15", "15-", "E15", "99999999999999999999", "1_5", "½", "   ", "''"]
    for k, value in enumerate(absurd_coords):
        files.append((f"coord-{k}.csv", _csv(good.replace("15.1", value if "," not in value else f'"{value}"'))))
    absurd_dates = ["2021-02-30", "0000-01-01", "2021-13-01", "99999-01-01", "2021/04/05/06", "yesterday",
                    "2021-04-05/2020-01-01", "20210405T", "2021-4-5x", "１２３", "2021-04-05/x", "2021-00-10",
                    "2021-04-32", "/", "2021-04-05/2021-04-05/2021-04-06", "\u202e2021-04-05", "2021-04-05\x00", "1e9", "NaN", "2021-W01-9"]
    for k, value in enumerate(absurd_dates):
        files.append((f"date-{k}.csv", _csv(good.replace("2021-04-05", value))))
    basis = ["Sighting", "humanobservation ", "<script>", "'; DROP TABLE occurrence; --", "Human Observation"]
    for k, value in enumerate(basis):
        files.append((f"basis-{k}.csv", _csv(good.replace("HumanObservation", value.replace(",", " ")))))
    for k in range(60):  # random structural damage: cut rows, stray quotes, swapped columns, missing fields
        row = good.rstrip("\n").split(",")
        op = k % 6
        if op == 0:
            row = row[: rng.randrange(1, len(row) - 1)]
            row[0] = f"cut{k}"
            text = ",".join(row) + "\n"
            files.append((f"damaged-{k}.csv", _csv(text)))
            continue
        if op == 1:
            row[2] = ""
        elif op == 2:
            row[4], row[5] = "lat", "lon"
        elif op == 3:
            row[3] = str(rng.randrange(10**12))
        elif op == 4:
            row[1] = "".join(chr(rng.randrange(0x2000, 0x2100)) for _ in range(8))
        else:
            row[4] = str(rng.uniform(91, 10**6))
        files.append((f"damaged-{k}.csv", _csv(",".join(row) + "\n")))
    return files


def hostile_query_params() -> list[dict]:
    """Query strings for GET endpoints; every one must be answered 4xx with the error body."""
    params = [
        {"bbox": "1,2,3"}, {"bbox": "a,b,c,d"}, {"bbox": "0,0,0,0"}, {"bbox": "-200,0,10,10"},
        {"bbox": "10,10,0,0"}, {"bbox": "nan,nan,nan,nan"}, {"bbox": "1e400,0,1,1"},
        {"geometry": "POLYGON((0 0,1 1))"}, {"geometry": "POINT(1 1)"}, {"geometry": "x" * 10000},
        {"geometry": "POLYGON((0 0,10 0,0 10,10 10,0 0))"}, {"geometry": "POLYGON((0 0,500 0,0 10,0 0))"},
        {"eventDate": "2021-02-30"}, {"eventDate": "2021,2020"}, {"eventDate": "x"}, {"eventDate": ",,"},
        {"year": "21"}, {"year": "2021,2020"}, {"year": "abcd"}, {"limit": "0"}, {"limit": "-1"},
        {"limit": "100000000"}, {"limit": "1e3"}, {"cursor": "!!!"}, {"cursor": "eyJ4IjoxfQ"},
        {"hasGeospatialIssue": "maybe"}, {"sort": "random"}, {"countryCode": "THA"}, {"countryCode": "1"},
        {"unknown": "1"}, {"format": "xml"}, {"format": "../../etc/passwd"}, {"countryCode": "T\u202eH"},
    ]
    return params


def deep_json(depth: int = 10000) -> str:
    return "[" * depth + "]" * depth


__all__ = ["hostile_files", "hostile_query_params", "deep_json", "json"]
