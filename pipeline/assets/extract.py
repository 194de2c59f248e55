"""Stage 1 asset: raw folder → page-level rows (calls pipeline.runner.stage_extract)."""

import dagster as dg

from pipeline.assets.resources import PipelinePaths
from pipeline.extract.pages import Extraction
from pipeline.progress import ProgressLine
from pipeline.runner import stage_extract


@dg.asset(group_name="extract", compute_kind="python")
def extracted_pages(context: dg.AssetExecutionContext, paths: PipelinePaths) -> Extraction:
    """Every snapshot read, classified and parsed (cached by content), or refused with a reason."""
    progress = ProgressLine() if paths.show_progress else None
    result = stage_extract(paths.raw_path(), paths.output_path(), progress)
    context.log.info(
        f"extract: {len(result.raw_pages)} pages, {result.parsed_now} parsed now, "
        f"{result.reused} reused from cache"
    )
    context.add_output_metadata(
        {
            "pages": len(result.raw_pages),
            "parsed_now": result.parsed_now,
            "reused_from_cache": result.reused,
            "quarantined_pages": sum(1 for p in result.raw_pages if p["status"] != "parsed"),
        }
    )
    return result
