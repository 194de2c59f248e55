"""Row-level validation with the pandera models: bad rows go to quarantine, the run goes on.

A failing row is removed from its table and becomes a quarantine row naming the table, the
row's key, the rule and the value. A failure that is not about a row (a missing column, a wrong
dtype) is a bug in the pipeline, so it raises.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from schemas import TABLES


class SchemaBug(RuntimeError):
    """A table-level schema failure: the code, not the data, is wrong."""


def _row_key(table: str, row: pd.Series) -> str:
    return "|".join(str(row.get(k)) for k in TABLES[table][1])


def validate_table(table: str, frame: pd.DataFrame) -> tuple[pd.DataFrame, list[dict]]:
    """(valid rows, quarantine rows) for one table."""
    model = TABLES[table][0]
    try:
        model.validate(frame, lazy=True)
        return frame, []
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    table_level = cases[cases["index"].isna()]
    if not table_level.empty:
        detail = "; ".join(f"{r.column}: {r.check}" for r in table_level.itertuples())
        raise SchemaBug(f"{table}: {detail}")
    quarantine: list[dict] = []
    bad_index = set()
    for case in cases.sort_values(["index", "check"], kind="mergesort").itertuples():
        idx = int(case.index)
        bad_index.add(idx)
        row = frame.loc[idx]
        key = _row_key(table, row)
        column = case.column if isinstance(case.column, str) else None
        quarantine.append(
            {
                "page_sha256": row.get("page_sha256") if "page_sha256" in row else None,
                "path": row.get("path") if "path" in row else None,
                "stage": "validate",
                "table_name": table,
                "row_key": key,
                "rule": str(case.check),
                "value": None if case.failure_case is None else str(case.failure_case),
                "reason": f"{table} row {key}: failed {case.check}"
                + (f" on {column}" if column and column != table else "")
                + f" (value {case.failure_case!r})",
            }
        )
    valid = frame.drop(index=sorted(bad_index)).reset_index(drop=True)
    return valid, quarantine


def cross_table_problems(tables: dict[str, pd.DataFrame]) -> dict[str, str]:
    """Rules that span tables; {rule: problem} for each one that does not hold."""
    problems: dict[str, str] = {}
    doc_ids = set(tables["documents"]["document_id"])
    for table in ("listing_entries", "document_pages", "document_listings"):
        ids = tables[table]["document_id"]
        missing = sorted(set(ids.dropna()) - doc_ids)
        if missing:
            problems[f"{table}_document_exists"] = (
                f"{len(missing)} {table} rows point to no document (e.g. {missing[0]})"
            )
    if tables["listing_entries"]["document_id"].isna().any():
        problems["listing_entries_have_document"] = "listing entries without a document"
    raw = tables["raw_pages"]
    parsed = int((raw["status"] == "parsed").sum())
    quarantined = int((raw["status"] == "quarantined").sum())
    if parsed + quarantined != len(raw):
        problems["raw_pages_accounted"] = f"{len(raw)} pages != {parsed} + {quarantined}"
    q_paths = set(tables["quarantine"]["path"].dropna())
    missing_q = sorted(set(raw.loc[raw["status"] == "quarantined", "path"]) - q_paths)
    if missing_q:
        problems["quarantined_pages_explained"] = f"no quarantine row for {missing_q[0]}"
    return problems


def validate_all(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Validate every table; quarantined rows are appended to the quarantine table."""
    from pipeline.tables import build_frame

    out: dict[str, pd.DataFrame] = {}
    extra: list[dict] = []
    for table, frame in tables.items():
        if table == "quarantine":
            continue
        out[table], rows = validate_table(table, frame)
        extra.extend(rows)
    quarantine = tables["quarantine"]
    if extra:
        rows = quarantine.to_dict("records") + extra
        quarantine = build_frame("quarantine", rows)
    out["quarantine"], rejected = validate_table("quarantine", quarantine)
    if rejected:
        raise SchemaBug(f"quarantine rows themselves invalid: {rejected[0]['reason']}")
    return {name: out[name] for name in tables}
