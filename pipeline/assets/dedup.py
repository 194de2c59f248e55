"""Stage 2 asset: entries and detail pages → documents (calls pipeline.runner.stage_resolve)."""

import time

import dagster as dg

from pipeline.assets.resources import PipelinePaths
from pipeline.dedup.resolve import Resolution
from pipeline.extract.pages import Extraction
from pipeline.progress import stage_done
from pipeline.runner import stage_resolve


@dg.asset(group_name="dedup", compute_kind="python")
def resolved_documents(
    context: dg.AssetExecutionContext, paths: PipelinePaths, extracted_pages: Extraction
) -> Resolution:
    """Clusters of listing entries and detail pages, with the audit of every decision."""
    started = time.perf_counter()
    result = stage_resolve(extracted_pages, paths.output_path())
    merged = result.document_matches.column("decision").count("merged")
    if paths.show_progress:
        summary = (
            f"{len(result.documents)} documents, {merged} merges "
            f"({result.units_reused} of {result.units} units unchanged)"
        )
        stage_done("dedup", summary, time.perf_counter() - started)
    context.add_output_metadata(
        {
            "documents": len(result.documents),
            "merges": merged,
            "audited_pairs": len(result.document_matches),
            "units": result.units,
            "units_unchanged": result.units_reused,
        }
    )
    return result
