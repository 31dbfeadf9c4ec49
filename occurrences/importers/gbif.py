"""GBIF occurrence downloads (and any Darwin Core Archive, our own exports included).

* "Simple CSV" downloads (zipped as GBIF delivers them, or not): tab-separated, GBIF's interpreted columns
  (``gbifID``, ``species``, ``issue`` …); older ones unquoted, recent ones quoting a cell that holds quotes.
* Darwin Core Archive downloads: ``meta.xml`` + ``occurrence.txt`` read with python-dwca-reader (media
  extensions → ``associatedMedia``); other publishers' archives too, Darwin Core 1.4-era ones and macOS zips
  included.

GBIF's own quality flags (the ``issue`` column, ``;``-separated) are kept beside ours in ``issues``, each
prefixed ``gbif:`` (``gbif:COORDINATE_ROUNDED``) so the two vocabularies never collide; our own exports'
``issues`` column (``|``-separated codes) is kept as it is. Absence records (``occurrenceStatus`` ABSENT) are
stored as absences (left out of maps and ranges unless asked for). Every other column is kept per record as
an extra term (``extraTerms``).
"""
from __future__ import annotations

import contextlib
import shutil
import tarfile
import tempfile
import zipfile
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ..dwc_terms import canonical_term
from ..errors import FileProblem
from .common import (Interchange, core_id_as_occurrence_id, current_names, event_date_from_parts, prefixed,
                     split_issues, submittable, text)

GBIF_PREFIX = "gbif:"
BASIS = {  # GBIF's BasisOfRecord enumeration → Darwin Core's
    "HUMAN_OBSERVATION": "HumanObservation", "MACHINE_OBSERVATION": "MachineObservation",
    "PRESERVED_SPECIMEN": "PreservedSpecimen", "MATERIAL_SAMPLE": "MaterialSample",
    "MATERIAL_CITATION": "MaterialCitation", "LIVING_SPECIMEN": "LivingSpecimen", "OCCURRENCE": "Occurrence",
    "OBSERVATION": "HumanObservation", "LITERATURE": "MaterialCitation", "FOSSIL_SPECIMEN": "FossilSpecimen",
    "UNKNOWN": "Occurrence",  # GBIF's value before 2021, replaced by OCCURRENCE (downloads of that time have it)
}
GBIF_OCCURRENCE_PAGE = "https://www.gbif.org/occurrence/"


def read_simple_csv(path: Path, progress=None) -> Interchange:
    """A GBIF "simple CSV" download: as GBIF delivers it (the .csv zipped) or unzipped, tab-separated (split on
    tabs alone; see :func:`_unquoted` for quotes), or re-saved by a spreadsheet (comma- or semicolon-separated,
    quoted, perhaps in a legacy encoding or as XLSX), which is read like any spreadsheet."""
    if zipfile.is_zipfile(path):  # the download as GBIF delivers it: the .csv zipped
        from .detect import gbif_simple_csv_member

        member = gbif_simple_csv_member(path)
        if member is None:  # (detect_format says gbif-csv only for a zip that holds one)
            return read_dwca(path, progress)
        with zipfile.ZipFile(path) as zf, zf.open(member) as fh:
            head = fh.read(65536)
            fh.seek(0)  # (a zip member seeks too: back to its start)
            return _read_simple_csv(fh, path.name, head, lambda: zf.read(member), progress)
    with open(path, "rb") as fh:
        head = fh.read(65536)
    return _read_simple_csv(str(path), path.name, head, path.read_bytes, progress)


def _read_simple_csv(source, name: str, head: bytes, whole, progress) -> Interchange:
    """``source``: the file's path, or a binary file at its start (a zipped download's member); ``head``: its
    first bytes; ``whole()``: all of them, for a re-saved download read as a spreadsheet."""
    first_line = head.split(b"\n", 1)[0]
    if b"\t" not in first_line:
        from ..ingest.read import read_table

        table = read_table(whole(), name)
        if progress:
            progress(table.n_rows)
        return from_gbif_columns(dict(zip(table.headers, table.columns)), table.n_rows)
    # Every column as text: inferring types turned "2024-02-18T17:59:05" into "2024-02-18 17:59:05" and would
    # drop a catalogue number's leading zeros.
    names = first_line.decode("utf-8", errors="replace").lstrip("\ufeff").rstrip("\r").split("\t")
    try:
        table = pacsv.read_csv(source, parse_options=pacsv.ParseOptions(delimiter="\t", quote_char=False),
                               convert_options=pacsv.ConvertOptions(
                                   strings_can_be_null=True, column_types=dict.fromkeys(names, pa.large_string())),
                               read_options=pacsv.ReadOptions(block_size=1 << 24))
    except pa.ArrowInvalid as exc:
        raise FileProblem(name=name, reason=str(exc)) from None
    columns = {name: _unquoted(text(table.column(name))) for name in table.column_names}
    if progress:
        progress(table.num_rows)
    return from_gbif_columns(columns, table.num_rows)


