"""Checks shared by the bad-input tests: a file's `raw_pages` row, and that a refused file
is quarantined with a reason naming it and yields no rows anywhere."""

from __future__ import annotations

from pipeline.runner import RunResult

BIG_BYTES = 50 * 1024 * 1024  # a page over the 16 MB cap: refused, and never held in memory


def raw_page(run: RunResult, path: str) -> dict:
    raw = run.tables["raw_pages"]
    rows = raw[raw["path"] == path].to_dict("records")
    assert len(rows) == 1, f"{path}: {len(rows)} raw_pages rows"
    return rows[0]


def quarantined(run: RunResult, path: str, *words: str) -> dict:
    page = raw_page(run, path)
    assert page["status"] == "quarantined", page
    assert page["reason"].startswith(f"{path}: "), page["reason"]
    for word in words:
        assert word in page["reason"], page["reason"]
    q = run.tables["quarantine"]
    rows = q[(q["path"] == path) & (q["table_name"] == "raw_pages")]
    assert list(rows["reason"]) == [page["reason"]]
    assert list(rows["stage"]) == ["extract"]
    # a refused page yields no rows anywhere
    sha = page["page_sha256"]
    for table in ("listings", "listing_entries", "document_pages"):
        frame = run.tables[table]
        owned = frame[frame["page_sha256"] == sha]
        assert owned.empty or _owner_is_other_file(run, sha, path), (table, path)
    return page


def _owner_is_other_file(run: RunResult, sha: str, path: str) -> bool:
    raw = run.tables["raw_pages"]
    same = raw[(raw["page_sha256"] == sha) & (raw["status"] == "parsed")]
    return list(same["path"]) != [path] and len(same) == 1
