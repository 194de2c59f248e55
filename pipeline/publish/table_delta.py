"""A release's DuckDB tables updated in a copy of the previous release's file, instead of
loaded again from the Parquet files.

Loading is mostly DuckDB compressing and writing rows (at 10x the archive, document_pages
alone: 7 s to load, 0.4 s to read and hash every value). A release after a small increment
shares nearly all its rows with the previous one, so the build copies the previous file (its
readers keep theirs: the copy is the staging release's own), and per table deletes the rows the
new Parquet file no longer has and appends the ones it gained. Rows are matched by a hash of
all their values, with duplicates counted (`hash` is DuckDB's 64-bit hash: a changed row is
kept as unchanged only if it collides with another row of its table).

The rows kept stay in the Parquet order; the appended ones follow, in theirs. Once a table's
rows appended since its last full load pass RESORT_SHARE of it, it is loaded whole again
(the Parquet order, no holes). `store.table_loads` keeps the counts, and the format its file
was built with: a file of another format, with other tables or views, or with too much free
space is not updated (duckdb_db.py builds afresh).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import duckdb

# Bump when the tables' layout in the file changes: a copy of another format is not reused.
TABLES_FORMAT = "1"
RESORT_SHARE = 0.2  # of a table's rows appended since its last full load (see above)
MAX_FREE_SHARE = 0.3  # of the file's blocks free: past it a fresh build compacts the file

LOADS_OBJECT = ("store", "table_loads")
LOADS_TABLE = ".".join(LOADS_OBJECT)


@dataclass(frozen=True)
class TableLoad:
    """How one table got its rows in this build."""

    rows: int
    appended: int  # rows appended since the table's last full load (0 after one)
    deleted: int = 0  # rows this build removed (0 for a full load)
    full: bool = True
    added: int = 0  # rows this build appended (0 for a full load)


def tables_format() -> str:
    return f"{TABLES_FORMAT}/duckdb-{duckdb.__version__}"


def updatable(
    con: duckdb.DuckDBPyConnection, tables: Collection[str], objects: set[tuple[str, str]]
) -> bool:
    """Whether the open file (a copy of the previous release's) can be updated in place: same
    format and tables, no other table or view (`objects`: (schema, name) of every one a build
    makes; an analyst's own table in a file opened for writing is not carried into the next
    release), and not mostly free space (a fresh build would not keep it)."""
    try:
        loads = con.sql(f"SELECT table_name, format FROM {LOADS_TABLE}").fetchall()
        found = con.sql(
            "SELECT schema_name, table_name FROM duckdb_tables() "
            "WHERE NOT internal AND database_name = current_database() UNION ALL "
            "SELECT schema_name, view_name FROM duckdb_views() "
            "WHERE NOT internal AND database_name = current_database()"
        ).fetchall()
        total, free = con.sql(
            "SELECT total_blocks, free_blocks FROM pragma_database_size() "
            "WHERE database_name = current_database()"
        ).fetchone()
    except duckdb.Error:
        return False
    same = sorted(loads) == sorted((table, tables_format()) for table in tables)
    return same and set(found) == objects and free <= MAX_FREE_SHARE * max(total, 1)


def previous_loads(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """table -> rows appended since its last full load, as the copied file recorded them."""
    try:
        rows = con.sql(f"SELECT table_name, appended FROM {LOADS_TABLE}").fetchall()
    except duckdb.Error:
        return {}
    return dict(rows)


def load_table(
    con: duckdb.DuckDBPyConnection, table: str, src: str, appended_before: int | None
) -> TableLoad:
    """`store.<table>` holding the rows of the Parquet file `src` (a SQL literal).

    `appended_before` is None when the table is to be loaded whole (no usable copy of it);
    else the copy's rows are updated, unless their columns differ from the file's or the
    appended rows would pass RESORT_SHARE of the table.
    """
    columns = _shared_columns(con, table, src) if appended_before is not None else None
    if columns is not None:
        try:
            delta = _delta(con, table, src, columns)
            new_rows = delta.old_rows - delta.deleted + delta.added
            appended = appended_before + delta.added
            if appended <= RESORT_SHARE * max(new_rows, 1):
                _apply(con, table, src)
                return TableLoad(new_rows, appended, delta.deleted, full=False, added=delta.added)
        finally:
            for temp in _TEMPS:
                con.execute(f"DROP TABLE IF EXISTS {temp}")
    # The Parquet rows are in the model's sort order already, and DuckDB keeps insertion
    # order: an ORDER BY here would sort the wide document_pages rows again, which does not
    # fit the memory cap at 10x archive scale (the build then ran uncapped: 5.7 GB).
    con.execute(f"CREATE OR REPLACE TABLE store.{table} AS SELECT * FROM read_parquet({src})")
    rows = con.sql(f"SELECT count(*) FROM store.{table}").fetchone()[0]
    return TableLoad(rows, 0)


def record_loads(con: duckdb.DuckDBPyConnection, loads: dict[str, TableLoad]) -> None:
    """Write `store.table_loads` (what the next build reads to update this file)."""
    con.execute(
        f"CREATE OR REPLACE TABLE {LOADS_TABLE} (table_name VARCHAR, rows BIGINT, "
        "appended BIGINT, format VARCHAR, updated BOOLEAN, added BIGINT, deleted BIGINT)"
    )
    con.executemany(
        f"INSERT INTO {LOADS_TABLE} VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (table, n.rows, n.appended, tables_format(), not n.full, n.added, n.deleted)
            for table, n in loads.items()
        ],
    )


def loads_summary(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """What the build of `con`'s file did, for run metadata: tables updated in place and
    loaded whole, rows appended and deleted by the updates (empty for a file without it)."""
    try:
        updated, loaded, added, deleted = con.sql(
            f"SELECT count(*) FILTER (updated), count(*) FILTER (NOT updated), "
            f"coalesce(sum(added), 0), coalesce(sum(deleted), 0) FROM {LOADS_TABLE}"
        ).fetchone()
    except duckdb.Error:
        return {}
    return {
        "tables_updated": updated,
        "tables_loaded": loaded,
        "rows_appended": added,
        "rows_deleted": deleted,
    }


_TEMPS = ("delta_old", "delta_file", "delta_gone", "delta_new")


@dataclass(frozen=True)
class _Delta:
    old_rows: int
    deleted: int
    added: int


def _shared_columns(con: duckdb.DuckDBPyConnection, table: str, src: str) -> list[str] | None:
    """The copy's column names when the file has the same columns and types, else None."""
    try:
        have = con.sql(f"DESCRIBE store.{table}").fetchall()
    except duckdb.Error:  # the copy lacks the table
        return None
    want = con.sql(f"DESCRIBE SELECT * FROM read_parquet({src})").fetchall()
    return [r[0] for r in have] if [r[:2] for r in have] == [r[:2] for r in want] else None


def _delta(con: duckdb.DuckDBPyConnection, table: str, src: str, names: list[str]) -> _Delta:
    """`delta_gone` (rowids of the copy's rows the file lacks) and `delta_new` (row numbers of
    the file's rows the copy lacks), matched by (row hash, occurrence of that hash)."""
    row_hash = f"hash({', '.join(_quoted(n) for n in names)})"
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE delta_old AS SELECT rowid AS pos, h, "
        f"row_number() OVER (PARTITION BY h) AS k FROM "
        f"(SELECT rowid, {row_hash} AS h FROM store.{table})"
    )
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE delta_file AS SELECT pos, h, "
        f"row_number() OVER (PARTITION BY h) AS k FROM "
        f"(SELECT file_row_number AS pos, {row_hash} AS h "
        f"FROM read_parquet({src}, file_row_number = true))"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE delta_gone AS "
        "SELECT pos FROM delta_old ANTI JOIN delta_file USING (h, k)"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE delta_new AS "
        "SELECT pos FROM delta_file ANTI JOIN delta_old USING (h, k)"
    )
    old_rows = con.sql("SELECT count(*) FROM delta_old").fetchone()[0]
    deleted = con.sql("SELECT count(*) FROM delta_gone").fetchone()[0]
    added = con.sql("SELECT count(*) FROM delta_new").fetchone()[0]
    return _Delta(old_rows, deleted, added)


def _apply(con: duckdb.DuckDBPyConnection, table: str, src: str) -> None:
    """Delete the rows found gone, append the new ones in the file's order."""
    con.execute(f"DELETE FROM store.{table} WHERE rowid IN (SELECT pos FROM delta_gone)")
    con.execute(
        f"INSERT INTO store.{table} SELECT * EXCLUDE (file_row_number) "
        f"FROM read_parquet({src}, file_row_number = true) "
        "SEMI JOIN delta_new ON file_row_number = delta_new.pos ORDER BY file_row_number"
    )


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
