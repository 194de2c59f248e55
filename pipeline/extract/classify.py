"""Decide what a page is and hand it to the right parser.

Order matters: detail pages first (they carry unmistakable labels, or their URL says
/document/), then listing pages (range line, "SEARCH RESULTS", bullets, or a title over dated
entries). Anything else is `unknown` and yields no rows, only a quarantine reason — a page we do
not understand must never produce wrong rows. When the URL and the page disagree about what
the page is, the page is refused too: one of them is wrong and we cannot tell which.
"""

from __future__ import annotations

from pipeline.extract.blocks import BULLETS, Block, text_to_blocks
from pipeline.extract.detail import DetailRefused, is_detail_page, parse_detail
from pipeline.extract.listing import ListingRefused, parse_listing
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
    "results:",  # mirror sites print it above the range line
}
_BULLET_PADDING = " \t\u00a0"  # what may surround a bullet printed on its own line


def strip_chrome(blocks: list[Block]) -> list[Block]:
    """Drop leading chrome lines (any subset, in any order)."""
    i = 0
    while i < len(blocks) and blocks[i].text.lower() in CHROME:
        i += 1
    return blocks[i:]


def _detail_result(blocks: list[Block], url: str | None) -> PageResult:
    facts = url_facts(url)
    try:
        detail = parse_detail(blocks, facts)
    except DetailRefused as exc:
        return PageResult(kind="document_detail", problem=str(exc))
    return PageResult(kind="document_detail", detail=detail)


def parse_blocks(blocks: list[Block], url: str | None = None) -> PageResult:
    """Classify and parse a page already rendered to blocks."""
    blocks = strip_chrome(blocks)
    if not blocks:
        return PageResult(kind="unknown", problem="no visible text besides site chrome")
    facts = url_facts(url)
    if facts.is_document or is_detail_page(blocks):
        if facts.listing_type:
            return PageResult(
                kind="unknown",
                problem=f"URL names a {facts.listing_type} listing but the page prints "
                "detail-page blocks (Document Information / funder line / citation)",
            )
        return _detail_result(blocks, url)
    try:
        listing = parse_listing(blocks, facts)
    except ListingRefused as exc:
        kind = {"search": "search_listing", "collection": "collection_listing"}.get(exc.kind or "")
        return PageResult(kind=kind or "unknown", problem=f"unreadable listing: {exc}")
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


def _is_bare_bullet(line: str) -> bool:
    core = line.strip(_BULLET_PADDING)
    return len(core) == 1 and core in BULLETS


def join_bare_bullets(text: str) -> tuple[str, bool]:
    """A bullet printed on its own line belongs to the next line ("•" / "Title" → "• Title").

    Returns the text and whether the page ends on a bare bullet (a save cut right after it).
    Most pages print no bullet character at all: they are returned after one scan per bullet.
    """
    if not any(bullet in text for bullet in BULLETS):
        return text, False
    lines = text.split("\n")
    out: list[str] = []
    pending = False
    for line in lines:
        if _is_bare_bullet(line):
            pending = True
            continue
        if pending and line.strip():
            indent = line[: len(line) - len(line.lstrip())]
            line = f"{indent}• {line.strip()}"
            pending = False
        out.append(line)
    return "\n".join(out), pending


def parse_text(text: str, url: str | None = None) -> PageResult:
    """Parse a visible-text snapshot."""
    text, cut_after_bullet = join_bare_bullets(text.replace("\r\n", "\n"))
    result = parse_blocks(text_to_blocks(text), url)
    if cut_after_bullet and result.listing is not None:
        result.listing.is_truncated = True
    return result
