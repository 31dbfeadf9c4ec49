"""What every importer produces, and the one step that validates and stores it."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import ImportRejected
from ..dwc_terms import canonical_term, extra_key
from ..records import SUBMITTABLE

# Derived or bookkeeping columns found in exports (ours and GBIF's): recomputed on import, never read.
DERIVED = {"year", "month", "day", "issues", "submittedBy", "submittedAt", "fid", "Name", "Description"}


@dataclass
class Interchange:
    """A source file as Darwin Core text columns (``large_string``), all of length ``n``."""

    columns: dict[str, pa.Array]
    n: int
    # Per row, codes the source attached (GBIF's flags as ``gbif:CODE``, our own issues column), or None.
    issues: list[list[str] | None] | None = None
    unknown: list[str] = field(default_factory=list)  # source columns that are neither Darwin Core nor known
    notes: list[str] = field(default_factory=list)  # what was left out and why (e.g. absence records)
    lang: str | None = None


def text(values) -> pa.Array:
    """Any Arrow array or list → large_string text; floats keep every digit."""
    arr = values if isinstance(values, (pa.Array, pa.ChunkedArray)) else pa.array(values)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if pa.types.is_floating(arr.type):
        arr = pa.array([None if v is None else repr(v) for v in arr.to_pylist()], pa.large_string())
    return arr.cast(pa.large_string())


def prefixed(prefix: str, column: pa.Array) -> pa.Array:
    """``prefix + value`` for each value (null stays null)."""
    column = column.cast(pa.large_string())
    empty = pa.scalar("", pa.large_string())
    return pc.binary_join_element_wise(pa.scalar(prefix, pa.large_string()), column, empty)


def split_issues(column: pa.Array | None, separator: str, prefix: str = "") -> list[list[str] | None] | None:
    if column is None:
        return None
    out: list[list[str] | None] = []
    for value in column.to_pylist():
        codes = [prefix + c.strip() for c in (value or "").split(separator) if c.strip()]
        out.append(codes or None)
    return out


def submittable(columns: dict[str, pa.Array], ignore=frozenset()) -> tuple[dict[str, pa.Array], list[str]]:
    """The Darwin Core terms a submission may set, and every other column (bookkeeping ones and ``ignore``
    aside) under its Darwin Core term or its own name, for ``ingest.validate`` to keep as extra terms. Also
    returns the columns that are no known term (each a warning)."""
    keep = {k: text(v) for k, v in columns.items() if k in SUBMITTABLE}
    others = [k for k in columns if k not in SUBMITTABLE and k not in DERIVED and k not in ignore]
    for name in others:
        keep.setdefault(extra_key(name), text(columns[name]))
    return keep, [k for k in others if canonical_term(k) is None and k != "extraTerms"]


def current_names(columns: dict[str, pa.Array]) -> dict[str, pa.Array]:
    """Columns under the current spelling of their term: other capitalisations (``ScientificName``) and the
    old names of Darwin Core 1.4 and DiGIR (``EarliestDateCollected`` → ``eventDate``, ``Collector`` →
    ``recordedBy``). A column is renamed only when no other column already has that name (the current one
    wins; the old one stays an extra term)."""
    from ..dwc_terms import current_term

    out: dict[str, pa.Array] = {}
    renamed = {}
    for name in columns:
        term = current_term(name)
        if term and term != name and term not in columns and term not in renamed.values():
            renamed[name] = term
    for name, column in columns.items():
        out[renamed.get(name, name)] = column
    return out


def core_id_as_occurrence_id(columns: dict[str, pa.Array]) -> dict[str, pa.Array]:
    """A Darwin Core Archive's core ``id`` (meta.xml's ``<id>`` column, or a simple archive's ``id`` header)
    identifies the record in its publisher's data: it is the occurrenceID where that is absent or empty. The
    ``id`` column itself is then not kept (it is the occurrenceID, or the same value)."""
    columns = dict(columns)
    core_id = columns.pop("id", None)
    if core_id is None:
        return columns
    core_id = text(core_id)
    given = columns.get("occurrenceID")
    if given is None:
        columns["occurrenceID"] = core_id
    else:
        given = text(given)
        filled = pc.fill_null(pc.greater(pc.utf8_length(pc.utf8_trim_whitespace(given)), 0), False)
        columns["occurrenceID"] = pc.if_else(filled, given, core_id)
    return columns


def event_date_from_parts(event_date, year, month=None, day=None):
    """eventDate where it is empty, or less precise than the year, month and day columns say (GBIF leaves
    eventDate empty, or gives the year alone, for records dated to a month): ``2019``, ``2019-03`` or
    ``2019-03-15`` from those columns. Vectorized; None when there is no year column. A given eventDate that
    the parts do not extend (another date, an interval) is kept as it is."""
    if year is None:
        return event_date
    trim = lambda column: pc.utf8_trim_whitespace(text(column))  # noqa: E731
    digits = lambda column, pattern: pc.fill_null(pc.match_substring_regex(column, pattern), False)  # noqa: E731
    pad = lambda column: pc.utf8_lpad(column, 2, "0")  # noqa: E731
    dash = pa.scalar("-", pa.large_string())
    y = trim(year)
    has_y = digits(y, r"^\d{4}$")
    built = pc.if_else(has_y, y, pa.scalar(None, pa.large_string()))
    has_m = pa.array(np.zeros(len(y), bool))
    if month is not None:
        m = trim(month)
        has_m = pc.and_(has_y, digits(m, r"^\d{1,2}$"))
        built = pc.if_else(has_m, pc.binary_join_element_wise(built, pad(m), dash), built)
    if month is not None and day is not None:
        d = trim(day)
        has_d = pc.and_(has_m, digits(d, r"^\d{1,2}$"))
        built = pc.if_else(has_d, pc.binary_join_element_wise(built, pad(d), dash), built)
    if event_date is None:
        return built
    given = trim(event_date)
    length = pc.fill_null(pc.utf8_length(given), 0)
    longer = pc.fill_null(pc.greater(pc.utf8_length(built), length), False)
    same_year = pc.and_kleene(pc.equal(length, 4), pc.equal(given, pc.utf8_slice_codeunits(built, 0, 4)))
    same_month = pc.and_kleene(pc.equal(length, 7), pc.equal(given, pc.utf8_slice_codeunits(built, 0, 7)))
    prefix = pc.or_kleene(pc.equal(length, 0), pc.or_kleene(same_year, same_month))
    use = pc.and_(longer, pc.fill_null(prefix, False))
    return pc.if_else(use, built, text(event_date))


def rows_where(mask: np.ndarray, data: Interchange) -> Interchange:
    """Only the rows where ``mask`` is true (e.g. presence records)."""
    keep = pa.array(mask)
    issues = [v for v, k in zip(data.issues, mask) if k] if data.issues is not None else None
    return Interchange({k: pc.filter(v, keep) for k, v in data.columns.items()}, int(mask.sum()), issues,
                       data.unknown, data.notes, data.lang)


def import_interchange(store, data: Interchange, source: str, *, submitted_by: str, lang: str | None = None,
                       dry_run: bool = False, access: str = "public", stored_columns: dict | None = None,
                       **store_options):
    """Validate like every other import (``ingest.validate``, duplicates among what ``access`` may see), keep
    the source's issue codes beside ours, and store all or nothing. ``stored_columns`` go to the store beside
    the validated ones, row for row (e.g. a ``sensitivity`` per record: a camera station that detected a
    sensitive species generalises every record it made)."""
    from ..i18n import DEFAULT_LANGUAGE
    from ..ingest import ImportResult, build_report, stored_issue_codes, unknown_column_issues, validate
    from ..parse import Issues

    language = lang or data.lang or DEFAULT_LANGUAGE
    raw = dict(data.columns)
    if "language" in raw:  # validate() sets the submission language; a per-record language column wins
        record_language = raw.pop("language")
    else:
        record_language = None
    batch = validate(raw, data.n, language, store=store, access=access)
    if data.unknown:
        batch.issues = Issues.merge([batch.issues, unknown_column_issues(data.unknown, data.n)])
    if not batch.ok:
        raise ImportRejected(build_report(batch, None, source))
    if record_language is not None:
        batch.columns["language"] = [v or language for v in record_language.to_pylist()]
    issues = stored_issue_codes(batch)
    for i, extra in enumerate(data.issues or ()):
        if extra:
            issues[i] = list(dict.fromkeys((issues[i] or []) + extra))
    if dry_run:
        return ImportResult(batch, ["valid"] * batch.n, source)
    added = store.add_many({**batch.columns, "issues": issues, **(stored_columns or {})}, submitted_by=submitted_by,
                           **store_options)
    return ImportResult(batch, added.statuses, source, stored=added.stored, skipped=added.skipped,
                        conflicts=added.conflicts)
