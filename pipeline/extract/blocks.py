"""A page as a flat list of text blocks — the one shape every parser reads.

A text snapshot becomes one block per non-empty line. HTML is rendered to the same blocks
(`html.py`), so listing and detail rules are written once. What the layout tells us beyond the
words is kept on the block: how many blank lines preceded it (`gap`; a run of two or more marks
an entry whose date line is missing), its indentation, and whether it carried a bullet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

BULLETS = "•●▪◦·*"
_SPACES = re.compile(r"[ \t\u00a0\u2007\u202f\u200b]+")


@dataclass(frozen=True)
class Block:
    """One line of visible text with the layout facts the parsers need."""

    text: str
    gap: int = 0  # blank lines before this block
    indent: int = 0
    bullet: bool = False
    separator: bool = False  # a line holding only "-" (old-site entry separator)
    role: str = ""  # optional hint from HTML rendering (e.g. "heading", "date", "title")


_ODD_SPACE = ("  ", "\t", "\u00a0", "\u2007", "\u202f", "\u200b")


def clean_text(text: str) -> str:
    """Collapse spaces (NBSP included) so that printing differences do not leak into values."""
    text = text.strip()
    # the odd spaces past "  " and tab are all non-ASCII: most lines are decided by two scans
    if "  " in text or "\t" in text or (not text.isascii() and any(o in text for o in _ODD_SPACE)):
        return _SPACES.sub(" ", text).strip()
    return text


def text_to_blocks(text: str) -> list[Block]:
    """Split a visible-text snapshot into blocks, one per non-empty line."""
    blocks: list[Block] = []
    gap = 0
    for line in text.split("\n"):
        stripped = clean_text(line)
        if not stripped:
            gap += 1
            continue
        lead = line[: len(line) - len(line.lstrip(" \t\u00a0"))]
        indent = len(lead) + 3 * lead.count("\t")
        bullet = False
        if stripped[0] in BULLETS and (len(stripped) == 1 or stripped[1] == " "):
            bullet = True
            stripped = stripped[1:].strip()
        separator = stripped in {"-", "–", "—"}
        if bullet and not stripped:
            gap += 1
            continue
        blocks.append(Block(stripped, gap=gap, indent=indent, bullet=bullet, separator=separator))
        gap = 0
    return blocks
