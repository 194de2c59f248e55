"""raw_pages: one row per file in the raw folder — nothing is lost."""

import pandera.pandas as pa
from pandera.typing import Series

from schemas._fields import PAGE_KINDS, choice, count, row_check, sha, text


class RawPages(pa.DataFrameModel):
    """Every snapshot file, parsed or quarantined, with where it came from."""

    page_sha256: Series[str] = sha()
    path: Series[str] = pa.Field(unique=True, description="file path relative to the raw folder")
    bytes: Series[int] = count("file size in bytes")
    format: Series[str] = choice(
        "what the bytes were: text | html | unknown", ["text", "html", "unknown"]
    )
    encoding: Series[str] = text("character encoding the text was decoded with")
    url: Series[str] = text("page URL (sidecar <name>.meta.json or the HTML canonical link)")
    fetched_at: Series[str] = text("when the page was saved (sidecar), as given")
    kind: Series[str] = choice("page kind: " + " | ".join(PAGE_KINDS), PAGE_KINDS)
    layout: Series[str] = text("the layout the page was read as (e.g. new_search, old_detail)")
    status: Series[str] = choice("parsed | quarantined", ["parsed", "quarantined"])
    reason: Series[str] = text("why the page was quarantined (names the file); null if parsed")

    @row_check("a quarantined page always says why")
    def quarantined_has_reason(cls, df):  # noqa: N805
        return (df["status"] == "parsed") | df["reason"].notna()

    class Config:
        strict = True
        coerce = False
