"""Listing entries and detail pages → documents, with an audit row for every decision.

Precision first: a false merge silently destroys a document, a false split only shows it twice.

1. Exact: rows with the same normalised (date, title) are one document, unless their summaries
   say they are different records, or they carry different archive ids.
2. Loose: within one date block, two documents whose titles differ slightly merge only with
   positive evidence (near-identical summary), and never when numbers, sender/recipient or
   dates differ. Work is blocked by date, so it grows with the block sizes, not all pairs.
3. A detail page joins exactly one document; when two candidates fit equally it stays apart
   and the audit says why.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import fuzz, process

from pipeline.dedup.normalize import (
    discriminators,
    normalize_summary,
    normalize_title,
    numbers_in,
)
from pipeline.dedup.parties import parties_of
from pipeline.dedup.units import date_key

SUMMARY_SAME = 95.0  # summaries this similar count as "the same summary"
SUMMARY_DIFFERENT = 80.0  # below this two summaries describe different records (precision first)
TITLE_LOOSE = 88.0  # a title this similar may merge, given the same summary
TITLE_CANDIDATE = 75.0  # pairs above this are audited even when rejected
PARTY_SAME = 85.0  # sender/recipient names this similar are the same party (a typo)
SUMMARY_CANDIDATE = 80.0  # same-date pairs whose summaries share this much are audited too


# Slotted, like Decision and Cluster: a row per listing entry and detail page (80,000 at archive
# scale); with a __dict__ each, the three held 13 MB more at 1x (dedup's peak grows with it).
@dataclass(slots=True)
class Row:
    """One source row to cluster: a listing entry or a detail page."""

    source: str  # entry | detail
    page_sha256: str
    position: int
    date_raw: str | None
    title: str | None
    summary: str | None
    archive_id: str | None = None  # record id / node id / slug when the page says
    date_key: str = ""
    title_norm: str = ""
    summary_norm: str = ""
    numbers: tuple[str, ...] = ()
    ref: tuple[str, str, int] = ("", "", 0)  # (source, page, position): set once, used a lot

    def __post_init__(self) -> None:
        self.date_key = date_key(self.date_raw)
        self.title_norm = normalize_title(self.title)
        self.summary_norm = normalize_summary(self.summary)
        self.numbers = numbers_in(self.title)
        self.ref = (self.source, self.page_sha256, self.position)


@dataclass(slots=True)
class Decision:
    """One audited decision about a pair of rows (or a row and a document)."""

    left: Row
    right: Row
    rule: str
    score: float | None
    decision: str  # merged | rejected | unattached | kept_apart
    title_score: float | None = None
    summary_score: float | None = None


@dataclass(slots=True)
class Cluster:
    rows: list[Row] = field(default_factory=list)

    @property
    def head(self) -> Row:
        return self.rows[0]

    def archive_ids(self) -> set[str]:
        return {r.archive_id for r in self.rows if r.archive_id}

    def summaries(self) -> list[str]:
        return [r.summary_norm for r in self.rows if r.summary_norm]


def summary_score(a: str, b: str) -> float | None:
    if not a or not b:
        return None
    return float(fuzz.ratio(a, b))


def summaries_conflict(a: str, b: str) -> tuple[bool, float | None]:
    """True when two summaries say these are different records."""
    score = summary_score(a, b)
    if score is None:
        return False, None
    if score < SUMMARY_DIFFERENT:
        return True, score
    da, db = discriminators(a), discriminators(b)
    if da != db and da and db and score < 100.0:
        return True, score
    return False, score


def _fits(row: Row, cluster: Cluster) -> tuple[bool, float | None]:
    """May `row` join `cluster` (same exact key already)? Returns the best summary score."""
    ids = cluster.archive_ids()
    if row.archive_id and ids and row.archive_id not in ids:
        return False, None
    best: float | None = None
    for other in cluster.summaries():
        conflict, score = summaries_conflict(row.summary_norm, other)
        if conflict:
            return False, score
        if score is not None:
            best = score if best is None else max(best, score)
    return True, best


def _exact_clusters(rows: list[Row], audit: list[Decision]) -> list[Cluster]:
    """Step 1: group by (date, title); split a group when summaries or ids disagree."""
    groups: dict[tuple[str, str], list[Row]] = defaultdict(list)
    for row in rows:
        groups[(row.date_key, row.title_norm)].append(row)
    clusters: list[Cluster] = []
    for key in sorted(groups):
        members = sorted(
            groups[key], key=lambda r: (r.source != "entry", r.page_sha256, r.position)
        )
        local: list[Cluster] = []
        for row in members:
            fitting = [(c, s) for c in local for ok, s in [_fits(row, c)] if ok]
            if not key[1]:
                fitting = []  # no title: nothing to match on, never merge
            if len(fitting) == 1:
                cluster, score = fitting[0]
                audit.append(Decision(cluster.head, row, "exact_date_title", score, "merged"))
                cluster.rows.append(row)
                continue
            if len(fitting) > 1:
                rule = "exact_key_ambiguous"
                audit.append(Decision(fitting[0][0].head, row, rule, None, "kept_apart"))
            elif local and key[1]:
                audit.append(
                    Decision(
                        local[0].head,
                        row,
                        "exact_key_summary_differs",
                        summary_score(local[0].head.summary_norm, row.summary_norm),
                        "kept_apart",
                    )
                )
            local.append(Cluster([row]))
        clusters.extend(local)
    return clusters


def _loose_conflict(a: Cluster, b: Cluster) -> str | None:
    """A reason two clusters must never merge, or None."""
    if a.archive_ids() and b.archive_ids() and not (a.archive_ids() & b.archive_ids()):
        return "different_archive_ids"
    nums_a = {r.numbers for r in a.rows}
    nums_b = {r.numbers for r in b.rows}
    if nums_a != nums_b:
        return "numbers_differ"
    pa = {parties_of(r.title) for r in a.rows} - {(None, None)}
    pb = {parties_of(r.title) for r in b.rows} - {(None, None)}
    if pa and pb and not any(_same_parties(x, y) for x in pa for y in pb):
        return "parties_differ"
    return None


def _same_parties(a: tuple[str | None, str | None], b: tuple[str | None, str | None]) -> bool:
    """Same sender and same recipient, allowing a misspelt name (Roshchin/Roschin)."""
    return all(
        x == y or (x is not None and y is not None and fuzz.ratio(x, y) >= PARTY_SAME)
        for x, y in zip(a, b, strict=True)
    )


def _loose_merges(clusters: list[Cluster], audit: list[Decision]) -> list[Cluster]:
    """Step 2: near-identical titles with the same summary, within one date block."""
    by_date: dict[str, list[int]] = defaultdict(list)
    for i, c in enumerate(clusters):
        if c.head.title_norm and c.head.date_key != "undated":
            by_date[c.head.date_key].append(i)
    parent = list(range(len(clusters)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for key in sorted(by_date):
        idx = by_date[key]
        if len(idx) < 2:
            continue
        heads = [clusters[i].head for i in idx]
        titles = process.cdist(
            [h.title_norm for h in heads],
            [h.title_norm for h in heads],
            scorer=fuzz.ratio,
            score_cutoff=TITLE_CANDIDATE,
        )
        sums = [h.summary_norm for h in heads]
        alike = process.cdist(
            sums, sums, scorer=fuzz.token_set_ratio, score_cutoff=SUMMARY_CANDIDATE
        )
        candidates = np.argwhere(np.triu((titles > 0) | (alike > 0), k=1))
        for a, b in candidates:
            ca, cb = clusters[idx[a]], clusters[idx[b]]
            sum_score = summary_score(ca.head.summary_norm, cb.head.summary_norm) or 0.0
            title_score = float(fuzz.ratio(ca.head.title_norm, cb.head.title_norm))
            _judge_pair(ca, cb, title_score, sum_score, idx[a], idx[b], find, parent, audit)
    merged: dict[int, Cluster] = {}
    for i, c in enumerate(clusters):
        root = find(i)
        if root in merged:
            merged[root].rows.extend(c.rows)
        else:
            merged[root] = Cluster(list(c.rows))
    return list(merged.values())


def _judge_pair(ca, cb, title_score, sum_score, ia, ib, find, parent, audit) -> None:  # noqa: ANN001
    """Record and apply one loose-match decision (score = the weaker of the two similarities)."""
    title_score, sum_score = round(title_score, 1), round(sum_score, 1)

    def note(rule: str, decision: str) -> None:
        audit.append(
            Decision(
                ca.head,
                cb.head,
                rule,
                min(title_score, sum_score),
                decision,
                title_score,
                sum_score,
            )
        )

    conflict = _loose_conflict(ca, cb)
    if conflict:
        note(f"never_merge_{conflict}", "rejected")
    elif title_score < TITLE_LOOSE:
        note("similar_summary_different_title", "rejected")
    elif sum_score < SUMMARY_SAME:
        note("similar_title_no_summary_evidence", "rejected")
    else:
        ra, rb = find(ia), find(ib)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
        note("similar_title_same_summary", "merged")


def cluster_rows(rows: Iterable[Row]) -> tuple[list[Cluster], list[Decision]]:
    """All rows → clusters (each row in exactly one) and the audit of every decision."""
    audit: list[Decision] = []
    row_list = list(rows)
    details = [r for r in row_list if r.source == "detail"]
    entries = [r for r in row_list if r.source != "detail"]
    clusters = _loose_merges(_exact_clusters(entries, audit), audit)
    clusters = _attach_details(clusters, details, audit)
    for c in clusters:
        c.rows.sort(key=lambda r: (r.source != "detail", r.page_sha256, r.position))
    return clusters, audit


def _detail_candidates(
    clusters: Sequence[Cluster], indices: Iterable[int], detail: Row
) -> list[tuple[int, float]]:
    """Clusters (by index) holding the detail's exact date and title whose summaries fit."""
    out = []
    for i in sorted(indices):
        c = clusters[i]
        ids = c.archive_ids()
        if detail.archive_id and ids and detail.archive_id not in ids:
            continue
        ok, s = _fits(detail, c)
        if ok:
            out.append((i, 100.0 if s is None else s))
    return out


