"""The run record (`outputs/runs.parquet`) and the one-run-at-a-time lock.

Runs are appended, not part of a release: a release is content-addressed and identical for
identical input, while every run — even a no-op — is worth a line in the log.
"""

from __future__ import annotations

import os
import subprocess
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from filelock import FileLock, Timeout

from pipeline.atomic_files import atomic_write_bytes
from pipeline.extract.records import PARSER_VERSION

LOCK_NAME = ".pipeline.lock"


class OutputLocked(RuntimeError):
    """Another run holds the output folder."""


@contextmanager
def output_lock(out_dir: Path, timeout: float):
    """Hold the output folder's lock; wait up to `timeout` s, then stop with a clear message."""
    out_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(out_dir / LOCK_NAME), timeout=timeout)
    try:
        lock.acquire()
    except Timeout as exc:
        raise OutputLocked(
            f"another pipeline run is publishing to {out_dir} (lock {out_dir / LOCK_NAME}); "
            f"waited {timeout:.0f}s. Wait for it to finish or raise --lock-timeout."
        ) from exc
    try:
        yield
    finally:
        lock.release()


def code_version() -> str:
    """Git commit of the code when available, plus the parser version."""
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            cwd=Path(__file__).parent,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        sha = ""
    return f"{sha or 'unknown'}+parser{PARSER_VERSION}"


@dataclass
class RunRecord:
    run_id: str
    started_at: str
    finished_at: str
    raw_dir: str
    pages_seen: int
    pages_parsed: int
    pages_quarantined: int
    pages_reused: int
    rows_quarantined: int
    documents: int
    release_id: str
    release_changed: bool
    code_version: str


RUNS_SCHEMA = pa.schema(
    [
        ("run_id", pa.string()),
        ("started_at", pa.string()),
        ("finished_at", pa.string()),
        ("raw_dir", pa.string()),
        ("pages_seen", pa.int64()),
        ("pages_parsed", pa.int64()),
        ("pages_quarantined", pa.int64()),
        ("pages_reused", pa.int64()),
        ("rows_quarantined", pa.int64()),
        ("documents", pa.int64()),
        ("release_id", pa.string()),
        ("release_changed", pa.bool_()),
        ("code_version", pa.string()),
    ]
)


def append_run(out_dir: Path, record: RunRecord) -> None:
    """Append one run to outputs/runs.parquet (atomic rewrite; call under the lock)."""
    path = out_dir / "runs.parquet"
    rows = []
    if path.exists():
        try:
            with pq.ParquetFile(path) as log:  # not read_table: its datasets import pandas
                rows = log.read().to_pylist()
        except (OSError, pa.ArrowInvalid):
            rows = []
    rows.append(asdict(record))
    table = pa.Table.from_pylist(rows, schema=RUNS_SCHEMA)
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd")
    atomic_write_bytes(path, sink.getvalue().to_pybytes())


def new_run_id() -> str:
    return f"{os.getpid()}-{os.urandom(4).hex()}"
