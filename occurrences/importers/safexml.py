"""The XML of an uploaded Darwin Core Archive (``meta.xml``, ``eml.xml``) is checked with defusedxml before
python-dwca-reader parses it with the standard library: a document type or entity declaration (external
entities read server files; nested ones, the "billion laughs", expand without end) refuses the archive with a
clear message instead of a parser traceback. A DwC-A never needs a DTD."""
from __future__ import annotations

import zipfile
from pathlib import Path
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from ..ingest.problems import BadXml, TooLarge, UnsafeXml

MAX_XML_BYTES = 16 << 20  # meta.xml is a few KB; an EML with a long abstract well under 1 MB


def check_archive_xml(path: Path) -> None:
    """Raise :class:`UnsafeXml` / :class:`BadXml` / :class:`TooLarge` for the first bad XML file at the top of
    the archive (a zip or an unpacked folder)."""
    for part, data in _xml_parts(path):
        check_xml(path.name, part, data)


def check_xml(name: str, part: str, data: bytes) -> None:
    try:
        fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise UnsafeXml(name, part=part) from None
    except ParseError as exc:
        raise BadXml(name, part=part, reason=str(exc)) from None


def _xml_parts(path: Path):
    if path.is_dir():
        for item in sorted(path.glob("*.xml")):
            if item.stat().st_size > MAX_XML_BYTES:
                raise TooLarge(path.name, size=item.stat().st_size, limit=MAX_XML_BYTES)
            yield item.name, item.read_bytes()
        return
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            if "/" in info.filename.strip("/") or not info.filename.lower().endswith(".xml"):
                continue
            if info.file_size > MAX_XML_BYTES:
                raise TooLarge(path.name, size=info.file_size, limit=MAX_XML_BYTES)
            with zf.open(info) as member:
                data = member.read(MAX_XML_BYTES + 1)  # the declared size may lie
            if len(data) > MAX_XML_BYTES:
                raise TooLarge(path.name, size=f"> {MAX_XML_BYTES}", limit=MAX_XML_BYTES)
            yield info.filename, data
