"""Column lists for tall tables: rows go in whole, come out as the same rows and frames."""

from __future__ import annotations

import pytest

from pipeline.columns import Columns
from pipeline.extract.row_types import RawPageRow
from pipeline.tables import build_frame


def test_rows_go_in_whole_and_come_back_as_they_were() -> None:
    links = Columns(["document_id", "listing_id"])
    links.extend(
        {"document_id": ["wcda-121800"], "listing_id": ["collection:sino-soviet-relations"]}
    )
    links.extend({"listing_id": ["search:stalin"], "document_id": ["doc-1a2b"]})  # any order
    assert len(links) == 2
    assert links.column("listing_id") == ["collection:sino-soviet-relations", "search:stalin"]
    assert links.data == {
        "document_id": ["wcda-121800", "doc-1a2b"],
        "listing_id": ["collection:sino-soviet-relations", "search:stalin"],
    }
    with pytest.raises(KeyError, match=r"missing \['listing_id'\], extra \['listing'\]"):
        links.extend({"document_id": ["doc-3"], "listing": ["search:mao"]})
    with pytest.raises(ValueError, match="different lengths"):
        links.extend({"document_id": ["doc-3", "doc-4"], "listing_id": ["search:mao"]})
    assert len(links) == 2 and len(links.column("document_id")) == 2  # nothing half-added
    links.clear()
    assert len(links) == 0 and links.data == {"document_id": [], "listing_id": []}


def test_parts_are_taken_whole_a_column_at_a_time() -> None:
    links = Columns(["document_id", "listing_id"])
    first = {"document_id": ["wcda-121800", "wcda-121800"], "listing_id": ["search:a", "c:b"]}
    second = {"listing_id": ["search:mao"], "document_id": ["doc-1a2b"]}
    links.take_parts([first, second])
    assert links.data == {
        "document_id": ["wcda-121800", "wcda-121800", "doc-1a2b"],
        "listing_id": ["search:a", "c:b", "search:mao"],
    }
    assert first == second == {}  # taken, not copied
    good = {"document_id": ["doc-3"], "listing_id": ["search:x"]}
    with pytest.raises(KeyError, match=r"missing \['listing_id'\], extra \['listing'\]"):
        links.take_parts([good, {"document_id": ["doc-3"], "listing": ["search:mao"]}])
    with pytest.raises(ValueError, match="different lengths"):
        links.take_parts([good, {"document_id": ["doc-4", "doc-5"], "listing_id": ["s:m"]}])
    assert len(links) == 3 and len(good) == 2  # nothing half-taken


def test_a_frame_from_columns_equals_the_frame_from_the_same_dict_rows() -> None:
    """The audit table built either way: same values, dtypes (nullable floats) and order."""
    rows = [
        {
            "document_id": None if i % 3 else f"doc-{i % 5}",
            "left_source": "entry",
            "left_page_sha256": f"{i:064x}",
            "left_position": i % 7 + 1,
            "left_title": f"Telegram No. {i}",
            "left_date_raw": "August, 1949",
            "left_document_id": f"doc-{i % 5}",
            "right_source": "detail" if i % 2 else "entry",
            "right_page_sha256": f"{i + 100:064x}",
            "right_position": 0,
            "right_title": f"Telegram No. {i}",
            "right_date_raw": "August 1949",
            "right_document_id": f"doc-{i % 4}",
            "rule": "exact_date_title",
            "score": None if i % 4 == 0 else 97.5,
            "title_score": None,
            "summary_score": 91.0 if i % 2 else None,
            "decision": "merged" if i % 3 == 0 else "rejected",
        }
        for i in range(40, 0, -1)
    ]
    columns = Columns(rows[0])
    columns.extend({name: [row[name] for row in rows[:25]] for name in rows[0]})
    columns.extend({name: [row[name] for row in rows[25:]] for name in rows[0]})
    by_columns = build_frame("document_matches", columns)
    by_rows = build_frame("document_matches", rows)
    assert by_columns.equals(by_rows)
    assert str(by_columns["score"].dtype) == "Float64" and by_columns["score"].isna().sum() == 10
    empty = build_frame("document_matches", Columns(rows[0]))
    assert empty.empty and list(empty.columns) == list(by_rows.columns)
    assert list(empty.dtypes) == list(by_rows.dtypes)  # typed even with no row to infer from


def test_extra_columns_stay_with_their_rows_through_the_sort() -> None:
    """listing_entries get their document_id as a column beside the rows (no copy per row):
    the rows arrive unsorted, and each id must still sit on its own entry afterwards."""
    sha_b, sha_a = "b" * 64, "a" * 64
    entries = [
        {"page_sha256": sha_b, "position": 2, "listing_id": "search:stalin", "title": "B2"},
        {"page_sha256": sha_a, "position": 1, "listing_id": "collection:c", "title": "A1"},
        {"page_sha256": sha_b, "position": 1, "listing_id": "search:stalin", "title": "B1"},
    ]
    ids = {"document_id": ["doc-b2", "wcda-1", None]}
    frame = build_frame("listing_entries", entries, ids)
    assert frame[["title", "document_id"]].values.tolist() == [
        ["A1", "wcda-1"],
        ["B1", None],
        ["B2", "doc-b2"],
    ]
    assert entries[0].keys() == {"page_sha256", "position", "listing_id", "title"}  # untouched


def test_row_records_with_a_rewritten_dict_among_them_build_the_frame_their_dicts_build() -> None:
    """raw_pages from slotted records, one replaced by a dict that lacks a column (read by its
    keys, the column null) and one holding a float NaN where text belongs (published as None,
    never as NaN): same frame as from plain dicts, sorted by path."""
    base = {
        "page_sha256": "",
        "path": "",
        "bytes": 0,
        "format": "txt",
        "encoding": "utf-8",
        "url": None,
        "fetched_at": None,
        "kind": "document_detail",
        "layout": "new_site_text",
        "status": "parsed",
        "reason": None,
    }
    dicts = [
        {**base, "page_sha256": f"{i:064x}", "path": f"details/{i % 7:03d}.txt", "bytes": 100 + i}
        for i in range(7, 0, -1)
    ]
    dicts[2]["url"] = float("nan")
    records: list = [RawPageRow(row) for row in dicts]
    records[4] = {k: v for k, v in dicts[4].items() if k != "fetched_at"}
    from_records = build_frame("raw_pages", records)
    from_dicts = build_frame("raw_pages", dicts)
    assert from_records.equals(from_dicts)
    assert from_records["path"].tolist() == [f"details/{i:03d}.txt" for i in range(7)]
    assert str(from_records["bytes"].dtype) == "int64"
    assert from_records["bytes"].tolist() == [107, 101, 102, 103, 104, 105, 106]
    assert from_records["url"].tolist() == [None] * 7
    assert from_records["fetched_at"].tolist() == [None] * 7
