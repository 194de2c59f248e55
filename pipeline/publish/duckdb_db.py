"""The analyst's DuckDB file: every table, column comments, and a BM25 full-text search.

Data lives in schema `store` (real tables copied from the Parquet files of the same release),
with a view of the same name per table in `main`, so `SELECT * FROM documents` just works.
`search(q)` is a table macro over a BM25 index of title, summary, body and people. The fts
extension is loaded from the pinned `duckdb-extension-fts` package: nothing is downloaded.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from pipeline.publish.search_index import (
    SEARCH_OBJECTS,
    build_search_index,
    prior_index,
    sql_literal,
)
from pipeline.publish.table_delta import (
    LOADS_OBJECT,
    load_table,
    loads_summary,
    previous_loads,
    record_loads,
    updatable,
)
from schemas import TABLES

_FTS_PACKAGE = "duckdb_extension_fts"


def fts_extension_path() -> Path:
    """Path of the fts extension file shipped by the pinned wheel."""
    import importlib.util

    spec = importlib.util.find_spec(_FTS_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("duckdb-extension-fts is not installed; run `make install`")
    base = Path(next(iter(spec.submodule_search_locations)))
    found = sorted(base.glob(f"extensions/v{duckdb.__version__}/fts.duckdb_extension"))
    if not found:
        raise RuntimeError(f"no fts extension for duckdb {duckdb.__version__} under {base}")
    return found[0]


def load_fts(con: duckdb.DuckDBPyConnection) -> None:
    """LOAD the bundled fts extension (autoinstall/autoload stay off: offline by design)."""
    con.execute("SET autoinstall_known_extensions = false")
    con.execute("SET autoload_known_extensions = false")
    con.execute(f"LOAD '{fts_extension_path().as_posix()}'")


# DuckDB's own default is 80% of RAM. The build is the run's memory peak; capped, DuckDB spills
# to a temp folder beside the file instead (archive scale: ~750 -> ~580 MB, +0.3 s). A build
# that cannot fit is retried without the cap: the cap may cost time, never the run.
MEMORY_LIMIT = "320MB"


def build_database(
    db_path: Path,
    parquet_dir: Path,
    previous: Path | None = None,
    ahead: Path | None = None,
    pages_version: str | None = None,
) -> int:
    """Create `db_path` from the release's Parquet files (caller makes it atomic).

    `previous` is the current release's DuckDB file: the build updates a copy of it when it
    can (table_delta.py), else loads every table and copies the term rows of unchanged
    documents from it. Returns how many documents' term rows were reused so. `ahead`: a file
    of page texts' words counted ahead (body_words.py) by the code `pages_version` names; the
    index does not tokenize those again.
    """
    try:
        return _build(db_path, parquet_dir, previous, ahead, pages_version, MEMORY_LIMIT)
    except duckdb.OutOfMemoryException:
        _remove_file(db_path)
        return _build(db_path, parquet_dir, previous, ahead, pages_version, None)


def _remove_file(db_path: Path) -> None:
    for leftover in (db_path, db_path.with_name(db_path.name + ".wal")):
        leftover.unlink(missing_ok=True)


def _build(
    db_path: Path,
    parquet_dir: Path,
    previous: Path | None,
    ahead: Path | None,
    pages_version: str | None,
    memory_limit: str | None,
) -> int:
    spill = db_path.with_name(db_path.name + ".tmp")
    con = _open_copy(db_path, previous)
    in_place = con is not None
    con = con or duckdb.connect(str(db_path))
    try:
        load_fts(con)
        con.execute("SET enable_progress_bar = false")  # a build never draws on the terminal
        con.execute(f"SET temp_directory = {sql_literal(spill.as_posix())}")
        if memory_limit:
            con.execute(f"SET memory_limit = {sql_literal(memory_limit)}")
        before = previous_loads(con) if in_place else {}
        con.execute("CREATE SCHEMA IF NOT EXISTS store")
        loads = {}
        for table, (model, _) in TABLES.items():
            src = sql_literal((parquet_dir / f"{table}.parquet").as_posix())
            loads[table] = load_table(con, table, src, before.get(table))
            con.execute(f"CREATE OR REPLACE VIEW main.{table} AS SELECT * FROM store.{table}")
            description = (model.__doc__ or "").strip().splitlines()[0]
            con.execute(f"COMMENT ON TABLE store.{table} IS {sql_literal(description)}")
            con.execute(f"COMMENT ON VIEW main.{table} IS {sql_literal(description)}")
            for name, column in model.to_schema().columns.items():
                if column.description:
                    comment = sql_literal(column.description)
                    con.execute(f"COMMENT ON COLUMN store.{table}.{name} IS {comment}")
        record_loads(con, loads)
        reused = build_search_index(
            con, None if in_place else previous, ahead, pages_version, in_place
        )
        con.execute("CHECKPOINT")
        return reused
    finally:
        con.close()
        shutil.rmtree(spill, ignore_errors=True)


def _open_copy(db_path: Path, previous: Path | None) -> duckdb.DuckDBPyConnection | None:
    """A connection to `db_path` made a copy of `previous` when that file can be updated in
    place (table_delta.py); else None, and no file is left at `db_path`."""
    if previous is None or not previous.is_file():
        return None
    try:
        shutil.copyfile(previous, db_path)
        con = duckdb.connect(str(db_path))
    except (OSError, duckdb.Error):
        _remove_file(db_path)
        return None
    if updatable(con, TABLES, _objects()) and prior_index(con, "store") is not None:
        return con
    con.close()
    _remove_file(db_path)
    return None


def _objects() -> set[tuple[str, str]]:
    """(schema, name) of every table and view a build leaves in the file."""
    return (
        {("store", table) for table in TABLES}
        | {("main", table) for table in TABLES}
        | {("store", name) for name in SEARCH_OBJECTS}
        | {LOADS_OBJECT}
    )


def build_summary(db_path: Path) -> dict[str, int]:
    """How the file's build went (table_delta.loads_summary): tables updated in place or loaded
    whole, rows appended and deleted. Empty when the file cannot be opened (an analyst holding
    it open for writing): the run has published already, and this is only its metadata."""
    try:
        con = duckdb.connect(str(db_path), read_only=True)
    except duckdb.Error:
        return {}
    try:
        return loads_summary(con)
    finally:
        con.close()


def connect_readonly(db_path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection with fts loaded, ready for `search(q)`."""
    con = duckdb.connect(str(db_path), read_only=True)
    load_fts(con)
    return con
