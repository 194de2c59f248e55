"""Which pages the synthetic archive holds, decided before any is written: search queries,
collections, detail pages and re-downloads, truncated saves, bad files and exact duplicates.

Why a module of its own: planning every page first (from seeded generators) is what makes the
page set independent of rendering, so a change in how a page looks never moves another page.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from bench import vocab
from bench.corpus_model import (
    DETAIL_FORMATS,
    P_BAD,
    P_CROSS_FORMAT,
    P_DETAIL,
    P_REFETCH,
    P_SEARCH_HTML,
    P_TRUNCATED,
    YEARS,
    Doc,
    seeded_rng,
)
from bench.document_universe import Universe


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


def _special_count(n: int, rate: float) -> int:
    """Rare page defects: their real rate, but at least one on any non-trivial corpus."""
    return max(1, round(n * rate)) if n >= 4 else 0


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


def _mark_duplicates(specs: list[PageSpec]) -> None:
    """Flag pages whose bytes equal an earlier page's (same content key, format, no defect)."""
    seen: set[tuple[str, str]] = set()
    for s in specs:
        s.duplicate = False
        if s.bad or s.truncated:
            continue
        s.duplicate = (s.key, s.fmt) in seen
        seen.add((s.key, s.fmt))


def plan_pages(
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
    rng = seeded_rng(seed, "plan", tag)
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
