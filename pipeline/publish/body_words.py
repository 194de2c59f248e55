"""Word counts of the detail pages' full texts, counted on DuckDB's threads while dedup runs.

Tokenizing the bodies is most of the search index's cost (about 3 s at archive scale, on both
cores), and the tokens of a body depend on its text alone, so they can be counted before the
documents exist. Dedup is single-threaded Python: a forked process counts on the core it
leaves idle.

The file (outputs/.cache/body_words.duckdb) holds `bodies(body_md5, body_no)` and
`body_words(body_no, w, n)`, counted with the search index's own tokenizer (search_index.py),
and lives from run to run: a rerun counts only texts it has not seen. The index joins it to the
published pages by the md5 of their body, so a page whose text is not in the file, or a missing
file, is tokenized there as before: the index is the same either way.
"""

from __future__ import annotations

import multiprocessing
import shutil
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

import duckdb
import pyarrow as pa

from pipeline.packed_text import PackedText
from pipeline.publish.search_index import index_version, sql_literal, word_count_sql

BATCH_BYTES = 16_000_000  # text handed to DuckDB at a time: bounds the copies held
MEMORY_LIMIT = "200MB"  # DuckDB's share while dedup holds the rows; it spills beyond
_TABLES = {
    "bodies": "(body_md5 VARCHAR, body_no INTEGER)",
    "body_words": "(body_no INTEGER, w VARCHAR, n BIGINT)",
    "pages": "(page_sha256 VARCHAR, body_no INTEGER)",
}


def count_body_words(
    pages: Iterable[tuple[str, object]], db_path: Path, pages_version: str = ""
) -> int:
    """Bring the file at `db_path` up to date with `pages`, (page sha256, body: str or packed
    text) pairs: count the words of each distinct body it does not hold yet, and drop what no
    page given has any more. Returns how many distinct bodies it holds.

    The file lives from run to run. Its page -> body links spare a rerun inflating and hashing
    the text of pages it has seen; they hold only under the same `pages_version` (the code
    that makes a body of a page), and a file with another starts its links afresh (its counts
    per body md5 stay valid).
    """
    spill = db_path.with_name(db_path.name + ".tmp")
    con = _open(db_path, pages_version)
    try:
        con.execute("SET enable_progress_bar = false")
        con.execute(f"SET temp_directory = {sql_literal(spill.as_posix())}")
        con.execute(f"SET memory_limit = {sql_literal(MEMORY_LIMIT)}")
        given = dict(pages)
        con.register("given", pa.table({"page_sha256": pa.array(list(given), pa.string())}))
        con.execute("CREATE TEMP TABLE given_pages AS SELECT * FROM given")
        con.unregister("given")
        unseen = con.sql("SELECT page_sha256 FROM given_pages ANTI JOIN pages USING (page_sha256)")
        todo = [(sha, given[sha]) for (sha,) in unseen.fetchall()]
        parts = int(con.sql("SELECT current_setting('threads')").fetchone()[0])
        for batch in _batches(todo, BATCH_BYTES):
            _count_batch(con, batch, parts)
        con.execute("DELETE FROM pages WHERE page_sha256 NOT IN (SELECT * FROM given_pages)")
        con.execute("DELETE FROM bodies WHERE body_no NOT IN (SELECT body_no FROM pages)")
        con.execute("DELETE FROM body_words WHERE body_no NOT IN (SELECT body_no FROM bodies)")
        con.execute("CHECKPOINT")
        return con.sql("SELECT count(*) FROM bodies").fetchone()[0]
    finally:
        con.close()
        shutil.rmtree(spill, ignore_errors=True)


