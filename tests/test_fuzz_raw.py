"""A seeded random raw folder of ~240 files (tests/helpers/fuzz.py): good pages of every layout
in random encodings and line ends, pages cut at random points, damaged pages, junk, duplicates,
broken sidecars, links out of the folder or to nothing, a page over the size cap.

The rules checked hold for any folder: every file accounted for exactly once, a reason naming
the file for every refusal, the cross-table rules, and every good page read exactly.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pandas as pd
import pytest

import pipeline.extract.workers as workers
from pipeline.extract.merge import merge_extractions
from pipeline.runner import (
    RunResult,
    run_pipeline,
    stage_extract,
    stage_extract_bucket,
    stage_resolve,
    stage_tables,
    unpack_texts,
)
from pipeline.validate import cross_table_problems
from tests.helpers import fuzz
from tests.helpers.incremental import drop_rows_memo
from tests.helpers.pages import SeedEntry, new_search_page, raw_file_paths

SEEDS = [1, 2, 3, 4, 5]
N_FILES = 240


@pytest.fixture(scope="module", params=SEEDS, ids=[f"seed{s}" for s in SEEDS])
def fuzzed(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[fuzz.FuzzFolder, RunResult, Path]:
    root = tmp_path_factory.mktemp(f"fuzz{request.param}")
    outside = root / "outside.txt"
    outside.write_text("a page kept outside the raw folder\n", encoding="utf-8")
    folder = fuzz.build(root / "raw", request.param, N_FILES, outside=outside)
    return folder, run_pipeline(folder.root, root / "out"), root / "out"


def _raw(run: RunResult) -> pd.DataFrame:
    return run.tables["raw_pages"].set_index("path")


def _entries_of(run: RunResult, sha: str) -> list[tuple]:
    e = run.tables["listing_entries"]
    e = e[e["page_sha256"] == sha].sort_values("position")
    return list(e[["date_raw", "title", "summary"]].itertuples(index=False, name=None))


def _as_rows(entries: list[SeedEntry]) -> list[tuple]:
    return [(e.date_raw, e.title, e.summary) for e in entries]


def test_folder_is_big_and_mixed(fuzzed: tuple[fuzz.FuzzFolder, RunResult, Path]) -> None:
    folder, _, _ = fuzzed
    assert len(raw_file_paths(folder.root)) >= 200
    kinds = {e.kind for e in folder.good.values()}
    assert kinds == {"search_listing", "collection_listing", "document_detail"}
    assert folder.cut and folder.junk and folder.mangled and folder.duplicates
    assert folder.broken_sidecars and folder.oversize


def test_every_file_has_exactly_one_row(fuzzed: tuple[fuzz.FuzzFolder, RunResult, Path]) -> None:
    folder, run, _ = fuzzed
    raw = run.tables["raw_pages"]
    assert sorted(raw["path"]) == raw_file_paths(folder.root)
    assert not raw["path"].duplicated().any()
    assert set(raw["status"]) <= {"parsed", "quarantined"}
    assert run.record.pages_seen == len(raw)


def test_every_refusal_names_its_file(fuzzed: tuple[fuzz.FuzzFolder, RunResult, Path]) -> None:
    _, run, _ = fuzzed
    raw = run.tables["raw_pages"]
    q = run.tables["quarantine"]
    refused = raw[raw["status"] == "quarantined"]
    assert len(refused) > 0
    for row in refused.itertuples():
        assert isinstance(row.reason, str) and row.reason.startswith(f"{row.path}: "), row
        assert ((q["path"] == row.path) & (q["reason"] == row.reason)).any(), row.path
    assert raw.loc[raw["status"] == "parsed", "reason"].isna().all()
    for row in q.itertuples():
        assert row.reason.startswith(f"{row.path}: ") or row.stage == "validate", row


def test_cross_table_rules_hold(fuzzed: tuple[fuzz.FuzzFolder, RunResult, Path]) -> None:
    _, run, _ = fuzzed
    assert cross_table_problems(run.tables) == {}
    entries = run.tables["listing_entries"]
    assert entries["document_id"].notna().all()
    assert set(entries["document_id"]) <= set(run.tables["documents"]["document_id"])
    assert not run.tables["documents"]["document_id"].duplicated().any()


def test_good_pages_are_read_exactly(fuzzed: tuple[fuzz.FuzzFolder, RunResult, Path]) -> None:
    folder, run, _ = fuzzed
    raw = _raw(run)
    pages = run.tables["document_pages"].set_index("page_sha256")
    checked = 0
    for path, want in folder.good.items():
        row = raw.loc[path]
        if row["status"] == "quarantined":  # only as the copy of a file that was read
            assert "same bytes as" in row["reason"], (path, row["reason"])
            same = raw[(raw["page_sha256"] == row["page_sha256"]) & (raw["status"] == "parsed")]
            assert len(same) == 1, path
        assert row["kind"] == want.kind, path
        if want.kind == "document_detail":
            page = pages.loc[row["page_sha256"]]
            got = (page["title"], page["date_raw"], page["record_id"])
            assert got == (want.title, want.date_raw, want.record_id), path
        else:
            assert _entries_of(run, row["page_sha256"]) == _as_rows(want.entries), path
        checked += 1
    assert checked >= 80


def test_cut_pages_keep_whole_entries(fuzzed: tuple[fuzz.FuzzFolder, RunResult, Path]) -> None:
    folder, run, _ = fuzzed
    raw = _raw(run)
    listings = run.tables["listings"].set_index("page_sha256")
    read = 0
    for path, page in folder.cut.items():
        row = raw.loc[path]
        if row["status"] != "parsed":
            continue  # cut in its header: nothing to read, refused with a reason (checked above)
        read += 1
        got = _entries_of(run, row["page_sha256"])
        assert got[: len(page.whole)] == _as_rows(page.whole), path
        assert len(got) <= len(page.whole) + 1, path
        if page.lost_an_entry and page.kind == "search_listing":
            assert bool(listings.loc[row["page_sha256"], "is_truncated"]), path
    assert read >= 10


def test_junk_links_and_oversize_are_refused(
    fuzzed: tuple[fuzz.FuzzFolder, RunResult, Path],
) -> None:
    folder, run, _ = fuzzed
    raw = _raw(run)
    for path in folder.junk:
        assert raw.loc[path, "status"] == "quarantined", (path, folder.junk[path])
    for path in folder.links_out:
        assert "symlink pointing outside the raw folder" in raw.loc[path, "reason"]
    for path in folder.dangling:
        assert "cannot read file" in raw.loc[path, "reason"]
    for path in folder.oversize:
        assert "over the 16 MB page cap" in raw.loc[path, "reason"]


def test_duplicates_are_read_once(fuzzed: tuple[fuzz.FuzzFolder, RunResult, Path]) -> None:
    folder, run, _ = fuzzed
    raw = _raw(run)
    for group in folder.duplicates:
        first, *copies = sorted(group)
        assert raw.loc[group, "page_sha256"].nunique() == 1
        if raw.loc[first, "status"] == "parsed":
            for path in copies:
                assert raw.loc[path, "status"] == "quarantined"
                assert raw.loc[path, "reason"] == (
                    f"{path}: same bytes as {first} (duplicate snapshot); "
                    "its rows come from that file"
                )
        else:
            assert (raw.loc[group, "status"] == "quarantined").all()
    listings = run.tables["listings"]
    assert not listings["page_sha256"].duplicated().any()
    assert not run.tables["listing_entries"].duplicated(["page_sha256", "position"]).any()


def test_broken_sidecars_are_reported_and_pages_read(
    fuzzed: tuple[fuzz.FuzzFolder, RunResult, Path],
) -> None:
    folder, run, _ = fuzzed
    q = run.tables["quarantine"]
    sidecar_rows = q[q["table_name"] == "sidecar"]
    assert sorted(sidecar_rows["path"]) == sorted(folder.broken_sidecars)
    for path in folder.broken_sidecars:
        assert _raw(run).loc[path, "url"] is None


def test_rerun_reads_only_what_cannot_be_cached(
    fuzzed: tuple[fuzz.FuzzFolder, RunResult, Path],
) -> None:
    """Unchanged folder: only the links (out of the folder or to nothing) are looked at again."""
    folder, first, out = fuzzed
    again = run_pipeline(folder.root, out)
    transient = len(folder.links_out) + len(folder.dangling)
    assert again.record.pages_parsed == transient
    assert again.record.pages_reused == len(first.tables["raw_pages"]) - transient
    for table, frame in first.tables.items():
        pd.testing.assert_frame_equal(again.tables[table], frame, obj=table)
    assert again.record.release_id == first.record.release_id
    assert again.record.release_changed is False


@pytest.mark.parametrize("buckets", [3, 4])
def test_bucketed_extraction_gives_the_same_tables(
    fuzzed: tuple[fuzz.FuzzFolder, RunResult, Path], buckets: int, tmp_path: Path
) -> None:
    """The CLI extracts in hash buckets (one Dagster asset each) and merges them; duplicates
    then meet in any order. The tables must not depend on it."""
    folder, run, _ = fuzzed
    parts = [
        stage_extract_bucket(folder.root, tmp_path / "out", b, buckets) for b in range(buckets)
    ]
    extraction = merge_extractions(parts)
    tables = unpack_texts(stage_tables(extraction, stage_resolve(extraction)))
    for table, frame in run.tables.items():
        pd.testing.assert_frame_equal(tables[table], frame, obj=table)


@pytest.mark.parametrize("chunk", [workers.WORKER_CHUNK, 3])
def test_forked_workers_and_rows_memo_give_the_same_tables(
    fuzzed: tuple[fuzz.FuzzFolder, RunResult, Path],
    tmp_path: Path,
    chunk: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two forked workers read the folder, a chunk of files per task (chunk 3: each worker
    takes many, dropping what it handed back after each); the rerun takes unchanged pages from
    the rows memo (links are read again: their target may change without a touch); without the
    memo, the workers find every page in the result cache they inherit. Same tables each time."""
    monkeypatch.setattr(workers, "WORKER_CHUNK", chunk)
    folder, run, _ = fuzzed
    transient = len(folder.links_out) + len(folder.dangling)
    counts = []
    for phase in ("cold, in 2 workers", "warm, from the rows memo", "from the result cache"):
        if phase == "from the result cache":
            drop_rows_memo(tmp_path / "out")
        extraction = stage_extract(folder.root, tmp_path / "out", processes=2)
        counts.append((extraction.parsed_now, extraction.reused))
        tables = unpack_texts(stage_tables(extraction, stage_resolve(extraction)))
        for table, frame in run.tables.items():
            pd.testing.assert_frame_equal(tables[table], frame, obj=table)
    n_pages = len(run.tables["raw_pages"])
    (cold_parsed, cold_reused), warm, from_results = counts
    assert cold_parsed + cold_reused == n_pages
    assert warm == from_results == (transient, n_pages - transient)


