"""Decide what a page is and hand it to the right parser.

Order matters: detail pages first (they carry unmistakable labels), then search pages (range
line or "SEARCH RESULTS"), then collection-like pages. Anything else is `unknown` and yields no
rows, only a quarantine reason — a page we do not understand must never produce wrong rows.
"""

from __future__ import annotations

from pipeline.extract.blocks import Block, text_to_blocks
from pipeline.extract.detail import is_detail_page, parse_new_detail, parse_old_detail
from pipeline.extract.listing import (
    parse_collection,
    parse_old_search,
    parse_search_listing,
)
from pipeline.extract.records import PageResult
from pipeline.extract.urls import url_facts

# Site furniture printed around the content in text saves; never content.
CHROME = {
    "skip to content",
    "search in",
    "add search filter cancel search filter",
    "digital archive international history declassified",
    "no image found.",
    "no image found",
}


def strip_chrome(blocks: list[Block]) -> list[Block]:
    """Drop leading chrome lines (any subset, in any order)."""
    i = 0
    while i < len(blocks) and blocks[i].text.lower() in CHROME:
        i += 1
    return blocks[i:]


def parse_blocks(blocks: list[Block], url: str | None = None) -> PageResult:
    """Classify and parse a page already rendered to blocks."""
    blocks = strip_chrome(blocks)
    if not blocks:
        return PageResult(kind="unknown", problem="no visible text besides site chrome")
    facts = url_facts(url)
    if is_detail_page(blocks):
        detail = parse_old_detail(blocks) if facts.site == "old" else None
        detail = detail or parse_new_detail(blocks)
        if detail.title is None and detail.date_raw is None:
            detail = parse_old_detail(blocks) or detail
        if detail.title is None:
            return PageResult(kind="document_detail", problem="detail page without a title line")
        return PageResult(kind="document_detail", detail=detail)
    listing = parse_search_listing(blocks) or parse_old_search(blocks)
    if listing is None:
        layout = facts.listing_layout or "collection"
        listing = parse_collection(blocks, layout)
        if listing is not None and facts.listing_type == "search":
            listing.kind, listing.layout = "search", "old_search_bare"
    if listing is None:
        return PageResult(
            kind="unknown",
            problem="unknown layout: no range line, no SEARCH RESULTS header, no dated entries, "
            "no Document Information",
        )
    kind = "search_listing" if listing.kind == "search" else "collection_listing"
    if not listing.entries and listing.range_total != 0:
        return PageResult(kind=kind, problem="listing page with no entries")
    return PageResult(kind=kind, listing=listing)


def parse_text(text: str, url: str | None = None) -> PageResult:
    return parse_blocks(text_to_blocks(text), url)
