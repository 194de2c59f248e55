"""Stage 2: page-level rows → documents, their collections, people, and the merge audit.

Pure: lists of dicts in, lists of dicts out, one unit at a time (dedup/units.py); the caller
may hand in a unit store (dedup/unit_store.py) that answers for units seen before. Document ids
come from the archive's own id when a page gives one (record id, node id), else from the
normalised (date, title) key — never from row order, so they survive added, removed, renamed or
reordered pages, and a unit's result stays right whatever else changed.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from pipeline.columns import Columns
from pipeline.dates import parse_date
from pipeline.dedup import normalize
from pipeline.dedup.cluster import Cluster, Decision, Row, cluster_rows
from pipeline.dedup.parties import parse_title
from pipeline.dedup.people import canonical_person
from pipeline.dedup.unit_store import UnitStore
from pipeline.dedup.units import Unit, split_units, unit_fingerprint

_LISTING_COLUMNS = ("document_id", "listing_id")
_MATCH_COLUMNS = (
    "document_id",
    "left_source",
    "left_page_sha256",
    "left_position",
    "left_title",
    "left_date_raw",
    "left_document_id",
    "right_source",
    "right_page_sha256",
    "right_position",
    "right_title",
    "right_date_raw",
    "right_document_id",
    "rule",
    "score",
    "title_score",
    "summary_score",
    "decision",
)


@dataclass
class Resolution:
    """The dedup tables; the two tall ones (a row per link, a row per audited pair) as columns."""

    documents: list[dict] = field(default_factory=list)
    document_listings: Columns = field(default_factory=lambda: Columns(_LISTING_COLUMNS))
    document_matches: Columns = field(default_factory=lambda: Columns(_MATCH_COLUMNS))
    document_people: list[dict] = field(default_factory=list)
    entry_document: dict[tuple[str, int], str] = field(default_factory=dict)
    page_document: dict[str, str] = field(default_factory=dict)
    units: int = 0  # dedup units (dedup/units.py)
    units_reused: int = 0  # of which read back from the unit store

    def add(self, units: Sequence[Unit], parts: Sequence[UnitPart]) -> None:
        """The units' parts, whether resolved now or read from the store (their tall
        tables' columns are taken: the parts are emptied of them)."""
        for unit, part in zip(units, parts, strict=True):
            self.documents.extend(part.documents)
            self.document_people.extend(part.people)
            entry_refs, page_refs = unit.refs()
            self.entry_document.update(zip(entry_refs, part.entry_documents, strict=True))
            self.page_document.update(zip(page_refs, part.page_documents, strict=True))
        self.document_listings.take_parts([part.listings for part in parts])
        self.document_matches.take_parts([part.matches for part in parts])
        self.units += len(units)


@dataclass(slots=True)
class UnitPart:
    """What one unit adds to the Resolution: kept by the unit store for the next run. Its rows'
    documents are lists in the order of the rows' refs (`Unit.refs`), so a part
    read back holds no copy of the rows' keys."""

    documents: list[dict] = field(default_factory=list)
    people: list[dict] = field(default_factory=list)
    listings: dict[str, list] = field(default_factory=dict)
    matches: dict[str, list] = field(default_factory=dict)
    entry_documents: list[str] = field(default_factory=list)
    page_documents: list[str] = field(default_factory=list)


def _archive_id(detail: dict) -> str | None:
    return f"record:{detail['record_id']}" if detail.get("record_id") else None


def _rows(entries: list[dict], details: list[dict]) -> list[Row]:
    rows = []
    for e in entries:
        summary = None if e.get("is_truncated") else e.get("summary")
        rows.append(
            Row(
                "entry",
                e["page_sha256"],
                int(e["position"]),
                e.get("date_raw"),
                e.get("title"),
                summary,
            )
        )
    for d in details:
        summary = None if d.get("is_truncated") else d.get("summary")
        rows.append(
            Row(
                "detail",
                d["page_sha256"],
                0,
                d.get("date_raw"),
                d.get("title"),
                summary,
                archive_id=_archive_id(d),
            )
        )
    return rows


def _hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def _document_ids(clusters: list[Cluster], details: dict[str, dict]) -> list[str]:
    """One id per cluster (see module doc); key collisions are split by summary."""
    ids: list[str | None] = []
    keys: list[str] = []
    for c in clusters:
        archive = None
        for r in c.rows:
            d = details.get(r.page_sha256) if r.source == "detail" else None
            if d and d.get("record_id"):
                archive = f"wcda-{d['record_id']}"
                break
            if d and d.get("node_id"):
                archive = archive or f"wcda-node-{d['node_id']}"
        ids.append(archive)
        head = min(c.rows, key=lambda r: (r.date_key, r.title_norm, r.page_sha256, r.position))
        keys.append(f"{head.date_key}|{head.title_norm}")
    counts = Counter(k for k, i in zip(keys, ids, strict=True) if i is None)
    out = []
    for c, key, archive in zip(clusters, keys, ids, strict=True):
        if archive:
            out.append(archive)
            continue
        if counts[key] > 1:
            summaries = sorted(r.summary_norm for r in c.rows if r.summary_norm)
            key = f"{key}|{summaries[0] if summaries else ''}"
        out.append(f"doc-{_hash(key)}")
    return _split_collisions(out, clusters)


