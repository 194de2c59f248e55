"""Archive-scale synthetic raw folder: the pipeline's input at the size of the real archive.

Why synthetic: the real archive (about 16,000 documents on 1,600+ search pages plus collection
pages) cannot be fetched in CI, yet the pipeline's cost, memory and dedup quality only show at
that size. The generator reproduces the shapes of the five real snapshots in raw/ (new-site
search pages and detail pages, old-site collection pages) and the messiness of a real crawl:

- both site generations, text and HTML; HTML pages carry a ~680 KB navigation menu, as the real
  new site does, so HTML detail pages weigh ~700 KB;
- documents cross-listed on several listing pages with small printing differences
  ("August 1949" / "August, 1949", "November 1" / "November 01", "Cde." / "Comrade", NBSP);
- near-misses that must stay apart (same date, same title but another telegram number; sender
  and recipient swapped);
- undated, month-only and year-only dates; truncated saves; empty, binary and unknown pages;
  exact re-downloads; missing sidecars.

Deterministic: every random choice comes from `random.Random` seeded with a string derived from
`seed` (string seeds are hashed with SHA-512, not with Python's salted `hash`), timestamps are
drawn, never read from the clock, and page content is seeded by the page's own key, so the same
arguments always give the same bytes. Memory stays small: documents are kept as short records,
pages are rendered and written one at a time.

Outside `raw/` it writes `truth.json` (counts), `truth_pages.csv` (one row per page: kind,
format, expected entries) and `truth_entries.csv` (one row per printed entry or detail page,
with the document's record id) so parsing and dedup recall/precision can be checked.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import html
import json
import math
import random
import re
import shutil
import time
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import quote_plus

from bench import vocab

# Bump whenever the bytes generate() writes for given arguments change: bench.run caches
# corpora by (scale, seed, GENERATOR_VERSION).
GENERATOR_VERSION = "1"

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
NAV_BYTES = 680_000

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

TITLE_TEMPLATES: list[tuple[int, str]] = [
    (8, "Ciphered Telegram No. {num} from {A} to {B}"),
    (4, "Ciphered Telegram No. {num} from {city}, {A} to {hB}{B}"),
    (4, "Cable No. {num}, {A} to {hB}{B}"),
    (2, "Cable Telegram no. {num} from {A} to {B}"),
    (5, "Cable, {A} to {HB}{B}"),
    (6, "Letter, {A} to {B}"),
    (3, "Letter from {hA}{A} to {hB}{B} via {C}"),
    (5, "Memorandum of Conversation between {A} and {B}"),
    (3, "Memorandum of Conversation, {A} with {B}, {tday} {tmonth} {tyear}"),
    (4, "Report, {A} to {B}"),
    (2, "Report of {hA}{A} about the Situation in {region}"),
    (5, "Telegram from {A} to {B}"),
    (3, "Record of Conversation between {A} and {B}"),
    (2, "Minutes of Conversation between {A} and {B} in {city}"),
    (2, "{A} to {hB}{B}"),
    (2, "Note from {A} to {B} regarding {region}"),
]
SUMMARY_TEMPLATES = [
    "{a} informs {b} about {topic}.",
    "{a} requests assistance from {b} with {topic}.",
    "{a} reports to {b} on {topic}.",
    "{a} asks {b} for advice on {topic}.",
    "{a} agrees with {b} on {topic}.",
    "{a} and {b} discuss {topic}.",
    "Telegram from {a} to {b} discussing {topic}.",
    "{a} briefs {b} on {topic}, and {verb} the leadership in {city}.",
]
SUMMARY_TAILS = [
    " {a} also mentions {topic2}.",
    " The {n} specialists requested earlier will arrive in {city}.",
    " {b} is asked to reply before the end of the month.",
    " The report was drafted in {city} and forwarded via the embassy.",
]


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


@dataclass
class GenerateStats:
    """What one generate() call wrote (also printed by the CLI and stored in truth.json)."""

    out_dir: str
    raw_dir: str
    scale: float
    seed: int
    generator_version: str = GENERATOR_VERSION
    pages: int = 0  # snapshot files (sidecars excluded)
    files: int = 0  # snapshots + sidecars
    bytes: int = 0  # every byte under raw/, sidecars included
    documents: int = 0  # distinct documents shown on readable pages
    documents_in_listings: int = 0
    documents_with_detail: int = 0
    near_miss_documents: int = 0
    listing_pages: int = 0
    search_pages: int = 0
    collection_pages: int = 0
    detail_pages: int = 0
    html_pages: int = 0
    html_bytes: int = 0
    entries: int = 0  # entries printed on listing pages (cut entries of truncated pages too)
    entries_distinct_pages: int = 0  # the same, counting byte-identical pages once (by sha256)
    truncated_pages: int = 0
    bad_pages: int = 0
    duplicate_pages: int = 0  # byte-identical re-downloads of another page
    sidecars: int = 0
    seconds: float = 0.0
    by_kind: dict[str, int] = field(default_factory=dict)


# --------------------------------------------------------------------------- small helpers


def _rng(seed: int, *parts: object) -> random.Random:
    """A generator private to one purpose, so adding output elsewhere never shifts it."""
    return random.Random(":".join([str(seed), *map(str, parts)]))


def _pick_weighted(rng: random.Random, items: list[tuple[int, str]]) -> str:
    return rng.choices([t for _, t in items], weights=[w for w, _ in items])[0]


_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(text: str) -> str:
    """Drupal-like path alias: ASCII, lower case, dashes."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _SLUG.sub("-", ascii_text.lower()).strip("-")[:100].rstrip("-")


def _norm_title(title: str) -> str:
    t = title.lower().replace("comrade ", "cde. ").replace("\u00a0", " ")
    return " ".join(re.sub(r"[^\w\s]", " ", t).split())


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


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _fetched_at(rng: random.Random) -> str:
    return (
        f"2024-{rng.randint(1, 6):02d}-{rng.randint(1, 28):02d}"
        f"T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}Z"
    )


def _count(base: int, scale: float) -> int:
    return max(1, round(base * scale))


def _special_count(n: int, rate: float) -> int:
    """Rare page defects: their real rate, but at least one on any non-trivial corpus."""
    return max(1, round(n * rate)) if n >= 4 else 0


# ------------------------------------------------------------------------ the documents


