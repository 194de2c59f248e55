"""Fingerprints that say whether anything could have changed since the last release.

The raw fingerprint covers (path, size, mtime) of every snapshot and sidecar — it changes when a
file is added, edited or removed — and the code fingerprint covers the pipeline's own source and
data files, so a code change is never mistaken for "nothing to do".
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from pipeline.extract.snapshot import SIDECAR_SUFFIX, iter_raw_files

_PACKAGE_ROOTS = [
    Path(__file__).resolve().parents[1],
    Path(__file__).resolve().parents[2] / "schemas",
]


def raw_fingerprint(raw_dir: Path) -> str:
    """Hash of (path, size, mtime_ns) of every snapshot and its sidecar."""
    digest = hashlib.sha256()
    if not raw_dir.is_dir():
        return "missing"
    for path in iter_raw_files(raw_dir):
        for p in (path, path.with_name(path.name + SIDECAR_SUFFIX)):
            try:
                st = p.lstat()
            except OSError:
                continue
            rel = p.relative_to(raw_dir).as_posix()
            digest.update(f"{rel}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return digest.hexdigest()


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """Hash of the pipeline's .py, .csv and .json files (what decides the outputs)."""
    digest = hashlib.sha256()
    for root in _PACKAGE_ROOTS:
        for path in sorted(root.rglob("*")):
            if path.suffix in {".py", ".csv", ".json"} and "__pycache__" not in path.parts:
                digest.update(path.relative_to(root.parent).as_posix().encode() + b"\0")
                digest.update(path.read_bytes())
    return digest.hexdigest()


def run_fingerprint(raw_dir: Path) -> str:
    return hashlib.sha256(f"{raw_fingerprint(raw_dir)}\0{code_fingerprint()}".encode()).hexdigest()
