"""Blocking asset checks: each table against its pandera model, plus cross-table rules.

Row failures were already moved to quarantine, so a failing check here means a bug or a broken
invariant — it blocks publishing. The checks run inside the `published_tables` step (declared as
check specs), so they cost no extra process under the multiprocess executor.
"""

import dagster as dg
import pandas as pd
import pandera.pandas as pa

from pipeline.validate import cross_table_problems
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


def schema_check(table: str, frame: pd.DataFrame) -> dg.AssetCheckResult:
    model = TABLES[table][0]
    try:
        model.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        return dg.AssetCheckResult(
            asset_key=table,
            check_name=schema_check_name(table),
            passed=False,
            metadata={"failures": len(cases), "first": str(cases.head(5).to_dict("records"))},
        )
    return dg.AssetCheckResult(
        asset_key=table,
        check_name=schema_check_name(table),
        passed=True,
        metadata={"rows": len(frame)},
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
