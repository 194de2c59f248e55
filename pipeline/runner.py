"""The pipeline's stages as plain functions, and `run_pipeline` chaining them without Dagster.

Dagster assets (pipeline/assets/) call exactly these functions; `run_pipeline` is for tests,
benchmarks and anyone who wants the tables in a Python session.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import json
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from pipeline.atomic_files import atomic_write_bytes
from pipeline.clock import now_iso
from pipeline.dedup.memo_file import load_memos, save_memos
from pipeline.dedup.resolve import Resolution, resolve
from pipeline.dedup.unit_store import UnitStore
from pipeline.extract.fingerprint import (
    WORDS_CODE,
    code_fingerprint,
    fingerprint_of,
    paths_digest,
    snapshot_paths,
)
from pipeline.extract.merge import merge_extractions
from pipeline.extract.pages import Extraction, Progress, bucket_paths, extract_bucket
from pipeline.extract.text_spool import remove_spool
from pipeline.gc_tuning import collections_paused
from pipeline.packed_text import PACKED_COLUMNS, unpacked
from pipeline.publish.body_words import BodyWordsInBackground, wait_for_count
from pipeline.publish.current import current_release
from pipeline.publish.duckdb_db import build_summary
from pipeline.publish.release import DB_NAME, finish_release, stage_release
from pipeline.runs import (
    OutputLocked,
    RunRecord,
    append_run,
    code_version,
    new_run_id,
    output_lock,
)
from pipeline.tables import assemble
from pipeline.up_to_date import cache_dir_for, last_release_file
from pipeline.validate import TableReport, validate_all

if TYPE_CHECKING:
    from pipeline.publish.dataset import DatasetReport


class RawDirMissing(FileNotFoundError):
    """The raw folder does not exist."""


class NoRelease(FileNotFoundError):
    """The output folder holds no published release (yet)."""


def _existing(raw_dir: Path) -> Path:
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise RawDirMissing(f"raw folder {raw_dir} does not exist (give --raw DIR)")
    return raw_dir


def stage_list_raw(raw_dir: Path, buckets: int) -> list[list[str]]:
    """The raw folder's snapshot paths by hash bucket, for `stage_extract_bucket`."""
    return bucket_paths(_existing(raw_dir), buckets)


def stage_extract_bucket(
    raw_dir: Path,
    out_dir: Path,
    bucket: int,
    buckets: int,
    progress: Progress | None = None,
    processes: int = 1,
    rels: list[str] | None = None,
) -> Extraction:
    """One hash bucket of the raw folder (the parallel unit); `rels`: its paths as
    `stage_list_raw` found them (else the folder is walked here)."""
    cache_dir = cache_dir_for(out_dir)
    raw_dir = _existing(raw_dir)
    return extract_bucket(raw_dir, cache_dir, progress, bucket, buckets, processes, rels)


def stage_extract(
    raw_dir: Path, out_dir: Path, progress: Progress | None = None, processes: int = 1
) -> Extraction:
    """The whole raw folder (in `processes` forked workers when > 1)."""
    return merge_extractions([stage_extract_bucket(raw_dir, out_dir, 0, 1, progress, processes)])


def body_words_file(out_dir: Path) -> Path:
    """Where the words of page texts are counted ahead for the search index (body_words.py)."""
    return cache_dir_for(out_dir) / "body_words.duckdb"


def words_version() -> str:
    """The code the words counted ahead were made by: the counting process is started with it
    and the search index reads the counts only under the same one (body_words.py)."""
    return code_fingerprint(*WORDS_CODE)


def dedup_memo_file(out_dir: Path) -> Path:
    """Dedup's normalisation answers, kept for the next run (dedup/memo_file.py)."""
    return cache_dir_for(out_dir) / "dedup_memos.pickle"


def dedup_units_folder(out_dir: Path) -> Path:
    """Each dedup unit's result, kept for the next run (dedup/unit_store.py)."""
    return cache_dir_for(out_dir) / "dedup_units"


