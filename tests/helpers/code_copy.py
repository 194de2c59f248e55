"""A private copy of the project's code for the fingerprints to read, so a test can change a
module and see which caches that change invalidates."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

import pipeline.code_closure as code_closure
import pipeline.extract.fingerprint as fingerprint

REPO = Path(__file__).resolve().parents[2]


@contextmanager
def code_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Copies pipeline/ and schemas/ under `tmp_path`; the code fingerprints read the copy
    until the block ends (their memoised answers are dropped on the way in and out)."""
    root = tmp_path / "code"
    ignore = shutil.ignore_patterns("__pycache__")
    for package in ("pipeline", "schemas"):
        shutil.copytree(REPO / package, root / package, ignore=ignore)
    with monkeypatch.context() as patch:
        patch.setattr(fingerprint, "_REPO", root)
        patch.setattr(fingerprint, "_PACKAGE_ROOTS", [root / "pipeline", root / "schemas"])
        _forget()
        try:
            yield root
        finally:
            _forget()
    _forget()


def _forget() -> None:
    fingerprint.code_fingerprint.cache_clear()
    code_closure.forget()


def touch_module(root: Path, relpath: str) -> None:
    """A change to a module that alters no behaviour (the fingerprints see bytes), seen as a
    new process would see it (nothing memoised)."""
    path = root / relpath
    path.write_text(path.read_text() + "\n# changed by a test\n")
    _forget()
