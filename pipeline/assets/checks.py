"""Blocking asset checks: each table against its pandera model, plus cross-table rules.

Row failures were already moved to quarantine, so a failing check here means a bug or a broken
invariant — it blocks publishing.
"""

import dagster as dg
import pandas as pd
import pandera.pandas as pa

from pipeline.validate import cross_table_problems
from schemas import TABLES


def _schema_check(table: str) -> dg.AssetChecksDefinition:
    model = TABLES[table][0]

    @dg.asset_check(
        asset=table,
        name=f"{table}_matches_schema",
        blocking=True,
        description=f"{table} satisfies schemas.{model.__name__}",
    )
    def check(frame: pd.DataFrame) -> dg.AssetCheckResult:
        try:
            model.validate(frame, lazy=True)
        except pa.errors.SchemaErrors as exc:
            cases = exc.failure_cases
            return dg.AssetCheckResult(
                passed=False,
                metadata={
                    "failures": len(cases),
                    "first": str(cases.head(5).to_dict("records")),
                },
            )
        return dg.AssetCheckResult(passed=True, metadata={"rows": len(frame)})

    return check


schema_checks = [_schema_check(table) for table in TABLES]


@dg.asset_check(
    asset="listing_entries",
    blocking=True,
    additional_ins={
        name: dg.AssetIn(name)
        for name in ("raw_pages", "document_pages", "documents", "document_listings", "quarantine")
    },
    description="every entry and detail page maps to an existing document; every page is "
    "parsed or quarantined with a quarantine row",
)
def cross_table_rules(
    listing_entries: pd.DataFrame,
    raw_pages: pd.DataFrame,
    document_pages: pd.DataFrame,
    documents: pd.DataFrame,
    document_listings: pd.DataFrame,
    quarantine: pd.DataFrame,
) -> dg.AssetCheckResult:
    problems = cross_table_problems(
        {
            "listing_entries": listing_entries,
            "raw_pages": raw_pages,
            "document_pages": document_pages,
            "documents": documents,
            "document_listings": document_listings,
            "quarantine": quarantine,
        }
    )
    return dg.AssetCheckResult(
        passed=not problems,
        metadata={
            "problems": "; ".join(problems.values()) or "none",
            "pages": len(raw_pages),
            "parsed": int((raw_pages["status"] == "parsed").sum()),
            "quarantined": int((raw_pages["status"] == "quarantined").sum()),
            "rows_quarantined_by_rules": int((quarantine["stage"] == "validate").sum()),
        },
    )


all_checks = [*schema_checks, cross_table_rules]
