"""Page writers for the saves-as-text layouts: new-site detail and search pages, old-site
detail and collection pages (the shapes of the real snapshots in raw/), and bad files.

Why a module of its own: these layouts are what the pipeline's text parsers read, line by line;
each writer mirrors one real snapshot so a parser change can be checked against it.
"""

from __future__ import annotations

import random

from bench import vocab
from bench.corpus_model import SITE, Doc, new_site_date, old_site_date
from bench.page_content import PrintedEntry, body_paragraphs, detail_facts
from bench.page_plan import Collection


def render_detail_text(seed: int, doc: Doc, variant: int = 0) -> str:
    """New-site detail page saved as visible text (layout of raw/001_*.txt)."""
    f = detail_facts(seed, doc, "new_text", variant)
    paras = body_paragraphs(seed, doc)
    date = new_site_date(doc)
    parts = ["Skip to content", ""]
    if date:
        parts += [date, ""]
    else:
        parts += [""]
    parts += [doc.title, "", f"This document was made possible with support from {f.funder}"]
    parts += ["", "", "", ""]
    parts.append("\n\n\n".join(paras))
    parts += ["", ""]
    if doc.summary:
        parts += [doc.summary, ""]
    parts += [
        "Document Information",
        "",
        "",
        f.citation,
        "",
        "",
        vocab.RIGHTS[0],
        "",
        vocab.RIGHTS[1],
        "",
        "Original Uploaded Date",
        "",
    ]
    parts += [f.uploaded, "", "", "Record ID", ""] if f.print_ids else ["", "", "", "Record ID"]
    parts += [str(doc.record_id), "", ""] if f.print_ids else ["", ""]
    parts += ["Original Classification", "", f.classification, "", "", f.funder]
    return "\n".join(parts)


def render_old_detail_text(seed: int, doc: Doc, variant: int = 0) -> str:
    """Old-site detail page: date, summary, a citation line carrying title and source, body."""
    f = detail_facts(seed, doc, "old_text")
    paras = body_paragraphs(seed, doc)
    date = old_site_date(doc)
    parts = ["Search in"]
    if variant:
        parts.append("ADD SEARCH FILTER CANCEL SEARCH FILTER")
    parts += ["", "Digital Archive International History Declassified", ""]
    if date:
        parts += [date, ""]
    if doc.summary:
        parts += [doc.summary, ""]
    cite = (
        f'"{doc.title}," {date or "undated"}, History and Public Policy Program Digital Archive, '
        f"{f.citation} {SITE}/document/{doc.record_id}"
    )
    parts += [cite, "", "\n\n".join(paras)]
    return "\n".join(parts)


def render_search_text(first: int, total: int, entries: list[PrintedEntry]) -> str:
    """New-site search page as visible text (layout of raw/000_*.txt and raw/004_*.txt)."""
    lines = ["Skip to content", "", "", f"{first} - {first + len(entries) - 1} of {total}", "", ""]
    for i, e in enumerate(entries):
        if i:
            lines.append("")
        lines += [e.date, ""] if e.date else [""]  # an undated entry: one more blank line
        lines.append(e.title)
        if e.summary is not None:
            lines += ["", e.summary]
    return "\n".join(lines)


def render_collection_text(coll: Collection, entries: list[PrintedEntry], filters: bool) -> str:
    """Old-site collection page as visible text (layout of raw/002_*.txt and raw/003_*.txt)."""
    lines = ["Search in"]
    if filters:
        lines.append("ADD SEARCH FILTER CANCEL SEARCH FILTER")
    lines += [
        "",
        "Digital Archive International History Declassified",
        "",
        "No image found.",
        "",
        coll.title,
        "",
        coll.description,
    ]
    for e in entries:
        if e.date:
            lines += ["", f"  \u2022 {e.date}", "", f"    {e.title}"]
        else:  # no date to carry the bullet: it sits on the title
            lines += ["", f"  \u2022 {e.title}"]
        if e.summary is not None:
            lines += ["", f"    {e.summary}"]
    return "\n".join(lines)


def render_bad(rng: random.Random, kind: str) -> bytes:
    """A page that is not a page: empty, blank, binary, or a layout no parser knows."""
    if kind == "empty":
        return b""
    if kind == "whitespace":
        return b"\n\n   \n\t\n"
    if kind == "binary":
        return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + rng.randbytes(rng.randint(2_000, 20_000))
    if kind == "unknown_html":
        return (
            b"<!DOCTYPE html><html><head><title>503 Service Unavailable</title></head><body>"
            b"<h1>Service Unavailable</h1><p>The server is temporarily unable to service your "
            b"request. Please try again later.</p></body></html>\n"
        )
    return b"Skip to content\n\n\nPage not found\n\nThe requested page could not be found."
