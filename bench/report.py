"""Printing a bench run: the per-stage table, the checklist against the issue's targets, the
comparison with a 10x smaller or larger run, and the final `bench:` lines.

Why a module of its own: the output is the benchmark's interface (tests and people read the
`bench:` lines); keeping every printed figure and target in one place keeps it stable.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from bench.generate import GENERATOR_VERSION
from bench.measure import Measured

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
    print(
        f"\n{m.label}: {m.seconds:.2f} s wall, peak RSS {m.peak_rss_mb:.1f} MB "
        f"(tree PSS; naive tree RSS sum {m.peak_rss_sum_mb:.1f} MB)"
    )
    print(f"  {'stage':<18}{'seconds':>10}{'peak_rss_mb':>14}")
    for stage, secs, mb, approx in stage_rows(m):
        shown = "-" if mb is None else f"{'~' if approx else ''}{mb:.1f}"
        print(f"  {stage:<18}{secs:>10.2f}{shown:>14}")


def _check(ok: bool) -> str:
    return "ok  " if ok else "MISS"


def stored_results_path(work: Path, scale: float, seed: int) -> Path:
    return work / f"results-s{scale:g}-seed{seed}-v{GENERATOR_VERSION}.json"


def scaling_lines(work: Path, scale: float, seed: int, result: dict) -> list[str]:
    """Compare with a stored run at scale/10 or scale*10, when there is one."""
    lines = []
    for other_scale, mine_is_big in ((scale / 10, True), (scale * 10, False)):
        path = stored_results_path(work, other_scale, seed)
        if not path.exists():
            continue
        other = json.loads(path.read_text())
        if other.get("workers") != result.get("workers"):  # 1 worker vs 2 is not a scale effect
            lines.append(
                f"  note: the stored scale {other['scale']:g} run used "
                f"{other.get('workers', '?')} workers, this one {result.get('workers')}: "
                "not compared"
            )
            continue
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


def print_targets(
    full: Measured,
    noop: Measured,
    incr: Measured,
    ratio: float,
    baseline: float,
    scaling: list[str],
    truth: dict,
) -> None:
    """The checklist against the issue's targets, then notes where counts disagree with truth."""
    pages, entries = full.stats["pages"], full.stats["entries"]
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
    for line in scaling:
        print(line)
    if truth.get("pages") is not None and pages != truth["pages"]:
        print(f"  note: the pipeline saw {pages} pages; the generator wrote {truth['pages']}")
    expected = truth.get("entries_distinct_pages", truth.get("entries"))
    if expected is not None and entries != expected:
        print(
            f"  note: the pipeline read {entries} listing entries; the generator printed "
            f"{expected} on distinct pages (per-page counts: truth_pages.csv)"
        )


def print_bench_lines(
    full: Measured,
    noop: Measured,
    incr: Measured,
    pages_added: int,
    floor: float,
    ratio: float,
    baseline: float,
) -> None:
    """The last three lines: incremental, no-op, and the full run against floor and baseline."""
    inc_frac, noop_frac = incr.seconds / full.seconds, noop.seconds / full.seconds
    print()
    print(
        f"bench: incremental pages_added={pages_added} seconds={incr.seconds:.2f} "
        f"fraction_of_full={inc_frac:.4f} peak_rss_mb={incr.peak_rss_mb:.1f}"
    )
    print(
        f"bench: noop seconds={noop.seconds:.2f} fraction_of_full={noop_frac:.4f} "
        f"peak_rss_mb={noop.peak_rss_mb:.1f}"
    )
    print(
        BENCH_LINE.format(
            pages=full.stats["pages"],
            entries=full.stats["entries"],
            seconds=full.seconds,
            floor=floor,
            ratio=ratio,
            rss=full.peak_rss_mb,
            baseline=baseline,
        )
    )
