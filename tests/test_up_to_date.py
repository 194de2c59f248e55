"""The no-op check (pipeline/up_to_date.py): a release is up to date exactly while the raw
folder's files and the code are those it was built from. Added or removed pages are seen from
the folder's listing alone, before any file is looked at."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import pipeline.extract.fingerprint as fingerprint
from pipeline.cli import main
from pipeline.up_to_date import last_release_file, up_to_date
from tests.conftest import SEED_DETAIL, SEED_SEARCH_4, seed_text


def _published(raw: Path, out: Path) -> str:
    assert main(["run", "--raw", str(raw), "--out", str(out), "--quiet"]) == 0
    release = up_to_date(raw, out)
    assert release, "a run's own folder must be up to date right after it"
    return release


@pytest.fixture()
def stats_taken(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The snapshot paths whose files the check looks at."""
    taken: list[str] = []
    stat_lines_at = fingerprint.stat_lines_at

    def counting(base: str, rel: str, st: os.stat_result | None = None) -> list[str]:
        taken.append(rel)
        return stat_lines_at(base, rel, st)

    monkeypatch.setattr(fingerprint, "stat_lines_at", counting)
    return taken


def test_added_or_removed_pages_are_seen_without_looking_at_the_files(
    raw_copy: Path, tmp_path: Path, stats_taken: list[str]
) -> None:
    out = tmp_path / "out"
    _published(raw_copy, out)
    stats_taken.clear()
    (raw_copy / "new.txt").write_text(seed_text(SEED_SEARCH_4).replace("Truman", "Trumen"))
    assert up_to_date(raw_copy, out) is None
    assert stats_taken == []
    (raw_copy / "new.txt").unlink()
    (raw_copy / SEED_DETAIL).unlink()
    assert up_to_date(raw_copy, out) is None
    assert stats_taken == []


def test_edits_under_the_same_paths_are_seen_from_the_files(
    raw_copy: Path, tmp_path: Path, stats_taken: list[str]
) -> None:
    out = tmp_path / "out"
    release = _published(raw_copy, out)
    stats_taken.clear()
    assert up_to_date(raw_copy, out) == release
    assert len(stats_taken) == len(fingerprint.raw_rel_paths(raw_copy))  # each file, once
    page = raw_copy / SEED_SEARCH_4
    st = page.stat()
    page.write_text(seed_text(SEED_SEARCH_4).replace("Truman", "Trumon"))  # same size
    os.utime(page, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    assert up_to_date(raw_copy, out) is None
    os.utime(page, ns=(st.st_atime_ns, st.st_mtime_ns))
    (raw_copy / f"{SEED_SEARCH_4}.meta.json").write_text('{"url": "https://example.org/s"}')
    assert up_to_date(raw_copy, out) is None  # a sidecar added beside the same pages


def test_a_record_without_the_paths_digest_is_checked_from_the_files(
    raw_copy: Path, tmp_path: Path
) -> None:
    """A release recorded before the digest existed: the stat fingerprint alone decides."""
    out = tmp_path / "out"
    release = _published(raw_copy, out)
    record = last_release_file(out)
    older = {k: v for k, v in json.loads(record.read_text()).items() if k != "paths"}
    record.write_text(json.dumps(older))
    assert up_to_date(raw_copy, out) == release
    (raw_copy / "new.txt").write_text(seed_text(SEED_SEARCH_4).replace("Truman", "Trumen"))
    assert up_to_date(raw_copy, out) is None
