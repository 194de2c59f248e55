"""Normalisation keys: two printings of one document must share them, two documents must not.

Titles: case, punctuation, whitespace (NBSP too), "Cde."/"Cdes."/"Comrade(s)", bracket marks and
quote styles are printing noise. Numbers are kept: "No. 58986" and "No. 4159" are different
telegrams, so numbers are also pulled out separately as a hard never-merge signal.
"""

from __future__ import annotations

import re
import unicodedata

from pipeline.run_memo import run_memo

_ABBREVIATIONS = [
    (re.compile(r"\bcdes\b\.?"), "comrades"),
    (re.compile(r"\bcde\b\.?"), "comrade"),
    (re.compile(r"\bcomrades\b"), "comrades"),
    (re.compile(r"\bno\b\.?\s*(?=\d)"), "no "),
    (re.compile(r"\bnumber\s+(?=\d)"), "no "),
    (re.compile(r"№\s*"), "no "),
    (re.compile(r"\s*&\s*"), " and "),
]
_NON_WORD = re.compile(r"[^\w\s]+")
_SPACE = re.compile(r"\s+")
_NUMBER = re.compile(r"\d+")
_LEADING_ZERO = re.compile(r"\b0+(?=\d)")


def fold(text: str) -> str:
    """Lower-case, strip accents and unify quotes/dashes/space so printing noise disappears."""
    if not text.isascii():  # accents only exist outside ASCII; most archive text is ASCII
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("\u00a0", " ").replace("’", "'").replace("‘", "'")
    return text.lower()


@run_memo  # for one run: resolve() clears it (and hands its answers on)
def normalize_title(title: str | None) -> str:
    """Matching key of a title ("" when there is no title)."""
    if not title:
        return ""
    text = fold(title)
    for pattern, repl in _ABBREVIATIONS:
        text = pattern.sub(repl, text)
    text = text.replace("'", "")
    text = _NON_WORD.sub(" ", text)
    text = _LEADING_ZERO.sub("", text)
    return _SPACE.sub(" ", text).strip()


@run_memo  # for one run: resolve() clears it (and hands its answers on)
def normalize_summary(summary: str | None) -> str:
    """Matching key of a summary: folded words only (cached: a document's summary is printed
    on every listing that shows it)."""
    if not summary:
        return ""
    text = fold(summary).replace("'", "")
    return _SPACE.sub(" ", _NON_WORD.sub(" ", text)).strip()


@run_memo  # for one run: resolve() clears it (and hands its answers on)
def numbers_in(text: str | None) -> tuple[str, ...]:
    """The numbers printed in a title, in order, without leading zeros."""
    if not text:
        return ()
    return tuple(str(int(n)) for n in _NUMBER.findall(text))


_DISCRIMINATORS = re.compile(
    r"\b(morning|afternoon|evening|night|day|daytime|midnight|noon|first|second|third|fourth|"
    r"final|last|earlier|later|reply|response)\b"
)


@run_memo  # for one run: resolve() clears it (and hands its answers on)
def discriminators(summary_norm: str) -> frozenset[str]:
    """Words and numbers that tell two same-titled records apart ("in the evening", "No. 2")."""
    words = set(_DISCRIMINATORS.findall(summary_norm))
    words.update(_NUMBER.findall(summary_norm))
    return frozenset(words)
