"""`read_sidecar`: the `.meta.json` beside a snapshot, or a problem naming it; never a crash."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.extract.snapshot import read_sidecar


def _page(tmp_path: Path) -> Path:
    page = tmp_path / "page.txt"
    page.write_text("Search Results\n")
    return page


def test_no_sidecar_is_no_metadata(tmp_path: Path) -> None:
    assert read_sidecar(_page(tmp_path)) == ({}, None)


def test_sidecar_fields_are_read(tmp_path: Path) -> None:
    page = _page(tmp_path)
    url = "https://digitalarchive.wilsoncenter.org/document/112345"
    (tmp_path / "page.txt.meta.json").write_text(f'{{"url": "{url}", "fetched_at": null}}')
    assert read_sidecar(page) == ({"url": url, "fetched_at": None}, None)


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b'{"url": "https://digitalarchive', "is not valid JSON"),
        (b'{"url": "Sino-Soviet \xff"}', "is not valid JSON ('utf-8' codec"),
        (b'["https://digitalarchive.wilsoncenter.org/document/1"]', "is not a JSON object"),
    ],
)
def test_bad_sidecar_says_why(tmp_path: Path, content: bytes, says: str) -> None:
    page = _page(tmp_path)
    (tmp_path / "page.txt.meta.json").write_bytes(content)
    meta, problem = read_sidecar(page)
    assert meta == {}
    assert problem is not None
    assert problem.startswith(f"sidecar page.txt.meta.json {says}")


def test_sidecar_that_is_a_folder_says_so(tmp_path: Path) -> None:
    page = _page(tmp_path)
    (tmp_path / "page.txt.meta.json").mkdir()
    meta, problem = read_sidecar(page)
    assert meta == {}
    assert problem is not None
    assert "Is a directory" in problem
    assert problem.endswith("page read without it")


def test_dangling_sidecar_link_is_no_metadata(tmp_path: Path) -> None:
    page = _page(tmp_path)
    (tmp_path / "page.txt.meta.json").symlink_to(tmp_path / "gone.json")
    assert read_sidecar(page) == ({}, None)
