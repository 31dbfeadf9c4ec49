"""Files → a header row and one Arrow string column per header. No interpretation of values happens here.

CSV goes through Arrow's multi-threaded C++ reader (every column read as text, so "007" stays "007"), after the
encoding is settled: UTF-8 with or without BOM, or UTF-16 with BOM (Excel's "Unicode text", tab-separated).
XLSX goes through openpyxl in read-only mode with formulas kept as text, so they can be refused, not run; the
sheet's declared dimension is ignored (rows are as wide as their last cell) and the work is bounded by
:mod:`.limits` (columns, cells, unpacked size, time).
"""
from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time

import pyarrow as pa
import pyarrow.csv as pacsv

from .limits import DEFAULT_LIMITS, Budget, ReadLimits
from .problems import (BadCsv, EmptyFile, FileRejected, HeaderOnly, MixedEncodingFile, NotASpreadsheet, NotUtf8,
                       TextDestroyed, TooLarge)

XLSX_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls format
DELIMITERS = (",", "\t", ";")
MAX_LONG_ROWS = 1000  # rows with more cells than the header: this many refuse the file without reading on


@dataclass
class Table:
    headers: list[str]
    columns: list[pa.Array]  # one large_string array per header, data rows only
    short_rows: dict[int, int] = field(default_factory=dict)  # 0-based data row → cells it had (padded)
    encoding: str | None = None  # the legacy code page a CSV was read in (None: Unicode, or XLSX)
    delimiter: str | None = None  # a CSV's delimiter (None: XLSX), so rejected rows go back in the same shape
    date_system: int | None = None  # an XLSX workbook's (1900 or 1904, for serial numbers typed as numbers)

    @property
    def n_rows(self) -> int:
        return len(self.columns[0]) if self.columns else 0


def read_table(data: bytes, name: str, encoding: str | None = None, limits: ReadLimits = DEFAULT_LIMITS) -> Table:
    """Read CSV or XLSX (chosen by content, not by the file name) into text columns. ``encoding`` forces a CSV's
    text encoding (otherwise detected, see :mod:`.encodings`)."""
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise EmptyFile(name)
    if data.startswith(XLSX_MAGIC) or name.lower().endswith((".xlsx", ".xlsm")):
        table = read_xlsx(data, name, limits)
    elif data.startswith(OLE2_MAGIC):
        raise NotASpreadsheet(name, reason="it is an old .xls workbook")
    else:
        table = read_csv(data, name, encoding)
    if not any(h.strip() for h in table.headers):
        raise EmptyFile(name)
    if table.n_rows == 0:
        raise HeaderOnly(name)
    _refuse_destroyed_text(table, name)
    return table


DESTROYED_SAMPLE_ROWS = 1000


def _refuse_destroyed_text(table: Table, name: str) -> None:
    """A file whose letters a legacy save turned into "?" cannot be repaired: refuse it, saying how to save it,
    in the language its headers' shapes give away (each lost letter is one "?")."""
    from .encodings import destroyed_cells

    n = min(table.n_rows, DESTROYED_SAMPLE_ROWS)
    rows = [[str(col[i].as_py() or "") for col in table.columns] for i in range(n)] if table.columns else []
    found = destroyed_cells(table.headers, rows)
    if found:
        row, column, text = found[0]
        raise TextDestroyed(name, row=row, column=column + 1, example=text[:40],
                            language=_language_of_destroyed(table.headers))


def _language_of_destroyed(headers: list[str]) -> str | None:
    """The form language whose labels, with every non-ASCII letter replaced by "?", match most headers."""
    from collections import Counter

    from ..forms import load_form
    from ..i18n import LANGUAGES

    shapes: dict[str, set[str]] = {}
    for f in load_form().fields:
        for lang in LANGUAGES:
            shapes.setdefault(_shape(f.label(lang)), set()).add(lang)
    votes = Counter(lang for h in headers if "?" in h for lang in shapes.get(h.strip(), ()))
    return votes.most_common(1)[0][0] if votes else None


def _shape(label: str) -> str:
    return "".join("?" if ord(ch) > 127 else ch for ch in label.strip())


