"""File names for fetched pages: derived from the URL, safe on any filesystem, never escaping.

A name is the host-less path and query, lowercased and reduced to `[a-z0-9._-]`, capped in
length, plus a short sha256 of the full URL. The hash keeps names unique where lowercasing and
sanitising would merge two URLs (`/document/Foo` vs `/document/foo`, `?a=b` vs `_a_b`); the
readable part is for people browsing raw/.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from urllib.parse import urlsplit

MAX_STEM_CHARS = 100
HASH_CHARS = 12
_UNSAFE = re.compile(r"[^a-z0-9._-]+")
_RUNS = re.compile(r"[._-]{2,}")  # also removes every ".."
_SAFE_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
EXTENSIONS = {"html": ".html", "text": ".txt"}


def url_stem(url: str) -> str:
    """The readable part of the name: path + query, sanitised; never empty."""
    parts = urlsplit(url)
    raw = parts.path + (f"?{parts.query}" if parts.query else "")
    stem = _UNSAFE.sub("_", raw.lower())
    stem = _RUNS.sub("_", stem).strip("._-")
    stem = stem[:MAX_STEM_CHARS].rstrip("._-")
    return stem or "index"


def file_name_for(url: str, fmt: str) -> str:
    """`<stem>_<sha256[:12]>.html` (or `.txt` for fmt "text")."""
    digest = hashlib.sha256(url.encode("utf-8")).hexdigest()[:HASH_CHARS]
    name = f"{url_stem(url)}_{digest}{EXTENSIONS[fmt]}"
    if not _SAFE_NAME.match(name) or ".." in name:  # cannot happen; a guard, not a branch
        raise ValueError(f"unsafe file name {name!r} derived from {url!r}")
    return name


def path_inside(raw_dir: Path, name: str) -> Path:
    """raw_dir / name, refusing anything that would resolve outside raw_dir."""
    root = raw_dir.resolve()
    target = (root / name).resolve()
    if target.parent != root or "/" in name or "\\" in name or ".." in name:
        raise ValueError(f"refusing to write {name!r}: it would land outside {root}")
    return target
