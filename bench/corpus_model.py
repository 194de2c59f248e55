"""The synthetic archive's model: its size and proportions, the document record, dates as each
site prints them, title variants, and the seeded random generators every choice comes from.

Why a module of its own: the planner, the page writers and `bench.dedup_bench` all draw on the
same knobs and the same printing rules; keeping them in one place keeps the corpus consistent
and its determinism easy to check (one `seeded_rng` per purpose, never Python's salted `hash`).
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass

SITE = "https://digitalarchive.wilsoncenter.org"
PAGES_PER_FOLDER = 500  # with sidecars: at most 1,000 files per folder

# Scale 1 = the real archive's size.
BASE_DOCUMENTS = 16_000
BASE_DETAIL_PAGES = 20_000
BASE_SEARCH_PAGES = 1_250  # 10 entries each
BASE_COLLECTION_PAGES = 750  # ~64 entries each -> ~60,000 listing entries in all

# Proportions (of documents, pages or printed entries).
P_DETAIL = 0.93  # documents with at least one detail page
P_MONTH, P_YEAR, P_UNDATED = 0.05, 0.01, 0.02
P_NEAR_MISS = 0.03  # tried after ~3% of documents; ~2% succeed (template allows it)
P_NO_SUMMARY = 0.01
P_SIDECAR = 0.92
P_TRUNCATED = 0.01
P_BAD = 0.005
P_SEARCH_HTML = 0.3  # share of search queries saved as HTML
P_CROSS_FORMAT = 0.02  # search pages saved twice, as text and as HTML
P_REFETCH = 0.02  # collection pages downloaded twice (identical bytes)
DETAIL_FORMATS = (("new_text", 0.67), ("new_html", 0.18), ("old_text", 0.15))

MONTH_NAMES = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

# Year weights: the archive is densest around 1945-1962.
YEARS = list(range(1934, 1992))
YEAR_WEIGHTS = [3.0 if 1945 <= y <= 1962 else 1.5 if y <= 1979 else 1.0 for y in YEARS]


@dataclass(slots=True)
class Doc:
    """One synthetic archival document (what the listings and detail pages describe)."""

    record_id: int
    year: int | None
    month: int | None
    day: int | None
    precision: str  # day | month | year | undated
    title: str
    summary: str | None
    slug: str
    near_miss_of: int | None = None  # record id of the document it must not be merged with

    def sort_key(self) -> tuple[int, int, int, int]:
        if self.year is None:
            return (9999, 0, 0, self.record_id)
        return (self.year, self.month or 0, self.day or 0, self.record_id)


def seeded_rng(seed: int, *parts: object) -> random.Random:
    """A generator private to one purpose, so adding output elsewhere never shifts it."""
    return random.Random(":".join([str(seed), *map(str, parts)]))


_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(text: str) -> str:
    """Drupal-like path alias: ASCII, lower case, dashes."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _SLUG.sub("-", ascii_text.lower()).strip("-")[:100].rstrip("-")


def new_site_date(doc: Doc) -> str | None:
    """Date as the new site prints it: "November 1, 1951", "August 1949", "1949"."""
    if doc.precision == "undated":
        return None
    if doc.precision == "year":
        return str(doc.year)
    month = MONTH_NAMES[(doc.month or 1) - 1]
    if doc.precision == "month":
        return f"{month} {doc.year}"
    return f"{month} {doc.day}, {doc.year}"


def old_site_date(doc: Doc) -> str | None:
    """Date as the old site prints it: "November 01, 1951", "August, 1949", "1949"."""
    if doc.precision == "undated":
        return None
    if doc.precision == "year":
        return str(doc.year)
    month = MONTH_NAMES[(doc.month or 1) - 1]
    if doc.precision == "month":
        return f"{month}, {doc.year}"
    return f"{month} {doc.day:02d}, {doc.year}"


def vary_title(rng: random.Random, title: str) -> str:
    """A cross-listing's printing of a title: mostly identical, sometimes slightly different."""
    r = rng.random()
    if r < 0.03 and ("Cde. " in title or "Comrade " in title):
        if "Cde. " in title:
            return title.replace("Cde. ", "Comrade ", 1)
        return title.replace("Comrade ", "Cde. ", 1)
    if r < 0.05 and " " in title:
        spaces = [i for i, ch in enumerate(title) if ch == " "]
        i = rng.choice(spaces)
        return title[:i] + "\u00a0" + title[i + 1 :]
    if r < 0.06 and "'" in title:
        return title.replace("'", "\u2019")
    if r < 0.07 and " " in title:
        i = title.index(" ")
        return title[:i] + "  " + title[i + 1 :]
    return title


def vary_summary(rng: random.Random, summary: str | None) -> str | None:
    if summary and rng.random() < 0.02 and " " in summary:
        i = summary.index(" ")
        return summary[:i] + "\u00a0" + summary[i + 1 :]
    return summary
