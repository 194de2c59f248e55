"""Incremental runs: only what changed is parsed, and the outputs are exactly those of a clean
run over the same folder (added, changed, touched and removed files; a parser version bump).

Reads and parses are counted by wrapping the extract stage's two entry points, so "not
re-parsed" is observed, not inferred from timing. The rows memo has its own module
(test_rows_memo.py).
"""

from __future__ import annotations

import os
import shutil
from collections import Counter
from pathlib import Path

import pytest

import pipeline.extract.batch_store as batch_store
from pipeline.extract.batch_store import write_batch
from pipeline.extract.cache import RESULTS_LAYOUT
from pipeline.extract.fingerprint import raw_fingerprint
from pipeline.runner import RunResult, run_pipeline
from schemas import TABLES
from tests.conftest import (
    SEED_DETAIL,
    SEED_SEARCH_1,
    SEED_SEARCH_4,
    seed_text,
)
from tests.helpers.incremental import (
    N_SEEDS,
    cached_results,
    clean_run_bytes,
    drop_rows_memo,
    release_bytes,
    results_store,
)
from tests.helpers.pages import new_search_page, seed_entries


def test_unchanged_input_parses_nothing(raw_copy: Path, tmp_path: Path, counted: Counter) -> None:
    out = tmp_path / "out"
    first = run_pipeline(raw_copy, out)
    assert (first.record.pages_parsed, first.record.pages_reused) == (N_SEEDS, 0)
    assert (counted["read"], counted["parse"]) == (N_SEEDS, N_SEEDS)
    before = release_bytes(out)
    counted.clear()
    again = run_pipeline(raw_copy, out)
    assert (again.record.pages_parsed, again.record.pages_reused) == (0, N_SEEDS)
    assert (counted["read"], counted["parse"]) == (0, 0)  # not even re-read: stat cache
    assert release_bytes(out) == before
    assert again.record.release_id == first.record.release_id


def test_touched_file_is_rehashed_not_reparsed(
    raw_copy: Path, tmp_path: Path, counted: Counter, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its result comes from the result cache, which is read a value at a time: the rerun
    reads that page's result alone, not the store."""
    out = tmp_path / "out"
    run_pipeline(raw_copy, out)
    before = release_bytes(out)
    reads: list[tuple] = []
    read_at = batch_store._read_at

    def counting_read_at(paths, where):  # noqa: ANN001, ANN202
        if paths[where[0]].parent.name.startswith("results-"):  # not dedup's unit store
            reads.append(where)
        return read_at(paths, where)

    monkeypatch.setattr(batch_store, "_read_at", counting_read_at)
    page = raw_copy / SEED_SEARCH_4
    page.chmod(0o644)
    st = page.stat()
    os.utime(page, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))
    counted.clear()
    run = run_pipeline(raw_copy, out)
    assert counted[f"read:{SEED_SEARCH_4}"] == 1 and counted["read"] == 1  # re-hashed
    assert counted["parse"] == 0 and len(reads) == 1
    assert (run.record.pages_parsed, run.record.pages_reused) == (0, N_SEEDS)
    assert release_bytes(out) == before
    counted.clear()  # the new mtime is remembered: the next run does not read it again
    run_pipeline(raw_copy, out)
    assert counted["read"] == 0


def test_changed_page_alone_is_reparsed(raw_copy: Path, tmp_path: Path, counted: Counter) -> None:
    out = tmp_path / "out"
    run_pipeline(raw_copy, out)
    page = raw_copy / SEED_SEARCH_1
    page.chmod(0o644)
    page.write_text(
        seed_text(SEED_SEARCH_1).replace("Letter, Jiang Qing to Mao Zedong", "Letter, Jiang Qing"),
        encoding="utf-8",
    )
    counted.clear()
    run = run_pipeline(raw_copy, out)
    assert (counted["read"], counted["parse"]) == (1, 1)
    assert (run.record.pages_parsed, run.record.pages_reused) == (1, N_SEEDS - 1)
    titles = set(run.tables["listing_entries"]["title"])
    assert "Letter, Jiang Qing" in titles and "Letter, Jiang Qing to Mao Zedong" not in titles
    assert release_bytes(out) == clean_run_bytes(raw_copy, tmp_path / "clean")


