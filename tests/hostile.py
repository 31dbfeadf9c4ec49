"""A generated corpus of hostile files and requests (issue: reliability). Deterministic, built in memory."""
from __future__ import annotations

import functools
import io
import json
import random
import zipfile
from dataclasses import dataclass

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
    # (case and space variants such as "human observation" are the same value now: misspellings stay refused)
    basis = ["Sighting", "humanobservations ", "<script>", "'; DROP TABLE occurrence; --", "Human Obs"]
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




# -- hostile HTTP requests to every write and upload endpoint ---------------------------------------------------
SEED_ID = "seed-pending-1"  # a pending record the review endpoints are aimed at; it must never change
GOOD_SUBMISSION = {"basisOfRecord": "HumanObservation", "scientificName": "Paguma larvata",
                   "eventDate": "2021-04-05", "decimalLatitude": "15.1", "decimalLongitude": "100.2",
                   "countryCode": "TH"}
ZAWGYI_MIX = "ျမန္မာ မြန်မာ"  # the same word, first in Zawgyi, then in Unicode
LIMIT = 2_000_000  # settings.max_upload_bytes of the app under test


@dataclass
class HostileRequest:
    """One request that must be answered 4xx, with nothing stored. ``role``: whose Bearer token goes with it
    (None: anonymous, "invalid": a made-up token). ``page``: an HTML page answers (no JSON error body)."""

    name: str
    method: str
    path: str
    role: str | None = "submitter"
    json: object = None
    content: bytes | None = None
    content_type: str | None = None
    files: dict | None = None
    data: dict | None = None
    page: bool = False
    status: int | None = None  # the exact status where it matters (413)

    def __repr__(self) -> str:
        return self.name


def _raw_json(text: str) -> dict:
    return {"content": text.encode("utf-8", "surrogatepass"), "content_type": "application/json"}


def _xlsx(rows: list[list]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _xlsx_with_sheet_xml(sheet_xml: bytes) -> bytes:
    """A real workbook whose first sheet's XML is replaced (entity tricks live in the XML prolog)."""
    src = zipfile.ZipFile(io.BytesIO(_xlsx([["occurrenceID"], ["x"]])))
    return _zip({n: (sheet_xml if n == "xl/worksheets/sheet1.xml" else src.read(n)) for n in src.namelist()})


BILLION_LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                  + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
                             for i in range(1, 10))
                  + b']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
                    b'<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>')
XXE = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
       b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
       b'<row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row></sheetData></worksheet>')


SHEET_NS = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def wide_dimension_xlsx() -> bytes:
    """About 8 KB: a sheet that claims A1:XFD1048576 and holds a header row and one cell at XFD1048576
    (openpyxl padded every one of the million rows to 16,384 cells: minutes of CPU per upload)."""
    sheet = (SHEET_NS + b'<dimension ref="A1:XFD1048576"/><sheetData>'
             b'<row r="1"><c r="A1" t="inlineStr"><is><t>occurrenceID</t></is></c></row>'
             b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
             b'</sheetData></worksheet>')
    return _xlsx_with_sheet_xml(sheet)