# A cell quoted CSV-style: wrapped in quotes, with the quotes inside doubled (at least one pair).
QUOTED_CELL = r'^"(?:[^"]|"")*""(?:[^"]|"")*"$'


def _unquoted(column: pa.Array) -> pa.Array:
    """GBIF's simple CSV is split on tabs alone (older downloads wrote a quote as any other character, so a
    cell may start with one and never close it), but recent ones quote a cell that holds quotes, CSV-style:
    wrapped in quotes, those inside doubled. Such cells are unquoted. A cell merely starting and ending with
    a quote (``"Khao Yai"``) is kept as written. Costs one substring search per column without doubled
    quotes."""
    if not pc.any(pc.match_substring(column, '""')).as_py():
        return column
    quoted = pc.fill_null(pc.match_substring_regex(column, QUOTED_CELL), False)
    inner = pc.replace_substring(pc.utf8_slice_codeunits(column, 1, -1), '""', '"')
    return pc.if_else(quoted, inner, column)


def read_dwca(path: Path, progress=None) -> Interchange:
    """The core of a Darwin Core Archive (GBIF download or any publisher's, ours included): zipped, as a .tgz or
    unpacked in a directory; with meta.xml, or a "simple" archive of one data file whose header names the
    terms. An archive python-dwca-reader finds invalid (meta.xml naming a file that is not there, more fields
    declared than the data has, a simple archive with stray files) is refused, saying why."""
    from dwca.exceptions import InvalidArchive, InvalidSimpleArchive, NotADataFile
    from dwca.read import DwCAReader

    from .safexml import check_archive_xml

    check_unpacked_size(path)  # before anything unpacks it: python-dwca-reader extracts every member to disk
    check_archive_xml(path)  # before the standard library's parser inside DwCAReader sees it
    _check_extensions(path)
    try:
        with without_mac_files(path) as usable, DwCAReader(str(usable)) as archive:
            declared = set()  # the terms meta.xml names: each is what its publisher says, however unusual
            if archive.descriptor is None:
                values, n = _core_values(archive, progress, lambda key: canonical_term(key) or key)
            else:
                core = archive.descriptor.core
                occurrences = _occurrence_extension(archive) if core.type.rstrip("/").endswith("/Event") else None
                if occurrences is not None:  # a sampling-event dataset: one record per occurrence row
                    values, n = _event_occurrences(archive, occurrences, progress)
                    declared = {_short(t) for d in (core, occurrences.file_descriptor) for t in d.terms
                                if not t.startswith(UNDEFINED_COLUMN)}
                elif not is_occurrence_core(core.type):
                    raise FileProblem(name=path.name, reason=f"its core is {core.type.rsplit('/', 1)[-1]} "
                                      "records, not Occurrence records: it is not an occurrence dataset")
                else:
                    values, n = _core_values(archive, progress, _short)
                    declared = {_short(t) for t in core.terms if not t.startswith(UNDEFINED_COLUMN)}
                    media = _media_by_core_id(archive)
                    if media and "id" in values:
                        values["associatedMedia"] = _associated_media(values.get("associatedMedia"), values["id"],
                                                                      media)
    except (InvalidArchive, InvalidSimpleArchive, NotADataFile) as exc:
        raise FileProblem(name=path.name, reason=f"it is not a valid Darwin Core Archive: {exc}") from None
    except (OSError, KeyError, IndexError, ValueError, UnicodeDecodeError) as exc:  # a file it names is absent,
        # a row shorter than meta.xml says, text that is not in the declared encoding
        reason = f"{type(exc).__name__}: {str(exc)[:200]}"
        raise FileProblem(name=path.name, reason=f"it is not a valid Darwin Core Archive ({reason})") from None
    columns = {k: pa.array(v, pa.large_string()) for k, v in values.items()}
    if "gbifID" in columns:
        columns.pop("id", None)  # (GBIF's id is the gbifID)
        data = from_gbif_columns(columns, n)
    else:
        columns = core_id_as_occurrence_id(current_names(columns))
        if "year" in columns:
            columns["eventDate"] = event_date_from_parts(columns.get("eventDate"), columns["year"],
                                                         columns.get("month"), columns.get("day"))
        issues = split_issues(columns.get("issues"), "|")
        kept, unknown = submittable(columns)
        data = Interchange(kept, n, issues, unknown)
    data.unknown = [name for name in data.unknown if name not in declared]
    return data


