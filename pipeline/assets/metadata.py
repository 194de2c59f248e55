"""Dagster metadata for a table: row count, a Markdown preview and the column schema."""

import dagster as dg
import pandas as pd

from schemas import TABLES

PREVIEW_ROWS = 5
_PREVIEW_WIDTH = 60


def column_schema(table: str) -> dg.TableSchema:
    columns = TABLES[table][0].to_schema().columns
    return dg.TableSchema(
        columns=[
            dg.TableColumn(name, str(col.dtype), description=col.description or "")
            for name, col in columns.items()
        ]
    )


def _short(value: object) -> str:
    text = "" if value is None else str(value)
    text = text.replace("\n", " ").replace("|", "\\|")
    return text if len(text) <= _PREVIEW_WIDTH else text[: _PREVIEW_WIDTH - 1] + "…"


def markdown_table(frame: pd.DataFrame, limit: int | None = PREVIEW_ROWS) -> str:
    """A Markdown table of the first `limit` rows (all rows when None), cells shortened."""
    head = frame if limit is None else frame.head(limit)
    cols = list(head.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    lines += [
        "| " + " | ".join(_short(v) for v in row) + " |" for row in head.itertuples(index=False)
    ]
    return "\n".join(lines)


def table_metadata(table: str, frame: pd.DataFrame) -> dict:
    meta = {
        "dagster/row_count": dg.MetadataValue.int(len(frame)),
        "dagster/column_schema": column_schema(table),
        "preview": dg.MetadataValue.md(markdown_table(frame)),
    }
    if table == "quarantine" and not frame.empty:
        meta["by_reason"] = dg.MetadataValue.md(markdown_table(reason_counts(frame), None))
    return meta


def reason_counts(quarantine: pd.DataFrame) -> pd.DataFrame:
    """Rows per (stage, table, reason kind): the file name and values are cut off the reason,
    so "a.txt: empty file" and "b.txt: empty file" count as one kind."""
    kind = quarantine["rule"].where(
        quarantine["rule"].notna(),
        quarantine["reason"].str.split(": ", n=1).str[-1].str.slice(0, 80),
    )
    counted = quarantine.assign(reason_kind=kind)
    return (
        counted.groupby(["stage", "table_name", "reason_kind"], dropna=False)
        .size()
        .reset_index(name="rows")
        .sort_values("rows", ascending=False, kind="mergesort")
    )
