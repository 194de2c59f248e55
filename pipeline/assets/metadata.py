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


def preview_markdown(frame: pd.DataFrame) -> str:
    head = frame.head(PREVIEW_ROWS)
    cols = list(head.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for row in head.itertuples(index=False):
        lines.append("| " + " | ".join(_short(v) for v in row) + " |")
    return "\n".join(lines)


def table_metadata(table: str, frame: pd.DataFrame) -> dict:
    meta = {
        "dagster/row_count": dg.MetadataValue.int(len(frame)),
        "dagster/column_schema": column_schema(table),
        "preview": dg.MetadataValue.md(preview_markdown(frame)),
    }
    if table == "quarantine" and not frame.empty:
        meta["by_reason"] = dg.MetadataValue.md(preview_markdown_all(reason_counts(frame)))
    return meta


def preview_markdown_all(frame: pd.DataFrame) -> str:
    cols = list(frame.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(_short(v) for v in row) + " |"
              for row in frame.itertuples(index=False)]  # fmt: skip
    return "\n".join(lines)


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
