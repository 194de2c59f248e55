"""Per-page parse cache in the output folder, so a rerun parses only new or changed snapshots.

Two layers:
- stat cache: (path, size, mtime_ns) → sha256, so unchanged files are not even re-read;
- result cache: one JSON file per (sha256, url, parser version) holding the PageResult.
Both are plain files written atomically; a corrupt or missing entry only costs a re-parse.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

from pipeline.extract import records
from pipeline.extract.records import PageResult

# Bump when what a cache entry means changes (2: problems stored without the file name).
CACHE_FORMAT = "2"


def atomic_write_bytes(path: Path, data: bytes, durable: bool = True) -> None:
    """Write to a temp file beside `path`, fsync (when `durable`), then rename over it.

    Cache entries skip the fsync: a torn entry after a crash fails to load and is re-parsed.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            if durable:
                os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class PageCache:
    """Parse results keyed by content, and file stats keyed by path."""

    def __init__(self, cache_dir: Path | None, stats_name: str = "stats.json") -> None:
        self.dir = cache_dir
        self.stats_name = stats_name
        self.stats: dict[str, list] = {}
        self._stats_dirty = False
        if cache_dir is not None:
            try:
                self.stats = json.loads((cache_dir / stats_name).read_text("utf-8"))
            except (OSError, ValueError):
                self.stats = {}

    @staticmethod
    def key(sha256: str, url: str | None) -> str:
        # the parser version is read at call time, so a bump (or a test's patch) is always seen
        version = f"{records.PARSER_VERSION}\0{CACHE_FORMAT}"
        return hashlib.sha256(f"{version}\0{sha256}\0{url or ''}".encode()).hexdigest()

    def _path(self, key: str) -> Path:
        assert self.dir is not None
        return self.dir / "pages" / key[:2] / f"{key}.json"

    def get(self, sha256: str, url: str | None) -> PageResult | None:
        if self.dir is None:
            return None
        try:
            data = json.loads(self._path(self.key(sha256, url)).read_text("utf-8"))
            return PageResult.from_json(data)
        except (OSError, ValueError, TypeError, KeyError):
            return None

    def put(self, sha256: str, url: str | None, result: PageResult) -> None:
        if self.dir is None:
            return
        payload = json.dumps(result.to_json(), ensure_ascii=False, sort_keys=True)
        atomic_write_bytes(self._path(self.key(sha256, url)), payload.encode("utf-8"), False)

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
        if self.dir is None or not self._stats_dirty:
            return
        data = json.dumps(self.stats, sort_keys=True, separators=(",", ":")).encode("utf-8")
        atomic_write_bytes(self.dir / self.stats_name, data, durable=False)
        self._stats_dirty = False
