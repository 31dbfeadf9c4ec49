"""The rejected rows of a file given back in the file's own shape (``--keep-valid --rejects``, the upload page's
"keep the valid rows"): same format (CSV or XLSX), encoding, delimiter and headers, the cells as read, plus one
column saying why, in the submitter's language. Fixed and imported again, that column is ignored."""
from __future__ import annotations

import csv
import io
import unicodedata
from functools import lru_cache
from itertools import combinations

from ..i18n import LANGUAGES, N_, translate
from ..report import Report
from .read import XLSX_MAGIC, Table

REASON_HEADER = N_("Why this row was not imported")
_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


@lru_cache(maxsize=1)
def reason_headers() -> frozenset[str]:
    """The reason column's header in every language (casefolded): a header the importer ignores."""
    return frozenset(translate(lang, REASON_HEADER).strip().casefold() for lang in LANGUAGES)


def is_reason_header(header: str) -> bool:
    return header.strip().casefold() in reason_headers()


def rejects_file(data: bytes, table: Table, report: Report, lang: str) -> tuple[bytes, str]:
    """(file content, extension) holding the rows ``report`` marks rejected, as the input ``data`` was written."""
    rows = [r.row - report.rows[0].row for r in report.rows if r.has_errors] if report.rows else []
    kept = [i for i, h in enumerate(table.headers) if not is_reason_header(h)]  # a rejects file fixed and resent
    headers = [table.headers[i] for i in kept]
    cells = [[_text(table.columns[i][r].as_py()) for i in kept] for r in rows]
    if data.startswith(XLSX_MAGIC) or table.delimiter is None:
        reasons = [_reasons(report.rows[r], lang) for r in rows]
        return _xlsx([*headers, translate(lang, REASON_HEADER)], cells, reasons), "xlsx"
    codec = _codec(data, table)
    lang = lang if _encodable(translate(lang, REASON_HEADER), codec) else "en"  # Thai reasons in a cp1252 file
    reasons = [_reasons(report.rows[r], lang) for r in rows]
    return _csv([*headers, translate(lang, REASON_HEADER)], cells, reasons, table.delimiter, codec), "csv"


def _text(value) -> str:
    return "" if value is None else str(value)


def _reasons(row, lang: str) -> str:
    """Each error of the row, named by the submitter's own column header."""
    return "; ".join(f"{flag.column or flag.field}: {flag.message(lang)}" if (flag.column or flag.field)
                     else flag.message(lang) for flag in row.flags if flag.severity == "error")


def _codec(data: bytes, table: Table) -> str:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return codec
    return table.encoding or "utf-8"


def _csv(headers: list[str], cells: list[list[str]], reasons: list[str], delimiter: str, codec: str) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows([*row, reason] for row, reason in zip(cells, reasons))
    return encode(out.getvalue(), codec)


def _xlsx(headers: list[str], cells: list[list[str]], reasons: list[str]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("records")  # the sheet the importer reads first

    def text_cells(values):  # as text, always: a cell that reads "=…" must not become a live formula
        out = []
        for value in values:
            cell = WriteOnlyCell(ws, value=value)
            cell.data_type = "s"
            out.append(cell)
        return out

    ws.append(text_cells(headers))
    for row, reason in zip(cells, reasons):
        ws.append(text_cells([*row, reason]))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def encode(text: str, codec: str) -> bytes:
    """``text`` in ``codec``. The reader composed Vietnamese tone marks (NFC); cp1258 holds only some letters
    precomposed, so a letter it lacks is written as the longest precomposed base plus combining marks, as Excel
    does. What no form of it can hold becomes "?"."""
    try:
        return text.encode(codec)
    except UnicodeEncodeError:
        return b"".join(_encode_char(ch, codec) for ch in text)


def _encode_char(ch: str, codec: str) -> bytes:
    try:
        return ch.encode(codec)
    except UnicodeEncodeError:
        pass
    base, *marks = unicodedata.normalize("NFD", ch)  # "ặ" → a, dot below, breve: cp1258 has ă and the dot
    for k in range(len(marks), -1, -1):
        for kept in combinations(range(len(marks)), k):
            head = unicodedata.normalize("NFC", base + "".join(marks[i] for i in kept))
            tail = "".join(m for i, m in enumerate(marks) if i not in kept)
            try:
                return head.encode(codec) + tail.encode(codec)
            except UnicodeEncodeError:
                continue
    return b"?"


def _encodable(text: str, codec: str) -> bool:
    return b"?" not in encode(text, codec) or "?" in text


__all__ = ["REASON_HEADER", "rejects_file", "is_reason_header", "encode"]
