"""Word counts of the detail pages' full texts, counted in another process while dedup runs.

Tokenizing the bodies is most of the search index's cost (about 3 s at archive scale, on both
cores), and the tokens of a body depend on its text alone, so they can be counted before the
documents exist. Dedup is single-threaded Python: another process counts on the core it leaves
idle.

The file (outputs/.cache/body_words.duckdb) holds `bodies(body_md5, body_no)` and
`body_words(body_no, w, n)`, counted with the search index's own tokenizer (search_index.py),
and lives from run to run: a rerun counts only texts it has not seen. The index joins it to the
published pages by the md5 of their body, so a page whose text is not in the file, or a missing
file, is tokenized there as before: the index is the same either way.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import duckdb
import pyarrow as pa

from pipeline.packed_text import PackedText, packed_of, utf8_of
from pipeline.processes import process_alive
from pipeline.publish.search_index import (
    AHEAD_TABLES,
    index_version,
    sql_literal,
    word_count_sql,
)

BATCH_BYTES = 2_000_000  # text handed to DuckDB at a time (16 MB: the child peaked 150 MB higher)
MEMORY_LIMIT = "100MB"  # DuckDB's share while dedup holds the rows; it spills beyond
# One thread: the core dedup leaves idle. Two raced dedup for the other core and made the
# stage longer (1x: 7.1 s; dedup alone 4.5 s, this count alone 5.1 s on one).
THREADS = 1
_TABLES = {**AHEAD_TABLES, "pages": "(page_sha256 VARCHAR, body_no INTEGER)"}


def count_body_words(
    pages: Iterable[tuple[str, object]], db_path: Path, pages_version: str = ""
) -> int:
    """Bring the file at `db_path` up to date with `pages`, (page sha256, body: str or packed
    text, or None) pairs: count the words of each distinct body it does not hold yet, and drop
    what no page given has any more. Returns how many distinct bodies it holds.

    The file lives from run to run. Its page -> body links spare a rerun inflating and hashing
    the text of pages it has seen; they hold only under the same `pages_version` (the code
    that makes a body of a page), and a file with another starts its links afresh (its counts
    per body md5 stay valid).
    """
    spill = db_path.with_name(db_path.name + ".tmp")
    con = _open(db_path, pages_version)
    try:
        con.execute(f"SET threads = {THREADS}")
        con.execute("SET enable_progress_bar = false")
        con.execute(f"SET temp_directory = {sql_literal(spill.as_posix())}")
        con.execute(f"SET memory_limit = {sql_literal(MEMORY_LIMIT)}")
        given: list[str] = []
        for batch in _batches(pages, BATCH_BYTES, given):
            _count_batch(con, batch)
        con.register("given", pa.table({"page_sha256": pa.array(given, pa.string())}))
        con.execute("DELETE FROM pages WHERE page_sha256 NOT IN (SELECT * FROM given)")
        con.unregister("given")
        con.execute("DELETE FROM bodies WHERE body_no NOT IN (SELECT body_no FROM pages)")
        con.execute("DELETE FROM body_words WHERE body_no NOT IN (SELECT body_no FROM bodies)")
        con.execute("CHECKPOINT")
        return con.sql("SELECT count(*) FROM bodies").fetchone()[0]
    finally:
        con.close()
        shutil.rmtree(spill, ignore_errors=True)


def _count_batch(con: duckdb.DuckDBPyConnection, batch: list[tuple[str, str | bytes]]) -> None:
    """Count the words of a batch's bodies not held yet; link its pages not linked yet."""
    shas, texts = zip(*batch, strict=True)
    con.register(
        "batch",
        pa.table(
            {"page_sha256": pa.array(shas, pa.string()), "text": pa.array(texts, pa.string())}
        ),
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE batch_pages AS "
        "SELECT DISTINCT ON (page_sha256) page_sha256, md5(text) AS body_md5, text "
        "FROM batch ANTI JOIN pages USING (page_sha256)"
    )
    con.unregister("batch")
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE fresh AS
        SELECT body_no, body_no % {THREADS} AS part, body_md5, text FROM (
            SELECT (SELECT coalesce(max(body_no), 0) FROM bodies)
                       + row_number() OVER (ORDER BY body_md5) AS body_no,
                   body_md5, text
            FROM (SELECT DISTINCT ON (body_md5) body_md5, text FROM batch_pages)
            ANTI JOIN bodies USING (body_md5)
        )
        """
    )
    last = con.sql("SELECT count(*) - 1 FROM fresh").fetchone()[0]
    con.execute(
        f"INSERT INTO body_words {word_count_sql('temp.fresh', 'body_no', THREADS, 0, last)}"
    )
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
    pages: Iterable[tuple[str, object]], batch_bytes: int, given: list[str]
) -> Iterator[list[tuple[str, str | bytes]]]:
    """(page sha256, text) in lists of about `batch_bytes` of text, pages without a body
    skipped: a packed body as its UTF-8 bytes, which Arrow takes for text as they are. Every
    page's sha256 is added to `given`."""
    batch: list[tuple[str, str | bytes]] = []
    size = 0
    for sha, body in pages:
        given.append(sha)
        text = utf8_of(body)
        if not isinstance(text, str | bytes):
            continue
        batch.append((sha, text))
        size += len(text)
        if size >= batch_bytes:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def known_pages(db_path: Path, pages_version: str) -> set[str]:
    """The pages whose body the file already links under `pages_version` (empty when it cannot
    be read: a missing file, another version, or another run writing it)."""
    if not db_path.is_file():
        return set()
    try:
        con = duckdb.connect(str(db_path), read_only=True)
    except duckdb.Error:
        return set()
    try:
        if con.sql("SELECT * FROM version").fetchall() != [(index_version(), pages_version)]:
            return set()
        return {sha for (sha,) in con.sql("SELECT page_sha256 FROM pages").fetchall()}
    except duckdb.Error:
        return set()
    finally:
        con.close()


