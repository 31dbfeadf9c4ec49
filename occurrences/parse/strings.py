"""Arrays of cell strings as Arrow arrays, and the vectorised clean-up every parser starts with.

Arrow keeps strings as one UTF-8 buffer plus offsets, so the clean-up below runs on bytes with numpy and the
parsers' regular expressions run in C++ (RE2), one pass per column instead of one Python call per cell.
"""
from __future__ import annotations

import unicodedata

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# Decimal-digit blocks typed in the region (and full-width digits from CJK keyboards). All are 3-byte UTF-8
# sequences whose last byte runs over ten consecutive values, so one byte comparison finds every digit.
_DIGIT_ZEROS = ("\u0e50", "\u0ed0", "\u17e0", "\u1040", "\u1090", "\uff10")  # th lo km my my-shan fullwidth
_LEADS = sorted({z.encode()[0] for z in _DIGIT_ZEROS})
_LEAD = np.full(256, -1, np.int64)
_LEAD[_LEADS] = np.arange(len(_LEADS))
_DIGIT_LUT = np.full((len(_LEADS) + 1, 64, 64), -1, np.int8)  # the extra last plane answers lead −1
for _zero in _DIGIT_ZEROS:
    for _i in range(10):
        _b = chr(ord(_zero) + _i).encode()
        _DIGIT_LUT[_LEADS.index(_b[0]), _b[1] & 0x3F, _b[2] & 0x3F] = _i
# Every byte after a lead byte is a continuation byte 10xxxxxx, so its low six bits identify it.
# Myanmar letters typed for digits (l10n.md A1): WA for zero, RA for seven. Mapped only next to a digit.
_LOOKALIKES = (("\u101d".encode(), ord("0")), ("\u101b".encode(), ord("7")))
_NATIVE_TABLE = {ord(z) + i: ord("0") + i for z in _DIGIT_ZEROS for i in range(10)}