def _occurrence_extension(archive):
    """The Occurrence extension of an Event-core archive, or None."""
    return next((e for e in archive.extension_files
                 if (e.file_descriptor.type or "").rstrip("/").endswith("/Occurrence")), None)


def _event_occurrences(archive, occurrences, progress) -> tuple[dict[str, list], int]:
    """A sampling-event archive (Event core, Occurrence extension: camera-trap and survey datasets) as one
    record per occurrence row: the row's own terms, and its event's (eventDate, place, coordinates, protocol…)
    where the row leaves them empty. Events without occurrences give none; a row whose event is absent keeps
    its own terms only. (Parent events, ``parentEventID``, are not looked up.)"""
    events: dict[str, dict[str, str]] = {}
    for row in archive:
        events[row.id] = {_short(k): v for k, v in row.data.items() if v}
    rows: list[dict[str, str]] = []
    for row in occurrences.iter_rows():
        record = dict(events.get(row.core_id, {}))
        record.update({_short(k): v for k, v in row.data.items() if v})
        rows.append(record)
        if progress and len(rows) % 10_000 == 0:
            progress(10_000)
    if progress:
        progress(len(rows) % 10_000)
    names = list(dict.fromkeys(name for record in rows for name in record))
    return {name: [record.get(name) for record in rows] for name in names}, len(rows)


UNDEFINED_COLUMN = "urn:occurrences:terms:column:"  # our exports' IRI for a column nobody defined
# Extensions whose rows are media of a core record, and the term holding each one's address: GBIF's Multimedia
# (and its older Simple Image), Audubon Core.
MEDIA_ROW_TYPES = ("http://rs.gbif.org/terms/1.0/Multimedia", "http://rs.gbif.org/terms/1.0/Image",
                   "http://rs.tdwg.org/ac/terms/Multimedia")
MEDIA_TERMS = ("http://purl.org/dc/terms/identifier", "http://rs.tdwg.org/ac/terms/accessURI",
               "http://purl.org/dc/elements/1.1/identifier")


def _media_by_core_id(archive) -> dict[str, list[str]]:
    """Core id → the addresses of its media, from the archive's media extensions (empty when it has none)."""
    media: dict[str, list[str]] = {}
    for extension in archive.extension_files:
        if extension.file_descriptor.type not in MEDIA_ROW_TYPES:
            continue
        for row in extension.iter_rows():
            address = next((v.strip() for t in MEDIA_TERMS if (v := row.data.get(t)) and v.strip()), None)
            if address and address not in media.get(row.core_id, ()):
                media.setdefault(row.core_id, []).append(address)
    return media


def _associated_media(given: list | None, ids: list, media: dict[str, list[str]]) -> list:
    """associatedMedia per core row: as the core gives it, else its media's addresses (`` | ``-separated, as
    Darwin Core recommends for lists)."""
    given = given or [None] * len(ids)
    return [g if g and g.strip() else (" | ".join(media[i]) if i in media else None) for g, i in zip(given, ids)]


def _check_extensions(path: Path) -> None:
    """Every extension of meta.xml names the column linking its rows to the core (``<coreid index="0"/>``);
    without it python-dwca-reader stops with a TypeError, so the archive is refused here, saying which."""
    from defusedxml.ElementTree import fromstring

    from ..ingest.problems import ExtensionWithoutCoreId
    from .safexml import archive_descriptor

    descriptor = archive_descriptor(path)
    if descriptor is None:
        return
    root = fromstring(descriptor)  # (already checked by check_archive_xml)
    for extension in root.iter():
        if extension.tag.rsplit("}", 1)[-1] != "extension":
            continue
        coreid = next((e for e in extension if e.tag.rsplit("}", 1)[-1] == "coreid"), None)
        index = (coreid.get("index") or "").strip() if coreid is not None else ""
        if not index.isdigit():
            location = next((e.text for e in extension.iter() if e.tag.rsplit("}", 1)[-1] == "location"), "")
            raise ExtensionWithoutCoreId(path.name, file=(location or "?").strip())


