"""Errors a person understands (one line, non-zero exit, traceback only with --debug), runs
beside an analyst's open database, and progress vs --quiet; the CLI in subprocesses."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from pipeline import connect
from pipeline.cli import main
from pipeline.runs import output_lock
from tests.conftest import RAW, SEED_SEARCH_4
from tests.helpers.cli_runs import assert_one_error_line, run_cli

# ---------------------------------------------------------------------------------------------
# errors a person understands


def test_missing_raw_folder(tmp_path: Path) -> None:
    proc = run_cli(
        "run", "--raw", str(tmp_path / "nope"), "--out", str(tmp_path / "out"), "--quiet"
    )
    assert_one_error_line(proc, "raw folder", str(tmp_path / "nope"), "does not exist")


def test_raw_is_a_file(tmp_path: Path) -> None:
    raw = tmp_path / "page.txt"
    raw.write_text("not a folder")
    proc = run_cli("run", "--raw", str(raw), "--out", str(tmp_path / "out"), "--quiet")
    assert_one_error_line(proc, str(raw), "is not a folder")


def test_empty_raw_folder(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "page.meta.json").write_text('{"url": "https://example.org"}')  # a sidecar only
    proc = run_cli("run", "--raw", str(raw), "--out", str(tmp_path / "out"), "--quiet")
    assert_one_error_line(proc, str(raw), "holds no page snapshots")


def test_output_folder_not_writable(tmp_path: Path) -> None:
    # chmod cannot stop root (CI runs as root), but nobody can create a folder inside a *file*:
    # mkdir fails with ENOTDIR whatever the permissions.
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("a file where a folder should be")
    out = blocker / "outputs"
    proc = run_cli("run", "--raw", str(RAW), "--out", str(out), "--quiet")
    assert_one_error_line(proc, "output folder", str(out), "not writable", "--out")
    assert blocker.read_text() == "a file where a folder should be"


def test_output_locked_by_another_run(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with output_lock(out, timeout=5):
        proc = run_cli(
            "run", "--raw", str(RAW), "--out", str(out), "--quiet", "--lock-timeout", "0"
        )
    line = assert_one_error_line(proc, "another pipeline run is publishing to", str(out))
    assert "--lock-timeout" in line
    assert not (out / "current").exists()  # nothing was published


def test_output_locked_with_debug_shows_the_traceback(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with output_lock(out, timeout=5):
        proc = run_cli(
            "run", "--raw", str(RAW), "--out", str(out), "--quiet", "--lock-timeout", "0", "--debug"
        )
    assert proc.returncode != 0
    assert "Traceback" in proc.stderr or "Stack Trace" in proc.stderr
    assert "OutputLocked" in proc.stderr


def test_output_locked_when_already_up_to_date(tmp_path: Path) -> None:
    out = tmp_path / "out"
    from pipeline.up_to_date import up_to_date

    assert main(["run", "--raw", str(RAW), "--out", str(out), "--quiet"]) == 0
    assert up_to_date(RAW, out), "the second run must take the no-op path"
    with output_lock(out, timeout=5):
        proc = run_cli(
            "run", "--raw", str(RAW), "--out", str(out), "--quiet", "--lock-timeout", "0",
            timeout=15,
        )  # fmt: skip
    assert_one_error_line(proc, "another pipeline run is publishing to", str(out))


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    for argv in (["run", "--debug"], ["--debug", "run"]):
        proc = run_cli(*argv, "--raw", str(tmp_path / "nope"), "--out", str(tmp_path / "out"))
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
    proc = run_cli("run", "--raw", str(RAW), "--out", str(tmp_path / "out"), "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "" and proc.stderr == ""
    assert len(pd.read_parquet(tmp_path / "out" / "documents.parquet")) == 46


def test_progress_says_how_the_duckdb_file_was_made(
    raw_copy: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """After a page is added, the publish line says how many tables the DuckDB file updated."""
    from tests.conftest import SEED_SEARCH_4

    monkeypatch.delenv("PIPELINE_OUTPUT_DIR", raising=False)
    page = (raw_copy / SEED_SEARCH_4).read_bytes()
    (raw_copy / SEED_SEARCH_4).unlink()
    args = ["run", "--raw", str(raw_copy), "--out", str(tmp_path / "out")]
    assert main(args) == 0
    assert "DuckDB:" not in capsys.readouterr().err  # a first, fresh build
    (raw_copy / SEED_SEARCH_4).write_bytes(page)
    assert main(args) == 0
    err = capsys.readouterr().err
    line = re.search(r"publish: new release \w+; DuckDB: (\d+) tables updated in place", err)
    assert line and int(line.group(1)) > 0, err