# -- CSV -----------------------------------------------------------------------------------------------------
def decode_csv(data: bytes, name: str, encoding: str | None = None) -> tuple[bytes, str | None]:
    """The file as UTF-8 bytes without BOM (Arrow reads UTF-8 only), and the legacy code page assumed."""
    from .encodings import MixedEncodings, decode

    try:
        decoded = decode(data, encoding)
    except MixedEncodings as exc:
        raise MixedEncodingFile(name, utf8_line=exc.utf8_line, other_line=exc.other_line) from None
    except (UnicodeDecodeError, LookupError) as exc:
        raise NotUtf8(name, position=getattr(exc, "start", 0), guess=f" ({encoding})") from None
    if decoded is None:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise NotUtf8(name, position=exc.start, guess=_guess_encoding(data)) from None
    return decoded.data, decoded.encoding


def _guess_encoding(data: bytes) -> str:
    if data[1:200:2].count(0) > 50 or data[0:200:2].count(0) > 50:
        return "; it looks like UTF-16 without a byte-order mark"
    return ""


def _first_row(data: bytes, name: str) -> tuple[list[str], str]:
    """Header cells and the delimiter (the one splitting the header into most cells)."""
    head = data[:1_048_576].decode("utf-8", errors="ignore")
    line = head.split("\n", 1)[0]
    delimiter = max(DELIMITERS, key=lambda d: line.count(d))
    try:
        return [h.strip() for h in next(csv.reader(io.StringIO(head, newline=""), delimiter=delimiter), [])], \
            delimiter
    except csv.Error as exc:
        raise BadCsv(name, reason=f"the header row cannot be read ({exc})") from None


def read_csv(data: bytes, name: str, encoding: str | None = None) -> Table:
    data, encoding = decode_csv(data, name, encoding)
    headers, delimiter = _first_row(data, name)
    names = [f"c{i}" for i in range(len(headers))]
    short_rows, long_rows = [], []

    def invalid(row):  # collect; short rows are padded below, long ones refuse the file
        (short_rows if row.actual_columns < row.expected_columns else long_rows).append(row)
        # Enough to refuse and to give examples: stop reading (a Python call per bad row of a 50 MB file is
        # half a minute; see tests/test_import_bad_input.py).
        return "error" if len(long_rows) >= MAX_LONG_ROWS else "skip"

    try:
        table = pacsv.read_csv(
            pa.py_buffer(data),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, block_size=32 * 1024 * 1024),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True,
                                             invalid_row_handler=invalid),
            convert_options=pacsv.ConvertOptions(column_types={n: pa.large_string() for n in names},
                                                 strings_can_be_null=False, quoted_strings_can_be_null=False))
    except (pa.ArrowInvalid, pa.ArrowException) as exc:
        if not long_rows:
            raise BadCsv(name, reason=str(exc).split("\n")[0][:200]) from None
    if long_rows:
        count = f"{len(long_rows)}" if len(long_rows) < MAX_LONG_ROWS else f"{MAX_LONG_ROWS} or more"
        examples = "; ".join(f"{r.actual_columns} cells instead of {len(headers)}" for r in long_rows[:3])
        raise BadCsv(name, reason=f"{count} rows have more cells than the header row, e.g. {examples}")
    if short_rows:  # some tools drop trailing empty cells: read again in Python, padding (rare, small files)
        try:
            padded = _read_csv_padded(data, headers, delimiter)
        except csv.Error as exc:
            raise BadCsv(name, reason=str(exc)) from None
        padded.encoding, padded.delimiter = encoding, delimiter
        return padded
    return Table(headers, [table.column(n).combine_chunks() for n in names], encoding=encoding, delimiter=delimiter)


def _read_csv_padded(data: bytes, headers: list[str], delimiter: str) -> Table:
    rows = csv.reader(io.StringIO(data.decode("utf-8"), newline=""), delimiter=delimiter)
    next(rows, None)
    body = [r for r in rows if any(c.strip() for c in r)]
    columns = [[r[i] if i < len(r) else "" for r in body] for i in range(len(headers))]
    short = {i: len(r) for i, r in enumerate(body) if len(r) < len(headers)}
    return Table(headers, [pa.array(c, pa.large_string()) for c in columns], short)


