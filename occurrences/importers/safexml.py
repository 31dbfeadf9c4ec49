"""The XML of an uploaded Darwin Core Archive (``meta.xml``, ``eml.xml``) is checked with defusedxml before
python-dwca-reader parses it with the standard library: a document type or entity declaration (external
entities read server files; nested ones, the "billion laughs", expand without end) refuses the archive with a
clear message instead of a parser traceback. A DwC-A never needs a DTD."""
from __future__ import annotations

import tarfile
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


def archive_descriptor(path: Path) -> bytes | None:
    """The archive's ``meta.xml`` (at its top or one folder down), or None when it has none."""
    for part, data in _xml_parts(path):
        if part.replace("\\", "/").rsplit("/", 1)[-1].lower() == "meta.xml":
            return data
    return None


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
    if zipfile.is_zipfile(path):
        yield from _zip_parts(path)
    elif tarfile.is_tarfile(path):
        yield from _tar_parts(path)
    # else a one-file archive (a bare data file): no XML for the reader to parse


def _at_top(name: str) -> bool:
    """An XML file at the archive's top, or one folder down (archives zipped with their folder). macOS's
    resource-fork copies (``__MACOSX/._meta.xml``, ``._eml.xml``: binary, not XML) are not the archive's."""
    parts = name.strip("/").removeprefix("./").split("/")
    if parts[0] == "__MACOSX" or parts[-1].startswith("._"):
        return False
    return name.lower().endswith(".xml") and len(parts) <= 2


def _zip_parts(path: Path):
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            if not _at_top(info.filename):
                continue
            if info.file_size > MAX_XML_BYTES:
                raise TooLarge(path.name, size=info.file_size, limit=MAX_XML_BYTES)
            with zf.open(info) as member:
                data = member.read(MAX_XML_BYTES + 1)  # the declared size may lie
            if len(data) > MAX_XML_BYTES:
                raise TooLarge(path.name, size=f"> {MAX_XML_BYTES}", limit=MAX_XML_BYTES)
            yield info.filename, data


def _tar_parts(path: Path):
    with tarfile.open(path) as tf:
        for member in tf:
            if not member.isfile() or not _at_top(member.name):
                continue
            if member.size > MAX_XML_BYTES:
                raise TooLarge(path.name, size=member.size, limit=MAX_XML_BYTES)
            yield member.name, tf.extractfile(member).read(MAX_XML_BYTES + 1)
