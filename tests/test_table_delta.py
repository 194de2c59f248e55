"""A release's DuckDB file built by updating a copy of the previous one (table_delta.py): the
same rows and search index as a fresh build, the kept rows in the Parquet order, the new ones
after them, and a fresh build whenever the copy cannot be trusted."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

import pipeline.publish.table_delta as table_delta
from pipeline.publish.duckdb_db import build_database, build_summary
from pipeline.publish.parquet import write_parquet
from schemas import TABLES
from tests.helpers.search import search_db

QUERIES = ["Xinjiang", "Kovalev", "telegram from Stalin to Mao", "Zanzibar"]


def _release(seed_outputs: Path, dst: Path) -> Path:
    shutil.copytree(seed_outputs / "current", dst, ignore=shutil.ignore_patterns("*.duckdb"))
    return dst


def _changed_release(seed_outputs: Path, dst: Path) -> tuple[Path, dict[str, int]]:
    """The seed release with one document retitled, one detail page's body changed, two
    listing entries gone and one new (a copy of another at a new position); returns the rows
    each table gained."""
    release = _release(seed_outputs, dst)
    docs = pd.read_parquet(release / "documents.parquet")
    docs.loc[3, "title"] = "Memorandum on Zanzibar shipping"
    write_parquet("documents", docs, release / "documents.parquet")
    pages = pd.read_parquet(release / "document_pages.parquet")
    pages.loc[0, "body"] = "A new body about Zanzibar."
    write_parquet("document_pages", pages, release / "document_pages.parquet")
    entries = pd.read_parquet(release / "listing_entries.parquet")
    moved = entries.iloc[[7]].assign(position=999)
    entries = pd.concat([entries.drop(index=[1, 5]), moved], ignore_index=True)
    write_parquet("listing_entries", entries, release / "listing_entries.parquet")
    return release, {"documents": 1, "document_pages": 1, "listing_entries": 1}


def _rows(db: Path, table: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.sql(f"SELECT * FROM store.{table}").fetchall()
    finally:
        con.close()


def _loads(db: Path) -> dict[str, tuple[int, int]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.sql("SELECT table_name, rows, appended FROM store.table_loads").fetchall()
        return {table: (n, appended) for table, n, appended in rows}
    finally:
        con.close()


def _all_loads(release: Path) -> list[tuple]:
    return _rows(release / "archive.duckdb", "table_loads")


def _parquet_rows(release: Path, table: str) -> list[tuple]:
    con = duckdb.connect()
    try:
        path = (release / f"{table}.parquet").as_posix()
        return con.sql(f"SELECT * FROM read_parquet('{path}')").fetchall()
    finally:
        con.close()


def _sort_key(row: tuple) -> tuple:
    return tuple((value is None, str(value)) for value in row)


@pytest.fixture()
def first(seed_outputs: Path, tmp_path: Path) -> Path:
    release = _release(seed_outputs, tmp_path / "first")
    build_database(release / "archive.duckdb", release)
    return release


def test_an_updated_copy_holds_the_rows_and_index_of_a_fresh_build(
    seed_outputs: Path, tmp_path: Path, first: Path
) -> None:
    previous = first / "archive.duckdb"
    before = previous.read_bytes()
    second, gained = _changed_release(seed_outputs, tmp_path / "second")
    build_database(second / "archive.duckdb", second, previous)
    fresh, _ = _changed_release(seed_outputs, tmp_path / "fresh")
    build_database(fresh / "archive.duckdb", fresh)
    assert previous.read_bytes() == before  # readers of the previous release see no change
    loads = _loads(second / "archive.duckdb")
    for table in TABLES:
        updated = _rows(second / "archive.duckdb", table)
        in_file = _parquet_rows(second, table)
        assert sorted(updated, key=_sort_key) == sorted(in_file, key=_sort_key), table
        # the kept rows in the file's order, then the rows the file gained, in its order too,
        # unless they pass the share that loads the table whole (the seed has one detail page)
        added = gained.get(table, 0)
        if added > table_delta.RESORT_SHARE * len(in_file):
            added = 0
        kept = updated[: len(updated) - added]
        assert kept == [row for row in in_file if row in kept], table
        assert loads[table] == (len(in_file), added), table
    assert loads["documents"][1] == loads["listing_entries"][1] == 1
    how = {t: (updated, added, deleted) for t, *_, updated, added, deleted in _all_loads(second)}
    assert how["documents"] == (True, 1, 1)  # the retitled row: out, and in again at the end
    assert how["listing_entries"] == (True, 1, 2)
    assert how["document_pages"] == (False, 0, 0)  # loaded whole (its one row changed)
    assert build_summary(second / "archive.duckdb") == {
        "tables_updated": 8,
        "tables_loaded": 1,
        "rows_appended": 2,
        "rows_deleted": 3,
    }
    assert _loads(fresh / "archive.duckdb") == {t: (n, 0) for t, (n, _) in loads.items()}
    for query in QUERIES:
        assert search_db(second / "archive.duckdb", query) == search_db(
            fresh / "archive.duckdb", query
        )
    retitled = pd.read_parquet(second / "documents.parquet")["document_id"].iloc[3]
    assert retitled in [d for d, _ in search_db(second / "archive.duckdb", "Zanzibar")]
    updated_db, fresh_db = second / "archive.duckdb", fresh / "archive.duckdb"
    for table in ("search_docs", "search_dict"):
        assert _rows(updated_db, table) == _rows(fresh_db, table)
    terms = _rows(updated_db, "search_terms")
    assert sorted(terms) == sorted(_rows(fresh_db, "search_terms"))
    # same figures; the update appended the changed documents' term rows after the others
    (stats,), (fresh_stats,) = _rows(updated_db, "search_stats"), _rows(fresh_db, "search_stats")
    assert stats[:3] == fresh_stats[:3] and fresh_stats[3] == 0
    rebodied = pd.read_parquet(second / "document_pages.parquet")["document_id"].iloc[0]
    appended = terms[len(terms) - stats[3] :]
    assert {t[1] for t in appended} == {retitled, rebodied}
    assert not {t[1] for t in terms[: len(terms) - stats[3]]} & {retitled, rebodied}


def test_appended_rows_past_the_share_load_the_table_whole_again(
    seed_outputs: Path, tmp_path: Path, first: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(table_delta, "RESORT_SHARE", 0.0)
    second, _ = _changed_release(seed_outputs, tmp_path / "second")
    build_database(second / "archive.duckdb", second, first / "archive.duckdb")
    for table in ("documents", "document_pages", "listing_entries"):
        assert _rows(second / "archive.duckdb", table) == _parquet_rows(second, table)
        assert _loads(second / "archive.duckdb")[table][1] == 0


def test_a_removed_duplicate_row_removes_one_copy(tmp_path: Path) -> None:
    """Rows are matched by their values with repeats counted: three equal rows becoming two
    lose one, and a changed row is a deletion plus an append (ten other rows stay)."""
    con = duckdb.connect(str(tmp_path / "t.duckdb"))
    con.execute("CREATE SCHEMA store")
    others = "SELECT range::INTEGER AS n, 'x' AS s FROM range(10, 20)"
    con.execute(
        "CREATE TABLE store.t AS SELECT * FROM "
        f"(VALUES (1, 'a'), (1, 'a'), (1, 'a'), (2, 'b'), (3, NULL)) v(n, s) UNION ALL {others}"
    )
    new = tmp_path / "t.parquet"
    con.execute(
        "COPY (SELECT * FROM (VALUES (1, 'a'), (2, 'b'), (1, 'a'), (3, 'c')) v(n, s) "
        f"UNION ALL {others}) TO '{new.as_posix()}'"
    )
    load = table_delta.load_table(con, "t", f"'{new.as_posix()}'", appended_before=0)
    assert (load.rows, load.deleted, load.appended, load.full) == (14, 2, 1, False)
    rows = con.sql("SELECT * FROM store.t").fetchall()
    assert rows[:3] == [(1, "a"), (1, "a"), (2, "b")]
    assert rows[3:-1] == [(n, "x") for n in range(10, 20)] and rows[-1] == (3, "c")
    con.close()


def test_changed_columns_load_the_table_whole(tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "t.duckdb"))
    con.execute("CREATE SCHEMA store")
    con.execute("CREATE TABLE store.t AS SELECT 1 AS n")
    new = tmp_path / "t.parquet"
    con.execute(f"COPY (SELECT 1 AS n, 'x' AS s) TO '{new.as_posix()}'")
    load = table_delta.load_table(con, "t", f"'{new.as_posix()}'", appended_before=0)
    assert load.full and con.sql("SELECT * FROM store.t").fetchall() == [(1, "x")]
    con.close()


@pytest.mark.parametrize("spoil", ["format", "free_space", "tables", "own_table", "garbage"])
def test_a_copy_that_cannot_be_trusted_means_a_fresh_build(
    seed_outputs: Path,
    tmp_path: Path,
    first: Path,
    monkeypatch: pytest.MonkeyPatch,
    spoil: str,
) -> None:
    previous = first / "archive.duckdb"
    if spoil == "format":
        monkeypatch.setattr(table_delta, "TABLES_FORMAT", "test-next")
    elif spoil == "free_space":
        monkeypatch.setattr(table_delta, "MAX_FREE_SHARE", -1.0)
    elif spoil == "tables":
        con = duckdb.connect(str(previous))
        con.execute("DELETE FROM store.table_loads WHERE table_name = 'quarantine'")
        con.close()
    elif spoil == "own_table":  # an analyst's table, in a file opened for writing
        con = duckdb.connect(str(previous))
        con.execute("CREATE TABLE main.my_notes AS SELECT 1 AS n")
        con.close()
    else:
        previous.write_bytes(b"not a database" * 100)
    second, _ = _changed_release(seed_outputs, tmp_path / "second")
    build_database(second / "archive.duckdb", second, previous)
    for table in TABLES:
        assert _rows(second / "archive.duckdb", table) == _parquet_rows(second, table), table
    assert {appended for _, appended in _loads(second / "archive.duckdb").values()} == {0}
    assert search_db(second / "archive.duckdb", "Zanzibar")
    con = duckdb.connect(str(second / "archive.duckdb"), read_only=True)
    assert not con.sql("SELECT * FROM duckdb_tables() WHERE table_name = 'my_notes'").fetchall()
    con.close()


def test_a_row_changed_in_the_previous_file_is_put_right(
    seed_outputs: Path, tmp_path: Path, first: Path
) -> None:
    """Rows are compared with the Parquet file's, not trusted: a row edited in the previous
    file (opened for writing) is replaced by the file's in the next release."""
    con = duckdb.connect(str(first / "archive.duckdb"))
    con.execute("UPDATE store.documents SET title = 'edited' WHERE rowid = 2")
    con.close()
    second = _release(seed_outputs, tmp_path / "second")
    build_database(second / "archive.duckdb", second, first / "archive.duckdb")
    assert _loads(second / "archive.duckdb")["documents"][1] == 1  # updated, not reloaded
    rows = _rows(second / "archive.duckdb", "documents")
    assert sorted(rows, key=_sort_key) == sorted(_parquet_rows(second, "documents"), key=_sort_key)
    assert "edited" not in {row[1] for row in rows}


def test_a_file_without_the_load_record_has_no_summary(tmp_path: Path) -> None:
    db = tmp_path / "old.duckdb"
    duckdb.connect(str(db)).close()
    assert build_summary(db) == {}


def test_a_file_held_open_for_writing_has_no_summary(first: Path) -> None:
    """The run has published by then: a file it cannot open only leaves its metadata out."""
    con = duckdb.connect(str(first / "archive.duckdb"))  # another writer holds the file
    try:
        assert build_summary(first / "archive.duckdb") == {}
    finally:
        con.close()
    assert build_summary(first / "archive.duckdb")["tables_loaded"] == len(TABLES)