def test_a_dead_worker_costs_time_not_pages(
    fuzzed: tuple[fuzz.FuzzFolder, RunResult, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker killed mid-run (out of memory, say) breaks the pool; the files are then read
    in the parent, and the run gives the same tables."""
    folder, run, _ = fuzzed
    monkeypatch.setattr(workers, "_worker_part", _die)
    extraction = stage_extract(folder.root, tmp_path / "out", processes=2)
    assert extraction.parsed_now + extraction.reused == len(run.tables["raw_pages"])
    tables = unpack_texts(stage_tables(extraction, stage_resolve(extraction)))
    for table, frame in run.tables.items():
        pd.testing.assert_frame_equal(tables[table], frame, obj=table)


def _die(start: int, stop: int, step: int) -> None:
    os._exit(9)


def test_consuming_assembly_empties_the_rows_and_builds_the_same_tables(
    fuzzed: tuple[fuzz.FuzzFolder, RunResult, Path], tmp_path: Path
) -> None:
    folder, run, _ = fuzzed
    extraction = stage_extract(folder.root, tmp_path / "out")
    resolution = stage_resolve(extraction)
    tables = unpack_texts(stage_tables(extraction, resolution, consume=True))
    for table, frame in run.tables.items():
        pd.testing.assert_frame_equal(tables[table], frame, obj=table)
    left = [extraction.raw_pages, extraction.entries, extraction.details, resolution.documents]
    assert [len(rows) for rows in left] == [0, 0, 0, 0]
    assert len(run.tables["listing_entries"]) > 100  # there was something to empty


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_cut_copies_of_same_titled_documents_keep_distinct_ids(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    a = SeedEntry(
        "May 1, 1950",
        "Cable from Kovalev to Stalin",
        "Kovalev reports on the May Day parade in Beijing and the speeches given.",
    )
    b = SeedEntry(
        "May 1, 1950",
        "Cable from Kovalev to Stalin",
        "A second cable about grain deliveries to the northeast and railway repairs.",
    )
    page_a, page_b = new_search_page([a]), new_search_page([b])
    (raw / "a.txt").write_text(page_a, encoding="utf-8")
    (raw / "b.txt").write_text(page_b, encoding="utf-8")
    # two partial saves of page a, whose bytes sort after both whole pages (the order in which
    # dedup meets them is by content hash)
    top = max(_sha(page_a), _sha(page_b))
    cuts = [page_a[:-k] for k in range(20, 60) if _sha(page_a[:-k]) > top][:2]
    assert len(cuts) == 2
    for i, text in enumerate(cuts):
        (raw / f"cut{i}.txt").write_text(text, encoding="utf-8")
    run = run_pipeline(raw, tmp_path / "out")
    assert not (run.tables["quarantine"]["stage"] == "validate").any()
    assert cross_table_problems(run.tables) == {}


def test_worker_tasks_cover_every_file_once_and_feed_every_worker() -> None:
    from pipeline.extract.workers import WORKER_CHUNK, worker_tasks

    for files, processes in [(220, 2), (5_500, 2), (1, 2), (7, 3), (WORKER_CHUNK * 4 + 1, 2)]:
        tasks = worker_tasks(files, processes)
        covered = sorted(i for task in tasks for i in range(*task))
        assert covered == list(range(files)), (files, processes)
        assert max(len(range(*task)) for task in tasks) <= WORKER_CHUNK
        assert len(tasks) >= min(files, processes)
    # a +1% increment: one task per worker, every other file (neighbours read together)
    assert worker_tasks(220, 2) == [(0, 220, 2), (1, 220, 2)]
    # a bucket of the archive: blocks of 2,000 files dealt to the two workers
    assert worker_tasks(5_500, 2) == [
        (0, 2_000, 2),
        (1, 2_000, 2),
        (2_000, 4_000, 2),
        (2_001, 4_000, 2),
        (4_000, 5_500, 2),
        (4_001, 5_500, 2),
    ]
    assert worker_tasks(1, 2) == [(0, 1, 2)] and worker_tasks(0, 2) == []
