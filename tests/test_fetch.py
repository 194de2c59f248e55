"""The fetcher's crawl against the local stand-in archive: pages, politeness, retries,
redirects, robots.txt, conditional requests and limits."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from pipeline.fetch import (
    FetchConfig,
    FetchDisabledError,
    FetchReport,
    HostNotAllowedError,
    Problem,
    fetch_listing,
)
from tests.helpers.fake_archive import (
    CHROME_LINKS,
    DOCUMENTS,
    FIXTURES,
    LAST_MODIFIED,
    XINJIANG,
    XINJIANG_PAGES,
    Archive,
    detail_html,
    gaps,
    local_config,
    run,
    sidecar,
)

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