def to_arrow(values) -> pa.LargeStringArray:
    """Any array-like of cells (str, None, NaN, numbers) → Arrow large_string with nulls for missing cells."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if isinstance(values, pa.Array):
        arr = values
    else:
        if hasattr(values, "to_numpy"):  # pandas
            values = values.to_numpy(dtype=object, na_value=None)
        try:
            arr = pa.array(values, from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            arr = pa.array([_cell_text(v) for v in values], pa.large_string())
    if not pa.types.is_large_string(arr.type):
        if pa.types.is_floating(arr.type):
            arr = pc.if_else(pc.is_nan(arr), None, arr)
        arr = arr.cast(pa.large_string())
    return arr


def _cell_text(value) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    return str(value)


def clean(arr: pa.Array, nfc: bool = True) -> pa.LargeStringArray:
    """NFC, native digits → ASCII, trimmed; empty cells become null. The common first step of every parser.

    ``nfc=False`` leaves normalisation to the caller (for columns where most cells are only digits).
    """
    arr = to_arrow(arr)
    if not _is_ascii(arr):
        if nfc:
            arr = pc.utf8_normalize(arr, "NFC")
        arr = ascii_digits(arr)
    arr = pc.utf8_trim_whitespace(arr)
    return pc.if_else(pc.equal(pc.utf8_length(arr), 0), pa.scalar(None, pa.large_string()), arr)


def _is_ascii(arr: pa.Array) -> bool:
    return bool(pc.all(pc.string_is_ascii(arr)).as_py() in (True, None))


def ascii_digits(arr: pa.Array) -> pa.LargeStringArray:
    """Thai, Lao, Khmer, Myanmar (and full-width) digits → ASCII digits; Myanmar ဝ/ရ next to a digit → 0/7."""
    arr = to_arrow(arr)
    validity, offsets, data = _buffers(arr)
    if not len(data):
        return arr
    if len(data) < 3:
        return arr
    starts = np.flatnonzero(data[:-2] >= 0xE0)  # lead bytes of 3-byte sequences (and longer)
    # One table lookup per sequence: (lead byte, 2nd byte, 3rd byte) → digit value or −1.
    lead = _LEAD[data[starts]]
    digit = _DIGIT_LUT[lead, data[starts + 1] & 0x3F, data[starts + 2] & 0x3F]
    hit = (lead >= 0) & (digit >= 0)
    data, offsets = _replace_triplets(data, offsets, starts[hit], (digit[hit] + ord("0")).astype(np.uint8))
    data, offsets = _map_lookalikes(data, offsets)
    return _rebuild(len(arr), validity, offsets, data)


def ascii_digits_text(text: str) -> str:
    """Scalar form of :func:`ascii_digits` for single strings (look-alikes excluded)."""
    return text.translate(_NATIVE_TABLE)


def _map_lookalikes(data: np.ndarray, offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    # Repeat so that a run such as ၁ဝဝ (1, WA, WA) becomes 100: each pass converts letters touching a digit.
    for _ in range(32):
        if len(data) < 3:
            return data, offsets
        starts = np.flatnonzero(data[:-2] == 0xE1)
        # The string each byte belongs to, to keep neighbours inside the same cell.
        owner = np.searchsorted(offsets, starts, side="right") - 1
        positions, digits = [], []
        for seq, digit in _LOOKALIKES:
            hit_mask = (data[starts + 1] == seq[1]) & (data[starts + 2] == seq[2])
            hit, cell = starts[hit_mask], owner[hit_mask]
            before = (hit - 1 >= offsets[cell]) & _is_digit(data, hit - 1)
            after = (hit + 3 < offsets[cell + 1]) & _is_digit(data, hit + 3)
            chosen = hit[before | after]
            positions.append(chosen)
            digits.append(np.full(len(chosen), digit, np.uint8))
        positions = np.concatenate(positions)
        if not len(positions):
            return data, offsets
        data, offsets = _replace_triplets(data, offsets, positions, np.concatenate(digits))
    return data, offsets


def _is_digit(data: np.ndarray, index: np.ndarray) -> np.ndarray:
    safe = np.clip(index, 0, len(data) - 1)
    return (data[safe] >= 0x30) & (data[safe] <= 0x39)


def _replace_triplets(data, offsets, positions, new_bytes):
    """Replace the 3-byte sequences starting at ``positions`` by one byte each, fixing the offsets."""
    if not len(positions):
        return data, offsets
    if np.any(positions[1:] < positions[:-1]):
        order = np.argsort(positions, kind="stable")
        positions, new_bytes = positions[order], new_bytes[order]
    data = data.copy()
    data[positions + 2] = new_bytes
    keep = np.ones(len(data), bool)
    keep[positions] = False
    keep[positions + 1] = False
    # Offsets sit on character boundaries, never inside a replaced sequence, so each sequence starting before
    # an offset removed exactly two bytes before it: a binary search, not a cumulative sum over every byte.
    return data[keep], offsets - 2 * np.searchsorted(positions, offsets)


def _buffers(arr: pa.LargeStringArray):
    if arr.offset:
        arr = pa.concat_arrays([arr])  # a copy starting at offset 0
    validity, offsets_buf, data_buf = arr.buffers()
    offsets = np.frombuffer(offsets_buf, np.int64)[: len(arr) + 1]
    base = int(offsets[0])
    offsets = offsets - base
    data = np.frombuffer(data_buf, np.uint8)[base: base + int(offsets[-1])] if data_buf is not None \
        else np.empty(0, np.uint8)
    if arr.null_count == 0:
        validity = None
    return validity, offsets, data


def _rebuild(length, validity, offsets, data) -> pa.LargeStringArray:
    return pa.LargeStringArray.from_buffers(length, pa.py_buffer(np.ascontiguousarray(offsets, np.int64)),
                                            pa.py_buffer(np.ascontiguousarray(data)), validity)


def unique_codes(arr: pa.Array) -> tuple[np.ndarray, list[str]]:
    """Row → unique index (−1 for null) and the unique strings, so slow paths parse each value once."""
    encoded = pc.dictionary_encode(arr)
    codes = encoded.indices.to_numpy(zero_copy_only=False)
    codes = np.where(pc.is_valid(encoded).to_numpy(zero_copy_only=False), codes, -1).astype(np.int64)
    return codes, encoded.dictionary.to_pylist()


def clean_codes(values) -> tuple[np.ndarray, list[str]]:
    """``unique_codes(clean(values))`` for columns that repeat a few values: only the distinct cells are cleaned.

    Row → index into the distinct cleaned strings (−1 where empty) and those strings."""
    codes, distinct = encode(values)
    cleaned_codes, uniques = unique_codes(clean(distinct))
    return np.append(cleaned_codes, -1)[codes], uniques


def encode(values) -> tuple[np.ndarray, pa.Array]:
    """Raw cells → (row → index into the distinct raw values, −1 for null; the distinct values).

    Cleaning and parsing the distinct values only is what makes repetitive columns (dates, counts, names,
    datums) cheap: a million Thai dates hold a few thousand distinct strings.
    """
    encoded = pc.dictionary_encode(to_arrow(values))
    codes = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    return codes, encoded.dictionary


def fold_case(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()
