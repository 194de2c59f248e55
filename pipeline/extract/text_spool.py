"""Detail pages' packed texts written to disk as pages are parsed, so the rows handed to the
parent process, and every later stage, carry only where a text is (a `SpooledText`).

The texts were the largest values the page rows held from extraction to the Parquet writer
(31 MB packed at archive scale, about 310 MB at 10x). One file per writing process (each
forked worker opens its own), in `outputs/.cache/spool/`. The run that wrote them removes them
once its release's Parquet files are written (`remove_spool`); a file left behind by a run that
died is removed by a later extraction once nobody has written it for STALE_SECONDS.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import BinaryIO

from pipeline.packed_text import PackedText, SpooledText, close_spool_readers

STALE_SECONDS = 24 * 3600  # no run spends a day between parsing a page and writing Parquet


def spool_folder(cache_dir: Path) -> Path:
    return Path(cache_dir) / "spool"


class TextSpool:
    """Appends packed texts to this process's spool file, opened at the first text (a forked
    worker opens its own: the file object it inherited is its parent's)."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder).absolute()
        self._file: BinaryIO | None = None
        self._pid = 0
        self._path = ""
        self._offset = 0

    def put(self, text: PackedText) -> SpooledText:
        if self._pid != os.getpid():
            self.folder.mkdir(parents=True, exist_ok=True)
            self._pid = os.getpid()
            self._path = str(self.folder / f"{self._pid}-{time.time_ns()}.spool")
            self._file = open(self._path, "wb")  # noqa: SIM115 - kept open across pages
            self._offset = 0
        assert self._file is not None
        self._file.write(text)
        spooled = SpooledText(self._path, self._offset, len(text))
        self._offset += len(text)
        return spooled

    def flush(self) -> list[str]:
        """Make this process's texts readable by others; the file it writes (if any)."""
        if self._file is None or self._pid != os.getpid():
            return []
        self._file.flush()
        return [self._path]

    def close(self) -> list[str]:
        """`flush`, then close this process's file; the file written (if any)."""
        written = self.flush()
        if written and self._file is not None:
            self._file.close()
            self._file, self._pid = None, 0
        return written


def remove_spool(paths: list[str]) -> None:
    """A run's spool files, once nothing will read them (its Parquet files are written)."""
    close_spool_readers(paths)
    for path in paths:
        Path(path).unlink(missing_ok=True)


def sweep_stale(folder: Path, now: float | None = None) -> list[Path]:
    """Remove spool files of runs that died before writing their Parquet (not written for
    STALE_SECONDS); returns what was removed."""
    now = time.time() if now is None else now
    removed = []
    for path in sorted(Path(folder).glob("*.spool")) if Path(folder).is_dir() else []:
        try:
            if now - path.stat().st_mtime > STALE_SECONDS:
                path.unlink()
                removed.append(path)
        except OSError:
            continue  # another run removed it first
    return removed
