"""A text save → blocks: one per non-empty line, with the layout facts the parsers read."""

from __future__ import annotations

from pipeline.extract.blocks import Block, text_to_blocks
from pipeline.extract.classify import join_bare_bullets

# Lines as the archive's text saves print them: a collection header, a bullet on its own line
# before an entry title, an old-site "-" separator, NBSP and tab indents, odd spaces inside a
# line, and lines that hold only spaces (NBSP, zero-width) — blank, so they count as gap.
SAVE = (
    "Sino-Soviet Relations\n"
    "\u00a0\u200b \n"
    "\n"
    "•\n"
    "  Cable from Filippov [Stalin] to Mao Zedong\n"
    "\tAugust,\u00a0 1949\n"
    "–\n"
    "\u00a0\u00a0Telegram  from Kovalev\u2007to Filippov\n"
    "• Record of Conversation\n"
    "•\n"
)


def test_text_lines_become_blocks_with_their_layout() -> None:
    text, cut_after_bullet = join_bare_bullets(SAVE)
    assert cut_after_bullet  # the save ends on a bare bullet
    got = text_to_blocks(text)
    assert got == [
        Block("Sino-Soviet Relations"),
        Block("Cable from Filippov [Stalin] to Mao Zedong", gap=2, indent=2, bullet=True),
        Block("August, 1949", indent=4),
        Block("–", separator=True),
        Block("Telegram from Kovalev to Filippov", indent=2),
        Block("Record of Conversation", bullet=True),
    ]


def test_a_page_without_bullets_comes_back_as_it_was() -> None:
    page = "Search Results\n\n1 - 10 of 43\n  Apresov to Molotov\n"
    assert join_bare_bullets(page) == (page, False)


def test_a_line_holding_only_a_bullet_or_spaces_is_blank() -> None:
    got = text_to_blocks("Title\n• \n\u200b\n\u00a0\t\nNext")
    assert got == [Block("Title"), Block("Next", gap=3)]
