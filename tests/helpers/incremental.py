"""Shared by the incremental-run tests: counts of what the extract stage reads and parses, and
the bytes and caches a run leaves in its output folder."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest

import pipeline.extract.pages as pages
from pipeline.extract.batch_store import BatchStore
from pipeline.extract.cache import RESULTS_LAYOUT
from pipeline.runner import run_pipeline
from schemas import TABLES

N_SEEDS = 5  # pages in raw/


def count_reads_and_parses(monkeypatch: pytest.MonkeyPatch) -> Counter:
    """Counts of files read ("read", "read:<name>") and pages parsed ("parse") by the extract
    stage, by wrapping its two entry points: "not re-parsed" is observed, not inferred."""
    calls: Counter = Counter()
    read, parse = pages.read_snapshot, pages.parse_snapshot_text

    def counting_read(raw_dir, path, *args, **kwargs):  # noqa: ANN001, ANN202
        calls["read"] += 1
        calls[f"read:{Path(path).name}"] += 1
        return read(raw_dir, path, *args, **kwargs)

    def counting_parse(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        calls["parse"] += 1
        return parse(*args, **kwargs)

    monkeypatch.setattr(pages, "read_snapshot", counting_read)
    monkeypatch.setattr(pages, "parse_snapshot_text", counting_parse)
    return calls


def release_bytes(out: Path) -> dict[str, bytes]:
    """Each table's Parquet bytes in the release an output folder publishes."""
    return release_folder_bytes(out / "current")


def release_folder_bytes(release: Path) -> dict[str, bytes]:
    return {t: (release / f"{t}.parquet").read_bytes() for t in TABLES}


def clean_run_bytes(raw: Path, scratch: Path) -> dict[str, bytes]:
    """What a first run over `raw` into an empty output folder publishes."""
    run_pipeline(raw, scratch)
    return release_bytes(scratch)


def results_store(out: Path) -> BatchStore:
    folder = out / ".cache" / "results-0-of-1"  # run_pipeline: 1 bucket
    return BatchStore(folder, RESULTS_LAYOUT, indexed=True)


def cached_results(out: Path) -> int:
    return len(results_store(out).stored)


def drop_rows_memo(out: Path) -> None:
    for memo in (out / ".cache").glob("rows-*"):
        shutil.rmtree(memo)  # with the rows memo, the results would not even be looked up


def leftovers(out: Path) -> list[str]:
    """Work files a run left in an output folder (staging folders, temporary files)."""
    found = [p.name for p in (out / "releases").glob(".*")]
    found += [p.name for p in out.glob(".*.tmp")]
    found += [str(p.relative_to(out)) for p in (out / ".cache").rglob(".*.tmp")]
    return found