class Universe:
    """The documents the synthetic archive holds, with unique (year, normalised title)."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.docs: list[Doc] = []
        self.by_id: dict[int, Doc] = {}
        self._keys: set[tuple[int, str]] = set()
        self._slugs: set[str] = set()
        self._people_by_year: dict[int, list[tuple[str, str, bool]]] = {}
        for y in YEARS:
            active = [(p[0], p[1], p[4]) for p in vocab.PEOPLE if p[2] <= y <= p[3]]
            self._people_by_year[y] = active

    def extend(self, n: int, first_record_id: int, tag: str) -> list[Doc]:
        """Add n documents; about 2% of them are near-misses of the one made just before."""
        rng = _rng(self.seed, "docs", tag)
        added: list[Doc] = []
        next_id = first_record_id
        while len(added) < n:
            made = self._fresh(rng, next_id)
            if made is None:
                continue
            doc, template, params = made
            self._add(doc)
            added.append(doc)
            next_id += rng.randint(1, 9)
            if len(added) < n and rng.random() < P_NEAR_MISS:
                sib = self._near_miss(rng, doc, template, params, next_id)
                if sib is not None:
                    self._add(sib)
                    added.append(sib)
                    next_id += rng.randint(1, 9)
        return added

    def _add(self, doc: Doc) -> None:
        self.docs.append(doc)
        self.by_id[doc.record_id] = doc
        self._keys.add((doc.year or 0, _norm_title(doc.title)))

    def _unique_slug(self, title: str) -> str:
        base = slugify(title) or "document"
        slug, n = base, 0
        while slug in self._slugs:
            slug = f"{base}-{n}"
            n += 1
        self._slugs.add(slug)
        return slug

    def _date(self, rng: random.Random) -> tuple[int | None, int | None, int | None, str]:
        r = rng.random()
        year = rng.choices(YEARS, weights=YEAR_WEIGHTS)[0]
        month = rng.randint(1, 12)
        if r < P_UNDATED:
            return None, None, None, "undated"
        if r < P_UNDATED + P_YEAR:
            return year, None, None, "year"
        if r < P_UNDATED + P_YEAR + P_MONTH:
            return year, month, None, "month"
        return year, month, rng.randint(1, MONTH_DAYS[month - 1]), "day"

    def _people(self, rng: random.Random, year: int) -> list[tuple[str, str, bool]]:
        active = self._people_by_year[year]
        return rng.sample(active, 3) if len(active) >= 3 else rng.sample(vocab.PEOPLE[:3], 3)

    def _title_params(self, rng: random.Random, year: int) -> dict[str, object]:
        (a, _, a_person), (b, _, b_person), (c, _, _) = self._people(rng, year)
        tmonth = rng.randint(1, 12)
        return {
            "A": a,
            "B": b,
            "C": c,
            "hA": "Cde. " if a_person else "",
            "hB": "Cde. " if b_person else "",
            "HB": "Comrade " if b_person else "",
            "num": rng.choice([rng.randint(100, 9999), rng.randint(10000, 99999)]),
            "city": rng.choice(vocab.CITIES),
            "region": rng.choice(vocab.REGIONS),
            "tday": rng.randint(1, 28),
            "tmonth": MONTH_NAMES[tmonth - 1],
            "tyear": year,
            "a_person": a_person,
            "b_person": b_person,
        }

    def _summary(self, rng: random.Random, params: dict[str, object]) -> str | None:
        if rng.random() < P_NO_SUMMARY:
            return None
        short = {p[0]: p[1] for p in vocab.PEOPLE}
        fill = {
            "a": short.get(str(params["A"]), str(params["A"])),
            "b": short.get(str(params["B"]), str(params["B"])),
            "topic": rng.choice(vocab.TOPICS),
            "topic2": rng.choice(vocab.TOPICS),
            "verb": rng.choice(vocab.VERBS),
            "city": rng.choice(vocab.CITIES),
            "n": rng.randint(2, 60),
        }
        text = rng.choice(SUMMARY_TEMPLATES).format(**fill)
        for tail in rng.sample(SUMMARY_TAILS, rng.choice([0, 0, 1, 1, 2])):
            text += tail.format(**fill)
        return text[0].upper() + text[1:]

    def _fresh(
        self, rng: random.Random, record_id: int
    ) -> tuple[Doc, str, dict[str, object]] | None:
        year, month, day, precision = self._date(rng)
        pick_year = year or rng.choice(YEARS)
        template = _pick_weighted(rng, TITLE_TEMPLATES)
        params = self._title_params(rng, pick_year)
        title = template.format(**params)
        if (year or 0, _norm_title(title)) in self._keys:
            return None  # would be indistinguishable from an existing document
        summary = self._summary(rng, params)
        doc = Doc(record_id, year, month, day, precision, title, summary, self._unique_slug(title))
        return doc, template, params

    def _near_miss(
        self,
        rng: random.Random,
        other: Doc,
        template: str,
        params: dict[str, object],
        record_id: int,
    ) -> Doc | None:
        """Same date, almost the same title: another number, or sender and recipient swapped.

        These must stay separate documents (DESIGN.md, Dedup), so they are the dedup's traps.
        """
        p = dict(params)
        if "{num}" in template:
            p["num"] = int(str(p["num"])) + rng.choice([1, 2, 7, 11, 100, -1, -3])
            same_summary = rng.random() < 0.5  # the hard case: only the number differs
            summary = other.summary if same_summary else self._summary(rng, p)
        elif "{A} to" in template:
            p["A"], p["B"] = params["B"], params["A"]
            p["a_person"], p["b_person"] = params["b_person"], params["a_person"]
            p["hA"] = "Cde. " if p["a_person"] else ""
            p["hB"] = "Cde. " if p["b_person"] else ""
            p["HB"] = "Comrade " if p["b_person"] else ""
            summary = self._summary(rng, p)
        else:
            return None
        title = template.format(**p)
        if title == other.title or (other.year or 0, _norm_title(title)) in self._keys:
            return None
        return Doc(
            record_id,
            other.year,
            other.month,
            other.day,
            other.precision,
            title,
            summary,
            self._unique_slug(title),
            near_miss_of=other.record_id,
        )


# ---------------------------------------------------------------------------- page plans


@dataclass
class Query:
    keyword: str
    results: list[int]  # record ids in result order
    html: bool


@dataclass
class Collection:
    cid: int
    title: str
    description: str
    records: list[int]  # record ids, date order


@dataclass
class PageSpec:
    """One file to write. `key` seeds its content, so equal keys give equal bytes."""

    kind: str  # search | collection | detail | bad
    key: str
    fmt: str  # new_text | new_html | old_text
    ref: int = 0  # query index / collection index / record id
    page_no: int = 0  # 0-based search page
    truncated: bool = False
    bad: str = ""  # empty | whitespace | binary | unknown_text | unknown_html
    duplicate: bool = False


def _plan_queries(
    rng: random.Random, uni: Universe, pool: list[Doc], budget: int, must: list[Doc] | None = None
) -> tuple[list[Query], list[PageSpec]]:
    """Search queries whose result pages (10 per page) fill the page budget.

    A small budget still gets several queries (results capped at a third of it) and the first
    two are saved as text and as HTML, so every corpus, however small, has both formats.
    """
    queries: list[Query] = []
    specs: list[PageSpec] = []
    must = list(must or [])
    cap = max(5, budget * 10 // 3)
    while len(specs) < budget:
        total = min(len(pool), rng.randint(5, 400), cap)
        picked = rng.sample(pool, total)
        if must:
            take = must[: total // 2]
            must = must[len(take) :]
            picked = take + picked[: total - len(take)]
            rng.shuffle(picked)
        results = _with_near_misses(rng, uni, picked)
        qi = len(queries)
        as_html = rng.random() < P_SEARCH_HTML if qi > 1 else qi == 1
        q = Query(rng.choice(vocab.KEYWORDS), [d.record_id for d in results], as_html)
        queries.append(q)
        for p in range(math.ceil(len(results) / 10)):
            if len(specs) >= budget:
                break
            fmt = "new_html" if q.html else "new_text"
            specs.append(PageSpec("search", f"q{qi}p{p}", fmt, ref=qi, page_no=p))
            if rng.random() < P_CROSS_FORMAT and len(specs) < budget:
                other = "new_text" if q.html else "new_html"
                specs.append(PageSpec("search", f"q{qi}p{p}", other, ref=qi, page_no=p))
    return queries, specs


def _with_near_misses(rng: random.Random, uni: Universe, docs: list[Doc]) -> list[Doc]:
    """Put near-miss siblings next to each other now and then: they are listed together."""
    out: list[Doc] = []
    seen: set[int] = set()
    for d in docs:
        if d.record_id in seen:
            continue
        out.append(d)
        seen.add(d.record_id)
        sib = uni.by_id.get(d.near_miss_of) if d.near_miss_of else None
        if sib and sib.record_id not in seen and rng.random() < 0.5:
            out.append(sib)
            seen.add(sib.record_id)
    return out


def _plan_collections(
    rng: random.Random,
    uni: Universe,
    pool: list[Doc],
    budget: int,
    first_cid: int,
    must: list[Doc] | None = None,
) -> tuple[list[Collection], list[PageSpec]]:
    """Old-site collection pages: a theme and period, its documents in date order."""
    by_year: dict[int | None, list[Doc]] = {}
    for d in pool:
        by_year.setdefault(d.year, []).append(d)
    collections: list[Collection] = []
    specs: list[PageSpec] = []
    must = list(must or [])
    while len(specs) < budget:
        y1 = rng.choice(YEARS)
        y2 = min(1991, y1 + rng.randint(2, 20))
        window = [d for y in range(y1, y2 + 1) for d in by_year.get(y, [])]
        window += by_year.get(None, [])[: rng.randint(0, 3)]
        size = rng.randint(10, 125)
        if len(window) < size:
            window = pool
        picked = rng.sample(window, min(size, len(window)))
        if must:
            take = must[: max(1, size // 2)]
            must = must[len(take) :]
            picked = take + picked[: max(0, size - len(take))]
        picked = sorted(_with_near_misses(rng, uni, picked), key=Doc.sort_key)
        theme = rng.choice(vocab.THEMES)
        title = rng.choice(
            [f"{theme}, {y1}-{y2}", f"{theme}", f"{rng.choice(vocab.REGIONS)} and {theme}"]
        )
        coll = Collection(
            first_cid + len(collections),
            title,
            _description(rng, theme, y1, y2),
            [d.record_id for d in picked],
        )
        ci = len(collections)
        collections.append(coll)
        specs.append(PageSpec("collection", f"c{coll.cid}", "old_text", ref=ci))
        if rng.random() < P_REFETCH and len(specs) < budget:
            specs.append(PageSpec("collection", f"c{coll.cid}", "old_text", ref=ci))
    return collections, specs


def _description(rng: random.Random, theme: str, y1: int, y2: int) -> str:
    first = (
        f"This collection of records concerns {theme} between {y1} and {y2}, "
        f"including {rng.choice(vocab.TOPICS)} and {rng.choice(vocab.TOPICS)}."
    )
    rest = [
        f"The records provide considerable details on {rng.choice(vocab.TOPICS)}.",
        f"The majority of the records were obtained from archives in "
        f"{rng.choice(vocab.CITIES)} and {rng.choice(vocab.CITIES)}.",
        f"See also the Digital Archive collection on {rng.choice(vocab.THEMES)}.",
    ]
    return " ".join([first, *rng.sample(rest, rng.randint(1, 3))])


def _plan_details(rng: random.Random, docs: list[Doc], budget: int) -> list[PageSpec]:
    """One detail page for most documents, then re-downloads.

    A re-download is mostly the same page fetched again (same format; half the time with a few
    bytes changed, as live pages do; otherwise byte-identical), sometimes the other site or
    format. This keeps HTML near its share, and the corpus near its real size.
    """
    names = [f for f, _ in DETAIL_FORMATS]
    weights = [w for _, w in DETAIL_FORMATS]
    specs: list[PageSpec] = []
    first_fmt: dict[int, str] = {}
    for d in docs:
        if rng.random() < P_DETAIL and len(specs) < budget:
            fmt = rng.choices(names, weights)[0]
            first_fmt[d.record_id] = fmt
            specs.append(PageSpec("detail", f"d{d.record_id}{fmt}v0", fmt, ref=d.record_id))
    with_detail = list(first_fmt)
    while len(specs) < budget and with_detail:
        rid = rng.choice(with_detail)
        fmt, r = first_fmt[rid], rng.random()
        variant = 0
        if r < 0.35:
            variant = 1  # fetched again, a few bytes differ
        elif r >= 0.7:  # the other site generation, or the other format
            others = [(n, w) for n, w in DETAIL_FORMATS if n != fmt]
            fmt = rng.choices([n for n, _ in others], [w for _, w in others])[0]
        specs.append(PageSpec("detail", f"d{rid}{fmt}v{variant}", fmt, ref=rid))
    return specs


def _mark_defects(rng: random.Random, specs: list[PageSpec], truncatable: list[int]) -> None:
    """Turn a few planned pages into truncated saves or bad files, at realistic rates."""
    n = len(specs)
    bad = set(rng.sample(range(n), _special_count(n, P_BAD))) if n else set()
    kinds = ["empty", "whitespace", "binary", "unknown_text", "unknown_html"]
    for i in sorted(bad):
        specs[i].bad = kinds[i % len(kinds)] if n > 10 else rng.choice(kinds)
    candidates = [i for i in truncatable if i not in bad]
    k = min(len(candidates), _special_count(n, P_TRUNCATED))
    for i in rng.sample(candidates, k):
        specs[i].truncated = True
        specs[i].key += ":cut"


# ------------------------------------------------------------------------------ rendering


def build_nav(seed: int, target: int = NAV_BYTES) -> str:
    """The new site's mega-menu (collections, topics, people, places), ~650 KB of links."""
    rng = _rng(seed, "nav")
    out = [
        '<nav role="navigation" aria-labelledby="block-mainnavigation-menu" '
        'id="block-mainnavigation" class="block block-menu navigation menu--main">\n'
        '<h2 class="visually-hidden" id="block-mainnavigation-menu">Main navigation</h2>\n'
        '<ul class="menu menu--level-1">\n'
    ]
    size = len(out[0])
    sections = [
        ("Collections", "collections"),
        ("Topics", "topics"),
        ("People", "people"),
        ("Places", "places"),
        ("Themes", "themes"),
    ]
    node = 200_000
    while size < target:
        for label, path in sections:
            head = (
                f'<li class="menu-item menu-item--expanded"><span class="menu-link '
                f'menu-link--level-1">{label}</span>\n<ul class="menu menu--level-2">\n'
            )
            out.append(head)
            size += len(head)
            for _ in range(40):
                if size >= target:
                    break
                if label == "People":
                    name = rng.choice(vocab.PEOPLE)[0]
                elif label == "Places":
                    name = rng.choice(vocab.CITIES + vocab.REGIONS)
                elif label == "Topics":
                    name = rng.choice(vocab.TOPICS).capitalize()
                else:
                    y = rng.choice(YEARS)
                    name = f"{rng.choice(vocab.THEMES)}, {y}-{y + rng.randint(1, 15)}"
                node += rng.randint(1, 40)
                item = (
                    f'<li class="menu-item"><a href="/{path}/{slugify(name)}-{node}" '
                    f'class="menu-link menu-link--level-2" data-drupal-link-system-path='
                    f'"node/{node}" title="{html.escape(name)}">{html.escape(name)}</a></li>\n'
                )
                out.append(item)
                size += len(item)
            out.append("</ul></li>\n")
            size += 11
    out.append("</ul>\n</nav>\n")
    return "".join(out)


