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
    from pipeline.dagster_run import (
        failed_checks,
        failure_message,
        materialise,
        stage_seconds,
    )

    result, instance = materialise(
        raw,
        out,
        args.quiet,
        args.lock_timeout,
        args.workers,
        getattr(args, "debug", False),
        args.multiprocess,
        args.dataset,
    )
    if not result.success:
        raise UserError(failure_message(result))
    if failed := failed_checks(result):
        raise UserError(f"checks failed: {', '.join(failed)}; nothing was published")
    seconds = stage_seconds(instance.all_logs(result.run_id))
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
                    "stage_seconds": seconds,
                    "release": record,
                },
                indent=2,
            )
        )
    return 0


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
