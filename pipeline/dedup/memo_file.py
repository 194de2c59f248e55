"""Dedup's normalisation answers kept from one run to the next (see pipeline/run_memo.py).

A cache file beside the outputs: written after dedup, read before the next one, and valid only
for the code that wrote it (a changed normaliser or alias table must answer afresh). A missing,
stale or broken file only means a cold start.
"""

from __future__ import annotations

import pickle
from pathlib import Path

from pipeline.atomic_files import atomic_writer
from pipeline.extract.fingerprint import DEDUP_CODE, code_fingerprint

MEMO_FILE_FORMAT = "1"


def _version() -> str:
    return f"{MEMO_FILE_FORMAT}\0{code_fingerprint(*DEDUP_CODE)}"


def load_memos(path: Path) -> dict[str, dict]:
    """The answers stored at `path` by this code, else {} (nothing to start warm with)."""
    try:
        with open(path, "rb") as fh:  # noqa: PTH123 - a plain read of our own cache file
            stored = pickle.load(fh)  # noqa: S301 - written by save_memos into our cache folder
    except Exception:  # noqa: BLE001 - a damaged file only costs computing the answers again
        return {}
    if not isinstance(stored, dict) or stored.get("version") != _version():
        return {}
    memos = stored.get("memos")
    return memos if isinstance(memos, dict) else {}


def save_memos(path: Path, memos: dict[str, dict]) -> None:
    """Store a run's answers (atomically, without fsync: a torn file is a cold start)."""
    with atomic_writer(path, durable=False) as fh:
        pickle.dump({"version": _version(), "memos": memos}, fh, protocol=5)
