"""A key → value store kept as pickled batch files in one folder, for the extraction caches:
they grow by a few entries per run and are read whole at the start of the next.

A batch is a pickle of (version, {key: value or None}); a later batch overrides an earlier one
and None forgets a key. Writers only add batches: forked workers write theirs in parallel, and a
run that adds 1% of the entries writes 1% of the store. When dead records outnumber the live
ones (plus some slack), `finish` rewrites the live entries into one batch. A batch that fails to
load, or was written with another version, is ignored and deleted. Pickle because loading must
be fast and values hold dates; the folder is in the output's cache, which only the pipeline
writes.
"""

from __future__ import annotations

import os
import pickle
import time
from collections.abc import Collection
from pathlib import Path

from pipeline.atomic_files import atomic_writer

COMPACT_SLACK = 64  # dead records always tolerated before a rewrite


def write_batch(folder: Path | None, version: str, entries: dict[str, object]) -> int:
    """Add a batch (a unique, time-ordered name: batches of workers never collide); returns
    how many records it holds."""
    if folder is None or not entries:
        return 0
    name = f"{time.time_ns():020d}-{os.getpid()}.pickle"
    with atomic_writer(folder / name, durable=False) as fh:
        pickle.dump((version, entries), fh, protocol=pickle.HIGHEST_PROTOCOL)
    return len(entries)


def _read_batch(path: Path, version: str) -> dict | None:
    try:
        with path.open("rb") as fh:
            batch_version, entries = pickle.load(fh)
    except Exception:  # noqa: BLE001 - a damaged batch only costs recomputing its entries
        return None
    return entries if batch_version == version and isinstance(entries, dict) else None


def _apply(target: dict[str, object], batch: dict[str, object]) -> None:
    """A later batch over the entries so far: values override, None forgets."""
    for key, value in batch.items():
        if value is None:
            target.pop(key, None)
        else:
            target[key] = value


class BatchStore:
    """The live entries of one folder's batches (`stored`), and what `finish` needs to keep
    the folder from growing without bound."""

    def __init__(self, folder: Path | None, version: str) -> None:
        self.folder = folder
        self.version = version
        self.stored: dict[str, object] = {}
        self.records = 0  # entries and tombstones in the usable batches (dead ones included)
        self.unusable: list[Path] = []
        for path in self._batches():
            entries = _read_batch(path, version)
            if entries is None:
                self.unusable.append(path)
                continue
            self.records += len(entries)
            _apply(self.stored, entries)

    def _batches(self) -> list[Path]:
        if self.folder is None or not self.folder.is_dir():
            return []
        return sorted(self.folder.glob("*.pickle"))

    def finish(self, live: Collection[str], written: int) -> None:
        """After a run: `live` are the keys the run used, `written` the records it added in
        batches. Unusable batches are deleted; keys no longer used are forgotten, or all live
        entries are rewritten into one batch when dead records outnumber them."""
        if self.folder is None:
            return
        for path in self.unusable:
            path.unlink(missing_ok=True)
        gone = {key: None for key in self.stored if key not in live}
        dead = self.records + written + len(gone) - len(live)
        if dead > len(live) + COMPACT_SLACK:
            self._compact(live)
        else:
            write_batch(self.folder, self.version, gone)

    def _compact(self, live: Collection[str]) -> None:
        """Read every batch again (workers' batches of this run included), keep the live keys."""
        batches = self._batches()
        merged: dict[str, object] = {}
        for path in batches:
            _apply(merged, _read_batch(path, self.version) or {})
        write_batch(self.folder, self.version, {k: merged[k] for k in live if k in merged})
        for path in batches:
            path.unlink(missing_ok=True)
