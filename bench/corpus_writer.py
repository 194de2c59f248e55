"""Writes planned pages to disk: numbered folders, sidecars, and the truth tables beside raw/.

Why a module of its own: it joins a page plan to the page writers and keeps the counts and
per-page truth (truth_pages.csv, truth_entries.csv) that recall and precision are scored on.
"""

from __future__ import annotations

import csv
import hashlib
import json
import random
from pathlib import Path
from urllib.parse import quote_plus

from bench.corpus_model import P_SIDECAR, PAGES_PER_FOLDER, SITE, seeded_rng, slugify
from bench.document_universe import Universe
from bench.page_content import PrintedEntry, cut_summary, printed_entries
from bench.page_plan import Collection, PageSpec, Query
from bench.pages_html import render_detail_html, render_search_html
from bench.pages_text import (
    render_bad,
    render_collection_text,
    render_detail_text,
    render_old_detail_text,
    render_search_text,
)


def _fetched_at(rng: random.Random) -> str:
    return (
        f"2024-{rng.randint(1, 6):02d}-{rng.randint(1, 28):02d}"
        f"T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}Z"
    )


class CorpusWriter:
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
    w: CorpusWriter,
    uni: Universe,
    nav: str,
    index: int,
    spec: PageSpec,
    queries: list[Query],
    collections: list[Collection],
) -> None:
    rng = seeded_rng(w.seed, "page", spec.key, spec.fmt)
    if spec.kind == "search":
        q = queries[spec.ref]
        records = q.results[spec.page_no * 10 : spec.page_no * 10 + 10]
        page_q = f"&page={spec.page_no}" if spec.page_no else ""
        url = f"{SITE}/search?keywords={quote_plus(q.keyword)}{page_q}"
        entries = printed_entries(w.seed, uni, _content_key(spec), records, old_site=False)
        kind = "search_listing"
    else:
        coll = collections[spec.ref]
        url = f"{SITE}/collection/{coll.cid}/{slugify(coll.title)}"
        entries = printed_entries(w.seed, uni, _content_key(spec), coll.records, True)
        kind = "collection_listing"
    cut_flags = [False] * len(entries)
    if spec.truncated and entries:
        k = rng.randint(1, len(entries) - 1) if len(entries) >= 2 else 0
        e = entries[k]
        summary, title = cut_summary(rng, e.summary, e.title)
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
        filters = seeded_rng(w.seed, "filters", _content_key(spec)).random() < 0.5
        data = render_collection_text(collections[spec.ref], entries, filters).encode()
    w.write(path, data, url, rng)
    printed = [(e.record_id, cut) for e, cut in zip(entries, cut_flags, strict=True)]
    w.record(path, kind, spec.fmt, url, spec, printed)


def _write_detail(w: CorpusWriter, uni: Universe, nav: str, index: int, spec: PageSpec) -> None:
    rng = seeded_rng(w.seed, "page", spec.key, index)
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


def write_all(
    w: CorpusWriter,
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
