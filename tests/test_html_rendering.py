"""How HTML is rendered to blocks, rule by rule: lines, gaps and whitespace, items without a
date line, bullets and separators, dropped chrome, the content root, head links, deep nesting,
and narrowing to <main> before parsing."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import pytest

from pipeline.extract.classify import parse_blocks, parse_text
from pipeline.extract.html import html_to_blocks

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "html"


def test_lines_gaps_and_whitespace() -> None:
    page = html_to_blocks(
        "<main><p>Inline <b>bold</b>ly\n   joined&nbsp;&nbsp;text</p>"
        "<p>one<br>two<br><br>three</p><div>four<p>five</p>six</div>"
        "<pre>pre a\n  pre b\n\npre c</pre><table><tr><td>c1</td><td>c2</td></tr></table></main>"
    )
    assert [(b.text, b.gap) for b in page.blocks] == [
        ("Inline boldly joined text", 0),
        ("one", 1),
        ("two", 0),
        ("three", 1),
        ("four", 1),
        ("five", 1),
        ("six", 1),
        ("pre a", 1),
        ("pre b", 0),
        ("pre c", 1),
        ("c1 c2", 2),  # a table row is a repeated item without a date line
    ]


def test_items_without_a_date_line_open_with_two_blank_lines() -> None:
    page = html_to_blocks(
        "<main><div class='view-content'>"
        "<div class='views-row'><div class='date'>June 1934</div><h3>A</h3><p>Sa.</p></div>"
        "<div class='views-row'><div></div><h3>B</h3><p>Sb.</p></div>"
        "<article><p>ND</p><h3>C</h3></article>"
        "</div></main>"
    )
    assert [(b.text, b.gap) for b in page.blocks] == [
        ("June 1934", 0),
        ("A", 1),
        ("Sa.", 1),
        ("B", 2),
        ("Sb.", 1),
        ("ND", 1),
        ("C", 1),
    ]
    assert [b.role for b in page.blocks[:2]] == ["", "heading"]


def test_bullets_and_separators() -> None:
    page = html_to_blocks(
        "<body><div id='content'><ul class='search-res'>"
        "<li><p>May 1, 1950</p><p>T1</p></li><li><span></span> <p>May 2, 1950</p></li></ul>"
        "<ul class='list-unstyled'><li>no bullet</li></ul><ul class='pills'><li>pill</li></ul>"
        "<ol><li>numbered</li></ol><hr><p> - </p><p>• literal</p></div></body>"
    )
    got = [(b.text, b.bullet, b.separator) for b in page.blocks]
    assert got == [
        ("May 1, 1950", True, False),
        ("T1", False, False),
        ("May 2, 1950", True, False),
        ("no bullet", False, False),
        ("pill", False, False),
        ("numbered", False, False),
        ("-", False, True),
        ("-", False, True),
        ("literal", True, False),
    ]


def test_old_search_results_with_separators_read_like_text() -> None:
    html = (
        "<html><body><div id='header'><form><label>Search in</label></form></div>"
        "<div id='content'><h2>Search Results for “Xinjiang”</h2>"
        "<p>October 12, 1949</p><p>Ciphered Telegram No. 58986</p>"
        "<p>Mao requests fuel.</p><hr>"
        "<p>October 14, 1949</p><p>Ciphered Telegram No. 4159</p><p>Stalin agrees.</p>"
        "</div></body></html>"
    )
    text = (
        "SEARCH RESULTS FOR “Xinjiang”\n\nOctober 12, 1949\n\nCiphered Telegram No. 58986\n\n"
        "Mao requests fuel.\n-\nOctober 14, 1949\n\nCiphered Telegram No. 4159\n\n"
        "Stalin agrees.\n"
    )
    from_html = parse_blocks(
        html_to_blocks(html.replace("Search Results", "SEARCH RESULTS")).blocks
    )
    from_text = parse_text(text)
    assert from_html.problem is None
    assert asdict(from_html) == asdict(from_text)
    assert [e.title for e in from_html.listing.entries] == [
        "Ciphered Telegram No. 58986",
        "Ciphered Telegram No. 4159",
    ]


@pytest.mark.parametrize(
    "noise",
    [
        "<header><p>October 1, 1950</p></header>",
        "<nav><p>October 1, 1950</p></nav>",
        "<div role='navigation'><p>October 1, 1950</p></div>",
        "<div role='banner'><p>October 1, 1950</p></div>",
        "<footer><p>October 1, 1950</p></footer>",
        "<aside><p>October 1, 1950</p></aside>",
        "<form><p>October 1, 1950</p></form>",
        "<ul class='menu'><li>October 1, 1950</li></ul>",
        "<div class='mega-menu__panel'>October 1, 1950</div>",
        "<div id='block-main-menu'>October 1, 1950</div>",
        "<div class='breadcrumb'>October 1, 1950</div>",
        "<span class='visually-hidden'>October 1, 1950</span>",
        "<span class='sr-only'>October 1, 1950</span>",
        "<div class='eu-cookie-compliance-banner'>October 1, 1950</div>",
        "<div id='onetrust-consent-sdk'>October 1, 1950</div>",
        "<div hidden>October 1, 1950</div>",
        "<div aria-hidden='true'>October 1, 1950</div>",
        "<div style='display: none'>October 1, 1950</div>",
        "<div class='tab-pane'>October 1, 1950</div>",
        "<script>document.write('October 1, 1950')</script>",
        "<style>p::before{content:'October 1, 1950'}</style>",
        "<noscript>October 1, 1950</noscript>",
        "<template><p>October 1, 1950</p></template>",
        "<svg><text>October 1, 1950</text></svg>",
        "<button>October 1, 1950</button>",
    ],
)
def test_chrome_and_hidden_elements_are_dropped(noise: str) -> None:
    page = html_to_blocks(f"<html><body><main><p>kept</p>{noise}<p>also kept</p></main></body>")
    assert [b.text for b in page.blocks] == ["kept", "also kept"]


def test_content_root_prefers_main_and_skips_an_empty_anchor() -> None:
    html = (
        "<html><body><div class='site'><p>May 1, 1950</p><p>Outside the content</p>"
        "<a id='main-content'></a><div class='region-content'><p>Inside</p></div></div>"
        "</body></html>"
    )
    assert [b.text for b in html_to_blocks(html).blocks] == ["Inside"]
    with_main = html.replace("<div class='region-content'>", "<main><div>").replace(
        "</div></div>", "</div></main></div>"
    )
    assert [b.text for b in html_to_blocks(with_main).blocks] == ["Inside"]


def test_body_is_the_fallback_root() -> None:
    html = (
        "<html><body><header><p>Digital Archive</p></header>"
        "<div><h1>Collection</h1><p>May 1, 1950</p><p>Title</p></div>"
        "<footer><p>June 1, 1950</p></footer></body></html>"
    )
    assert [b.text for b in html_to_blocks(html).blocks] == ["Collection", "May 1, 1950", "Title"]


def test_head_links() -> None:
    page = html_to_blocks(
        "<html><head><title>  A\n  title </title>"
        "<meta property='og:url' content='https://example.org/og'>"
        "<link rel='canonical' href=' https://example.org/canonical '>"
        "<link rel='shortlink' href='/node/42'></head><body></body></html>"
    )
    assert (page.url, page.node_id, page.title_tag) == (
        "https://example.org/canonical",
        "42",
        "A title",
    )
    bare = html_to_blocks("<html><head><link rel='shortlink' href='/node/42x'></head></html>")
    assert (bare.url, bare.node_id, bare.title_tag, bare.blocks) == (None, None, None, [])


def test_deeply_nested_markup_does_not_recurse() -> None:
    html = "<main>" + "<div>" * 5000 + "<p>deep</p>" + "</div>" * 5000 + "<p>after</p></main>"
    assert [b.text for b in html_to_blocks(html).blocks] == ["deep", "after"]


def test_narrowing_to_main_renders_the_same_blocks() -> None:
    """Cutting the page down to <main> before parsing must not change what is rendered."""
    from selectolax.lexbor import LexborHTMLParser

    from pipeline.extract import html as html_mod

    for path in sorted(FIXTURES.glob("*.html")):
        text = path.read_text(encoding="utf-8")
        full = html_mod._render_content(LexborHTMLParser(text))
        assert html_mod.html_to_blocks(text).blocks == full, path.name
    assert "<main" in (FIXTURES / "new_detail_page.html").read_text(encoding="utf-8")
