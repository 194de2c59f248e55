"""Hand-built table frames for the writer and validation tests: every column of the model,
the required ones filled, the rest null."""

from __future__ import annotations

import pandas as pd

from schemas import TABLES


def detail_pages_frame(bodies: list[object]) -> pd.DataFrame:
    """document_pages rows with the given bodies (str, PackedText, None or anything else)."""
    n = len(bodies)
    columns = list(TABLES["document_pages"][0].to_schema().columns)
    frame = pd.DataFrame({c: pd.Series([None] * n, dtype=object) for c in columns})
    frame["page_sha256"] = [f"{i:064x}" for i in range(n)]
    frame["path"] = [f"details/{i}.txt" for i in range(n)]
    frame["document_id"] = [f"doc-{i}" for i in range(n)]
    frame["layout"] = "new_detail"
    frame["title"] = [f"Telegram No. {i} to Filippov" for i in range(n)]
    frame["date_precision"] = "unparsed"
    frame["is_truncated"] = False
    frame["body"] = pd.Series(bodies, dtype=object)
    return frame
