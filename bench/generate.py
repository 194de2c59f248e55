"""Archive-scale synthetic raw folder: the pipeline's input at the size of the real archive.

Why synthetic: the real archive (about 16,000 documents on 1,600+ search pages plus collection
pages) cannot be fetched in CI, yet the pipeline's cost, memory and dedup quality only show at
that size. The generator reproduces the shapes of the five real snapshots in raw/ (new-site
search pages and detail pages, old-site collection pages) and the messiness of a real crawl:

- both site generations, text and HTML; HTML pages carry a ~680 KB navigation menu, as the real
  new site does, so HTML detail pages weigh ~700 KB;
- documents cross-listed on several listing pages with small printing differences
  ("August 1949" / "August, 1949", "November 1" / "November 01", "Cde." / "Comrade", NBSP);
- near-misses that must stay apart (same date, same title but another telegram number; sender
  and recipient swapped);
- undated, month-only and year-only dates; truncated saves; empty, binary and unknown pages;
  exact re-downloads; missing sidecars.

Deterministic: every random choice comes from `random.Random` seeded with a string derived from
`seed` (string seeds are hashed with SHA-512, not with Python's salted `hash`), timestamps are
drawn, never read from the clock, and page content is seeded by the page's own key, so the same
arguments always give the same bytes. Memory stays small: documents are kept as short records,
pages are rendered and written one at a time.

Outside `raw/` it writes `truth.json` (counts), `truth_pages.csv` (one row per page: kind,
format, expected entries) and `truth_entries.csv` (one row per printed entry or detail page,
with the document's record id) so parsing and dedup recall/precision can be checked.

This module is the orchestration and the CLI (`python -m bench.generate OUT --scale S`); the
parts live beside it: corpus_model (knobs, dates, seeded generators), document_universe (the
documents and near-misses), page_plan (which pages exist), page_content, pages_text and
pages_html (what each page says and how it is laid out), corpus_writer (files and truth tables).
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bench.corpus_model import (
    BASE_COLLECTION_PAGES,
    BASE_DETAIL_PAGES,
    BASE_DOCUMENTS,
    BASE_SEARCH_PAGES,
    Doc,
)
from bench.corpus_writer import CorpusWriter, write_all
from bench.document_universe import Universe
from bench.page_plan import PageSpec, plan_pages
from bench.pages_html import build_nav

# Bump whenever the bytes generate() writes for given arguments change: bench.run caches
# corpora by (scale, seed, GENERATOR_VERSION).
GENERATOR_VERSION = "1"


@dataclass
class GenerateStats:
    """What one generate() call wrote (also printed by the CLI and stored in truth.json)."""

    out_dir: str
    raw_dir: str
    scale: float
    seed: int
    generator_version: str = GENERATOR_VERSION
    pages: int = 0  # snapshot files (sidecars excluded)
    files: int = 0  # snapshots + sidecars
    bytes: int = 0  # every byte under raw/, sidecars included
    documents: int = 0  # distinct documents shown on readable pages
    documents_in_listings: int = 0
    documents_with_detail: int = 0
    near_miss_documents: int = 0
    listing_pages: int = 0
    search_pages: int = 0
    collection_pages: int = 0
    detail_pages: int = 0
    html_pages: int = 0
    html_bytes: int = 0
    entries: int = 0  # entries printed on listing pages (cut entries of truncated pages too)
    entries_distinct_pages: int = 0  # the same, counting byte-identical pages once (by sha256)
    truncated_pages: int = 0
    bad_pages: int = 0
    duplicate_pages: int = 0  # byte-identical re-downloads of another page
    sidecars: int = 0
    seconds: float = 0.0
    by_kind: dict[str, int] = field(default_factory=dict)


def _count(base: int, scale: float) -> int:
    return max(1, round(base * scale))


def _stats_from(
    w: CorpusWriter,
    out_dir: Path,
    raw_dir: Path,
    scale: float,
    seed: int,
    listing_specs: list[PageSpec],
    detail_specs: list[PageSpec],
    near_miss: int,
    t0: float,
) -> GenerateStats:
    all_specs = listing_specs + detail_specs
    return GenerateStats(
        out_dir=str(out_dir),
        raw_dir=str(raw_dir),
        scale=scale,
        seed=seed,
        pages=w.stats_pages,
        files=w.files,
        bytes=w.bytes,
        documents=len(w.seen_docs),
        documents_in_listings=len(w.listed_docs),
        documents_with_detail=len(w.detail_docs),
        near_miss_documents=near_miss,
        listing_pages=len(listing_specs),
        search_pages=sum(s.kind == "search" for s in listing_specs),
        collection_pages=sum(s.kind == "collection" for s in listing_specs),
        detail_pages=len(detail_specs),
        html_pages=w.html_pages,
        html_bytes=w.html_bytes,
        entries=w.entries,
        entries_distinct_pages=w.entries_distinct,
        truncated_pages=sum(s.truncated for s in all_specs),
        bad_pages=sum(bool(s.bad) for s in all_specs),
        duplicate_pages=sum(s.duplicate for s in all_specs),
        sidecars=w.files - w.stats_pages,
        seconds=round(time.perf_counter() - t0, 3),
        by_kind=dict(sorted(w.by_kind.items())),
    )


def _universe(seed: int, scale: float) -> tuple[Universe, list[Doc]]:
    uni = Universe(seed)
    docs = uni.extend(_count(BASE_DOCUMENTS, scale), first_record_id=110_000, tag="base")
    return uni, docs


def generate(out_dir: Path, scale: float = 1.0, seed: int = 7) -> GenerateStats:
    """Write an archive-scale raw folder to out_dir/raw plus truth files beside it.

    Same (scale, seed) -> same bytes. out_dir/raw is replaced if it exists.
    """
    t0 = time.perf_counter()
    out_dir = Path(out_dir)
    raw_dir = out_dir / "raw"
    if raw_dir.exists():
        shutil.rmtree(raw_dir)
    raw_dir.mkdir(parents=True)
    uni, docs = _universe(seed, scale)
    queries, collections, listing_specs, detail_specs = plan_pages(
        seed,
        uni,
        "base",
        docs,
        docs,
        _count(BASE_DETAIL_PAGES, scale),
        _count(BASE_SEARCH_PAGES, scale),
        _count(BASE_COLLECTION_PAGES, scale),
        first_cid=1,
    )
    nav = build_nav(seed)
    w = CorpusWriter(seed, raw_dir, out_dir, prefix="")
    try:
        write_all(w, uni, nav, listing_specs, detail_specs, queries, collections)
    finally:
        w.close()
    near = sum(d.near_miss_of is not None for d in docs)
    stats = _stats_from(w, out_dir, raw_dir, scale, seed, listing_specs, detail_specs, near, t0)
    truth = asdict(stats)
    truth.pop("seconds")
    truth.pop("out_dir")
    truth.pop("raw_dir")
    truth["distinct_documents_generated"] = len(docs)
    (out_dir / "truth.json").write_text(json.dumps(truth, indent=2, sort_keys=True) + "\n")
    return stats


def generate_increment(
    raw_dir: Path, scale: float = 1.0, seed: int = 7, fraction: float = 0.01, tag: str = "increment"
) -> GenerateStats:
    """Add about `fraction` new pages to an existing corpus, in raw_dir/<tag>/.

    Realistic arrivals: new documents with their detail pages, and new listing pages that list
    new documents next to ones the corpus already holds (so dedup must merge across runs).
    """
    t0 = time.perf_counter()
    raw_dir = Path(raw_dir)
    uni, base_docs = _universe(seed, scale)
    new_docs = uni.extend(
        max(1, round(len(base_docs) * fraction)),
        first_record_id=base_docs[-1].record_id + 1_000,
        tag=tag,
    )
    pool = base_docs + new_docs
    queries, collections, listing_specs, detail_specs = plan_pages(
        seed,
        uni,
        tag,
        new_docs,
        pool,
        _count(BASE_DETAIL_PAGES, scale * fraction),
        _count(BASE_SEARCH_PAGES, scale * fraction),
        _count(BASE_COLLECTION_PAGES, scale * fraction),
        first_cid=100_000,
        must_list=new_docs,
    )
    for s in listing_specs + detail_specs:
        s.key = f"{tag}/{s.key}"
    nav = build_nav(seed)
    w = CorpusWriter(seed, raw_dir / tag, None, prefix="")
    write_all(w, uni, nav, listing_specs, detail_specs, queries, collections)
    near = sum(d.near_miss_of is not None for d in new_docs)
    return _stats_from(
        w,
        raw_dir / tag,
        raw_dir / tag,
        scale * fraction,
        seed,
        listing_specs,
        detail_specs,
        near,
        t0,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.generate",
        description="Write a synthetic Wilson Center archive (raw/ + truth files) to OUT.",
    )
    parser.add_argument("out", type=Path, help="output folder (raw/ and truth*.{json,csv})")
    parser.add_argument("--scale", type=float, default=1.0, help="1 = real archive size")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    stats = generate(args.out, scale=args.scale, seed=args.seed)
    for key, value in asdict(stats).items():
        print(f"{key}: {value}")
    print(f"total: {stats.pages} pages, {stats.bytes / 1e6:.1f} MB in {stats.seconds:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
