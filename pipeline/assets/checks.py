"""Blocking asset checks: each table against its pandera model, plus cross-table rules.

Row failures were already moved to quarantine, so a failing check here means a bug or a broken
invariant — it blocks publishing. A schema check reports the pandera validation that ran in the
same step (`pipeline.validate.TableReport`: rows in, rows quarantined, failures left after the
bad rows went), instead of validating the table a second time; the dagster-pandera type of each
table output validates any frame that did not pass that step (assets/tables.py). The checks
run inside the `published_tables` step (declared as check specs), so they cost no extra process
under the multiprocess executor.
"""

import dagster as dg
import pandas as pd

from pipeline.validate import TableReport, cross_table_problems
from schemas import TABLES

CROSS_TABLE_CHECK = "cross_table_rules"


def schema_check_name(table: str) -> str:
    return f"{table}_matches_schema"


check_specs = [
    *(
        dg.AssetCheckSpec(
            schema_check_name(table),
            asset=table,
            blocking=True,
            description=f"{table} satisfies schemas.{model.__name__}",
        )
        for table, (model, _) in TABLES.items()
    ),
    dg.AssetCheckSpec(
        CROSS_TABLE_CHECK,
        asset="listing_entries",
        blocking=True,
        description="every entry and detail page maps to an existing document; every page is "
        "parsed or quarantined with a quarantine row",
    ),
]


def schema_check(table: str, report: TableReport) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        asset_key=table,
        check_name=schema_check_name(table),
        passed=not report.still_failing,
        metadata={
            "rows_validated": report.rows_in,
            "rows_quarantined": report.quarantined,
            "failures_left": len(report.still_failing),
            "first": "; ".join(report.still_failing[:5]) or "none",
        },
    )


def cross_table_check(tables: dict[str, pd.DataFrame]) -> dg.AssetCheckResult:
    problems = cross_table_problems(tables)
    raw, quarantine = tables["raw_pages"], tables["quarantine"]
    return dg.AssetCheckResult(
        asset_key="listing_entries",
        check_name=CROSS_TABLE_CHECK,
        passed=not problems,
        metadata={
            "problems": "; ".join(problems.values()) or "none",
            "pages": len(raw),
            "parsed": int((raw["status"] == "parsed").sum()),
            "quarantined": int((raw["status"] == "quarantined").sum()),
            "rows_quarantined_by_rules": int((quarantine["stage"] == "validate").sum()),
        },
    )
