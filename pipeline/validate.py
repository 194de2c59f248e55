"""Row-level validation with the pandera models: bad rows go to quarantine, the run goes on.

A failing row is removed from its table and becomes a quarantine row naming the table, the
row's key, the rule and the value. A failure that is not about a row (a missing column, a wrong
dtype) is a bug in the pipeline, so it raises.
"""

from __future__ import annotations

import datetime
import functools
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd
import pandera.pandas as pa
from pandera.engines import pandas_engine

from pipeline.packed_text import PACKED_COLUMNS, TEXT_TYPES
from schemas import TABLES


class SchemaBug(RuntimeError):
    """A table-level schema failure: the code, not the data, is wrong."""


@dataclass
class TableReport:
    """What validating one table found: the blocking asset check reports this (no second pass).

    `still_failing` lists failures left after the bad rows were moved out (a table-wide rule
    can fail anew on the remaining rows); a non-empty list fails the check and blocks publishing.
    """

    rows_in: int
    quarantined: int = 0
    still_failing: list[str] = field(default_factory=list)


# Frames that passed their table's model, by id: (weak reference, table). The Dagster type of a
# table output asks here before validating the same frame a second time (about 0.7 s at
# archive scale). Weak: a registered frame is never kept alive by this.
_PASSED: dict[int, tuple[weakref.ref, str]] = {}


def _mark_passed(table: str, frame: pd.DataFrame) -> None:
    key = id(frame)
    _PASSED[key] = (weakref.ref(frame, lambda _ref: _PASSED.pop(key, None)), table)


def passed_as(frame: object) -> str | None:
    """The table whose model this very frame object passed in `validate_table`, if any."""
    entry = _PASSED.get(id(frame))
    if entry is None or entry[0]() is not frame:
        return None
    return entry[1]


def _row_key(table: str, row: pd.Series) -> str:
    return "|".join(str(row.get(k)) for k in TABLES[table][1])


@functools.cache
def table_schema(table: str) -> pa.DataFrameSchema:
    """The table's pandera schema as rows are checked: a packed column (packed_text.py) is
    text held compressed (or spooled to disk), so its rule is "text, packed or not" instead of
    the `str` dtype."""
    schema = TABLES[table][0].to_schema()
    packed = PACKED_COLUMNS.get(table, ())
    if not packed:
        return schema
    is_text = pa.Check(
        lambda s: s.map(lambda v: isinstance(v, TEXT_TYPES)), name="text_or_packed_text"
    )
    return schema.update_columns({name: {"dtype": None, "checks": [is_text]} for name in packed})


def _all_text(column: pd.Series) -> bool:
    """pandera's `str` rule (every value a str or missing), answered by pandas' C loop."""
    return column.dtype == object and pd.api.types.infer_dtype(column, skipna=True) in (
        "string",
        "empty",
    )


def _all_dates(column: pd.Series) -> bool:
    """pandera's `Date` rule (every value exactly a datetime.date, or missing)."""
    return column.dtype == object and set(map(type, column.dropna())) <= {datetime.date}


# The dtypes pandera checks value by value in Python (an isinstance call per cell: 2.4 of the
# 3.3 s validation took at archive scale), each with a whole-column test giving the same answer.
_COLUMN_TESTS: dict[type, Callable[[pd.Series], bool]] = {
    pandas_engine.NpString: _all_text,
    pandas_engine.Date: _all_dates,
}


@functools.cache
def _dtype_tests(table: str) -> dict[str, Callable[[pd.Series], bool]]:
    return {
        name: test
        for name, column in table_schema(table).columns.items()
        for dtype, test in _COLUMN_TESTS.items()
        if isinstance(column.dtype, dtype)
    }


@functools.cache
def _schema_with_dtypes_checked(table: str) -> pa.DataFrameSchema:
    """The table's schema minus the dtype rules `_dtype_tests` already answered."""
    return table_schema(table).update_columns(
        {name: {"dtype": None} for name in _dtype_tests(table)}
    )


def _schema_for(table: str, frame: pd.DataFrame) -> pa.DataFrameSchema:
    """The lighter schema when every value-by-value dtype rule holds column-wide; else the full
    one, so a failing value is reported by pandera exactly as before."""
    tests = _dtype_tests(table)
    if all(name in frame and test(frame[name]) for name, test in tests.items()):
        return _schema_with_dtypes_checked(table)
    return table_schema(table)


def _failures(table: str, frame: pd.DataFrame) -> pd.DataFrame | None:
    """pandera's failure cases for `frame`, or None when it passes the table's model.

    In place: the models coerce nothing, so pandera leaves the frame as it is, and its default
    deep copy consolidated each frame (`build_frame` leaves them unconsolidated) and copied every
    value again: 3-5 s of the tables step at 10x the archive."""
    try:
        _schema_for(table, frame).validate(frame, lazy=True, inplace=True)
    except pa.errors.SchemaErrors as exc:
        return exc.failure_cases
    return None


