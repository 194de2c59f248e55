"""When the pipeline runs by itself: daily, and whenever files in the raw folder change."""

import dagster as dg

from pipeline.assets.resources import PipelinePaths
from pipeline.extract.fingerprint import raw_fingerprint

# Scheduled and sensor runs execute their steps in the run's own process, as the CLI does:
# extraction forks a parsing worker per core itself. The multiprocess executor (a process per
# step, every output pickled between steps) took 66.2 s for the 1x benchmark archive against
# 43.8 s in process (DESIGN.md, Scale); the launchpad can still choose it for this job.
IN_PROCESS_RUN = {"execution": {"config": {"in_process": {}}}}

pipeline_job = dg.define_asset_job(
    "archive_pipeline",
    selection=dg.AssetSelection.all() - dg.AssetSelection.groups("fetch"),
    description="raw/ → extract → dedup → validated tables → published release",
    executor_def=dg.multi_or_in_process_executor,
    config=IN_PROCESS_RUN,
)

daily_schedule = dg.ScheduleDefinition(
    name="daily_archive_pipeline",
    job=pipeline_job,
    cron_schedule="0 3 * * *",
    execution_timezone="UTC",
    description="Rebuild every night; unchanged input republishes nothing.",
)


@dg.sensor(
    job=pipeline_job, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.STOPPED
)
def raw_folder_sensor(context: dg.SensorEvaluationContext, paths: PipelinePaths):  # noqa: ANN201
    """Start a run when snapshots are added, changed or removed in the raw folder."""
    raw_dir = paths.raw_path()
    fingerprint = raw_fingerprint(raw_dir)
    if fingerprint == context.cursor:
        return dg.SkipReason(f"no change in {raw_dir}")
    context.update_cursor(fingerprint)
    return dg.RunRequest(run_key=fingerprint)
