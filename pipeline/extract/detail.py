"""Detail pages → Detail: date, title, funders, body, summary and the labelled blocks.

New site: [text] DATE / TITLE / "This document was made possible with support from ..." / body
paragraphs / summary / labelled blocks ("Author(s)", ..., "Document Information" with its own
sub-labels). Old site: DATE / summary / a citation line `"Title," DATE, History and Public Policy
Program Digital Archive, SOURCE` / body — title, date and source come from the citation line.
"""

from __future__ import annotations

import re

from pipeline.dates import is_date_line
from pipeline.extract.blocks import Block
from pipeline.extract.records import Detail

FUNDER_LINE = re.compile(r"^This document was made possible with support from (?P<who>.+?)\.?$")
OLD_CITATION = re.compile(
    r"^[\"“](?P<title>.+?),?[\"”],?\s+(?P<date>.+?),\s+History and Public Policy Program "
    r"Digital Archive,?\s*(?P<source>.*)$"
)
TRANSLATOR = re.compile(
    r"Translated(?: from [A-Z][a-z]+)?(?: and annotated)?(?: for [^.]+?)? by "
    r"(?P<who>(?:[A-Z]\.\s?)*[A-Z][\w'’\-]+(?:\s+(?:[A-Z]\.|[A-Z][\w'’\-]+|and|de|van|von|der))*)"
)
TRANSLATION_SENTENCE = re.compile(r"\s*Translated[^.]*?(?:[A-Z]\.\s?)*[^.]*\.\s*$")

SECTIONS = {
    "author(s)": "authors",
    "authors": "authors",
    "associated places": "places",
    "associated topics": "topics",
    "subjects discussed": "subjects",
    "document information": "info",
}
INFO_FIELDS = {
    "source": "source",
    "original archive": "original_archive",
    "rights": "rights",
    "original uploaded date": "original_uploaded_date",
    "type": "doc_type",
    "language": "language",
    "record id": "record_id",
    "original classification": "original_classification",
}
SINGLE_VALUED = {"original_uploaded_date", "doc_type", "record_id", "original_classification"}
LIST_SECTIONS = {"authors", "places", "topics", "subjects"}


def is_detail_page(blocks: list[Block]) -> bool:
    """A detail page prints Document Information, the funder line, or an old-site citation."""
    return any(
        b.text.lower() == "document information"
        or FUNDER_LINE.match(b.text)
        or OLD_CITATION.match(b.text)
        for b in blocks
    )


def translator_from(citation: str | None) -> str | None:
    if not citation:
        return None
    m = TRANSLATOR.search(citation)
    return m.group("who").strip() if m else None


def source_from(citation: str | None) -> str | None:
    """The archival source without the "Translated by ..." sentence."""
    if not citation:
        return None
    return TRANSLATION_SENTENCE.sub("", citation).strip() or citation


def _join_body(blocks: list[Block]) -> str | None:
    parts: list[str] = []
    for b in blocks:
        if parts:
            parts.append("\n\n" if b.gap else "\n")
        parts.append(b.text)
    return "".join(parts) or None


def _dedupe(items: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        seen.setdefault(item, None)
    return list(seen)


def _read_info(blocks: list[Block], detail: Detail) -> list[str]:
    """Fill Document Information fields; returns trailing lines (funders printed last)."""
    current: str | None = None
    leading: list[str] = []
    values: dict[str, list[str]] = {}
    trailing: list[str] = []
    for b in blocks:
        key = INFO_FIELDS.get(b.text.lower().rstrip(":"))
        if key:
            current = key
            values.setdefault(key, [])
            continue
        if current is None:
            leading.append(b.text)
        elif current in SINGLE_VALUED and values[current]:
            trailing.append(b.text)
        else:
            values[current].append(b.text)
    if leading and "source" not in values:
        values["source"] = [leading[0]]
        leading = leading[1:]
    if leading:
        values.setdefault("rights", []).extend(leading)
    for key, lines in values.items():
        text = "\n\n".join(lines) or None
        setattr(detail, key, text)
    detail.citation = detail.source
    detail.source = source_from(detail.citation)
    return trailing


def _locate_sections(blocks: list[Block]) -> list[tuple[int, str]]:
    return [
        (i, SECTIONS[b.text.lower()]) for i, b in enumerate(blocks) if b.text.lower() in SECTIONS
    ]


def parse_new_detail(blocks: list[Block]) -> Detail:
    """New-site detail page (see module doc)."""
    detail = Detail(layout="new_detail")
    date_idx = next((i for i, b in enumerate(blocks[:20]) if is_date_line(b.text)), None)
    pos = 0
    if date_idx is not None:
        detail.pre_text = "\n\n".join(b.text for b in blocks[:date_idx]) or None
        detail.date_raw = blocks[date_idx].text
        pos = date_idx + 1
    sections = _locate_sections(blocks)
    end = sections[0][0] if sections else len(blocks)
    if pos < end and not FUNDER_LINE.match(blocks[pos].text):
        detail.title = blocks[pos].text
        pos += 1
    funders: list[str] = []
    while pos < end and (m := FUNDER_LINE.match(blocks[pos].text)):
        funders.append(m.group("who"))
        pos += 1
    content = blocks[pos:end]
    if content:
        detail.summary = content[-1].text
        detail.body = _join_body(content[:-1])
    for n, (start, name) in enumerate(sections):
        stop = sections[n + 1][0] if n + 1 < len(sections) else len(blocks)
        section = blocks[start + 1 : stop]
        if name == "info":
            funders.extend(_read_info(section, detail))
        elif name in LIST_SECTIONS:
            setattr(detail, name, [b.text for b in section] or None)
    detail.funders = _dedupe(funders) or None
    detail.translator = translator_from(detail.citation)
    return detail


def parse_old_detail(blocks: list[Block]) -> Detail | None:
    """Old-site detail page: the citation line carries title, date and source."""
    cite_idx = next((i for i, b in enumerate(blocks) if OLD_CITATION.match(b.text)), None)
    if cite_idx is None:
        return None
    m = OLD_CITATION.match(blocks[cite_idx].text)
    assert m is not None
    detail = Detail(layout="old_detail")
    head = blocks[:cite_idx]
    date_idx = next((i for i, b in enumerate(head) if is_date_line(b.text)), None)
    if date_idx is not None:
        detail.date_raw = head[date_idx].text
        head = head[date_idx + 1 :]
    else:
        detail.date_raw = m.group("date").strip()
    detail.title = m.group("title").strip()
    detail.summary = "\n\n".join(b.text for b in head) or None
    detail.citation = blocks[cite_idx].text
    detail.source = m.group("source").strip() or None
    detail.body = _join_body(blocks[cite_idx + 1 :])
    detail.translator = translator_from(detail.citation)
    return detail
