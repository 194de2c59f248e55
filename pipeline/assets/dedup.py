"""Stage 2 asset: entries and detail pages → documents (calls pipeline.runner.stage_resolve)."""

import dagster as dg

from pipeline.dedup.resolve import Resolution
from pipeline.extract.pages import Extraction
from pipeline.runner import stage_resolve


@dg.asset(group_name="dedup", compute_kind="python")
def resolved_documents(
    context: dg.AssetExecutionContext, extracted_pages: Extraction
) -> Resolution:
    """Clusters of listing entries and detail pages, with the audit of every decision."""
    result = stage_resolve(extracted_pages)
    merged = sum(1 for m in result.document_matches if m["decision"] == "merged")
    context.add_output_metadata(
        {
            "documents": len(result.documents),
            "merges": merged,
            "audited_pairs": len(result.document_matches),
        }
    )
    return result
