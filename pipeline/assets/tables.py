"""Stage 3: one asset per published table, validated row by row (bad rows → quarantine)."""

import dagster as dg
from dagster_pandera import pandera_schema_to_dagster_type

from pipeline.assets.metadata import table_metadata
from pipeline.dedup.resolve import Resolution
from pipeline.extract.pages import Extraction
from pipeline.runner import stage_tables
from schemas import TABLES


def _out(table: str) -> dg.AssetOut:
    model = TABLES[table][0]
    return dg.AssetOut(
        dagster_type=pandera_schema_to_dagster_type(model),
        description=(model.__doc__ or "").strip(),
        group_name="tables",
        kinds={"pandas"},
    )


@dg.multi_asset(outs={table: _out(table) for table in TABLES}, compute_kind="pandera")
def published_tables(extracted_pages: Extraction, resolved_documents: Resolution):  # noqa: ANN201
    """Typed, sorted tables; rows failing a pandera rule move to `quarantine` with the rule."""
    tables = stage_tables(extracted_pages, resolved_documents)
    for table in TABLES:
        yield dg.Output(
            tables[table], output_name=table, metadata=table_metadata(table, tables[table])
        )
