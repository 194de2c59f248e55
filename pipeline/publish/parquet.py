"""DataFrames → Parquet files that notebooks can trust.

The Arrow schema is derived from the pandera model (types, list columns, and each column's
description as field metadata), the writer settings are fixed, and rows arrive sorted, so the
same tables always give the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.packed_text import PACKED_COLUMNS, utf8_of
from schemas import TABLES

ROW_GROUP_SIZE = 64_000  # rows
ROW_GROUP_BYTES = 16 << 20  # Arrow bytes: text-heavy tables get smaller groups
SLICE_ROWS = 4_000  # rows converted to Arrow at a time (divides ROW_GROUP_SIZE)
WRITER_OPTIONS = {
    "compression": "zstd",
    "compression_level": 3,
    "use_dictionary": True,
    "write_statistics": True,
    "data_page_version": "2.0",
    "version": "2.6",
}

_SIMPLE = {
    "str": pa.string(),
    "int64": pa.int64(),
    "Int64": pa.int64(),
    "bool": pa.bool_(),
    "float64": pa.float64(),
    "Float64": pa.float64(),
    "date": pa.date32(),
}


def arrow_schema(table: str) -> pa.Schema:
    """Arrow schema of a published table, from its pandera model."""
    model = TABLES[table][0]
    schema = model.to_schema()
    fields = []
    for name, column in schema.columns.items():
        arrow_hint = (column.metadata or {}).get("arrow")
        if arrow_hint == "list<string>":
            arrow_type = pa.list_(pa.string())
        else:
            arrow_type = _SIMPLE.get(str(column.dtype), pa.string())
        meta = {"description": column.description or ""}
        fields.append(pa.field(name, arrow_type, nullable=column.nullable, metadata=meta))
    table_meta = {
        "table": table,
        "description": (model.__doc__ or "").strip(),
    }
    return pa.schema(fields, metadata={"wilson_archive": json.dumps(table_meta)})


def to_arrow(table: str, frame: pd.DataFrame) -> pa.Table:
    """Typed Arrow table (keeps pandas metadata so read_parquet restores nullable ints).

    A packed column (pipeline/packed_text.py; its values packed or spooled) reaches Arrow as
    the inflated UTF-8 bytes, so its text never exists as a `str` (and CPython never keeps a
    UTF-8 copy inside one: a `str` handed to Arrow keeps its UTF-8 form for as long as it
    lives, 43 MB for the full texts of `document_pages` at archive scale when they were
    strings).
    """
    schema = arrow_schema(table)
    packed = PACKED_COLUMNS.get(table, ())
    frame = frame.assign(**{name: _utf8_values(frame[name]) for name in packed})
    # One thread: a 4,000-row slice converts faster than a thread pool per slice starts and
    # joins (archive scale: all tables written in 1.25 s instead of 1.9 s, same bytes).
    data = pa.Table.from_pandas(frame, schema=schema, preserve_index=False, safe=True, nthreads=1)
    merged = {**(data.schema.metadata or {}), **(schema.metadata or {})}
    return data.replace_schema_metadata(merged)


def _utf8_values(column: pd.Series) -> pd.Series:
    """Packed or spooled texts inflated to UTF-8 bytes, which Arrow takes for a string column
    as they are."""
    values = [utf8_of(v) for v in column.tolist()]
    return pd.Series(values, index=column.index, dtype=object)


def write_parquet(table: str, frame: pd.DataFrame, path: Path) -> None:
    """Write one table with the fixed writer settings (caller handles atomicity).

    The frame is converted to Arrow a slice at a time and a row group is flushed once it holds
    ROW_GROUP_SIZE rows or ROW_GROUP_BYTES of data, so writing costs a bounded buffer instead
    of a whole Arrow copy of the table plus the writer's encoded row group: `document_pages`
    (the full texts) took +220 MB above the frames at archive scale written whole, and ten
    times that at 10x. Boundaries follow the data only, so the same table gives the same bytes;
    a narrow table stays one row group as before. Arrow's pool hands the buffers back at once.
    """
    slices = (
        to_arrow(table, frame.iloc[start : start + SLICE_ROWS])
        for start in range(0, max(len(frame), 1), SLICE_ROWS)
    )
    first = next(slices)
    with pq.ParquetWriter(path, first.schema, **WRITER_OPTIONS) as writer:
        for group in row_groups(first, slices):
            writer.write_table(group, row_group_size=len(group) or 1)
            del group
            pa.default_memory_pool().release_unused()


def row_groups(
    first: pa.Table, rest: Iterator[pa.Table], max_bytes: int | None = None
) -> Iterator[pa.Table]:
    """Consecutive slices joined into row groups of at most ROW_GROUP_SIZE rows and about
    `max_bytes` (ROW_GROUP_BYTES unless given; a group closes at the first slice that reaches
    either bound)."""
    max_bytes = ROW_GROUP_BYTES if max_bytes is None else max_bytes
    pending: list[pa.Table] = [first]
    rows, size = first.num_rows, first.nbytes
    for piece in rest:
        if rows + piece.num_rows > ROW_GROUP_SIZE or size >= max_bytes:
            yield pa.concat_tables(pending)
            pending, rows, size = [], 0, 0
        pending.append(piece)
        rows, size = rows + piece.num_rows, size + piece.nbytes
    yield pa.concat_tables(pending)
