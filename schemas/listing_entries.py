"""listing_entries: one row per entry printed on a listing page."""

import pandera.pandas as pa
from pandera.typing import Series

from schemas._fields import count, date, flag, precision, row_check, sha, text


class ListingEntries(pa.DataFrameModel):
    """Entries as printed, with parsed dates and the document each one is."""

    page_sha256: Series[str] = sha()
    listing_id: Series[str] = text("listing the entry was printed on", nullable=False)
    position: Series[int] = count("1-based position on the page", ge=1)
    date_raw: Series[str] = text("date exactly as printed; null when no date line")
    title: Series[str] = text("title as printed")
    summary: Series[str] = text("summary as printed (paragraphs joined by a blank line)")
    date_start: Series[pa.Date] = date("first day the printed date can mean")
    date_end: Series[pa.Date] = date("last day the printed date can mean")
    date_precision: Series[str] = precision()
    date_problem: Series[str] = text("why a printed date could not be read (null when fine)")
    is_truncated: Series[bool] = flag("the entry was cut short by a partial save")
    document_id: Series[str] = text("the document this entry is (see documents)", nullable=False)

    @row_check("date_start <= date_end")
    def dates_ordered(cls, df):  # noqa: N805
        return df["date_start"].isna() | (df["date_start"] <= df["date_end"])

    class Config:
        strict = True
        unique = ["page_sha256", "position"]
