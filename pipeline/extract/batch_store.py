"""A key → value store kept as pickled batch files in one folder, for the extraction caches:
they grow by a few entries per run and are read at the start of the next.

A batch is a pickle of (version, {key: value or None}); a later batch overrides an earlier one
and None forgets a key. Writers only add batches: forked workers write theirs in parallel, and a
run that adds 1% of the entries writes 1% of the store. When dead records outnumber the live
ones (plus some slack), `finish` rewrites the live entries into one batch. A batch that fails to
load, or was written with another version, is ignored and deleted. Pickle because loading must
be fast and values hold dates; the folder is in the output's cache, which only the pipeline
writes.

An *indexed* store (bytes values) keeps each batch's index before its values, and reads a value
only when asked: the result cache is asked for the pages a run has to read, a few in a rerun,
and loading it whole held 1 GB of results at 10x the archive for a run that read 2,200 pages.
"""

from __future__ import annotations

import os
import pickle
import struct
import time
from collections.abc import Collection, Iterable
from pathlib import Path
from typing import BinaryIO, cast

from pipeline.atomic_files import atomic_writer

COMPACT_SLACK = 64  # dead records always tolerated before a rewrite
# An indexed batch: the pickled index's size, the index (version, {key: (offset, size) | None}),
# then the values back to back (offsets count from the end of the index).
_INDEX_SIZE = struct.Struct("<Q")
# Where an indexed store's value is: (batch number, offset in the file, size)
Location = tuple[int, int, int]


def write_batch(
    folder: Path | None, version: str, entries: dict[str, object], indexed: bool = False
) -> int:
    """Add a batch (named by `_batch_name`); returns how many records it holds. `indexed`:
    the values are bytes, stored after their index."""
    if folder is None or not entries:
        return 0
    with atomic_writer(folder / _batch_name(), durable=False) as fh:
        if indexed:
            values = cast("dict[str, bytes | None]", entries)
            sizes = {k: None if v is None else len(v) for k, v in values.items()}
            _write_indexed(fh, version, sizes, (v for v in values.values() if v is not None))
        else:
            pickle.dump((version, entries), fh, protocol=pickle.HIGHEST_PROTOCOL)
    return len(entries)


def _batch_name() -> str:
    """Unique and time-ordered (later batches override earlier ones): the workers' never collide."""
    return f"{time.time_ns():020d}-{os.getpid()}.pickle"


def _write_indexed(
    fh: BinaryIO, version: str, sizes: dict[str, int | None], values: Iterable[bytes]
) -> None:
    """The index of `sizes` (None forgets a key), then `values`, in the order of their keys."""
    index: dict[str, tuple[int, int] | None] = {}
    offset = 0
    for key, size in sizes.items():
        index[key] = None if size is None else (offset, size)
        offset += size or 0
    head = pickle.dumps((version, index), protocol=pickle.HIGHEST_PROTOCOL)
    fh.write(_INDEX_SIZE.pack(len(head)))
    fh.write(head)
    for value in values:
        fh.write(value)


def _read_batch(path: Path, version: str) -> dict | None:
    try:
        with path.open("rb") as fh:
            batch_version, entries = pickle.load(fh)
    except Exception:  # noqa: BLE001 - a damaged batch only costs recomputing its entries
        return None
    return entries if batch_version == version and isinstance(entries, dict) else None


def _read_index(path: Path, version: str, number: int) -> dict | None:
    """An indexed batch's keys → Location (None: forgotten); its values stay on disk."""
    try:
        with path.open("rb") as fh:
            (size,) = _INDEX_SIZE.unpack(fh.read(_INDEX_SIZE.size))
            batch_version, index = pickle.loads(fh.read(size))  # cut short: unpickling fails
    except Exception:  # noqa: BLE001 - a damaged batch only costs recomputing its entries
        return None
    if batch_version != version or not isinstance(index, dict):
        return None
    base = _INDEX_SIZE.size + size
    return {k: None if at is None else (number, base + at[0], at[1]) for k, at in index.items()}


def _apply(target: dict[str, object], batch: dict[str, object]) -> None:
    """A later batch over the entries so far: values override, None forgets."""
    for key, value in batch.items():
        if value is None:
            target.pop(key, None)
        else:
            target[key] = value


class BatchStore:
    """The live entries of one folder's batches (`stored`), and what `finish` needs to keep
    the folder from growing without bound. Indexed, `stored` holds where each value is, and
    `read` fetches one."""

    def __init__(self, folder: Path | None, version: str, indexed: bool = False) -> None:
        self.folder = folder
        self.version = version
        self.indexed = indexed
        self.stored: dict[str, object] = {}
        self.records = 0  # entries and tombstones in the usable batches (dead ones included)
        self.unusable: list[Path] = []
        self._paths = self._batches()
        for number, path in enumerate(self._paths):
            entries = self._load(path, number)
            if entries is None:
                self.unusable.append(path)
                continue
            self.records += len(entries)
            _apply(self.stored, entries)

    def _batches(self) -> list[Path]:
        if self.folder is None or not self.folder.is_dir():
            return []
        return sorted(self.folder.glob("*.pickle"))

    def _load(self, path: Path, number: int) -> dict | None:
        if self.indexed:
            return _read_index(path, self.version, number)
        return _read_batch(path, self.version)

    def read(self, key: str) -> bytes | None:
        """An indexed store's value for `key`; None when absent or unreadable (cut short)."""
        where = self.stored.get(key)
        if where is None:
            return None
        return _read_at(self._paths, cast("Location", where))

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
            write_batch(self.folder, self.version, gone, self.indexed)

    def _compact(self, live: Collection[str]) -> None:
        """Read every batch again (workers' batches of this run included), keep the live keys."""
        assert self.folder is not None
        batches = self._batches()
        merged: dict[str, object] = {}
        for number, path in enumerate(batches):
            _apply(merged, self._load(path, number) or {})
        kept = {k: merged[k] for k in live if k in merged}
        if not self.indexed:
            write_batch(self.folder, self.version, kept)
        else:
            _copy_values(self.folder, self.version, batches, cast("dict[str, Location]", kept))
        for path in batches:
            path.unlink(missing_ok=True)


def _copy_values(
    folder: Path, version: str, batches: list[Path], kept: dict[str, Location]
) -> None:
    """One indexed batch of the `kept` values, copied one at a time (never all in memory); a
    value its file no longer holds whole is dropped (its page is parsed again)."""
    sizes = {path: _size(path) for path in batches}
    kept = {k: at for k, at in kept.items() if at[1] + at[2] <= sizes[batches[at[0]]]}
    if not kept:
        return
    with atomic_writer(folder / _batch_name(), durable=False) as fh:
        # a value that vanished since (it never should) keeps its size, as zeros: unpickling
        # them fails, which costs that page a parse, and the other offsets stay right
        values = (_read_at(batches, at) or bytes(at[2]) for at in kept.values())
        _write_indexed(fh, version, {k: at[2] for k, at in kept.items()}, values)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _read_at(paths: list[Path], where: Location) -> bytes | None:
    """The bytes at `where`; None when the file is gone or shorter than its index says."""
    number, offset, size = where
    try:
        fd = os.open(paths[number], os.O_RDONLY)
    except OSError:
        return None
    try:
        data = os.pread(fd, size, offset)
    except OSError:
        return None
    finally:
        os.close(fd)
    return data if len(data) == size else None
