"""The one resource: where the raw pages are and where outputs go.

Paths come from the resource's config, else from PIPELINE_RAW_DIR / PIPELINE_OUTPUT_DIR read
when a run starts (never at import time), else from raw/ and outputs/. The partitioned dataset
is exported only when a destination is given (`dataset_uri`, else PIPELINE_DATASET_URI).
"""

import os
from pathlib import Path

import dagster as dg

from pipeline.processes import default_extract_workers


class PipelinePaths(dg.ConfigurableResource):
    """Raw input folder and output folder of the pipeline."""

    raw_dir: str = ""
    output_dir: str = ""
    lock_timeout_seconds: float = 600.0
    show_progress: bool = False
    extract_processes: int = 0  # forked workers per extract bucket; 0: as many as suit the run
    dataset_uri: str = ""  # where to export the partitioned dataset (folder or s3://…)

    def extract_workers(self) -> int:
        """The configured parsing workers per bucket, else one per usable core when the steps
        share the run's process, one in a step of the multiprocess executor."""
        return self.extract_processes if self.extract_processes > 0 else default_extract_workers()

    def raw_path(self) -> Path:
        return Path(self.raw_dir or os.environ.get("PIPELINE_RAW_DIR") or "raw")

    def output_path(self) -> Path:
        return Path(self.output_dir or os.environ.get("PIPELINE_OUTPUT_DIR") or "outputs")

    def dataset_destination(self) -> str:
        """The dataset export's destination; "" when none is configured (no export)."""
        return self.dataset_uri or os.environ.get("PIPELINE_DATASET_URI", "")
