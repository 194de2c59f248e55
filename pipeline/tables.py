"""Rows → typed, sorted DataFrames in the column order the pandera models declare.

The models in `schemas/` are the single source of truth for columns and types; this module only
follows them, so a new column is added in one place.
"""

from __future__ import annotations

import operator

import pandas as pd

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
    """A DataFrame of `table` from dict rows or column lists: model column order, model dtypes,
    sorted. `extra` adds columns the rows lack (one value per row, in row order); any other
    column the rows lack is all null."""
    columns = TABLES[table][0].to_schema().columns
    if not rows:
        frame = pd.DataFrame({name: pd.Series([], dtype=object) for name in columns})
    elif isinstance(rows, Columns):
        n = len(rows)
        frame = pd.DataFrame({name: rows.data.get(name, [None] * n) for name in columns})
    elif isinstance(rows[0], Record):
        frame = _records_frame(rows).reindex(columns=list(columns))
    else:
        frame = pd.DataFrame.from_records(rows, columns=list(columns))
    for name, values in (extra or {}).items():
        if len(frame):
            frame[name] = pd.Series(values, index=frame.index, dtype=object)
    for name, column in columns.items():
        dtype = _pandas_dtype(column.dtype)
        if dtype:
            frame[name] = frame[name].astype(dtype)
        else:
            frame[name] = frame[name].astype(object).where(frame[name].notna(), None)
    return sort_frame(table, frame)


def _records_frame(rows: list) -> pd.DataFrame:
    """The extraction's row records (row_types.py) as a frame: a tuple per row in C
    (attrgetter), which pandas reads as fast as it reads dicts; a dict among them (a row
    rewritten by a later step) is read by its keys."""
    kind = type(rows[0])
    names = kind.FIELDS
    values = operator.attrgetter(*names)
    data = [values(r) if type(r) is kind else tuple(r.get(n) for n in names) for r in rows]
    return pd.DataFrame.from_records(data, columns=list(names))


def sort_frame(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Deterministic row order: the model's sort keys, nulls last, index reset."""
    keys = TABLES[table][1]
    if frame.empty:
        return frame.reset_index(drop=True)
    return frame.sort_values(keys, na_position="last", kind="mergesort").reset_index(drop=True)


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
