"""documents: one row per real document."""

import pandera.pandas as pa
from pandera.typing import Series

from schemas._fields import count, date, flag, precision, row_check, str_list, text


class Documents(pa.DataFrameModel):
    """Deduplicated documents with the variants seen and how many listings hold each."""

    document_id: Series[str] = pa.Field(
        unique=True,
        description="stable id: wcda-<record id> / wcda-node-<node id> when the archive's id "
        "is known, else doc-<hash of normalised date and title>",
    )
    title: Series[str] = text("best title (detail page's, else the most printed)")
    date_raw: Series[str] = text("date as printed (detail page's, else the most printed)")
    date_start: Series[pa.Date] = date("first day the date can mean")
    date_end: Series[pa.Date] = date("last day the date can mean")
    date_precision: Series[str] = precision()
    summary: Series[str] = text("summary (detail page's, else the most printed)")
    document_type: Series[str] = text("type from the title: Cable, Ciphered Telegram, Letter...")
    document_number: Series[str] = text("number printed in the title (No. 25025)")
    record_id: Series[str] = text("the archive's record id when a page gave it")
    url: Series[str] = text("detail page URL when known")
    n_listings: Series[int] = count("distinct listings (collections/searches) holding it")
    n_entries: Series[int] = count("listing entries merged into it")
    n_detail_pages: Series[int] = count("detail page snapshots attached")
    has_detail_page: Series[bool] = flag("a detail page is attached")
    collections: Series[object] = str_list("titles of the collections that hold it")
    title_variants: Series[object] = str_list("every title printing seen")
    date_variants: Series[object] = str_list("every date printing seen")

    @row_check("date_start <= date_end")
    def dates_ordered(cls, df):  # noqa: N805
        return df["date_start"].isna() | (df["date_start"] <= df["date_end"])

    @row_check("every document comes from at least one page")
    def has_source(cls, df):  # noqa: N805
        return (df["n_entries"] + df["n_detail_pages"]) > 0

    class Config:
        strict = True
