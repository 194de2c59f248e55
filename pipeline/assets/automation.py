"""When the pipeline runs by itself: daily, and whenever files in the raw folder change."""

import hashlib
import os
from pathlib import Path

import dagster as dg

from pipeline.extract.snapshot import iter_raw_files

pipeline_job = dg.define_asset_job(
    "archive_pipeline",
    selection=dg.AssetSelection.all() - dg.AssetSelection.groups("fetch"),
    description="raw/ → extract → dedup → validated tables → published release",
)

daily_schedule = dg.ScheduleDefinition(
    name="daily_archive_pipeline",
    job=pipeline_job,
    cron_schedule="0 3 * * *",
    execution_timezone="UTC",
    description="Rebuild every night; unchanged input republishes nothing.",
)


def raw_folder_fingerprint(raw_dir: Path) -> str:
    """Hash of (path, size, mtime) of every snapshot and sidecar: changes on add/edit/remove."""
    digest = hashlib.sha256()
    if not raw_dir.is_dir():
        return "missing"
    for path in iter_raw_files(raw_dir):
        for p in (path, path.with_name(path.name + ".meta.json")):
            try:
                st = p.lstat()
            except OSError:
                continue
            rel = p.relative_to(raw_dir).as_posix()
            digest.update(f"{rel}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return digest.hexdigest()


@dg.sensor(
    job=pipeline_job, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.STOPPED
)
def raw_folder_sensor(context: dg.SensorEvaluationContext):  # noqa: ANN201
    """Start a run when snapshots are added, changed or removed in the raw folder."""
    raw_dir = Path(os.environ.get("PIPELINE_RAW_DIR") or "raw")
    fingerprint = raw_folder_fingerprint(raw_dir)
    if fingerprint == context.cursor:
        return dg.SkipReason(f"no change in {raw_dir}")
    context.update_cursor(fingerprint)
    return dg.RunRequest(run_key=fingerprint)