def _esc(text: str) -> str:
    return html.escape(text, quote=False).replace("\u00a0", "&nbsp;")


def _html_page(
    nav: str, url: str, title: str, node: int, main: str, body_class: str, token: str = ""
) -> str:
    """The site shell around `main`; `token` stands for per-fetch bytes (cache keys, nonces)."""
    settings = json.dumps(
        {
            "permissionsHash": hashlib.sha256(token.encode()).hexdigest(),
            "path": {"baseUrl": "/", "currentPath": f"node/{node}", "currentLanguage": "en"},
            "ajaxPageState": {"theme": "digitalarchive", "libraries": "core/drupal," * 200},
            "gtag": {"tagId": "G-XXXXXXX", "otherIds": []},
        },
        sort_keys=True,
    )
    return (
        '<!DOCTYPE html>\n<html lang="en" dir="ltr">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1.0">\n'
        f"<title>{_esc(title)} | Wilson Center Digital Archive</title>\n"
        f'<link rel="canonical" href="{html.escape(url)}">\n'
        '<link rel="stylesheet" media="all" href="/themes/custom/digitalarchive/css/style.css">\n'
        '<script type="application/json" data-drupal-selector="drupal-settings-json">'
        f"{settings}</script>\n</head>\n"
        f'<body class="{body_class}">\n'
        '<a href="#main-content" class="visually-hidden focusable skip-link">Skip to content</a>\n'
        '<div class="dialog-off-canvas-main-canvas" data-off-canvas-main-canvas>\n'
        '<header role="banner" class="site-header">\n<div class="site-branding">'
        '<a href="/" rel="home">Digital Archive</a> International History Declassified</div>\n'
        f"{nav}</header>\n"
        f'<main role="main" id="main-content">\n{main}</main>\n'
        '<footer role="contentinfo" class="site-footer">\n<p>Wilson Center, One Woodrow Wilson '
        'Plaza, 1300 Pennsylvania Ave NW, Washington, DC 20004</p>\n<ul class="menu"><li><a '
        'href="/about">About</a></li><li><a href="/terms">Terms of Use</a></li></ul>\n'
        "</footer>\n</div>\n</body>\n</html>\n"
    )


