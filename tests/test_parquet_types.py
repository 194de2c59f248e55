"""Parquet files that pandas reads right with no arguments: types, descriptions, order, row
groups and dictionary encoding; against the outputs of a real run over raw/."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from schemas import TABLES
from tests.helpers.frames import detail_pages_frame

# ---------------------------------------------------------------------------------------------
# Parquet files that pandas reads right with no arguments


def test_documents_types_with_no_arguments(seed_outputs: Path) -> None:
    path = seed_outputs / "documents.parquet"
    docs = pd.read_parquet(path)
    schema = pq.read_schema(path)
    assert schema.field("date_start").type == pa.date32()
    assert schema.field("date_end").type == pa.date32()
    dated = docs["date_start"].dropna()
    assert len(dated) == 45 and all(type(d) is dt.date for d in dated)
    assert all(type(d) is dt.date for d in docs["date_end"].dropna())
    assert docs["n_listings"].dtype == np.dtype("int64")
    assert docs["has_detail_page"].dtype == np.dtype("bool")
    assert int(docs["has_detail_page"].sum()) == 1
    for column in ["collections", "title_variants", "date_variants"]:
        values = docs[column].dropna()
        assert all(isinstance(v, np.ndarray) for v in values), column
        assert all(isinstance(x, str) for v in values for x in v), column
    assert all(len(v) >= 1 for v in docs["title_variants"])
    karsky = docs.loc[docs["title"] == "Karsky to Cde. Miklashevsky"].iloc[0]
    assert sorted(karsky["date_variants"]) == ["August 1949", "August, 1949"]
    assert karsky["date_start"] == dt.date(1949, 8, 1)
    assert karsky["date_end"] == dt.date(1949, 8, 31)


def test_listings_ranges_are_nullable_integers(seed_outputs: Path) -> None:
    listings = pd.read_parquet(seed_outputs / "listings.parquet")
    for column in ["range_first", "range_last", "range_total"]:
        assert listings[column].dtype == pd.Int64Dtype(), column
    searches = listings[listings["kind"] == "search"].sort_values("range_first")
    assert searches["range_first"].tolist() == [1, 31]
    assert listings.loc[listings["kind"] == "collection", "range_first"].isna().all()


_ARROW_OF = {
    "str": pa.string(),
    "int64": pa.int64(),
    "Int64": pa.int64(),
    "bool": pa.bool_(),
    "Float64": pa.float64(),
    "float64": pa.float64(),
    "date": pa.date32(),
}
_PANDAS_OF = {"int64": "int64", "Int64": "Int64", "bool": "bool", "Float64": "Float64"}


@pytest.mark.parametrize("table", list(TABLES))
def test_parquet_schema_follows_the_model(seed_outputs: Path, table: str) -> None:
    """Names, order, Arrow types, pandas dtypes and descriptions all come from schemas.TABLES."""
    model, _ = TABLES[table]
    columns = model.to_schema().columns
    path = seed_outputs / f"{table}.parquet"
    schema = pq.read_schema(path)
    frame = pd.read_parquet(path)
    assert schema.names == list(columns) == list(frame.columns)
    for name, column in columns.items():
        field = schema.field(name)
        if (column.metadata or {}).get("arrow") == "list<string>":
            assert pa.types.is_list(field.type) and field.type.value_type == pa.string(), name
        else:
            assert field.type == _ARROW_OF[str(column.dtype)], (name, field.type)
        expected_dtype = _PANDAS_OF.get(str(column.dtype))
        if expected_dtype:
            assert str(frame[name].dtype) == expected_dtype, (name, frame[name].dtype)
        description = (field.metadata or {}).get(b"description", b"").decode()
        assert description, f"{table}.{name} has no description in the Parquet schema"
        assert description == column.description, name
        assert field.nullable == column.nullable, name


def _null_last(value: object) -> tuple[bool, object]:
    missing = value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))
    return (missing, "" if missing else value)


@pytest.mark.parametrize("table", list(TABLES))
def test_rows_are_sorted_by_the_model_keys(seed_outputs: Path, table: str) -> None:
    _, keys = TABLES[table]
    frame = pd.read_parquet(seed_outputs / f"{table}.parquet")
    rows = [tuple(r) for r in frame[keys].astype(object).itertuples(index=False)]
    assert rows == sorted(rows, key=lambda r: tuple(_null_last(v) for v in r))


@pytest.mark.parametrize("table", list(TABLES))
def test_duckdb_tables_keep_the_parquet_row_order(seed_outputs: Path, table: str) -> None:
    """The DuckDB build copies the sorted Parquet rows without sorting them again."""
    con = duckdb.connect(str(seed_outputs / "archive.duckdb"), read_only=True)
    try:
        in_db = con.execute(f"SELECT * FROM store.{table}").df()
    finally:
        con.close()
    frame = pd.read_parquet(seed_outputs / f"{table}.parquet")
    keys = TABLES[table][1]
    assert len(in_db) == len(frame)
    assert in_db[keys].astype(str).values.tolist() == frame[keys].astype(str).values.tolist()


def test_seed_files_have_small_row_groups_and_dictionary_strings(seed_outputs: Path) -> None:
    for table in TABLES:
        meta = pq.ParquetFile(seed_outputs / f"{table}.parquet").metadata
        for i in range(meta.num_row_groups):
            assert meta.row_group(i).num_rows <= 65_536, table
    meta = pq.ParquetFile(seed_outputs / "listing_entries.parquet").metadata
    index = meta.schema.names.index("listing_id")
    encodings = meta.row_group(0).column(index).encodings
    assert {"RLE_DICTIONARY", "PLAIN_DICTIONARY"} & set(encodings), encodings


def test_large_tables_are_split_into_64k_row_groups(tmp_path: Path) -> None:
    """The pipeline's writer at archive scale: 150k rows → row groups of at most 64k rows."""
    from pipeline.publish.parquet import write_parquet

    n = 150_000
    frame = pd.DataFrame(
        {
            "document_id": [f"doc-{i:08d}" for i in range(n)],
            "listing_id": [f"collection:c{i % 7}" for i in range(n)],
        }
    )
    path = tmp_path / "document_listings.parquet"
    write_parquet("document_listings", frame, path)
    meta = pq.ParquetFile(path).metadata
    assert meta.num_rows == n and meta.num_row_groups >= 3
    column = meta.schema.names.index("listing_id")
    for i in range(meta.num_row_groups):
        group = meta.row_group(i)
        assert group.num_rows <= 65_536
        assert {"RLE_DICTIONARY", "PLAIN_DICTIONARY"} & set(group.column(column).encodings)
    back = pd.read_parquet(path)
    assert len(back) == n and back["listing_id"].nunique() == 7


