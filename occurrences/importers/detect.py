"""Tell an import file's format from its content (not its name, which users change)."""
from __future__ import annotations

import json
import zipfile
from pathlib import Path

from ..errors import FileProblem

KOBO_META = {"_uuid", "_id", "_submission_time", "meta/instanceID", "meta/rootUuid", "formhub/uuid", "KEY",
             "SubmissionDate", "instanceID", "__version__", "_index", "start", "end"}
GBIF_SIGNATURE = {"gbifID", "datasetKey"}  # every GBIF download (simple CSV, however re-saved) has both


def detect_format(path: str | Path) -> str:
    """One of ``dwca``, ``shp``, ``gpkg``, ``geojson``, ``fgb``, ``kml``, ``kobo-json``, ``kobo-csv``,
    ``gbif-csv``, or ``csv``/``xlsx`` (spreadsheets for ``occurrences.ingest``)."""
    path = Path(path)
    if path.is_dir():  # an unpacked Darwin Core Archive (the reader says so if it is not one)
        return "dwca"
    with open(path, "rb") as fh:
        head = fh.read(65536)
    if head.startswith(b"\x1f\x8b"):  # gzip: a .tgz Darwin Core Archive is the only compressed tar we take
        return "dwca"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as zf:
                names = [n.lower() for n in zf.namelist() if not _is_mac_file(n)]
        except (zipfile.BadZipFile, OSError, ValueError):
            return "xlsx"  # a damaged archive: the spreadsheet reader refuses it with a clear message
        if any(n == "meta.xml" or n.endswith("/meta.xml") for n in names):
            return "dwca"  # (also in one folder inside the zip, as people often zip them)
        if any(n.endswith(".shp") for n in names):
            return "shp"
        if "[content_types].xml" in names:  # Office Open XML: a workbook
            return "xlsx"
        if gbif_simple_csv_member(path) is not None:
            return "gbif-csv"  # GBIF's "simple CSV" download as GBIF delivers it: one tab-separated file, zipped
        if any(n.endswith((".csv", ".txt", ".tsv", ".tab")) for n in names):
            return "dwca"  # a simple Darwin Core Archive: one data file (and perhaps eml.xml)
        return "xlsx"
    if head.startswith(b"SQLite format 3\x00"):
        return "gpkg"
    if head.startswith(b"fgb\x03"):
        return "fgb"
    text = head.decode("utf-8", errors="ignore").lstrip("\ufeff \t\r\n")
    if text.startswith("<") and "<kml" in text[:2000]:
        return "kml"
    if text.startswith(("{", "[")):
        return _json_kind(path)
    header = text.split("\n", 1)[0].rstrip("\r")
    cells = {c.strip().strip('"') for sep in (",", ";", "\t") for c in header.split(sep)}
    return _table_kind(cells)


def gbif_simple_csv_member(path: str | Path) -> str | None:
    """The one data file of a zip that is a GBIF simple CSV download (header with gbifID and datasetKey), or
    None. Such a file is tab-separated without quoting although it is named .csv, so it must not be read as
    CSV (a quote in a locality would swallow the rows after it)."""
    try:
        with zipfile.ZipFile(path) as zf:
            data = [i for i in zf.infolist() if not i.is_dir() and not _is_mac_file(i.filename)
                    and not i.filename.lower().endswith(".xml")]
            if len(data) != 1 or not data[0].filename.lower().endswith((".csv", ".txt", ".tsv", ".tab")):
                return None
            with zf.open(data[0]) as fh:
                head = fh.read(65536)
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError):
        return None
    header = head.decode("utf-8", errors="ignore").lstrip("\ufeff").split("\n", 1)[0].rstrip("\r")
    return data[0].filename if GBIF_SIGNATURE <= set(header.split("\t")) else None


def _is_mac_file(name: str) -> bool:
    from .gbif import is_mac_file

    return is_mac_file(name)


def _table_kind(cells: set[str]) -> str:
    """A text table's source, by a signature of several columns (never one character): GBIF's download keys,
    KoboToolbox/ODK server metadata or group paths ending in a Darwin Core term; otherwise a spreadsheet (our
    template in any language, or Darwin Core headers) for ``occurrences.ingest``."""
    if GBIF_SIGNATURE <= cells:
        return "gbif-csv"
    if cells & KOBO_META or any(_is_group_path(c) for c in cells):
        return "kobo-csv"
    return "csv"


def _is_group_path(cell: str) -> bool:
    """``group/term`` (Kobo) or ``group-term`` (ODK Central) whose last part is a Darwin Core term, and which is
    not itself one of our form labels (the Vietnamese label "Tỉnh/Thành phố" contains a slash)."""
    from ..forms.headers import known_header
    from ..records import FIELD_NAMES

    if known_header(cell):
        return False
    for sep in ("/", "-"):
        head, _, last = cell.rpartition(sep)
        if head and last in FIELD_NAMES:
            return True
    return False


def _json_kind(path: Path) -> str:
    try:
        with open(path, encoding="utf-8-sig") as fh:
            doc = json.load(fh)
    except (ValueError, RecursionError) as exc:  # RecursionError: arrays nested thousands deep
        reason = "it is nested too deeply" if isinstance(exc, RecursionError) else str(exc).splitlines()[0][:200]
        raise FileProblem(name=path.name, reason=f"it is not valid JSON ({reason})") from None
    if isinstance(doc, dict) and doc.get("type") in ("FeatureCollection", "Feature"):
        return "geojson"
    return "kobo-json"
