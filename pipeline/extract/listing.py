"""Listing pages (collections, topics, people/places, search results) → Listing with entries.

One rule set serves both site generations and text or HTML input, because all of them arrive
as blocks. An entry starts at a date line, a bullet, a "-" separator, or (new site) a run of two
or more blank lines where the date line would be. Inside an entry: date, title, summary
paragraphs.
"""

from __future__ import annotations

import re

from pipeline.dates import is_date_line, looks_like_cut_date
from pipeline.extract.blocks import Block
from pipeline.extract.records import Entry, Listing

RANGE_LINE = re.compile(r"^(\d[\d,]*)\s*[-–]\s*(\d[\d,]*)\s+of\s+(\d[\d,]*)(?:\s+results?)?$", re.I)
SEARCH_HEADER = re.compile(r"^SEARCH RESULTS(?:\s+FOR\s+[\"“”']?(?P<term>.*?)[\"“”']?)?$", re.I)
POPULAR_HEADER = re.compile(r"^(?:popular|related|featured) documents$", re.I)
_TERMINAL = re.compile(r"[.!?…\"”’)\]]$")


def int_or_none(text: str) -> int:
    return int(text.replace(",", ""))


def find_range(blocks: list[Block], limit: int = 12) -> tuple[int, tuple[int, int, int]] | None:
    """The "31 - 40 of 43" line near the top of a new-site search page."""
    for i, b in enumerate(blocks[:limit]):
        m = RANGE_LINE.match(b.text)
        if m:
            return i, (int_or_none(m[1]), int_or_none(m[2]), int_or_none(m[3]))
    return None


def is_entry_start(block: Block) -> bool:
    return block.bullet or block.separator or is_date_line(block.text)


def split_entries(blocks: list[Block], gap_marks_entry: bool) -> list[list[Block]]:
    """Cut the entry region into one block list per entry."""
    entries: list[list[Block]] = []
    current: list[Block] | None = None
    for b in blocks:
        if b.separator:
            current = None  # the next block opens a new entry
            continue
        starts = b.bullet or is_date_line(b.text) or (gap_marks_entry and b.gap >= 2)
        if current is None or starts:
            current = []
            entries.append(current)
        current.append(b)
    return [e for e in entries if e]


def looks_like_summary(text: str) -> bool:
    """For an entry with one line under its date: is it the summary (no title printed)?"""
    if text.startswith("ND -- ") or text.startswith("ND --"):
        return True
    words = len(text.split())
    return words >= 12 and bool(_TERMINAL.search(text)) and ". " in text + " "


def entry_from_blocks(position: int, blocks: list[Block]) -> Entry:
    """date / title / summary from one entry's blocks."""
    date_raw = None
    rest = blocks
    if blocks and is_date_line(blocks[0].text):
        date_raw = blocks[0].text
        rest = blocks[1:]
    elif blocks and blocks[0].bullet and looks_like_cut_date(blocks[0].text):
        return Entry(position, blocks[0].text, None, None, is_truncated=True)
    title = summary = None
    if len(rest) == 1 and looks_like_summary(rest[0].text):
        summary = rest[0].text
    elif rest:
        title = rest[0].text
        summary = "\n\n".join(b.text for b in rest[1:]) or None
    return Entry(position, date_raw, title, summary)


def parse_entries(blocks: list[Block], gap_marks_entry: bool) -> tuple[list[Entry], bool]:
    """Entries in page order, and whether the page was cut short inside the last one."""
    truncated = False
    if blocks and looks_like_cut_date(blocks[-1].text):
        blocks = blocks[:-1]
        truncated = True
    entries = [
        entry_from_blocks(i + 1, group)
        for i, group in enumerate(split_entries(blocks, gap_marks_entry))
    ]
    if entries:
        last = entries[-1]
        cut_summary = last.summary is not None and not _TERMINAL.search(last.summary)
        cut_title = last.date_raw is not None and last.title is None and last.summary is None
        if cut_summary or cut_title or last.is_truncated:
            last.is_truncated = True
            truncated = True
    return entries, truncated


def first_entry_index(blocks: list[Block], start: int) -> int | None:
    for i in range(start, len(blocks)):
        if is_entry_start(blocks[i]):
            return i
    return None


def parse_search_listing(blocks: list[Block]) -> Listing | None:
    """New-site search page: a range line, then date / title / summary entries."""
    found = find_range(blocks)
    if found is None:
        return None
    idx, (first, last, total) = found
    body = blocks[idx + 1 :]
    entries, truncated = parse_entries(body, gap_marks_entry=not _has_old_markers(body))
    return Listing(
        kind="search",
        layout="new_search",
        range_first=first,
        range_last=last,
        range_total=total,
        entries=entries,
        is_truncated=truncated or len(entries) < (last - first + 1),
    )


def _has_old_markers(blocks: list[Block]) -> bool:
    return any(b.bullet or b.separator for b in blocks)


def parse_old_search(blocks: list[Block]) -> Listing | None:
    """Old-site search results: "SEARCH RESULTS [FOR “term”]" then bullet or "-" entries."""
    header = next(
        ((i, m) for i, b in enumerate(blocks[:8]) if (m := SEARCH_HEADER.match(b.text))), None
    )
    if header is None:
        return None
    idx, m = header
    start = first_entry_index(blocks, idx + 1)
    entries, truncated = ([], False) if start is None else parse_entries(blocks[start:], False)
    return Listing(
        kind="search",
        layout="old_search",
        search_term=(m.group("term") or None) if m else None,
        entries=entries,
        is_truncated=truncated,
    )


def parse_collection(blocks: list[Block], layout: str) -> Listing | None:
    """Title and description, then entries (old-site bullets/"-" blocks or new-site triples)."""
    start = first_entry_index(blocks, 0)
    if start is None:
        return None
    header = blocks[:start]
    popular = next((i for i, b in enumerate(header) if POPULAR_HEADER.match(b.text)), None)
    if popular is not None:
        header = header[:popular]
    body = blocks[start:]
    entries, truncated = parse_entries(body, gap_marks_entry=not _has_old_markers(body))
    title = header[0].text if header else None
    description = "\n\n".join(b.text for b in header[1:]) or None
    return Listing(
        kind="collection" if title else "search",
        layout=layout if title else "old_search_bare",
        title=title,
        description=description,
        entries=entries,
        is_truncated=truncated,
    )
