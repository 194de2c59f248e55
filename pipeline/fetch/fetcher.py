"""Fetch a listing (all its pages, and the documents it lists) into raw/, politely.

The crawl is deliberately narrow: from each start URL it follows only the listing's own
pagination and the `/document/...` links in its main content (see links.py), one request at a
time at the configured rate, on allow-listed hosts, within robots.txt, up to max_pages. Every
URL it meets ends up in exactly one list of the FetchReport, so a run explains itself.
"""

from __future__ import annotations

import re
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urljoin

import httpx

from pipeline.fetch.config import ENABLE_HINT, FetchConfig, FetchDisabledError, HostNotAllowedError
from pipeline.fetch.links import canonical_url, host_of, is_allowed, is_detail_url, links_from_page
from pipeline.fetch.robots import RobotsCache
from pipeline.fetch.storage import Cached, conditional_headers, find_cached, save_page
from pipeline.fetch.transport import (
    Clock,
    Fetched,
    Now,
    RequestFailed,
    Sleep,
    Transport,
    utc_now,
)

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
HTML_TYPES = {"text/html": "html", "application/xhtml+xml": "html", "text/plain": "text"}
_CHARSET = re.compile(r"charset=[\"']?([\w.:-]+)", re.I)


class Problem(NamedTuple):
    """A URL that was not saved, and why."""

    url: str
    reason: str


@dataclass
class FetchReport:
    """What one run did with every URL it met."""

    saved: list[str] = field(default_factory=list)
    not_modified: list[str] = field(default_factory=list)
    skipped: list[Problem] = field(default_factory=list)
    failed: list[Problem] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)  # url -> file name in raw_dir
    requests: int = 0  # every HTTP request sent, robots.txt and retries included
    hit_max_pages: bool = False

    def summary(self) -> str:
        text = (
            f"fetch: {len(self.saved)} saved, {len(self.not_modified)} not modified, "
            f"{len(self.skipped)} skipped, {len(self.failed)} failed, {self.requests} requests"
        )
        return text + (" (stopped at max_pages)" if self.hit_max_pages else "")


@dataclass(frozen=True)
class _Page:
    url: str
    fmt: str
    body: str


def format_of(content_type: str | None) -> str | None:
    """The snapshot format ("html" or "text") for types the pipeline reads, else None."""
    if not content_type:
        return None
    return HTML_TYPES.get(content_type.split(";")[0].strip().lower())


def decode(content: bytes, content_type: str | None) -> str:
    """Text for link extraction only (the saved file keeps the server's bytes)."""
    m = _CHARSET.search(content_type or "")
    try:
        return content.decode(m[1] if m else "utf-8", errors="replace")
    except LookupError:
        return content.decode("utf-8", errors="replace")


