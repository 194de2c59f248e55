"""Atomic publishing of a whole set of tables.

A release is a folder `outputs/releases/<id>/` holding every `<table>.parquet` and
`archive.duckdb`. It is written under a temporary name, renamed into place, and then made
current by replacing one symlink (`outputs/current`) with a rename — the single atomic step. The
published paths `outputs/<table>.parquet` and `outputs/archive.duckdb` are stable symlinks
through `current`, so a reader sees the old set or the new one, never a mix or a half-written
file. An analyst's open DuckDB connection keeps reading its (old) file; nothing is overwritten
in place. A run killed at any point leaves the previous release current; the next run removes
the leftovers.

The release id is a hash of the Parquet bytes, so an unchanged input republishes nothing.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd

from pipeline.processes import process_alive, run_owner_pid
from pipeline.publish.current import current_release
from pipeline.publish.duckdb_db import build_database
from pipeline.publish.parquet import write_parquet

DB_NAME = "archive.duckdb"
KEEP_RELEASES = 2
# Tables written at once. Arrow's encoding and zstd, and reading the page texts back, release
# the GIL: at 10x the archive the tables took 9.7-10.1 s on two threads against 12.4-13.2 s
# one after another (document_pages, the texts, alone 5.8 s).
WRITER_THREADS = 2


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _replace_symlink(link: Path, target: str) -> None:
    """Point `link` at `target` atomically (new symlink, then rename over the old)."""
    tmp = link.with_name(f".{link.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    os.symlink(target, tmp)
    os.replace(tmp, link)


def _owner_alive(staging: Path) -> bool:
    """Is the process that is writing this staging folder still running?"""
    parts = staging.name.split("-")  # .staging-<pid>-<token>
    return len(parts) >= 3 and parts[1].isdigit() and process_alive(int(parts[1]))


def clean_leftovers(out_dir: Path, keep: Path | None = None) -> list[str]:
    """Remove half-written releases of dead runs and temp links left by a killed run; `keep`:
    the staging folder being published, whoever staged it."""
    removed = []
    releases = out_dir / "releases"
    kept = keep.name if keep is not None else None  # by name: either path may be relative
    if releases.is_dir():
        for child in releases.iterdir():
            if child.name.startswith(".") and child.name != kept and not _owner_alive(child):
                shutil.rmtree(child, ignore_errors=True)
                removed.append(child.name)
    for child in out_dir.glob(".*.tmp"):
        child.unlink(missing_ok=True)
        removed.append(child.name)
    return removed


def stage_release(tables: dict[str, pd.DataFrame], out_dir: Path) -> Path:
    """Write every table's Parquet file into a new staging folder beside the releases.

    Needs no lock (the folder is private to this run); `finish_release` switches it in.
    Splitting the two lets the caller drop the tables before the DuckDB file is built. The
    folder is named after the process that outlives the run's steps (`run_owner_pid`): under
    Dagster's multiprocess executor another step's process publishes it.
    """
    releases = out_dir / "releases"
    releases.mkdir(parents=True, exist_ok=True)
    staging = releases / f".staging-{run_owner_pid()}-{os.urandom(6).hex()}"
    staging.mkdir(mode=0o755)
    # the texts' table first: it takes as long as the others together
    order = sorted(tables, key=lambda table: (table != "document_pages", table))
    try:
        with ThreadPoolExecutor(WRITER_THREADS, thread_name_prefix="parquet") as pool:
            written = pool.map(
                lambda table: write_parquet(table, tables[table], staging / f"{table}.parquet"),
                order,
            )
            for _ in written:  # a failed write raises here
                pass
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return staging


def finish_release(
    staging: Path, out_dir: Path, body_words: Path | None = None, pages_version: str | None = None
) -> tuple[Path, bool]:
    """Hash the staged tables, build the DuckDB file if this content is new, rename the folder
    into place and switch `current` (call under the output lock). `body_words`: the words of
    page texts counted ahead by the code `pages_version` names, for the search index
    (body_words.py)."""
    releases = out_dir / "releases"
    tables = sorted(p.name.removesuffix(".parquet") for p in staging.glob("*.parquet"))
    clean_leftovers(out_dir, keep=staging)
    previous = current_release(out_dir)
    try:
        digest = hashlib.sha256()
        for table in tables:
            digest.update(table.encode() + b"\0" + (staging / f"{table}.parquet").read_bytes())
        release_id = digest.hexdigest()[:16]
        final = releases / release_id
        changed = not (final / DB_NAME).exists()
        if changed:
            # the current release's search index lends the term rows of unchanged documents
            build_database(
                staging / DB_NAME,
                staging,
                None if previous is None else previous / DB_NAME,
                body_words,
                pages_version,
            )
            for child in staging.iterdir():
                with child.open("rb") as fh:
                    os.fsync(fh.fileno())
            if final.exists():
                shutil.rmtree(final)
            os.rename(staging, final)
            _fsync_dir(releases)
        else:
            shutil.rmtree(staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    # The stable links go first, so that switching `current` is the one step that publishes,
    # on the first run too (links made after it would leave a window with some tables missing).
    for table in tables:
        _ensure_link(out_dir / f"{table}.parquet", f"current/{table}.parquet")
    _ensure_link(out_dir / DB_NAME, f"current/{DB_NAME}")
    _replace_symlink(out_dir / "current", f"releases/{release_id}")
    _fsync_dir(out_dir)
    keep = {release_id} | ({previous.name} if previous is not None else set())
    _prune(releases, keep)
    return final, changed


def _ensure_link(link: Path, target: str) -> None:
    if link.is_symlink() and os.readlink(link) == target:
        return
    _replace_symlink(link, target)


def _prune(releases: Path, keep: set[str]) -> None:
    """Keep the current release and the one before it (a reader may still have it open).

    The one before is the release that was current, not the newest other folder: after
    A → B → A (the input went back, the existing A is made current again), publishing C must
    keep A, which readers were using, rather than B.
    """
    others = sorted(
        (
            p
            for p in releases.iterdir()
            if p.is_dir() and p.name not in keep and not p.name.startswith(".")
        ),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for old in others[max(KEEP_RELEASES - len(keep), 0) :]:
        shutil.rmtree(old, ignore_errors=True)
