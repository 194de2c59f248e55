"""HTML narrowed to its <main> element before parsing: the page's content, none of the
navigation around it, and the whole page whenever the cut would not be safe."""

from __future__ import annotations

from pipeline.extract.html import html_to_blocks
from pipeline.extract.html_bounds import narrow_to_main

HEAD = "<!doctype html><html><head><title>Telegram</title></head>"
NAV = "<nav><ul>" + "<li><a href='/topics'>Cold War History</a></li>" * 50 + "</ul></nav>"
MAIN = "<main class='content'><h1>Cable from Filippov [Stalin] to Mao Zedong</h1></main>"


def test_the_navigation_is_cut_off() -> None:
    page = f"{HEAD}<body>{NAV}{MAIN}<footer>{NAV}</footer></body></html>"
    assert narrow_to_main(page) == f"{HEAD}<body>{MAIN}</body>"
    assert [b.text for b in html_to_blocks(page).blocks] == [
        "Cable from Filippov [Stalin] to Mao Zedong"
    ]


def test_upper_case_tags_are_found_too() -> None:
    main = MAIN.replace("<main", "<MAIN").replace("</main>", "</MAIN>")
    page = f"{HEAD}<body>{NAV}{main}</body></html>"
    assert narrow_to_main(page) == f"{HEAD}<body>{main}</body>"


def test_a_page_cut_before_main_closes_is_parsed_whole() -> None:
    page = f"{HEAD}<body>{NAV}{MAIN[:-20]}"
    assert narrow_to_main(page) is page
    assert html_to_blocks(page).is_truncated


def test_a_closing_tag_without_its_opening_keeps_the_page_whole() -> None:
    page = f"{HEAD}<body>{NAV}<div>Memorandum</div></main></body></html>"
    assert narrow_to_main(page) is page
    opened_after = "</main><main>an opening after the last closing tag"
    assert narrow_to_main(opened_after) is opened_after


def test_a_lower_case_opening_tag_is_preferred() -> None:
    """An earlier <MAIN> in another case is passed over when a lower-case <main> exists
    (HTML5 serialisers write lower case)."""
    page = f"{HEAD}<body><MAIN hidden>template</MAIN>{NAV}{MAIN}</body></html>"
    assert narrow_to_main(page) == f"{HEAD}<body>{MAIN}</body>"


def test_the_element_the_last_closing_tag_ends_is_kept() -> None:
    """Two <main> elements: the one the last </main> closes, not the span from the first one
    (a hidden template and the navigation after it)."""
    template = "<main hidden><p>template</p></main>"
    page = f"{HEAD}<body>{template}{NAV}{MAIN}</body></html>"
    assert narrow_to_main(page) == f"{HEAD}<body>{MAIN}</body>"


def test_a_longer_tag_name_is_not_an_opening_main() -> None:
    main = MAIN.replace("<h1>", "<mainframe>x</mainframe><h1>")
    page = f"{HEAD}<body>{NAV}{main}</body></html>"
    assert narrow_to_main(page) == f"{HEAD}<body>{main}</body>"
    unopened = f"{HEAD}<body>{NAV}<mainframe>x</main></body></html>"
    assert narrow_to_main(unopened) is unopened


def test_an_upper_case_opening_tag_closed_in_lower_case() -> None:
    main = MAIN.replace("<main", "<MAIN")
    page = f"{HEAD}<body><MAIN hidden></MAIN>{NAV}{main}</body></html>"
    assert narrow_to_main(page) == f"{HEAD}<body>{main}</body>"
