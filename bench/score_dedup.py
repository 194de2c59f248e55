"""Score the pipeline's dedup against the generator's truth: false merges and false splits.

`python -m bench.score_dedup CORPUS_DIR PIPELINE_OUT` (e.g. after `python -m bench.run --keep`:
`bench/out/corpus-s1-seed7-v1` and `bench/out/run-s1-seed7/pipeline-out`). Every listing entry
and detail page the generator knows the record id of is matched to the document the pipeline put
it in: a document holding two record ids is a false merge, a record id spread over two documents
is a false split.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd


def score(corpus: Path, out: Path) -> dict[str, int]:
    truth = pd.read_csv(corpus / "truth_entries.csv", dtype={"record_id": str})
    pages = pd.read_csv(corpus / "truth_pages.csv", dtype={"record_id": str})
    raw = pd.read_parquet(out / "raw_pages.parquet", columns=["path", "page_sha256"])
    entries = pd.read_parquet(
        out / "listing_entries.parquet", columns=["page_sha256", "position", "document_id"]
    )
    details = pd.read_parquet(out / "document_pages.parquet", columns=["path", "document_id"])
    e = entries.merge(raw, on="page_sha256").merge(truth, on=["path", "position"])
    d = details.merge(pages[["path", "record_id"]], on="path")
    rows = pd.concat([e[["document_id", "record_id"]], d[["document_id", "record_id"]]])
    rows = rows[rows["record_id"].notna()]
    return {
        "rows_scored": len(rows),
        "true_documents": rows["record_id"].nunique(),
        "pipeline_documents": rows["document_id"].nunique(),
        "false_merges": int((rows.groupby("document_id")["record_id"].nunique() > 1).sum()),
        "false_splits": int((rows.groupby("record_id")["document_id"].nunique() > 1).sum()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("pipeline_out", type=Path)
    args = parser.parse_args()
    figures = score(args.corpus, args.pipeline_out)
    print("dedup: " + " ".join(f"{k}={v}" for k, v in figures.items()))


if __name__ == "__main__":
    main()