# Core row types of occurrence records besides dwc:Occurrence: archives of the Darwin Core 1.4 era (2008-2009,
# the first IPT and GBIF's early tools) declared the whole record as one class, under the names of that time.
OLD_OCCURRENCE_CORES = ("http://rs.tdwg.org/dwc/terms/DarwinCore", "http://rs.tdwg.org/dwc/terms/DarwinCoreRecord",
                        "http://rs.tdwg.org/dwc/terms/SimpleDarwinRecord")
OLD_OCCURRENCE_NAMESPACES = ("http://rs.tdwg.org/dwc/xsd/simpledarwincore/", "http://rs.tdwg.org/dwc/dwcore/",
                             "http://digir.net/schema/conceptual/darwin/")


def is_occurrence_core(row_type: str | None) -> bool:
    """True for dwc:Occurrence and for the Darwin Core 1.4 era's names of a whole occurrence record."""
    row_type = (row_type or "").strip()
    return (row_type.rstrip("/").endswith("/Occurrence") or row_type.rstrip("/") in OLD_OCCURRENCE_CORES
            or row_type.startswith(OLD_OCCURRENCE_NAMESPACES))


def is_mac_file(name: str) -> bool:
    """What macOS's Finder adds when it zips a folder: ``__MACOSX/`` (resource forks) and ``._name`` files
    (AppleDouble), never data; ``.DS_Store`` likewise."""
    parts = name.replace("\\", "/").strip("/").split("/")
    return parts[0] == "__MACOSX" or parts[-1].startswith("._") or parts[-1] == ".DS_Store"


# What an archive may unpack to (the same bound as a Camtrap DP package's): a GBIF download of a few million
# records fits; a zip bomb does not reach the disk.
ARCHIVE_UNPACKED_LIMIT = 4 * 2**30


def check_unpacked_size(path: Path, limit: int | None = None) -> None:
    """Refuse an archive whose members add up to more than ``limit`` bytes. The sizes a zip declares are what
    Python's zipfile extracts at most (a member longer than it says fails its CRC), and a tar's headers give
    each member's exact size; a tar is read only as far as the limit."""
    from ..ingest.problems import TooLarge

    limit = ARCHIVE_UNPACKED_LIMIT if limit is None else limit
    if path.is_dir():
        return
    total = 0
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            total = sum(m.file_size for m in zf.infolist())
    elif tarfile.is_tarfile(path):
        with tarfile.open(path) as tf:
            for member in tf:
                total += member.size
                if total > limit:
                    break
    if total > limit:
        raise TooLarge(path.name, size=f"> {limit // 2**20} MB", limit=f"{limit // 2**20} MB")


@contextlib.contextmanager
def without_mac_files(path: Path):
    """``path`` itself, or, for a zip or tar holding macOS's extra files, a copy without them
    (python-dwca-reader would count them as data files, or as a second folder beside the archive's)."""
    if path.is_dir():
        yield path
    elif zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            members = zf.infolist()
            if not any(is_mac_file(m.filename) for m in members):
                yield path
                return
            with tempfile.TemporaryDirectory(prefix="occ-dwca-") as tmp:
                copy = Path(tmp) / path.name
                with zipfile.ZipFile(copy, "w", zipfile.ZIP_DEFLATED) as out:
                    for member in members:
                        if is_mac_file(member.filename) or member.is_dir():
                            continue
                        with zf.open(member) as src, out.open(member.filename, "w", force_zip64=True) as dst:
                            shutil.copyfileobj(src, dst, 1 << 20)
                yield copy
    elif tarfile.is_tarfile(path):
        with tarfile.open(path) as tf:
            members = tf.getmembers()
            if not any(is_mac_file(m.name) for m in members):
                yield path
                return
            with tempfile.TemporaryDirectory(prefix="occ-dwca-") as tmp:
                copy = Path(tmp) / path.name
                with tarfile.open(copy, "w:gz") as out:
                    for member in members:  # regular files only (no links, devices or macOS files)
                        if member.isfile() and not is_mac_file(member.name):
                            out.addfile(member, tf.extractfile(member))
                yield copy
    else:
        yield path


