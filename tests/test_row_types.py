"""Page rows are slotted records that read like the dicts they replace."""

from __future__ import annotations

import datetime as dt
import pickle
from pathlib import Path

import pytest

from pipeline.extract import row_types
from pipeline.extract.row_types import DetailRow, EntryRow, RawPageRow
from pipeline.runner import stage_extract

REPO = Path(__file__).resolve().parents[1]


def _entry(**changes: object) -> EntryRow:
    values = {
        "position": 3,
        "date_raw": "August, 1949",
        "title": "Karsky to Cde. Miklashevsky",
        "summary": None,
        "is_truncated": False,
        "date_problem": None,
        "page_sha256": "ae57e85c" * 8,
        "listing_id": "collection:sino-soviet-relations",
        "date_start": dt.date(1949, 8, 1),
        "date_end": dt.date(1949, 8, 31),
        "date_precision": "month",
    }
    return EntryRow({**values, **changes})


def test_a_record_reads_like_its_dict() -> None:
    row = _entry()
    as_dict = dict(row)
    assert row["title"] == "Karsky to Cde. Miklashevsky" and row.get("summary") is None
    assert row.get("document_id") is None and row.get("document_id", "-") == "-"
    assert row.get("keys") is None  # a column name, never a method of the record
    assert list(row) == list(EntryRow.FIELDS) == list(as_dict)
    assert row == as_dict and as_dict == row and {**row} == as_dict
    assert row != {**as_dict, "position": 4}
    row["summary"] = "On the Xinjiang airline."
    assert row["summary"] == "On the Xinjiang airline."
    with pytest.raises(KeyError):
        row["document_id"] = "doc-1"
    with pytest.raises(KeyError):
        row["document_id"]
    assert repr(row).startswith("EntryRow({'position': 3")


def test_a_record_takes_exactly_its_columns() -> None:
    values = dict(_entry())
    with pytest.raises(KeyError, match=r"missing \['title'\], extra \['titel'\]"):
        EntryRow({**{k: v for k, v in values.items() if k != "title"}, "titel": "x"})


def test_records_pickle_as_their_values_and_come_back_equal() -> None:
    rows = [_entry(position=i) for i in range(1, 200)]
    back = pickle.loads(pickle.dumps(rows))
    assert back == rows and all(type(r) is EntryRow for r in back)
    as_dicts = pickle.dumps([dict(r) for r in rows])
    assert len(pickle.dumps(rows)) < 0.85 * len(as_dicts)  # no key references per row


@pytest.mark.parametrize("record", [EntryRow, DetailRow, RawPageRow])
def test_every_column_comes_back_in_its_place(record: type) -> None:
    """Rows are built from a mapping and rebuilt from a tuple of values (the rows memo's
    unpickling) by one generated assignment each: every column must land in its own slot, and
    a tuple of another length (a batch written with other columns) must fail rather than shift
    values."""
    row = record({name: f"value of {name}" for name in reversed(record.FIELDS)})
    assert all(getattr(row, name) == f"value of {name}" for name in record.FIELDS)
    back = pickle.loads(pickle.dumps(row))
    assert type(back) is record and all(back[name] == f"value of {name}" for name in record.FIELDS)
    with pytest.raises(ValueError):
        row_types._rebuild(record, tuple(range(len(record.FIELDS) + 1)))
    with pytest.raises(ValueError):
        row_types._rebuild(record, ())


def test_extracted_seed_rows_are_records(tmp_path: Path) -> None:
    extraction = stage_extract(REPO / "raw", tmp_path / "out")
    assert {type(r) for r in extraction.raw_pages} == {RawPageRow}
    assert {type(r) for r in extraction.entries} == {EntryRow}
    assert {type(r) for r in extraction.details} == {DetailRow}
    (detail,) = extraction.details
    assert detail["path"] == "001_e6ba8d6b4194133d.txt"
    assert str(detail["body"]).startswith("CABLE N\u00ba 59442")
