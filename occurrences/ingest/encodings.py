"""Which text encoding a CSV file is in, and whether a legacy save destroyed its letters.

Excel's "CSV (Comma delimited)" writes the machine's Windows code page: cp874 in Thailand (a superset of
TIS-620), cp1258 in Viet Nam (base letters plus combining tone marks), cp1252 elsewhere; Excel for Mac writes Mac
Roman (field_truth.md section 2). Khmer, Lao and Burmese have no such code page, so the same save replaces every
letter by "?". We try UTF-8 first (with or without BOM; UTF-16 with BOM), then let charset-normalizer choose
among those four code pages only, and accept its choice only when the decoded text is plausible for that code
page's script. ``--encoding`` overrides all of this.
"""
from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass

LEGACY_ENCODINGS = ("cp874", "cp1258", "cp1252", "mac_roman")
ENCODING_LABELS = {"cp874": "Windows-874 (Thai, TIS-620)", "cp1258": "Windows-1258 (Vietnamese)",
                   "cp1252": "Windows-1252 (Western European)", "mac_roman": "Mac Roman"}
MIN_LETTER_SHARE = 0.8
MAX_RUN_SHARE = 0.3
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]{3,}")
SAMPLE_BYTES = 1 << 20  # the detector reads the first MiB; plausibility is checked on the whole file
_THAI = re.compile(r"[\u0e01-\u0e5b]")
_VIETNAMESE = re.compile(r"[ăâđêôơưĂÂĐÊÔƠƯ\u0300\u0301\u0303\u0309\u0323]")
_C1_CONTROLS = re.compile(r"[\x80-\x9f]")
_NON_ASCII_LINE = re.compile(rb"[\x80-\xff]")
# A cell whose letters were replaced: "?" runs with only spaces and punctuation between them.
_DESTROYED = re.compile(r"^[\s/()\[\].,:;*\-_]*\?{2,}[?\s/()\[\].,:;*\-_]*$")


@dataclass
class Decoded:
    data: bytes  # UTF-8, no BOM
    encoding: str | None  # the legacy code page assumed, or None for Unicode input


def decode(data: bytes, encoding: str | None = None) -> Decoded | None:
    """The file as UTF-8 bytes. None when it is neither Unicode nor plausibly one of :data:`LEGACY_ENCODINGS`
    (the caller explains). Raises :class:`MixedEncodings` (carrying two example lines) for a file whose lines
    are partly UTF-8 and partly something else."""
    if encoding:
        return Decoded(_nfc(data.decode(codecs.lookup(encoding).name)), encoding)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return Decoded(data.decode("utf-16").encode("utf-8"), None)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        data.decode("utf-8")
        return Decoded(data, None)
    except UnicodeDecodeError:
        pass
    mixed_lines(data)
    guess = legacy_encoding(data)
    return Decoded(_nfc(data.decode(guess)), guess) if guess else None


def legacy_encoding(data: bytes) -> str | None:
    from charset_normalizer import from_bytes

    ranked = [_canonical(m.encoding) for m in from_bytes(data[:SAMPLE_BYTES], cp_isolation=list(LEGACY_ENCODINGS))]
    for name in dict.fromkeys(ranked + list(LEGACY_ENCODINGS)):  # the detector's order, then the rest
        if name in LEGACY_ENCODINGS and _plausible(data, name):
            return name
    return None


class MixedEncodings(ValueError):
    def __init__(self, utf8_line: int, other_line: int):
        super().__init__(utf8_line, other_line)
        self.utf8_line, self.other_line = utf8_line, other_line


def mixed_lines(data: bytes) -> None:
    """Refuse a file in which some lines with non-ASCII text are UTF-8 and others are not (two files pasted
    together, or a file edited in two programs): decoding it either way would garble half of it."""
    utf8 = other = None
    for number, line in enumerate(data.split(b"\n"), start=1):
        if not _NON_ASCII_LINE.search(line):
            continue
        try:
            line.decode("utf-8")
            utf8 = utf8 or number
        except UnicodeDecodeError:
            other = other or number
        if utf8 and other:
            raise MixedEncodings(utf8, other)


def destroyed_cells(headers: list[str], rows: list[list[str]]) -> list[tuple[int, int, str]]:
    """(row, column, text) of cells whose letters became "?" (row 1 = the header), first few only."""
    found = []
    for r, cells in enumerate([headers, *rows], start=1):
        for c, text in enumerate(cells):
            if text and _DESTROYED.match(text):
                found.append((r, c, text))
                if len(found) >= 5:
                    return found
    return found


def _canonical(name: str) -> str:
    try:
        name = codecs.lookup(name).name
    except LookupError:
        return name
    return "mac_roman" if name == "mac-roman" else name


def _plausible(data: bytes, encoding: str) -> bool:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return False
    if _C1_CONTROLS.search(text):
        return False
    if encoding == "cp874":
        return bool(_THAI.search(text))
    if encoding == "cp1258":
        return bool(_VIETNAMESE.search(text))
    # Western code pages decode any byte to something: accept only text whose non-ASCII characters are mostly
    # letters (accented Latin), not the symbols random or foreign bytes turn into (∑ ‡ ◊ ¬ ...).
    # Accented letters also stand alone between ASCII letters ("Forêt", "Müller"); misread bytes come in runs.
    foreign = [ch for ch in text if ord(ch) > 127]
    letters = sum(unicodedata.category(ch).startswith("L") for ch in foreign)
    in_runs = sum(len(run) for run in _NON_ASCII_RUN.findall(text))
    return letters >= MIN_LETTER_SHARE * len(foreign) and in_runs <= MAX_RUN_SHARE * len(foreign)


def _nfc(text: str) -> bytes:
    # cp1258 writes most Vietnamese letters as a base letter plus a combining tone mark: compose them.
    return unicodedata.normalize("NFC", text).encode("utf-8")


__all__ = ["Decoded", "LEGACY_ENCODINGS", "ENCODING_LABELS", "MixedEncodings", "decode", "destroyed_cells",
           "legacy_encoding", "mixed_lines"]