def _attach_details(clusters: list[Cluster], details: list[Row], audit: list[Decision]) -> list:
    """Step 3: each detail page joins the one document it matches, or stands alone.

    Indexed by archive id and by (date, title), so each page costs a dictionary lookup.
    """
    by_id: dict[str, set[int]] = defaultdict(set)
    by_key: dict[tuple[str, str], set[int]] = defaultdict(set)

    def index(i: int) -> None:
        for r in clusters[i].rows:
            if r.archive_id:
                by_id[r.archive_id].add(i)
            if r.title_norm:
                by_key[(r.date_key, r.title_norm)].add(i)

    for i in range(len(clusters)):
        index(i)
    for detail in sorted(details, key=lambda r: r.page_sha256):
        same_id = by_id.get(detail.archive_id, set()) if detail.archive_id else set()
        if len(same_id) == 1:
            (i,) = same_id
            clusters[i].rows.append(detail)
            audit.append(Decision(clusters[i].head, detail, "same_archive_id", 100.0, "merged"))
            continue
        found = []
        if detail.title_norm:
            keyed = by_key.get((detail.date_key, detail.title_norm), set())
            found = _detail_candidates(clusters, keyed, detail)
        if len(found) > 1 and detail.summary_norm:
            best = max(s for _, s in found)
            found = [(i, s) for i, s in found if s == best and s >= SUMMARY_SAME]
        if len(found) == 1:
            i, s = found[0]
            audit.append(Decision(clusters[i].head, detail, "detail_exact_date_title", s, "merged"))
            clusters[i].rows.append(detail)
            index(i)
            continue
        if len(found) > 1:
            audit.append(
                Decision(clusters[found[0][0]].head, detail, "detail_ambiguous", None, "unattached")
            )
        clusters.append(Cluster([detail]))
        index(len(clusters) - 1)
    return clusters
