"""The Dagster run behind `python -m pipeline run`: the job it executes (every core asset and
check, in process or on the multiprocess executor) and what the CLI reads back from the run
(success, the failure to report in one line, failed checks, seconds per stage). The CLI module
keeps the arguments and the messages; this one, the Dagster wiring."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


def build_cli_job(parallel: bool = False):  # noqa: ANN201
    """The job `run` executes: every core asset and check, in process or multiprocess."""
    import dagster as dg

    from pipeline.assets.handoff import handoff_io_manager
    from pipeline.assets.resources import PipelinePaths
    from pipeline.definitions import core_assets

    executor = dg.multiprocess_executor if parallel else dg.in_process_executor
    resources: dict = {"paths": PipelinePaths()}
    if not parallel:  # in one process: hand values over and drop them (see assets/handoff.py)
        resources["io_manager"] = handoff_io_manager(core_assets)
    defs = dg.Definitions(
        assets=core_assets,
        jobs=[
            dg.define_asset_job("cli_run", selection=dg.AssetSelection.all(), executor_def=executor)
        ],
        resources=resources,
    )
    return defs.resolve_job_def("cli_run")


def parallel_cli_job():  # noqa: ANN201
    """Module-level factory so worker processes can rebuild the job (dg.reconstructable)."""
    return build_cli_job(parallel=True)


def serial_cli_job():  # noqa: ANN201
    """The in-process job, built the same way (dg.execute_job needs a reconstructable job)."""
    return build_cli_job(parallel=False)


def materialise(  # noqa: ANN201
    raw: Path,
    out: Path,
    quiet: bool,
    lock_timeout: float,
    workers: int = 1,
    debug: bool = False,
    multiprocess: bool = False,
    dataset: str = "",
):
    """Run every core asset and check; in process, or with `workers` processes (extract
    buckets in parallel) through Dagster's multiprocess executor and a temporary instance."""
    import dagster as dg

    paths = {
        "raw_dir": str(raw.resolve()),
        "output_dir": str(out.resolve()),
        "lock_timeout_seconds": lock_timeout,
        "show_progress": not quiet,
        "extract_processes": 1 if multiprocess else workers,
        "dataset_uri": dataset,
    }
    # Dagster's console logger prints each failed step with its stack trace at ERROR level; the
    # CLI reports a failure itself in one line, so Dagster only speaks with --debug.
    log_level = "ERROR" if debug else "CRITICAL"
    run_config: dict = {
        "loggers": {"console": {"config": {"log_level": log_level}}},
        "resources": {"paths": {"config": paths}},
    }
    if multiprocess:
        run_config["execution"] = {"config": {"max_concurrent": workers}}
    # dg.execute_job, not JobDefinition.execute_in_process: the latter keeps every step's output
    # for its result object, so the parsed pages and all the tables stayed in memory to the end
    # of the run (hundreds of MB at archive scale) whatever the IO manager let go.
    # A step's process announces itself through the instance's default logger, not the run's
    # (in a temporary instance: its python log level keeps it as quiet as the run's loggers).
    quiet_instance = {"python_logs": {"python_log_level": log_level}}
    instance = (
        dg.DagsterInstance.local_temp(overrides=quiet_instance)
        if multiprocess
        else dg.DagsterInstance.ephemeral()
    )
    job = parallel_cli_job if multiprocess else serial_cli_job
    with dg.execute_job(
        dg.reconstructable(job), instance=instance, run_config=run_config, raise_on_error=False
    ) as result:
        return RunOutcome(result.success, result.all_events, result.run_id), instance


@dataclass
class RunOutcome:
    """What `run` needs from either kind of Dagster result."""

    success: bool
    all_events: list
    run_id: str


# Exceptions raised inside assets whose message already tells the user what to do.
_USER_FACING_ERRORS = {"OutputLocked", "RawDirMissing"}


def failure_message(result) -> str:  # noqa: ANN001
    """The first failed step's error in one line (a user-facing error's own sentence)."""
    for event in result.all_events:
        if event.is_step_failure and event.step_failure_data and event.step_failure_data.error:
            err = event.step_failure_data.error
            while err.cause is not None and err.cls_name in {"DagsterExecutionStepExecutionError"}:
                err = err.cause
            message = err.message.strip().splitlines()[-1]
            if err.cls_name in _USER_FACING_ERRORS:  # already a sentence: drop "module.Class: "
                return message.split(": ", 1)[-1]
            return f"{event.step_key}: {message}"
    return "the run failed (run with --debug for details)"


def failed_checks(result: RunOutcome) -> list[str]:
    """The names of the asset checks that did not pass (a blocking check stops publishing)."""
    return [
        e.asset_check_evaluation_data.check_name
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
        and not e.asset_check_evaluation_data.passed
    ]


# Every step of the CLI's job (tested): the raw folder's listing is extraction's, as the
# dataset export is publishing's.
_STAGE_OF_STEP = {
    "raw_listing": "extract",
    "extracted_pages": "extract",
    "resolved_documents": "dedup",
    "published_tables": "validate",
    "published_release": "publish",
    "published_dataset": "publish",
}


def stage_seconds(records) -> dict[str, float]:  # noqa: ANN001
    """Wall time per stage from the run's event log (checks count towards validate)."""
    starts: dict[str, float] = {}
    seconds: dict[str, float] = {}
    for record in records:
        event = record.dagster_event
        if event is None:
            continue
        key = event.step_key or ""
        if event.event_type_value == "STEP_START":
            starts[key] = record.timestamp
        elif event.event_type_value == "STEP_SUCCESS" and key in starts:
            stage = stage_of_step(key)
            seconds[stage] = seconds.get(stage, 0.0) + record.timestamp - starts[key]
    return {k: round(v, 3) for k, v in seconds.items()}


def stage_of_step(step_key: str) -> str:
    """The stage a step's time counts towards (the bucket steps by their common name); a step
    of no known stage counts under its own name, so its time shows instead of hiding in one."""
    name = step_key.rstrip("_0123456789")
    return _STAGE_OF_STEP.get(name, name)