def test_new_page_alone_is_parsed(raw_copy: Path, tmp_path: Path, counted: Counter) -> None:
    out = tmp_path / "out"
    first = run_pipeline(raw_copy, out)
    (raw_copy / "sub").mkdir()
    (raw_copy / "sub" / "new.txt").write_text(new_search_page(list(seed_entries()[-3:])))
    counted.clear()
    run = run_pipeline(raw_copy, out)
    assert (counted["read"], counted["parse"]) == (1, 1)
    assert (run.record.pages_parsed, run.record.pages_reused) == (1, N_SEEDS)
    assert len(run.tables["raw_pages"]) == N_SEEDS + 1
    assert run.record.release_id != first.record.release_id
    assert release_bytes(out) == clean_run_bytes(raw_copy, tmp_path / "clean")


def _rows_of(run: RunResult, path: str, sha: str) -> dict[str, int]:
    counts = {}
    for table, frame in run.tables.items():
        n = 0
        if "path" in frame:
            n += int((frame["path"] == path).sum())
        for col in ("page_sha256", "left_page_sha256", "right_page_sha256"):
            if col in frame:
                n += int((frame[col] == sha).sum())
        counts[table] = n
    return counts


@pytest.mark.parametrize("removed", [SEED_DETAIL, SEED_SEARCH_4])
def test_removed_file_leaves_every_table(raw_copy: Path, tmp_path: Path, removed: str) -> None:
    out = tmp_path / "out"
    first = run_pipeline(raw_copy, out)
    sha = first.tables["raw_pages"].set_index("path").loc[removed, "page_sha256"]
    assert sum(_rows_of(first, removed, sha).values()) > 1
    (raw_copy / removed).unlink()
    run = run_pipeline(raw_copy, out)
    assert _rows_of(run, removed, sha) == dict.fromkeys(TABLES, 0)
    assert (run.record.pages_seen, run.record.pages_parsed) == (N_SEEDS - 1, 0)
    # documents seen only on the removed page are gone with it; the others stay
    only_there = (
        set(first.tables["documents"]["document_id"])
        - set(
            first.tables["listing_entries"].loc[
                first.tables["listing_entries"]["page_sha256"] != sha, "document_id"
            ]
        )
        - set(
            first.tables["document_pages"].loc[
                first.tables["document_pages"]["page_sha256"] != sha, "document_id"
            ]
        )
    )
    if removed == SEED_DETAIL:  # its document is listed elsewhere: it stays, without the page
        assert not only_there and not run.tables["documents"]["has_detail_page"].any()
    else:
        assert len(only_there) >= 5
    assert set(run.tables["documents"]["document_id"]) == (
        set(first.tables["documents"]["document_id"]) - only_there
    )
    assert release_bytes(out) == clean_run_bytes(raw_copy, tmp_path / "clean")
    stats = "".join(p.read_text() for p in (out / ".cache").glob("stats*.json"))
    assert removed not in stats  # the stat cache forgets it too
    assert cached_results(out) == N_SEEDS - 1  # and the results file drops its page


