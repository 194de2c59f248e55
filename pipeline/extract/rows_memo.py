"""Each page's finished rows, kept per extraction bucket, so a rerun takes an unchanged page's
rows as they were instead of rebuilding them.

The result cache (cache.py) spares the parsing; this spares the rest of a page's cost when its
snapshot and sidecar have the same (path, size, mtime) as in the last run: reading the sidecar,
decoding the cached result and building the rows. The rows depend on all of the pipeline's code
(dates, URL facts, ids), so entries are valid only for the code fingerprint they were written
with; after any code change they are ignored (the result cache still spares the parsing).

Layout: a folder per bucket holding batch files, each a pickle of (version, {rel: entry or
None}); a later batch overrides an earlier one and None forgets a page. Whoever built rows writes
a batch of them (forked workers write their own, in parallel), so a run that adds 1% of pages
writes 1% of the memo. When dead entries outnumber live ones, the parent rewrites the live
entries into one batch. Pickle because rows hold `datetime.date` values and loading must be fast;
the files live in the output folder's cache, which only the pipeline writes, and a batch that
fails to load for any reason is ignored.
"""

from __future__ import annotations

import os
import pickle
import time
from pathlib import Path

from pipeline.extract import records
from pipeline.extract.cache import CACHE_FORMAT, atomic_writer
from pipeline.extract.fingerprint import code_fingerprint

MEMO_FORMAT = "1"
_COMPACT_SLACK = 64  # dead entries always tolerated before a rewrite

# raw_pages, listings, entries, details, quarantine rows of one page
PageRows = tuple[list[dict], list[dict], list[dict], list[dict], list[dict]]
# (stat lines of snapshot and sidecar, result-cache key, rows)
MemoEntry = tuple[tuple[str, ...], str, PageRows]


def memo_version() -> str:
    """What the stored rows were built with (read at call time, so a patched version is seen)."""
    return f"{MEMO_FORMAT}\0{records.PARSER_VERSION}\0{CACHE_FORMAT}\0{code_fingerprint()}"


def write_batch(folder: Path | None, entries: dict[str, MemoEntry | None]) -> None:
    """Add a batch file (a unique, time-ordered name: batches from workers never collide)."""
    if folder is None or not entries:
        return
    name = f"{time.time_ns():020d}-{os.getpid()}.pickle"
    with atomic_writer(folder / name, durable=False) as fh:
        pickle.dump((memo_version(), entries), fh, protocol=pickle.HIGHEST_PROTOCOL)


class RowsMemo:
    """rel path → (stat lines, result key, rows) for the pages of one bucket."""

    def __init__(self, cache_dir: Path | None, bucket_name: str) -> None:
        self.folder = cache_dir / f"rows-{bucket_name}" if cache_dir is not None else None
        self.stored: dict[str, MemoEntry] = {}
        self.records = 0  # entries and tombstones in the batches read (dead ones included)
        self.unusable: list[Path] = []  # batches that did not load, or were written by other code
        self._load()

    def _load(self) -> None:
        if self.folder is None or not self.folder.is_dir():
            return
        version = memo_version()
        for path in sorted(self.folder.glob("*.pickle")):
            try:
                with path.open("rb") as fh:
                    batch_version, entries = pickle.load(fh)
            except Exception:  # noqa: BLE001 - a damaged batch only costs the slower path
                self.unusable.append(path)
                continue
            if batch_version != version or not isinstance(entries, dict):
                self.unusable.append(path)
                continue
            self.records += len(entries)
            for rel, entry in entries.items():
                if entry is None:
                    self.stored.pop(rel, None)
                else:
                    self.stored[rel] = entry

    def get(self, rel: str, stat_lines: list[str]) -> MemoEntry | None:
        """The stored entry when the page's snapshot and sidecar stats are unchanged."""
        entry = self.stored.get(rel)
        return entry if entry is not None and entry[0] == tuple(stat_lines) else None

    def finish(self, live: dict[str, MemoEntry], written: int) -> None:
        """After a run: `live` holds every memo-able page's current entry, `written` how many of
        them this run added in batches. Pages that went are forgotten, batches that could not be
        used are deleted, and the live entries are rewritten into one batch when dead entries
        outnumber them."""
        if self.folder is None:
            return
        for path in self.unusable:
            path.unlink(missing_ok=True)
        gone = {rel: None for rel in self.stored if rel not in live}
        dead = self.records + written + len(gone) - len(live)
        if dead > len(live) + _COMPACT_SLACK:
            old = list(self.folder.glob("*.pickle"))
            write_batch(self.folder, dict(live))
            for path in old:
                path.unlink(missing_ok=True)
        else:
            write_batch(self.folder, gone)