def _split_collisions(ids: list[str], clusters: list[Cluster]) -> list[str]:
    """Last resort for ids that still collide (e.g. two cut copies without summaries): add the
    first source row of each cluster. Sha256 and position are content, not file names."""
    counts = Counter(ids)
    if all(n == 1 for n in counts.values()):
        return ids
    out = []
    for doc_id, c in zip(ids, clusters, strict=True):
        if counts[doc_id] > 1:
            first = min(f"{r.page_sha256}:{r.position}" for r in c.rows)
            doc_id = f"{doc_id}-{_hash(first)[:8]}"
        out.append(doc_id)
    return out


def _pick(values: list[str | None]) -> str | None:
    """Most common printed value; ties → the alphabetically first, so runs agree."""
    counts = Counter(v for v in values if v)
    if not counts:
        return None
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]


# Memoised per run, without a bound: a document's title, summary and date repeat on every listing
# that shows it. A bound sized for one archive (65,536) made most lookups miss and pay eviction
# on a 10x corpus; unbounded, they weigh little beside the rows the run holds anyway.
_RUN_CACHES = (
    parse_date,
    parse_title,
    normalize.normalize_title,
    normalize.normalize_summary,
    normalize.numbers_in,
    normalize.discriminators,
    canonical_person,
)


def resolve(
    entries: list[dict],
    details: list[dict],
    listings: list[dict],
    memos: dict[str, dict] | None = None,
    store: UnitStore | None = None,
) -> Resolution:
    """Cluster entries and detail pages into documents and build the dedup tables.

    `memos`: the normalisations' answers of an earlier run (by function name; see
    pipeline/run_memo.py), used where this run asks the same; when given, it holds this run's
    answers on return. The result is the same with or without them.
    """
    for memoised in _RUN_CACHES:
        memoised.warm = (memos or {}).get(memoised.__name__) or {}
    try:
        resolution = _resolve(entries, details, listings, store)
        if memos is not None:
            memos.clear()
            memos.update({memoised.__name__: memoised.answers() for memoised in _RUN_CACHES})
        return resolution
    finally:
        for memoised in _RUN_CACHES:  # a long-lived (Dagster) process must not keep them
            memoised.cache_clear()


def _resolve(
    entries: list[dict], details: list[dict], listings: list[dict], store: UnitStore | None
) -> Resolution:
    """Unit by unit (dedup/units.py); with a store, a unit whose rows are unchanged is read."""
    listing_titles = {lst["page_sha256"]: lst.get("title") for lst in listings}
    units = split_units(entries, details)
    parts = []
    reused = 0
    for unit in units:
        key = unit_fingerprint(unit, listing_titles) if store is not None else ""
        part = store.get(key) if store is not None else None
        if part is None:
            part = _resolve_unit(unit, listing_titles)
            if store is not None:
                store.put(key, part)
        else:
            reused += 1
        parts.append(part)
    out = Resolution(units_reused=reused)
    out.add(units, parts)
    return out


def _resolve_unit(unit: Unit, listing_titles: dict[str, str | None]) -> UnitPart:
    """Dedup of one unit's rows: its clusters, their documents and the audit."""
    details_by_sha = {d["page_sha256"]: d for d in unit.details}
    entries_by_ref = {(e["page_sha256"], int(e["position"])): e for e in unit.entries}
    clusters, audit = cluster_rows(_rows(unit.entries, unit.details))
    doc_ids = _document_ids(clusters, details_by_sha)
    part = UnitPart()
    row_doc: dict[tuple[str, str, int], str] = {}
    for c, doc_id in zip(clusters, doc_ids, strict=True):
        for r in c.rows:
            row_doc[r.ref] = doc_id
        part.documents.append(
            _document_row(doc_id, c, entries_by_ref, details_by_sha, listing_titles)
        )
        part.people.extend(_people_rows(doc_id, c, entries_by_ref, details_by_sha))
    entry_refs, page_refs = unit.refs()
    part.entry_documents = [row_doc[("entry", *ref)] for ref in entry_refs]
    part.page_documents = [row_doc[("detail", sha, 0)] for sha in page_refs]
    pairs = sorted(
        {
            (
                row_doc[(r.source, r.page_sha256, r.position)],
                entries_by_ref[r.ref[1:]]["listing_id"],
            )
            for c in clusters
            for r in c.rows
            if r.source == "entry"
        }
    )
    part.listings = {"document_id": [doc for doc, _ in pairs], "listing_id": [i for _, i in pairs]}
    part.matches = _match_columns(audit, row_doc)
    return part


