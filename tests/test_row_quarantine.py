"""A row that breaks a table rule goes to quarantine with its table, key, rule and value; the
run goes on, and rows that depended on it (a refused listing's entries) go with it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from pipeline.runner import RunResult, run_pipeline
from pipeline.validate import TableReport, validate_all
from tests.conftest import RAW, SEED_SEARCH_1, SEED_SEARCH_4, seed_text


def _over_total_run(tmp_path: Path) -> tuple[RunResult, str]:
    """A search page whose range line claims more than the total ("31 - 40 of 35"): it reads
    fine, but its listings row breaks the rule range_first <= range_last <= range_total."""
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(RAW / SEED_SEARCH_1, raw / SEED_SEARCH_1)
    over = seed_text(SEED_SEARCH_4).replace("31 - 40 of 43", "31 - 40 of 35")
    (raw / "over_total.txt").write_text(over, encoding="utf-8")
    run = run_pipeline(raw, tmp_path / "out")
    return run, run.tables["raw_pages"].set_index("path").loc["over_total.txt", "page_sha256"]


def test_a_bad_row_is_quarantined_with_its_rule_and_the_run_goes_on(tmp_path: Path) -> None:
    run, sha = _over_total_run(tmp_path)
    assert run.tables["raw_pages"]["status"].eq("parsed").all()  # the page itself was read
    q = run.tables["quarantine"]
    cascaded = q[(q["stage"] == "validate") & (q["table_name"] == "listing_entries")]
    assert len(cascaded) == 10 and set(cascaded["rule"]) == {"listing_refused"}
    assert set(cascaded["page_sha256"]) == {sha}
    rows = q[(q["stage"] == "validate") & (q["table_name"] == "listings")]
    assert len(rows) == 1
    assert set(rows["rule"]) == {"range_ordered"}
    assert set(rows["page_sha256"]) == {sha} and set(rows["path"]) == {"over_total.txt"}
    assert set(rows["row_key"]) == {f"search:{sha[:16]}|{sha}"}
    assert any("35" in str(v) for v in rows["value"])
    assert rows["reason"].str.startswith(f"listings row search:{sha[:16]}|{sha}: failed").all()
    listings = run.tables["listings"]
    assert list(listings["path"]) == [SEED_SEARCH_1]  # the good page is still published
    assert run.record.rows_quarantined == len(rows) + len(cascaded)
    published = pd.read_parquet(tmp_path / "out" / "quarantine.parquet")
    assert len(published) == len(q)
    assert set(published["rule"].dropna()) == {"range_ordered", "listing_refused"}


def test_a_refused_listing_takes_its_entries_with_it(tmp_path: Path) -> None:
    run, sha = _over_total_run(tmp_path)
    listing_ids = set(run.tables["listings"]["listing_id"])
    assert set(run.tables["listing_entries"]["listing_id"]) <= listing_ids
    assert set(run.tables["document_listings"]["listing_id"]) <= listing_ids


def test_validate_all_quarantines_each_broken_row(tmp_path: Path) -> None:
    """Row rules of other tables, on a published table set with rows broken by hand."""
    run = run_pipeline(RAW, tmp_path / "out")
    tables = {name: frame.copy() for name, frame in run.tables.items()}
    docs = tables["documents"]
    docs.loc[0, "n_listings"] = -1
    entries = tables["listing_entries"]
    entries.loc[3, "position"] = 0
    key = f"{entries.loc[3, 'page_sha256']}|0"
    reports: dict[str, TableReport] = {}
    checked = validate_all(tables, reports)
    assert (reports["documents"].rows_in, reports["documents"].quarantined) == (len(docs), 1)
    assert reports["listing_entries"].quarantined == 1
    assert reports["listings"].quarantined == 0
    assert not any(r.still_failing for r in reports.values())  # the remaining rows pass
    q = checked["quarantine"]
    bad = q[q["stage"] == "validate"]
    assert set(bad["table_name"]) == {"documents", "listing_entries"}
    doc_row = bad[bad["table_name"] == "documents"].iloc[0]
    assert doc_row["row_key"] == docs.loc[0, "document_id"] and doc_row["value"] == "-1"
    entry_row = bad[bad["table_name"] == "listing_entries"].iloc[0]
    assert entry_row["row_key"] == key and entry_row["value"] == "0"
    assert len(checked["documents"]) == len(docs) - 1
    assert len(checked["listing_entries"]) == len(entries) - 1


def test_each_row_check_quarantines_the_row_that_breaks_it(tmp_path: Path) -> None:
    """The checks over whole rows (schemas/_fields.row_check) on real rows broken by hand: each
    quarantines its row under its own name, nulls in the columns it reads included."""
    import datetime as dt

    run = run_pipeline(RAW, tmp_path / "out")
    tables = {name: frame.copy() for name, frame in run.tables.items()}
    later, earlier = dt.date(1949, 9, 1), dt.date(1949, 8, 1)
    for table in ("documents", "document_pages", "listing_entries"):
        tables[table].loc[0, ["date_start", "date_end"]] = [later, earlier]
    for table in ("documents", "listing_entries"):  # (the seeds hold one detail page)
        tables[table].loc[1, ["date_start", "date_end"]] = [None, None]  # undated: fine
    tables["documents"].loc[2, ["n_entries", "n_detail_pages"]] = [0, 0]
    tables["raw_pages"].loc[0, ["status", "reason"]] = ["quarantined", None]
    reports: dict[str, TableReport] = {}
    q = validate_all(tables, reports)["quarantine"]
    rules = q[q["stage"] == "validate"].groupby("table_name")["rule"].apply(sorted).to_dict()
    assert rules == {
        "document_pages": ["dates_ordered"],
        "documents": ["dates_ordered", "has_source"],
        "listing_entries": ["dates_ordered"],
        "raw_pages": ["quarantined_has_reason"],
    }
