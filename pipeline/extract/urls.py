"""What a page's URL says: which site generation, the archive's record id, the listing it shows.

Old site: `/document/119939` (numeric record id), `/collection/76/sino-soviet-relations`,
`/search-results/1/{"search-in":"all","term":"..."}` (page number, then the query as JSON).
New site: `/document/letter-...` (slug), `/topics/slug`, `/people/slug`, `/places/slug`,
`/search?...&page=N` (Drupal pager, 0-based). Staging mirrors share the paths, sometimes under
a prefix (`/en/document/...`, `/mirror/topics/...`): the first segment we know starts the path.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

_NUMERIC = re.compile(r"^\d+$")
_HEADS = {
    "document",
    "node",
    "collection",
    "topics",
    "people",
    "places",
    "search",
    "search-results",
}


@dataclass(frozen=True)
class UrlFacts:
    site: str | None = None  # old | new | None when unknown
    record_id: str | None = None
    slug: str | None = None
    listing_type: str | None = None  # collection | topic | person | place | search
    listing_key: str | None = None  # stable id of the listing view, page number excluded
    page_number: int | None = None  # 1-based
    search_term: str | None = None
    node_id: str | None = None

    @property
    def is_document(self) -> bool:
        """The URL names one document's own page."""
        return self.listing_type is None and bool(self.record_id or self.slug or self.node_id)

    @property
    def listing_layout(self) -> str | None:
        if self.listing_type is None:
            return None
        return f"{self.site or 'new'}_{self.listing_type}"


@lru_cache(maxsize=4096)
def url_facts(url: str | None) -> UrlFacts:
    if not url:
        return UrlFacts()
    parts = urlsplit(url.strip())
    segs = [unquote(s) for s in parts.path.split("/") if s]
    query = parse_qsl(parts.query, keep_blank_values=False)
    known = next((i for i, s in enumerate(segs) if s.lower() in _HEADS), None)
    if known is None:
        return UrlFacts()
    segs = segs[known:]
    head = segs[0].lower()
    if head == "document" and len(segs) >= 2:
        if _NUMERIC.match(segs[1]):
            return UrlFacts(site="old", record_id=segs[1])
        return UrlFacts(site="new", slug=segs[1].lower())
    if head == "node" and len(segs) >= 2 and _NUMERIC.match(segs[1]):
        return UrlFacts(site="new", node_id=segs[1])
    if head == "collection" and len(segs) >= 2:
        key = "/".join(segs[1:3]).lower()
        page = _page_from(query, zero_based=False)
        return UrlFacts(
            "old",
            listing_type="collection",
            listing_key=f"collection/{key}",
            page_number=page,
            slug=segs[-1].lower(),
        )
    if head in {"topics", "people", "places"} and len(segs) >= 2:
        kind = {"topics": "topic", "people": "person", "places": "place"}[head]
        page = _page_from(query, zero_based=True)
        return UrlFacts(
            "new",
            listing_type=kind,
            listing_key=f"{head}/{segs[1].lower()}",
            page_number=page,
            slug=segs[1].lower(),
        )
    if head in {"search", "search-results"}:
        site = "new" if head == "search" else "old"
        kept = sorted((k, v) for k, v in query if k != "page")
        term = next((v for k, v in query if k in {"keywords", "search", "q", "term"}), None)
        if site == "old" and len(segs) >= 3:
            kept.append(("path", "/".join(segs[2:])))
            term = term or _term_from_json(segs[-1])
        page = _page_from(query, zero_based=site == "new")
        if site == "old" and len(segs) >= 2 and _NUMERIC.match(segs[1]):
            page = int(segs[1])
        key = f"{head}?{urlencode(kept)}" if kept else head
        return UrlFacts(
            site, listing_type="search", listing_key=key, page_number=page, search_term=term
        )
    return UrlFacts()


def _term_from_json(segment: str) -> str | None:
    """The old site put the query in the path as JSON: {"search-in":"all","term":"stalin"}."""
    try:
        data = json.loads(segment)
    except ValueError:
        return segment or None
    if isinstance(data, dict):
        term = data.get("term") or data.get("search") or data.get("keywords")
        return str(term) if term else None
    return segment or None


def _page_from(query: list[tuple[str, str]], zero_based: bool) -> int | None:
    for k, v in query:
        if k == "page" and _NUMERIC.match(v):
            return int(v) + 1 if zero_based else int(v)
    return None
