"""Rows → typed, sorted DataFrames in the column order the pandera models declare.

The models in `schemas/` are the single source of truth for columns and types; this module only
follows them, so a new column is added in one place.
"""

from __future__ import annotations

import operator
from collections.abc import Callable

import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionArray

from pipeline.columns import Columns
from pipeline.dedup.resolve import Resolution
from pipeline.extract.pages import Extraction
from pipeline.extract.row_types import Record
from schemas import TABLES


def _pandas_dtype(dtype: object) -> str | None:
    name = str(dtype)
    return {
        "Int64": "Int64",
        "int64": "int64",
        "bool": "bool",
        "Float64": "Float64",
        "float64": "float64",
    }.get(name)


def build_frame(
    table: str, rows: list[dict] | Columns, extra: dict[str, list] | None = None
) -> pd.DataFrame:
    """A DataFrame of `table` from dict rows, row records or column lists: model column order,
    model dtypes, sorted. `extra` adds columns the rows lack (one value per row, in row order);
    any other column the rows lack is all null.

    Built a column at a time, sorted by its key columns alone, and put together once without
    consolidation: a frame built row-wise and then typed and sorted column by column copied every
    value four or five times through 2-D blocks, and at 10x the archive (600,000 entries, 650,000
    audit rows) those copies, cache-cold, took 21-25 s of the tables step against 1.3 s at 1x.
    """
    columns = TABLES[table][0].to_schema().columns
    n = len(rows)
    column_values = _column_reader(rows, n)
    data = {
        name: _typed_column(
            extra[name] if extra and name in extra else column_values(name),
            _pandas_dtype(column.dtype),
            n,
        )
        for name, column in columns.items()
    }
    keys = TABLES[table][1]
    order = (
        pd.DataFrame({key: data[key] for key in keys}, copy=False)
        .sort_values(keys, na_position="last", kind="mergesort")
        .index.to_numpy()
    )
    return pd.DataFrame({name: values.take(order) for name, values in data.items()}, copy=False)


def _column_reader(rows: list | Columns, n: int) -> Callable[[str], list]:
    """Reads one column's values in row order, with `map` in C where the rows allow it. What
    kind of rows they are is looked at once per frame, not once per column (a pass over every
    row: 0.15 s for the entries' columns at 10x the archive)."""
    if isinstance(rows, Columns):
        return lambda name: rows.data.get(name) or [None] * n
    kind = type(rows[0]) if n else dict
    if not issubclass(kind, Record):
        return lambda name: list(map(operator.methodcaller("get", name), rows))
    uniform = set(map(type, rows)) == {kind}

    def values(name: str) -> list:
        if name not in kind.FIELD_SET:
            return [None] * n
        value_of = operator.attrgetter(name)
        if uniform:
            return list(map(value_of, rows))
        # a dict among the records: a row rewritten by a later step, read by its keys
        return [value_of(r) if type(r) is kind else r.get(name) for r in rows]

    return values


def _typed_column(values: list, dtype: str | None, n: int) -> ExtensionArray | np.ndarray:
    """The model's dtype; other columns stay objects, with every missing value as None.

    An object column is handed over as its ndarray, not wrapped as a pandas array: the frame
    would unwrap it again with `to_numpy`, which looks for missing values first whether or not
    it needs them, a pass over every value of every text column (at 10x the archive, a heap far
    past the CPU's caches: about 2.5 s under cProfile)."""
    column = np.fromiter(values, dtype=object, count=n)
    if dtype:
        return pd.Series(column, dtype=object, copy=False).astype(dtype).array
    missing = pd.isna(column)
    if missing.any():
        column[missing] = None
    return column


def assemble(
    extraction: Extraction, resolution: Resolution, consume: bool = False
) -> dict[str, pd.DataFrame]:
    """All published tables (before row validation) from the two pure stages.

    With `consume`, each row list is emptied once its table is built, so the rows and the
    frames are never all in memory at once (the rows weigh about as much as the frames: some
    300 MB at archive scale). Only for callers that do not need the stages' rows afterwards.
    """
    plan = [
        ("raw_pages", extraction, "raw_pages", None),
        ("listings", extraction, "listings", None),
        ("listing_entries", extraction, "entries", _with_entry_document),
        ("document_pages", extraction, "details", _with_page_document),
        ("documents", resolution, "documents", None),
        ("document_listings", resolution, "document_listings", None),
        ("document_matches", resolution, "document_matches", None),
        ("document_people", resolution, "document_people", None),
        ("quarantine", extraction, "quarantine", None),
    ]
    tables = {}
    for table, source, attribute, add_ids in plan:
        rows = getattr(source, attribute)
        tables[table] = build_frame(table, rows, add_ids(rows, resolution) if add_ids else None)
        if consume:
            rows.clear()
    return tables


def _with_entry_document(entries: list[dict], resolution: Resolution) -> dict[str, list]:
    """The document_id column of listing_entries (a column beside the rows, not a copy of each
    row: 62,000 dicts at archive scale)."""
    ids = resolution.entry_document
    return {"document_id": [ids.get((e["page_sha256"], int(e["position"]))) for e in entries]}


def _with_page_document(details: list[dict], resolution: Resolution) -> dict[str, list]:
    ids = resolution.page_document
    return {"document_id": [ids.get(d["page_sha256"]) for d in details]}
