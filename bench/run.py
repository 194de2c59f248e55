"""`make bench`: the pipeline at archive scale — wall time, peak memory, against a floor and a
baseline, plus the incremental and no-op reruns.

Why each figure (see bench/README.md):
- floor_seconds F: reading and sha256-ing every raw byte once. Any pipeline pays at least this,
  so ratio R = S / F says how much work it does per byte beyond the unavoidable.
- seconds S: wall time of a cold `python -m pipeline run` in a fresh subprocess (interpreter
  start and imports included: that is what a user waits for).
- peak_rss_mb X: the largest of (a) the summed PSS of the process tree, sampled every 50 ms
  (pages a forked worker shares with its parent count once), and (b) the kernel's ru_maxrss
  for the child (catches spikes between samples). The naive tree RSS sum is printed beside it.
- baseline_seconds B: `bench/baseline.py`, the BeautifulSoup + pandas script a user would write.
- incremental: 1% new pages added, rerun on the same output folder; no-op: rerun with nothing
  changed. Both are compared with the full run.

The corpus is generated once per (scale, seed, generator version) into the work folder and
reused; the pipeline's output folder is wiped before the full run so that run is cold.
"""

from __future__ import annotations

import argparse
import compileall
import json
import math
import shutil
import sys
import time
from pathlib import Path

from bench.generate import GENERATOR_VERSION, generate, generate_increment
from bench.measure import REPO, child_pipeline, floor_seconds, measure, run_pipeline_measured
from bench.report import (
    print_bench_lines,
    print_stages,
    print_targets,
    scaling_lines,
    stored_results_path,
)
from pipeline.processes import usable_cpus

DEFAULT_WORK = REPO / "bench" / "out"
INCREMENT_TAG = "zz-increment"


def compile_sources() -> None:
    """Byte-compile the project's modules once, as Python does on a user's first import: with
    PYTHONDONTWRITEBYTECODE set (as on the machines these figures come from), every measured
    run compiled its 9,000 lines again, 0.4 s of each start-up. A stale file is recompiled;
    Python checks each source's size and time before using its compiled form."""
    for folder in ("pipeline", "schemas", "bench"):
        compileall.compile_dir(REPO / folder, quiet=1)


def corpus_dir(work: Path, scale: float, seed: int) -> Path:
    return work / f"corpus-s{scale:g}-seed{seed}-v{GENERATOR_VERSION}"


