"""Rows → typed, sorted DataFrames in the column order the pandera models declare.

The models in `schemas/` are the single source of truth for columns and types; this module only
follows them, so a new column is added in one place.
"""

from __future__ import annotations

import pandas as pd

from pipeline.dedup.resolve import Resolution
from pipeline.extract.pages import Extraction
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


def build_frame(table: str, rows: list[dict]) -> pd.DataFrame:
    """A DataFrame of `table` from dict rows: model column order, model dtypes, sorted."""
    model, sort_keys = TABLES[table]
    columns = model.to_schema().columns
    frame = (
        pd.DataFrame.from_records(rows, columns=list(columns))
        if rows
        else pd.DataFrame({name: pd.Series([], dtype=object) for name in columns})
    )
    for name, column in columns.items():
        dtype = _pandas_dtype(column.dtype)
        if dtype:
            frame[name] = frame[name].astype(dtype)
        else:
            frame[name] = frame[name].astype(object).where(frame[name].notna(), None)
    return sort_frame(table, frame)


def sort_frame(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Deterministic row order: the model's sort keys, nulls last, index reset."""
    keys = TABLES[table][1]
    if frame.empty:
        return frame.reset_index(drop=True)
    return frame.sort_values(keys, na_position="last", kind="mergesort").reset_index(drop=True)


def assemble(extraction: Extraction, resolution: Resolution) -> dict[str, pd.DataFrame]:
    """All published tables (before row validation) from the two pure stages."""
    entries = []
    for e in extraction.entries:
        doc = resolution.entry_document.get((e["page_sha256"], int(e["position"])))
        entries.append({**e, "document_id": doc})
    pages = [
        {**d, "document_id": resolution.page_document.get(d["page_sha256"])}
        for d in extraction.details
    ]
    return {
        "raw_pages": build_frame("raw_pages", extraction.raw_pages),
        "listings": build_frame("listings", extraction.listings),
        "listing_entries": build_frame("listing_entries", entries),
        "document_pages": build_frame("document_pages", pages),
        "documents": build_frame("documents", resolution.documents),
        "document_listings": build_frame("document_listings", resolution.document_listings),
        "document_matches": build_frame("document_matches", resolution.document_matches),
        "document_people": build_frame("document_people", resolution.document_people),
        "quarantine": build_frame("quarantine", extraction.quarantine),
    }
