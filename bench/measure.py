"""Measuring one subprocess: wall time, peak memory of its whole process tree, exit code, and
the stats it reports; plus the floor (read + sha256 of every raw byte) it is compared with.

Why a module of its own: how a figure is taken decides what it means. Keeping the sampling,
the ru_maxrss fallback and the pipeline's command line here keeps `bench.run` about what is
run, and this about how it is measured.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parent.parent
SAMPLE_INTERVAL = 0.05
# PSS walks every mapping of every process (/proc/<pid>/smaps_rollup): at 10x, every 50 ms it
# took a third of a core from the measured run. RSS is read every sample; PSS, which only differs
# from RSS when workers share pages with their parent, every 10th sample while workers run.
PSS_EVERY = 10


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
    peak_rss_sum_mb: float = 0.0  # naive tree RSS sum: pages a fork shares count per process


class RssSampler(threading.Thread):
    """Polls the memory of a process and all its descendants (workers included).

    The figure is the summed PSS (proportional set size): a page shared by a parent and its
    forked workers counts once, split between them, so the sum is the memory the tree really
    holds. The plain RSS sum, kept as `peak_rss_sum` for comparison, counts every page a forked
    worker inherited from its parent once per process (overstating extraction with workers).
    Where PSS is unreadable, RSS is used. A lone process is sampled by RSS (same figure,
    cheaper); PSS is read every PSS_EVERY-th sample while workers run.
    """

    def __init__(self, pid: int, t0: float) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.t0 = t0
        self.samples: list[tuple[float, float]] = []
        self.peak = 0.0
        self.peak_rss_sum = 0.0
        self._stop_event = threading.Event()

    def run(self) -> None:
        try:
            root = psutil.Process(self.pid)
        except psutil.NoSuchProcess:
            return
        n = 0
        while not self._stop_event.is_set():
            try:
                procs = [root, *root.children(recursive=True)]
            except psutil.NoSuchProcess:
                return
            workers = len(procs) > 1
            with_pss = workers and n % PSS_EVERY == 0
            n += 1
            total = rss_total = 0
            for proc in procs:
                try:
                    info = proc.memory_full_info() if with_pss else proc.memory_info()
                except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                    continue
                total += getattr(info, "pss", info.rss)
                rss_total += info.rss
            self.peak_rss_sum = max(self.peak_rss_sum, rss_total / 1e6)
            if with_pss or not workers:
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
        label,
        seconds,
        max(sampler.peak, maxrss_mb),
        proc.returncode,
        stats,
        sampler.samples,
        tail,
        max(sampler.peak_rss_sum, maxrss_mb),
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
