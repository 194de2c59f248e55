"""The search index (pipeline/publish/search_index.py): the fts extension's scores, exactly,
and term rows of unchanged documents copied from the previous release's file."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

import pipeline.publish.search_index as search_index
import pipeline.publish.search_terms as search_terms
from pipeline.publish.duckdb_db import build_database
from tests.helpers.search import extension_scores, search_db

QUERIES = ["Xinjiang", "Kovalev", "telegram from Stalin to Mao", "Peng Dehuai", "the of", "zzz"]


@pytest.mark.parametrize("query", QUERIES)
def test_scores_are_the_extensions_bm25(seed_outputs: Path, query: str) -> None:
    db = seed_outputs / "archive.duckdb"
    mine, theirs = search_db(db, query), extension_scores(db, query)
    assert [d for d, _ in mine] == [d for d, _ in theirs]
    assert [s for _, s in mine] == pytest.approx([s for _, s in theirs], rel=1e-12)
    if query == "Xinjiang":
        assert len(mine) == 14


def _release_copy(seed_outputs: Path, dst: Path, retitle: str | None = None) -> Path:
    """The seed release's Parquet files, with one document's title changed when asked."""
    shutil.copytree(seed_outputs / "current", dst, ignore=shutil.ignore_patterns("*.duckdb"))
    if retitle:
        docs = pd.read_parquet(dst / "documents.parquet")
        docs.loc[docs["document_id"] == retitle, "title"] = "Memorandum on Zanzibar shipping"
        from pipeline.publish.parquet import write_parquet

        write_parquet("documents", docs, dst / "documents.parquet")
    return dst


def test_unchanged_documents_are_copied_and_the_result_is_a_fresh_build(
    seed_outputs: Path, tmp_path: Path
) -> None:
    first = _release_copy(seed_outputs, tmp_path / "first")
    assert build_database(first / "archive.duckdb", first) == 0
    docs = pd.read_parquet(first / "documents.parquet")
    same = _release_copy(seed_outputs, tmp_path / "same")
    # every document's text (people in a fixed order too) hashes the same in a second build
    assert build_database(same / "archive.duckdb", same, first / "archive.duckdb") == len(docs)
    changed = docs["document_id"].iloc[3]
    second = _release_copy(seed_outputs, tmp_path / "second", retitle=changed)
    reused = build_database(second / "archive.duckdb", second, first / "archive.duckdb")
    assert reused == len(docs) - 1  # every document but the retitled one
    fresh = _release_copy(seed_outputs, tmp_path / "fresh", retitle=changed)
    assert build_database(fresh / "archive.duckdb", fresh) == 0
    for query in [*QUERIES, "Zanzibar"]:
        assert search_db(second / "archive.duckdb", query) == search_db(
            fresh / "archive.duckdb", query
        )
    assert [d for d, _ in search_db(second / "archive.duckdb", "Zanzibar")] == [changed]


def test_an_index_of_another_version_is_not_reused(
    seed_outputs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _release_copy(seed_outputs, tmp_path / "first")
    build_database(first / "archive.duckdb", first)
    monkeypatch.setattr(search_index, "INDEX_FORMAT", "test-next")
    second = _release_copy(seed_outputs, tmp_path / "second")
    assert build_database(second / "archive.duckdb", second, first / "archive.duckdb") == 0
    assert search_db(second / "archive.duckdb", "Xinjiang") == search_db(
        first / "archive.duckdb", "Xinjiang"
    )


def test_a_missing_or_broken_previous_file_means_a_full_build(
    seed_outputs: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.duckdb"
    broken.write_bytes(b"not a database")
    for previous in (tmp_path / "missing.duckdb", broken):
        release = _release_copy(seed_outputs, tmp_path / previous.stem)
        assert build_database(release / "archive.duckdb", release, previous) == 0
        assert len(search_db(release / "archive.duckdb", "Xinjiang")) == 14


def test_a_build_over_the_memory_cap_is_retried_without_it(
    seed_outputs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pipeline.publish.duckdb_db as duckdb_db

    limits: list[str | None] = []
    build = duckdb_db._build

    def recording(db_path, parquet_dir, previous, ahead, version, memory_limit):  # noqa: ANN001, ANN202
        limits.append(memory_limit)
        return build(db_path, parquet_dir, previous, ahead, version, memory_limit)

    monkeypatch.setattr(duckdb_db, "MEMORY_LIMIT", "1MB")  # too small for anything
    monkeypatch.setattr(duckdb_db, "_build", recording)
    release = _release_copy(seed_outputs, tmp_path / "release")
    assert build_database(release / "archive.duckdb", release) == 0
    assert limits == ["1MB", None]
    assert len(search_db(release / "archive.duckdb", "Xinjiang")) == 14
    assert sorted(p.name for p in release.iterdir() if "duckdb" in p.name) == ["archive.duckdb"]


def test_text_counted_in_slices_gives_the_same_index(
    seed_outputs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Large archives are tokenized a slice of rows at a time (to fit the memory cap), so a
    document's title, bodies and people may be counted in different slices: slices as small as
    a few pages give the one-slice index, and no spill file is left."""
    whole = _release_copy(seed_outputs, tmp_path / "whole")
    build_database(whole / "archive.duckdb", whole)
    monkeypatch.setattr(search_index, "SLICE_BYTES", 2_000)
    slices: list[tuple[int, int]] = []
    row_slices = search_index.row_slices
    monkeypatch.setattr(
        search_index, "row_slices", lambda *a: slices.extend(row_slices(*a)) or slices
    )
    sliced = _release_copy(seed_outputs, tmp_path / "sliced")
    build_database(sliced / "archive.duckdb", sliced)
    for query in QUERIES:
        assert search_db(sliced / "archive.duckdb", query) == search_db(
            whole / "archive.duckdb", query
        )
    assert sorted(p.name for p in sliced.iterdir() if "duckdb" in p.name) == ["archive.duckdb"]
    assert len(slices) > 1  # the seeds hold about 16 KB of text


