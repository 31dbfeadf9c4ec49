"""Import pipeline: read a file → map headers (any language) → convert values → check quality → store, all or
nothing per file.

    read_table (read.py)   bytes → header row + Arrow text columns (CSV UTF-8/UTF-16, XLSX)
    map_headers (forms)    labels of six languages or Darwin Core terms → terms; language detected
    convert (convert.py)   parsers per column, each unique value once → canonical columns + sparse problems
    check_quality          the one place where data-quality checks (occurrences.quality) run
    store.add_many         one transaction, columns not row dicts

If any row has an error nothing is stored and :class:`ImportRejected` carries the per-row report. ``access``
(``Filters.access`` of who submits; the operator's CLI passes ``full``) bounds what the duplicate check compares
with: the records as that user may see them, so its answer says nothing about points they may not see. The web
form's single submissions go through the same path (:func:`submit_record`) so they get the same checks.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pyarrow as pa

from ..errors import ImportRejected
from ..forms import Form, load_form
from ..forms.headers import map_headers
from ..i18n import DEFAULT_LANGUAGE
from ..parse import Issues, Problem
from ..report import REJECTED, Report, RowResult
from ..store.access import OWN, PUBLIC, STATUSES, parse_access
from ..store.owners import ANONYMOUS_OWNER
from .convert import MAX_CELL, Batch, convert
from .problems import BrokenCharacter, DuplicateColumns, FileRejected, NoKnownColumns
from .encodings import ENCODING_LABELS
from .extras import EXTRA, extra_terms, occurrence_status, split_extras, unknown_column_warnings
from ..dwc_terms import canonical_term, extra_key
from .ids import fill_missing_ids
from .read import Table, read_table
from .rejects import is_reason_header

_SURROGATE = re.compile("[\ud800-\udfff]")
FIRST_DATA_ROW = 2  # the header is row 1, as in the spreadsheet the user sees
MAX_LISTED_COLUMNS = 10
# Columns of our own CSV export that are recomputed on import (year/month/day from eventDate), not kept.
BOOKKEEPING = frozenset({"year", "month", "day", "issues", "submittedBy", "submittedAt"})


@dataclass
class ImportResult:
    batch: Batch
    statuses: list[str]
    source: str | None = None
    first_row: int = FIRST_DATA_ROW
    stored: int = 0
    skipped: int = 0
    conflicts: int = 0
    rejected: int = 0  # rows given back (keep_valid); 0 otherwise, since any error refuses the whole file
    rejects: bytes | None = None  # those rows in the input's own format (see rejects.py)
    rejects_format: str | None = None  # "csv" or "xlsx"

    @property
    def language(self) -> str:
        return self.batch.lang

    @cached_property
    def report(self) -> Report:
        """Built on demand: a million stored rows should not cost a million objects unless someone asks."""
        return build_report(self.batch, self.statuses, self.source, self.first_row)


def import_file(store, path: str | Path, *, submitted_by: str = ANONYMOUS_OWNER, lang: str | None = None,
                dry_run: bool = False, access: str = PUBLIC, **kwargs) -> ImportResult:
    path = Path(path)
    return import_bytes(store, path.read_bytes(), path.name, submitted_by=submitted_by, lang=lang,
                        dry_run=dry_run, access=access, **kwargs)


def import_bytes(store, data: bytes, name: str, *, submitted_by: str = ANONYMOUS_OWNER, lang: str | None = None,
                 dry_run: bool = False, form: Form | None = None, checklist=None, encoding: str | None = None,
                 access: str = PUBLIC, keep_valid: bool = False, **store_options) -> ImportResult:
    """Import one CSV/XLSX file's content. ``lang``: the submission language; detected from headers if None.
    ``encoding``: a CSV's text encoding, when detection should not decide.

    Raises :class:`FileRejected` (the file cannot be read at all) or :class:`ImportRejected` (rows have errors;
    nothing stored, ``exc.report`` lists them). With ``keep_valid`` the valid rows are stored and the rejected
    ones come back in ``result.rejects`` (the input's format, encoding and headers, plus a reason column)."""
    form = form or load_form()
    table = read_table(data, name, encoding)
    if is_gbif_download(table.headers):
        return _import_gbif_table(store, table, name, submitted_by=submitted_by, lang=lang, dry_run=dry_run,
                                  access=access, **store_options)
    raw, detected, unknown = columns_by_term(table, name, form)
    if not raw or (len(unknown) == len(raw) and not any(canonical_term(h) for h in unknown)):
        raise NoKnownColumns(name, columns=", ".join(repr(h[:40]) for h in table.headers[:MAX_LISTED_COLUMNS]))
    raw = fill_missing_ids(raw, table.n_rows, submitted_by)  # the same file imported again: nothing new
    raw = _event_date_from_parts(raw, table)
    batch = validate(raw, table.n_rows, lang or detected or DEFAULT_LANGUAGE, form, checklist, store, access,
                     date_system=table.date_system)
    batch.headers = headers_by_term(table.headers, form)
    structural = [unknown_column_issues(unknown, table.n_rows)] if unknown else []
    structural += [Issues(np.array([row]), _one(Problem.of("ROW_TOO_SHORT", None, cells=cells,
                                                           expected=len(table.headers))))
                   for row, cells in table.short_rows.items()]
    if table.encoding and not encoding:  # a guess: every record says which code page it was read in
        structural.append(Issues.where(np.ones(table.n_rows, bool), Problem.of(
            "TEXT_ENCODING_ASSUMED", None, encoding=ENCODING_LABELS[table.encoding])))
    if structural:
        batch.issues = Issues.merge([batch.issues, *structural])
    if keep_valid and not batch.ok:
        return _store_valid_rows(store, batch, name, data, table, submitted_by=submitted_by, dry_run=dry_run,
                                 **store_options)
    return store_batch(store, batch, name, submitted_by=submitted_by, dry_run=dry_run, **store_options)


def is_gbif_download(headers: list[str]) -> bool:
    """A GBIF simple-CSV download however it was re-saved (comma CSV, XLSX): it keeps gbifID and datasetKey."""
    from ..importers.detect import GBIF_SIGNATURE

    return GBIF_SIGNATURE <= {h.strip() for h in headers}


def _import_gbif_table(store, table: Table, name: str, **options) -> ImportResult:
    """GBIF's interpreted columns (``species`` beside ``scientificName``, GBIF's vocabularies and issue flags)
    are read as GBIF's, not as a form's; GBIF downloads stay all or nothing, as ``occurrences import`` says."""
    from ..importers.common import import_interchange
    from ..importers.gbif import from_gbif_columns

    columns = dict(zip((h.strip() for h in table.headers), table.columns))
    return import_interchange(store, from_gbif_columns(columns, table.n_rows), name, **options)


def _event_date_from_parts(raw: dict, table: Table) -> dict:
    """eventDate built from year, month and day columns where it is empty or only a year (GBIF data re-saved
    as a spreadsheet, eBird's and other portals' exports with no eventDate column at all)."""
    from ..dwc_terms import current_term
    from ..importers.common import event_date_from_parts

    parts = {}
    for header, column in zip(table.headers, table.columns):
        term = current_term(header)
        if term in ("year", "month", "day"):
            parts.setdefault(term, column)
    if "year" not in parts:
        return raw
    return {**raw, "eventDate": event_date_from_parts(raw.get("eventDate"), parts["year"], parts.get("month"),
                                                      parts.get("day"))}


def _store_valid_rows(store, batch: Batch, name: str, data: bytes, table: Table, **options) -> ImportResult:
    """Store the rows without errors (one transaction) and give the others back in the input's own shape."""
    from .rejects import rejects_file

    bad = batch.error_rows
    valid = np.flatnonzero(~bad)
    part = store_batch(store, batch.take(valid), name, **options) if len(valid) else None
    statuses = np.full(batch.n, REJECTED, object)
    if part is not None:
        statuses[valid] = part.statuses
    result = ImportResult(batch, statuses.tolist(), name, FIRST_DATA_ROW, part.stored if part else 0,
                          part.skipped if part else 0, part.conflicts if part else 0, int(bad.sum()))
    result.rejects, result.rejects_format = rejects_file(data, table, result.report, batch.lang)
    return result


def columns_by_term(table: Table, name: str, form: Form) -> tuple[dict[str, pa.Array], str | None, list[str]]:
    """Header row → ({term: column}, detected language, unknown headers). Two columns filling one field
    refuse the file (which one would win is a guess). Columns that are no field of ours are kept under their
    Darwin Core term or their header (see ingest.extras); the returned unknown headers are those that are no
    Darwin Core term either (each a warning)."""
    mapping = map_headers(table.headers, form)
    for term, headers in mapping.duplicates.items():
        raise DuplicateColumns(name, columns=", ".join(repr(h) for h in headers), field=term)
    others = [(h, col) for h, t, col in zip(mapping.headers, mapping.terms, table.columns)
              if t is None and h.strip() not in BOOKKEEPING and (h.strip() or _has_values(col))
              and not is_reason_header(h)]
    raw = {t: col for t, col in zip(mapping.terms, table.columns) if t}
    for i, (header, col) in enumerate(others):
        key = extra_key(header) or f"column{i + 1}"
        if key in raw:  # the same term twice (institutionCode and dwc:institutionCode)
            raise DuplicateColumns(name, columns=repr(header), field=key)
        raw[key] = col
    return raw, mapping.language, [h for h, _ in others]


def headers_by_term(headers: list[str], form: Form) -> dict[str, str]:
    """term → the submitter's header for it, where the header is not the term itself."""
    mapping = map_headers(headers, form)
    return {t: h.strip() for h, t in zip(mapping.headers, mapping.terms) if t and h.strip() != t}


def _has_values(col: pa.Array) -> bool:
    import pyarrow.compute as pc

    return bool(pc.any(pc.greater(pc.utf8_length(pc.utf8_trim_whitespace(col)), 0)).as_py())


def _one(problem: Problem) -> np.ndarray:
    out = np.empty(1, object)
    out[0] = problem
    return out


def unknown_column_issues(unknown: list[str], n: int) -> Issues:
    """A warning per column that is neither a form label nor a Darwin Core term (its values are kept with the
    records, in ``extraTerms``): never a reason to refuse a file."""
    return unknown_column_warnings(unknown, n)


def validate(raw: dict, n: int, lang: str, form: Form | None = None, checklist=None, store=None,
             access: str = PUBLIC, date_system: int | None = None) -> Batch:
    """Convert and check; the returned batch says which rows have errors (nothing is stored here).
    With ``store``, records are also compared with the stored ones ``access`` may see, for duplicates.
    ``date_system``: an XLSX workbook's (1900 or 1904), for Excel serial numbers in date cells; None when
    unknown (CSV)."""
    form = form or load_form()
    raw, extras = split_extras(raw)
    batch = convert(raw, n, lang, form, checklist, date_system=date_system)
    _other_terms(batch, extras)
    existing = existing_candidates(store, batch.columns, n, access) if store is not None else None
    quality = _not_already_refused(check_quality(batch.columns, n, lang, existing), batch.issues)
    if len(quality):
        batch.issues = Issues.merge([batch.issues, quality])
    return batch


def _other_terms(batch: Batch, extras: dict) -> None:
    """occurrenceStatus read from its vocabulary, and the columns that are no field of ours kept as extra
    terms (nothing to do, and nothing spent, for the usual file that has none)."""
    status, problems = occurrence_status(batch.columns.get("occurrenceStatus"))
    found = [problems]
    if status is not None:
        batch.columns["occurrenceStatus"] = status
    if extras:
        batch.columns[EXTRA], cell_problems = extra_terms(extras, batch.n)
        batch.raw.update({k: v for k, v in extras.items() if isinstance(v, pa.Array)})
        found.append(cell_problems)
    if any(len(f.rows) for f in found):
        batch.issues = Issues.merge([batch.issues, *found])


_FIELD_GROUPS = {f: g for g, fields in {
    "coordinates": ("decimalLatitude", "decimalLongitude", "verbatimCoordinates", "verbatimLatitude",
                    "verbatimLongitude", "geodeticDatum", "coordinateUncertaintyInMeters"),
    "date": ("eventDate", "verbatimEventDate", "year"),
} .items() for f in fields}


def _not_already_refused(quality: Issues, parsed: Issues) -> Issues:
    """Drop quality findings about a value the parsers already refused in that row (a latitude that could not
    be read is not also "missing"): one clear message per mistake."""
    refused = {(int(row), _FIELD_GROUPS.get(p.field, p.field)) for row, p in parsed if p.severity == "error"}
    if not refused or not len(quality):
        return quality
    keep = np.array([(int(row), _FIELD_GROUPS.get(p.field, p.field)) not in refused for row, p in quality], bool)
    return Issues(quality.rows[keep], quality.problems[keep])


def check_quality(columns: dict[str, list], n: int, lang: str, existing=None) -> Issues:
    """The single place where data-quality checks run on canonical columns (geography, dates, duplicates).

    Runs :func:`occurrences.quality.check_batch` and returns its findings as per-row problems
    (:class:`~occurrences.parse.Issues`, 0-based rows): errors reject the batch, warnings are stored with the
    record. Where no country was given, the country derived from the coordinates is filled in ``columns``.
    ``existing``: stored records to look for duplicates among (see :func:`existing_candidates`)."""
    from ..quality import check_batch

    # Rows named inside messages ("duplicate of row N") are numbered as the user sees them, like the report.
    result = check_batch(columns, species_countries=_species_countries(), existing=existing, first_row=FIRST_DATA_ROW)
    derived = result.derived_country
    if n and any(d for d in derived):
        given = columns.get("countryCode") or [None] * n
        columns["countryCode"] = [g or d for g, d in zip(given, derived)]
    issues = _as_issues(result.sets)
    corrected = _apply_presumed_corrections(columns, result.sets)
    if len(corrected):
        issues = _recheck_corrected(columns, corrected, issues, existing)
    return issues


# A swapped or negated pair that the corrected reading puts in the declared country is stored corrected (the
# values as given stay in verbatimLatitude/verbatimLongitude) and sent to review, as GBIF interprets it.
REVIEW_CODES = frozenset({"PRESUMED_SWAPPED_COORDINATE", "PRESUMED_NEGATED_LATITUDE", "PRESUMED_NEGATED_LONGITUDE"})
_RECHECKED = ("decimalLatitude", "decimalLongitude", "countryCode", "eventDate", "year",
              "coordinateUncertaintyInMeters", "scientificName", "recordedBy")


def _as_issues(sets) -> Issues:
    parts = []
    for flag_set in sets:
        if not len(flag_set):
            continue
        problems = np.empty(len(flag_set), object)
        problems[:] = [Problem.of(f.code, f.field, **f.params) for f in flag_set.flags(0)]
        parts.append(Issues(np.asarray(flag_set.index, np.int64), problems))
    return Issues.merge(parts)


def _apply_presumed_corrections(columns: dict[str, list], sets) -> np.ndarray:
    """Put the corrected point of every presumed swap or negation into ``columns``; the rows corrected."""
    rows: set[int] = set()
    for flag_set in sets:
        if flag_set.code not in REVIEW_CODES or not len(flag_set) or not flag_set.suggestion:
            continue
        for term in ("decimalLatitude", "decimalLongitude"):
            values = list(columns[term])
            for row, value in zip(flag_set.index.tolist(), np.asarray(flag_set.suggestion[term]).tolist()):
                values[row] = value
            columns[term] = values
        rows.update(flag_set.index.tolist())
    return np.array(sorted(rows), np.int64)


def _recheck_corrected(columns: dict[str, list], rows: np.ndarray, issues: Issues, existing) -> Issues:
    """The corrected points checked again (province, places, duplicates…): their findings replace those of the
    point as given, except the presumed-correction flags themselves. Duplicates among corrected rows are numbered
    in the corrected subset only (rare: the same mistake twice in one file)."""
    from ..quality import check_batch

    picked = rows.tolist()
    subset = {t: [columns[t][i] for i in picked] for t in _RECHECKED if columns.get(t) is not None}
    again = check_batch(subset, species_countries=_species_countries(), existing=existing,
                        first_row=FIRST_DATA_ROW)
    redone = _as_issues(again.sets)
    on_corrected = np.isin(issues.rows, rows)
    keep = ~on_corrected | np.array([p.code in REVIEW_CODES for p in issues.problems], bool)
    return Issues.merge([Issues(issues.rows[keep], issues.problems[keep]),
                         Issues(rows[redone.rows], redone.problems)])


def review_rows(batch: Batch) -> np.ndarray:
    """Rows that go to review whatever the import's status: their point was corrected automatically."""
    return np.unique([row for row, p in batch.issues if p.code in REVIEW_CODES]).astype(np.int64)


def _species_countries():
    """Countries the checklist knows a species from; None (no check) where its range is not recorded."""
    from ..taxa import current

    checklist = current()

    def countries(name: str):
        try:
            return checklist.range(name)  # uncertain countries marked; a split name includes its parts' ranges
        except Exception:
            return None

    return countries


MAX_DUPLICATE_LOOKUP = 20_000  # rows; larger batches are checked for duplicates within themselves only


def existing_candidates(store, columns: dict[str, list], n: int, access: str = PUBLIC):
    """Stored records that could duplicate this batch (same species, dates within the batch's range), as the
    columns :func:`check_quality` takes; None when the batch is too large to look up cheaply.

    They are read as ``access`` sees them (accepted records, plus a submitter's own): a sensitive record of
    someone else is compared on its public, generalised point and a withheld one not at all, so that neither
    the warning ("N m apart") nor its absence, nor the time taken, depends on a point the submitter may not
    see (a grid of guessed points would otherwise find it to the metre)."""
    from ..store import Filters

    if n == 0 or n > MAX_DUPLICATE_LOOKUP or not hasattr(store, "iter_records"):
        return None
    names = sorted({v for v in columns.get("scientificName") or [] if v})
    starts = sorted(str(v).split("/")[0] for v in columns.get("eventDate") or [] if v)
    if not names or not starts:
        return None
    try:
        from ..records import date_bounds

        window = (date_bounds(starts[0])[0], date_bounds(starts[-1])[1])
    except Exception:
        return None
    keys = ("scientificName", "eventDate", "decimalLatitude", "decimalLongitude", "recordedBy", "occurrenceID")
    out = {k: [] for k in keys}
    statuses = list(STATUSES) if parse_access(access)[0] == OWN else ["accepted"]
    for rec in store.iter_records(Filters(scientificName=names, eventDate=window, access=access, status=statuses)):
        for k in keys:
            out[k].append(rec.get(k))
    return out if out["occurrenceID"] else None


def store_batch(store, batch: Batch, source: str | None, *, submitted_by: str, dry_run: bool = False,
                first_row: int = FIRST_DATA_ROW, **store_options) -> ImportResult:
    if not batch.ok:
        raise ImportRejected(build_report(batch, None, source, first_row))
    columns = {**batch.columns, "issues": stored_issue_codes(batch)}
    if dry_run:
        return ImportResult(batch, ["valid"] * batch.n, source, first_row)
    review = review_rows(batch)
    if len(review) and store_options.get("status", "pending") != "pending":
        statuses = [store_options["status"]] * batch.n
        for row in review.tolist():
            statuses[row] = "pending"
        store_options = {**store_options, "status": statuses}
    added = store.add_many(columns, submitted_by=submitted_by, **store_options)
    return ImportResult(batch, added.statuses, source, first_row, added.stored, added.skipped, added.conflicts)


def stored_issue_codes(batch: Batch) -> list:
    """Per row, the codes of the (non-error) problems to keep with the record: [] for most rows."""
    codes: list = [None] * batch.n
    for row, problem in batch.issues:
        if codes[row] is None:
            codes[row] = []
        if problem.code not in codes[row]:
            codes[row].append(problem.code)
    return codes


def build_report(batch: Batch, statuses: list[str] | None, source: str | None,
                 first_row: int = FIRST_DATA_ROW) -> Report:
    """One :class:`RowResult` per row: status and flags (code, field, original value, params)."""
    report = Report(language=batch.lang, source=source)
    errors = batch.error_rows
    ids = batch.columns.get("occurrenceID") or [None] * batch.n
    report.rows = [RowResult(row=i + first_row, status=statuses[i] if statuses else ("rejected" if errors[i]
                             else "valid"), occurrenceID=ids[i]) for i in range(batch.n)]
    for row, problem in batch.issues:
        flag = problem.to_flag(row + first_row, _original(batch, problem.field, row))
        flag.column = batch.headers.get(flag.field)
        report.rows[row].flags.append(flag)
    for r in report.rows:
        if r.has_errors:
            r.status = REJECTED
    return report


def _original(batch: Batch, term: str | None, row: int):
    arr = batch.raw.get(term)
    if arr is None:
        return None
    value = arr[row].as_py()
    if isinstance(value, str) and len(value) > 80:
        return value[:80] + f"… ({len(value)} characters)"
    return value


def submit_record(store, values: dict, *, lang: str, submitted_by: str, access: str = "full",
                  **store_options) -> dict:
    """One web/API submission (values as typed, keyed by term) → the stored record as ``access`` sees it;
    raises ImportRejected whose report has one row (row number 1) listing each field's problems."""
    for term, v in values.items():
        broken = _SURROGATE.search(v) if isinstance(v, str) else None
        if broken:
            raise BrokenCharacter(field=term, character=f"U+{ord(broken[0]):04X}")
    raw = {term: pa.array(["" if v is None else str(v)], pa.large_string()) for term, v in values.items()}
    batch = validate(raw, 1, lang, store=store, access=access)
    store_batch(store, batch, None, submitted_by=submitted_by, first_row=1, **store_options)
    return store.get(batch.columns["occurrenceID"][0], access=access)


__all__ = ["ImportResult", "import_file", "import_bytes", "validate", "check_quality", "store_batch",
           "build_report", "submit_record", "columns_by_term", "FileRejected", "MAX_CELL"]