# -- XLSX ----------------------------------------------------------------------------------------------------
def read_xlsx(data: bytes, name: str, limits: ReadLimits = DEFAULT_LIMITS) -> Table:
    from openpyxl import load_workbook

    budget = Budget(name, limits)
    _check_zip(data, name, budget)
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises KeyError, InvalidFileException, XML errors...
        raise NotASpreadsheet(name, reason=_short(exc)) from None
    try:
        date_system = _date_system(wb)
        ws = wb["records"] if "records" in wb.sheetnames else wb.worksheets[0]
        table = _sheet_table(ws, name, budget)
        table.date_system = date_system
        return table
    except FileRejected:
        raise
    except Exception as exc:
        raise NotASpreadsheet(name, reason=_short(exc)) from None
    finally:
        wb.close()


def _sheet_table(ws, name: str, budget: Budget) -> Table:
    rows = _sheet_rows(ws, budget)
    headers = None
    for row in rows:
        if any(c is not None and str(c).strip() for c in row):
            headers = [_cell_text(c) or "" for c in row]
            break
    if headers is None:
        raise EmptyFile(name)
    cells: list[list[str]] = [[] for _ in headers]
    for row in rows:
        if not any(c is not None and str(c).strip() for c in row):
            continue
        for i in range(len(headers)):
            cells[i].append(_cell_text(row[i]) if i < len(row) else "")
    return Table([h.strip() for h in headers], [pa.array(c, pa.large_string()) for c in cells])


def _date_system(wb) -> int:
    """1904 for a workbook saved with the Mac date system (openpyxl reads its date cells with it already;
    numbers in a date column are read with it in parse.dates)."""
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    return 1904 if wb.epoch == CALENDAR_MAC_1904 else 1900


def _sheet_rows(ws, budget: Budget):
    """The sheet's rows that hold cells, each as wide as its last cell, streamed by openpyxl's own sheet parser.

    Not ``ws.iter_rows``: it trusts the sheet's <dimension> (A1:XFD1048576 padded every row to 16,384 cells)
    and yields every missing row (a million of them before a cell at row 1,048,576). Rows without cells
    hold no records, so skipping them changes nothing; each row's width is checked before it is padded."""
    from openpyxl.worksheet._reader import WorkSheetParser

    wb = ws.parent
    with ws._get_source() as src:
        parser = WorkSheetParser(src, ws._shared_strings, data_only=wb.data_only, epoch=wb.epoch,
                                 date_formats=wb._date_formats, timedelta_formats=wb._timedelta_formats)
        for _index, cells in parser.parse():
            width = max((c["column"] for c in cells), default=0)
            budget.row(width)
            row = [None] * width
            for c in cells:
                row[c["column"] - 1] = c["value"]
            yield row


def _check_zip(data: bytes, name: str, budget: Budget) -> None:
    """Refuse a zip bomb before openpyxl inflates it: by the sizes its members declare, then by what they
    actually inflate to (a declared size is the file's claim)."""
    limit = budget.limits.unzipped_bytes
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
            declared = sum(i.file_size for i in infos)
            if declared > limit:
                raise TooLarge(name, size=f"{declared // 2**20} MB", limit=f"{limit // 2**20} MB")
            if not any(i.filename == "xl/workbook.xml" for i in infos):
                raise NotASpreadsheet(name, reason="the archive has no xl/workbook.xml")
            actual = 0
            for info in infos:  # Python's zipfile also stops a member at its declared size (then fails its CRC)
                actual += _inflated_size(z, info, limit - actual, budget)
                if actual > limit:
                    break
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, NotImplementedError) as exc:
        raise NotASpreadsheet(name, reason=_short(exc)) from None
    if actual > limit:
        raise TooLarge(name, size=f"> {limit // 2**20} MB", limit=f"{limit // 2**20} MB")


def _inflated_size(z: zipfile.ZipFile, info: zipfile.ZipInfo, most: int, budget: Budget) -> int:
    """Bytes ``info`` inflates to, reading no further than just past ``most``."""
    size = 0
    with z.open(info) as member:
        while size <= most and (chunk := member.read(1 << 20)):
            size += len(chunk)
            budget.check_time()
    return size


def _cell_text(value) -> str:
    """Excel cell → the text a person would have typed. Dates (Excel stores them as numbers) become ISO."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def _short(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    return text.splitlines()[0][:200]


__all__ = ["Table", "read_table", "read_csv", "read_xlsx"]
