"""Pandera models, one module per published table. The pipeline, the Dagster checks, the
Parquet schema and docs/data_dictionary.md all read these; there is no second copy."""

from schemas.document_listings import DocumentListings
from schemas.document_matches import DocumentMatches
from schemas.document_pages import DocumentPages
from schemas.document_people import DocumentPeople
from schemas.documents import Documents
from schemas.listing_entries import ListingEntries
from schemas.listings import Listings
from schemas.quarantine import Quarantine
from schemas.raw_pages import RawPages

# Published tables, in publishing order, with their sort keys (deterministic row order).
TABLES = {
    "raw_pages": (RawPages, ["path"]),
    "listings": (Listings, ["listing_id", "page_sha256"]),
    "listing_entries": (ListingEntries, ["page_sha256", "position"]),
    "document_pages": (DocumentPages, ["page_sha256"]),
    "documents": (Documents, ["document_id"]),
    "document_listings": (DocumentListings, ["document_id", "listing_id"]),
    "document_matches": (
        DocumentMatches,
        ["left_page_sha256", "left_position", "right_page_sha256", "right_position", "rule"],
    ),
    "document_people": (DocumentPeople, ["document_id", "role", "person"]),
    "quarantine": (Quarantine, ["stage", "table_name", "path", "row_key", "rule"]),
}

__all__ = ["TABLES"]
