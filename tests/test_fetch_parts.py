"""The fetcher's parts: file names, link extraction, small parsers, the CLI, the Dagster
asset, and a fetched collection going through the pipeline."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from selectolax.lexbor import LexborHTMLParser

from pipeline.fetch import (
    Problem,
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
from tests.helpers.fake_archive import (
    XINJIANG,
    XINJIANG_PAGES,
    Archive,
    run,
)

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
