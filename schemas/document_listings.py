"""document_listings: which listings (collections, searches) hold which document."""

import pandera.pandas as pa
from pandera.typing import Series

from schemas._fields import text


class DocumentListings(pa.DataFrameModel):
    """document × listing, one row per pair."""

    document_id: Series[str] = text("document", nullable=False)
    listing_id: Series[str] = text("listing (see listings.listing_id)", nullable=False)

    class Config:
        strict = True
        unique = ["document_id", "listing_id"]