def stage_resolve(extraction: Extraction, out_dir: Path | None = None) -> Resolution:
    """Dedup. With `out_dir`, another process meanwhile counts the words of page texts not
    counted before, for the search index that publishing builds (publish/body_words.py):
    dedup runs on one core, and this is the bulk of the index's work. The count may outlast
    dedup: it goes on beside validation, and `stage_publish` waits for it. Dedup starts from
    the answers the last run's normalisations gave (`dedup_memo_file`) and leaves its own, and
    reads back the units whose rows did not change (`dedup_units_folder`)."""
    ahead = None
    if out_dir is not None and extraction.details:
        pages = [(d["page_sha256"], d.get("body")) for d in extraction.details]
        target = body_words_file(Path(out_dir))
        ahead = BodyWordsInBackground(pages, target, words_version()).start()
    memo_path = dedup_memo_file(Path(out_dir)) if out_dir is not None else None
    memos = load_memos(memo_path) if memo_path is not None else None
    store = UnitStore(dedup_units_folder(Path(out_dir))) if out_dir is not None else None
    try:
        with collections_paused():
            resolution = resolve(
                extraction.entries, extraction.details, extraction.listings, memos, store
            )
    except BaseException:
        if ahead is not None:
            ahead.cancel()
        raise
    if ahead is not None:
        ahead.detach()
    if memo_path is not None and memos is not None:
        save_memos(memo_path, memos)
    if store is not None:
        store.finish()
    return resolution


def stage_tables(
    extraction: Extraction,
    resolution: Resolution,
    reports: dict[str, TableReport] | None = None,
    consume: bool = False,
) -> dict[str, pd.DataFrame]:
    """Assembled, validated tables; `reports` receives what validation found per table.

    `consume` empties the stages' row lists as the tables are built (see `assemble`).
    """
    return validate_all(assemble(extraction, resolution, consume), reports)


def release_free_memory() -> None:
    """Collect garbage; return freed heap pages (glibc) and Arrow's pooled buffers to the OS.

    Freed Python objects otherwise stay in the process's resident size, and the DuckDB build
    that follows would stack its own memory on top of it. Arrow's allocator keeps freed buffers
    for reuse unless asked to let them go (the Parquet writes already hand back theirs table by
    table; this catches any other conversion's).

    The youngest generation is collected first. Dagster keeps the tables step's outputs (the
    frames) in a reference cycle: an exception it catches while logging each output, whose
    traceback holds the frames that held them. That cycle is still young here, and collecting
    it alone lets the frames go without a walk over them; a full collection then walks only
    what stays alive. At 10x the archive: 0.64 + 0.16 s, against 1.47 s for a full collection
    that had to walk the frames' 850,000 tracked objects (lists, spooled texts) first.
    """
    import pyarrow as pa

    gc.collect(0)
    gc.collect()
    pa.default_memory_pool().release_unused()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def table_counts(tables: dict[str, pd.DataFrame]) -> dict[str, int]:
    """The figures a run record needs from the tables (so publishing need not hold them)."""
    raw = tables["raw_pages"]
    return {
        "pages_seen": len(raw),
        "pages_quarantined": int((raw["status"] == "quarantined").sum()),
        "rows_quarantined": int((tables["quarantine"]["stage"] == "validate").sum()),
        "documents": len(tables["documents"]),
    }


def stage_write_release(
    tables: dict[str, pd.DataFrame], out_dir: Path, spool_files: list[str] | None = None
) -> Path:
    """Stage the release's Parquet files (no lock needed; see publish/release.py), then remove
    the spool files that held the page texts (extract/text_spool.py): the files now hold them.

    A step that fails before this keeps the spool, so that Dagster can re-execute it."""
    staging = stage_release(tables, Path(out_dir))
    remove_spool(spool_files or [])
    return staging


