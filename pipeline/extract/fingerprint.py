"""Fingerprints that say whether anything could have changed since the last release.

The raw fingerprint covers (path, size, mtime) of every snapshot and sidecar — it changes when a
file is added, edited or removed — and the code fingerprint covers the pipeline's own source and
data files, so a code change is never mistaken for "nothing to do". A cache is keyed on the
fingerprint of the code its values were made by alone (`ROWS_CODE`, `DEDUP_CODE`,
`WORDS_CODE`).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from pipeline.code_closure import code_closure
from pipeline.extract.snapshot import SIDECAR_SUFFIX, raw_rel_paths

_REPO = Path(__file__).resolve().parents[2]
_PACKAGE_ROOTS = [_REPO / "pipeline", _REPO / "schemas"]

# The code each cache's values are made by (code_closure follows their imports).
ROWS_CODE = ("pipeline.extract.pages",)  # a page's rows and spooled text: the rows memo
DEDUP_CODE = ("pipeline.dedup.resolve",)  # unit results and normalisations: dedup's caches
WORDS_CODE = (*ROWS_CODE, "pipeline.publish.body_words")  # a page text's words, counted ahead


def raw_stat_lines(
    raw_dir: Path, bucket: int = 0, buckets: int = 1, rels: list[str] | None = None
) -> list[str]:
    """One line (path, size, mtime_ns) per snapshot and sidecar of one hash bucket; `rels`:
    the folder's snapshot paths when the caller has walked it already."""
    from pipeline.extract.pages import bucket_of

    lines: list[str] = []
    if not raw_dir.is_dir():
        return lines
    base = str(raw_dir)
    for rel in raw_rel_paths(raw_dir) if rels is None else rels:
        if bucket_of(rel, buckets) == bucket:
            lines += stat_lines_at(base, rel)
    return lines


def stat_lines_at(base: str, rel: str, st: os.stat_result | None = None) -> list[str]:
    """(path, size, mtime_ns) lines of one snapshot (`rel` under the folder `base`) and of its
    sidecar, when present. `st` is the snapshot's lstat when the caller already took it."""
    lines = []
    for i, name in enumerate((rel, rel + SIDECAR_SUFFIX)):
        try:
            pst = st if (i == 0 and st is not None) else os.lstat(os.path.join(base, name))
        except OSError:
            continue
        lines.append(f"{name}\0{pst.st_size}\0{pst.st_mtime_ns}")
    return lines


def fingerprint_of(lines: list[str]) -> str:
    """Run fingerprint from stat lines (any order) and the code fingerprint."""
    digest = hashlib.sha256(code_fingerprint().encode())
    for line in sorted(lines):
        digest.update(line.encode() + b"\n")
    return digest.hexdigest()


def paths_digest(rels: Iterable[str]) -> str:
    """A digest of the set of snapshot paths: a folder whose paths differ from the last run's
    cannot be up to date, which a walk alone tells, before its files are looked at."""
    digest = hashlib.sha256()
    for rel in sorted(rels):
        digest.update(rel.encode() + b"\n")
    return digest.hexdigest()


def snapshot_paths(lines: list[str]) -> list[str]:
    """The snapshot paths that stat lines cover (their sidecars' lines left out)."""
    names = (line.split("\0", 1)[0] for line in lines)
    return [name for name in names if not name.endswith(SIDECAR_SUFFIX)]


def raw_fingerprint(raw_dir: Path) -> str:
    """Fingerprint of the whole raw folder as it is now (the sensor's cursor)."""
    return fingerprint_of(raw_stat_lines(raw_dir)) if raw_dir.is_dir() else "missing"


@lru_cache(maxsize=8)
def code_fingerprint(*modules: str) -> str:
    """Hash of the code that decides an output: with no `modules`, every .py of the pipeline
    and its schemas (what the release and the no-op check depend on); with `modules`, only the
    project modules those import, directly or not (`code_closure`: what a cache's values were
    made by). The .csv and .json data files count either way."""
    if modules:
        files = code_closure(modules, _REPO, [root.name for root in _PACKAGE_ROOTS])
    else:
        files = _project_files(".py")
    digest = hashlib.sha256()
    for path in sorted({*files, *_project_files(".csv", ".json")}):
        digest.update(path.relative_to(_REPO).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _project_files(*suffixes: str) -> list[Path]:
    return [
        path
        for root in _PACKAGE_ROOTS
        for path in root.rglob("*")
        if path.suffix in suffixes and "__pycache__" not in path.parts
    ]
