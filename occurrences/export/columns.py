"""Arrow helpers shared by the export formats: flat text columns, point geometries."""
from __future__ import annotations

from typing import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..records import FIELD_NAMES

ISSUE_SEPARATOR = "|"  # the same separator as the CSV renderer of /occurrences
GEOMETRY = pa.field("geometry", pa.binary(), metadata={"ARROW:extension:name": "geoarrow.wkb"})


def flat(batch: pa.RecordBatch, columns=FIELD_NAMES) -> pa.RecordBatch:
    """The batch with ``issues`` joined into one text cell (formats without list columns)."""
    arrays, names = [], []
    for name in columns:
        column = batch.column(name)
        if name == "issues":
            column = pc.binary_join(column, ISSUE_SEPARATOR)
        arrays.append(column)
        names.append(name)
    return pa.RecordBatch.from_arrays(arrays, names=names)


def with_extra_terms(batch: pa.RecordBatch, names: Sequence[str], columns: Sequence[str]) -> pa.RecordBatch:
    """``columns`` of the batch (``issues`` joined, as :func:`flat`) with ``extraTerms`` spread back into one
    text column per extra term in ``names`` (the export's header, see ``store.extra_term_names``). Only the
    rows that hold extra terms are decoded; without any names the JSON column is simply left out."""
    from ..dwc_terms import decode

    base = flat(batch, [c for c in columns if c != "extraTerms"])
    if not names:
        return base
    extra = batch.column("extraTerms")
    values = {name: [None] * batch.num_rows for name in names}
    held = pc.is_valid(extra).to_numpy(zero_copy_only=False)
    texts = extra.to_pylist() if held.any() else []
    for i in np.flatnonzero(held):
        for key, value in decode(texts[i]).items():
            if key in values:
                values[key][i] = value
    arrays = [*base.columns, *(pa.array(values[n], pa.string()) for n in names)]
    return pa.RecordBatch.from_arrays(arrays, names=[*base.schema.names, *names])


def point_wkb(lon: np.ndarray, lat: np.ndarray) -> pa.Array:
    """ISO WKB points built with numpy (21 bytes each: byte order, type 1, x, y); null where a coordinate
    is missing. About 50× faster than creating shapely points."""
    n = len(lon)
    buf = np.empty((n, 21), dtype=np.uint8)
    buf[:, 0] = 1  # little endian
    buf[:, 1:5] = np.frombuffer(np.uint32(1).astype("<u4").tobytes(), dtype=np.uint8)
    buf[:, 5:21] = np.column_stack([lon, lat]).astype("<f8").view(np.uint8).reshape(n, 16)
    offsets = np.arange(0, 21 * (n + 1), 21, dtype=np.int32)
    valid = ~(np.isnan(lon) | np.isnan(lat))
    bitmap = pa.py_buffer(np.packbits(valid, bitorder="little")) if not valid.all() else None
    return pa.Array.from_buffers(pa.binary(), n, [bitmap, pa.py_buffer(offsets), pa.py_buffer(buf)],
                                 null_count=int(n - valid.sum()))


def with_points(batch: pa.RecordBatch) -> pa.RecordBatch:
    lon = batch.column("decimalLongitude").to_numpy(zero_copy_only=False)
    lat = batch.column("decimalLatitude").to_numpy(zero_copy_only=False)
    geometry = point_wkb(np.asarray(lon, dtype="float64"), np.asarray(lat, dtype="float64"))
    return pa.RecordBatch.from_arrays([*batch.columns, geometry], schema=batch.schema.append(GEOMETRY))