def test_text_heavy_tables_get_row_groups_bounded_by_bytes(tmp_path: Path, monkeypatch) -> None:
    """Full texts are written in groups of about ROW_GROUP_BYTES, never as one Arrow copy of
    the table; the file reads back to the same rows, and writing twice gives the same bytes."""
    from pipeline.publish import parquet

    monkeypatch.setattr(parquet, "SLICE_ROWS", 100)
    monkeypatch.setattr(parquet, "ROW_GROUP_BYTES", 1 << 20)
    n = 1_000
    frame = detail_pages_frame([f"Comrade {i}, “Kovalev” reports. " * 300 for i in range(n)])
    path = tmp_path / "document_pages.parquet"
    parquet.write_parquet("document_pages", frame, path)
    meta = pq.ParquetFile(path).metadata
    sizes = [meta.row_group(i).num_rows for i in range(meta.num_row_groups)]
    assert sum(sizes) == n and len(sizes) >= 8  # ~10 MB of text in groups of ~1 MB
    assert all(s % 100 == 0 for s in sizes[:-1])  # groups close on slice boundaries
    back = pd.read_parquet(path)
    assert back["body"].tolist() == frame["body"].tolist()
    assert back["page_sha256"].tolist() == frame["page_sha256"].tolist()
    again = tmp_path / "again.parquet"
    parquet.write_parquet("document_pages", frame, again)
    assert again.read_bytes() == path.read_bytes()


def test_empty_table_is_written_with_its_schema(tmp_path: Path) -> None:
    from pipeline.publish.parquet import arrow_schema, write_parquet

    columns = list(TABLES["quarantine"][0].to_schema().columns)
    path = tmp_path / "quarantine.parquet"
    write_parquet(
        "quarantine", pd.DataFrame({c: pd.Series([], dtype=object) for c in columns}), path
    )
    assert pq.ParquetFile(path).metadata.num_rows == 0
    assert pq.read_schema(path).names == arrow_schema("quarantine").names


def test_packed_texts_convert_to_the_arrow_data_of_the_plain_texts() -> None:
    """Full texts reach the writer packed (pipeline/packed_text.py); the Arrow table must be
    the one the plain strings give: non-ASCII text, empty text and nulls alike."""
    from pipeline.packed_text import PackedText
    from pipeline.publish.parquet import to_arrow

    bodies = ["Кому: тов. Ковалеву — “urgent”", "", None, "Comrade Mao Zedong!\n\nConfirm."]
    plain = detail_pages_frame(bodies)
    packed = plain.assign(body=pd.Series([PackedText.pack(b) for b in bodies], dtype=object))
    ours, expected = to_arrow("document_pages", packed), to_arrow("document_pages", plain)
    assert ours.equals(expected)
    assert ours.column("body").to_pylist() == bodies
    assert ours.schema.metadata[b"pandas"] == expected.schema.metadata[b"pandas"]
    assert isinstance(packed["body"][0], PackedText)  # the caller's frame is left as it was