_TODO_SCHEMA = pa.schema([("page_sha256", pa.string()), ("body", pa.binary())])
TODO_ROWS = 2_048  # pages per record batch of the todo file (about 2 MB packed)


def write_todo(path: Path, pages: list[tuple[str, object]], known: set[str]) -> None:
    """Every page's sha256, with its body packed (PackedText bytes) unless the file already
    links it: an Arrow IPC file the counting process reads, a record batch at a time."""
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, _TODO_SCHEMA) as writer:
        for start in range(0, len(pages), TODO_ROWS):
            chunk = pages[start : start + TODO_ROWS]
            bodies = [None if sha in known else packed_of(body) for sha, body in chunk]
            shas = [sha for sha, _ in chunk]
            writer.write_batch(pa.record_batch([shas, bodies], schema=_TODO_SCHEMA))


def count_from_todo(todo: Path, db_path: Path, pages_version: str) -> int:
    """`count_body_words` over a `write_todo` file, read a record batch at a time.

    Read, not memory-mapped: every page of a mapped file the count has touched stays in its
    resident set to the end (file-backed, but counted), so the process grew with the file
    (10x the archive: a 293 MB todo, 655 MB peak; read a batch at a time, 369 MB)."""
    with pa.OSFile(str(todo)) as source:
        reader = pa.ipc.open_file(source)

        def pages() -> Iterator[tuple[str, PackedText | None]]:
            for i in range(reader.num_record_batches):
                batch = reader.get_batch(i)
                shas, bodies = batch.column(0).to_pylist(), batch.column(1).to_pylist()
                for sha, body in zip(shas, bodies, strict=True):
                    yield sha, None if body is None else PackedText(body)

        return count_body_words(pages(), db_path, pages_version)


def counting_lock(db_path: Path) -> Path:
    """The file a counting process holds locked (flock) while it counts into `db_path`."""
    return db_path.with_name(f"{db_path.name}.counting")


# Counts left running by `detach`, by file: `wait_for_count` reaps them in this process.
_DETACHED: dict[Path, list[subprocess.Popen]] = {}