def validate_table(
    table: str, frame: pd.DataFrame, report: TableReport | None = None
) -> tuple[pd.DataFrame, list[dict]]:
    """(valid rows, quarantine rows) for one table; `report` receives what was found."""
    report = report if report is not None else TableReport(len(frame))
    cases = _failures(table, frame)
    if cases is None:
        _mark_passed(table, frame)
        return frame, []
    table_level = cases[cases["index"].isna()]
    if not table_level.empty:
        detail = "; ".join(f"{r.column}: {r.check}" for r in table_level.itertuples())
        raise SchemaBug(f"{table}: {detail}")
    quarantine: list[dict] = []
    grouped: dict[tuple[int, str], list[tuple[str | None, object]]] = {}
    for case in cases.sort_values(["index", "check"], kind="mergesort").itertuples():
        column = case.column if isinstance(case.column, str) else None
        grouped.setdefault((int(case.index), str(case.check)), []).append(
            (column, case.failure_case)
        )
    bad_index = {idx for idx, _ in grouped}
    for (idx, check), failures in grouped.items():
        row = frame.loc[idx]
        key = _row_key(table, row)
        if len(failures) == 1:  # a column rule: that column's value
            column, value = failures[0]
            where = f" on {column}" if column and column != table else ""
            shown = None if value is None else str(value)
            reason = f"{table} row {key}: failed {check}{where} (value {value!r})"
        else:  # a table-wide rule reports every column of the row: one quarantine row
            shown = "; ".join(f"{c}={v}" for c, v in failures)[:500]
            reason = f"{table} row {key}: failed {check} ({shown})"
        quarantine.append(
            {
                "page_sha256": row.get("page_sha256") if "page_sha256" in row else None,
                "path": row.get("path") if "path" in row else None,
                "stage": "validate",
                "table_name": table,
                "row_key": key,
                "rule": check,
                "value": shown,
                "reason": reason,
            }
        )
    valid = frame.drop(index=sorted(bad_index)).reset_index(drop=True)
    report.quarantined = len(bad_index)
    left = _failures(table, valid)
    if left is None:
        _mark_passed(table, valid)
    else:
        report.still_failing = [
            f"{r.column}: {r.check} ({r.failure_case!r})" for r in left.itertuples()
        ]
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
    listing_ids = set(tables["listings"]["listing_id"]) if "listings" in tables else None
    if listing_ids is not None:
        for table in ("listing_entries", "document_listings"):
            missing = sorted(set(tables[table]["listing_id"]) - listing_ids)
            if missing:
                problems[f"{table}_listing_exists"] = (
                    f"{table} rows point to no listing (e.g. {missing[0]})"
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


def _cascade_refused_listings(tables: dict[str, pd.DataFrame]) -> list[dict]:
    """Entries (and collection links) of a listing page whose row was refused go with it, so
    nothing points at a listing that is not published."""
    kept_pages = set(tables["listings"]["page_sha256"])
    entries = tables["listing_entries"]
    orphan = ~entries["page_sha256"].isin(kept_pages)
    rows = [
        {
            "page_sha256": e.page_sha256,
            "path": None,
            "stage": "validate",
            "table_name": "listing_entries",
            "row_key": f"{e.page_sha256}|{e.position}",
            "rule": "listing_refused",
            "value": e.listing_id,
            "reason": f"listing_entries row {e.page_sha256}|{e.position}: its listing page row "
            "was refused (see the listings row in quarantine)",
        }
        for e in entries[orphan].itertuples()
    ]
    # A frame is replaced only when rows go: otherwise it stays the very object that passed
    # validation (the Dagster output type then need not validate it again).
    if orphan.any():
        tables["listing_entries"] = entries[~orphan].reset_index(drop=True)
    if "document_listings" in tables:
        live = set(tables["listing_entries"]["listing_id"]) | set(tables["listings"]["listing_id"])
        links = tables["document_listings"]
        keep = links["listing_id"].isin(live)
        if not keep.all():
            tables["document_listings"] = links[keep].reset_index(drop=True)
    return rows


def validate_all(
    tables: dict[str, pd.DataFrame], reports: dict[str, TableReport] | None = None
) -> dict[str, pd.DataFrame]:
    """Validate every table; quarantined rows are appended to the quarantine table.

    `reports`, when given, receives a TableReport per table (the asset checks show them).
    """
    from pipeline.tables import build_frame

    reports = reports if reports is not None else {}
    out: dict[str, pd.DataFrame] = {}
    extra: list[dict] = []
    for table, frame in tables.items():
        if table == "quarantine":
            continue
        reports[table] = TableReport(len(frame))
        out[table], rows = validate_table(table, frame, reports[table])
        extra.extend(rows)
    if "listings" in out and "listing_entries" in out:
        cascaded = _cascade_refused_listings(out)
        reports["listing_entries"].quarantined += len(cascaded)
        extra.extend(cascaded)
    quarantine = tables["quarantine"]
    if extra:
        rows = quarantine.to_dict("records") + extra
        quarantine = build_frame("quarantine", rows)
    reports["quarantine"] = TableReport(len(quarantine))
    out["quarantine"], rejected = validate_table("quarantine", quarantine, reports["quarantine"])
    if rejected:
        raise SchemaBug(f"quarantine rows themselves invalid: {rejected[0]['reason']}")
    return {name: out[name] for name in tables}