def ensure_corpus(work: Path, scale: float, seed: int) -> tuple[Path, dict]:
    """Generate the corpus unless this (scale, seed, version) is already in the work folder."""
    cdir = corpus_dir(work, scale, seed)
    truth_path = cdir / "truth.json"
    raw = cdir / "raw"
    leftover = raw / INCREMENT_TAG
    if leftover.exists():  # an interrupted earlier bench: restore the pristine corpus
        shutil.rmtree(leftover)
    if truth_path.exists() and raw.is_dir():
        truth = json.loads(truth_path.read_text())
        print(f"corpus: reusing {cdir} ({truth['pages']} pages, {truth['bytes'] / 1e6:.1f} MB)")
        return cdir, truth
    if cdir.exists():
        shutil.rmtree(cdir)
    print(f"corpus: generating scale={scale:g} seed={seed} into {cdir} ...", flush=True)
    tmp = cdir.with_name(cdir.name + ".tmp")
    if tmp.exists():
        shutil.rmtree(tmp)
    stats = generate(tmp, scale=scale, seed=seed)
    tmp.rename(cdir)  # only a finished corpus carries the final name
    print(
        f"corpus: {stats.pages} pages ({stats.html_pages} HTML), {stats.entries} entries, "
        f"{stats.bytes / 1e6:.1f} MB in {stats.seconds:.1f} s"
    )
    return cdir, json.loads(truth_path.read_text())


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child-pipeline"]:
        return child_pipeline(*argv[1:4])
    parser = argparse.ArgumentParser(
        prog="python -m bench.run",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--scale", type=float, default=1.0, help="1 = the real archive's size")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK, help="corpus cache + outputs")
    parser.add_argument(
        "--skip-baseline",
        action="store_true",
        help="do not run the baseline (reuse a stored figure if any, else nan)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=usable_cpus(),
        help="extraction processes for the pipeline (default: as `python -m pipeline run`, the "
        "cores this process may use)",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep pipeline and baseline outputs (the corpus is always kept)",
    )
    args = parser.parse_args(argv)
    work: Path = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)

    t_gen = time.perf_counter()
    cdir, truth = ensure_corpus(work, args.scale, args.seed)
    gen_seconds = time.perf_counter() - t_gen
    raw = cdir / "raw"
    run_dir = work / f"run-s{args.scale:g}-seed{args.seed}"
    if run_dir.exists():
        shutil.rmtree(run_dir)
    logs = run_dir / "logs"
    pipe_out = run_dir / "pipeline-out"

    compile_sources()
    floor, n_files, n_bytes = floor_seconds(raw)
    print(
        f"floor: read + sha256 of {n_files} files, {n_bytes / 1e6:.1f} MB: {floor:.2f} s "
        f"({n_bytes / 1e6 / floor:.0f} MB/s)"
    )

    state: dict = {"workers": args.workers}
    full = run_pipeline_measured("full", raw, pipe_out, logs, state)
    print_stages(full)
    noop = run_pipeline_measured("noop", raw, pipe_out, logs, state)
    print_stages(noop)
    try:
        inc_stats = generate_increment(
            raw, scale=args.scale, seed=args.seed, fraction=0.01, tag=INCREMENT_TAG
        )
        incr = run_pipeline_measured("incremental", raw, pipe_out, logs, state)
    finally:
        shutil.rmtree(raw / INCREMENT_TAG, ignore_errors=True)
    print_stages(incr)

    results_path = stored_results_path(work, args.scale, args.seed)
    previous = json.loads(results_path.read_text()) if results_path.exists() else {}
    baseline = math.nan
    baseline_rss = math.nan
    if not args.skip_baseline:
        bstats = logs / "baseline.stats.json"
        cmd = [
            sys.executable,
            "-m",
            "bench.baseline",
            str(raw),
            str(run_dir / "baseline-out"),
            "--stats-json",
            str(bstats),
        ]
        b = measure("baseline", cmd, bstats, logs)
        if b.returncode != 0:
            raise SystemExit(f"bench: the baseline failed (exit {b.returncode}):\n{b.stderr_tail}")
        baseline, baseline_rss = b.seconds, b.peak_rss_mb
        print(
            f"\nbaseline: {b.seconds:.2f} s wall, peak RSS {b.peak_rss_mb:.1f} MB, "
            f"{b.stats.get('entries')} entries, {b.stats.get('documents')} documents "
            "(naive drop_duplicates)"
        )
    elif isinstance(previous.get("baseline_seconds"), float) and not math.isnan(
        previous["baseline_seconds"]
    ):
        baseline = previous["baseline_seconds"]
        print(f"\nbaseline: skipped; reusing the stored figure {baseline:.2f} s")

    pages, entries = full.stats["pages"], full.stats["entries"]
    ratio = full.seconds / floor if floor > 0 else math.inf
    result = {
        "scale": args.scale,
        "seed": args.seed,
        "workers": args.workers,
        "generator_version": GENERATOR_VERSION,
        "corpus_bytes": n_bytes,
        "generate_seconds": round(gen_seconds, 3),
        "pages": pages,
        "entries": entries,
        "seconds": full.seconds,
        "stage_seconds": full.stats.get("stage_seconds", {}),
        "floor_seconds": floor,
        "ratio": ratio,
        "peak_rss_mb": full.peak_rss_mb,
        "noop_seconds": noop.seconds,
        "noop_peak_rss_mb": noop.peak_rss_mb,
        "incremental_seconds": incr.seconds,
        "incremental_pages_added": inc_stats.pages,
        "incremental_peak_rss_mb": incr.peak_rss_mb,
        "baseline_seconds": baseline,
        "baseline_peak_rss_mb": baseline_rss,
        "truth_pages": truth.get("pages"),
        "truth_entries": truth.get("entries"),
    }
    results_path.write_text(json.dumps(result, indent=2))
    if not args.keep:
        shutil.rmtree(pipe_out, ignore_errors=True)
        shutil.rmtree(run_dir / "baseline-out", ignore_errors=True)

    scaling = scaling_lines(work, args.scale, args.seed, result)
    print_targets(full, noop, incr, ratio, baseline, scaling, truth)
    print_bench_lines(full, noop, incr, inc_stats.pages, floor, ratio, baseline)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
