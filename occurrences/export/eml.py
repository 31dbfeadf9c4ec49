"""``eml.xml`` for a Darwin Core Archive: EML 2.1.1 as profiled by GBIF (title, creator, licence, coverage,
contact), with the geographic, temporal and taxonomic coverage measured on the exported records."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from xml.etree import ElementTree as ET

import pyarrow as pa
import pyarrow.compute as pc

EML_NS = "eml://ecoinformatics.org/eml-2.1.1"
SCHEMA_LOCATION = f"{EML_NS} http://rs.gbif.org/schema/eml-gbif-profile/1.1/eml.xsd"
LICENCES = {  # the three licences GBIF accepts
    "CC0-1.0": ("http://creativecommons.org/publicdomain/zero/1.0/legalcode", "Public Domain (CC0 1.0)"),
    "CC-BY-4.0": ("http://creativecommons.org/licenses/by/4.0/legalcode",
                  "Creative Commons Attribution (CC-BY) 4.0 License"),
    "CC-BY-NC-4.0": ("http://creativecommons.org/licenses/by-nc/4.0/legalcode",
                     "Creative Commons Attribution Non Commercial (CC-BY-NC) 4.0 License"),
}


@dataclass
class DatasetMetadata:
    title: str = "Small carnivore occurrences of mainland Southeast Asia"
    abstract: str = ("Occurrence records of small carnivores (civets, linsangs, mongooses, martens, badgers, "
                     "otters and relatives) in Thailand, Viet Nam, Cambodia, Lao PDR and Myanmar.")
    licence: str = "CC-BY-4.0"
    organisation: str = "IUCN SSC Small Carnivore Specialist Group"
    contact_name: str = ""
    contact_email: str = ""
    language: str = "en"
    package_id: str = ""


@dataclass
class Coverage:
    """Bounds of the exported records, accumulated batch by batch."""

    west: float | None = None
    south: float | None = None
    east: float | None = None
    north: float | None = None
    first_day: str | None = None
    last_day: str | None = None
    taxa: dict[str, str | None] = field(default_factory=dict)  # scientificName → family
    count: int = 0

    def add(self, batch: pa.RecordBatch) -> None:
        self.count += batch.num_rows
        for attr_lo, attr_hi, column in (("west", "east", "decimalLongitude"), ("south", "north", "decimalLatitude")):
            lo, hi = _min_max(batch.column(column))
            if lo is not None:
                setattr(self, attr_lo, lo if getattr(self, attr_lo) is None else min(lo, getattr(self, attr_lo)))
                setattr(self, attr_hi, hi if getattr(self, attr_hi) is None else max(hi, getattr(self, attr_hi)))
        dates = batch.column("eventDate")
        first, _ = _min_max(pc.utf8_slice_codeunits(pc.replace_substring_regex(dates, r"/.*$", ""), 0, 10))
        _, last = _min_max(pc.utf8_slice_codeunits(pc.replace_substring_regex(dates, r"^.*/", ""), 0, 10))
        if first is not None:
            self.first_day = min(first, self.first_day or first)
            self.last_day = max(last, self.last_day or last)
        pairs = pa.Table.from_arrays([batch.column("scientificName"), batch.column("family")],
                                     names=["s", "f"]).group_by(["s", "f"]).aggregate([])
        for name, family in zip(pairs.column("s").to_pylist(), pairs.column("f").to_pylist()):
            if name and (name not in self.taxa or self.taxa[name] is None):
                self.taxa[name] = family


def _min_max(column):
    result = pc.min_max(column)
    return result["min"].as_py(), result["max"].as_py()


def eml_xml(meta: DatasetMetadata, coverage: Coverage) -> str:
    ET.register_namespace("eml", EML_NS)
    ET.register_namespace("xsi", "http://www.w3.org/2001/XMLSchema-instance")
    root = ET.Element(f"{{{EML_NS}}}eml", {
        "{http://www.w3.org/2001/XMLSchema-instance}schemaLocation": SCHEMA_LOCATION,
        "packageId": meta.package_id or f"occurrences-export-{date.today().isoformat()}",
        "system": "occurrences", "scope": "system", "{http://www.w3.org/XML/1998/namespace}lang": meta.language})
    dataset = ET.SubElement(root, "dataset")
    _text(dataset, "title", meta.title, {"{http://www.w3.org/XML/1998/namespace}lang": meta.language})
    for role in ("creator", "metadataProvider"):
        _party(ET.SubElement(dataset, role), meta)
    _text(dataset, "pubDate", date.today().isoformat())
    _text(dataset, "language", meta.language)
    _text(ET.SubElement(dataset, "abstract"), "para", meta.abstract)
    _rights(ET.SubElement(dataset, "intellectualRights"), meta.licence)
    if coverage.count:
        _coverage(ET.SubElement(dataset, "coverage"), coverage)
    _party(ET.SubElement(dataset, "contact"), meta)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _text(parent, tag: str, text: str, attrib: dict | None = None):
    element = ET.SubElement(parent, tag, attrib or {})
    element.text = text
    return element


def _party(element, meta: DatasetMetadata) -> None:
    if meta.contact_name:
        _text(ET.SubElement(element, "individualName"), "surName", meta.contact_name)
    _text(element, "organizationName", meta.organisation)
    if meta.contact_email:
        _text(element, "electronicMailAddress", meta.contact_email)


def _rights(element, licence: str) -> None:
    url, title = LICENCES[licence]
    para = _text(element, "para", "This work is licensed under a ")
    link = ET.SubElement(para, "ulink", {"url": url})
    _text(link, "citetitle", title)
    link.tail = "."


def _coverage(element, c: Coverage) -> None:
    if c.west is not None:
        geo = ET.SubElement(element, "geographicCoverage")
        _text(geo, "geographicDescription", "Bounding box of the exported records.")
        box = ET.SubElement(geo, "boundingCoordinates")
        for tag, value in (("westBoundingCoordinate", c.west), ("eastBoundingCoordinate", c.east),
                           ("northBoundingCoordinate", c.north), ("southBoundingCoordinate", c.south)):
            _text(box, tag, repr(float(value)))
    if c.first_day:
        dates = ET.SubElement(ET.SubElement(element, "temporalCoverage"), "rangeOfDates")
        _text(ET.SubElement(dates, "beginDate"), "calendarDate", c.first_day)
        _text(ET.SubElement(dates, "endDate"), "calendarDate", c.last_day)
    if c.taxa:
        taxa = ET.SubElement(element, "taxonomicCoverage")
        families = sorted({f for f in c.taxa.values() if f})
        _text(taxa, "generalTaxonomicCoverage", "Carnivora: " + ", ".join(families) if families else "Carnivora")
        for name in sorted(c.taxa):
            item = ET.SubElement(taxa, "taxonomicClassification")
            _text(item, "taxonRankName", "species")
            _text(item, "taxonRankValue", name)
