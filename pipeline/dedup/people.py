"""Names as printed → one canonical person, from a small reviewed data file.

The mapping (pseudonyms like Filippov → Stalin, spellings, name orders) lives in
`pipeline/data/people_aliases.csv`, so a historian can review and extend it without code.
"""

from __future__ import annotations

import csv
import re
from functools import lru_cache
from importlib import resources

from pipeline.run_memo import run_memo

_BRACKET = re.compile(r"\[([^\]]+)\]")
_SPACE = re.compile(r"\s+")


@lru_cache(maxsize=1)
def alias_table() -> dict[str, str]:
    """alias (lower-case) → canonical person."""
    text = resources.files("pipeline").joinpath("data/people_aliases.csv").read_text("utf-8")
    return {
        row["alias"].strip().lower(): row["person"].strip()
        for row in csv.DictReader(text.splitlines())
    }


def _squash(text: str) -> str:
    return _SPACE.sub(" ", text).strip(" ,.;:")


@run_memo  # for one run: resolve() clears it (a name is printed on every title variant)
def canonical_person(printed: str) -> str:
    """The person a printed name refers to.

    Tries, in order: the name as printed; brackets opened ("Mao [Zedong]" → "Mao Zedong"); the
    name outside the brackets ("Filippov [Stalin]" → "Filippov"); the bracket's content. Falls
    back to the opened name, so an unknown person is still named, never dropped.
    """
    aliases = alias_table()
    opened = _squash(_BRACKET.sub(r"\1", printed))
    outside = _squash(_BRACKET.sub("", printed))
    inside = [_squash(m) for m in _BRACKET.findall(printed)]
    for candidate in [printed, opened, outside, *inside]:
        person = aliases.get(_squash(candidate).lower())
        if person:
            return person
    return opened
