"""Plain records produced by extraction: what one page says, before any merging.

They are dicts-with-types (dataclasses) so they can be cached as JSON per page and turned into
DataFrames without Dagster.
"""

from __future__ import annotations

from dataclasses import dataclass, field

PAGE_KINDS = ("collection_listing", "search_listing", "document_detail", "unknown")
# Bump when a parser change alters what any page yields: cached results are then re-parsed.
PARSER_VERSION = "4"


@dataclass
class Entry:
    """One entry printed on a listing page."""

    position: int  # 1-based order on the page
    date_raw: str | None
    title: str | None
    summary: str | None
    is_truncated: bool = False
    date_problem: str | None = None  # why date_raw yields no interval ("impossible date ...")


@dataclass
class Listing:
    """A listing page: a collection (or topic/person/place page) or a search-results view."""

    kind: str  # collection | search
    layout: str  # which page layout it was read as
    title: str | None = None
    description: str | None = None
    range_first: int | None = None
    range_last: int | None = None
    range_total: int | None = None
    search_term: str | None = None
    page_number: int | None = None
    entries: list[Entry] = field(default_factory=list)
    is_truncated: bool = False
    listing_type: str | None = None  # collection | topic | person | place | search


@dataclass
class Detail:
    """A document's own page: every field it prints. Absent blocks are None, not ""."""

    layout: str
    date_raw: str | None = None
    title: str | None = None
    pre_text: str | None = None
    funders: list[str] | None = None
    body: str | None = None
    summary: str | None = None
    authors: list[str] | None = None
    places: list[str] | None = None
    topics: list[str] | None = None
    subjects: list[str] | None = None
    people_orgs: list[str] | None = None  # "Associated People & Organizations"
    contributors: list[str] | None = None  # "Document Contributor(s)"
    citation: str | None = None
    source: str | None = None
    original_archive: str | None = None
    rights: str | None = None
    original_uploaded_date: str | None = None
    doc_type: str | None = None
    language: str | None = None
    record_id: str | None = None
    original_classification: str | None = None
    translator: str | None = None
    node_id: str | None = None
    is_truncated: bool = False
    slug: str | None = None  # new-site URL slug (/document/<slug>), when the URL is known
    date_problem: str | None = None


@dataclass
class PageResult:
    """What one snapshot yielded: a kind, and a listing, a detail, or a reason it was refused."""

    kind: str
    listing: Listing | None = None
    detail: Detail | None = None
    problem: str | None = None
    url: str | None = None  # a URL found in the page itself (HTML canonical link)
    format: str = "text"  # text | html | unknown (what the bytes were)
    encoding: str | None = None

    def to_json(self) -> dict:
        listing = self.listing
        return {
            **vars(self),
            "listing": None
            if listing is None
            else {**vars(listing), "entries": [dict(vars(e)) for e in listing.entries]},
            "detail": None if self.detail is None else dict(vars(self.detail)),
        }

    @classmethod
    def from_json(cls, data: dict) -> PageResult:
        listing = data.get("listing")
        detail = data.get("detail")
        if listing:
            listing = Listing(**{**listing, "entries": [Entry(**e) for e in listing["entries"]]})
        return cls(
            kind=data["kind"],
            listing=listing,
            detail=Detail(**detail) if detail else None,
            problem=data.get("problem"),
            url=data.get("url"),
            format=data.get("format", "text"),
            encoding=data.get("encoding"),
        )
