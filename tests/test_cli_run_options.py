"""The CLI's run options that the bench reads or relies on: per-stage seconds (`--stats-json`),
where every step of the job counts towards its stage, and the extraction workers."""

from __future__ import annotations

import os
from types import SimpleNamespace

import pytest

from pipeline.dagster_run import stage_of_step, stage_seconds
from pipeline.definitions import core_assets

STAGES = {"extract", "dedup", "validate", "publish"}


def _record(step: str, kind: str, at: float) -> SimpleNamespace:
    return SimpleNamespace(
        dagster_event=SimpleNamespace(step_key=step, event_type_value=kind), timestamp=at
    )


def test_every_step_of_the_job_belongs_to_a_stage() -> None:
    steps = {asset.node_def.name: stage_of_step(asset.node_def.name) for asset in core_assets}
    assert set(steps.values()) == STAGES
    assert steps["raw_listing"] == steps["extracted_pages_3"] == "extract"
    assert steps["published_dataset"] == steps["published_release"] == "publish"


def test_steps_are_timed_from_start_to_success_and_summed_per_stage() -> None:
    records = [
        _record("raw_listing", "STEP_START", 0.0),
        _record("raw_listing", "STEP_SUCCESS", 0.5),
        _record("extracted_pages_0", "STEP_START", 0.5),
        _record("extracted_pages_0", "STEP_SUCCESS", 2.0),
        _record("resolved_documents", "STEP_START", 2.0),
        _record("resolved_documents", "STEP_FAILURE", 3.0),  # not a success: not timed
        _record("published_dataset", "STEP_START", 3.0),
        _record("published_dataset", "STEP_SUCCESS", 3.25),
        _record("someone_elses_asset", "STEP_START", 4.0),
        _record("someone_elses_asset", "STEP_SUCCESS", 4.5),
        SimpleNamespace(dagster_event=None, timestamp=5.0),
    ]
    assert stage_seconds(records) == {"extract": 2.0, "publish": 0.25, "someone_elses_asset": 0.5}


def test_extraction_uses_the_cores_the_run_may_use_by_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`--workers` defaults to the process's share of cores (a container's, not the host's)."""
    from pipeline.cli import build_parser

    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 2, 5}, raising=False)
    assert build_parser().parse_args(["run"]).workers == 3
    assert build_parser().parse_args(["run", "--workers", "1"]).workers == 1
