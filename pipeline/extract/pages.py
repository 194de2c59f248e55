"""Stage 1: every file in the raw folder → page-level tables (raw_pages, listings, entries,
detail pages) and a quarantine row for every page that could not be used.

Pages stream one at a time (memory stays flat); results are cached by content so a rerun
parses only what is new. Nothing here knows about Dagster.
"""

from __future__ import annotations

import functools
import hashlib
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.clock import now_iso
from pipeline.extract.cache import PageCache
from pipeline.extract.classify import parse_blocks, parse_text
from pipeline.extract.fingerprint import stat_lines_at
from pipeline.extract.page_rows import page_rows, qrow
from pipeline.extract.readahead import Readahead
from pipeline.extract.records import PageResult
from pipeline.extract.row_types import DetailRow
from pipeline.extract.rows_memo import MemoEntry, PageRows, RowsMemo, add_to_memo
from pipeline.extract.snapshot import (
    SIDECAR_SUFFIX,
    Snapshot,
    raw_rel_paths,
    read_sidecar,
    read_snapshot,
)
from pipeline.extract.text_spool import TextSpool, spool_folder, sweep_stale
from pipeline.extract.workers import in_workers
from pipeline.packed_text import PackedText

Progress = Callable[[str, int, int], None]
# A file still to read: (path, rel path, lstat taken before reading, stat lines)
Todo = tuple[Path, str, os.stat_result | None, list[str]]


@dataclass
class FilesPart:
    """What one pass over files gives back (a forked worker returns it to its parent)."""

    pages: list[tuple[str, str | None, PageRows]]  # rel, result key if memo-able, rows
    parsed_now: int
    reused: int
    stats: dict[str, list]  # file stats learnt
    learnt: tuple[int, list[str]]  # results written, keys of every result used
    memo_written: int = 0  # rows memo entries written
    spool_files: list[str] = field(default_factory=list)  # where its rows' texts were written


@dataclass
class Extraction:
    """Row lists for the page-level tables (plain dicts; DataFrames are built by the caller)."""

    raw_pages: list[dict] = field(default_factory=list)
    listings: list[dict] = field(default_factory=list)
    entries: list[dict] = field(default_factory=list)
    details: list[dict] = field(default_factory=list)
    quarantine: list[dict] = field(default_factory=list)
    parsed_now: int = 0
    reused: int = 0
    stat_lines: list[str] = field(default_factory=list)  # taken before reading (fingerprint.py)
    started_at: str = field(default_factory=now_iso)
    # files holding the texts of spooled detail rows (text_spool.py): removed once written
    spool_files: list[str] = field(default_factory=list)


def parse_snapshot_text(text: str, fmt: str, url: str | None) -> PageResult:
    """Text or HTML → PageResult (HTML is rendered to the same blocks as a text save)."""
    if fmt != "html":
        return parse_text(text, url)
    from pipeline.extract.html import html_to_blocks

    page = html_to_blocks(text)
    result = parse_blocks(page.blocks, url or page.url)
    result.url = page.url
    if page.is_truncated:
        if result.listing is not None:
            result.listing.is_truncated = True
            if result.listing.entries:
                result.listing.entries[-1].is_truncated = True
        if result.detail is not None:
            result.detail.is_truncated = True
    if result.detail is not None and page.node_id:
        result.detail.node_id = page.node_id
    return result


def bucket_of(rel: str, buckets: int) -> int:
    """Stable hash bucket of a raw file path: the unit of parallel extraction."""
    if buckets <= 1:
        return 0
    return int(hashlib.sha1(rel.encode("utf-8")).hexdigest()[:8], 16) % buckets


def bucket_paths(raw_dir: Path, buckets: int) -> list[list[str]]:
    """Every candidate snapshot's path (`raw_rel_paths`, sorted) in its hash bucket's list: one
    walk of the raw folder for all buckets (at 10x the archive a walk and the buckets' hashes
    took 1.5 s, and each of the four buckets made its own)."""
    split: list[list[str]] = [[] for _ in range(max(buckets, 1))]
    for rel in raw_rel_paths(raw_dir):
        split[bucket_of(rel, buckets)].append(rel)
    return split


