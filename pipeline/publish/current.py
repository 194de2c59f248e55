"""Which release is current: the `outputs/current` symlink, read without the publishing code.

Its own module so that the no-op check (pipeline/up_to_date.py) reads it without importing
pandas, pandera and DuckDB, which publishing needs and a run with nothing to do does not.
"""

from __future__ import annotations

from pathlib import Path


def current_release(out_dir: Path) -> Path | None:
    """The current release's folder, or None before the first publish."""
    link = out_dir / "current"
    return link.resolve() if link.is_symlink() and link.resolve().is_dir() else None
