"""Detail pages → Detail: date, title, funders, body, summary and the labelled blocks.

New site: [text] DATE / TITLE [TITLE again] / "This document was made possible with support from
..." / body paragraphs / summary / labelled blocks ("Author(s)", "Associated Places", "Associated
Topics", "Subjects Discussed", "Document Information" with its own sub-labels). Old site: DATE /
summary / a citation line `"Title," DATE, History and Public Policy Program Digital Archive,
SOURCE [URL]` / body — title, date and source come from the citation line.

A new-site page always ends with its Document Information block: a page without it was cut short
(a partial save) and is flagged `is_truncated`; its last paragraph may be body, not summary, so
no summary is claimed. A page that disagrees with itself or with its URL (two different dates,
two different record ids) is refused: one of the two is wrong and we cannot tell which.
"""

from __future__ import annotations

import re

from pipeline.dates import date_problem, looks_like_date_line, parse_date
from pipeline.extract.blocks import Block
from pipeline.extract.detail_info import LIST_SECTIONS, locate_sections, read_info
from pipeline.extract.records import Detail
from pipeline.extract.urls import UrlFacts

FUNDER_LINE = re.compile(r"^This document was made possible with support from (?P<who>.+?)\.?$")
OLD_CITATION = re.compile(
    r"^[\"“](?P<title>.+)[\"”],?\s+(?P<date>[^\"“”]+?),\s+History and Public Policy Program "
    r"Digital Archive,?\s*(?P<source>.*)$"
)
CITATION_URL = re.compile(r"\s*(?P<url>https?://\S+?/document/(?P<id>\d+)\S*)\s*\.?$")
TRANSLATOR = re.compile(
    r"Translated(?: from [A-Z][a-z]+)?(?: and annotated)?(?: for [^.]+?)? by "
    r"(?P<who>(?:[A-Z]\.\s?)*[A-Z][\w'’\-]+(?:\s+(?:[A-Z]\.|[A-Z][\w'’\-]+|and|de|van|von|der))*)"
)
TRANSLATION_SENTENCE = re.compile(r"\s*Translated[^.]*?(?:[A-Z]\.\s?)*[^.]*\.\s*$")
DATE_SEARCH_LIMIT = 20  # the date line sits near the top, after at most a few lines of text


class DetailRefused(ValueError):
    """A detail page that cannot be read without guessing; the message is the quarantine reason."""


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
    """Paragraphs as printed: a blank line between paragraphs, a newline inside one."""
    parts: list[str] = []
    for b in blocks:
        if parts:
            parts.append("\n\n" if b.gap else "\n")
        parts.append(b.text)
    return "".join(parts) or None