def extract_bucket(
    raw_dir: Path,
    cache_dir: Path | None = None,
    progress: Progress | None = None,
    bucket: int = 0,
    buckets: int = 1,
    processes: int = 1,
    rels: list[str] | None = None,
) -> Extraction:
    """Read, classify and parse the snapshots of one hash bucket of raw_dir (`rels`: its paths
    from `bucket_paths`, when the caller has listed the folder already).

    Buckets are independent (own caches), so they can run in separate processes or machines;
    `merge_extractions` joins them. An unchanged page's rows come from the rows memo; the other
    files are read (in `processes` forked workers, each taking every n-th file, when > 1).
    With a cache folder, the texts of pages read now go to a spool file (text_spool.py): the
    caller removes `spool_files` once it has written them.
    """
    raw_dir = Path(raw_dir)
    name = f"{bucket}-of-{buckets}"
    cache, memo = PageCache(cache_dir, bucket_name=name), RowsMemo(cache_dir, name)
    spool = None
    if cache_dir is not None:
        spool = TextSpool(spool_folder(cache_dir))
        sweep_stale(spool.folder)
    out = Extraction()
    if rels is None:
        rels = bucket_paths(raw_dir, buckets)[bucket]
    rows, todo = _from_memo(raw_dir, rels, memo, cache, spool, out)
    live = set(rows)  # pages whose rows the memo holds after this run
    out.reused = len(live)
    if processes > 1 and len(todo) >= 4 * processes:
        if spool is not None:
            spool.flush()  # a child must not inherit (and write again) texts buffered here
        task = functools.partial(_worker_task, raw_dir, cache, memo.folder, spool)
        parts = in_workers(task, todo, processes)
        if parts is None:  # a worker died: read the files here, so the run still completes
            parts = [_extract_files(raw_dir, cache, memo.folder, spool, todo)]
        for part in parts:
            cache.merge_stats(part.stats)
            cache.merge_learnt(*part.learnt)
        if progress:
            progress("extract", len(todo), len(todo))
    else:
        parts = [_extract_files(raw_dir, cache, memo.folder, spool, todo, progress)]
    written = 0
    for part in parts:  # (a single part in this process learnt in place)
        out.spool_files += [f for f in part.spool_files if f not in out.spool_files]
        out.parsed_now += part.parsed_now
        out.reused += part.reused
        written += part.memo_written
        for rel, key, page in part.pages:
            rows[rel] = page
            if key is not None:
                live.add(rel)
    for rel in rels:  # the files' order, whichever way each page's rows came
        _absorb_page(out, rows[rel])
    cache.forget_missing(set(rels))
    cache.save()
    memo.finish(live, written)
    if spool is not None:
        out.spool_files += [f for f in spool.close() if f not in out.spool_files]
    return out


def _from_memo(
    raw_dir: Path,
    rels: list[str],
    memo: RowsMemo,
    cache: PageCache,
    spool: TextSpool | None,
    out: Extraction,
) -> tuple[dict[str, PageRows], list[Todo]]:
    """The rows of pages the memo holds unchanged (their texts moved to the spool), and the
    files still to read. Every file's stat lines go to `out` (taken before any reading: stat
    line, cache and key agree)."""
    base = str(raw_dir)
    rows: dict[str, PageRows] = {}
    todo: list[Todo] = []
    for rel in rels:
        st = _lstat(os.path.join(base, rel))
        lines = stat_lines_at(base, rel, st)
        out.stat_lines += lines
        hit = memo.get(rel, lines) if _regular(st) else None
        if hit is None:
            todo.append((raw_dir / rel, rel, st, lines))
        else:
            # in place: the memo's loaded entries are never written back (its batches are
            # re-read from disk to compact them), and a copy of 20,000 rows cost 0.4 s at 1x
            rows[rel] = _spooled_page(hit[2], spool, in_place=True)
            cache.keep(hit[1])
    return rows, todo


def _worker_task(
    raw_dir: Path, cache: PageCache, memo_dir: Path | None, spool: TextSpool | None, files: list
) -> FilesPart:
    """A forked worker's task (workers.py): its files read, then what its cache learnt dropped
    (it went back with the part), so a worker's memory does not grow from task to task."""
    part = _extract_files(raw_dir, cache, memo_dir, spool, files)
    cache.forget_handed_back()
    return part


def _absorb_page(out: Extraction, page: PageRows) -> None:
    raw_pages, listings, entries, details, quarantine = page
    out.raw_pages += raw_pages
    out.listings += listings
    out.entries += entries
    out.details += details
    out.quarantine += quarantine


