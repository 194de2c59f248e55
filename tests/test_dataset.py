"""The release as a Hive-partitioned Parquet dataset (pipeline/publish/dataset.py): the same
rows as the release's files, each document's rows under its year, readable by DuckDB and
pyarrow.dataset, written once per release, whole or not at all."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

import pipeline.publish.dataset as dataset_module
from pipeline.cli import main
from pipeline.publish.dataset import LATEST, NULL_PARTITION, SUCCESS, export_dataset
from schemas import TABLES
from tests.conftest import RAW
from tests.helpers.processes import dead_pid

PARTITIONED = {
    "documents",
    "document_pages",
    "listing_entries",
    "document_listings",
    "document_matches",
    "document_people",
}


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.parquet"))}


@pytest.fixture(scope="module")
def exported(seed_outputs: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(release folder, its dataset) for the seeds."""
    release = (seed_outputs / "current").resolve()
    dest = tmp_path_factory.mktemp("dataset")
    report = export_dataset(release, str(dest))
    assert report.written and report.location == str(dest / release.name)
    return release, dest / release.name


def test_every_table_has_the_release_rows(exported: tuple[Path, Path]) -> None:
    release, dataset = exported
    manifest = json.loads((dataset / SUCCESS).read_text())
    assert set(manifest["tables"]) == set(TABLES)
    for table in TABLES:
        original = pq.read_table(release / f"{table}.parquet").to_pandas()
        parts = ds.dataset(dataset / table, partitioning="hive" if table in PARTITIONED else None)
        copy = parts.to_table().to_pandas()
        assert manifest["tables"][table]["partitioned"] == (table in PARTITIONED)
        assert manifest["tables"][table]["rows"] == len(original) == len(copy), table
        copy = copy.drop(columns=["year"], errors="ignore")[list(original.columns)]
        key = TABLES[table][1]
        pd.testing.assert_frame_equal(
            copy.sort_values(key).reset_index(drop=True),
            original.sort_values(key).reset_index(drop=True),
            check_dtype=False,
            check_categorical=False,
            obj=table,
        )
        for name in manifest["tables"][table]["files"]:
            assert (dataset / name).is_file()


def test_a_documents_rows_sit_under_its_year(exported: tuple[Path, Path]) -> None:
    """The 1949 cable and its listings, pages and people are all in year=1949; the undated
    Apresov telegram is in Hive's null partition, which DuckDB reads as NULL."""
    release, dataset = exported
    con = duckdb.connect()

    def years(table: str) -> dict[str, int | None]:
        rows = con.sql(
            f"SELECT DISTINCT document_id, year FROM read_parquet("
            f"'{dataset}/{table}/*/*.parquet', hive_partitioning = true)"
        ).fetchall()
        return dict(rows)

    docs = pq.read_table(release / "documents.parquet").to_pandas()
    expected = {
        d: (None if pd.isna(s) else s.year)
        for d, s in zip(docs.document_id, docs.date_start, strict=True)
    }
    assert years("documents") == expected
    assert None in expected.values() and 1949 in expected.values()
    for table in PARTITIONED - {"documents", "document_matches"}:
        found = years(table)
        assert found and all(found[d] == expected[d] for d in found), table
    undated = [d for d, y in expected.items() if y is None]
    assert (dataset / "documents" / f"year={NULL_PARTITION}" / "part-0.parquet").is_file()
    apresov = docs[docs.title.str.contains("Apresov", na=False)].document_id.tolist()
    assert apresov and set(apresov) <= set(undated)
    (page,) = con.sql(
        f"SELECT year, body FROM read_parquet('{dataset}/document_pages/*/*.parquet', "
        "hive_partitioning = true)"
    ).fetchall()
    assert page[0] == 1949 and page[1].startswith("CABLE N\u00ba 59442")


def test_an_empty_table_keeps_its_columns(exported: tuple[Path, Path]) -> None:
    release, dataset = exported
    assert pq.ParquetFile(release / "quarantine.parquet").metadata.num_rows == 0
    (empty,) = (dataset / "quarantine").glob("*.parquet")
    assert pq.read_schema(empty).names == pq.read_schema(release / "quarantine.parquet").names


def test_a_release_is_written_once_and_the_same_bytes_each_time(
    exported: tuple[Path, Path], tmp_path: Path
) -> None:
    release, dataset = exported
    before = {p: p.stat().st_mtime_ns for p in dataset.rglob("*")}
    again = export_dataset(release, str(dataset.parent))
    assert not again.written and again.tables
    assert {p: p.stat().st_mtime_ns for p in dataset.rglob("*")} == before
    assert (dataset.parent / LATEST).read_text() == release.name
    elsewhere = export_dataset(release, f"file://{tmp_path}")
    assert elsewhere.written and _files(tmp_path / release.name) == _files(dataset)


def test_a_partial_export_is_replaced_whole(exported: tuple[Path, Path], tmp_path: Path) -> None:
    """A write that died left a release folder without _SUCCESS and a temporary folder: the
    next export writes the release whole and leaves no stray file."""
    release, dataset = exported
    partial = tmp_path / release.name
    (partial / "documents").mkdir(parents=True)
    (partial / "documents" / "part-0.parquet").write_bytes(b"cut short")
    killed = tmp_path / f".{release.name}.tmp-{dead_pid()}"
    (killed / "documents").mkdir(parents=True)
    assert export_dataset(release, str(tmp_path)).written
    assert _files(partial) == _files(dataset)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([LATEST, release.name])


def test_a_failed_export_leaves_nothing_and_no_latest(
    exported: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    release, _ = exported

    def fail(*args: object) -> dict:
        raise OSError("disk full")

    monkeypatch.setattr(dataset_module, "_write_table", fail)
    with pytest.raises(OSError, match="disk full"):
        export_dataset(release, str(tmp_path))
    assert list(tmp_path.iterdir()) == []


def test_cli_exports_after_a_run_and_on_its_own(
    raw_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, dest = tmp_path / "out", tmp_path / "dataset"
    assert main(["run", "--raw", str(raw_copy), "--out", str(out), "--dataset", str(dest)]) == 0
    release = (out / "current").resolve().name
    assert (dest / LATEST).read_text() == release and (dest / release / SUCCESS).is_file()
    said = capsys.readouterr()
    assert f"dataset: written {dest / release} (9 tables, " in said.err  # the asset's progress
    assert not list((out / ".cache").glob("dataset-*"))  # the rows spilled by year are gone
    shutil.rmtree(dest)
    assert main(["dataset", "--out", str(out), "--to", str(dest)]) == 0  # the Dagster-less way
    assert f"dataset: written {dest / release} (9 tables, " in capsys.readouterr().out
    assert main(["run", "--raw", str(raw_copy), "--out", str(out), "--dataset", str(dest)]) == 0
    said = capsys.readouterr().out
    assert "up to date" in said and f"dataset: already there {dest / release}" in said


def test_cli_says_what_is_missing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dataset", "--out", str(tmp_path / "nothing"), "--to", str(tmp_path)]) == 1
    assert capsys.readouterr().err.strip() == (
        f"error: no release in {tmp_path / 'nothing'} to export: run the pipeline first"
    )
    env = os.environ.pop("PIPELINE_DATASET_URI", None)
    try:
        assert main(["dataset", "--out", str(RAW)]) == 1
    finally:
        if env is not None:
            os.environ["PIPELINE_DATASET_URI"] = env
    assert "give --to DEST" in capsys.readouterr().err