def _count_batch(
    con: duckdb.DuckDBPyConnection, batch: list[tuple[str, str | bytes]], parts: int
) -> None:
    """Count the words of a batch's bodies not held yet; link every page of it to its body."""
    shas, texts = zip(*batch, strict=True)
    con.register(
        "batch",
        pa.table(
            {"page_sha256": pa.array(shas, pa.string()), "text": pa.array(texts, pa.string())}
        ),
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE batch_pages AS "
        "SELECT page_sha256, md5(text) AS body_md5, text FROM batch"
    )
    con.unregister("batch")
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE fresh AS
        SELECT body_no, body_no % {parts} AS part, body_md5, text FROM (
            SELECT (SELECT coalesce(max(body_no), 0) FROM bodies)
                       + row_number() OVER (ORDER BY body_md5) AS body_no,
                   body_md5, text
            FROM (SELECT DISTINCT ON (body_md5) body_md5, text FROM batch_pages)
            ANTI JOIN bodies USING (body_md5)
        )
        """
    )
    last = con.sql("SELECT count(*) - 1 FROM fresh").fetchone()[0]
    con.execute(f"INSERT INTO body_words {word_count_sql('temp.fresh', 'body_no', parts, 0, last)}")
    con.execute("INSERT INTO bodies SELECT body_md5, body_no FROM fresh")
    con.execute(
        "INSERT INTO pages SELECT page_sha256, body_no "
        "FROM batch_pages JOIN bodies USING (body_md5)"
    )


def _open(db_path: Path, pages_version: str) -> duckdb.DuckDBPyConnection:
    """The file, ready to add to; one that is unreadable, or of another index version, starts
    afresh. Held by another run (counting at the same time): raises, that run keeps it."""
    try:
        con = duckdb.connect(str(db_path))
    except duckdb.Error as exc:
        if "lock" in str(exc).lower():
            raise
        for broken in (db_path, db_path.with_name(db_path.name + ".wal")):
            broken.unlink(missing_ok=True)
        con = duckdb.connect(str(db_path))
    names = {row[0] for row in con.sql("SELECT table_name FROM duckdb_tables()").fetchall()}
    version = con.sql("SELECT * FROM version").fetchall() if "version" in names else []
    same_index = (
        names == {*_TABLES, "version"}
        and len(version) == 1
        and version[0][:1] == (index_version(),)
        and len(version[0]) == 2
    )
    if not same_index:
        for name in names:
            con.execute(f"DROP TABLE {name}")
        for name, columns in _TABLES.items():
            con.execute(f"CREATE TABLE {name} {columns}")
    if not same_index or version[0][1] != pages_version:
        con.execute("DELETE FROM pages")
        con.execute(
            "CREATE OR REPLACE TABLE version (index_version VARCHAR, pages_version VARCHAR)"
        )
        con.execute("INSERT INTO version VALUES ($1, $2)", [index_version(), pages_version])
    return con


def _batches(
    pages: Iterable[tuple[str, object]], batch_bytes: int
) -> Iterator[list[tuple[str, str | bytes]]]:
    """(page sha256, text) in lists of about `batch_bytes` of text, pages without a body
    skipped: a packed body as its UTF-8 bytes, which Arrow takes for text as they are."""
    batch: list[tuple[str, str | bytes]] = []
    size = 0
    for sha, body in pages:
        if isinstance(body, PackedText):
            text: str | bytes = body.utf8()
        elif isinstance(body, str):
            text = body
        else:
            continue
        batch.append((sha, text))
        size += len(text)
        if size >= batch_bytes:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


class BodyWordsInBackground:
    """`count_body_words` in a forked process: `start()`, do other work, then `finish()`.

    A process, not a thread: handing the texts to DuckDB takes Python work, and a thread
    competing with dedup for the GIL made both slower (dedup 4.2 -> 6.1 s, the count 3.2 ->
    8.3 s at archive scale). The child inherits the bodies (fork: nothing is pickled).
    Never fails the run: an error is reported on stderr, and the index then tokenizes the
    bodies the file lacks itself (the file only ever holds words of the text they were counted
    from, keyed by its md5, so whatever it holds is right).
    """

    def __init__(
        self, pages: list[tuple[str, object]], db_path: Path, pages_version: str = ""
    ) -> None:
        self.db_path = db_path
        self._process = multiprocessing.get_context("fork").Process(
            target=_count_in_child,
            args=(pages, db_path, pages_version),
            name="body-words",
            daemon=True,
        )

    def start(self) -> BodyWordsInBackground:
        self._process.start()
        return self

    def finish(self) -> Path | None:
        """Wait for the count; the file, or None when it failed (reported on stderr)."""
        self._process.join()
        if self._process.exitcode == 0 and self.db_path.is_file():
            return self.db_path
        print(
            f"warning: counting the page texts' words ahead failed (exit code "
            f"{self._process.exitcode}); the search index counts them itself",
            file=sys.stderr,
        )
        return None


def _count_in_child(pages: list[tuple[str, object]], db_path: Path, pages_version: str) -> None:
    try:
        count_body_words(pages, db_path, pages_version)
    except Exception as exc:  # reported here, where the cause is known; the parent goes on
        print(f"error: counting words into {db_path}: {exc}", file=sys.stderr)
        sys.exit(1)