def _extract_files(
    raw_dir: Path,
    cache: PageCache,
    memo_dir: Path | None,
    spool: TextSpool | None,
    todo: list[Todo],
    progress: Progress | None = None,
) -> FilesPart:
    """The per-file loop: cache lookup or read and parse, then the page's rows (added to the
    rows memo here, so forked workers write their batches in parallel). The rows handed back
    carry their texts spooled; the memo keeps them packed (a spool lives for one run)."""
    part = FilesPart([], 0, 0, {}, (0, []))
    memo: dict[str, MemoEntry] = {}
    ahead = Readahead([_to_read(cache, item) for item in todo])
    for n, (path, rel, st, lines) in enumerate(todo, 1):
        ahead.reached(n - 1)
        meta, sidecar_problem = read_sidecar(path)
        url = meta.get("url") if isinstance(meta.get("url"), str) else None
        fetched_at = str(meta["fetched_at"]) if meta.get("fetched_at") is not None else None
        result, sha, size = _cached(cache, st, rel, url)
        if result is None:
            result, sha, size, fresh = _read_and_parse(cache, raw_dir, path, rel, url, st)
            part.parsed_now += fresh
            part.reused += not fresh
        else:
            part.reused += 1
        page = Extraction(started_at="")
        page_rows(page, rel, sha, size, url, fetched_at, result)
        if sidecar_problem:
            page.quarantine.append(
                qrow(sha, rel, "extract", "sidecar", f"{rel}: {sidecar_problem}")
            )
        # memo-able when the stat cache vouches for the bytes read (not a transient problem)
        stable = _regular(st) and cache.known_sha(rel, st.st_size, st.st_mtime_ns) == sha
        rows = (page.raw_pages, page.listings, page.entries, page.details, page.quarantine)
        key = PageCache.key(sha, url) if stable else None
        if key is not None:
            memo[rel] = (tuple(lines), key, rows)
        part.pages.append((rel, key, _spooled_page(rows, spool)))
        if progress:
            progress("extract", n, len(todo))
    part.memo_written = add_to_memo(memo_dir, memo)
    part.spool_files = spool.flush() if spool is not None else []
    # What a forked worker learnt (file stats, results) goes back to the parent's cache.
    part.stats = {rel: cache.stats[rel] for _, rel, _, _ in todo if rel in cache.stats}
    part.learnt = cache.learnt()
    return part


def _spooled_page(rows: PageRows, spool: TextSpool | None, in_place: bool = False) -> PageRows:
    """The page's rows with its detail texts moved to the spool: copies of the detail rows
    when the rows memo is still to store them packed (a spool lives for one run)."""
    details = rows[3]
    if spool is None or not details:
        return rows
    spooled = []
    for row in details:
        if isinstance(row["body"], PackedText):
            row = row if in_place else DetailRow(row)
            row["body"] = spool.put(row["body"])
        spooled.append(row)
    return (*rows[:3], spooled, rows[4])


def _to_read(cache: PageCache, item: Todo) -> list[str]:
    """The files the loop will read for this page: its sidecar when it has one (always read), and
    the snapshot when the stat cache does not know it (a known one is rarely read again)."""
    path, rel, st, lines = item
    files = [str(path) + SIDECAR_SUFFIX] if len(lines) > 1 else []
    regular = st is not None and stat.S_ISREG(st.st_mode)  # a link or pipe: the read refuses it
    if regular and cache.known_sha(rel, st.st_size, st.st_mtime_ns) is None:
        files.append(str(path))
    return files


def _read_and_parse(
    cache: PageCache,
    raw_dir: Path,
    path: Path,
    rel: str,
    url: str | None,
    before: os.stat_result | None,
) -> tuple[PageResult, str, int, bool]:
    """Read the bytes; parse unless this content was parsed before (a touched file).

    The last value says whether the page was parsed (or found unreadable) now.

    Problems are kept without the file name (the result is cached by content, and another
    file may hold the same bytes); `page_rows` names the file.
    """
    # `before` was taken before reading: a file changed while being read is re-read next run
    snap = read_snapshot(raw_dir, path)
    if snap.problem:
        problem = snap.problem.removeprefix(f"{rel}: ")
        result = PageResult(kind="unknown", problem=problem, format=snap.format)
    else:
        cached = cache.get(snap.sha256, url)
        if cached is not None:
            return _remembered(cache, rel, before, snap, url, cached), snap.sha256, snap.size, False
        assert snap.text is not None
        result = parse_snapshot_text(snap.text, snap.format, url)
        result.format, result.encoding = snap.format, snap.encoding
    return _remembered(cache, rel, before, snap, url, result), snap.sha256, snap.size, True


def _remembered(
    cache: PageCache,
    rel: str,
    before: os.stat_result | None,
    snap: Snapshot,
    url: str | None,
    result: PageResult,
) -> PageResult:
    """Store the result by content and the file's stat → sha256, unless the problem may pass."""
    if not snap.transient:  # a permission or link problem may be fixed without a touch
        cache.put(snap.sha256, url, result)
        if before is not None:
            cache.remember_sha(rel, before.st_size, before.st_mtime_ns, snap.sha256)
    return result


def _cached(cache: PageCache, st: os.stat_result | None, rel: str, url: str | None):  # noqa: ANN202
    """(result, sha, size) from the caches when the file is unchanged, else (None, "", 0)."""
    if not _regular(st):
        return None, "", 0
    sha = cache.known_sha(rel, st.st_size, st.st_mtime_ns)
    if sha is None:
        return None, "", 0
    result = cache.get(sha, url)
    return (result, sha, st.st_size) if result is not None else (None, "", 0)


def _regular(st: os.stat_result | None) -> bool:
    """A file whose stat can vouch for its bytes (not missing, not a symlink)."""
    return st is not None and not stat.S_ISLNK(st.st_mode)


def _lstat(path: str) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except OSError:
        return None
