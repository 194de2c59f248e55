"""Per-page parse cache in the output folder, so a rerun parses only new or changed snapshots.

Two layers:
- stat cache: (path, size, mtime_ns) → sha256, so unchanged files are not even re-read;
- result cache: the PageResult per (sha256, url, parser version), as JSON.
Both are plain files per extraction bucket, written atomically; a corrupt or missing entry only
costs a re-parse.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from pipeline.extract import records
from pipeline.extract.records import PageResult

# Bump when what a cache entry means changes (2: problems stored without the file name;
# 3: one results file per bucket instead of one file per page).
CACHE_FORMAT = "3"


def atomic_write_bytes(path: Path, data: bytes, durable: bool = True) -> None:
    """Write `data` to `path` atomically (see `atomic_writer`)."""
    with atomic_writer(path, durable) as fh:
        fh.write(data)


@contextmanager
def atomic_writer(path: Path, durable: bool = True) -> Iterator[BinaryIO]:
    """A file handle on a temp file beside `path`, fsynced (when `durable`) and renamed over it.

    Cache entries skip the fsync: a torn entry after a crash fails to load and is redone.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            if durable:
                os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class PageCache:
    """Parse results keyed by content, and file stats keyed by path, for one hash bucket.

    Each bucket keeps two files: `stats-<bucket>.json` and `results-<bucket>.jsonl` (one
    `key<TAB>json` line per page content). One file per bucket instead of one per page: a rerun
    opens two files instead of tens of thousands, and a cold run writes two instead of creating
    one per page. Entries no page used in the last run are dropped when the file is rewritten,
    so the cache never outgrows the raw folder.
    """

    def __init__(self, cache_dir: Path | None, bucket_name: str = "0-of-1") -> None:
        self.dir = cache_dir
        self.bucket_name = bucket_name
        self.stats: dict[str, list] = {}
        self._stored: dict[str, str] = {}  # key → JSON text, as found on disk
        self._used: dict[str, str] = {}  # key → JSON text of every result this run used
        self._new: dict[str, str] = {}  # key → JSON text of results parsed by this process
        self._stats_dirty = False
        if cache_dir is not None:
            self.stats = _read_json(cache_dir / self._stats_name())
            self._stored = _read_results(cache_dir / self._results_name())

    def _stats_name(self) -> str:
        return f"stats-{self.bucket_name}.json"

    def _results_name(self) -> str:
        return f"results-{self.bucket_name}.jsonl"

    @staticmethod
    def key(sha256: str, url: str | None) -> str:
        # the parser version is read at call time, so a bump (or a test's patch) is always seen
        version = f"{records.PARSER_VERSION}\0{CACHE_FORMAT}"
        return hashlib.sha256(f"{version}\0{sha256}\0{url or ''}".encode()).hexdigest()

    def get(self, sha256: str, url: str | None) -> PageResult | None:
        key = self.key(sha256, url)
        text = self._used.get(key) or self._stored.get(key)
        if text is None:
            return None
        try:
            result = PageResult.from_json(json.loads(text))
        except (ValueError, TypeError, KeyError):
            return None
        self._used[key] = text
        return result

    def keep(self, key: str) -> None:
        """Keep a stored result in the file without decoding it (its page's rows were reused)."""
        if key not in self._used and key in self._stored:
            self._used[key] = self._stored[key]

    def put(self, sha256: str, url: str | None, result: PageResult) -> None:
        if self.dir is None:
            return
        payload = json.dumps(result.to_json(), ensure_ascii=False, sort_keys=True)
        key = self.key(sha256, url)
        self._used[key] = payload
        self._new[key] = payload

    def learnt(self) -> tuple[dict[str, str], list[str]]:
        """What a forked worker hands back to its parent: new results, and the keys of stored
        results it used (the parent has their text already: only keys cross the pipe)."""
        return self._new, [k for k in self._used if k not in self._new]

    def merge_learnt(self, new: dict[str, str], reused: list[str]) -> None:
        self._used.update(new)
        self._new.update(new)
        for key in reused:
            self.keep(key)

    def known_sha(self, rel: str, size: int, mtime_ns: int) -> str | None:
        entry = self.stats.get(rel)
        if entry and entry[0] == size and entry[1] == mtime_ns:
            return entry[2]
        return None

    def remember_sha(self, rel: str, size: int, mtime_ns: int, sha256: str) -> None:
        if self.stats.get(rel) != [size, mtime_ns, sha256]:
            self.stats[rel] = [size, mtime_ns, sha256]
            self._stats_dirty = True

    def merge_stats(self, stats: dict[str, list]) -> None:
        """Take in what worker processes learnt about file stats (saved only if it differs)."""
        for rel, (size, mtime_ns, sha256) in stats.items():
            self.remember_sha(rel, size, mtime_ns, sha256)

    def forget_missing(self, present: set[str]) -> None:
        for rel in list(self.stats):
            if rel not in present:
                del self.stats[rel]
                self._stats_dirty = True

    def save(self) -> None:
        """Write what changed: the stat file, and the results file keeping only used entries."""
        if self.dir is None:
            return
        if self._stats_dirty:
            data = json.dumps(self.stats, sort_keys=True, separators=(",", ":")).encode("utf-8")
            atomic_write_bytes(self.dir / self._stats_name(), data, durable=False)
            self._stats_dirty = False
        if self._used != self._stored:
            lines = "".join(f"{key}\t{self._used[key]}\n" for key in sorted(self._used))
            atomic_write_bytes(self.dir / self._results_name(), lines.encode("utf-8"), False)
            self._stored = dict(self._used)
        legacy = self.dir / "pages"  # cache format 2 kept one file per page
        if legacy.is_dir():
            shutil.rmtree(legacy, ignore_errors=True)


def _read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _read_results(path: Path) -> dict[str, str]:
    """key → JSON text; a damaged line only costs a re-parse of that page."""
    try:
        text = path.read_text("utf-8")
    except (OSError, ValueError):
        return {}
    stored = {}
    for line in text.splitlines():
        key, tab, payload = line.partition("\t")
        if tab and len(key) == 64:
            stored[key] = payload
    return stored
