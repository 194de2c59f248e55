"""HTML snapshots render to the blocks a text save gives, so both parse to the same records.

Fixtures under tests/fixtures/html/ are pages written in the archive's markup (new Drupal site,
old site) around the same content as the text seeds in raw/, wrapped in the navigation,
mega-menus, sidebars, modals and cookie banners that real pages carry.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import pytest

from pipeline.extract.blocks import text_to_blocks
from pipeline.extract.classify import parse_blocks, parse_text, strip_chrome
from pipeline.extract.html import HtmlPage, html_to_blocks
from pipeline.extract.html_bounds import is_truncated_html
from pipeline.extract.records import PageResult

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "html"
SITE = "https://digitalarchive.wilsoncenter.org"
SEARCH_URL = f"{SITE}/search?f%5B0%5D=people%3A81716&page=3"
DETAIL_URL = f"{SITE}/document/letter-cde-mao-zedong-cde-filippov-stalin-kovalev"
COLLECTION_URL = f"{SITE}/collection/471/china-and-the-soviet-union-in-xinjiang-1934-1949"
SEED_000 = "000_b8627c3e629c314f.txt"
SEED_001 = "001_e6ba8d6b4194133d.txt"
SEED_003 = "003_748643c9043377ee.txt"
SEED_004 = "004_bb0ea68de193cbd1.txt"
# Printed only in the fixtures' mega-menus, sidebars and footers, never in their content.
NAV_ONLY_TITLES = [
    "Letter, Jiang Qing to Mao Zedong",  # seed 000, in the (a) mega-menu
    "Ciphered Telegram, Filippov [Stalin] to Mao Zedong",  # seed 002, in every footer
    "Congratulatory Remarks [Delivered at] the Bolshoi Theatre in Moscow",
]


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def seed(name: str) -> str:
    return (ROOT / "raw" / name).read_text(encoding="utf-8")


def render(name: str) -> HtmlPage:
    return html_to_blocks(fixture(name))


def parse_html(page: HtmlPage, url: str | None = None) -> PageResult:
    return parse_blocks(page.blocks, url or page.url)


def texts(page: HtmlPage) -> set[str]:
    return {b.text for b in page.blocks}


# --------------------------------------------------------------------------- (a) search page


def test_new_search_page_reads_like_its_text_save() -> None:
    page = render("new_search_page.html")
    assert page.url == SEARCH_URL  # no canonical link on a search view: og:url
    assert page.node_id is None
    assert page.is_truncated is False
    assert page.title_tag == "Search | Wilson Center Digital Archive"
    from_html = parse_html(page)
    from_text = parse_text(seed(SEED_004), SEARCH_URL)
    assert from_html.problem is None
    assert asdict(from_html) == asdict(from_text)
    listing = from_html.listing
    assert listing is not None
    assert (listing.range_first, listing.range_last, listing.range_total) == (31, 40, 43)
    assert len(listing.entries) == 10
    assert listing.is_truncated is False


def test_undated_search_entry_opens_on_a_double_gap() -> None:
    page = render("new_search_page.html")
    apresov = next(b for b in page.blocks if b.text.startswith("Telegram from Cdes. Stalin"))
    assert apresov.gap == 2
    entry = parse_html(page).listing.entries[7]
    assert entry.date_raw is None
    assert entry.title == (
        "Telegram from Cdes. Stalin, Molotov, and Voroshilov to G. Apresov, "
        "Consul General in Urumqi"
    )
    assert entry.summary is not None and entry.summary.startswith("Stalin, Molotov, Voroshilov")


def test_new_search_blocks_are_the_text_save_lines() -> None:
    page = render("new_search_page.html")
    text_blocks = strip_chrome(text_to_blocks(seed(SEED_004)))
    assert [b.text for b in page.blocks] == [b.text for b in text_blocks]
    # past the header, the double gaps (entry without a date line) sit at the same lines
    assert [i for i, b in enumerate(page.blocks) if i > 1 and b.gap >= 2] == [
        i for i, b in enumerate(text_blocks) if i > 1 and b.gap >= 2
    ]


@pytest.mark.parametrize(
    "name", ["new_search_page.html", "new_detail_page.html", "new_detail_all_labels.html"]
)
def test_navigation_never_becomes_content(name: str) -> None:
    raw = fixture(name)
    page = html_to_blocks(raw)
    rendered = texts(page)
    for title in NAV_ONLY_TITLES[1:]:
        assert title in raw  # the noise is really there ...
        assert title not in rendered  # ... and never rendered
    for chrome in ("Main navigation", "Featured Documents", "Skip to main content", "Search"):
        assert chrome not in rendered
    assert not any("cookies" in t or "Woodrow Wilson Plaza" in t for t in rendered)


def test_mega_menu_documents_are_not_entries() -> None:
    raw = fixture("new_search_page.html")
    assert NAV_ONLY_TITLES[0] in raw
    titles = [e.title for e in parse_html(html_to_blocks(raw)).listing.entries]
    assert NAV_ONLY_TITLES[0] not in titles
    assert raw.count('href="/document/') >= 30  # menu and footer links outnumber the results
    # a result also featured in the mega-menu is read once, from the results
    pyongyang = "Cable, Filippov [Stalin] to the Soviet Ambassador, Pyongyang"
    assert raw.count(pyongyang) == 2
    assert titles.count(pyongyang) == 1


# --------------------------------------------------------------------------- (b) detail page


def test_new_detail_page_reads_like_its_text_save() -> None:
    raw = fixture("new_detail_page.html")
    assert len(raw) > 150_000 and raw.count('href="/document/') > 100  # mostly navigation
    page = html_to_blocks(raw)
    assert page.url == DETAIL_URL
    assert page.node_id == "209536"
    assert page.is_truncated is False
    assert page.title_tag == (
        "Letter from Cde. Mao Zedong to Cde. Filippov [Stalin] via Kovalev"
        " | Wilson Center Digital Archive"
    )
    from_html = parse_html(page)
    from_text = parse_text(seed(SEED_001), DETAIL_URL)
    assert from_html.problem is None and from_html.kind == "document_detail"
    html_fields, text_fields = asdict(from_html.detail), asdict(from_text.detail)
    html_body, text_body = html_fields.pop("body"), text_fields.pop("body")
    assert html_fields == text_fields
    assert html_fields["original_classification"] == "Top Secret"
    assert html_fields["funders"] == ["Blavatnik Family Foundation"]
    assert html_fields["translator"] == "Gary Goldberg"
    assert html_fields["slug"] == "letter-cde-mao-zedong-cde-filippov-stalin-kovalev"
    # the fixture keeps the first and last paragraphs of the body, in order, as printed
    html_paras, text_paras = html_body.split("\n\n"), text_body.split("\n\n")
    assert html_paras[0] == text_paras[0] == "CABLE Nº 59442"
    assert html_paras[-1] == text_paras[-1]
    assert html_paras[-1] == "Verified by shift chief [illegible signature, possible Finenko] 1430"
    assert html_paras == text_paras[:6] + text_paras[-8:]
    assert "Copy Nº 1 to Cde. Stalin\nCopy Nº 2 to Cde. Stalin\n" in html_body  # <br> lines


def test_detail_page_chrome_inside_main_is_dropped() -> None:
    rendered = texts(render("new_detail_page.html"))
    for hidden in ("Transcript", "Original Scan", "Cite", "Print", "Share on X", "Source"):
        assert hidden not in rendered
    assert not any(t.startswith("Download PDF") for t in rendered)  # inactive tab pane
    assert not any("History and Public Policy Program Digital Archive," in t for t in rendered)
    assert not any(t.startswith("Related Documents") for t in rendered)


# --------------------------------------------------------------------------- (c) old collection


def test_old_collection_page_reads_like_its_text_save() -> None:
    page = render("old_collection_page.html")
    assert page.url is None and page.node_id is None and page.is_truncated is False
    from_html = parse_html(page, COLLECTION_URL)
    from_text = parse_text(seed(SEED_003), COLLECTION_URL)
    assert from_html.problem is None
    assert asdict(from_html) == asdict(from_text)
    listing = from_html.listing
    assert listing.title == "China and the Soviet Union in Xinjiang, 1934-1949"
    assert len(listing.entries) == 11
    assert listing.entries[0].date_raw == "August, 1949"
    assert listing.entries[0].title == "Karsky to Cde. Miklashevsky"


def test_old_collection_bullets_mark_the_date_lines() -> None:
    page = render("old_collection_page.html")
    text_blocks = strip_chrome(text_to_blocks(seed(SEED_003)))
    assert [b.text for b in page.blocks] == ["No image found."] + [b.text for b in text_blocks]
    page_blocks = strip_chrome(page.blocks)
    assert [b.bullet for b in page_blocks] == [b.bullet for b in text_blocks]
    assert sum(b.bullet for b in page_blocks) == 11
    assert "Popular Documents" not in texts(page) and "Themes" not in texts(page)


# --------------------------------------------------------------------------- (d) every label


def test_new_detail_page_with_every_labelled_block() -> None:
    page = render("new_detail_all_labels.html")
    assert page.url == f"{SITE}/document/cable-no-3582-flilippov-stalin-cde-mao-zedong"
    assert page.node_id == "230118"
    result = parse_html(page)
    assert result.problem is None
    d = result.detail
    assert d.layout == "new_detail"
    assert d.pre_text == "China and the Soviet Union in Xinjiang, 1934-1949"
    assert d.date_raw == "September 2, 1949"
    assert d.title == "Cable No. 3582 from Flilippov [Stalin] to Cde. Mao Zedong"
    assert d.funders == ["Leon Levy Foundation"]
    assert d.body == (
        "CIPHERED TELEGRAM No. 3582\n\nBEIJING\nTO KOVALEV\nFor Cde. MAO ZEDONG\n\n"
        "The aircraft carrying the delegation of the democratic organizations of Xinjiang to "
        "Beijing crashed on its way. Inform Cde. Mao Zedong.\n\nFILIPPOV"
    )
    assert d.summary == (
        "A delegation of democratic organizations of Xinjiang crashed on its way to Beijing. "
        "The delegation included Uyghur political leaders Abdulkerim Abbas and Ehmetjan Qasim."
    )
    assert d.authors == ["Stalin, Joseph, 1879-1953"]
    assert d.places == ["China", "Soviet Union", "Xinjiang Uygur Zizhiqu (China)"]
    assert d.topics == [
        "China and the Soviet Union in Xinjiang, 1934-1949",
        "Sino-Soviet Relations",
    ]
    assert d.subjects == [
        "Aircraft accidents",
        "Uighur (Turkic people)--Politics and government",
        "Xinjiang Uygur Zizhiqu (China)--History--20th century",
    ]
    assert d.citation == "RGASPI, f. 558, op. 11, d. 330, l. 104. Translated by Gary Goldberg."
    assert d.source == "RGASPI, f. 558, op. 11, d. 330, l. 104."
    assert d.translator == "Gary Goldberg"
    assert d.original_archive == "Russian State Archive of Socio-Political History (RGASPI)"
    assert d.rights is not None
    rights = d.rights.split("\n\n")
    assert len(rights) == 2
    assert rights[0].startswith("The History and Public Policy Program welcomes reuse")
    assert rights[1].endswith("History and Public Policy Program at [email protected].")
    assert d.original_uploaded_date == "January 13, 2020"
    assert d.doc_type == "Cable"
    assert d.language == "Russian"
    assert d.record_id == "300446"
    assert d.original_classification == "Top Secret"
    assert d.slug == "cable-no-3582-flilippov-stalin-cde-mao-zedong"
    assert d.is_truncated is False


# --------------------------------------------------------------------------- (e) truncated


def test_truncated_page_is_flagged_and_keeps_its_whole_entries() -> None:
    raw = fixture("new_search_truncated.html")
    assert "</body>" not in raw and "</html>" not in raw
    page = html_to_blocks(raw)
    assert page.is_truncated is True
    listing = parse_html(page).listing
    assert listing is not None and listing.is_truncated is True
    whole = parse_text(seed(SEED_000)).listing.entries
    assert len(listing.entries) == 6
    assert [asdict(e) for e in listing.entries[:5]] == [asdict(e) for e in whole[:5]]
    last = listing.entries[-1]
    assert (last.date_raw, last.title) == (whole[5].date_raw, whole[5].title)
    assert last.summary is not None and whole[5].summary.startswith(last.summary)
    assert last.summary.endswith("its attempted actions and its rep")
    assert last.is_truncated is True


@pytest.mark.parametrize(
    ("html", "cut"),
    [
        ("<!DOCTYPE html><html><body><p>whole</p></body></html>", False),
        ("<html><body><p>whole</p></body>\n", False),  # </html> lost after a complete body
        ("<html><head></head><body><p>cut mid-", True),
        ("<HTML><BODY><P>cut</P>", True),
        ("<HTML><BODY><P>whole</P></BODY></HTML>", False),  # closed in upper case
        ("<html><body><p>whole</p></body\n  >", False),  # space before the bracket
        ("<html><body><p>cut in a tag named </bodyguard>", True),
        ("<p>a fragment never opens a document</p>", False),
        ("", False),
    ],
)
def test_is_truncated_html(html: str, cut: bool) -> None:
    assert is_truncated_html(html) is cut
    assert html_to_blocks(html).is_truncated is cut
