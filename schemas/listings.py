"""listings: one row per listing page (a collection, topic, person, place or search view)."""

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from schemas._fields import choice, count, flag, row_check, sha, text


class Listings(pa.DataFrameModel):
    """Listing pages: what collection or search view they show, and the range they cover."""

    listing_id: Series[str] = text("stable id of the collection or search view", nullable=False)
    page_sha256: Series[str] = sha(unique=True)
    path: Series[str] = text("raw file path", nullable=False)
    url: Series[str] = text("page URL when known")
    kind: Series[str] = choice("collection | search", ["collection", "search"])
    listing_type: Series[str] = choice(
        "collection | topic | person | place | search",
        ["collection", "topic", "person", "place", "search"],
    )
    layout: Series[str] = text("page layout it was read as", nullable=False)
    title: Series[str] = text("collection/topic title as printed")
    description: Series[str] = text("collection description as printed")
    range_first: Series[pd.Int64Dtype] = count("first result number on the page", True, 0)
    range_last: Series[pd.Int64Dtype] = count("last result number on the page", True, 0)
    range_total: Series[pd.Int64Dtype] = count("total results of the search", True, 0)
    search_term: Series[str] = text("search term when printed or in the URL")
    page_number: Series[pd.Int64Dtype] = count("1-based page number when known", True, 1)
    n_entries: Series[int] = count("entries read from this page")
    is_truncated: Series[bool] = flag("the page was cut short (partial save)")

    @row_check("range_first <= range_last <= range_total")
    def range_ordered(cls, df):  # noqa: N805
        first, last, total = df["range_first"], df["range_last"], df["range_total"]
        ok = (first.isna() | last.isna() | (first <= last)) & (
            last.isna() | total.isna() | (last <= total)
        )
        return ok.fillna(True).astype(bool)

    class Config:
        strict = True
