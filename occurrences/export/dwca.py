"""Darwin Core Archive: ``occurrence.txt`` (core), ``vernacularname.txt`` (GBIF Vernacular Names extension),
``meta.xml`` and ``eml.xml``, zipped.

Text files are UTF-8, tab-separated, fields enclosed in double quotes (so tabs and line breaks inside text
survive), one header line. ``issues`` is not a Darwin Core term: it is declared with our own term URI
(``urn:occurrences:terms:issues``), codes separated by ``|``. ``informationWithheld`` and
``dataGeneralizations`` are exported as the store returns them: the store fills them when it generalised a
sensitive record's coordinates for the caller.
"""
from __future__ import annotations

import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import Iterable, Sequence
from xml.etree import ElementTree as ET

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ..formulas import neutralise_batch
from ..records import FIELD_NAMES
from .columns import with_extra_terms
from .eml import Coverage, DatasetMetadata, eml_xml
from .terms import DCTERMS, DWC, extra_term_uri, term_uri

# People are not data; extraTerms is spread back into its terms' own columns (see write).
CORE_COLUMNS = tuple(n for n in FIELD_NAMES if n not in ("submittedBy", "submittedAt", "extraTerms"))
VERNACULAR_COLUMNS = ("occurrenceID", "vernacularName", "language")
VERNACULAR_ROW_TYPE = "http://rs.gbif.org/terms/1.0/VernacularName"
OCCURRENCE_ROW_TYPE = DWC + "Occurrence"
_WRITE = pacsv.WriteOptions(delimiter="\t", eol="\n", quoting_style="needed")


def write(batches: Iterable[pa.RecordBatch], path: Path, *, metadata: DatasetMetadata | None = None,
          extra_terms: Sequence[str] = ()) -> None:
    """``extra_terms``: the names of the other Darwin Core terms the records hold (``extraTerms``), written as
    core columns after ours and declared in meta.xml with their term IRIs."""
    coverage = Coverage()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf, \
            tempfile.TemporaryFile() as names:
        # A zip takes one member at a time: the extension goes to a temporary file and is added after the core.
        with zf.open("occurrence.txt", "w", force_zip64=True) as core:
            core_writer = pacsv.CSVWriter(core, _core_schema(extra_terms), write_options=_WRITE)
            vernacular = VernacularNames()
            names_writer = pacsv.CSVWriter(names, VernacularNames.schema, write_options=_WRITE)
            for batch in batches:
                coverage.add(batch)
                # the text files open in spreadsheets too: the same formula rule as the CSV export
                core_writer.write_batch(neutralise_batch(with_extra_terms(batch, extra_terms, CORE_COLUMNS)))
                names_writer.write_batch(neutralise_batch(vernacular.rows(batch)))
            core_writer.close()
            names_writer.close()
        names.seek(0)
        with zf.open("vernacularname.txt", "w", force_zip64=True) as member:
            shutil.copyfileobj(names, member, 1 << 20)
        zf.writestr("meta.xml", meta_xml(extra_terms))
        zf.writestr("eml.xml", eml_xml(metadata or DatasetMetadata(), coverage))


def _core_schema(extra_terms: Sequence[str] = ()) -> pa.Schema:
    from .vector import flat_schema

    schema = flat_schema()
    return pa.schema([*(schema.field(n) for n in CORE_COLUMNS), *(pa.field(n, pa.string()) for n in extra_terms)])


# -- vernacular names -------------------------------------------------------------------------------------
class VernacularNames:
    """Rows of the vernacular-names extension: for a species in the project checklist (``occurrences.taxa``)
    every name it lists, with its language; for other species the record's own ``vernacularName``, its
    language told by its script. Vectorized per batch: names are looked up once per species, not per row."""

    schema = pa.schema([(c, pa.string()) for c in VERNACULAR_COLUMNS])

    def __init__(self, checklist: dict[str, list[tuple[str, str]]] | None = None):
        if checklist is None:
            checklist = _checklist_names()
        self.species = pa.array(sorted(checklist), type=pa.string())
        lists = [checklist[s] for s in self.species.to_pylist()]
        self.counts = np.array([len(x) for x in lists], dtype=np.int64)
        self.starts = np.concatenate([[0], np.cumsum(self.counts)[:-1]]).astype(np.int64)
        self.names = pa.array([n for x in lists for n, _ in x], type=pa.string())
        self.languages = pa.array([lang for x in lists for _, lang in x], type=pa.string())

    def rows(self, batch: pa.RecordBatch | None) -> pa.RecordBatch:
        if batch is None or batch.num_rows == 0:
            return pa.RecordBatch.from_pylist([], schema=self.schema)
        code = pc.fill_null(pc.index_in(batch.column("scientificName"), value_set=self.species), -1)
        code = code.to_numpy(zero_copy_only=False)
        known = code >= 0
        listed = self._listed(batch, code[known], np.flatnonzero(known))
        own = _own_names(batch.filter(pa.array(~known)))
        return pa.concat_tables([pa.Table.from_batches([listed]), pa.Table.from_batches([own])]) \
            .combine_chunks().to_batches()[0] if listed.num_rows + own.num_rows else own

    def _listed(self, batch, codes: np.ndarray, rows: np.ndarray) -> pa.RecordBatch:
        counts = self.counts[codes]
        total = int(counts.sum())
        record = np.repeat(rows, counts)
        within = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
        name = np.repeat(self.starts[codes], counts) + within
        ids = pc.take(batch.column("occurrenceID"), pa.array(record))
        return pa.RecordBatch.from_arrays([ids, pc.take(self.names, pa.array(name)),
                                           pc.take(self.languages, pa.array(name))], schema=self.schema)