@functools.lru_cache(maxsize=2)
def huge_sheet_xlsx(megabytes: int = 120) -> bytes:
    """About 1 MB of zip holding ``megabytes`` of sheet XML (one text cell per row)."""
    src = zipfile.ZipFile(io.BytesIO(_xlsx([["occurrenceID"], ["x"]])))
    row = b'<row><c t="inlineStr"><is><t>' + b"a" * 64 + b"</t></is></c></row>"
    chunk = row * 10_000
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        for name in src.namelist():
            if name != "xl/worksheets/sheet1.xml":
                z.writestr(name, src.read(name))
                continue
            with z.open(name, "w", force_zip64=True) as member:
                member.write(SHEET_NS + b"<sheetData>")
                for _ in range(megabytes * 2**20 // len(chunk) + 1):
                    member.write(chunk)
                member.write(b"</sheetData></worksheet>")
    return buf.getvalue()


def _submission_cases() -> list[HostileRequest]:
    """POST /occurrences: broken bodies, wrong content types, hostile values, wrong callers."""
    post = "/occurrences"
    out = [
        HostileRequest("deep-array", "POST", post, **_raw_json(deep_json(10000))),
        HostileRequest("deep-object", "POST", post, **_raw_json('{"a":' * 10000 + "1" + "}" * 10000)),
        HostileRequest("truncated-json", "POST", post, **_raw_json('{"scientificName": "Pagu')),
        HostileRequest("trailing-comma", "POST", post, **_raw_json('{"scientificName": "x",}')),
        HostileRequest("single-quotes", "POST", post, **_raw_json("{'scientificName': 'x'}")),
        HostileRequest("empty-body", "POST", post, content=b"", content_type="application/json"),
        HostileRequest("json-list", "POST", post, json=[GOOD_SUBMISSION]),
        HostileRequest("json-string", "POST", post, **_raw_json('"Paguma larvata"')),
        HostileRequest("json-number", "POST", post, **_raw_json("42")),
        HostileRequest("json-null", "POST", post, **_raw_json("null")),
        HostileRequest("bad-utf8", "POST", post, content=b'{"locality": "\xff\xfe\xc3"}', content_type="application/json"),
        HostileRequest("lone-surrogate-value", "POST", post, **_raw_json('{"locality": "\\ud800", "scientificName": "Paguma larvata"}')),
        HostileRequest("lone-surrogate-key", "POST", post, **_raw_json('{"\\udfff": 1}')),
        HostileRequest("number-5000-digits", "POST", post, **_raw_json('{"decimalLatitude": 1' + "0" * 5000 + "}")),
        HostileRequest("nan-literal", "POST", post, **_raw_json(json.dumps(GOOD_SUBMISSION).replace('"15.1"', "NaN"))),
        HostileRequest("infinity-literal", "POST", post, **_raw_json(json.dumps(GOOD_SUBMISSION).replace('"15.1"', "-Infinity"))),
        HostileRequest("1e400-literal", "POST", post, **_raw_json(json.dumps(GOOD_SUBMISSION).replace('"15.1"', "1e400"))),
        HostileRequest("text-plain", "POST", post, content=json.dumps(GOOD_SUBMISSION).encode(), content_type="text/plain"),
        HostileRequest("xml", "POST", post, content=b"<occurrence><scientificName>x</scientificName></occurrence>",
                       content_type="application/xml"),
        HostileRequest("no-content-type", "POST", post, content=json.dumps(GOOD_SUBMISSION).encode()),
        HostileRequest("form-encoded", "POST", post, data=GOOD_SUBMISSION),
        HostileRequest("multipart", "POST", post, files={"file": ("x.csv", HEADER.encode(), "text/csv")}),
        HostileRequest("unknown-field", "POST", post, json={**GOOD_SUBMISSION, "evil": "1"}),
        HostileRequest("bad-lang", "POST", post, json={**GOOD_SUBMISSION, "lang": "xx"}),
        HostileRequest("anonymous", "POST", post, role=None, json=GOOD_SUBMISSION),
        HostileRequest("invalid-token", "POST", post, role="invalid", json=GOOD_SUBMISSION),
        HostileRequest("reader-role", "POST", post, role="reader", json=GOOD_SUBMISSION),
        HostileRequest("oversized-body", "POST", post, content=b'{"locality": "' + b"x" * (LIMIT + 10) + b'"}',
                       content_type="application/json", status=413),
    ]
    values = {
        "scientificName": ["Pag\0uma larvata", "Paguma\u202elarvata", "=HYPERLINK(\"http://evil\",\"x\")",
                           ZAWGYI_MIX, "P" * 20_000, "Paguma lаrvata", ["Paguma larvata"], {"$ne": ""}, True],
        "decimalLatitude": ["91", "-90.5", 1e308, "nan", "inf", "15,1,2", "1_5", [15.1], {"lat": 15}, "N15E"],
        "decimalLongitude": ["181", -180.5, "1e9", "E", "0x10"],
        "eventDate": ["2021-02-30", "99999-01-01", "yesterday", "2021-04-05/2020-01-01", "2999-01-01",
                      "\u202e2021-04-05", "2021-04-05\0", 2021_04_05_1],
        "countryCode": ["THA", "@SUM(1)", "T\u202eH", "XX", 66],
        "individualCount": [-1, 10**30, "1.5", "many", "1e400"],
        "coordinateUncertaintyInMeters": [-5, "far"],
        "locality": [ZAWGYI_MIX, "near \u202etxet", "a\0b", "L" * 20_000],
        "recordedBy": ["=cmd|' /C calc'!A0", "\u2066x\u2069"],
        "occurrenceID": ["x\0y", "+cmd|' /C calc'!A0", "@x"],
        "basisOfRecord": ["Sighting", "'; DROP TABLE occurrence; --"],
    }
    for term, bad in values.items():
        for k, value in enumerate(bad):
            out.append(HostileRequest(f"field-{term}-{k}", "POST", post, json={**GOOD_SUBMISSION, term: value}))
    return out


def _upload_cases() -> list[HostileRequest]:
    """POST /upload (multipart, the upload page): the special files of the corpus, XLSX tricks, wrong requests."""
    special = {name: data for name, data in hostile_files() if not name.startswith(("coord-", "date-", "basis-",
                                                                                    "damaged-"))}
    special.pop("one-mb-cell.csv", None)  # over the test app's size limit: covered by the 413 cases
    special["zawgyi-mix.csv"] = _csv(GOOD.format(i=0).replace("Paguma larvata", ZAWGYI_MIX))
    special["formula-cell.xlsx"] = _xlsx([HEADER.strip().split(","),
                                          ["x1", "HumanObservation", "=1+1", "2021-04-05", 15.1, 100.2, "TH"]])
    special["absurd-values.xlsx"] = _xlsx([HEADER.strip().split(","),
                                           ["x2", "HumanObservation", "Paguma larvata", "2021-02-30", 1e308, -999, "TH"]])
    special["billion-laughs.xlsx"] = _xlsx_with_sheet_xml(BILLION_LAUGHS)
    special["xxe.xlsx"] = _xlsx_with_sheet_xml(XXE)
    special["wide-dimension.xlsx"] = wide_dimension_xlsx()
    special["ole2.xls"] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 2000
    special["gzip.csv"] = b"\x1f\x8b\x08\x00" + bytes(range(256)) * 4
    special["nested-zip.xlsx"] = _zip({"inner.zip": _zip({"xl/workbook.xml": b"<workbook/>"})})
    out = [HostileRequest(f"upload-{name}", "POST", "/upload", files={"file": (name, data, "application/octet-stream")},
                          page=True) for name, data in special.items()]
    out += [
        HostileRequest("upload-no-file", "POST", "/upload", data={"x": "1"}, page=True),
        HostileRequest("upload-file-as-text", "POST", "/upload", data={"file": "occurrenceID\nx"}, page=True),
        HostileRequest("upload-json-body", "POST", "/upload", json=GOOD_SUBMISSION, page=True),
        HostileRequest("upload-oversized", "POST", "/upload", files={"file": ("big.csv", b"a," * (LIMIT // 2 + 10), "text/csv")},
                       page=True, status=413),
        HostileRequest("upload-anonymous", "POST", "/upload", role=None, page=True,
                       files={"file": ("ok.csv", _csv(GOOD.format(i=9)), "text/csv")}),
        HostileRequest("upload-reader", "POST", "/upload", role="reader", page=True,
                       files={"file": ("ok.csv", _csv(GOOD.format(i=9)), "text/csv")}),
        HostileRequest("upload-bad-boundary", "POST", "/upload", content=b"--x\r\nbroken", page=True,
                       content_type="multipart/form-data; boundary=y"),
    ]
    return out


def _form_cases() -> list[HostileRequest]:
    """POST /submit (the no-JavaScript form) and POST /signin."""
    bad = [("scientificName", "Pag\0uma"), ("scientificName", "a\u202eb"), ("decimalLatitude", "1e400"),
           ("eventDate", "2021-13-45"), ("locality", ZAWGYI_MIX), ("individualCount", "99999999999999999999"),
           ("countryCode", "=1+1"), ("locality", "L" * 20_000)]
    out = [HostileRequest(f"form-{term}-{k}", "POST", "/submit", data={**GOOD_SUBMISSION, term: value}, page=True)
           for k, (term, value) in enumerate(bad)]
    out += [
        HostileRequest("form-empty", "POST", "/submit", data={}, page=True),
        HostileRequest("form-anonymous", "POST", "/submit", role=None, data=GOOD_SUBMISSION, page=True),
        HostileRequest("form-json-body", "POST", "/submit", json=GOOD_SUBMISSION, page=True),
        HostileRequest("signin-huge-token", "POST", "/signin", role=None, data={"token": "t" * 100_000}, page=True),
        HostileRequest("signin-nul-token", "POST", "/signin", role=None, data={"token": "a\0b"}, page=True),
    ]
    return out


def _review_cases() -> list[HostileRequest]:
    """Reviewer and editing endpoints: unknown ids, hostile ids, broken bodies, absurd corrections."""
    seed = f"/occurrences/{SEED_ID}"
    out = [
        HostileRequest("accept-unknown-id", "POST", "/occurrences/no-such-id/accept", role="reviewer", json={}),
        HostileRequest("accept-long-id", "POST", "/occurrences/" + "i" * 5000 + "/accept", role="reviewer", json={}),
        HostileRequest("accept-nul-id", "POST", "/occurrences/a%00b/accept", role="reviewer", json={}),
        HostileRequest("accept-traversal-id", "POST", "/occurrences/..%2F..%2Fetc%2Fpasswd/accept", role="reviewer", json={}),
        HostileRequest("accept-by-submitter", "POST", f"{seed}/accept", role="submitter", json={}),
        HostileRequest("accept-deep-body", "POST", f"{seed}/accept", role="reviewer", **_raw_json(deep_json(5000))),
        HostileRequest("accept-absurd-latitude", "POST", f"{seed}/accept", role="reviewer",
                       json={"changes": {"decimalLatitude": 1000}}),
        HostileRequest("accept-nul-change", "POST", f"{seed}/accept", role="reviewer",
                       json={"changes": {"scientificName": "Pag\0uma larvata"}}),
        HostileRequest("accept-unknown-field", "POST", f"{seed}/accept", role="reviewer",
                       json={"changes": {"_status": "accepted"}}),
        HostileRequest("accept-changes-list", "POST", f"{seed}/accept", role="reviewer", json={"changes": [1, 2]}),
        HostileRequest("reject-no-reason", "POST", f"{seed}/reject", role="reviewer", json={}),
        HostileRequest("reject-reason-object", "POST", f"{seed}/reject", role="reviewer", json={"reason": {"a": 1}}),
        HostileRequest("reject-anonymous", "POST", f"{seed}/reject", role=None, json={"reason": "x"}),
        HostileRequest("suggestion-unknown-code", "POST", f"{seed}/accept-suggestion", role="reviewer",
                       json={"code": "NO_SUCH_FLAG"}),
        HostileRequest("suggestion-no-code", "POST", f"{seed}/accept-suggestion", role="reviewer", json={}),
        HostileRequest("patch-absurd-date", "PATCH", seed, role="reviewer", json={"eventDate": "2021-02-30"}),
        HostileRequest("patch-absurd-longitude", "PATCH", seed, role="reviewer", json={"decimalLongitude": "181"}),
        HostileRequest("patch-rtl", "PATCH", seed, role="reviewer", json={"locality": "x\u202ey"}),
        HostileRequest("patch-list-body", "PATCH", seed, role="reviewer", json=[{"locality": "x"}]),
        HostileRequest("patch-deep-body", "PATCH", seed, role="reviewer", **_raw_json('{"a":' * 5000 + "1" + "}" * 5000)),
        HostileRequest("patch-status", "PATCH", seed, role="reviewer", json={"_status": "accepted"}),
        HostileRequest("patch-by-reader", "PATCH", seed, role="reader", json={"locality": "x"}),
        HostileRequest("patch-unknown-id", "PATCH", "/occurrences/no-such-id", role="reviewer", json={"locality": "x"}),
        HostileRequest("sensitivity-bad-level", "POST", f"{seed}/sensitivity", role="reviewer", json={"level": "nope"}),
        HostileRequest("sensitivity-no-body", "POST", f"{seed}/sensitivity", role="reviewer"),
        HostileRequest("review-form-unknown", "POST", "/review/no-such-id/accept", role="reviewer", data={}, page=True),
        HostileRequest("review-form-fix-unknown-code", "POST", f"/review/{SEED_ID}/fix", role="reviewer",
                       data={"code": "NO_SUCH_FLAG"}, page=True),
        HostileRequest("review-form-by-submitter", "POST", f"/review/{SEED_ID}/reject", role="submitter",
                       data={"reason": "x"}, page=True),
    ]
    return out


def hostile_requests() -> list[HostileRequest]:
    return _submission_cases() + _upload_cases() + _form_cases() + _review_cases()


__all__ = ["hostile_files", "hostile_query_params", "hostile_requests", "HostileRequest", "deep_json", "SEED_ID"]
