"""docs/data_dictionary.md is generated from the pandera models and must not go stale."""

from __future__ import annotations

from pathlib import Path

from pipeline.docs import render_data_dictionary
from schemas import TABLES

DICTIONARY = Path(__file__).resolve().parents[1] / "docs" / "data_dictionary.md"


def test_data_dictionary_is_current() -> None:
    assert DICTIONARY.read_text(encoding="utf-8") == render_data_dictionary(), (
        "docs/data_dictionary.md is stale: run `make docs`"
    )


def test_every_column_has_a_description() -> None:
    missing = [
        f"{table}.{name}"
        for table, (model, _) in TABLES.items()
        for name, column in model.to_schema().columns.items()
        if not (column.description or "").strip()
    ]
    assert missing == []
