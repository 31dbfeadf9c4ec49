"""CSV: UTF-8 (optionally with a byte-order mark so Excel detects it), CRLF, every text cell formula-safe.

Written by pyarrow's CSV writer batch by batch; text is never re-encoded, so Thai, Burmese, Khmer and Lao
come out byte for byte as stored.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable, Sequence

import pyarrow as pa
import pyarrow.csv as pacsv

from ..formulas import neutralise_batch
from ..records import FIELD_NAMES
from .columns import with_extra_terms

BOM = "\ufeff".encode("utf-8")


def write(batches: Iterable[pa.RecordBatch], path: Path, *, bom: bool = False, extra_terms: Sequence[str] = ()) -> None:
    """``extra_terms``: the names of the extra terms the records hold, each written as a column of its own
    after our fields (so a file read back, or by anyone, has them as Darwin Core columns again)."""
    options = pacsv.WriteOptions(eol="\r\n", quoting_style="needed")
    with open(path, "wb") as fh:
        if bom:
            fh.write(BOM)
        writer = None
        for batch in batches:
            batch = neutralise_batch(with_extra_terms(batch, extra_terms, FIELD_NAMES))
            if writer is None:
                writer = pacsv.CSVWriter(fh, batch.schema, write_options=options)
            writer.write_batch(batch)
        if writer is None:  # no records: a header line only
            from .vector import flat_schema

            schema = flat_schema()
            schema = pa.schema([*(f for f in schema if f.name != "extraTerms"),
                                *(pa.field(n, pa.string()) for n in extra_terms)])
            writer = pacsv.CSVWriter(fh, schema, write_options=options)
        writer.close()
