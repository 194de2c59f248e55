"""Stage 3: one asset per published table, validated row by row (bad rows → quarantine), with
their blocking checks evaluated in the same step."""

import time
import warnings

import dagster as dg
import pandas as pd
import pandera.errors
from dagster_pandera import pandera_schema_to_dagster_type

from pipeline.assets.checks import check_specs, cross_table_check, schema_check
from pipeline.assets.metadata import table_metadata
from pipeline.assets.resources import PipelinePaths
from pipeline.dedup.resolve import Resolution
from pipeline.extract.pages import Extraction
from pipeline.packed_text import PACKED_COLUMNS
from pipeline.progress import stage_done
from pipeline.runner import stage_tables, stage_write_release, table_counts
from pipeline.validate import TableReport, passed_as, table_schema
from schemas import TABLES


def _table_type(table: str) -> dg.DagsterType:
    """dagster-pandera's type for the table (its schema shows in the UI), whose check skips a
    second pandera pass over a frame that passed the same model earlier in this step."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # dagster-pandera marks this beta at every import
        pandera_type = pandera_schema_to_dagster_type(TABLES[table][0])

    def type_check(context, value) -> dg.TypeCheck:  # noqa: ANN001
        if passed_as(value) == table:
            return dg.TypeCheck(True, description="passed pandera in pipeline.validate")
        if not PACKED_COLUMNS.get(table):
            return pandera_type.type_check(context, value)
        try:  # the model's `str` would refuse packed text (pipeline/packed_text.py)
            table_schema(table).validate(value, lazy=True)
        except pandera.errors.SchemaErrors as exc:
            return dg.TypeCheck(False, description=str(exc)[:2000])
        return dg.TypeCheck(True, description="passed pandera (packed text as text)")

    return dg.DagsterType(
        type_check_fn=type_check,
        name=pandera_type.unique_name,
        description=pandera_type.description,
        metadata=pandera_type.metadata,
        typing_type=pd.DataFrame,
    )


def _out(table: str) -> dg.AssetOut:
    model = TABLES[table][0]
    dagster_type = _table_type(table)
    return dg.AssetOut(
        dagster_type=dagster_type,
        description=(model.__doc__ or "").strip(),
        group_name="tables",
        kinds={"pandas"},
    )


@dg.multi_asset(
    outs={
        **{table: _out(table) for table in TABLES},
        # The tables written as a staged release (Parquet files) plus the figures a run record
        # needs: publishing reads this, not the DataFrames, which can then be let go.
        "staged_release": dg.AssetOut(group_name="tables"),
    },
    check_specs=check_specs,
    compute_kind="pandera",
)
def published_tables(  # noqa: ANN201
    paths: PipelinePaths, extracted_pages: Extraction, resolved_documents: Resolution
):
    """Typed, sorted tables; rows failing a pandera rule move to `quarantine` with the rule."""
    started = time.perf_counter()
    reports: dict[str, TableReport] = {}
    # this step is the last to read the pages and the resolution: their rows go as tables come
    tables = stage_tables(extracted_pages, resolved_documents, reports, consume=True)
    if paths.show_progress:
        refused = int((tables["quarantine"]["stage"] == "validate").sum())
        summary = f"{len(tables)} tables validated, {refused} rows quarantined by rules"
        stage_done("validate", summary, time.perf_counter() - started)
    for table in TABLES:
        yield dg.Output(
            tables[table], output_name=table, metadata=table_metadata(table, tables[table])
        )
    for table in TABLES:
        yield schema_check(table, reports[table])
    yield cross_table_check(tables)
    staging = stage_write_release(tables, paths.output_path(), extracted_pages.spool_files)
    yield dg.Output({"path": str(staging), **table_counts(tables)}, output_name="staged_release")
