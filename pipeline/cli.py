"""Command line: `run` materialises every asset in process; `dataset` exports the current
release as a partitioned Parquet dataset; `fetch` saves new pages; `docs` regenerates the data
dictionary. One-line errors, non-zero exits, tracebacks only with --debug.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

from pipeline.processes import usable_cpus

EXIT_USAGE = 2
EXIT_FAILED = 1


class UserError(Exception):
    """A problem the user can fix; printed as one line."""


def _check_dirs(raw: Path, out: Path) -> None:
    if not raw.exists():
        raise UserError(f"raw folder {raw} does not exist: give --raw DIR or create it")
    if not raw.is_dir():
        raise UserError(f"raw folder {raw} is not a folder")
    if not any(p for p in raw.rglob("*") if p.is_file() and not p.name.endswith(".meta.json")):
        raise UserError(f"raw folder {raw} holds no page snapshots: save pages into it first")
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=out, prefix=".write-test-"):
            pass
    except OSError as exc:
        raise UserError(
            f"output folder {out} is not writable ({exc.strerror or exc}): "
            "choose another with --out or fix its permissions"
        ) from exc


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


def _materialise(  # noqa: ANN202
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
        return _Outcome(result.success, result.all_events, result.run_id), instance


@dataclass
class _Outcome:
    """What `run` needs from either kind of Dagster result."""

    success: bool
    all_events: list
    run_id: str


# Exceptions raised inside assets whose message already tells the user what to do.
_USER_FACING_ERRORS = {"OutputLocked", "RawDirMissing"}


def _failure_message(result) -> str:  # noqa: ANN001
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


def _summary_lines(out: Path) -> list[str]:
    import pyarrow.parquet as pq

    from schemas import TABLES

    lines = []
    for table in TABLES:
        path = out / f"{table}.parquet"
        rows = pq.ParquetFile(path).metadata.num_rows if path.exists() else 0
        lines.append(f"  {table:<18} {rows:>8} rows  {path}")
    return lines


def cmd_run(args: argparse.Namespace) -> int:
    raw, out = Path(args.raw), Path(args.out)
    _check_dirs(raw, out)
    started = time.perf_counter()
    if not args.force:
        from pipeline.up_to_date import record_noop_run, up_to_date

        release = up_to_date(raw, out)
        if release:
            from pipeline.runs import OutputLocked

            try:
                record_noop_run(raw, out, release, args.lock_timeout)
            except OutputLocked as exc:
                raise UserError(str(exc)) from exc
            if not args.quiet:
                print(
                    f"up to date: release {release} already holds {raw} with this code "
                    "(use --force to rebuild)"
                )
            if args.dataset:
                _export(out, args.dataset, args.quiet)
            if args.stats_json:
                Path(args.stats_json).write_text(
                    json.dumps(
                        {"stage_seconds": {}, "release": {"release_id": release, "changed": False}}
                    )
                )
            return 0
    result, instance = _materialise(
        raw,
        out,
        args.quiet,
        args.lock_timeout,
        args.workers,
        getattr(args, "debug", False),
        args.multiprocess,
        args.dataset,
    )
    failed_checks = [
        e.asset_check_evaluation_data.check_name
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
        and not e.asset_check_evaluation_data.passed
    ]
    if not result.success:
        raise UserError(_failure_message(result))
    if failed_checks:
        raise UserError(f"checks failed: {', '.join(failed_checks)}; nothing was published")
    stage_seconds = _stage_seconds(instance.all_logs(result.run_id))
    if not args.quiet:
        print(f"published {out}/ in {time.perf_counter() - started:.1f}s")
        print("\n".join(_summary_lines(out)))
    if args.stats_json:
        import pyarrow.parquet as pq

        last = pq.read_table(out / "runs.parquet").to_pylist()[-1]
        record = {"release_id": last["release_id"], "changed": last["release_changed"]}
        Path(args.stats_json).write_text(
            json.dumps(
                {
                    "stage_seconds": stage_seconds,
                    "release": record,
                },
                indent=2,
            )
        )
    return 0


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


def _stage_seconds(records) -> dict[str, float]:  # noqa: ANN001
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


def _export(out: Path, dest: str, quiet: bool) -> None:
    """Export the current release (a no-op when `dest` holds it already) and say where. (A run
    through Dagster exports in its `published_dataset` asset, which says it itself.)"""
    from pipeline.runner import NoRelease, stage_export_dataset

    try:
        report = stage_export_dataset(out, dest)
    except NoRelease as exc:
        raise UserError(str(exc)) from exc
    except OSError as exc:
        raise UserError(f"cannot write the dataset to {dest}: {exc}") from exc
    if quiet:
        return
    print(f"dataset: {report.summary()}")


def cmd_dataset(args: argparse.Namespace) -> int:
    if not args.to:
        raise UserError("give --to DEST (a folder or s3://bucket/prefix) or PIPELINE_DATASET_URI")
    _export(Path(args.out), args.to, args.quiet)
    return 0


def cmd_docs(args: argparse.Namespace) -> int:
    from pipeline.docs import write_data_dictionary

    path = write_data_dictionary(Path(args.path))
    print(f"wrote {path}")
    return 0


def cmd_fetch(argv: list[str]) -> int:
    from pipeline.fetch.cli import main as fetch_main

    return fetch_main(argv)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m pipeline", description=__doc__)
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="materialise every asset in process")
    run.add_argument("--raw", default=os.environ.get("PIPELINE_RAW_DIR", "raw"))
    run.add_argument("--out", default=os.environ.get("PIPELINE_OUTPUT_DIR", "outputs"))
    run.add_argument("--quiet", action="store_true", help="no progress or summary")
    run.add_argument(
        "--force",
        action="store_true",
        help="rebuild even when raw files and code are unchanged since the release",
    )
    run.add_argument("--debug", action="store_true", help="show tracebacks")
    run.add_argument(
        "--lock-timeout",
        type=float,
        default=600.0,
        help="seconds to wait for another run on the same output folder",
    )
    run.add_argument("--stats-json", help="write per-stage seconds to this file")
    run.add_argument(
        "--workers",
        type=int,
        default=usable_cpus(),
        help="processes for extraction (forked workers per extract bucket; default: the cores "
        "this process may use, %(default)s here)",
    )
    run.add_argument(
        "--multiprocess",
        action="store_true",
        help="use Dagster's multiprocess executor (each step in its own process, --workers at "
        "a time): the scale-out path; seconds of start-up per step",
    )
    run.add_argument(
        "--dataset",
        default=os.environ.get("PIPELINE_DATASET_URI", ""),
        metavar="DEST",
        help="also export the release as a partitioned Parquet dataset to DEST (a folder or "
        "s3://…; see `dataset`)",
    )
    dataset = sub.add_parser(
        "dataset",
        help="export the current release as a Hive-partitioned Parquet dataset (by year)",
    )
    dataset.add_argument("--out", default=os.environ.get("PIPELINE_OUTPUT_DIR", "outputs"))
    dataset.add_argument(
        "--to",
        default=os.environ.get("PIPELINE_DATASET_URI", ""),
        metavar="DEST",
        help="a folder or a pyarrow filesystem URI (s3://bucket/prefix)",
    )
    dataset.add_argument("--quiet", action="store_true")
    docs = sub.add_parser("docs", help="regenerate docs/data_dictionary.md")
    docs.add_argument("--path", default="docs/data_dictionary.md")
    sub.add_parser(
        "fetch", help="fetch pages into raw/ (off by default; see docs/fetching.md)", add_help=False
    )
    return parser


def main(argv: list[str]) -> int:
    from pipeline.gc_tuning import tune_gc

    tune_gc()
    warnings.filterwarnings("ignore", message=".*beta.*")
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    if argv and argv[0] == "fetch":
        return cmd_fetch(argv[1:])
    args = build_parser().parse_args(argv)
    debug = args.debug or "--debug" in argv
    args.debug = debug  # `--debug run` and `run --debug` alike
    try:
        if args.command == "run":
            return cmd_run(args)
        if args.command == "dataset":
            return cmd_dataset(args)
        if args.command == "docs":
            return cmd_docs(args)
    except UserError as exc:
        if debug:
            raise
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug, or an environment problem: one line unless --debug
        if debug:
            raise
        print(
            f"error: {type(exc).__name__}: {exc} (run with --debug for the traceback)",
            file=sys.stderr,
        )
        return EXIT_FAILED
    return EXIT_USAGE