def stage_publish(
    staging: Path,
    out_dir: Path,
    raw_dir: Path,
    stats: dict,
    started_at: str,
    lock_timeout: float = 600.0,
    stat_lines: list[str] | None = None,
) -> RunRecord:
    """Switch a staged release in under the output lock and append the run record.

    `stats` holds parsed_now/reused from extraction and the `table_counts` of the tables.
    """
    out_dir = Path(out_dir)
    release_free_memory()  # the tables are gone: give their memory back before DuckDB builds
    wait_for_count(body_words_file(out_dir))  # the words counted ahead, before the index reads
    try:
        with output_lock(out_dir, lock_timeout):
            return _switch_in(Path(staging), out_dir, raw_dir, stats, started_at, stat_lines)
    except OutputLocked:
        shutil.rmtree(staging, ignore_errors=True)  # never published: leave nothing behind
        raise


def _switch_in(
    staging: Path,
    out_dir: Path,
    raw_dir: Path,
    stats: dict,
    started_at: str,
    stat_lines: list[str] | None,
) -> RunRecord:
    """The part of publishing that holds the lock: release switch, run record, fingerprint."""
    ahead = body_words_file(out_dir)
    release, changed = finish_release(staging, out_dir, ahead, words_version())
    record = RunRecord(
        run_id=new_run_id(),
        started_at=started_at,
        finished_at=now_iso(),
        raw_dir=str(raw_dir),
        pages_seen=stats["pages_seen"],
        pages_parsed=stats.get("parsed_now", 0),
        pages_quarantined=stats["pages_quarantined"],
        pages_reused=stats.get("reused", 0),
        rows_quarantined=stats["rows_quarantined"],
        documents=stats["documents"],
        release_id=release.name,
        release_changed=changed,
        code_version=code_version(),
    )
    append_run(out_dir, record)
    if stat_lines is not None:
        payload = {
            "fingerprint": fingerprint_of(stat_lines),
            "paths": paths_digest(snapshot_paths(stat_lines)),
            "release_id": release.name,
        }
        atomic_write_bytes(last_release_file(out_dir), json.dumps(payload).encode())
    return record


def database_build_summary(out_dir: Path) -> dict[str, int]:
    """How the current release's DuckDB file was made (publish/table_delta.py), for metadata."""
    return build_summary(Path(out_dir) / DB_NAME)


def stage_export_dataset(out_dir: Path, dest: str) -> DatasetReport:
    """The current release as a partitioned Parquet dataset at `dest` (publish/dataset.py);
    nothing is written when that release is there already."""
    from pipeline.publish.dataset import export_dataset

    release = current_release(Path(out_dir))
    if release is None:
        raise NoRelease(f"no release in {out_dir} to export: run the pipeline first")
    return export_dataset(release, dest, cache_dir_for(Path(out_dir)))  # spills near the outputs


@dataclass
class RunResult:
    tables: dict[str, pd.DataFrame]
    record: RunRecord
    stage_seconds: dict[str, float] = field(default_factory=dict)


def run_pipeline(
    raw_dir: Path,
    out_dir: Path,
    quiet: bool = True,
    lock_timeout: float = 600.0,
    progress: Progress | None = None,
) -> RunResult:
    """raw folder → published release, stage by stage, timing each."""
    seconds: dict[str, float] = {}
    t0 = time.perf_counter()
    extraction = stage_extract(raw_dir, out_dir, None if quiet else progress)
    seconds["extract"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    resolution = stage_resolve(extraction, out_dir)
    seconds["dedup"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    stats = {"parsed_now": extraction.parsed_now, "reused": extraction.reused}
    tables = stage_tables(extraction, resolution, consume=True)
    seconds["validate"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    staging = stage_write_release(tables, out_dir)
    tables = unpack_texts(tables)  # for the caller, while the spool still holds them
    remove_spool(extraction.spool_files)
    record = stage_publish(
        staging,
        out_dir,
        raw_dir,
        {**stats, **table_counts(tables)},
        extraction.started_at,
        lock_timeout,
    )
    seconds["publish"] = time.perf_counter() - t0
    return RunResult(tables, record, seconds)


def unpack_texts(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The tables with packed texts as `str` again, for a caller who reads them in Python."""
    for table, columns in PACKED_COLUMNS.items():
        if table in tables:
            tables[table] = tables[table].assign(
                **{name: tables[table][name].map(unpacked) for name in columns}
            )
    return tables
