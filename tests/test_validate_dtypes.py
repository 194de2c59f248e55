"""The dtype rules pandera checks value by value (`str`, `Date`) are answered column-wide first;
a column that fails is left to pandera, so a bad value is quarantined exactly as before."""

from __future__ import annotations

import datetime
from pathlib import Path

import pandas as pd

from pipeline.runner import run_pipeline
from pipeline.validate import (
    TableReport,
    _all_dates,
    _all_text,
    _schema_for,
    table_schema,
    validate_all,
)
from tests.conftest import RAW


def _seed_tables(tmp_path: Path) -> dict[str, pd.DataFrame]:
    run = run_pipeline(RAW, tmp_path / "out")
    return {name: frame.copy() for name, frame in run.tables.items()}


def test_clean_tables_skip_the_value_by_value_dtype_rules(tmp_path: Path) -> None:
    tables = _seed_tables(tmp_path)
    docs = tables["documents"]
    assert docs["date_start"].notna().any() and docs["title"].notna().all()
    light = _schema_for("documents", docs)
    assert light is not table_schema("documents")
    assert light.columns["title"].dtype is None and light.columns["date_start"].dtype is None
    assert str(light.columns["n_listings"].dtype) == "int64"  # numeric dtypes still checked


def test_a_wrong_typed_value_is_still_quarantined_by_its_dtype_rule(tmp_path: Path) -> None:
    tables = _seed_tables(tmp_path)
    docs = tables["documents"]
    docs.loc[1, "title"] = 1949
    assert _schema_for("documents", docs) is table_schema("documents")
    reports: dict[str, TableReport] = {}
    checked = validate_all(tables, reports)
    assert reports["documents"].quarantined == 1 and not reports["documents"].still_failing
    q = checked["quarantine"]
    bad = q[(q["stage"] == "validate") & (q["table_name"] == "documents")]
    assert list(bad["row_key"]) == [docs.loc[1, "document_id"]]
    assert list(bad["rule"]) == ["dtype('str')"] and list(bad["value"]) == ["1949"]
    assert len(checked["documents"]) == len(docs) - 1


def test_the_column_wide_date_test_is_exactly_pandera_date_rule() -> None:
    """pandera's Date rule wants `type(v) is datetime.date`: a datetime (a date subclass) fails."""
    day = datetime.date(1949, 8, 1)
    assert _all_dates(pd.Series([day, None, pd.NaT], dtype=object))
    assert not _all_dates(pd.Series([day, datetime.datetime(1949, 8, 1)], dtype=object))
    assert not _all_dates(pd.Series(["1949-08-01"], dtype=object))
    assert _all_text(pd.Series(["August, 1949", None], dtype=object))
    assert not _all_text(pd.Series(["August, 1949", 1949], dtype=object))
    assert not _all_text(pd.Series(["August, 1949"], dtype="string"))  # pandera wants object