class BodyWordsInBackground:
    """`count_body_words` in another process: `start()`, do other work, then `finish()`, or
    `detach()` and let publishing wait for it (`wait_for_count`).

    Not a thread: handing the texts to DuckDB takes Python work, and a thread competing with
    dedup for the GIL made both slower (dedup 4.2 -> 6.1 s, the count 3.2 -> 8.3 s at archive
    scale). Not a fork: dedup writes to most of the pages the child would share, and each write
    copies a page (the run's peak went from 500 to 850 MB at archive scale). So the bodies the
    file does not link yet go to a file (`write_todo`, packed: 20 MB at archive scale) that a
    fresh `python -m pipeline.publish.body_words` reads.
    Never fails the run: an error is reported on stderr, and the index then tokenizes the
    bodies the file lacks itself (the file only ever holds words of the text they were counted
    from, keyed by its md5, so whatever it holds is right).
    """

    def __init__(
        self, pages: list[tuple[str, object]], db_path: Path, pages_version: str = ""
    ) -> None:
        self.db_path = db_path
        self.todo = db_path.with_name(f"{db_path.name}.todo-{os.getpid()}")
        self._pages = pages
        self._version = pages_version
        self._process: subprocess.Popen | None = None

    def start(self) -> BodyWordsInBackground:
        """Write the todo file and start the counting process. It inherits a lock on
        `counting_lock` taken here (so no waiter can miss it) and holds it until it exits."""
        try:
            self.db_path.parent.mkdir(parents=True, exist_ok=True)
            lock = os.open(counting_lock(self.db_path), os.O_RDWR | os.O_CREAT, 0o644)
            try:
                try:  # first: a count under way must keep its todo file, and its file
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    raise RuntimeError(f"another run is counting into {self.db_path}") from None
                _remove_stale_todos(self.db_path)
                write_todo(self.todo, self._pages, known_pages(self.db_path, self._version))
                command = [sys.executable, "-m", __name__, str(self.todo), str(self.db_path)]
                self._process = subprocess.Popen([*command, self._version], pass_fds=(lock,))
            finally:
                os.close(lock)  # the child's copy keeps the lock
        except Exception as exc:  # finish() reports it; the index counts the words itself
            print(f"error: could not start counting the page texts' words: {exc}", file=sys.stderr)
        self._pages = []
        return self

    def detach(self) -> None:
        """Leave the count running past this step: dedup no longer waits for it (at archive
        scale the count ended 0.8 s after dedup: 6.8 against 6.0 s), the validation that
        follows runs beside it, and publishing waits for it before reading the file."""
        if self._process is not None:
            _DETACHED.setdefault(self.db_path, []).append(self._process)

    def cancel(self) -> None:
        """Stop the count (the run failed or was interrupted); the file stays usable: DuckDB
        recovers it, or the next count starts it afresh."""
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait()
        self.todo.unlink(missing_ok=True)

    def finish(self) -> Path | None:
        """Wait for the count; the file, or None when it failed (reported on stderr)."""
        code = self._process.wait() if self._process is not None else None
        self.todo.unlink(missing_ok=True)
        if code == 0 and self.db_path.is_file():
            return self.db_path
        _warn_count_failed(code)
        return None


def _warn_count_failed(code: int | None) -> None:
    print(
        f"warning: counting the page texts' words ahead failed (exit code {code}); "
        "the search index counts them itself",
        file=sys.stderr,
    )


def wait_for_count(db_path: Path, timeout: float = 600.0) -> None:
    """Return once no process counts into `db_path`: a count this process detached is waited
    for (a failure reported as `finish` does); one started by another process (a Dagster step
    of its own) by taking its lock. Past `timeout` the build goes on: it cannot open a file
    being written, and counts the words itself."""
    for process in _DETACHED.pop(db_path, []):
        try:
            code = process.wait(timeout)
        except subprocess.TimeoutExpired:
            return
        if code != 0:
            _warn_count_failed(code)
    try:
        lock = os.open(counting_lock(db_path), os.O_RDONLY)
    except FileNotFoundError:
        return  # never counted here
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(lock, fcntl.LOCK_SH | fcntl.LOCK_NB)
                return  # free (closing the descriptor lets the lock go)
            except BlockingIOError:
                if time.monotonic() > deadline:
                    return
                time.sleep(0.02)
    finally:
        os.close(lock)


def _remove_stale_todos(db_path: Path) -> None:
    """Todo files of runs that died before removing theirs (named after their process id)."""
    for todo in db_path.parent.glob(f"{db_path.name}.todo-*"):
        pid = todo.name.rsplit("-", 1)[1]
        if pid.isdigit() and not process_alive(int(pid)):
            todo.unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    """python -m pipeline.publish.body_words TODO DB PAGES_VERSION (see BodyWordsInBackground)."""
    todo, db_path, pages_version = argv if argv is not None else sys.argv[1:]
    try:
        count_from_todo(Path(todo), Path(db_path), pages_version)
    except Exception as exc:  # reported here, where the cause is known; the parent goes on
        print(f"error: counting words into {db_path}: {exc}", file=sys.stderr)
        return 1
    finally:
        Path(todo).unlink(missing_ok=True)  # a detached count has no parent step to do it
    return 0


if __name__ == "__main__":
    sys.exit(main())
