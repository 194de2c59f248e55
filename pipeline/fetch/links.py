"""Which URLs a listing page leads to: its other pages, and the documents it lists.

Only two kinds of links are followed, so the fetcher never wanders the site:
- pagination: `rel="next"` links and `page=` links inside a pager (`.pager`, `.pager__item`,
  `.pagination`), kept only when they stay on the same listing path; for a text snapshot, or
  HTML without a pager, the printed range line ("11 - 20 of 23") gives the next `?page=N`
  (Drupal's pager is 0-based);
- details: `/document/...` links inside the main content, never in header, nav, footer or aside.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

RANGE_LINE = re.compile(r"^\s*(\d[\d,]*)\s*[-–]\s*(\d[\d,]*)\s+of\s+(\d[\d,]*)(?:\s+results?)?\s*$",
                        re.I | re.M)  # fmt: skip
PAGER_SELECTORS = ".pager a[href], .pager__item a[href], .pager__items a[href], .pagination a[href]"
CHROME_TAGS = {"header", "nav", "footer", "aside"}
CHROME_ROLES = {"navigation", "banner", "contentinfo", "complementary"}
MAIN_SELECTORS = ("main", "[role=main]", "#main-content", "#content")


def canonical_url(url: str) -> str:
    """One spelling per page: lowercase scheme/host, no fragment, `page=0` dropped (Drupal's
    first page is the same page with or without it), "/" for an empty path."""
    parts = urlsplit(url.strip())
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not (k == "page" and v == "0")]  # fmt: skip
    netloc = parts.netloc.lower()
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", urlencode(query), ""))


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def is_allowed(url: str, allowed_hosts: tuple[str, ...]) -> bool:
    """http(s) and a host on the allow-list (ports are not part of the check)."""
    parts = urlsplit(url)
    return parts.scheme in {"http", "https"} and host_of(url) in allowed_hosts


def is_detail_url(url: str) -> bool:
    segs = [s for s in urlsplit(url).path.split("/") if s]
    return len(segs) >= 2 and segs[0].lower() == "document"


def _resolve(page_url: str, href: str | None) -> str | None:
    if not href or href.strip().lower().startswith(("javascript:", "mailto:", "tel:", "#")):
        return None
    url = canonical_url(urljoin(page_url, href.strip()))
    return url if urlsplit(url).scheme in {"http", "https"} else None


def _same_listing(a: str, b: str) -> bool:
    pa, pb = urlsplit(a), urlsplit(b)
    return (pa.scheme, pa.netloc, pa.path.rstrip("/")) == (
        pb.scheme,
        pb.netloc,
        pb.path.rstrip("/"),
    )


def _in_chrome(node: LexborNode) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.tag in CHROME_TAGS:
            return True
        if (parent.attributes.get("role") or "").lower() in CHROME_ROLES:
            return True
        parent = parent.parent
    return False


def _unique(urls: list[str]) -> list[str]:
    return list(dict.fromkeys(urls))


def pagination_links(tree: LexborHTMLParser, page_url: str) -> list[str]:
    """Other pages of the same listing, in document order."""
    found: list[str] = []
    for node in tree.css("a[href], link[href]"):
        rel = (node.attributes.get("rel") or "").lower().split()
        if "next" in rel and (url := _resolve(page_url, node.attributes.get("href"))):
            found.append(url)
    for node in tree.css(PAGER_SELECTORS):
        href = node.attributes.get("href")
        url = _resolve(page_url, href)
        query = urlsplit(urljoin(page_url, href or "")).query
        if url and any(k == "page" for k, _ in parse_qsl(query, keep_blank_values=True)):
            found.append(url)
    own = canonical_url(page_url)
    return _unique([u for u in found if u != own and _same_listing(u, page_url)])


def detail_links(tree: LexborHTMLParser, page_url: str) -> list[str]:
    """`/document/...` links in the page's main content (menus and footers excluded)."""
    scope: LexborNode | None = None
    for selector in MAIN_SELECTORS:
        scope = tree.css_first(selector)
        if scope is not None:
            break
    scope = scope or tree.body
    if scope is None:
        return []
    found = []
    for node in scope.css("a[href]"):
        if _in_chrome(node):
            continue
        url = _resolve(page_url, node.attributes.get("href"))
        if url and is_detail_url(url):
            found.append(url)
    return _unique(found)


def next_page_from_range(text: str, page_url: str) -> str | None:
    """From "11 - 20 of 23" on `?page=1`, the URL of page 2; None on the last page."""
    m = RANGE_LINE.search(text)
    if m is None:
        return None
    last, total = (int(g.replace(",", "")) for g in (m[2], m[3]))
    if last >= total:
        return None
    parts = urlsplit(page_url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    current = next((int(v) for k, v in query if k == "page" and v.isdigit()), 0)
    query = [(k, v) for k, v in query if k != "page"] + [("page", str(current + 1))]
    return canonical_url(urlunsplit(parts._replace(query=urlencode(query))))


def links_from_page(
    body: str, fmt: str, page_url: str, *, pagination: bool, details: bool
) -> tuple[list[str], list[str]]:
    """(pagination links, detail links) of one listing page, html or text."""
    if fmt == "text":
        nxt = next_page_from_range(body, page_url) if pagination else None
        return ([nxt] if nxt else []), []
    tree = LexborHTMLParser(body)
    pages = pagination_links(tree, page_url) if pagination else []
    if pagination and not pages and tree.body is not None:
        nxt = next_page_from_range(tree.body.text(separator="\n"), page_url)
        pages = [nxt] if nxt else []
    docs = detail_links(tree, page_url) if details else []
    return pages, docs