class _Crawl:
    """One run's state: queue, seen URLs, page budget, report."""

    def __init__(self, raw_dir: Path, config: FetchConfig, transport: Transport) -> None:
        self.raw_dir = raw_dir
        self.config = config
        self.transport = transport
        self.robots = RobotsCache(transport, self.allowed)
        self.queue: deque[str] = deque()
        self.seen: set[str] = set()
        self.pages = 0
        self.report = FetchReport()

    def allowed(self, url: str) -> bool:
        return is_allowed(url, self.config.allowed_hosts)

    def enqueue(self, url: str) -> None:
        if url in self.seen:
            return
        self.seen.add(url)
        if self.allowed(url):
            self.queue.append(url)
        else:
            self.skip(url, f"host {host_of(url)!r} is not in allowed_hosts")

    def skip(self, url: str, reason: str) -> None:
        self.report.skipped.append(Problem(url, reason))

    def fail(self, url: str, reason: str) -> None:
        self.report.failed.append(Problem(url, reason))

    def run(self, start_urls: Iterable[str]) -> FetchReport:
        for url in start_urls:
            self.enqueue(url)
        while self.queue:
            url = self.queue.popleft()
            if self.pages >= self.config.max_pages:
                self.report.hit_max_pages = True
                self.skip(url, f"not fetched: max_pages={self.config.max_pages} reached")
                continue
            page = self.fetch_page(url)
            if page is not None and not is_detail_url(page.url):
                pages, docs = links_from_page(
                    page.body,
                    page.fmt,
                    page.url,
                    pagination=self.config.follow_pagination,
                    details=self.config.follow_details,
                )
                for link in pages + docs:
                    self.enqueue(link)
        self.report.requests = self.transport.requests
        return self.report

    def fetch_page(self, url: str) -> _Page | None:
        """Follow redirects hop by hop (each hop allow-listed and robots-checked), then save."""
        current = url
        counted = False
        for _ in range(self.config.max_redirects + 1):
            if not self.allowed(current):
                self.skip(url, f"redirects to {current}: host not in allowed_hosts")
                return None
            if (why := self.robots.why_not(current)) is not None:
                self.skip(url, why if current == url else f"redirect target {current}: {why}")
                return None
            if not counted:
                self.pages += 1
                counted = True
            cached = find_cached(self.raw_dir, current)
            try:
                resp = self.transport.get(current, conditional_headers(cached))
            except RequestFailed as exc:
                self.fail(url, str(exc))
                return None
            if resp.status in REDIRECT_STATUSES:
                location = resp.headers.get("location")
                if not location:
                    self.fail(url, f"HTTP {resp.status} without a Location header")
                    return None
                current = canonical_url(urljoin(current, location))
                if current in self.seen:
                    self.skip(url, f"redirects to {current}, which this run fetches anyway")
                    return None
                self.seen.add(current)
                continue
            return self.keep(url, resp, cached)
        self.fail(url, f"more than max_redirects={self.config.max_redirects} redirects")
        return None

    def keep(self, url: str, resp: Fetched, cached: Cached | None) -> _Page | None:
        """Record a final response: save a 200, reuse the disk copy on 304, else report."""
        final, status, headers = resp.url, resp.status, resp.headers
        if status == 304:
            if cached is None:
                self.fail(url, "HTTP 304 but no earlier copy on disk")
                return None
            self.report.not_modified.append(final)
            self.report.files[final] = cached.path.name
            body = decode(cached.path.read_bytes(), cached.meta.get("content_type"))
            return _Page(final, cached.fmt, body)
        if status != 200:
            self.fail(url, f"HTTP {status}")
            return None
        content_type = headers.get("content-type")
        fmt = format_of(content_type)
        if fmt is None:
            self.skip(url, f"content type {content_type!r} is not HTML or plain text")
            return None
        meta = {
            "url": final,
            "fetched_at": self.transport.now().isoformat(timespec="seconds"),
            "status": status,
            "etag": headers.get("etag"),
            "last_modified": headers.get("last-modified"),
            "content_type": content_type,
        }
        path = save_page(self.raw_dir, final, fmt, resp.content, meta)
        self.report.saved.append(final)
        self.report.files[final] = path.name
        return _Page(final, fmt, decode(resp.content, content_type))


def fetch_listings(
    start_urls: Iterable[str],
    raw_dir: Path | str,
    config: FetchConfig,
    *,
    client: httpx.Client | None = None,
    sleep: Sleep = time.sleep,
    clock: Clock = time.monotonic,
    now: Now = utc_now,
) -> FetchReport:
    """Fetch several listings in one polite run (shared rate limit, robots cache, page budget).

    Raises FetchDisabledError unless config.enabled, HostNotAllowedError for a start URL off
    the allow-list; after that nothing raises for a bad page: it is reported instead.
    """
    if not config.enabled:
        raise FetchDisabledError(f"fetch refused: {ENABLE_HINT}")
    starts = [canonical_url(u) for u in start_urls]
    for url in starts:
        if not is_allowed(url, config.allowed_hosts):
            raise HostNotAllowedError(
                f"fetch refused: {url} is not an http(s) URL on an allowed host "
                f"(allowed_hosts={list(config.allowed_hosts)})"
            )
    raw = Path(raw_dir)
    raw.mkdir(parents=True, exist_ok=True)
    own_client = client is None
    client = client or httpx.Client(headers={"User-Agent": config.user_agent})
    try:
        transport = Transport(client, config, sleep=sleep, clock=clock, now=now)
        return _Crawl(raw, config, transport).run(starts)
    finally:
        if own_client:
            client.close()


def fetch_listing(
    start_url: str,
    raw_dir: Path | str,
    config: FetchConfig,
    *,
    client: httpx.Client | None = None,
    sleep: Sleep = time.sleep,
    clock: Clock = time.monotonic,
    now: Now = utc_now,
) -> FetchReport:
    """Fetch one listing with its pages and documents; see fetch_listings."""
    return fetch_listings(
        [start_url], raw_dir, config, client=client, sleep=sleep, clock=clock, now=now
    )
