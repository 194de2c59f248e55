"""Per-page parse cache in the output folder, so a rerun parses only new or changed snapshots.

Two layers:
- stat cache: (path, size, mtime_ns) → sha256, so unchanged files are not even re-read;
- result cache: the PageResult per (sha256, url, parser version), as a pickle of its JSON form
  (plain values only; pickled in 22 µs a page where `json.dumps` took 55, and read back faster).
Both are kept per extraction bucket: `stats-<bucket>.json`, and `results-<bucket>/` batch files
(batch_store.py, indexed: a run reads only the results of the pages it has to read) that forked
workers add to in parallel. A corrupt or missing entry only costs a re-parse.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import shutil
from pathlib import Path

from pipeline.atomic_files import atomic_write_bytes
from pipeline.extract import records
from pipeline.extract.batch_store import BatchStore, write_batch
from pipeline.extract.records import PageResult

# Bump when what a cache entry means changes (2: problems stored without the file name;
# 3: one results file per bucket instead of one file per page).
CACHE_FORMAT = "3"
# How the results folder stores them (not part of the keys; batches of another layout are
# deleted). 2: values are pickles of `to_json()`, no longer JSON text; 3: indexed batches.
RESULTS_LAYOUT = "batches-3"


class PageCache:
    """Parse results keyed by content, and file stats keyed by path, for one hash bucket.

    A rerun opens a few files per bucket instead of one per page. Results no page used in a run
    are forgotten at its end (batch_store.py keeps the folder near the live size), so the cache
    does not outgrow the raw folder.
    """

    def __init__(self, cache_dir: Path | None, bucket_name: str = "0-of-1") -> None:
        self.dir = cache_dir
        self.bucket_name = bucket_name
        self.stats: dict[str, list] = {}
        folder = cache_dir / f"results-{bucket_name}" if cache_dir is not None else None
        self._results = BatchStore(folder, RESULTS_LAYOUT, indexed=True)  # read on demand
        self._values: dict[str, bytes] = {}  # key → pickled result put by this process
        self._new: list[str] = []  # keys put by this process and not yet written
        self._used: set[str] = set()  # keys of every result this run used
        self._written = 0  # records this run added to the results folder
        self._stats_dirty = False
        if cache_dir is not None:
            self.stats = _read_json(cache_dir / self._stats_name())

    def _stats_name(self) -> str:
        return f"stats-{self.bucket_name}.json"

    @staticmethod
    def key(sha256: str, url: str | None) -> str:
        # the parser version is read at call time, so a bump (or a test's patch) is always seen
        version = f"{records.PARSER_VERSION}\0{CACHE_FORMAT}"
        return hashlib.sha256(f"{version}\0{sha256}\0{url or ''}".encode()).hexdigest()

    def get(self, sha256: str, url: str | None) -> PageResult | None:
        key = self.key(sha256, url)
        value = self._values.get(key) or self._results.read(key)
        if not isinstance(value, bytes):
            return None
        try:
            result = PageResult.from_json(pickle.loads(value))  # noqa: S301 - our own cache
        except Exception:  # noqa: BLE001 - a damaged entry only costs a re-parse
            return None
        self._used.add(key)
        return result

    def keep(self, key: str) -> None:
        """Keep a stored result without decoding it (its page's rows were reused)."""
        self._used.add(key)

    def put(self, sha256: str, url: str | None, result: PageResult) -> None:
        if self.dir is None:
            return
        key = self.key(sha256, url)
        if key not in self._values:
            self._new.append(key)
        self._values[key] = pickle.dumps(result.to_json(), protocol=pickle.HIGHEST_PROTOCOL)
        self._used.add(key)

    def write_new(self) -> None:
        """Add the results put since the last call to the results folder, as one batch."""
        batch = {key: self._values[key] for key in self._new}
        self._written += write_batch(self._results.folder, RESULTS_LAYOUT, batch, indexed=True)
        self._new = []

    def learnt(self) -> tuple[int, list[str]]:
        """What a forked worker hands back to its parent after writing its new results: how
        many it wrote, and the keys of every result it used (keys only cross the pipe)."""
        self.write_new()
        return self._written, list(self._used)

    def forget_handed_back(self) -> None:
        """In a worker, after `learnt` went to the parent: drop what it reported (a content
        met again later in this worker is parsed again: the results are the same)."""
        self._values, self._used, self._written = {}, set(), 0

    def merge_learnt(self, written: int, used: list[str]) -> None:
        self._written += written
        self._used.update(used)

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
        """Write what changed: the stat file, new results, and the forgetting of unused ones."""
        if self.dir is None:
            return
        if self._stats_dirty:
            data = json.dumps(self.stats, sort_keys=True, separators=(",", ":")).encode("utf-8")
            atomic_write_bytes(self.dir / self._stats_name(), data, durable=False)
            self._stats_dirty = False
        self.write_new()
        self._results.finish(self._used, self._written)
        self._written = 0
        for legacy in (self.dir / "pages", self.dir / f"results-{self.bucket_name}.jsonl"):
            if legacy.is_dir():  # cache format 2 kept one file per page
                shutil.rmtree(legacy, ignore_errors=True)
            else:  # format 3 kept one JSON-lines file per bucket
                legacy.unlink(missing_ok=True)


def _read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
