"""The whole pipeline on the seeds, materialised by Dagster in process (issue 3's numbers)."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from tests.conftest import RAW


def test_raw_pages_all_parsed(seed_outputs: Path) -> None:
    raw = pd.read_parquet(seed_outputs / "raw_pages.parquet")
    assert len(raw) == 5 and set(raw["status"]) == {"parsed"}
    assert len(pd.read_parquet(seed_outputs / "quarantine.parquet")) == 0


def test_the_run_leaves_no_spooled_texts(seed_outputs: Path) -> None:
    """The detail page's text waited in a spool file until its Parquet was written
    (pipeline/extract/text_spool.py); the Dagster run removed it then."""
    spool = seed_outputs / ".cache" / "spool"
    assert spool.is_dir() and not list(spool.iterdir())
    (body,) = pd.read_parquet(seed_outputs / "document_pages.parquet")["body"]
    assert body.startswith("CABLE N\u00ba 59442")


def test_listings(seed_outputs: Path) -> None:
    listings = pd.read_parquet(seed_outputs / "listings.parquet")
    assert len(listings) == 4
    collections = set(listings.loc[listings["kind"] == "collection", "title"])
    assert collections == {
        "Sino-Soviet Relations",
        "China and the Soviet Union in Xinjiang, 1934-1949",
    }
    searches = listings[listings["kind"] == "search"]
    ranges = {
        tuple(int(x) for x in r)
        for r in searches[["range_first", "range_last", "range_total"]].to_numpy()
    }
    assert ranges == {(1, 10, 120), (31, 40, 43)}


def test_entries_and_documents(seed_outputs: Path) -> None:
    con = duckdb.connect(str(seed_outputs / "archive.duckdb"), read_only=True)
    assert con.sql("select count(*) from listing_entries").fetchone()[0] == 51
    assert con.sql("select count(*) from documents").fetchone()[0] == 46
    multi = con.sql(
        "select title, date_variants from documents where n_listings = 2 order by title"
    ).fetchall()
    titles = [t for t, _ in multi]
    assert titles == [
        "Cable, Mao Zedong to Comrade Filippov [Stalin]",
        "Ciphered Telegram No. 4159 from Filipov [Stalin] to Kovalev",
        "Ciphered Telegram No. 58986 from Kovalev to Filippov [Stalin]",
        "Karsky to Cde. Miklashevsky",
        "Letter from Cde. Mao Zedong to Cde. Filippov [Stalin] via Kovalev",
    ]
    karsky = dict(multi)["Karsky to Cde. Miklashevsky"]
    assert sorted(karsky) == ["August 1949", "August, 1949"]
    orphan = con.sql(
        "select count(*) from listing_entries e left join documents d using (document_id) "
        "where d.document_id is null"
    ).fetchone()[0]
    assert orphan == 0


def test_detail_page_attaches_to_the_letter_not_the_cable(seed_outputs: Path) -> None:
    con = duckdb.connect(str(seed_outputs / "archive.duckdb"), read_only=True)
    row = con.sql(
        "select d.title, p.original_classification, p.record_id, p.translator, p.funders "
        "from document_pages p join documents d using (document_id)"
    ).fetchall()
    assert row == [
        (
            "Letter from Cde. Mao Zedong to Cde. Filippov [Stalin] via Kovalev",
            "Top Secret",
            None,
            "Gary Goldberg",
            ["Blavatnik Family Foundation"],
        )
    ]
    cable = con.sql(
        "select has_detail_page from documents where title like 'Cable, Mao Zedong%'"
    ).fetchall()
    assert cable == [(False,)]


def test_apresov_telegram_is_undated(seed_outputs: Path) -> None:
    con = duckdb.connect(str(seed_outputs / "archive.duckdb"), read_only=True)
    rows = con.sql(
        "select date_precision, date_start from documents where title like 'Telegram from Cdes.%'"
    ).fetchall()
    assert rows == [("undated", None)]


def test_rerun_is_byte_identical(tmp_path: Path, seed_outputs: Path) -> None:
    from pipeline.cli import main

    out = tmp_path / "again"
    assert main(["run", "--raw", str(RAW), "--out", str(out), "--quiet"]) == 0
    for parquet in sorted(seed_outputs.glob("*.parquet")):
        if parquet.name == "runs.parquet":
            continue
        assert (out / parquet.name).read_bytes() == parquet.read_bytes(), parquet.name


def test_ids_survive_reversed_order_and_renames(tmp_path: Path, seed_outputs: Path) -> None:
    from pipeline.runner import run_pipeline

    raw = tmp_path / "raw"
    raw.mkdir()
    for i, src in enumerate(sorted(RAW.iterdir(), reverse=True)):
        shutil.copy(src, raw / f"page-{i}-{src.stem[::-1]}.txt")
    result = run_pipeline(raw, tmp_path / "out")
    expected = pd.read_parquet(seed_outputs / "documents.parquet")
    got = result.tables["documents"]
    assert sorted(got["document_id"]) == sorted(expected["document_id"])
    merged = expected.merge(got, on="document_id", suffixes=("", "_new"))
    assert (merged["title"] == merged["title_new"]).all()


def test_missing_raw_folder_is_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    from pipeline.cli import main

    code = main(["run", "--raw", str(tmp_path / "nope"), "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code != 0
    assert (
        err.strip()
        == f"error: raw folder {tmp_path / 'nope'} does not exist: give --raw DIR or create it"
    )
