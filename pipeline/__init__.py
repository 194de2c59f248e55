"""Wilson Center Digital Archive page snapshots → analysis-ready tables.

`from pipeline import connect` gives a read-only DuckDB connection to the published database
with the full-text extension loaded, so `search('Xinjiang')` works straight away.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb


def connect(output_dir: str | os.PathLike | None = None) -> duckdb.DuckDBPyConnection:
    """Read-only connection to `<output_dir>/archive.duckdb` (default: PIPELINE_OUTPUT_DIR or
    ./outputs), with the bundled fts extension loaded."""
    from pipeline.publish.duckdb_db import connect_readonly

    base = Path(output_dir or os.environ.get("PIPELINE_OUTPUT_DIR") or "outputs")
    db = base / "archive.duckdb"
    if not db.exists():
        raise FileNotFoundError(f"{db} does not exist yet: run `make run` first")
    return connect_readonly(db)


__all__ = ["connect"]
