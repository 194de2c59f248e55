"""Read-ahead in the extract loop (pipeline/extract/readahead.py): the files about to be read
are requested from the disk a few pages early, only those, and a run's tables do not change."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import pipeline.extract.readahead as readahead
from pipeline.extract.pages import extract_bucket
from pipeline.extract.snapshot import SIDECAR_SUFFIX
from tests.helpers.incremental import N_SEEDS


@pytest.fixture()
def requested(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths the extract loop asks the kernel to fetch, in order."""
    calls: list[str] = []
    monkeypatch.setattr(readahead, "advise_willneed", calls.append)
    return calls


def test_the_window_runs_ahead_of_the_reader(requested: list[str]) -> None:
    ahead = readahead.Readahead([["a"], [], ["c", "c.meta.json"], ["d"], ["e"]], window=2)
    ahead.reached(0)
    assert requested == ["a", "c", "c.meta.json"]  # pages 0..2; page 1 needs no read
    ahead.reached(1)
    assert requested[3:] == ["d"]
    ahead.reached(4)
    ahead.reached(4)
    assert requested[4:] == ["e"]  # never past the end, never twice


def test_a_first_run_requests_every_snapshot_and_sidecar_once(
    raw_copy: Path, tmp_path: Path, requested: list[str]
) -> None:
    page = sorted(raw_copy.iterdir())[0]
    sidecar = page.with_name(page.name + SIDECAR_SUFFIX)
    sidecar.write_text(json.dumps({"url": "https://digitalarchive.wilsoncenter.org/x"}))
    extraction = extract_bucket(raw_copy, tmp_path / "cache")
    assert len(extraction.raw_pages) == N_SEEDS
    snapshots = sorted(str(p) for p in raw_copy.iterdir() if p != sidecar)
    assert sorted(requested) == sorted([*snapshots, str(sidecar)])


def test_known_files_and_links_are_not_requested(
    raw_copy: Path, tmp_path: Path, requested: list[str]
) -> None:
    cache = tmp_path / "cache"
    extract_bucket(raw_copy, cache)
    requested.clear()
    (cache / "rows-0-of-1").rename(tmp_path / "no-memo")  # rows rebuilt from the caches
    link = raw_copy / "zz_link.txt"
    os.symlink(sorted(raw_copy.iterdir())[0], link)
    extraction = extract_bucket(raw_copy, cache)
    assert len(extraction.raw_pages) == N_SEEDS + 1
    assert requested == []  # the stat cache knows the five pages; the link is not followed


def test_advising_a_missing_or_special_file_is_harmless(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    readahead.advise_willneed(str(tmp_path / "missing.txt"))
    readahead.advise_willneed(str(fifo))  # opened without blocking, then let go
    readahead.advise_willneed(str(tmp_path))
