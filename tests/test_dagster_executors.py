"""The pipeline on Dagster's executors: the `archive_pipeline` job as the daily schedule and the
raw-folder sensor launch it (its steps in the run's own process, forked parsing workers per
core), and every step in its own process (`--multiprocess`). Each publishes what an in-process
`python -m pipeline run` publishes."""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

import dagster as dg
import pytest

from tests.conftest import RAW
from tests.helpers.incremental import leftovers, release_bytes


def archive_pipeline_job() -> dg.JobDefinition:
    """The job a schedule launches, built by its definitions (reconstructable from here)."""
    from pipeline.definitions import defs

    return defs.resolve_job_def("archive_pipeline")


def test_a_scheduled_run_executes_every_step_in_its_own_process_and_publishes_the_clis_release(
    tmp_path: Path, seed_outputs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Launched with no run config, as the schedule and the sensor launch it. Its steps each ran
    in a process of their own (55-68 s at 1x against 43-46 s in process, session 15)."""
    out = tmp_path / "out"
    monkeypatch.setenv("PIPELINE_RAW_DIR", str(RAW))
    monkeypatch.setenv("PIPELINE_OUTPUT_DIR", str(out))
    home = tmp_path / "dagster_home"
    home.mkdir()
    with dg.DagsterInstance.local_temp(str(home)) as instance:
        result = dg.execute_job(dg.reconstructable(archive_pipeline_job), instance=instance)
        assert result.success
        step_pids = {e.pid for e in result.all_events if e.is_step_success}
        steps = {e.step_key for e in result.all_events if e.is_step_success}
    assert step_pids == {os.getpid()}
    assert {"extracted_pages_0", "resolved_documents", "published_release"} <= steps
    assert os.readlink(out / "current") == os.readlink(seed_outputs / "current")


def test_dagsters_multiprocess_executor_publishes_what_a_run_in_one_process_does(
    tmp_path: Path, seed_outputs: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """Every step in its own process (`--multiprocess`, and the `archive_pipeline` job when
    the launchpad picks that executor): the staged release is
    published by another process than the one that staged it, and must not look abandoned to
    it. The steps' processes keep as quiet as the run: Dagster speaks only with --debug."""
    from pipeline.cli import main

    out = tmp_path / "out"
    argv = ["run", "--raw", str(RAW), "--out", str(out), "--quiet", "--multiprocess"]
    assert main([*argv, "--workers", "2"]) == 0
    assert os.readlink(out / "current") == os.readlink(seed_outputs / "current")
    assert release_bytes(out) == release_bytes(seed_outputs)
    assert leftovers(out) == []
    said = capfd.readouterr()
    assert said.out == "" and "dagster" not in said.err, said.err[:500]


def _worker_default_in_child(queue: multiprocessing.Queue) -> None:
    from pipeline.assets.resources import PipelinePaths

    queue.put(PipelinePaths().extract_workers())


def test_parsing_workers_default_to_the_cores_unless_each_step_has_a_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Unset (0), a run's own process forks a worker per usable core; a step of the multiprocess
    executor (a multiprocessing child) parses alone, its sibling buckets using the other cores.
    A configured count is kept either way."""
    from pipeline.assets.resources import PipelinePaths

    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1, 4}, raising=False)
    assert PipelinePaths().extract_workers() == 3
    assert PipelinePaths(extract_processes=2).extract_workers() == 2

    queue = multiprocessing.get_context("fork").Queue()
    child = multiprocessing.get_context("fork").Process(
        target=_worker_default_in_child, args=(queue,)
    )
    child.start()
    assert queue.get(timeout=30) == 1
    child.join(timeout=30)


def test_the_ui_materialises_in_process_and_the_job_can_still_choose_multiprocess() -> None:
    """Assets materialised from the UI run on the code location's executor, in process; the
    scheduled job runs in process by default and takes `multiprocess` from the launchpad."""
    from pipeline.definitions import defs

    assert defs.resolve_implicit_global_asset_job_def().executor_def.name == "in_process"
    job = defs.resolve_job_def("archive_pipeline")
    assert job.run_config == {"execution": {"config": {"in_process": {}}}}
    multiprocess = {"execution": {"config": {"multiprocess": {"max_concurrent": 2}}}}
    chosen = dg.validate_run_config(job, multiprocess)["execution"]
    assert chosen["multi_or_in_process_executor"]["multiprocess"]["max_concurrent"] == 2
