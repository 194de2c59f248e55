"""What an analyst relies on: search, Parquet types and metadata, and errors a person understands.

Everything runs against the outputs of a real pipeline run over raw/ (the `seed_outputs` fixture)
or a private run into tmp_path; nothing here reads the repository's own outputs/.
"""

from __future__ import annotations

import ast
import datetime as dt
import json
import math
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline import connect
from pipeline.cli import main
from pipeline.runs import output_lock
from schemas import TABLES
from tests.conftest import RAW, REPO, SEED_SEARCH_4

XINJIANG_FIRST = [
    "Report of Cde. Peng Dehuai about the Situation in Xinjiang",
    "Letter from Cdes. Stalin, Molotov, and Voroshilov to Governor Sheng Shicai",
    "Letter from Governor Shicai Sheng to Cdes. Stalin, Molotov, and Voroshilov",
]
XINJIANG_COLLECTION = "China and the Soviet Union in Xinjiang, 1934-1949"


# ---------------------------------------------------------------------------------------------
# helpers


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


def _python(
    args: list[str], cwd: Path = REPO, timeout: float = 300, **env: str
) -> subprocess.CompletedProcess:
    """Run this interpreter in a subprocess, without the caller's PIPELINE_* settings."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("PIPELINE_")}
    environ.update(env)
    return subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        env=environ,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return _python(["-m", "pipeline", *args], timeout=timeout)


def _assert_one_error_line(proc: subprocess.CompletedProcess, *expected: str) -> str:
    """Non-zero exit, nothing on stdout, exactly one stderr line: `error: ...`, no traceback."""
    assert proc.returncode != 0, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr and "Stack Trace" not in proc.stderr, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("error: "), lines[0]
    for fragment in expected:
        assert fragment in lines[0], (fragment, lines[0])
    assert proc.stdout == ""
    return lines[0]


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
    proc = _python(["-c", code], cwd=tmp_path, PIPELINE_OUTPUT_DIR=str(seed_outputs))
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
    proc = _python(["-c", script, str(seed_outputs / "archive.duckdb")])
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


# ---------------------------------------------------------------------------------------------
# errors a person understands


def test_missing_raw_folder(tmp_path: Path) -> None:
    proc = _cli("run", "--raw", str(tmp_path / "nope"), "--out", str(tmp_path / "out"), "--quiet")
    _assert_one_error_line(proc, "raw folder", str(tmp_path / "nope"), "does not exist")


def test_raw_is_a_file(tmp_path: Path) -> None:
    raw = tmp_path / "page.txt"
    raw.write_text("not a folder")
    proc = _cli("run", "--raw", str(raw), "--out", str(tmp_path / "out"), "--quiet")
    _assert_one_error_line(proc, str(raw), "is not a folder")


def test_empty_raw_folder(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "page.meta.json").write_text('{"url": "https://example.org"}')  # a sidecar only
    proc = _cli("run", "--raw", str(raw), "--out", str(tmp_path / "out"), "--quiet")
    _assert_one_error_line(proc, str(raw), "holds no page snapshots")


def test_output_folder_not_writable(tmp_path: Path) -> None:
    # chmod cannot stop root (CI runs as root), but nobody can create a folder inside a *file*:
    # mkdir fails with ENOTDIR whatever the permissions.
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("a file where a folder should be")
    out = blocker / "outputs"
    proc = _cli("run", "--raw", str(RAW), "--out", str(out), "--quiet")
    _assert_one_error_line(proc, "output folder", str(out), "not writable", "--out")
    assert blocker.read_text() == "a file where a folder should be"


def test_output_locked_by_another_run(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with output_lock(out, timeout=5):
        proc = _cli("run", "--raw", str(RAW), "--out", str(out), "--quiet", "--lock-timeout", "0")
    line = _assert_one_error_line(proc, "another pipeline run is publishing to", str(out))
    assert "--lock-timeout" in line
    assert not (out / "current").exists()  # nothing was published


def test_output_locked_with_debug_shows_the_traceback(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with output_lock(out, timeout=5):
        proc = _cli(
            "run", "--raw", str(RAW), "--out", str(out), "--quiet", "--lock-timeout", "0", "--debug"
        )
    assert proc.returncode != 0
    assert "Traceback" in proc.stderr or "Stack Trace" in proc.stderr
    assert "OutputLocked" in proc.stderr


def test_output_locked_when_already_up_to_date(tmp_path: Path) -> None:
    out = tmp_path / "out"
    from pipeline.runner import up_to_date

    assert main(["run", "--raw", str(RAW), "--out", str(out), "--quiet"]) == 0
    assert up_to_date(RAW, out), "the second run must take the no-op path"
    with output_lock(out, timeout=5):
        proc = _cli(
            "run", "--raw", str(RAW), "--out", str(out), "--quiet", "--lock-timeout", "0",
            timeout=15,
        )  # fmt: skip
    _assert_one_error_line(proc, "another pipeline run is publishing to", str(out))


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    for argv in (["run", "--debug"], ["--debug", "run"]):
        proc = _cli(*argv, "--raw", str(tmp_path / "nope"), "--out", str(tmp_path / "out"))
        assert proc.returncode != 0
        assert "Traceback (most recent call last)" in proc.stderr, argv
        assert "does not exist" in proc.stderr


_HOLDER = textwrap.dedent(
    """
    import sys
    import duckdb
    con = duckdb.connect(sys.argv[1])  # read-write: DuckDB locks the file for this process
    count = lambda: con.sql("select count(*) from documents").fetchone()[0]
    print(count(), flush=True)
    sys.stdin.readline()
    print(count(), flush=True)
    """
)


@pytest.mark.parametrize("raw_changes", [True, False], ids=["new-release", "same-release"])
def test_run_succeeds_while_another_process_holds_the_database(
    raw_copy: Path, tmp_path: Path, raw_changes: bool
) -> None:
    out = tmp_path / "outputs"
    assert main(["run", "--raw", str(raw_copy), "--out", str(out), "--quiet"]) == 0
    held_file = (out / "archive.duckdb").resolve()
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(out / "archive.duckdb")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "46"
        # the lock is real: even a read-only open of that file from this process fails
        with pytest.raises(duckdb.IOException, match="lock"):
            duckdb.connect(str(held_file), read_only=True)

        if raw_changes:
            (raw_copy / SEED_SEARCH_4).unlink()
        assert main(["run", "--raw", str(raw_copy), "--out", str(out), "--quiet", "--force"]) == 0

        documents = len(pd.read_parquet(out / "documents.parquet"))
        if raw_changes:
            assert documents == 36
            assert (out / "archive.duckdb").resolve() != held_file  # a new file, switched in
            assert connect(out).sql("select count(*) from documents").fetchone()[0] == 36
        else:
            assert documents == 46
            assert (out / "archive.duckdb").resolve() == held_file  # same bytes, same release
        assert held_file.exists()  # the previous release is kept for its readers

        stdout, stderr = holder.communicate("\n", timeout=30)
        assert holder.returncode == 0, stderr
        assert stdout.strip() == "46"  # the holder still reads its own data
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()


# ---------------------------------------------------------------------------------------------
# progress and --quiet


def test_progress_goes_to_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PIPELINE_OUTPUT_DIR", raising=False)
    assert main(["run", "--raw", str(RAW), "--out", str(tmp_path / "out")]) == 0
    captured = capsys.readouterr()
    # "extract: 5/5 pages" (or, per bucket of a split extract, "extract 2/4: 1/1 pages")
    final = [
        int(m.group(1))
        for line in captured.err.splitlines()
        if (m := re.fullmatch(r"extract(?: \d+/\d+)?: (\d+)/\1 pages", line.strip()))
    ]
    assert sum(final) == 5, captured.err
    assert "Traceback" not in captured.err
    assert "published" in captured.out
    assert re.search(r"^\s+documents\s+46 rows", captured.out, re.M), captured.out


def test_quiet_prints_nothing(tmp_path: Path) -> None:
    proc = _cli("run", "--raw", str(RAW), "--out", str(tmp_path / "out"), "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "" and proc.stderr == ""
    assert len(pd.read_parquet(tmp_path / "out" / "documents.parquet")) == 46
