"""Stage 1's last step: the buckets' rows joined into one extraction.

Buckets are extracted independently (pages.py), so only here do two files with the same bytes
meet: the first path keeps the rows, the copies are quarantined. The joined rows also share
their repeated values here, once every row of the run is in one place.
"""

from __future__ import annotations

from pipeline.clock import now_iso
from pipeline.extract.page_rows import qrow
from pipeline.extract.pages import Extraction
from pipeline.extract.row_types import Record


def merge_extractions(parts: list[Extraction]) -> Extraction:
    """Join bucket results; a page whose bytes repeat an earlier path's is a duplicate.

    The first path (in sorted order) keeps the rows; later copies are quarantined with a reason
    naming the original, and their identical rows are dropped.
    """
    out = Extraction(started_at=min((p.started_at for p in parts), default=now_iso()))
    pages = sorted((r for p in parts for r in p.raw_pages), key=lambda r: r["path"])
    # The original is the first path that was read (a copy may differ in its sidecar URL).
    first_path: dict[str, str] = {}
    for row in pages:
        if row["status"] == "parsed":
            first_path.setdefault(row["page_sha256"], row["path"])
    duplicates: set[str] = set()
    for row in pages:
        sha = row["page_sha256"]
        original = first_path.get(sha)
        if row["status"] == "parsed" and original != row["path"]:
            reason = (
                f"{row['path']}: same bytes as {original} (duplicate snapshot); "
                "its rows come from that file"
            )
            row = {**row, "status": "quarantined", "reason": reason}
            duplicates.add(row["path"])
            out.quarantine.append(qrow(sha, row["path"], "extract", "raw_pages", reason))
        out.raw_pages.append(row)
    kept_paths = set(first_path.values())
    for part in parts:
        out.listings += [r for r in part.listings if r["path"] in kept_paths]
        out.details += [r for r in part.details if r["path"] in kept_paths]
        out.quarantine += [
            q
            for q in part.quarantine
            if q["path"] not in duplicates or q["table_name"] == "sidecar"
        ]
        out.parsed_now += part.parsed_now
        out.reused += part.reused
        out.stat_lines += part.stat_lines
        out.spool_files += part.spool_files
    # Entries carry no path: they are kept by (page, listing id) of a kept listing row, so a copy
    # whose sidecar URL gives another listing id never lends its entries, whatever the bucket order.
    kept_listings = {(r["page_sha256"], r["listing_id"]) for r in out.listings}
    seen: set[tuple[str, int]] = set()
    for part in parts:
        for e in part.entries:
            key = (e["page_sha256"], e["position"])
            if (e["page_sha256"], e["listing_id"]) in kept_listings and key not in seen:
                seen.add(key)
                out.entries.append(e)
    share_repeated_values(out)
    return out


# Values printed again and again: a document's title, summary and date on each of its ~4
# listings and its detail page, and the rights statement, archive and language of every detail
# page. Each row arrives with its own copy (unpickled from a worker or the rows memo).
_REPEATED = {
    "entries": ("title", "summary", "date_raw", "date_start", "date_end", "date_precision"),
    "details": (
        "title",
        "summary",
        "date_raw",
        "date_start",
        "date_end",
        "date_precision",
        "rights",
        "source",
        "original_archive",
        "language",
        "doc_type",
        "translator",
        "original_classification",
        "original_uploaded_date",
        "layout",
    ),
    "raw_pages": ("format", "encoding", "kind", "layout", "status"),
}


def share_repeated_values(extraction: Extraction) -> None:
    """Make equal values of the repeated fields one object (rows keep equal values, so every
    reader sees the same rows): 30 MB of an archive-scale run's page rows were copies.

    Records are read and set by attribute, a field at a time: 0.4-0.5 s became 0.2-0.3 s at
    archive scale, against `row.get` and `row[name] = ...` (a Python-level call each, 750,000)."""
    intern = {}.setdefault
    for table, fields in _REPEATED.items():
        rows = getattr(extraction, table)
        records = [r for r in rows if isinstance(r, Record)]
        mappings = [r for r in rows if not isinstance(r, Record)]
        for name in fields:
            for record in records:
                value = getattr(record, name)
                if value is not None:
                    setattr(record, name, intern(value, value))
            for row in mappings:
                value = row.get(name)
                if value is not None:
                    row[name] = intern(value, value)
