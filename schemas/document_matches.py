"""document_matches: the audit of every merge and every rejected candidate pair."""

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from schemas._fields import choice, text

DECISIONS = ["merged", "rejected", "kept_apart", "unattached"]


class DocumentMatches(pa.DataFrameModel):
    """Each row: two source rows, the rule that fired, the scores and the decision."""

    document_id: Series[str] = text("the document both rows became (merged rows only)")
    left_source: Series[str] = choice("entry | detail", ["entry", "detail"])
    left_page_sha256: Series[str] = text("snapshot of the left row", nullable=False)
    left_position: Series[int] = pa.Field(ge=0, description="entry position (0: detail page)")
    left_title: Series[str] = text("left row's title as printed")
    left_date_raw: Series[str] = text("left row's date as printed")
    left_document_id: Series[str] = text("document the left row ended in", nullable=False)
    right_source: Series[str] = choice("entry | detail", ["entry", "detail"])
    right_page_sha256: Series[str] = text("snapshot of the right row", nullable=False)
    right_position: Series[int] = pa.Field(ge=0, description="entry position (0: detail page)")
    right_title: Series[str] = text("right row's title as printed")
    right_date_raw: Series[str] = text("right row's date as printed")
    right_document_id: Series[str] = text("document the right row ended in", nullable=False)
    rule: Series[str] = text(
        "rule that decided (exact_date_title, never_merge_numbers_differ…)", nullable=False
    )
    score: Series[pd.Float64Dtype] = pa.Field(
        nullable=True, ge=0, le=100, description="evidence score 0-100"
    )
    title_score: Series[pd.Float64Dtype] = pa.Field(
        nullable=True, ge=0, le=100, description="title similarity 0-100"
    )
    summary_score: Series[pd.Float64Dtype] = pa.Field(
        nullable=True, ge=0, le=100, description="summary similarity 0-100"
    )
    decision: Series[str] = choice(" | ".join(DECISIONS), DECISIONS)

    class Config:
        strict = True
