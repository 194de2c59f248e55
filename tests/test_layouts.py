"""Every page layout the archive has served, read from hand-written fixture pages.

Each `tests/fixtures/text/<name>.txt` is a page in the archive's style (invented content), with
an optional `<name>.url` (the URL it was saved from) and `<name>.expected.json` (the PageResult,
reviewed by hand). Every field is compared, so a parser change that alters any value shows up
as a named field difference. Pages the parser must refuse carry `problem` and no rows.

To add a layout: write the page, run the parser on it, check every field by hand, save the JSON.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from pipeline.extract.classify import parse_text
from pipeline.extract.records import PageResult
from pipeline.extract.urls import url_facts

HERE = Path(__file__).parent
FIXTURES = HERE / "fixtures" / "text"
RAW = HERE.parent / "raw"
NAMES = sorted(p.stem for p in FIXTURES.glob("*.txt"))


def _parse_fixture(name: str) -> dict:
    text = (FIXTURES / f"{name}.txt").read_text(encoding="utf-8")
    url_file = FIXTURES / f"{name}.url"
    url = url_file.read_text(encoding="utf-8").strip() if url_file.exists() else None
    return parse_text(text, url).to_json()


def _expected(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _assert_same(got: dict, want: dict) -> None:
    """Field by field, so a failure names the field (and entry) that changed."""
    assert set(got) == set(want), "PageResult fields differ"
    for key in ("kind", "problem", "url", "format", "encoding"):
        assert got[key] == want[key], key
    for part in ("listing", "detail"):
        g, w = got[part], want[part]
        assert (g is None) == (w is None), part
        if g is None:
            continue
        assert set(g) == set(w), f"{part} fields differ"
        for key in w:
            if key != "entries":
                assert g[key] == w[key], f"{part}.{key}"
        if part == "listing":
            assert len(g["entries"]) == len(w["entries"]), "number of entries"
            for i, (ge, we) in enumerate(zip(g["entries"], w["entries"], strict=True)):
                for key in we:
                    assert ge.get(key) == we[key], f"entry {i + 1}.{key}"
                assert set(ge) == set(we), f"entry {i + 1} fields differ"


def test_there_are_enough_fixtures() -> None:
    assert len(NAMES) >= 25
    missing = [n for n in NAMES if not (FIXTURES / f"{n}.expected.json").exists()]
    assert not missing, f"fixtures without an expected result: {missing}"


@pytest.mark.parametrize("name", NAMES)
def test_fixture_page(name: str) -> None:
    _assert_same(_parse_fixture(name), _expected(FIXTURES / f"{name}.expected.json"))


@pytest.mark.parametrize("name", NAMES)
def test_refused_pages_yield_no_rows(name: str) -> None:
    """The rule the whole suite guards: a page is read right, or refused with no rows at all."""
    got = _parse_fixture(name)
    if got["problem"]:
        assert got["listing"] is None and got["detail"] is None
    else:
        assert got["listing"] is not None or got["detail"] is not None


@pytest.mark.parametrize("name", NAMES)
def test_round_trip_through_json(name: str) -> None:
    """Results are cached as JSON: reading them back must give the same result."""
    got = _parse_fixture(name)
    assert PageResult.from_json(json.loads(json.dumps(got))).to_json() == got


SEEDS = sorted(p.stem for p in (FIXTURES / "seeds").glob("*.expected.json"))


@pytest.mark.parametrize("stem", [s.removesuffix(".expected") for s in SEEDS])
def test_seed_pages_unchanged(stem: str) -> None:
    """The five real snapshots in raw/ still give exactly what they gave before (regression)."""
    page = RAW / f"{stem}.txt"
    if not page.exists():
        pytest.skip(f"{page} not present")
    got = parse_text(page.read_text(encoding="utf-8")).to_json()
    _assert_same(got, _expected(FIXTURES / "seeds" / f"{stem}.expected.json"))


# --- properties that fixtures alone do not show ------------------------------------------------


def _new_search_page(n: int, cut: str | None = None) -> str:
    parts = ["Skip to content", "", "", f"1 - {n} of {n}", "", ""]
    for i in range(n):
        parts += [
            f"March {i % 28 + 1}, 19{50 + i % 40}",
            "",
            f"Telegram No. {1000 + i} from the Embassy",
            "",
            f"The embassy reports on matter number {i}.",
            "",
        ]
    text = "\n".join(parts).rstrip("\n")
    return text + ("\n\n" + cut if cut else "")


def test_very_long_page_is_read_whole_and_fast() -> None:
    text = _new_search_page(5000)
    started = time.perf_counter()
    result = parse_text(text)
    elapsed = time.perf_counter() - started
    assert result.problem is None and result.listing is not None
    assert len(result.listing.entries) == 5000
    assert result.listing.entries[-1].title == "Telegram No. 5999 from the Embassy"
    assert not result.listing.is_truncated
    assert elapsed < 10, f"5000 entries took {elapsed:.1f}s"


@pytest.mark.parametrize("cut", ["M", "Mar", "March 1", "March 12,", "March 12, 19", "19"])
def test_page_cut_inside_a_date_line_keeps_whole_entries(cut: str) -> None:
    page = _new_search_page(3).replace("1 - 3 of 3", "1 - 4 of 4")
    result = parse_text(page + "\n\n" + cut)
    assert result.listing is not None
    assert [e.title for e in result.listing.entries] == [
        "Telegram No. 1000 from the Embassy",
        "Telegram No. 1001 from the Embassy",
        "Telegram No. 1002 from the Embassy",
    ]
    assert not any(e.is_truncated for e in result.listing.entries)
    assert result.listing.is_truncated
    assert (result.listing.range_first, result.listing.range_last) == (1, 4)


@pytest.mark.parametrize("page", ["new", "old"])
def test_page_cut_anywhere_never_passes_a_cut_entry_as_whole(page: str) -> None:
    """Cut a page at every character: every entry kept unflagged is a whole original entry."""
    if page == "new":
        full = _new_search_page(3)
    else:
        full = (FIXTURES / "old_collection_full_chrome.txt").read_text(encoding="utf-8")
    whole = {(e.date_raw, e.title, e.summary) for e in parse_text(full).listing.entries}
    for keep in range(1, len(full)):
        result = parse_text(full[:keep])
        if result.listing is None:
            assert result.problem or result.kind == "unknown", keep
            continue
        for e in result.listing.entries:
            if not e.is_truncated:
                assert (e.date_raw, e.title, e.summary) in whole, (keep, e)


def test_date_like_title_does_not_shift_entries() -> None:
    text = "1 - 2 of 2\n\nMay 1968\n\n1968\n\nA pamphlet.\n\nJune 1968\n\nLetter\n\nA letter."
    entries = parse_text(text).listing.entries
    assert [(e.date_raw, e.title) for e in entries] == [
        ("May 1968", "1968"),
        ("June 1968", "Letter"),
    ]


def test_unreadable_date_line_stays_a_date_line() -> None:
    text = (
        "1 - 2 of 2\n\nEarly 1950\n\nA Plan\n\nA draft.\n\n"
        "February 30, 1950\n\nAn Order\n\nAn order."
    )
    entries = parse_text(text).listing.entries
    assert [(e.date_raw, e.title) for e in entries] == [
        ("Early 1950", "A Plan"),
        ("February 30, 1950", "An Order"),
    ]
    assert entries[0].date_problem == "unrecognised date format 'Early 1950'"
    assert entries[1].date_problem == "impossible date 'February 30, 1950'"


# --- URL facts ----------------------------------------------------------------------------------

URLS = [
    (
        "https://digitalarchive.wilsoncenter.org/document/119939",
        {"site": "old", "record_id": "119939"},
    ),
    (
        "https://digitalarchive.wilsoncenter.org/document/letter-mao-zedong",
        {"site": "new", "slug": "letter-mao-zedong"},
    ),
    (
        "https://staging.example.org/en/document/letter-mao-zedong",
        {"site": "new", "slug": "letter-mao-zedong"},
    ),
    (
        "https://digitalarchive.wilsoncenter.org/collection/76/sino-soviet-relations?page=3",
        {"listing_type": "collection", "page_number": 3, "slug": "sino-soviet-relations"},
    ),
    (
        "https://digitalarchive.wilsoncenter.org/topics/korean-war?page=0",
        {"listing_type": "topic", "page_number": 1, "slug": "korean-war"},
    ),
    ("https://digitalarchive.wilsoncenter.org/people/mao-zedong", {"listing_type": "person"}),
    ("https://digitalarchive.wilsoncenter.org/places/xinjiang", {"listing_type": "place"}),
    (
        "https://digitalarchive.wilsoncenter.org/search?keywords=stalin&page=2",
        {"listing_type": "search", "page_number": 3, "search_term": "stalin"},
    ),
    (
        "https://digitalarchive.wilsoncenter.org/search-results/4/"
        "%7B%22search-in%22%3A%22all%22%2C%22term%22%3A%22test%22%7D?recordType=Record",
        {"site": "old", "listing_type": "search", "page_number": 4, "search_term": "test"},
    ),
    ("https://digitalarchive.wilsoncenter.org/about", {"site": None, "listing_type": None}),
    (None, {"site": None}),
]


@pytest.mark.parametrize(("url", "facts"), URLS)
def test_url_facts(url: str | None, facts: dict) -> None:
    got = url_facts(url)
    for key, value in facts.items():
        assert getattr(got, key) == value, key