def _body_paragraphs(seed: int, doc: Doc) -> list[str]:
    """The translated text: the same for every snapshot of the document."""
    rng = _rng(seed, "body", doc.record_id)
    people = [p[0] for p in vocab.PEOPLE if p[4]]
    paras = []
    for _ in range(min(60, 3 + int(rng.expovariate(1 / 10)))):
        sentences = []
        for _ in range(rng.randint(1, 5)):
            sentences.append(
                rng.choice(vocab.BODY_SENTENCES).format(
                    A=rng.choice(people),
                    B=rng.choice(people),
                    city=rng.choice(vocab.CITIES),
                    city2=rng.choice(vocab.CITIES),
                    region=rng.choice(vocab.REGIONS),
                    topic=rng.choice(vocab.TOPICS),
                    n=rng.randint(2, 900),
                    nth=_ordinal(rng.randint(1, 700)),
                    d=rng.randint(1, 28),
                    month=rng.choice(MONTH_NAMES),
                    year=doc.year or 1950,
                )
            )
        paras.append(" ".join(sentences))
    return paras


@dataclass
class DetailFacts:
    funder: str
    citation: str
    classification: str
    uploaded: str
    print_ids: bool  # text saves often lose the values of Uploaded Date and Record ID


def _detail_facts(seed: int, doc: Doc, fmt: str, variant: int = 0) -> DetailFacts:
    rng = _rng(seed, "facts", doc.record_id)
    cite = rng.choice(vocab.ARCHIVE_CITES).format(
        a=rng.randint(10, 999), b=rng.randint(1, 90), c=rng.randint(91, 199)
    )
    citation = f"{cite} Translated by {rng.choice(vocab.TRANSLATORS)}."
    uploaded = f"{rng.choice(MONTH_NAMES)} {rng.randint(1, 28)}, {rng.randint(2011, 2023)}"
    facts = DetailFacts(
        rng.choice(vocab.FUNDERS), citation, rng.choice(vocab.CLASSIFICATIONS), uploaded, True
    )
    facts.print_ids = fmt != "new_text" or _rng(seed, "ids", doc.record_id).random() < 0.3
    if variant and fmt == "new_text":
        facts.print_ids = not facts.print_ids
    return facts


