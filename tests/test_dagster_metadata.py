"""What the Dagster UI shows for a table: row count, preview, column schema, quarantine kinds."""

from __future__ import annotations

import pandas as pd

from pipeline.assets.metadata import reason_counts, table_metadata


def test_quarantine_counts_by_reason_kind_not_by_file() -> None:
    q = pd.DataFrame(
        {
            "stage": ["extract", "extract", "validate"],
            "table_name": ["raw_pages", "raw_pages", "listings"],
            "rule": [None, None, "range_ordered"],
            "reason": [
                "a.txt: empty file (no visible text)",
                "sub/b.txt: empty file (no visible text)",
                "listings row x: failed range_ordered",
            ],
        }
    )
    counts = reason_counts(q)
    assert counts.to_dict("records") == [
        {
            "stage": "extract",
            "table_name": "raw_pages",
            "reason_kind": "empty file (no visible text)",
            "rows": 2,
        },
        {"stage": "validate", "table_name": "listings", "reason_kind": "range_ordered", "rows": 1},
    ]


def test_table_metadata_has_count_preview_and_described_columns(seed_outputs) -> None:  # noqa: ANN001
    docs = pd.read_parquet(seed_outputs / "documents.parquet")
    meta = table_metadata("documents", docs)
    assert meta["dagster/row_count"].value == 46
    assert meta["preview"].value.splitlines()[0].startswith("| document_id | title |")
    assert len(meta["preview"].value.splitlines()) == 2 + 5
    columns = {c.name: c.description for c in meta["dagster/column_schema"].columns}
    assert columns["n_listings"] == "distinct listings (collections/searches) holding it"
