"""Import pipeline: read a file → map columns → convert values → validate → store, all or nothing.

This first version reads CSV files whose headers are Darwin Core terms. Every row is checked before anything
is written; if any row has an error the whole batch is refused and the report names each row, field and value.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from .errors import FileProblem, ImportRejected
from .flags import Flag
from .records import BASIS_OF_RECORD, FIELD_BY_NAME, SUBMITTABLE, date_bounds, new_occurrence_id
from .report import REJECTED, Report, RowResult

MAX_CELL = 10_000  # characters; longer cells are refused rather than stored


@dataclass
class ImportResult:
    report: Report
    stored: int
    skipped: int = 0
    conflicts: int = 0


def read_csv(path: str | Path) -> tuple[list[str], list[list[str]]]:
    raw = Path(path).read_bytes()
    if not raw.strip():
        raise FileProblem(name=Path(path).name, reason="the file is empty")
    for encoding in ("utf-8-sig", "utf-16"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise FileProblem(name=Path(path).name, reason="it is not UTF-8 or UTF-16 text; save it as CSV UTF-8")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows:
        raise FileProblem(name=Path(path).name, reason="the file is empty")
    return [h.strip() for h in rows[0]], rows[1:]


def convert_rows(headers: list[str], rows: list[list[str]], *, lang: str = "en") -> tuple[list[dict], Report]:
    """Darwin Core headers → canonical records, with a row-by-row report (row 2 is the first data row)."""
    report = Report(language=lang)
    unknown = [h for h in headers if h not in SUBMITTABLE]
    records = []
    for i, cells in enumerate(rows):
        result = RowResult(row=i + 2)
        report.rows.append(result)
        for h in unknown:
            result.flags.append(Flag("UNKNOWN_FIELD", field=h, value=h))
        record = {}
        for h, cell in zip(headers, cells):
            if h in unknown or cell is None or not cell.strip():
                continue
            value, flag = _convert(h, cell.strip())
            if flag:
                result.flags.append(flag)
            else:
                record[h] = value
        result.flags.extend(_check(record))
        result.occurrenceID = record.get("occurrenceID")
        records.append(record)
    return records, report


def _convert(field: str, text: str):
    if len(text) > MAX_CELL:
        return None, Flag("INVALID_VALUE", field=field, value=text[:40] + "…", params={"reason": "too long"})
    kind = FIELD_BY_NAME[field].type
    try:
        if kind is float:
            return float(text), None
        if kind is int:
            value = int(text)
            if value < 0:
                raise ValueError
            return value, None
    except ValueError:
        code = "COORDINATE_INVALID" if field in ("decimalLatitude", "decimalLongitude") else (
            "INDIVIDUAL_COUNT_INVALID" if field == "individualCount" else "INVALID_VALUE")
        return None, Flag(code, field=field, value=text, params={"reason": "not a number"})
    return text, None


def _check(record: dict) -> list[Flag]:
    flags = []
    for name in ("basisOfRecord", "scientificName", "eventDate"):
        if not record.get(name):
            flags.append(Flag("REQUIRED_FIELD_MISSING", field=name, value=None))
    basis = record.get("basisOfRecord")
    if basis and basis not in BASIS_OF_RECORD:
        flags.append(Flag("BASIS_OF_RECORD_INVALID", field="basisOfRecord", value=basis,
                          params={"allowed": ", ".join(BASIS_OF_RECORD)}))
    if record.get("eventDate"):
        try:
            date_bounds(record["eventDate"])
        except Exception:
            flags.append(Flag("RECORDED_DATE_INVALID", field="eventDate", value=record["eventDate"]))
    for name, limit in (("decimalLatitude", 90), ("decimalLongitude", 180)):
        value = record.get(name)
        if value is not None and abs(value) > limit:
            flags.append(Flag("COORDINATE_OUT_OF_RANGE", field=name, value=value))
    return flags


def import_file(store, path: str | Path, *, submitted_by: str = "anonymous", lang: str = "en",
                dry_run: bool = False) -> ImportResult:
    """Import one CSV file. Raises :class:`ImportRejected` (nothing stored) when any row has an error."""
    headers, rows = read_csv(path)
    records, report = convert_rows(headers, rows, lang=lang)
    report.source = Path(path).name
    if not report.ok:
        for r in report.rows:
            if r.has_errors:
                r.status = REJECTED
        raise ImportRejected(report)
    if dry_run:
        return ImportResult(report, 0)
    for r, rec in zip(report.rows, records):
        rec["language"] = rec.get("language") or lang
        rec.setdefault("occurrenceID", new_occurrence_id())
        r.occurrenceID = rec["occurrenceID"]
    result = store.add_many(records, submitted_by=submitted_by)
    for r, status in zip(report.rows, result.statuses):
        r.status = status
    return ImportResult(report, result.stored, result.skipped, result.conflicts)