def render_detail_text(seed: int, doc: Doc, variant: int = 0) -> str:
    """New-site detail page saved as visible text (layout of raw/001_*.txt)."""
    f = _detail_facts(seed, doc, "new_text", variant)
    paras = _body_paragraphs(seed, doc)
    date = new_site_date(doc)
    parts = ["Skip to content", ""]
    if date:
        parts += [date, ""]
    else:
        parts += [""]
    parts += [doc.title, "", f"This document was made possible with support from {f.funder}"]
    parts += ["", "", "", ""]
    parts.append("\n\n\n".join(paras))
    parts += ["", ""]
    if doc.summary:
        parts += [doc.summary, ""]
    parts += [
        "Document Information",
        "",
        "",
        f.citation,
        "",
        "",
        vocab.RIGHTS[0],
        "",
        vocab.RIGHTS[1],
        "",
        "Original Uploaded Date",
        "",
    ]
    parts += [f.uploaded, "", "", "Record ID", ""] if f.print_ids else ["", "", "", "Record ID"]
    parts += [str(doc.record_id), "", ""] if f.print_ids else ["", ""]
    parts += ["Original Classification", "", f.classification, "", "", f.funder]
    return "\n".join(parts)


def render_old_detail_text(seed: int, doc: Doc, variant: int = 0) -> str:
    """Old-site detail page: date, summary, a citation line carrying title and source, body."""
    f = _detail_facts(seed, doc, "old_text")
    paras = _body_paragraphs(seed, doc)
    date = old_site_date(doc)
    parts = ["Search in"]
    if variant:
        parts.append("ADD SEARCH FILTER CANCEL SEARCH FILTER")
    parts += ["", "Digital Archive International History Declassified", ""]
    if date:
        parts += [date, ""]
    if doc.summary:
        parts += [doc.summary, ""]
    cite = (
        f'"{doc.title}," {date or "undated"}, History and Public Policy Program Digital Archive, '
        f"{f.citation} {SITE}/document/{doc.record_id}"
    )
    parts += [cite, "", "\n\n".join(paras)]
    return "\n".join(parts)


def render_detail_html(seed: int, doc: Doc, nav: str, url: str, variant: int = 0) -> str:
    """New-site detail page as HTML: Drupal-like markup inside the big navigation shell."""
    f = _detail_facts(seed, doc, "new_html")
    paras = _body_paragraphs(seed, doc)
    date = new_site_date(doc)
    body = "\n".join(f"<p>{_esc(p)}</p>" for p in paras)
    main = [
        '<article class="node node--type-document node--view-mode-full">\n'
        '<div class="document-header">\n'
    ]
    if date:
        main.append(f'<div class="field field--name-field-document-date">{date}</div>\n')
    main.append(
        f'<h1 class="page-title"><span class="field--name-title">{_esc(doc.title)}</span></h1>\n'
    )
    main.append(
        '<div class="field field--name-field-funders">This document was made possible with '
        f'support from <a href="/funders/{slugify(f.funder)}">{_esc(f.funder)}</a></div>\n'
        "</div>\n"
        f'<div class="field field--name-field-translation field--type-text-long">\n{body}\n'
        "</div>\n"
    )
    if doc.summary:
        main.append(
            f'<div class="field field--name-field-summary"><p>{_esc(doc.summary)}</p></div>\n'
        )
    main.append(
        '<section class="document-information">\n<h2>Document Information</h2>\n'
        f'<div class="field field--name-field-source"><p>{_esc(f.citation)}</p></div>\n'
        f'<div class="field field--name-field-rights"><p>{_esc(vocab.RIGHTS[0])}</p>\n'
        f"<p>{_esc(vocab.RIGHTS[1])}</p></div>\n"
    )
    for label, value in (
        ("Original Uploaded Date", f.uploaded),
        ("Record ID", str(doc.record_id)),
        ("Original Classification", f.classification),
    ):
        main.append(
            f'<div class="field"><div class="field__label">{label}</div>'
            f'<div class="field__item">{_esc(value)}</div></div>\n'
        )
    main.append(f'<div class="funder-logo">{_esc(f.funder)}</div>\n</section>\n</article>\n')
    return _html_page(
        nav,
        url,
        doc.title,
        doc.record_id,
        "".join(main),
        "path-node page-node-type-document",
        token=f"{doc.record_id}-{variant}",
    )


@dataclass
class PrintedEntry:
    record_id: int
    date: str | None
    title: str
    summary: str | None


def _printed_entries(
    seed: int, uni: Universe, key: str, records: list[int], old_site: bool
) -> list[PrintedEntry]:
    rng = _rng(seed, "print", key)
    out = []
    for rid in records:
        d = uni.by_id[rid]
        date = old_site_date(d) if old_site else new_site_date(d)
        out.append(PrintedEntry(rid, date, vary_title(rng, d.title), vary_summary(rng, d.summary)))
    return out


