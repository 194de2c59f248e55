"""quarantine: every page or row that could not be used, and why."""

import pandera.pandas as pa
from pandera.typing import Series

from schemas._fields import text


class Quarantine(pa.DataFrameModel):
    """Pages refused at extraction and rows refused by a table's rules; never silently lost."""

    page_sha256: Series[str] = text("snapshot the page or row came from")
    path: Series[str] = text("raw file path")
    stage: Series[str] = pa.Field(isin=["extract", "validate"], description="where it stopped")
    table_name: Series[str] = text(
        "table the row was meant for (raw_pages for whole pages)", nullable=False
    )
    row_key: Series[str] = text("the row's key in that table")
    rule: Series[str] = text("the schema rule that failed")
    value: Series[str] = text("the offending value")
    reason: Series[str] = text("one line a person can act on", nullable=False)

    class Config:
        strict = True
