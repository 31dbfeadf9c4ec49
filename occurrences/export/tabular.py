"""CSV: UTF-8 (optionally with a byte-order mark so Excel detects it), CRLF, every text cell formula-safe.

Written by pyarrow's CSV writer batch by batch; text is never re-encoded, so Thai, Burmese, Khmer and Lao
come out byte for byte as stored.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

import pyarrow as pa
import pyarrow.csv as pacsv

from ..formulas import neutralise_batch
from .columns import flat

BOM = "\ufeff".encode("utf-8")


def write(batches: Iterable[pa.RecordBatch], path: Path, *, bom: bool = False) -> None:
    options = pacsv.WriteOptions(eol="\r\n", quoting_style="needed")
    with open(path, "wb") as fh:
        if bom:
            fh.write(BOM)
        writer = None
        for batch in batches:
            batch = neutralise_batch(flat(batch))
            if writer is None:
                writer = pacsv.CSVWriter(fh, batch.schema, write_options=options)
            writer.write_batch(batch)
        if writer is None:  # no records: a header line only
            from .vector import flat_schema

            writer = pacsv.CSVWriter(fh, flat_schema(), write_options=options)
        writer.close()