def _cut_summary(rng: random.Random, summary: str | None, title: str) -> tuple[str | None, str]:
    """A save that stopped inside an entry: keep a few words, never a closing full stop."""
    if summary:
        words = summary.split(" ")
        cut = " ".join(words[: max(1, min(len(words) - 1, rng.randint(2, 8)))])
        return cut.rstrip('.!?…"”’)]'), title
    words = title.split(" ")
    return None, " ".join(words[: max(1, len(words) // 2)])


def render_search_text(first: int, total: int, entries: list[PrintedEntry]) -> str:
    """New-site search page as visible text (layout of raw/000_*.txt and raw/004_*.txt)."""
    lines = ["Skip to content", "", "", f"{first} - {first + len(entries) - 1} of {total}", "", ""]
    for i, e in enumerate(entries):
        if i:
            lines.append("")
        lines += [e.date, ""] if e.date else [""]  # an undated entry: one more blank line
        lines.append(e.title)
        if e.summary is not None:
            lines += ["", e.summary]
    return "\n".join(lines)


def render_search_html(
    nav: str,
    url: str,
    keyword: str,
    first: int,
    total: int,
    entries: list[PrintedEntry],
    slugs: dict[int, str],
) -> str:
    """New-site search page as HTML: one div.views-row > article per result."""
    last = first + len(entries) - 1
    main = [
        '<div class="search-results-header"><h1 class="page-title">Search</h1>\n'
        f'<div class="search-results-count">{first} - {last} of {total}</div></div>\n'
        '<div class="view view-search view-id-search">\n<div class="view-content">\n'
    ]
    for e in entries:
        main.append('<div class="views-row"><article class="teaser teaser--document">\n')
        if e.date:
            main.append(f'<div class="teaser__date">{e.date}</div>\n')
        main.append(
            f'<h3 class="teaser__title"><a href="/document/{slugs[e.record_id]}">'
            f"{_esc(e.title)}</a></h3>\n"
        )
        if e.summary is not None:
            main.append(f'<div class="teaser__summary"><p>{_esc(e.summary)}</p></div>\n')
        main.append("</article></div>\n")
    main.append(
        '</div>\n<nav class="pager" role="navigation"><ul class="pager__items">'
        '<li class="pager__item"><a href="?page=1">Next</a></li></ul></nav>\n</div>\n'
    )
    return _html_page(nav, url, f"Search: {keyword}", 1, "".join(main), "path-search")


def render_collection_text(coll: Collection, entries: list[PrintedEntry], filters: bool) -> str:
    """Old-site collection page as visible text (layout of raw/002_*.txt and raw/003_*.txt)."""
    lines = ["Search in"]
    if filters:
        lines.append("ADD SEARCH FILTER CANCEL SEARCH FILTER")
    lines += [
        "",
        "Digital Archive International History Declassified",
        "",
        "No image found.",
        "",
        coll.title,
        "",
        coll.description,
    ]
    for e in entries:
        if e.date:
            lines += ["", f"  \u2022 {e.date}", "", f"    {e.title}"]
        else:  # no date to carry the bullet: it sits on the title
            lines += ["", f"  \u2022 {e.title}"]
        if e.summary is not None:
            lines += ["", f"    {e.summary}"]
    return "\n".join(lines)


def render_bad(rng: random.Random, kind: str) -> bytes:
    """A page that is not a page: empty, blank, binary, or a layout no parser knows."""
    if kind == "empty":
        return b""
    if kind == "whitespace":
        return b"\n\n   \n\t\n"
    if kind == "binary":
        return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + rng.randbytes(rng.randint(2_000, 20_000))
    if kind == "unknown_html":
        return (
            b"<!DOCTYPE html><html><head><title>503 Service Unavailable</title></head><body>"
            b"<h1>Service Unavailable</h1><p>The server is temporarily unable to service your "
            b"request. Please try again later.</p></body></html>\n"
        )
    return b"Skip to content\n\n\nPage not found\n\nThe requested page could not be found."


# ---------------------------------------------------------------------------- the writer


class _Writer:
    """Writes pages and sidecars into numbered folders and keeps the truth tables."""

    def __init__(self, seed: int, raw_dir: Path, out_dir: Path | None, prefix: str) -> None:
        self.seed = seed
        self.raw_dir = raw_dir
        self.prefix = prefix
        self.stats_pages = 0
        self.files = 0
        self.bytes = 0
        self.html_pages = 0
        self.html_bytes = 0
        self.by_kind: dict[str, int] = {}
        self.seen_docs: set[int] = set()
        self.listed_docs: set[int] = set()
        self.detail_docs: set[int] = set()
        self.entries = 0
        self.entries_distinct = 0
        self._pages_fh = self._entries_fh = None
        self.pages_csv = self.entries_csv = None
        if out_dir is not None:
            self._pages_fh = (out_dir / "truth_pages.csv").open("w", newline="", encoding="utf-8")
            self._entries_fh = (out_dir / "truth_entries.csv").open(
                "w", newline="", encoding="utf-8"
            )
            self.pages_csv = csv.writer(self._pages_fh, lineterminator="\n")
            self.entries_csv = csv.writer(self._entries_fh, lineterminator="\n")
            self.pages_csv.writerow(
                [
                    "path",
                    "kind",
                    "format",
                    "site",
                    "url",
                    "entries",
                    "truncated",
                    "bad",
                    "duplicate",
                    "record_id",
                ]
            )
            self.entries_csv.writerow(["path", "position", "record_id", "truncated"])

    def close(self) -> None:
        for fh in (self._pages_fh, self._entries_fh):
            if fh is not None:
                fh.close()

    def path_for(self, group: str, index: int, ext: str, key: str) -> Path:
        h = hashlib.sha256(f"{self.seed}:{group}:{index}:{key}".encode()).hexdigest()[:16]
        folder = self.raw_dir / group / f"{self.prefix}{index // PAGES_PER_FOLDER:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        return folder / f"{index:06d}_{h}.{ext}"

    def write(self, path: Path, data: bytes, url: str | None, rng: random.Random) -> None:
        path.write_bytes(data)
        self.files += 1
        self.stats_pages += 1
        self.bytes += len(data)
        if path.suffix == ".html":
            self.html_pages += 1
            self.html_bytes += len(data)
        if url is not None and rng.random() < P_SIDECAR:
            meta = json.dumps({"url": url, "fetched_at": _fetched_at(rng)}).encode()
            path.with_name(path.name + ".meta.json").write_bytes(meta)
            self.files += 1
            self.bytes += len(meta)

    def record(
        self,
        path: Path,
        kind: str,
        fmt: str,
        url: str | None,
        spec: PageSpec,
        entries: list[tuple[int, bool]],
        record_id: int | None = None,
    ) -> None:
        if spec.bad:
            kind, entries = "unknown", []
        self.by_kind[kind] = self.by_kind.get(kind, 0) + 1
        for rid, _ in entries:
            self.seen_docs.add(rid)
            self.listed_docs.add(rid)
        if record_id is not None and not spec.bad:
            self.seen_docs.add(record_id)
            self.detail_docs.add(record_id)
        self.entries += len(entries)
        if not spec.duplicate:
            self.entries_distinct += len(entries)
        if self.pages_csv is None or self.entries_csv is None:
            return
        rel = path.relative_to(self.raw_dir).as_posix()
        site = "old" if fmt.startswith("old") else "new"
        self.pages_csv.writerow(
            [
                rel,
                kind,
                "html" if path.suffix == ".html" else "text",
                site,
                url or "",
                len(entries),
                int(spec.truncated),
                spec.bad,
                int(spec.duplicate),
                "" if spec.bad else record_id or "",
            ]
        )
        for pos, (rid, cut) in enumerate(entries, start=1):
            self.entries_csv.writerow([rel, pos, rid, int(cut)])
        if record_id is not None and not spec.bad:
            self.entries_csv.writerow([rel, 0, record_id, int(spec.truncated)])


def _content_key(spec: PageSpec) -> str:
    """The key that decides a page's content (a truncated save shares it with the whole page)."""
    return spec.key.removesuffix(":cut")


def _write_listing(
    w: _Writer,
    uni: Universe,
    nav: str,
    index: int,
    spec: PageSpec,
    queries: list[Query],
    collections: list[Collection],
) -> None:
    rng = _rng(w.seed, "page", spec.key, spec.fmt)
    if spec.kind == "search":
        q = queries[spec.ref]
        records = q.results[spec.page_no * 10 : spec.page_no * 10 + 10]
        page_q = f"&page={spec.page_no}" if spec.page_no else ""
        url = f"{SITE}/search?keywords={quote_plus(q.keyword)}{page_q}"
        entries = _printed_entries(w.seed, uni, _content_key(spec), records, old_site=False)
        kind = "search_listing"
    else:
        coll = collections[spec.ref]
        url = f"{SITE}/collection/{coll.cid}/{slugify(coll.title)}"
        entries = _printed_entries(w.seed, uni, _content_key(spec), coll.records, True)
        kind = "collection_listing"
    cut_flags = [False] * len(entries)
    if spec.truncated and entries:
        k = rng.randint(1, len(entries) - 1) if len(entries) >= 2 else 0
        e = entries[k]
        summary, title = _cut_summary(rng, e.summary, e.title)
        entries = entries[:k] + [PrintedEntry(e.record_id, e.date, title, summary)]
        cut_flags = [False] * k + [True]
    ext = "html" if spec.fmt == "new_html" else "txt"
    path = w.path_for("listings", index, ext, spec.key)
    if spec.bad:
        data = render_bad(rng, spec.bad)
        path = path.with_suffix(".html" if spec.bad in ("binary", "unknown_html") else ".txt")
    elif spec.kind == "search" and spec.fmt == "new_html":
        q = queries[spec.ref]
        slugs = {e.record_id: uni.by_id[e.record_id].slug for e in entries}
        page = render_search_html(
            nav, url, q.keyword, spec.page_no * 10 + 1, len(q.results), entries, slugs
        )
        if spec.truncated:  # the save stopped inside the last (already shortened) entry
            end = "</p></div>\n</article>" if entries[-1].summary else "</a></h3>"
            page = page[: page.rindex(end)]
        data = page.encode()
    elif spec.kind == "search":
        total = len(queries[spec.ref].results)
        data = render_search_text(spec.page_no * 10 + 1, total, entries).encode()
    else:
        filters = _rng(w.seed, "filters", _content_key(spec)).random() < 0.5
        data = render_collection_text(collections[spec.ref], entries, filters).encode()
    w.write(path, data, url, rng)
    printed = [(e.record_id, cut) for e, cut in zip(entries, cut_flags, strict=True)]
    w.record(path, kind, spec.fmt, url, spec, printed)


def _write_detail(w: _Writer, uni: Universe, nav: str, index: int, spec: PageSpec) -> None:
    rng = _rng(w.seed, "page", spec.key, index)
    doc = uni.by_id[spec.ref]
    variant = int(_content_key(spec).rsplit("v", 1)[1])
    if spec.fmt == "old_text":
        url = f"{SITE}/document/{doc.record_id}"
        if rng.random() < 0.3:
            url += f"/{doc.slug}"
        text = render_old_detail_text(w.seed, doc, variant)
    else:
        url = f"{SITE}/document/{doc.slug}"
        text = (
            render_detail_html(w.seed, doc, nav, url, variant)
            if spec.fmt == "new_html"
            else render_detail_text(w.seed, doc, variant)
        )
    if spec.truncated:
        start = text.find("<main") if spec.fmt == "new_html" else 0
        text = text[: start + int((len(text) - start) * rng.uniform(0.3, 0.9))]
    ext = "html" if spec.fmt == "new_html" else "txt"
    path = w.path_for("details", index, ext, spec.key)
    data = text.encode()
    if spec.bad:
        data = render_bad(rng, spec.bad)
        path = path.with_suffix(".html" if spec.bad in ("binary", "unknown_html") else ".txt")
    w.write(path, data, url, rng)
    w.record(path, "document_detail", spec.fmt, url, spec, [], record_id=doc.record_id)


def _write_all(
    w: _Writer,
    uni: Universe,
    nav: str,
    listing_specs: list[PageSpec],
    detail_specs: list[PageSpec],
    queries: list[Query],
    collections: list[Collection],
) -> None:
    for i, spec in enumerate(listing_specs):
        _write_listing(w, uni, nav, i, spec, queries, collections)
    for i, spec in enumerate(detail_specs):
        _write_detail(w, uni, nav, i, spec)


def _mark_duplicates(specs: list[PageSpec]) -> None:
    """Flag pages whose bytes equal an earlier page's (same content key, format, no defect)."""
    seen: set[tuple[str, str]] = set()
    for s in specs:
        s.duplicate = False
        if s.bad or s.truncated:
            continue
        s.duplicate = (s.key, s.fmt) in seen
        seen.add((s.key, s.fmt))


def _plan(
    seed: int,
    uni: Universe,
    tag: str,
    details_for: list[Doc],
    list_pool: list[Doc],
    n_detail: int,
    n_search: int,
    n_coll: int,
    first_cid: int,
    must_list: list[Doc] | None = None,
) -> tuple[list[Query], list[Collection], list[PageSpec], list[PageSpec]]:
    """Decide every page before writing any: queries, collections, detail re-downloads, defects.

    `must_list` documents (an increment's new ones) are spread over the new listing pages.
    """
    rng = _rng(seed, "plan", tag)
    half = (must_list or [])[: len(must_list or []) // 2]
    rest = (must_list or [])[len(half) :]
    queries, search_specs = _plan_queries(rng, uni, list_pool, n_search, half)
    collections, coll_specs = _plan_collections(rng, uni, list_pool, n_coll, first_cid, rest)
    listing_specs = search_specs + coll_specs
    rng.shuffle(listing_specs)
    detail_specs = _plan_details(rng, details_for, n_detail)
    rng.shuffle(detail_specs)
    _mark_defects(rng, listing_specs, list(range(len(listing_specs))))
    _mark_defects(rng, detail_specs, list(range(len(detail_specs))))
    _mark_duplicates(listing_specs)
    _mark_duplicates(detail_specs)
    return queries, collections, listing_specs, detail_specs


# ------------------------------------------------------------------------------ public API


def _stats_from(
    w: _Writer,
    out_dir: Path,
    raw_dir: Path,
    scale: float,
    seed: int,
    listing_specs: list[PageSpec],
    detail_specs: list[PageSpec],
    near_miss: int,
    t0: float,
) -> GenerateStats:
    all_specs = listing_specs + detail_specs
    return GenerateStats(
        out_dir=str(out_dir),
        raw_dir=str(raw_dir),
        scale=scale,
        seed=seed,
        pages=w.stats_pages,
        files=w.files,
        bytes=w.bytes,
        documents=len(w.seen_docs),
        documents_in_listings=len(w.listed_docs),
        documents_with_detail=len(w.detail_docs),
        near_miss_documents=near_miss,
        listing_pages=len(listing_specs),
        search_pages=sum(s.kind == "search" for s in listing_specs),
        collection_pages=sum(s.kind == "collection" for s in listing_specs),
        detail_pages=len(detail_specs),
        html_pages=w.html_pages,
        html_bytes=w.html_bytes,
        entries=w.entries,
        entries_distinct_pages=w.entries_distinct,
        truncated_pages=sum(s.truncated for s in all_specs),
        bad_pages=sum(bool(s.bad) for s in all_specs),
        duplicate_pages=sum(s.duplicate for s in all_specs),
        sidecars=w.files - w.stats_pages,
        seconds=round(time.perf_counter() - t0, 3),
        by_kind=dict(sorted(w.by_kind.items())),
    )


def _universe(seed: int, scale: float) -> tuple[Universe, list[Doc]]:
    uni = Universe(seed)
    docs = uni.extend(_count(BASE_DOCUMENTS, scale), first_record_id=110_000, tag="base")
    return uni, docs


def generate(out_dir: Path, scale: float = 1.0, seed: int = 7) -> GenerateStats:
    """Write an archive-scale raw folder to out_dir/raw plus truth files beside it.

    Same (scale, seed) -> same bytes. out_dir/raw is replaced if it exists.
    """
    t0 = time.perf_counter()
    out_dir = Path(out_dir)
    raw_dir = out_dir / "raw"
    if raw_dir.exists():
        shutil.rmtree(raw_dir)
    raw_dir.mkdir(parents=True)
    uni, docs = _universe(seed, scale)
    queries, collections, listing_specs, detail_specs = _plan(
        seed,
        uni,
        "base",
        docs,
        docs,
        _count(BASE_DETAIL_PAGES, scale),
        _count(BASE_SEARCH_PAGES, scale),
        _count(BASE_COLLECTION_PAGES, scale),
        first_cid=1,
    )
    nav = build_nav(seed)
    w = _Writer(seed, raw_dir, out_dir, prefix="")
    try:
        _write_all(w, uni, nav, listing_specs, detail_specs, queries, collections)
    finally:
        w.close()
    near = sum(d.near_miss_of is not None for d in docs)
    stats = _stats_from(w, out_dir, raw_dir, scale, seed, listing_specs, detail_specs, near, t0)
    truth = asdict(stats)
    truth.pop("seconds")
    truth.pop("out_dir")
    truth.pop("raw_dir")
    truth["distinct_documents_generated"] = len(docs)
    (out_dir / "truth.json").write_text(json.dumps(truth, indent=2, sort_keys=True) + "\n")
    return stats


def generate_increment(
    raw_dir: Path, scale: float = 1.0, seed: int = 7, fraction: float = 0.01, tag: str = "increment"
) -> GenerateStats:
    """Add about `fraction` new pages to an existing corpus, in raw_dir/<tag>/.

    Realistic arrivals: new documents with their detail pages, and new listing pages that list
    new documents next to ones the corpus already holds (so dedup must merge across runs).
    """
    t0 = time.perf_counter()
    raw_dir = Path(raw_dir)
    uni, base_docs = _universe(seed, scale)
    new_docs = uni.extend(
        max(1, round(len(base_docs) * fraction)),
        first_record_id=base_docs[-1].record_id + 1_000,
        tag=tag,
    )
    pool = base_docs + new_docs
    queries, collections, listing_specs, detail_specs = _plan(
        seed,
        uni,
        tag,
        new_docs,
        pool,
        _count(BASE_DETAIL_PAGES, scale * fraction),
        _count(BASE_SEARCH_PAGES, scale * fraction),
        _count(BASE_COLLECTION_PAGES, scale * fraction),
        first_cid=100_000,
        must_list=new_docs,
    )
    for s in listing_specs + detail_specs:
        s.key = f"{tag}/{s.key}"
    nav = build_nav(seed)
    w = _Writer(seed, raw_dir / tag, None, prefix="")
    _write_all(w, uni, nav, listing_specs, detail_specs, queries, collections)
    near = sum(d.near_miss_of is not None for d in new_docs)
    return _stats_from(
        w,
        raw_dir / tag,
        raw_dir / tag,
        scale * fraction,
        seed,
        listing_specs,
        detail_specs,
        near,
        t0,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.generate",
        description="Write a synthetic Wilson Center archive (raw/ + truth files) to OUT.",
    )
    parser.add_argument("out", type=Path, help="output folder (raw/ and truth*.{json,csv})")
    parser.add_argument("--scale", type=float, default=1.0, help="1 = real archive size")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    stats = generate(args.out, scale=args.scale, seed=args.seed)
    for key, value in asdict(stats).items():
        print(f"{key}: {value}")
    print(f"total: {stats.pages} pages, {stats.bytes / 1e6:.1f} MB in {stats.seconds:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
