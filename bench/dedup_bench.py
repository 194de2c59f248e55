"""Dedup time for 10k, 100k and 1M synthetic listing entries: does it grow near-linearly?

Why: dedup is the one stage whose cost could grow with pairs of rows rather than rows (issue 5).
The real archive gives ~60,000 entries; 1M shows the curve well past that. Entries come from the
archive generator's document model (bench/document_universe.py), so they carry the same traps as
the corpus: cross-listings printed differently, near-misses, month-only and undated dates.

Not a test (no timing assertions anywhere): run `python -m bench.dedup_bench` and read the
"growth" column — time ratio divided by size ratio; ~1.0 is linear, ~10 would be quadratic.
"""

from __future__ import annotations

import argparse
import gc
import random
import time
from collections.abc import Callable
from typing import Any

from bench.corpus_model import new_site_date, old_site_date, vary_summary, vary_title
from bench.document_universe import Universe

DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
MEAN_LISTINGS_PER_DOCUMENT = 3.75  # ~60,000 entries over ~16,000 documents


def synthetic_entries(n: int, seed: int = 7) -> list[dict[str, Any]]:
    """n listing entries (dicts shaped like the pipeline's listing_entries rows)."""
    rng = random.Random(f"{seed}:dedup-bench:{n}")
    uni = Universe(seed)
    docs = uni.extend(max(1, round(n / MEAN_LISTINGS_PER_DOCUMENT)), 110_000, f"dedup-{n}")
    entries: list[dict[str, Any]] = []
    page = 0
    while len(entries) < n:
        page += 1
        sha = f"{page:064x}"
        old_site = rng.random() < 0.5
        for position in range(1, 1 + min(n - len(entries), rng.randint(10, 60))):
            doc = rng.choice(docs)
            entries.append(
                {
                    "page_sha256": sha,
                    "position": position,
                    "date_raw": old_site_date(doc) if old_site else new_site_date(doc),
                    "title": vary_title(rng, doc.title),
                    "summary": vary_summary(rng, doc.summary),
                    "is_truncated": False,
                    "record_id": doc.record_id,  # the truth, for a recall check; not an input
                }
            )
    return entries


def dedup_function() -> tuple[str, Callable[[list[dict[str, Any]]], int]]:
    """The pipeline's dedup entry point, whichever of its known shapes exists.

    Returns (name, fn) where fn(entries) runs dedup and returns the number of documents.
    """
    try:  # the name issue 5 planned
        from pipeline.dedup.cluster import cluster_entries  # type: ignore[attr-defined]

        def run_entries(entries: list[dict[str, Any]]) -> int:
            return len(cluster_entries(entries))

        return "pipeline.dedup.cluster.cluster_entries", run_entries
    except ImportError:
        pass
    try:  # what landed: Row objects in, (clusters, audit) out
        from pipeline.dedup.cluster import Row, cluster_rows

        def run_rows(entries: list[dict[str, Any]]) -> int:
            rows = (
                Row(
                    "entry",
                    e["page_sha256"],
                    e["position"],
                    e["date_raw"],
                    e["title"],
                    e["summary"],
                )
                for e in entries
            )
            clusters, _audit = cluster_rows(rows)
            return len(clusters)

        return "pipeline.dedup.cluster.cluster_rows", run_rows
    except ImportError:
        pass
    try:  # the whole resolve stage (rows, clusters, ids, tables)
        from pipeline.dedup.resolve import resolve

        def run_resolve(entries: list[dict[str, Any]]) -> int:
            result = resolve(entries, [], [])
            return len(result.documents) if hasattr(result, "documents") else -1

        return "pipeline.dedup.resolve.resolve", run_resolve
    except ImportError as exc:
        raise SystemExit(
            "dedup_bench: no dedup entry point found under pipeline/dedup/ "
            "(looked for cluster_entries, cluster_rows, resolve)"
        ) from exc


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.dedup_bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES))
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    name, fn = dedup_function()
    print(f"dedup entry point: {name}")
    print(
        f"{'entries':>10} {'documents':>10} {'truth':>10} {'seconds':>9} {'us/entry':>9} "
        f"{'growth':>7}"
    )
    previous: tuple[int, float] | None = None
    for n in args.sizes:
        entries = synthetic_entries(n, args.seed)
        truth = len({e["record_id"] for e in entries})
        gc.collect()
        t0 = time.perf_counter()
        documents = fn(entries)
        seconds = time.perf_counter() - t0
        growth = ""
        if previous is not None:
            growth = f"{(seconds / previous[1]) / (n / previous[0]):.2f}"
        print(
            f"{n:>10} {documents:>10} {truth:>10} {seconds:>9.2f} "
            f"{seconds / n * 1e6:>9.1f} {growth:>7}",
            flush=True,
        )
        previous = (n, seconds)
        del entries
    print("growth = (time ratio) / (size ratio) against the previous size; 1.0 is linear.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
