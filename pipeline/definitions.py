"""Dagster entry point (`dagster dev -w workspace.yaml`): assets by stage, checks, schedule,
sensor and the paths resource. Everything here is wiring; the work is in the pure modules."""

import dagster as dg

from pipeline.assets.automation import daily_schedule, pipeline_job, raw_folder_sensor
from pipeline.assets.dedup import resolved_documents
from pipeline.assets.extract import bucket_assets, extracted_pages, raw_listing
from pipeline.assets.publish import published_dataset, published_release
from pipeline.assets.resources import PipelinePaths
from pipeline.assets.tables import published_tables
from pipeline.gc_tuning import tune_gc

tune_gc()  # this module is what every Dagster process (UI, daemon, step workers) loads

core_assets = [
    raw_listing,
    *bucket_assets,
    extracted_pages,
    resolved_documents,
    published_tables,
    published_release,
    published_dataset,
]


def _fetch_assets() -> list:
    try:
        from pipeline.assets.fetch import fetch_assets
    except ImportError:
        return []
    return list(fetch_assets)


defs = dg.Definitions(
    assets=[*core_assets, *_fetch_assets()],
    jobs=[pipeline_job],
    schedules=[daily_schedule],
    sensors=[raw_folder_sensor],
    resources={"paths": PipelinePaths()},
    # What the UI materialises runs in process too (see pipeline/assets/automation.py);
    # `archive_pipeline` keeps the executor that can be switched to multiprocess.
    executor=dg.in_process_executor,
)
