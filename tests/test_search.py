"""Full-text search as an analyst uses it: `from pipeline import connect`, `search(q)`, and the
same from a plain duckdb session; against the outputs of a real run over raw/."""

from __future__ import annotations

import ast
import datetime as dt
import json
import re
import textwrap
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from pipeline import connect
from tests.helpers.cli_runs import run_python

XINJIANG_FIRST = [
    "Report of Cde. Peng Dehuai about the Situation in Xinjiang",
    "Letter from Cdes. Stalin, Molotov, and Voroshilov to Governor Sheng Shicai",
    "Letter from Governor Shicai Sheng to Cdes. Stalin, Molotov, and Voroshilov",
]
XINJIANG_COLLECTION = "China and the Soviet Union in Xinjiang, 1934-1949"


def _tokens(text: str) -> list[str]:
    """Words as the fts index sees them before stemming (lower case, letters only)."""
    return re.findall(r"[a-z]+", text.lower())


def _searchable_text(out: Path) -> dict[str, str]:
    """document_id → title, summary, detail-page body and people, read from the Parquet files."""
    docs = pd.read_parquet(out / "documents.parquet")
    pages = pd.read_parquet(out / "document_pages.parquet")
    people = pd.read_parquet(out / "document_people.parquet")
    text = {
        row.document_id: f"{row.title or ''} {row.summary or ''}"
        for row in docs.itertuples(index=False)
    }
    for row in pages.itertuples(index=False):
        text[row.document_id] += f" {row.body or ''}"
    for row in people.itertuples(index=False):
        text[row.document_id] += f" {row.person} {row.name_printed}"
    return text


# ---------------------------------------------------------------------------------------------
# full-text search through `from pipeline import connect`


def test_search_xinjiang_best_first(seed_outputs: Path) -> None:
    con = connect(seed_outputs)
    rel = con.sql("select * from search('Xinjiang')")
    assert rel.columns == ["document_id", "title", "date_start", "collections", "score"]
    assert [str(t) for t in rel.types] == ["VARCHAR", "VARCHAR", "DATE", "VARCHAR[]", "DOUBLE"]
    rows = rel.fetchall()

    assert len(rows) == 14
    assert [r[1] for r in rows[:3]] == XINJIANG_FIRST
    scores = [r[4] for r in rows]
    assert all(s > 0 for s in scores)
    assert all(a >= b for a, b in zip(scores, scores[1:], strict=False)), scores
    for _doc_id, _title, date_start, collections, _score in rows:
        assert date_start is None or type(date_start) is dt.date
        assert isinstance(collections, list) and all(isinstance(c, str) for c in collections)
    by_title = {r[1]: r for r in rows}
    assert by_title[XINJIANG_FIRST[0]][2] == dt.date(1949, 12, 29)
    assert by_title[XINJIANG_FIRST[0]][3] == [XINJIANG_COLLECTION]


def test_search_finds_every_xinjiang_document_and_nothing_else(seed_outputs: Path) -> None:
    found = {r[0] for r in connect(seed_outputs).sql("select * from search('Xinjiang')").fetchall()}
    text = _searchable_text(seed_outputs)
    with_stem = {d for d, t in text.items() if any(w.startswith("xinjiang") for w in _tokens(t))}
    with_word = {d for d, t in text.items() if "xinjiang" in _tokens(t)}
    assert found <= with_stem, sorted(found - with_stem)  # every hit mentions Xinjiang
    assert with_word <= found, sorted(with_word - found)  # every mention is a hit
    assert len(with_word) == 14


def test_search_for_a_person_finds_their_correspondence(seed_outputs: Path) -> None:
    ids = [r[0] for r in connect(seed_outputs).sql("select * from search('Kovalev')").fetchall()]
    people = pd.read_parquet(seed_outputs / "document_people.parquet")
    kovalev = people[people["person"] == "Ivan Kovalev"]
    parties = set(kovalev.loc[kovalev["role"].isin(["sender", "recipient"]), "document_id"])
    assert len(parties) == 6
    assert parties <= set(ids)
    assert set(kovalev.loc[kovalev["role"] == "via", "document_id"]) <= set(ids)
    # sender/recipient documents rank above those that only mention him
    others = [i for i, d in enumerate(ids) if d not in parties]
    assert max(i for i, d in enumerate(ids) if d in parties) < min(others, default=len(ids))
    text = _searchable_text(seed_outputs)
    assert all("kovalev" in _tokens(text[d]) for d in ids)


def test_search_from_python_c_with_the_environment_variable(
    seed_outputs: Path, tmp_path: Path
) -> None:
    code = (
        "from pipeline import connect; "
        "print(connect().sql(\"select title from search('Xinjiang')\").fetchall())"
    )
    proc = run_python(["-c", code], cwd=tmp_path, PIPELINE_OUTPUT_DIR=str(seed_outputs))
    assert proc.returncode == 0, proc.stderr
    titles = [t for (t,) in ast.literal_eval(proc.stdout.strip())]
    assert titles[:3] == XINJIANG_FIRST and len(titles) == 14


def test_plain_duckdb_session_loads_the_bundled_extension(seed_outputs: Path) -> None:
    """README's recipe: duckdb.connect(read_only) + LOAD the wheel's file, autoload off."""
    script = textwrap.dedent(
        """
        import json, sys
        import duckdb
        from pipeline.publish.duckdb_db import fts_extension_path
        con = duckdb.connect(sys.argv[1], read_only=True, config={
            "autoload_known_extensions": False, "autoinstall_known_extensions": False})
        try:
            con.sql("select * from search('Xinjiang')").fetchall()
            before = "worked"
        except duckdb.Error as exc:
            before = type(exc).__name__
        con.execute(f"LOAD '{fts_extension_path().as_posix()}'")
        rows = con.sql("select document_id, score from search('Xinjiang')").fetchall()
        kovalev = con.sql("select count(*) from search('Kovalev')").fetchone()[0]
        print(json.dumps({"before": before, "rows": rows, "kovalev": kovalev}))
        """
    )
    proc = run_python(["-c", script, str(seed_outputs / "archive.duckdb")])
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["before"] == "CatalogException"  # nothing was autoloaded or downloaded
    expected = connect(seed_outputs).sql("select document_id, score from search('Xinjiang')")
    assert [d for d, _ in result["rows"]] == [d for d, _ in expected.fetchall()]
    assert result["kovalev"] == 7


@pytest.mark.parametrize(
    "statement",
    [
        "create table notes (text varchar)",
        "delete from store.documents",
        "drop view documents",
        "update store.documents set title = 'x'",
    ],
)
def test_connect_is_read_only(seed_outputs: Path, statement: str) -> None:
    con = connect(seed_outputs)
    with pytest.raises(duckdb.Error, match="read-only"):
        con.execute(statement)
    assert con.sql("select count(*) from documents").fetchone()[0] == 46


def test_connect_without_a_database_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="run `make run` first"):
        connect(tmp_path)
