"""Listing pages (collections, topics, people/places, search results) → Listing with entries.

One rule set serves both site generations and text or HTML input, because all of them arrive
as blocks. A listing page is: an optional header (a range line "31 - 40 of 43", a "SEARCH
RESULTS [FOR “term”]" line, a title and description, a "Popular Documents" heading), then the
entry region (see `listing_entries`).

What the page is (collection or search, and which listing type) comes from the URL when it is
known, else from the page. A page we cannot place with confidence is refused (`ListingRefused`)
rather than read as a guess: refused pages become quarantine rows, guessed ones wrong rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.dates import looks_like_date_line
from pipeline.extract.blocks import Block
from pipeline.extract.listing_entries import (
    EntryLayoutError,
    first_entry_index,
    has_old_markers,
    parse_entries,
)
from pipeline.extract.records import Listing
from pipeline.extract.urls import UrlFacts

RESULT_HEADINGS = {"documents", "results", "search results"}  # printed around the range line
RANGE_LINE = re.compile(r"^(\d[\d,]*)\s*[-–]\s*(\d[\d,]*)\s+of\s+(\d[\d,]*)(?:\s+results?)?$", re.I)
SEARCH_HEADER = re.compile(r"^SEARCH RESULTS(?:\s+FOR:?\s+[\"“”']?(?P<term>.*?)[\"“”']?)?$", re.I)
POPULAR_HEADER = re.compile(r"^(?:popular|related|featured) documents$", re.I)
HEADER_LIMIT = 12  # the range line and search header sit near the top


class ListingRefused(ValueError):
    """The page looks like a listing but cannot be read without guessing; the reason says why.

    `kind` is the listing kind when it was already known (collection | search), else None.
    """

    def __init__(self, reason: str, kind: str | None = None) -> None:
        super().__init__(reason)
        self.kind = kind


@dataclass
class _Header:
    """What precedes the entries."""

    lines: list[Block]
    range: tuple[int, int, int] | None = None
    search_header: bool = False
    search_term: str | None = None
    popular: bool = False


def _int(text: str) -> int:
    return int(text.replace(",", ""))


def _read_header(blocks: list[Block]) -> tuple[_Header, int] | None:
    """Split off the header; returns it and the index where the entry region begins."""
    header = _Header(lines=[])
    skip: set[int] = set()
    for i, b in enumerate(blocks[:HEADER_LIMIT]):
        if header.range is None and (m := RANGE_LINE.match(b.text)):
            header.range = (_int(m[1]), _int(m[2]), _int(m[3]))
            skip.add(i)
        elif not header.search_header and (m := SEARCH_HEADER.match(b.text)):
            header.search_header, header.search_term = True, (m["term"] or None)
            skip.add(i)
        elif b.bullet or b.separator or looks_like_date_line(b.text):
            break  # the entry region has begun
    after = max(skip) + 1 if skip else 0
    if header.range is not None and after < len(blocks):
        # New-site search results: entries follow the range line directly (after a "Documents"
        # heading on some mirrors), so a first entry without a date line (an extra blank where
        # the date stands) is an entry, not header.
        while after < len(blocks) and blocks[after].text.lower().rstrip(":") in RESULT_HEADINGS:
            after += 1
        return header, after
    start = first_entry_index(blocks[after:])
    if start is None:
        if header.range is None or header.range[2] != 0:
            return None
        start = len(blocks) - after  # "0 - 0 of 0": a search with no results, nothing to read
    start += after
    for i, b in enumerate(blocks[:start]):
        if i in skip:
            continue
        if POPULAR_HEADER.match(b.text):
            header.popular = True
            continue
        header.lines.append(b)
    return header, start


def _kind_and_type(header: _Header, facts: UrlFacts, old: bool) -> tuple[str, str | None]:
    """(kind, listing_type): the URL decides when known, else the page's own marks."""
    if facts.listing_type:
        kind = "search" if facts.listing_type == "search" else "collection"
        return kind, facts.listing_type
    if header.search_header or (header.range and not header.lines):
        return "search", "search"
    if not header.lines:
        if old:
            return "search", "search"  # old-site search results printed without any header
        raise ListingRefused(
            "dated entries with no range line, no SEARCH RESULTS header and no title: "
            "not a listing layout we know (a detail page cut short?)"
        )
    if old:
        return "collection", "collection"
    return "collection", (None if header.popular else "topic")


def _layout(kind: str, header: _Header, facts: UrlFacts, old: bool) -> str:
    if kind == "search":
        if header.range:
            return "new_search"
        if header.search_header:
            return "old_search"
        return "old_search_bare" if old or facts.site == "old" else "new_search"
    if facts.listing_type:
        return facts.listing_layout or "collection"
    return "collection" if old else "new_collection"


def _check_confident(listing: Listing, header: _Header, facts: UrlFacts, old: bool) -> None:
    """Refuse pages that only resemble a listing.

    Entries are dated (an undated one is the exception), so a page whose "entries" are mostly
    undated is some other page with a bullet list or a "-" line. A URL-less new-site page with a
    title is read as a topic page only when it really looks like one: a range line, a Popular
    Documents heading, or two or more whole entries.
    """
    dated = sum(1 for e in listing.entries if e.date_raw)
    if listing.entries and dated * 2 < len(listing.entries):
        raise ListingRefused(
            f"only {dated} of {len(listing.entries)} entries have a date line: "
            "not a listing layout we know"
        )
    if facts.listing_type or old or listing.kind == "search" or header.range or header.popular:
        return
    whole = [e for e in listing.entries if e.date_raw and e.title]
    if len(whole) < 2:
        raise ListingRefused(
            "a title followed by fewer than two dated entries and no URL: "
            "cannot tell a topic page from some other page"
        )  # kind unknown: it may not be a listing at all


def parse_listing(blocks: list[Block], facts: UrlFacts | None = None) -> Listing | None:
    """Read a listing page; None when it has no entry region at all.

    Raises ListingRefused when it has one but cannot be read without guessing.
    """
    facts = facts or UrlFacts()
    found = _read_header(blocks)
    if found is None:
        return None
    header, start = found
    old = has_old_markers(blocks[start:])
    kind, listing_type = _kind_and_type(header, facts, old)
    expected = None
    if header.range:
        first, last, total = header.range
        expected = max(0, last - first + 1) if total else 0
    try:
        entries, truncated = parse_entries(blocks[start:], old, expected)
    except EntryLayoutError as exc:
        raise ListingRefused(str(exc), kind) from exc
    if expected is not None and len(entries) > expected:
        raise ListingRefused(
            f"{len(entries)} entries read but the range line says {expected}: "
            "entry boundaries are not where we think",
            kind,
        )
    lines = header.lines
    listing = Listing(
        kind=kind,
        layout=_layout(kind, header, facts, old),
        title=lines[0].text if lines else None,
        description="\n\n".join(b.text for b in lines[1:]) or None,
        range_first=header.range[0] if header.range else None,
        range_last=header.range[1] if header.range else None,
        range_total=header.range[2] if header.range else None,
        search_term=header.search_term or facts.search_term,
        page_number=facts.page_number,
        entries=entries,
        is_truncated=truncated,
        listing_type=listing_type,
    )
    _check_confident(listing, header, facts, old)
    return listing
