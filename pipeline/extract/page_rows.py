"""One page's parse result → rows of the page-level tables (raw_pages, listings, entries,
detail pages, quarantine), with the ids and provenance every row carries."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from pipeline.dates import parse_date
from pipeline.extract.records import PageResult
from pipeline.extract.row_types import DetailRow, EntryRow, RawPageRow
from pipeline.extract.urls import url_facts
from pipeline.packed_text import PackedText

if TYPE_CHECKING:
    from pipeline.extract.pages import Extraction


_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(text: str) -> str:
    from pipeline.dedup.normalize import fold

    return _SLUG.sub("-", fold(text)).strip("-")[:80]


def listing_id_for(result: PageResult, sha256: str, url: str | None) -> str:
    """Stable id of the collection or search view a listing page belongs to.

    Collections are named by their title (the same collection saved from either site or without
    a URL gets one id); searches by their URL without the page number, else by content.
    """
    listing = result.listing
    assert listing is not None
    facts = url_facts(url)
    kind = getattr(listing, "listing_type", None) or facts.listing_type or listing.kind
    if listing.kind == "collection" and listing.title:
        return f"{kind}:{slugify(listing.title)}"
    if facts.listing_key:
        return f"search:{facts.listing_key}"
    return f"search:{sha256[:16]}"


def page_rows(
    out: Extraction,
    rel: str,
    sha: str,
    size: int,
    url: str | None,
    fetched_at: str | None,
    result: PageResult,
) -> None:
    """Turn one PageResult into rows of the page-level tables."""
    url = url or result.url
    facts = url_facts(url)
    status = "quarantined" if result.problem else "parsed"
    # cached results are shared by every file with the same bytes: the name is added here
    reason = f"{rel}: {result.problem}" if result.problem else None
    out.raw_pages.append(
        RawPageRow(
            {
                "page_sha256": sha,
                "path": rel,
                "bytes": size,
                "format": result.format,
                "encoding": result.encoding,
                "url": url,
                "fetched_at": fetched_at,
                "kind": result.kind,
                "layout": (result.listing or result.detail).layout
                if (result.listing or result.detail)
                else None,
                "status": status,
                "reason": reason,
            }
        )
    )
    if reason:
        out.quarantine.append(qrow(sha, rel, "extract", "raw_pages", reason))
        return
    if result.listing is not None:
        listing = result.listing
        lid = listing_id_for(result, sha, url)
        row = dict(vars(listing))
        entries = [dict(vars(e)) for e in row.pop("entries")]
        row.update(
            listing_id=lid,
            page_sha256=sha,
            path=rel,
            url=url,
            page_number=listing.page_number or facts.page_number,
            search_term=listing.search_term or facts.search_term,
            listing_type=row.get("listing_type") or facts.listing_type or listing.kind,
            n_entries=len(entries),
        )
        out.listings.append(row)
        for e in entries:
            if e["is_truncated"] and not e["title"]:
                reason = f"{rel}: entry {e['position']} cut short by a partial save (no title)"
                out.quarantine.append(
                    qrow(
                        sha,
                        rel,
                        "extract",
                        "listing_entries",
                        reason,
                        key=f"{sha}:{e['position']}",
                        rule="truncated_entry",
                        value=e["date_raw"],
                    )
                )
                continue
            d = parse_date(e["date_raw"])
            out.entries.append(
                EntryRow(
                    {
                        **e,
                        "page_sha256": sha,
                        "listing_id": lid,
                        "date_start": d.start if d else None,
                        "date_end": d.end if d else None,
                        "date_precision": d.precision if d else "unparsed",
                    }
                )
            )
    if result.detail is not None:
        detail = result.detail
        row = dict(vars(detail))
        d = parse_date(detail.date_raw)
        row.update(
            page_sha256=sha,
            path=rel,
            url=url,
            body=PackedText.pack(detail.body),  # nothing reads it before Parquet: see packed_text
            slug=detail.slug or facts.slug,
            record_id=detail.record_id or facts.record_id,
            node_id=detail.node_id or facts.node_id,
            date_start=d.start if d else None,
            date_end=d.end if d else None,
            date_precision=d.precision if d else "unparsed",
        )
        out.details.append(DetailRow(row))


def qrow(
    sha: str | None,
    rel: str | None,
    stage: str,
    table: str,
    reason: str,
    key: str | None = None,
    rule: str | None = None,
    value: str | None = None,
) -> dict:
    return {
        "page_sha256": sha,
        "path": rel,
        "stage": stage,
        "table_name": table,
        "row_key": key,
        "rule": rule,
        "value": value,
        "reason": reason,
    }