def _dedupe(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _head(blocks: list[Block], end: int) -> tuple[int | None, int | None]:
    """(date line index, title index) of a new-site page, either None when not printed."""
    limit = min(end, DATE_SEARCH_LIMIT)
    date_idx = next((i for i in range(limit) if looks_like_date_line(blocks[i].text)), None)
    funder_idx = next((i for i in range(end) if FUNDER_LINE.match(blocks[i].text)), None)
    if date_idx is not None and (funder_idx is None or date_idx < funder_idx):
        title_idx = date_idx + 1
    elif funder_idx is not None:
        date_idx = None
        title_idx = funder_idx - 1  # no date line: the title is the line over the funder line
        if title_idx > 0 and blocks[title_idx].text == blocks[title_idx - 1].text:
            title_idx -= 1
    else:
        title_idx = 0
    if title_idx < 0 or title_idx >= end or FUNDER_LINE.match(blocks[title_idx].text):
        title_idx = None
    return date_idx, title_idx


def parse_new_detail(blocks: list[Block]) -> Detail:
    """New-site detail page (see module doc)."""
    detail = Detail(layout="new_detail")
    sections = locate_sections(blocks)
    end = sections[0][0] if sections else len(blocks)
    date_idx, title_idx = _head(blocks, end)
    if date_idx is not None:
        detail.date_raw = blocks[date_idx].text
    first = date_idx if date_idx is not None else title_idx
    detail.pre_text = "\n\n".join(b.text for b in blocks[: first or 0]) or None
    pos = first or 0
    if title_idx is not None:
        detail.title = blocks[title_idx].text
        pos = title_idx + 1
        if pos < end and blocks[pos].text == detail.title:
            pos += 1  # the title printed twice
    elif date_idx is not None:
        pos = date_idx + 1
    funders: list[str] = []
    content: list[Block] = []
    for b in blocks[pos:end]:
        m = FUNDER_LINE.match(b.text)
        if m:
            funders.append(m.group("who"))
        else:
            content.append(b)
    detail.is_truncated = not any(name == "info" for _, name in sections)
    if detail.is_truncated:
        detail.body = _join_body(content)
    elif content:
        detail.summary = content[-1].text
        detail.body = _join_body(content[:-1])
    for n, (start, name) in enumerate(sections):
        stop = sections[n + 1][0] if n + 1 < len(sections) else len(blocks)
        section = blocks[start + 1 : stop]
        if name == "info":
            funders.extend(_trailing_funders(read_info(section, detail)))
        elif name == "donors":  # a labelled funder list: the same facts as the funder line
            funders.extend(b.text for b in section)
        elif name in LIST_SECTIONS:
            setattr(detail, name, _dedupe([b.text for b in section]) or None)
    detail.funders = _dedupe(funders) or None
    detail.source = source_from(detail.citation)
    detail.translator = translator_from(detail.citation)
    if detail.is_truncated and (title_idx is None or title_idx == len(blocks) - 1):
        raise DetailRefused("detail page cut short at or before its title line")
    return detail


def _trailing_funders(lines: list[str]) -> list[str]:
    """Lines printed after Document Information: the funder names, repeated at the foot.

    Anything else there (a sentence, a long line) is a block we do not know: refused rather
    than filed as a funder.
    """
    for line in lines:
        if len(line.split()) > 12 or line.endswith("."):
            raise DetailRefused(f"unrecognised text after Document Information: {line[:60]!r}")
    return lines


def parse_old_detail(blocks: list[Block]) -> Detail | None:
    """Old-site detail page: the citation line carries title, date and source."""
    cite_idx = next((i for i, b in enumerate(blocks) if OLD_CITATION.match(b.text)), None)
    if cite_idx is None:
        return None
    m = OLD_CITATION.match(blocks[cite_idx].text)
    assert m is not None
    detail = Detail(layout="old_detail")
    head = blocks[:cite_idx]
    date_idx = next((i for i, b in enumerate(head) if looks_like_date_line(b.text)), None)
    detail.title = m.group("title").strip().rstrip(",").strip() or None
    detail.date_raw = m.group("date").strip()
    if date_idx is not None:
        _check_same_date(head[date_idx].text, detail.date_raw)
        detail.pre_text = "\n\n".join(b.text for b in head[:date_idx]) or None
        head = head[date_idx + 1 :]
    detail.summary = "\n\n".join(b.text for b in head) or None
    detail.citation = blocks[cite_idx].text
    source = m.group("source").strip()
    if url := CITATION_URL.search(source):
        detail.record_id = url.group("id")
        source = source[: url.start()].strip()
    detail.source = source_from(source) or None
    detail.body = _join_body(blocks[cite_idx + 1 :])
    detail.translator = translator_from(detail.citation)
    return detail


def _check_same_date(printed: str, cited: str) -> None:
    """The date line over the summary and the citation's date must name the same date."""
    a, b = parse_date(printed), parse_date(cited)
    same = printed.strip() == cited.strip() or (a is not None and b is not None and a.key == b.key)
    if not same:
        raise DetailRefused(f"date line {printed!r} disagrees with the citation's date {cited!r}")


def _has_new_marks(blocks: list[Block]) -> bool:
    return any(
        b.text.lower() == "document information" or FUNDER_LINE.match(b.text) for b in blocks
    )


def parse_detail(blocks: list[Block], facts: UrlFacts | None = None) -> Detail:
    """Read a detail page of either site; raises DetailRefused with the reason when it cannot."""
    facts = facts or UrlFacts()
    old = parse_old_detail(blocks)
    if old is not None and (facts.site == "old" or not _has_new_marks(blocks)):
        detail = old
    elif _has_new_marks(blocks) or facts.site == "new":
        detail = parse_new_detail(blocks)
    else:
        raise DetailRefused(
            "detail page without a citation line or Document Information: "
            "cut short before them, or a layout we do not know"
        )
    if detail.title is None:
        raise DetailRefused("detail page without a title line")
    if not _has_new_marks(blocks) and old is None and detail.date_raw is None:
        raise DetailRefused(
            f"page at a document URL prints no date line and no detail-page blocks (title "
            f"{detail.title!r}): an error page or a page cut before its content"
        )
    if facts.record_id:
        if detail.record_id and detail.record_id != facts.record_id:
            raise DetailRefused(
                f"record id {detail.record_id} on the page differs from "
                f"{facts.record_id} in the URL"
            )
        detail.record_id = facts.record_id
    detail.slug = detail.slug or facts.slug
    detail.node_id = detail.node_id or facts.node_id
    detail.date_problem = date_problem(detail.date_raw) if detail.date_raw else None
    return detail