def _checklist_names() -> dict[str, list[tuple[str, str]]]:
    try:
        from ..taxa import current

        taxa = current().taxa
    except Exception:  # no checklist installed: records' own names only
        return {}
    return {t.scientific_name: [(n.name, n.language) for n in t.names] for t in taxa.values()}


def _own_names(batch: pa.RecordBatch) -> pa.RecordBatch:
    schema = VernacularNames.schema
    if batch.num_rows == 0:
        return pa.RecordBatch.from_pylist([], schema=schema)
    names = batch.column("vernacularName")
    keep = pc.fill_null(pc.greater(pc.utf8_length(names), 0), False)
    ids, names, record_lang = (pc.filter(batch.column(c), keep) for c in ("occurrenceID", "vernacularName",
                                                                           "language"))
    unique = pc.unique(names)
    detected = pa.array([name_language(v) for v in unique.to_pylist()], type=pa.string())
    language = pc.coalesce(pc.take(detected, pc.index_in(names, value_set=unique)), record_lang)
    return pa.RecordBatch.from_arrays([ids, names, language], schema=schema)


_SCRIPTS = (("th", 0x0E00, 0x0E7F), ("lo", 0x0E80, 0x0EFF), ("my", 0x1000, 0x109F), ("km", 0x1780, 0x17FF))
_VIETNAMESE = set("ăâđêôơưĂÂĐÊÔƠƯ" "ạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ")


def name_language(name: str) -> str | None:
    """ISO 639-1 code of a vernacular name from its script: th, lo, my, km; vi for Latin letters only
    Vietnamese uses; en for plain Latin; None when unsure (the record's language is used then)."""
    for ch in name:
        code = ord(ch)
        for lang, lo, hi in _SCRIPTS:
            if lo <= code <= hi:
                return lang
    lowered = name.lower()
    if any(ch in _VIETNAMESE for ch in lowered):
        return "vi"
    if name.isascii():
        return "en"
    return None


# -- meta.xml ---------------------------------------------------------------------------------------------
def meta_xml(extra_terms: Sequence[str] = ()) -> str:
    ET.register_namespace("", "http://rs.tdwg.org/dwc/text/")
    ns = "{http://rs.tdwg.org/dwc/text/}"
    archive = ET.Element(ns + "archive", {"metadata": "eml.xml"})
    core = _file_element(archive, ns + "core", OCCURRENCE_ROW_TYPE, "occurrence.txt", ns)
    ET.SubElement(core, ns + "id", {"index": "0"})
    for i, name in enumerate(CORE_COLUMNS):
        ET.SubElement(core, ns + "field", {"index": str(i), "term": term_uri(name)})
    for i, name in enumerate(extra_terms, len(CORE_COLUMNS)):
        ET.SubElement(core, ns + "field", {"index": str(i), "term": extra_term_uri(name)})
    ext = _file_element(archive, ns + "extension", VERNACULAR_ROW_TYPE, "vernacularname.txt", ns)
    ET.SubElement(ext, ns + "coreid", {"index": "0"})
    ET.SubElement(ext, ns + "field", {"index": "1", "term": DWC + "vernacularName"})
    ET.SubElement(ext, ns + "field", {"index": "2", "term": DCTERMS + "language"})
    ET.indent(archive)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(archive, encoding="unicode") + "\n"


def _file_element(parent, tag: str, row_type: str, location: str, ns: str):
    element = ET.SubElement(parent, tag, {
        "encoding": "UTF-8", "fieldsTerminatedBy": "\\t", "linesTerminatedBy": "\\n", "fieldsEnclosedBy": '"',
        "ignoreHeaderLines": "1", "rowType": row_type})
    files = ET.SubElement(element, ns + "files")
    ET.SubElement(files, ns + "location").text = location
    return element


__all__ = ["write", "meta_xml", "VernacularNames", "name_language", "CORE_COLUMNS"]