def _core_values(archive, progress, name_of) -> tuple[dict[str, list], int]:
    """The core rows as {our column name: values}; ``name_of`` turns a reader's key (a term IRI, or a simple
    archive's header) into the column name."""
    values: dict[str, list] = {}
    keys: list[tuple[str, str]] | None = None
    n = 0
    for row in archive:
        data = row.data
        if keys is None:  # one column per name: the first of two terms sharing a name (dc: and dcterms:) wins
            named = {}
            for key in data:
                named.setdefault(name_of(key), key)
            keys = [(key, name) for name, key in named.items()]
            values = {name: [] for _, name in keys}
            with_id = row.id is not None and "id" not in values  # meta.xml's <id> column (not a field)
            if with_id:
                values["id"] = []
        for key, name in keys:
            values[name].append(data.get(key) or None)
        if with_id:
            values["id"].append(row.id or None)
        n += 1
        if progress and n % 10_000 == 0:
            progress(10_000)
    if progress:
        progress(n % 10_000)
    return values, n


def _short(term: str) -> str:
    """A field's term IRI → its name (``urn:occurrences:terms:column:Foo%20Bar``, our export of a column
    nobody defined, → ``Foo Bar``)."""
    from urllib.parse import unquote

    return unquote(term.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1])


def from_gbif_columns(columns: dict[str, pa.Array], n: int) -> Interchange:
    """GBIF's interpreted columns → ours, vectorized."""
    col = lambda name: columns.get(name)  # noqa: E731
    out = dict(columns)
    out["scientificName"] = _scientific_name(col("scientificName"), col("species"), col("taxonRank"))
    if col("taxonRank") is not None:
        out["taxonRank"] = pc.utf8_lower(col("taxonRank"))
    if col("basisOfRecord") is not None:
        out["basisOfRecord"] = _map(col("basisOfRecord"), BASIS)
    if col("year") is not None:  # records dated to a month: eventDate empty, or the year alone
        out["eventDate"] = event_date_from_parts(col("eventDate"), col("year"), col("month"), col("day"))
        col = lambda name: out.get(name)  # noqa: E731
    if col("eventDate") is not None:  # GBIF adds times (2019-03-15T00:00:00); our dates are days
        # (only after an ISO date: "Tue Apr 01 00:00:00 CET 1930", a 2013 download's Java date, starts with T)
        out["eventDate"] = pc.replace_substring_regex(col("eventDate"), r"(\d{4}-\d{2}-\d{2})T[^/]*", r"\1")
    if col("gbifID") is not None:
        page = prefixed(GBIF_OCCURRENCE_PAGE, col("gbifID"))
        given = col("occurrenceID")
        out["occurrenceID"] = page if given is None else pc.if_else(
            pc.fill_null(pc.greater(pc.utf8_length(given), 0), False), given, page)
    issues = split_issues(col("issue"), ";", GBIF_PREFIX)
    # GBIF's many other columns (keys, higher taxa, institutionCode...) are kept as extra terms; its issue
    # flags are already in ``issues``.
    kept, unknown = submittable(out, ignore={"issue"})
    return Interchange({k: v.cast(pa.large_string()) for k, v in kept.items()}, n, issues, unknown)


def _scientific_name(name, species, rank):
    """GBIF's scientificName carries the authorship ("Paguma larvata (C.E.H.Smith, 1827)"); for species the
    ``species`` column is the bare name we store."""
    if species is None or rank is None:
        return name
    use_species = pc.fill_null(pc.and_(pc.equal(pc.utf8_upper(rank), "SPECIES"),
                                       pc.greater(pc.utf8_length(species), 0)), False)
    return species if name is None else pc.if_else(use_species, species, name)


def _map(column: pa.Array, mapping: dict[str, str]) -> pa.Array:
    keys = pa.array(list(mapping), pa.large_string())
    values = pa.array(list(mapping.values()), pa.large_string())
    index = pc.index_in(pc.utf8_upper(column), value_set=keys)
    return pc.coalesce(pc.take(values, index), column)


__all__ = ["read_simple_csv", "read_dwca", "from_gbif_columns", "GBIF_PREFIX"]