def _match_columns(audit: list[Decision], row_doc: dict) -> dict[str, list]:
    """The audit as column lists (built column by column: 64,000 decisions at archive scale)."""
    return {
        "document_id": [
            row_doc.get(d.right.ref) if d.decision == "merged" else None for d in audit
        ],
        **_side_columns("left", [d.left for d in audit], row_doc),
        **_side_columns("right", [d.right for d in audit], row_doc),
        "rule": [d.rule for d in audit],
        "score": [d.score for d in audit],
        "title_score": [d.title_score for d in audit],
        "summary_score": [d.summary_score for d in audit],
        "decision": [d.decision for d in audit],
    }


def _side_columns(side: str, rows: list[Row], row_doc: dict) -> dict[str, list]:
    """One side of the audited pairs: which row it is, what it printed, where it went."""
    return {
        f"{side}_source": [r.source for r in rows],
        f"{side}_page_sha256": [r.page_sha256 for r in rows],
        f"{side}_position": [r.position for r in rows],
        f"{side}_title": [r.title for r in rows],
        f"{side}_date_raw": [r.date_raw for r in rows],
        f"{side}_document_id": [row_doc.get(r.ref) for r in rows],
    }


def _document_row(
    doc_id: str, c: Cluster, entries_by_ref: dict, details_by_sha: dict, listing_titles: dict
) -> dict:
    """The document as a reader wants it: best title/date/summary plus what varied."""
    detail_rows = [details_by_sha[r.page_sha256] for r in c.rows if r.source == "detail"]
    entry_rows = [
        entries_by_ref[(r.page_sha256, r.position)] for r in c.rows if r.source == "entry"
    ]
    sources = detail_rows + entry_rows
    detail = detail_rows[0] if detail_rows else None
    titles = [s.get("title") for s in sources]  # each read once: 16,000 documents a run
    dates = [s.get("date_raw") for s in sources]
    title = (titles[0] if detail else None) or _pick(titles)
    date_raw = (dates[0] if detail else None) or _pick(dates)
    summary = (detail or {}).get("summary") or _pick(
        [e.get("summary") for e in entry_rows if not e.get("is_truncated")]
        or [e.get("summary") for e in entry_rows]
    )
    parsed = parse_date(date_raw)
    facts = parse_title(title)
    listing_ids = sorted({e["listing_id"] for e in entry_rows})
    titles_seen = (listing_titles.get(e["page_sha256"]) for e in entry_rows)
    collections = sorted({t for t in titles_seen if t})
    return {
        "document_id": doc_id,
        "title": title,
        "date_raw": date_raw,
        "date_start": parsed.start if parsed else None,
        "date_end": parsed.end if parsed else None,
        "date_precision": parsed.precision if parsed else "unparsed",
        "summary": summary,
        "document_type": facts.doc_type,
        "document_number": facts.number,
        "record_id": next((d["record_id"] for d in detail_rows if d.get("record_id")), None),
        "url": next((d["url"] for d in detail_rows if d.get("url")), None),
        "n_listings": len(listing_ids),
        "n_entries": len(entry_rows),
        "n_detail_pages": len(detail_rows),
        "has_detail_page": bool(detail_rows),
        "collections": collections,
        "title_variants": sorted({t for t in titles if t}),
        "date_variants": sorted({d for d in dates if d}),
    }


def _people_rows(doc_id: str, c: Cluster, entries_by_ref: dict, details_by_sha: dict) -> list:
    """Sender / recipient / via from every title variant, authors from detail pages."""
    seen: dict[tuple[str, str], dict] = {}
    titles = sorted({r.title for r in c.rows if r.title})
    for title in titles:
        facts = parse_title(title)
        for role, names in (
            ("sender", facts.senders),
            ("recipient", facts.recipients),
            ("via", facts.via),
        ):
            for name in names:
                person = canonical_person(name)
                seen.setdefault(
                    (role, person),
                    {
                        "document_id": doc_id,
                        "role": role,
                        "name_printed": name,
                        "person": person,
                        "source": "title",
                    },
                )
    for r in c.rows:
        if r.source != "detail":
            continue
        for name in details_by_sha[r.page_sha256].get("authors") or []:
            person = canonical_person(name)
            seen.setdefault(
                ("author", person),
                {
                    "document_id": doc_id,
                    "role": "author",
                    "name_printed": name,
                    "person": person,
                    "source": "detail_page",
                },
            )
    return [seen[k] for k in sorted(seen)]