def test_damaged_result_entry_costs_one_reparse(
    raw_copy: Path, tmp_path: Path, counted: Counter
) -> None:
    out = tmp_path / "out"
    first = run_pipeline(raw_copy, out)
    store = results_store(out)
    assert len(store.stored) == N_SEEDS and not (out / ".cache" / "pages").exists()
    key = sorted(store.stored)[2]
    payload = store.read(key)
    assert payload is not None
    cut = {key: payload[: len(payload) // 2]}
    write_batch(store.folder, RESULTS_LAYOUT, cut, indexed=True)
    drop_rows_memo(out)
    counted.clear()
    again = run_pipeline(raw_copy, out)
    assert (counted["read"], counted["parse"]) == (1, 1)
    assert again.record.release_id == first.record.release_id
    assert results_store(out).read(key) == payload  # mended


def test_values_cut_off_the_end_of_a_batch_cost_their_pages(
    raw_copy: Path, tmp_path: Path, counted: Counter
) -> None:
    """A batch whose index is whole but whose last value is cut (a full disk): that page alone
    is read and parsed again, the others come from the cache unread."""
    out = tmp_path / "out"
    first = run_pipeline(raw_copy, out)
    (batch,) = results_store(out).folder.glob("*.pickle")
    store = results_store(out)
    last = max(store.stored, key=lambda k: store.stored[k][1])  # the value stored last
    batch.write_bytes(batch.read_bytes()[:-10])
    assert results_store(out).read(last) is None
    drop_rows_memo(out)
    counted.clear()
    again = run_pipeline(raw_copy, out)
    assert (counted["read"], counted["parse"]) == (1, 1)
    assert again.record.release_id == first.record.release_id
    assert results_store(out).read(last) is not None  # mended


def test_damaged_results_batch_costs_its_pages(
    raw_copy: Path, tmp_path: Path, counted: Counter
) -> None:
    out = tmp_path / "out"
    first = run_pipeline(raw_copy, out)
    (batch,) = results_store(out).folder.glob("*.pickle")
    batch.write_bytes(batch.read_bytes()[:100])  # cut short, as by a full disk
    drop_rows_memo(out)
    counted.clear()
    again = run_pipeline(raw_copy, out)
    assert (counted["read"], counted["parse"]) == (N_SEEDS, N_SEEDS)
    assert again.record.release_id == first.record.release_id
    assert not batch.exists() and cached_results(out) == N_SEEDS


def test_parser_version_bump_reparses_everything(
    raw_copy: Path, tmp_path: Path, counted: Counter, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    first = run_pipeline(raw_copy, out)
    import pipeline.extract.records as records

    monkeypatch.setattr(records, "PARSER_VERSION", f"{records.PARSER_VERSION}-bumped")
    counted.clear()
    run = run_pipeline(raw_copy, out)
    assert counted["parse"] == N_SEEDS
    assert (run.record.pages_parsed, run.record.pages_reused) == (N_SEEDS, 0)
    assert run.record.release_id == first.record.release_id  # same parser, same output
    monkeypatch.undo()
    counted.clear()
    back = run_pipeline(raw_copy, out)  # the cache keeps only what the last run used
    assert (back.record.pages_parsed, back.record.pages_reused) == (N_SEEDS, 0)
    assert back.record.release_id == first.record.release_id


def test_sensor_fingerprint_changes_on_add_change_remove(raw_copy: Path) -> None:
    from pipeline.assets import automation

    assert automation.raw_fingerprint is raw_fingerprint  # what the sensor compares
    seen = [raw_fingerprint(raw_copy)]
    assert raw_fingerprint(raw_copy) == seen[0]  # stable while nothing changes

    (raw_copy / "added.txt").write_text(seed_text(SEED_SEARCH_4).replace("Truman", "Trumen"))
    seen.append(raw_fingerprint(raw_copy))
    page = raw_copy / "added.txt"
    st = page.stat()
    page.write_text(seed_text(SEED_SEARCH_4).replace("Truman", "Trumon"))  # same size
    os.utime(page, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    seen.append(raw_fingerprint(raw_copy))
    (raw_copy / "added.txt.meta.json").write_text('{"url": "https://example.org/search?page=2"}')
    seen.append(raw_fingerprint(raw_copy))
    (raw_copy / SEED_DETAIL).unlink()
    seen.append(raw_fingerprint(raw_copy))
    shutil.move(raw_copy / "added.txt", raw_copy / "renamed.txt")
    seen.append(raw_fingerprint(raw_copy))
    assert len(set(seen)) == len(seen), "a change left the fingerprint as it was"
    hidden = raw_copy / ".DS_Store"
    hidden.write_bytes(b"\x00\x01")  # not a snapshot: no reason to run
    assert raw_fingerprint(raw_copy) == seen[-1]


@pytest.mark.parametrize("spelling", ["raw", "./raw", "raw/", "../{tmp}/raw"])
def test_raw_folder_spelling_does_not_change_paths_or_reuse(
    raw_copy: Path, tmp_path: Path, counted: Counter, monkeypatch: pytest.MonkeyPatch, spelling: str
) -> None:
    """Relative paths are cut from the raw folder as a string: any spelling must give the same
    `path` column, and a rerun under another spelling still reuses everything."""
    out = tmp_path / "out"
    first = run_pipeline(raw_copy, out)
    (raw_copy / "sub").mkdir()
    shutil.copy(raw_copy / SEED_SEARCH_1, raw_copy / "sub" / "copy.txt")
    monkeypatch.chdir(tmp_path)
    counted.clear()
    again = run_pipeline(Path(spelling.format(tmp=tmp_path.name)), out)
    paths = sorted(again.tables["raw_pages"]["path"])
    assert paths == sorted([*first.tables["raw_pages"]["path"], "sub/copy.txt"])
    assert (counted["read"], counted["parse"]) == (1, 0)  # the copy is read, not parsed
