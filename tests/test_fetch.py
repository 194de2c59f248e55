"""The optional fetcher, against a small stand-in for the archive served on 127.0.0.1 only.

Sleeping is injected (a fake clock that only moves when the fetcher sleeps), so the tests are
fast and can assert the exact waits that rate limiting, Crawl-delay and backoff produce.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest
from selectolax.lexbor import LexborHTMLParser

from pipeline.fetch import (
    FetchConfig,
    FetchDisabledError,
    FetchReport,
    HostNotAllowedError,
    Problem,
    fetch_listing,
    file_name_for,
)
from pipeline.fetch.cli import main as cli_main
from pipeline.fetch.links import (
    canonical_url,
    detail_links,
    next_page_from_range,
    pagination_links,
)
from pipeline.fetch.names import path_inside
from pipeline.fetch.transport import parse_retry_after

FIXTURES = Path(__file__).parent / "fixtures" / "fetch"
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


# --- the happy path: a listing over three pages, its documents -----------------------------


def test_listing_pages_and_documents_are_saved_with_sidecars(
    archive: Archive, tmp_path: Path
) -> None:
    raw = tmp_path / "raw"
    report = run(archive, XINJIANG, raw)

    detail_urls = [archive.url(f"/document/{d['slug']}") for d in DOCUMENTS]
    listing_urls = [archive.url(t) for t in XINJIANG_PAGES]
    assert sorted(report.saved) == sorted(listing_urls + detail_urls)
    assert len(report.saved) == 26
    assert report.failed == [] and report.skipped == [] and report.not_modified == []
    assert report.requests == 27  # robots.txt + 26 pages, each once
    assert archive.targets()[0] == "/robots.txt"
    assert archive.targets().count("/robots.txt") == 1
    # ?page=0 pager links are the first page, not a second copy of it
    assert f"{XINJIANG}&page=0" not in archive.targets()
    for target in CHROME_LINKS:  # header, breadcrumb nav and footer links are never followed
        assert target not in archive.targets()

    first = report.files[archive.url(XINJIANG)]
    assert first.endswith(".html")
    assert (raw / first).read_bytes() == (FIXTURES / "search_xinjiang_page0.html").read_bytes()
    meta = sidecar(raw, first)
    assert meta == {
        "url": archive.url(XINJIANG),
        "fetched_at": "2025-01-02T03:04:05+00:00",
        "status": 200,
        "etag": meta["etag"],
        "last_modified": LAST_MODIFIED,
        "content_type": "text/html; charset=utf-8",
    }
    assert re.fullmatch(r'"[0-9a-f]{16}"', meta["etag"])
    doc = DOCUMENTS[7]
    name = report.files[archive.url(f"/document/{doc['slug']}")]
    assert (raw / name).read_bytes() == detail_html(doc)
    assert sidecar(raw, name)["url"] == archive.url(f"/document/{doc['slug']}")
    # 26 pages + 26 sidecars, and no temp file left behind
    assert len(list(raw.iterdir())) == 52
    assert not [p for p in raw.iterdir() if p.name.startswith(".")]
    assert report.summary() == "fetch: 26 saved, 0 not modified, 0 skipped, 0 failed, 27 requests"


def test_requests_are_spaced_by_the_rate_limit(archive: Archive, tmp_path: Path) -> None:
    report = run(archive, XINJIANG, tmp_path / "raw", rate_limit_per_second=2.0)
    sleeps = archive.time.sleeps
    assert len(sleeps) == report.requests - 1 == 26
    assert sleeps == pytest.approx([0.5] * 26)
    assert gaps([h.at for h in archive.hits]) == pytest.approx([0.5] * 26)
    assert all(h.headers["user-agent"].startswith("wilson-archive-pipeline/") for h in archive.hits)


def test_robots_crawl_delay_slows_the_fetcher_down(archive: Archive, tmp_path: Path) -> None:
    archive.page("/robots.txt", b"User-agent: *\nCrawl-delay: 3\n", "text/plain")
    run(archive, XINJIANG, tmp_path / "raw", rate_limit_per_second=10.0, max_pages=4)
    # robots.txt first; its Crawl-delay then spaces all 4 page requests
    assert archive.time.sleeps == pytest.approx([3.0] * 4)


def test_text_listing_follows_the_range_line_to_the_next_page(
    archive: Archive, tmp_path: Path
) -> None:
    raw = tmp_path / "raw"
    report = run(archive, "/search?keywords=stalin", raw)
    assert report.saved == [
        archive.url("/search?keywords=stalin"),
        archive.url("/search?keywords=stalin&page=1"),
    ]
    for url in report.saved:
        assert report.files[url].endswith(".txt")
        assert sidecar(raw, report.files[url])["content_type"] == "text/plain; charset=utf-8"
    assert "/search?keywords=stalin&page=2" not in archive.targets()  # "11 - 12 of 12": last


# --- trouble: retries, failures, redirects, robots, content types -------------------------


@pytest.fixture
def trouble(archive: Archive, tmp_path: Path) -> FetchReport:
    return run(archive, "/topics/trouble", tmp_path / "raw", rate_limit_per_second=1000.0)


def test_429_waits_for_retry_after_then_succeeds(archive: Archive, trouble: FetchReport) -> None:
    assert archive.url("/document/rate-limited") in trouble.saved
    times = archive.times_of("/document/rate-limited")
    assert len(times) == 2
    assert gaps(times) == pytest.approx([7.0])
    assert 7.0 in archive.time.sleeps


def test_500_is_retried_with_backoff_then_recorded_and_the_run_goes_on(
    archive: Archive, trouble: FetchReport
) -> None:
    times = archive.times_of("/document/always-broken")
    assert len(times) == 5  # max_retries=4
    assert gaps(times) == pytest.approx([1.0, 2.0, 4.0, 8.0])
    assert trouble.failed == [
        Problem(archive.url("/document/always-broken"), "HTTP 500 after 5 attempts")
    ]
    # pages after the broken one were still fetched
    broken_at = archive.targets().index("/document/always-broken")
    assert archive.targets().index("/document/fine") > broken_at
    assert archive.url("/document/fine") in trouble.saved


def test_redirects_are_followed_only_within_allowed_hosts(
    archive: Archive, trouble: FetchReport, tmp_path: Path
) -> None:
    moved_here = archive.url("/document/moved-here")
    assert moved_here in trouble.saved
    assert archive.url("/document/moved") not in trouble.saved
    assert sidecar(tmp_path / "raw", trouble.files[moved_here])["url"] == moved_here

    offsite = [p for p in trouble.skipped if p.url == archive.url("/document/offsite")]
    assert len(offsite) == 1
    assert "localhost" in offsite[0].reason and "not in allowed_hosts" in offsite[0].reason
    assert "/document/elsewhere" not in archive.targets()


def test_robots_txt_disallowed_pages_are_not_fetched(
    archive: Archive, trouble: FetchReport
) -> None:
    assert Problem(archive.url("/document/private-memo"), "disallowed by robots.txt") in (
        trouble.skipped
    )
    assert "/document/private-memo" not in archive.targets()


def test_non_html_responses_are_skipped_not_saved(
    archive: Archive, trouble: FetchReport, tmp_path: Path
) -> None:
    pdf = [p for p in trouble.skipped if p.url == archive.url("/document/scan-pdf")]
    assert len(pdf) == 1 and "application/pdf" in pdf[0].reason
    assert archive.url("/document/scan-pdf") not in trouble.files
    assert sorted(trouble.saved) == sorted(
        archive.url(t)
        for t in [
            "/topics/trouble",
            "/document/rate-limited",
            "/document/moved-here",
            "/document/fine",
        ]  # fmt: skip
    )
    assert len(list((tmp_path / "raw").glob("*.meta.json"))) == 4


def test_robots_txt_unreachable_means_nothing_is_fetched(archive: Archive, tmp_path: Path) -> None:
    archive.routes["/robots.txt"] = lambda headers: (503, {}, b"")
    report = run(archive, XINJIANG, tmp_path / "raw", max_retries=1)
    assert report.saved == []
    assert len(report.skipped) == 1
    assert report.skipped[0].reason.startswith("robots.txt unreachable (HTTP 503 after 2 attempts")
    assert archive.targets() == ["/robots.txt", "/robots.txt"]


# --- second run: conditional requests ------------------------------------------------------


def test_second_run_sends_conditional_requests_and_keeps_files_on_304(
    archive: Archive, tmp_path: Path
) -> None:
    raw = tmp_path / "raw"
    first = run(archive, XINJIANG, raw)
    old = 1_600_000_000_000_000_000
    for path in raw.iterdir():
        os.utime(path, ns=(old, old))
    before = {p.name: p.read_bytes() for p in raw.iterdir()}
    archive.hits.clear()

    second = run(archive, XINJIANG, raw)

    assert second.saved == []
    assert sorted(second.not_modified) == sorted(first.saved)
    assert second.files == first.files
    assert second.summary().startswith("fetch: 0 saved, 26 not modified,")
    page_hits = [h for h in archive.hits if h.target != "/robots.txt"]
    assert len(page_hits) == 26  # links still followed, from the copies on disk
    for hit in page_hits:
        name = first.files[archive.url(hit.target)]
        assert hit.headers["if-none-match"] == sidecar(raw, name)["etag"]
        assert hit.headers["if-modified-since"] == LAST_MODIFIED
    assert {p.name: p.read_bytes() for p in raw.iterdir()} == before
    assert {p.stat().st_mtime_ns for p in raw.iterdir()} == {old}


def test_last_modified_alone_gives_if_modified_since(archive: Archive, tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    first = run(archive, "/document/fine", raw)
    assert sidecar(raw, first.files[archive.url("/document/fine")])["etag"] is None
    archive.hits.clear()
    second = run(archive, "/document/fine", raw)
    assert second.not_modified == [archive.url("/document/fine")]
    (hit,) = [h for h in archive.hits if h.target == "/document/fine"]
    assert hit.headers["if-modified-since"] == LAST_MODIFIED
    assert "if-none-match" not in hit.headers


# --- limits and refusals -------------------------------------------------------------------


def test_max_pages_caps_the_run(archive: Archive, tmp_path: Path) -> None:
    report = run(archive, XINJIANG, tmp_path / "raw", max_pages=5)
    expected = XINJIANG_PAGES + [f"/document/{d['slug']}" for d in DOCUMENTS[:2]]
    assert report.saved == [archive.url(t) for t in expected]
    assert archive.page_targets() == expected
    assert report.hit_max_pages
    assert [p.url for p in report.skipped] == [
        archive.url(f"/document/{d['slug']}") for d in DOCUMENTS[2:]
    ]
    assert {p.reason for p in report.skipped} == {"not fetched: max_pages=5 reached"}
    assert report.summary().endswith("(stopped at max_pages)")


def test_fetcher_is_disabled_by_default(archive: Archive, tmp_path: Path) -> None:
    assert FetchConfig().enabled is False
    raw = tmp_path / "raw"
    with pytest.raises(FetchDisabledError, match="off by default"):
        fetch_listing(archive.url(XINJIANG), raw, FetchConfig(allowed_hosts=("127.0.0.1",)))
    assert archive.hits == []
    assert not raw.exists()


def test_start_url_on_a_host_not_allowed_is_refused(archive: Archive, tmp_path: Path) -> None:
    with pytest.raises(HostNotAllowedError, match="digitalarchive.wilsoncenter.org"):
        fetch_listing(archive.url(XINJIANG), tmp_path / "raw", FetchConfig(enabled=True))
    with pytest.raises(HostNotAllowedError):
        fetch_listing("file:///etc/passwd", tmp_path / "raw", local_config())
    assert archive.hits == []


@pytest.mark.parametrize(
    "overrides",
    [{"rate_limit_per_second": 0}, {"max_pages": 0}, {"allowed_hosts": ()}, {"user_agent": " "}],
)
def test_config_rejects_impolite_settings(overrides: dict) -> None:
    with pytest.raises(ValueError):
        FetchConfig(**overrides)


# --- file names ----------------------------------------------------------------------------


def test_file_names_are_sanitised_and_stay_inside_raw(tmp_path: Path) -> None:
    nasty = "http://127.0.0.1:8000/document/../../etc/passwd?x=../../y&Q=<Script>/..\\~ü"
    name = file_name_for(nasty, "html")
    assert re.fullmatch(r"[a-z0-9][a-z0-9._-]*_[0-9a-f]{12}\.html", name)
    assert "/" not in name and ".." not in name
    assert name.startswith("document_etc_passwd_x_y_q_script_")
    assert path_inside(tmp_path, name).parent == tmp_path.resolve()
    # case and punctuation differences still give different files
    assert file_name_for("http://h/document/Foo", "html") != file_name_for(
        "http://h/document/foo", "html"
    )
    assert file_name_for("http://h/search?a=b", "text").endswith(".txt")
    assert file_name_for("http://h/", "html").startswith("index_")
    assert len(file_name_for("http://h/document/" + "x" * 500, "html")) <= 100 + 1 + 12 + 5
    for bad in ["../evil.html", "a/b.html", ".."]:
        with pytest.raises(ValueError):
            path_inside(tmp_path, bad)


def test_nasty_url_from_the_server_is_saved_inside_raw(archive: Archive, tmp_path: Path) -> None:
    archive.fallback = lambda headers: (200, {"Content-Type": "text/html"}, b"<html>x</html>")
    raw = tmp_path / "raw"
    report = run(archive, "/document/..%2F..%2Fescape?next=../../../x&Q=%2E%2E", raw)
    assert len(report.saved) == 1
    name = report.files[report.saved[0]]
    assert (raw / name).is_file() and ".." not in name
    assert sorted(p.name for p in tmp_path.iterdir()) == ["raw"]
    assert sorted(p.name for p in raw.iterdir()) == sorted([name, name + ".meta.json"])


# --- link extraction and small parsers -----------------------------------------------------


def test_detail_links_come_from_main_content_only() -> None:
    html = """<html><body>
      <header><a href="/document/in-header">h</a></header>
      <nav><a href="/document/in-nav">n</a></nav>
      <main>
        <a href="/document/one#top">1</a> <a href="/document/two">2</a>
        <a href="/document/one">1 again</a> <a href="/topics/not-a-document">t</a>
        <div role="navigation"><a href="/document/in-role-nav">r</a></div>
        <aside><a href="/document/in-aside">a</a></aside>
      </main>
      <footer><a href="/document/in-footer">f</a></footer>
    </body></html>"""
    links = detail_links(LexborHTMLParser(html), "https://digitalarchive.wilsoncenter.org/search")
    assert links == [
        "https://digitalarchive.wilsoncenter.org/document/one",
        "https://digitalarchive.wilsoncenter.org/document/two",
    ]


def test_pagination_links_stay_on_the_listing() -> None:
    html = """<html><head><link rel="next" href="/topics/xinjiang?page=1"></head><body><main>
      <ul class="pager"><li class="pager__item"><a href="?page=0">1</a></li>
        <li class="pager__item"><a href="?page=2">3</a></li>
        <li class="pager__item"><a href="/topics/other?page=4">other listing</a></li>
        <li class="pager__item"><a href="/about">no page query</a></li></ul>
    </main></body></html>"""
    base = "https://digitalarchive.wilsoncenter.org/topics/xinjiang?page=1"
    assert pagination_links(LexborHTMLParser(html), base) == [
        "https://digitalarchive.wilsoncenter.org/topics/xinjiang",
        "https://digitalarchive.wilsoncenter.org/topics/xinjiang?page=2",
    ]


def test_next_page_from_the_range_line() -> None:
    url = "https://digitalarchive.wilsoncenter.org/search?keywords=mao"
    assert next_page_from_range("Skip to content\n\n1 - 10 of 23\n", url) == url + "&page=1"
    assert next_page_from_range("31 - 40 of 43", url + "&page=3") == url + "&page=4"
    assert next_page_from_range("41 - 43 of 43", url + "&page=4") is None
    assert next_page_from_range("no range here", url) is None
    assert canonical_url("HTTP://Example.ORG/a?page=0#frag") == "http://example.org/a"


def test_retry_after_in_seconds_or_as_a_date() -> None:
    now = datetime(2015, 10, 21, 7, 27, 0, tzinfo=UTC)
    assert parse_retry_after("120", now) == 120.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now) == 60.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now) == 0.0
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after(None, now) is None


def test_retry_after_beyond_the_cap_fails_the_page(archive: Archive, tmp_path: Path) -> None:
    archive.routes["/document/fine"] = lambda h: (503, {"Retry-After": "3600"}, b"")
    report = run(archive, "/document/fine", tmp_path / "raw")
    assert report.failed == [
        Problem(
            archive.url("/document/fine"),
            "HTTP 503; server asked to wait 3600s, over max_retry_after_seconds=300",
        )
    ]
    assert archive.page_targets() == ["/document/fine"]


# --- command line and Dagster asset --------------------------------------------------------


def test_cli_refuses_unless_enabled(
    archive: Archive, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.delenv("PIPELINE_FETCH_ENABLED", raising=False)
    rc = cli_main([archive.url(XINJIANG), "--raw", str(tmp_path / "raw")])
    err = capsys.readouterr().err
    assert rc == 2
    assert err.count("\n") == 1 and "--enable" in err and "PIPELINE_FETCH_ENABLED=1" in err
    assert archive.hits == []
    rc = cli_main([archive.url(XINJIANG), "--raw", str(tmp_path / "raw"), "--enable"])
    assert rc == 2  # the default allow-list does not include 127.0.0.1
    assert "not an http(s) URL on an allowed host" in capsys.readouterr().err
    assert archive.hits == []


def test_cli_fetches_when_enabled_by_environment(
    archive: Archive, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv("PIPELINE_FETCH_ENABLED", "1")
    raw = tmp_path / "raw"
    argv = [archive.url(XINJIANG), "--raw", str(raw), "--allow-host", "127.0.0.1"]
    rc = cli_main(argv + ["--rate", "1000", "--max-pages", "3", "--no-details"])
    out = capsys.readouterr().out
    assert rc == 0
    assert out.startswith("fetch: 3 saved, 0 not modified, 0 skipped, 0 failed, 4 requests")
    assert archive.page_targets() == XINJIANG_PAGES
    assert len(list(raw.glob("*.html"))) == 3


def test_dagster_asset_does_nothing_unless_enabled(archive: Archive, tmp_path: Path) -> None:
    dagster = pytest.importorskip("dagster")
    from pipeline.assets.fetch import fetch_assets, fetched_pages

    assert fetch_assets == [fetched_pages]
    assert fetched_pages.group_names_by_key[fetched_pages.key] == "fetch"
    raw = tmp_path / "raw"
    raw.mkdir()
    result = dagster.materialize(
        [fetched_pages], resources={"paths": SimpleNamespace(raw_dir=str(raw))}
    )
    assert result.success
    (mat,) = result.asset_materializations_for_node("fetched_pages")
    assert mat.metadata["status"].value == "fetcher disabled"
    assert list(raw.iterdir()) == []
    assert archive.hits == []


def test_dagster_asset_fetches_into_the_paths_resource_raw_dir(
    archive: Archive, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dagster = pytest.importorskip("dagster")
    from pipeline.assets.fetch import fetched_pages

    raw = tmp_path / "raw"
    monkeypatch.setenv("PIPELINE_RAW_DIR", str(raw))
    try:  # the project's resource: empty raw_dir means "from the environment"
        from pipeline.assets.resources import PipelinePaths

        paths: object = PipelinePaths()
    except ImportError:
        paths = SimpleNamespace(raw_dir=str(raw))
    config = {
        "enabled": True,
        "start_urls": [archive.url(XINJIANG)],
        "max_pages": 3,
        "rate_limit_per_second": 1000.0,
        "allowed_hosts": ["127.0.0.1"],
    }
    result = dagster.materialize(
        [fetched_pages],
        resources={"paths": paths},
        run_config={"ops": {"fetched_pages": {"config": config}}},
    )
    assert result.success
    (mat,) = result.asset_materializations_for_node("fetched_pages")
    assert mat.metadata["saved"].value == 3
    assert mat.metadata["failed"].value == 0
    assert len(list(raw.glob("*.html"))) == 3
    assert archive.page_targets() == XINJIANG_PAGES


# --- end to end: fetched files are what the pipeline reads ---------------------------------


def test_fetched_collection_goes_through_the_pipeline(archive: Archive, tmp_path: Path) -> None:
    runner = pytest.importorskip("pipeline.runner")
    raw, out = tmp_path / "raw", tmp_path / "out"
    report = run(archive, XINJIANG, raw)
    assert len(report.saved) == 26

    result = runner.run_pipeline(raw, out)

    pages = result.tables["raw_pages"]
    fetched = set(report.files.values())
    assert fetched <= set(pages["path"])
    ours = pages[pages["path"].isin(fetched)]
    quarantined = ours[ours["status"] == "quarantined"]
    assert quarantined.empty, quarantined[["path", "reason"]].to_string()
    assert set(ours["url"]) == set(report.files)
    assert ours["kind"].value_counts().to_dict() == {"document_detail": 23, "search_listing": 3}
