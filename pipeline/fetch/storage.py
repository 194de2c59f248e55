"""Writing pages and their sidecars into raw/ so a concurrent pipeline run never sees half a file.

Each file is written to a dot-prefixed temp file in the same folder (the pipeline skips dot
files) and moved into place with os.replace, which is atomic on one filesystem. The sidecar
carries what the next run needs for a conditional request (etag, last_modified).
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pipeline.extract.snapshot import SIDECAR_SUFFIX
from pipeline.fetch.names import EXTENSIONS, file_name_for, path_inside


def atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def sidecar_of(page: Path) -> Path:
    return page.with_name(page.name + SIDECAR_SUFFIX)


def save_page(raw_dir: Path, url: str, fmt: str, content: bytes, meta: dict) -> Path:
    """Page first, then sidecar: a sidecar never describes bytes that are not there yet."""
    path = path_inside(raw_dir, file_name_for(url, fmt))
    atomic_write(path, content)
    text = json.dumps(meta, ensure_ascii=False, indent=2) + "\n"
    atomic_write(sidecar_of(path), text.encode("utf-8"))
    return path


@dataclass(frozen=True)
class Cached:
    """A page saved by an earlier run, with what its sidecar says."""

    path: Path
    fmt: str
    meta: dict


def find_cached(raw_dir: Path, url: str) -> Cached | None:
    """The earlier copy of url (either extension), if both file and matching sidecar exist."""
    for fmt in EXTENSIONS:
        path = path_inside(raw_dir, file_name_for(url, fmt))
        side = sidecar_of(path)
        if not (path.is_file() and side.is_file()):
            continue
        try:
            meta = json.loads(side.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            continue
        if isinstance(meta, dict) and meta.get("url") == url:
            return Cached(path, fmt, meta)
    return None


def conditional_headers(cached: Cached | None) -> dict[str, str]:
    if cached is None:
        return {}
    headers = {}
    if isinstance(etag := cached.meta.get("etag"), str) and etag:
        headers["If-None-Match"] = etag
    if isinstance(modified := cached.meta.get("last_modified"), str) and modified:
        headers["If-Modified-Since"] = modified
    return headers
