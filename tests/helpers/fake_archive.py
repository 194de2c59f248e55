"""A small stand-in for the archive, served on 127.0.0.1 only, for the fetcher tests.

Sleeping is injected (a fake clock that only moves when the fetcher sleeps), so the tests are
fast and can assert the exact waits that rate limiting, Crawl-delay and backoff produce.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from pipeline.fetch import (
    FetchConfig,
    FetchReport,
    fetch_listing,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "fetch"
FIXED_NOW = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
LAST_MODIFIED = "Tue, 01 Oct 2024 00:00:00 GMT"
DOCUMENTS = json.loads((FIXTURES / "documents.json").read_text(encoding="utf-8"))
XINJIANG = "/search?keywords=xinjiang"
XINJIANG_PAGES = [XINJIANG, f"{XINJIANG}&page=1", f"{XINJIANG}&page=2"]
CHROME_LINKS = [
    "/document/header-menu-featured-document",
    "/document/breadcrumb-trail-document",
    "/document/footer-most-popular-document",
]
Response = tuple[int, dict[str, str], bytes]
Route = Callable[[dict[str, str]], Response]


class FakeTime:
    """A monotonic clock that moves only when the fetcher sleeps; records every sleep."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@dataclass(frozen=True)
class Hit:
    at: float  # fake-clock time the request arrived
    target: str  # path + query as sent
    headers: dict[str, str]


class Archive:
    """Routes keyed by request target; records every request it receives."""

    def __init__(self, time: FakeTime) -> None:
        self.time = time
        self.routes: dict[str, Route] = {}
        self.fallback: Route | None = None
        self.hits: list[Hit] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"

    def url(self, target: str) -> str:
        return self.base + target

    def targets(self) -> list[str]:
        return [h.target for h in self.hits]

    def page_targets(self) -> list[str]:
        return [t for t in self.targets() if t != "/robots.txt"]

    def times_of(self, target: str) -> list[float]:
        return [h.at for h in self.hits if h.target == target]

    def page(
        self,
        target: str,
        body: bytes,
        content_type: str = "text/html; charset=utf-8",
        etag: bool = True,
    ) -> None:
        """A static page that answers conditional requests like a real server."""
        tag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'

        def respond(headers: dict[str, str]) -> Response:
            if etag and headers.get("if-none-match") == tag:
                return 304, {"ETag": tag}, b""
            if not etag and headers.get("if-modified-since") == LAST_MODIFIED:
                return 304, {"Last-Modified": LAST_MODIFIED}, b""
            extra = {"Content-Type": content_type, "Last-Modified": LAST_MODIFIED}
            if etag:
                extra["ETag"] = tag
            return 200, extra, body

        self.routes[target] = respond

    def redirect(self, target: str, location: str, status: int = 301) -> None:
        self.routes[target] = lambda headers: (status, {"Location": location}, b"")


def _handler_for(archive: Archive) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            headers = {k.lower(): v for k, v in self.headers.items()}
            archive.hits.append(Hit(archive.time.now, self.path, headers))
            route = archive.routes.get(self.path) or archive.fallback
            status, extra, body = route(headers) if route else (404, {}, b"not found")
            self.send_response(status)
            for key, value in extra.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    return Handler


def detail_html(doc: dict[str, str]) -> bytes:
    html = (FIXTURES / "document_template.html").read_text(encoding="utf-8")
    for key in ("date", "title", "summary", "record_id"):
        html = html.replace("{" + key + "}", doc[key])
    return html.encode("utf-8")


def install_archive(archive: Archive) -> None:
    """The fixture collection plus the troublesome pages, as the tests expect them."""
    archive.page("/robots.txt", (FIXTURES / "robots.txt").read_bytes(), "text/plain")
    for n, target in enumerate(XINJIANG_PAGES):
        archive.page(target, (FIXTURES / f"search_xinjiang_page{n}.html").read_bytes())
    for doc in DOCUMENTS:
        archive.page(f"/document/{doc['slug']}", detail_html(doc))
    for n in range(2):
        target = "/search?keywords=stalin" + ("&page=1" if n else "")
        body = (FIXTURES / f"search_stalin_page{n}.txt").read_bytes()
        archive.page(target, body, "text/plain; charset=utf-8")
    for target in CHROME_LINKS:
        archive.page(target, detail_html(DOCUMENTS[0]))
    install_trouble(archive)


def install_trouble(archive: Archive) -> None:
    archive.page("/topics/trouble", (FIXTURES / "topics_trouble.html").read_bytes())
    doc = DOCUMENTS[0]
    calls = {"n": 0}

    def rate_limited(headers: dict[str, str]) -> Response:
        calls["n"] += 1
        if calls["n"] == 1:
            return 429, {"Retry-After": "7", "Content-Type": "text/plain"}, b"slow down"
        return 200, {"Content-Type": "text/html; charset=utf-8"}, detail_html(doc)

    archive.routes["/document/rate-limited"] = rate_limited
    archive.routes["/document/always-broken"] = lambda h: (500, {}, b"internal error")
    archive.redirect("/document/moved", "/document/moved-here")
    archive.page("/document/moved-here", detail_html(DOCUMENTS[1]))
    archive.redirect("/document/offsite", f"http://localhost:{archive.port}/document/elsewhere")
    archive.page("/document/elsewhere", detail_html(DOCUMENTS[2]))
    archive.page("/document/private-memo", detail_html(DOCUMENTS[3]))
    archive.page("/document/scan-pdf", b"%PDF-1.4\n%fake scan\n", "application/pdf")
    archive.page("/document/fine", detail_html(DOCUMENTS[4]), etag=False)


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def archive(fake_time: FakeTime) -> Iterator[Archive]:
    arch = Archive(fake_time)
    install_archive(arch)
    thread = threading.Thread(target=arch.server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield arch
    finally:
        arch.server.shutdown()
        arch.server.server_close()
        thread.join(timeout=5)


def local_config(**overrides: object) -> FetchConfig:
    return FetchConfig(enabled=True, allowed_hosts=("127.0.0.1",), **overrides)  # type: ignore[arg-type]


def run(archive: Archive, target: str, raw: Path, **overrides: object) -> FetchReport:
    with httpx.Client(trust_env=False) as client:
        return fetch_listing(
            archive.url(target),
            raw,
            local_config(**overrides),
            client=client,
            sleep=archive.time.sleep,
            clock=archive.time.clock,
            now=lambda: FIXED_NOW,
        )


def sidecar(raw: Path, name: str) -> dict:
    return json.loads((raw / f"{name}.meta.json").read_text(encoding="utf-8"))


def gaps(times: list[float]) -> list[float]:
    return [b - a for a, b in zip(times, times[1:], strict=False)]
