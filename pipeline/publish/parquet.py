"""DataFrames → Parquet files that notebooks can trust.

The Arrow schema is derived from the pandera model (types, list columns, and each column's
description as field metadata), the writer settings are fixed, and rows arrive sorted, so the
same tables always give the same bytes.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from schemas import TABLES

ROW_GROUP_SIZE = 64_000
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
    """Typed Arrow table (keeps pandas metadata so read_parquet restores nullable ints)."""
    schema = arrow_schema(table)
    data = pa.Table.from_pandas(frame, schema=schema, preserve_index=False, safe=True)
    merged = {**(data.schema.metadata or {}), **(schema.metadata or {})}
    return data.replace_schema_metadata(merged)


def write_parquet(table: str, frame: pd.DataFrame, path: Path) -> None:
    """Write one table with the fixed writer settings (caller handles atomicity).

    Arrow's allocator keeps the buffers of a written table for reuse; they are handed back at
    once, so writing every table costs the largest one's memory, not the sum (about 300 MB
    held to the end of the tables step at archive scale otherwise).
    """
    data = to_arrow(table, frame)
    pq.write_table(data, path, row_group_size=ROW_GROUP_SIZE, **WRITER_OPTIONS)
    del data
    pa.default_memory_pool().release_unused()
