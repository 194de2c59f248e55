"""Stage 4 asset: switch in a new release of Parquet files + DuckDB (pipeline.runner)."""

import time

import dagster as dg

from pipeline.assets.resources import PipelinePaths
from pipeline.progress import stage_done
from pipeline.runner import database_build_summary, stage_export_dataset, stage_publish
from schemas import TABLES


@dg.asset(
    group_name="publish",
    compute_kind="duckdb",
    deps=list(TABLES),  # ordered after the tables and their blocking checks; reads the files
)
def published_release(
    context: dg.AssetExecutionContext,
    paths: PipelinePaths,
    extraction_stats: dict,
    staged_release: dict,
) -> dict:
    """outputs/<table>.parquet and outputs/archive.duckdb, switched in atomically."""
    out = paths.output_path()
    started = time.perf_counter()
    stats = {k: extraction_stats[k] for k in ("parsed_now", "reused")}
    stats.update({k: v for k, v in staged_release.items() if k != "path"})
    record = stage_publish(
        staged_release["path"],
        out,
        paths.raw_path(),
        stats,
        extraction_stats["started_at"],
        paths.lock_timeout_seconds,
        extraction_stats["stat_lines"],
    )
    built = database_build_summary(out) if record.release_changed else {}
    if paths.show_progress:
        change = "new release" if record.release_changed else "unchanged release"
        stage_done(
            "publish", f"{change} {record.release_id}{_how(built)}", time.perf_counter() - started
        )
    context.add_output_metadata(
        {
            "release": record.release_id,
            "changed": record.release_changed,
            "output_dir": dg.MetadataValue.path(str(out.resolve())),
            "documents": record.documents,
            **{f"duckdb_{name}": value for name, value in built.items()},
        }
    )
    return {"release_id": record.release_id, "changed": record.release_changed}


def _how(built: dict[str, int]) -> str:
    """The DuckDB build in a few words for the progress line (empty when there was none)."""
    if not built.get("tables_updated"):
        return ""
    return (
        f"; DuckDB: {built['tables_updated']} tables updated in place"
        f" (+{built['rows_appended']:,} / -{built['rows_deleted']:,} rows),"
        f" {built['tables_loaded']} loaded whole"
    )


@dg.asset(group_name="publish", compute_kind="pyarrow")
def published_dataset(
    context: dg.AssetExecutionContext, paths: PipelinePaths, published_release: dict
) -> dict:
    """The current release as a Hive-partitioned Parquet dataset (by document year) for
    engines reading object storage, when a destination is configured (publish/dataset.py)."""
    dest = paths.dataset_destination()
    if not dest:
        context.add_output_metadata({"exported": False, "why": "no dataset_uri configured"})
        return {"exported": False}
    started = time.perf_counter()
    report = stage_export_dataset(paths.output_path(), dest)
    if paths.show_progress:
        stage_done("dataset", report.summary(), time.perf_counter() - started)
    context.add_output_metadata(
        {
            "exported": True,
            "written_now": report.written,
            "location": report.location,
            "release": report.release_id,
            "files": report.files,
        }
    )
    return {"exported": True, "location": report.location, "written": report.written}
