"""Each page's finished rows, kept per extraction bucket, so a rerun takes an unchanged page's
rows as they were instead of rebuilding them.

The result cache (cache.py) spares the parsing; this spares the rest of a page's cost when its
snapshot and sidecar have the same (path, size, mtime) as in the last run: reading the sidecar,
decoding the cached result and building the rows. The rows depend on all of the pipeline's code
(dates, URL facts, ids), so entries are valid only for the code fingerprint they were written
with; after any code change they are ignored (the result cache still spares the parsing).
Stored as batch files in `rows-<bucket>/` (batch_store.py): whoever builds rows adds a batch.
"""

from __future__ import annotations

from pathlib import Path
from typing import cast

from pipeline.extract import records
from pipeline.extract.batch_store import BatchStore, write_batch
from pipeline.extract.cache import CACHE_FORMAT
from pipeline.extract.fingerprint import ROWS_CODE, code_fingerprint

MEMO_FORMAT = "2"  # 2: texts packed with LZ4 (packed_text.py)

# raw_pages, listings, entries, details, quarantine rows of one page
PageRows = tuple[list[dict], list[dict], list[dict], list[dict], list[dict]]
# (stat lines of snapshot and sidecar, result-cache key, rows)
MemoEntry = tuple[tuple[str, ...], str, PageRows]


def memo_version() -> str:
    """What the stored rows were built with (read at call time, so a patched version is seen)."""
    return (
        f"{MEMO_FORMAT}\0{records.PARSER_VERSION}\0{CACHE_FORMAT}\0{code_fingerprint(*ROWS_CODE)}"
    )


def memo_folder(cache_dir: Path | None, bucket_name: str) -> Path | None:
    return cache_dir / f"rows-{bucket_name}" if cache_dir is not None else None


def add_to_memo(folder: Path | None, entries: dict[str, MemoEntry]) -> int:
    """Add entries as one batch (forked workers call this for the pages they read)."""
    return write_batch(folder, memo_version(), entries)


class RowsMemo:
    """rel path → (stat lines, result key, rows) for the pages of one bucket."""

    def __init__(self, cache_dir: Path | None, bucket_name: str) -> None:
        self.folder = memo_folder(cache_dir, bucket_name)
        self._store = BatchStore(self.folder, memo_version())

    @property
    def stored(self) -> dict:
        return self._store.stored

    def get(self, rel: str, stat_lines: list[str]) -> MemoEntry | None:
        """The stored entry when the page's snapshot and sidecar stats are unchanged."""
        entry = cast("MemoEntry | None", self._store.stored.get(rel))
        return entry if entry is not None and entry[0] == tuple(stat_lines) else None

    def finish(self, live: set[str], written: int) -> None:
        """Forget pages that went or changed into transient problems (see BatchStore.finish)."""
        self._store.finish(live, written)
