"""Stage 1: every file in the raw folder → page-level tables (raw_pages, listings, entries,
detail pages) and a quarantine row for every page that could not be used.

Pages stream one at a time (memory stays flat); results are cached by content so a rerun
parses only what is new. Nothing here knows about Dagster.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from pipeline.dates import parse_date
from pipeline.extract.cache import PageCache
from pipeline.extract.classify import parse_blocks, parse_text
from pipeline.extract.records import PageResult
from pipeline.extract.snapshot import iter_raw_files, read_sidecar, read_snapshot
from pipeline.extract.urls import url_facts

Progress = Callable[[str, int, int], None]


@dataclass
class Extraction:
    """Row lists for the page-level tables (plain dicts; DataFrames are built by the caller)."""

    raw_pages: list[dict] = field(default_factory=list)
    listings: list[dict] = field(default_factory=list)
    entries: list[dict] = field(default_factory=list)
    details: list[dict] = field(default_factory=list)
    quarantine: list[dict] = field(default_factory=list)
    parsed_now: int = 0
    reused: int = 0
    fingerprint: str = ""  # run_fingerprint(raw_dir) taken before reading (see fingerprint.py)
    started_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))


def parse_snapshot_text(text: str, fmt: str, url: str | None) -> PageResult:
    """Text or HTML → PageResult (HTML is rendered to the same blocks as a text save)."""
    if fmt != "html":
        return parse_text(text, url)
    from pipeline.extract.html import html_to_blocks

    page = html_to_blocks(text)
    result = parse_blocks(page.blocks, url or page.url)
    result.url = page.url
    if page.is_truncated:
        if result.listing is not None:
            result.listing.is_truncated = True
            if result.listing.entries:
                result.listing.entries[-1].is_truncated = True
        if result.detail is not None:
            result.detail.is_truncated = True
    if result.detail is not None and page.node_id:
        result.detail.node_id = page.node_id
    return result


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


def _page_rows(
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
    out.raw_pages.append(
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
            "reason": result.problem,
        }
    )
    if result.problem:
        out.quarantine.append(_qrow(sha, rel, "extract", "raw_pages", result.problem))
        return
    if result.listing is not None:
        listing = result.listing
        lid = listing_id_for(result, sha, url)
        row = asdict(listing)
        entries = row.pop("entries")
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
                    _qrow(
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
                {
                    **e,
                    "page_sha256": sha,
                    "listing_id": lid,
                    "date_start": d.start if d else None,
                    "date_end": d.end if d else None,
                    "date_precision": d.precision if d else "unparsed",
                }
            )
    if result.detail is not None:
        detail = result.detail
        row = asdict(detail)
        d = parse_date(detail.date_raw)
        row.update(
            page_sha256=sha,
            path=rel,
            url=url,
            slug=detail.slug or facts.slug,
            record_id=detail.record_id or facts.record_id,
            node_id=detail.node_id or facts.node_id,
            date_start=d.start if d else None,
            date_end=d.end if d else None,
            date_precision=d.precision if d else "unparsed",
        )
        out.details.append(row)


def _qrow(
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


def extract_pages(
    raw_dir: Path, cache_dir: Path | None = None, progress: Progress | None = None
) -> Extraction:
    """Read, classify and parse every snapshot under raw_dir (see module doc)."""
    raw_dir = Path(raw_dir)
    cache = PageCache(cache_dir)
    out = Extraction()
    files = iter_raw_files(raw_dir)
    seen_sha: dict[str, str] = {}
    present: set[str] = set()
    for n, path in enumerate(files, 1):
        rel = path.relative_to(raw_dir).as_posix()
        present.add(rel)
        meta, sidecar_problem = read_sidecar(path)
        url = meta.get("url") if isinstance(meta.get("url"), str) else None
        fetched_at = str(meta["fetched_at"]) if meta.get("fetched_at") is not None else None
        result, sha, size = _cached(cache, path, rel, url)
        if result is None:
            snap = read_snapshot(raw_dir, path)
            sha, size = snap.sha256, snap.size
            if snap.problem:
                result = PageResult(kind="unknown", problem=snap.problem, format=snap.format)
            else:
                assert snap.text is not None
                result = parse_snapshot_text(snap.text, snap.format, url)
                result.format, result.encoding = snap.format, snap.encoding
                if result.problem:
                    result.problem = f"{rel}: {result.problem}"
            out.parsed_now += 1
            if not snap.transient:  # a permission or link problem may be fixed without a touch
                cache.put(sha, url, result)
                _remember(cache, path, rel, sha)
        else:
            out.reused += 1
        if sha in seen_sha:
            result = PageResult(
                kind=result.kind,
                format=result.format,
                encoding=result.encoding,
                problem=f"{rel}: same bytes as {seen_sha[sha]} (duplicate "
                "snapshot); its rows come from that file",
            )
        else:
            seen_sha[sha] = rel
        _page_rows(out, rel, sha, size, url, fetched_at, result)
        if sidecar_problem:
            out.quarantine.append(
                _qrow(sha, rel, "extract", "sidecar", f"{rel}: {sidecar_problem}")
            )
        if progress:
            progress("extract", n, len(files))
    cache.forget_missing(present)
    cache.save()
    return out


def _cached(cache: PageCache, path: Path, rel: str, url: str | None):  # noqa: ANN202
    """(result, sha, size) from the caches when the file is unchanged, else (None, "", 0)."""
    try:
        st = path.lstat()
    except OSError:
        return None, "", 0
    if path.is_symlink():
        return None, "", 0
    sha = cache.known_sha(rel, st.st_size, st.st_mtime_ns)
    if sha is None:
        return None, "", 0
    result = cache.get(sha, url)
    return (result, sha, st.st_size) if result is not None else (None, "", 0)


def _remember(cache: PageCache, path: Path, rel: str, sha: str) -> None:
    try:
        st = path.lstat()
    except OSError:
        return
    cache.remember_sha(rel, st.st_size, st.st_mtime_ns, sha)
