"""`make bench`: the pipeline at archive scale — wall time, peak memory, against a floor and a
baseline, plus the incremental and no-op reruns.

Why each figure (see bench/README.md):
- floor_seconds F: reading and sha256-ing every raw byte once. Any pipeline pays at least this,
  so ratio R = S / F says how much work it does per byte beyond the unavoidable.
- seconds S: wall time of a cold `python -m pipeline run` in a fresh subprocess (interpreter
  start and imports included: that is what a user waits for).
- peak_rss_mb X: the largest of (a) the summed RSS of the process tree, sampled every 50 ms,
  and (b) the kernel's ru_maxrss for the child (catches spikes between samples).
- baseline_seconds B: `bench/baseline.py`, the BeautifulSoup + pandas script a user would write.
- incremental: 1% new pages added, rerun on the same output folder; no-op: rerun with nothing
  changed. Both are compared with the full run.

The corpus is generated once per (scale, seed, generator version) into the work folder and
reused; the pipeline's output folder is wiped before the full run so that run is cold.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from bench.generate import GENERATOR_VERSION, generate, generate_increment

REPO = Path(__file__).resolve().parent.parent
DEFAULT_WORK = REPO / "bench" / "out"
INCREMENT_TAG = "zz-increment"
SAMPLE_INTERVAL = 0.05
STAGE_ORDER = ("extract", "dedup", "validate", "publish")  # pipeline/runner.py's order
BENCH_LINE = (
    "bench: pages={pages} entries={entries} seconds={seconds:.2f} floor_seconds={floor:.2f} "
    "ratio={ratio:.2f} peak_rss_mb={rss:.1f} baseline_seconds={baseline:.2f}"
)
# Targets from the issue; printed as a checklist, never asserted (timings are not tests).
TARGET_RATIO = 10.0
TARGET_SPEEDUP = 5.0
TARGET_RSS_MB = 1024.0
TARGET_INCREMENTAL = 0.10
TARGET_NOOP = 0.05
TARGET_SCALE_TIME = 11.0
TARGET_SCALE_RSS = 1.5


@dataclass
class Measured:
    """One measured subprocess: wall time, memory, exit code, and what it reported."""

    label: str
    seconds: float
    peak_rss_mb: float
    returncode: int
    stats: dict = field(default_factory=dict)
    samples: list[tuple[float, float]] = field(default_factory=list)  # (seconds, MB)
    stderr_tail: str = ""


class RssSampler(threading.Thread):
    """Polls the summed RSS of a process and all its descendants (workers included)."""

    def __init__(self, pid: int, t0: float) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.t0 = t0
        self.samples: list[tuple[float, float]] = []
        self.peak = 0.0
        self._stop_event = threading.Event()

    def run(self) -> None:
        try:
            root = psutil.Process(self.pid)
        except psutil.NoSuchProcess:
            return
        while not self._stop_event.is_set():
            try:
                procs = [root, *root.children(recursive=True)]
            except psutil.NoSuchProcess:
                return
            total = 0
            for proc in procs:
                try:
                    total += proc.memory_info().rss
                except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                    continue
            mb = total / 1e6
            self.samples.append((time.perf_counter() - self.t0, mb))
            self.peak = max(self.peak, mb)
            self._stop_event.wait(SAMPLE_INTERVAL)

    def stop(self) -> None:
        self._stop_event.set()


def measure(label: str, cmd: list[str], stats_path: Path | None, log_dir: Path) -> Measured:
    """Run cmd in a fresh process; wall time, peak RSS (sampled tree and ru_maxrss), stats."""
    log_dir.mkdir(parents=True, exist_ok=True)
    stdout_path = log_dir / f"{label}.stdout"
    stderr_path = log_dir / f"{label}.stderr"
    if stats_path is not None and stats_path.exists():
        stats_path.unlink()
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
    }
    with stdout_path.open("wb") as out, stderr_path.open("wb") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=REPO, stdout=out, stderr=err, env=env)
        sampler = RssSampler(proc.pid, t0)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - t0
        sampler.stop()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
    maxrss_mb = usage.ru_maxrss * 1024 / 1e6  # Linux reports KiB
    stats: dict = {}
    if stats_path is not None and stats_path.exists():
        try:
            stats = json.loads(stats_path.read_text())
        except json.JSONDecodeError:
            stats = {}
    tail = stderr_path.read_text(errors="replace")[-3000:]
    return Measured(
        label, seconds, max(sampler.peak, maxrss_mb), proc.returncode, stats, sampler.samples, tail
    )


def floor_seconds(raw_dir: Path, repeats: int = 2) -> tuple[float, int, int]:
    """Best-of-n time to read and sha256 every file under raw_dir once: (seconds, files, bytes).

    Best-of because the pipeline reads the same (by then cached) files; a cold first pass would
    flatter the ratio.
    """
    paths = sorted(p for p in raw_dir.rglob("*") if p.is_file())
    best = math.inf
    total = 0
    for _ in range(repeats):
        total = 0
        t0 = time.perf_counter()
        for path in paths:
            digest = hashlib.sha256()
            with path.open("rb") as fh:
                while chunk := fh.read(1 << 20):
                    digest.update(chunk)
                    total += len(chunk)
            digest.hexdigest()
        best = min(best, time.perf_counter() - t0)
    return best, len(paths), total


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


def pipeline_cmd(raw: Path, out: Path, stats: Path, fallback: bool, workers: int = 1) -> list[str]:
    if fallback:
        return [
            sys.executable,
            "-m",
            "bench.run",
            "--child-pipeline",
            str(raw),
            str(out),
            str(stats),
        ]
    return [
        sys.executable,
        "-m",
        "pipeline",
        "run",
        "--raw",
        str(raw),
        "--out",
        str(out),
        "--quiet",
        "--stats-json",
        str(stats),
        "--workers",
        str(workers),
    ]


def child_pipeline(raw: str, out: str, stats: str) -> int:
    """Fallback when the CLI lacks --stats-json: call run_pipeline and write the same stats."""
    from pipeline.runner import run_pipeline

    result = run_pipeline(Path(raw), Path(out), quiet=True)
    tables = result.tables
    payload = {
        "stage_seconds": result.stage_seconds,
        "pages": len(tables["raw_pages"]) if "raw_pages" in tables else None,
        "entries": len(tables["listing_entries"]) if "listing_entries" in tables else None,
    }
    Path(stats).write_text(json.dumps(payload))
    return 0


def run_pipeline_measured(label: str, raw: Path, out: Path, log_dir: Path, state: dict) -> Measured:
    """The pipeline CLI in a subprocess, falling back to run_pipeline when the CLI cannot."""
    stats = log_dir / f"{label}.stats.json"
    m = measure(
        label,
        pipeline_cmd(raw, out, stats, state.get("fallback", False), state.get("workers", 1)),
        stats,
        log_dir,
    )
    cli_refused = m.returncode == 2 and "unrecognized arguments" in m.stderr_tail
    if not state.get("fallback") and (
        cli_refused or "No module named pipeline.__main__" in m.stderr_tail
    ):
        print("note: `python -m pipeline run --stats-json` unavailable; calling run_pipeline")
        state["fallback"] = True
        m = measure(label, pipeline_cmd(raw, out, stats, True), stats, log_dir)
    if m.returncode != 0:
        raise SystemExit(
            f"bench: the pipeline's {label} run failed (exit {m.returncode}); its stderr ends:\n"
            f"{m.stderr_tail}\n(full logs in {log_dir})"
        )
    _fill_counts(m, out)
    return m


def _fill_counts(m: Measured, out: Path) -> None:
    """pages/entries from the stats file, else from the published Parquet row counts."""
    import pyarrow.parquet as pq

    for key, table in (("pages", "raw_pages"), ("entries", "listing_entries")):
        if isinstance(m.stats.get(key), int):
            continue
        path = out / f"{table}.parquet"
        m.stats[key] = pq.ParquetFile(path).metadata.num_rows if path.exists() else -1


def stage_rows(m: Measured) -> list[tuple[str, float, float | None, bool]]:
    """(stage, seconds, peak MB, approximate?) per stage.

    Peak per stage comes from the stats file when the pipeline reports it
    (`stage_peak_rss_mb`); otherwise the RSS samples are attributed to stages laid end to end
    in execution order, ending when the process ended (start-up and imports come first, so
    aligning on the end is the closer fit). Approximate rows are marked "~" when printed.
    """
    reported_seconds: dict[str, float] = m.stats.get("stage_seconds") or {}
    reported: dict[str, float] = m.stats.get("stage_peak_rss_mb") or {}
    # Lay stages out in execution order (the stats file's key order need not be it).
    order = [s for s in STAGE_ORDER if s in reported_seconds]
    order += [s for s in reported_seconds if s not in STAGE_ORDER]
    stage_seconds = {s: reported_seconds[s] for s in order}
    rows = []
    end = m.seconds
    start = end - sum(stage_seconds.values())
    t = start
    for stage, secs in stage_seconds.items():
        if stage in reported:
            rows.append((stage, secs, float(reported[stage]), False))
        else:
            window = [mb for ts, mb in m.samples if t <= ts <= t + secs]
            rows.append((stage, secs, max(window) if window else None, True))
        t += secs
    startup = [mb for ts, mb in m.samples if ts < start]
    rows.insert(0, ("startup+other", max(0.0, start), max(startup) if startup else None, True))
    return rows


def print_stages(m: Measured) -> None:
    print(f"\n{m.label}: {m.seconds:.2f} s wall, peak RSS {m.peak_rss_mb:.1f} MB")
    print(f"  {'stage':<18}{'seconds':>10}{'peak_rss_mb':>14}")
    for stage, secs, mb, approx in stage_rows(m):
        shown = "-" if mb is None else f"{'~' if approx else ''}{mb:.1f}"
        print(f"  {stage:<18}{secs:>10.2f}{shown:>14}")


def _check(ok: bool) -> str:
    return "ok  " if ok else "MISS"


def _results_path(work: Path, scale: float, seed: int) -> Path:
    return work / f"results-s{scale:g}-seed{seed}-v{GENERATOR_VERSION}.json"


def _scaling_lines(work: Path, scale: float, seed: int, result: dict) -> list[str]:
    """Compare with a stored run at scale/10 or scale*10, when there is one."""
    lines = []
    for other_scale, mine_is_big in ((scale / 10, True), (scale * 10, False)):
        path = _results_path(work, other_scale, seed)
        if not path.exists():
            continue
        other = json.loads(path.read_text())
        small, big = (other, result) if mine_is_big else (result, other)
        t = big["seconds"] / small["seconds"]
        r = big["peak_rss_mb"] / small["peak_rss_mb"]
        span = f"scale {small['scale']:g} -> {big['scale']:g}"
        lines.append(
            f"  {_check(t <= TARGET_SCALE_TIME)} 10x corpus ({span}): {t:.2f}x time "
            f"(<= {TARGET_SCALE_TIME:g}x)"
        )
        lines.append(
            f"  {_check(r <= TARGET_SCALE_RSS)} 10x corpus ({span}): {r:.2f}x peak "
            f"memory (<= {TARGET_SCALE_RSS:g}x)"
        )
    return lines


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
        default=os.cpu_count() or 1,
        help="extraction processes for the pipeline (default: this machine's cores)",
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

    results_path = _results_path(work, args.scale, args.seed)
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

    print("\ntargets (issue 7; informative, never asserted):")
    speedup = baseline / full.seconds if full.seconds else math.nan
    print(f"  {_check(ratio <= TARGET_RATIO)} ratio S/F = {ratio:.2f} (<= {TARGET_RATIO:g})")
    if not math.isnan(baseline):
        print(
            f"  {_check(speedup >= TARGET_SPEEDUP)} speedup over baseline = {speedup:.2f}x "
            f"(>= {TARGET_SPEEDUP:g}x)"
        )
    print(
        f"  {_check(full.peak_rss_mb <= TARGET_RSS_MB)} peak RSS = {full.peak_rss_mb:.1f} MB "
        f"(<= {TARGET_RSS_MB:g})"
    )
    inc_frac, noop_frac = incr.seconds / full.seconds, noop.seconds / full.seconds
    print(
        f"  {_check(inc_frac <= TARGET_INCREMENTAL)} incremental (+1% pages) = "
        f"{inc_frac:.1%} of full (<= {TARGET_INCREMENTAL:.0%})"
    )
    print(
        f"  {_check(noop_frac <= TARGET_NOOP)} no-op rerun = {noop_frac:.1%} of full "
        f"(<= {TARGET_NOOP:.0%})"
    )
    for line in _scaling_lines(work, args.scale, args.seed, result):
        print(line)
    if truth.get("pages") is not None and pages != truth["pages"]:
        print(f"  note: the pipeline saw {pages} pages; the generator wrote {truth['pages']}")
    expected = truth.get("entries_distinct_pages", truth.get("entries"))
    if expected is not None and entries != expected:
        print(
            f"  note: the pipeline read {entries} listing entries; the generator printed "
            f"{expected} on distinct pages (per-page counts: truth_pages.csv)"
        )

    print()
    print(
        f"bench: incremental pages_added={inc_stats.pages} seconds={incr.seconds:.2f} "
        f"fraction_of_full={inc_frac:.4f} peak_rss_mb={incr.peak_rss_mb:.1f}"
    )
    print(
        f"bench: noop seconds={noop.seconds:.2f} fraction_of_full={noop_frac:.4f} "
        f"peak_rss_mb={noop.peak_rss_mb:.1f}"
    )
    print(
        BENCH_LINE.format(
            pages=pages,
            entries=entries,
            seconds=full.seconds,
            floor=floor,
            ratio=ratio,
            rss=full.peak_rss_mb,
            baseline=baseline,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