def test_row_slices_cover_every_row_once_in_order() -> None:
    sizes = np.array([10, 10, 10, 100, 5, 0, 30])
    assert search_index.row_slices(sizes, 25) == [(0, 1), (2, 2), (3, 5), (6, 6)]
    assert search_index.row_slices(sizes, 1_000) == [(0, 6)]
    assert search_index.row_slices(np.array([], dtype=np.int64), 25) == []


def test_a_document_with_several_detail_pages_scores_as_the_extension_does(
    seed_outputs: Path, tmp_path: Path
) -> None:
    """A document's bodies are tokenized page by page: the same counts as the concatenation."""
    release = _release_copy(seed_outputs, tmp_path / "release")
    pages = pd.read_parquet(release / "document_pages.parquet")
    second = pages.iloc[[0]].copy()
    second["page_sha256"] = "f" * 64
    second["body"] = "Zanzibar shipping, Zanzibar harbour; the Kovalev memorandum."
    from pipeline.publish.parquet import write_parquet

    both = pd.concat([pages, second]).sort_values("page_sha256").reset_index(drop=True)
    write_parquet("document_pages", both, release / "document_pages.parquet")
    db = release / "archive.duckdb"
    build_database(db, release)
    for query in ["Zanzibar", "Kovalev", "Xinjiang"]:
        mine, theirs = search_db(db, query), extension_scores(db, query)
        assert [d for d, _ in mine] == [d for d, _ in theirs]
        assert [s for _, s in mine] == pytest.approx([s for _, s in theirs], rel=1e-12)
    assert [d for d, _ in search_db(db, "Zanzibar")] == [second["document_id"].iloc[0]]


def _terms(db: Path) -> tuple[list[tuple], int]:
    """search_terms in its stored order, and search_stats' count of appended rows."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.sql("SELECT term, document_id, tf FROM store.search_terms").fetchall()
        unsorted = con.sql("SELECT unsorted_terms FROM store.search_stats").fetchone()[0]
        return rows, unsorted
    finally:
        con.close()


@pytest.mark.parametrize("resort_share", [search_terms.RESORT_SHARE, 0.0])
def test_reused_rows_keep_their_order_and_new_ones_are_appended_until_a_resort(
    seed_outputs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, resort_share: float
) -> None:
    """A rebuild copies the unchanged documents' term rows in the previous table's order and
    appends the changed document's rows, sorted by term; once appended rows pass
    RESORT_SHARE of the table, the whole table is sorted by term again."""
    first = _release_copy(seed_outputs, tmp_path / "first")
    build_database(first / "archive.duckdb", first)
    before, unsorted = _terms(first / "archive.duckdb")
    assert unsorted == 0 and before == sorted(before, key=lambda r: r[0])
    monkeypatch.setattr(search_terms, "RESORT_SHARE", resort_share)
    changed = pd.read_parquet(first / "documents.parquet")["document_id"].iloc[3]
    second = _release_copy(seed_outputs, tmp_path / "second", retitle=changed)
    build_database(second / "archive.duckdb", second, first / "archive.duckdb")
    after, unsorted = _terms(second / "archive.duckdb")
    new = [r for r in after if r[1] == changed]
    assert ("zanzibar", changed, 1) in new
    if resort_share == 0.0:
        assert unsorted == 0 and after == sorted(after, key=lambda r: r[0])
        return
    kept = [r for r in before if r[1] != changed]
    assert unsorted == len(new) > 0
    assert after == kept + sorted(new, key=lambda r: r[0])
    assert after != sorted(after, key=lambda r: r[0])  # the appended run starts again at "a"
