"""A listing page's entry region → Entry records, with the cut-short checks.

Two layouts share these rules. *Old* (bullets, or "-" separator lines): a bullet or a separator
always opens a new entry. *New* (date / title / summary paragraphs separated by blank lines):
an entry opens at a date line, or — when the date line is missing — at a run of two or more
blank lines. In both, a date-like line that follows a lone date line is that entry's title
(titles such as "1968" exist), and a date-like line after a title or summary opens a new entry
even without its bullet, so one lost bullet glyph cannot merge two documents into one row.

A date-like line is any line standing where a date stands: readable, "ND", impossible
("February 30, 1950") or unread ("Early 1950"); reading it as a title would shift every field.
"""

from __future__ import annotations

import re

from pipeline.dates import date_problem, looks_like_cut_date, looks_like_date_line
from pipeline.extract.blocks import Block
from pipeline.extract.records import Entry

TERMINAL = re.compile(r"[.!?…][\"“”’')\]]*$|[)\]\"”]$")
ND_SUMMARY = re.compile(r"^ND\s*--")
# Words that end in "." without ending a sentence: a one-line title may end with them.
_ABBREVIATION = re.compile(r"(?:\b[A-Z]|\bNo|\bCde|\bJr|\bSr|\bSt|\bDr|\bGen|\bCol|\bvs)\.$")


class EntryLayoutError(ValueError):
    """The entry region cannot be cut into entries without guessing; the page is refused."""


def has_old_markers(blocks: list[Block]) -> bool:
    """Old-site listings mark entries with bullets or "-" separator lines."""
    return any(b.bullet or b.separator for b in blocks)


def first_entry_index(blocks: list[Block]) -> int | None:
    """Where the entry region begins: the first bullet (old, bulleted), else the first separator
    or date-like line. Date-like lines before the first bullet belong to the header."""
    if any(b.bullet for b in blocks):
        return next(i for i, b in enumerate(blocks) if b.bullet)
    for i, b in enumerate(blocks):
        if b.separator or looks_like_date_line(b.text):
            return i
    return None


def _has_content(entry: list[Block]) -> bool:
    """Does the entry hold more than a leading date line?"""
    if not entry:
        return False
    return len(entry) > 1 or not looks_like_date_line(entry[0].text)


def split_entries(blocks: list[Block], old: bool) -> list[list[Block]]:
    """Cut the entry region into one block list per entry (see module doc for the rules)."""
    entries: list[list[Block]] = []
    current: list[Block] | None = None
    for b in blocks:
        if b.separator:
            current = None  # the next block opens a new entry
            continue
        if current is None or b.bullet:
            opens = True
        elif looks_like_date_line(b.text):
            opens = _has_content(current)
        else:
            opens = not old and b.gap >= 2 and _has_content(current)
        if opens:
            current = []
            entries.append(current)
        assert current is not None
        current.append(b)
    return [e for e in entries if e]


def looks_like_summary(text: str) -> bool:
    """Old site, one line under the date: is it the summary (no title printed)?

    Summaries are sentences; titles almost never end with a full stop (except after an
    initial or "No."), and "ND -- " only ever opens a summary.
    """
    if ND_SUMMARY.match(text):
        return True
    if len(text.split()) < 5 or _ABBREVIATION.search(text):
        return False
    return bool(re.search(r"[.!?][\"”’')\]]*$", text))


def entry_from_blocks(position: int, blocks: list[Block], old: bool) -> Entry:
    """date / title / summary from one entry's blocks."""
    date_raw = None
    rest = blocks
    if rest and looks_like_date_line(rest[0].text):
        date_raw, rest = rest[0].text, rest[1:]
    if len(rest) >= 2 and rest[0].text == rest[1].text:
        rest = rest[:1] + rest[2:]  # the title printed twice
    title = summary = None
    if len(rest) == 1 and (
        ND_SUMMARY.match(rest[0].text) or (old and looks_like_summary(rest[0].text))
    ):
        summary = rest[0].text
    elif rest:
        title = rest[0].text
        summary = "\n\n".join(b.text for b in rest[1:]) or None
    entry = Entry(position, date_raw, title, summary)
    entry.date_problem = date_problem(date_raw) if date_raw else None
    return entry


def _opens_entry(last: Block, before: list[Block], old: bool) -> bool:
    """Would the page's last block open a new entry (rather than continue the one before)?"""
    if last.bullet or not before or before[-1].separator:
        return True
    previous = split_entries(before, old)
    return bool(previous) and _has_content(previous[-1])


def parse_entries(
    blocks: list[Block], old: bool, expected: int | None = None
) -> tuple[list[Entry], bool]:
    """Entries in page order, and whether the page was cut short.

    A date line cut mid-way at the end is dropped; a last entry holding only its date is
    dropped; a last entry whose summary stops without final punctuation is flagged, and so is
    a last entry that ends on its title. A page holding fewer entries than its range line
    promises is cut short. Raises EntryLayoutError for a date-only entry mid-page.
    """
    truncated = False
    if (
        blocks
        and looks_like_cut_date(blocks[-1].text)
        and _opens_entry(blocks[-1], blocks[:-1], old)
    ):
        blocks = blocks[:-1]
        truncated = True
    entries = [entry_from_blocks(i + 1, g, old) for i, g in enumerate(split_entries(blocks, old))]
    if entries and entries[-1].title is None and entries[-1].summary is None:
        entries.pop()
        truncated = True
    for e in entries:
        if e.title is None and e.summary is None:
            raise EntryLayoutError(f"entry {e.position} has a date line but no title or summary")
    short = expected is not None and len(entries) < expected
    if entries:
        last = entries[-1]
        cut_summary = last.summary is not None and not TERMINAL.search(last.summary)
        # A page that ends on a title may have lost the summary, or the title's end, to the cut:
        # nothing on the page can prove it whole, so it is not passed off as whole.
        ends_on_title = last.summary is None
        if cut_summary or ends_on_title:
            last.is_truncated = True
            truncated = True
    return entries, truncated or short
