"""Publishing is safe: a run killed at any moment, an analyst's open DuckDB connection, a rerun
with nothing new — the published outputs stay one complete release, old or new, never a mix.
(Two runs on one output folder: test_concurrent_runs.py.)

Kill delays only spread the kills over a run (measured once first); no test asserts a duration.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import duckdb
import psutil
import pyarrow.parquet as pq
import pytest

from pipeline.runner import run_pipeline
from schemas import TABLES
from tests.conftest import RAW, REPO, SEED_SEARCH_4
from tests.helpers import fuzz
from tests.helpers.incremental import leftovers, release_bytes, release_folder_bytes
from tests.helpers.pages import SeedEntry, new_search_page
from tests.helpers.processes import cli_cmd, start_run

KILLS = 16  # kills of the plain runner (one process)
CLI_KILLS = 3  # kills of `python -m pipeline run` (Dagster, in process)

_RUNNER = (
    "import sys; from pathlib import Path; from pipeline.runner import run_pipeline; "
    "print('start', flush=True); run_pipeline(Path(sys.argv[1]), Path(sys.argv[2]))"
)


def _runner_cmd(raw: Path, out: Path) -> list[str]:
    return [sys.executable, "-c", _RUNNER, str(raw), str(out)]


def _group_alive(pgid: int) -> bool:
    for proc in psutil.process_iter(["status"]):
        try:
            if os.getpgid(proc.pid) == pgid and proc.info["status"] != psutil.STATUS_ZOMBIE:
                return True
        except (ProcessLookupError, psutil.Error):
            continue
    return False


def _kill_group(proc: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    if proc.stdout is not None:
        proc.stdout.close()
    for _ in range(600):  # workers die with their group; wait until none is left
        if not _group_alive(proc.pid):
            return
        time.sleep(0.05)
    pytest.fail("a killed run left processes behind")


def _published(out: Path, known: dict[str, dict[str, bytes]]) -> str | None:
    """The published release id after checking it is one complete known release; None when
    no release was ever switched in."""
    link = out / "current"
    if not link.is_symlink():
        assert not link.exists()
        return None
    release = link.resolve()
    assert release.parent == (out / "releases").resolve() and release.is_dir(), release
    files = release_folder_bytes(release)
    matches = [rid for rid, want in known.items() if want == files]
    assert matches == [release.name], f"{release.name} is not one complete release"
    for table in TABLES:
        assert pq.read_table(release / f"{table}.parquet").num_rows >= 0
        # the stable path (a link through `current`) leads to the same bytes
        assert (out / f"{table}.parquet").read_bytes() == files[table], table
    assert not list(release.glob("*.wal")), "a release holds a DuckDB write-ahead log"
    documents = pq.ParquetFile(release / "documents.parquet").metadata.num_rows
    for db in (release / "archive.duckdb", out / "archive.duckdb"):
        con = duckdb.connect(str(db), read_only=True)
        try:
            assert con.execute("select count(*) from documents").fetchone()[0] == documents
        finally:
            con.close()
    return release.name


def _two_raw_folders(root: Path) -> tuple[Path, Path]:
    """raw_a: ~200 generated pages; raw_b: the same with 20 files gone and a page changed."""
    outside = root / "outside.txt"
    outside.write_text("kept outside\n", encoding="utf-8")
    raw_a = fuzz.build(root / "raw_a", 11, 200, outside=outside).root
    raw_b = root / "raw_b"
    fuzz.copy_folder(raw_a, raw_b)
    for path in sorted(p for p in raw_b.rglob("*.txt") if not p.is_symlink())[:20]:
        path.unlink()
    shutil.copy(RAW / SEED_SEARCH_4, raw_b / "zz_new_page.txt")
    return raw_a, raw_b


def _kill_at(cmd: list[str], delay: float, log: Path, wait_for_start: bool) -> bool:
    """Start, wait `delay` s (after the runner says "start"), SIGKILL; True if it was killed."""
    proc = start_run(cmd, log)
    if wait_for_start:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "start", log.read_text()
    time.sleep(delay)
    running = proc.poll() is None
    _kill_group(proc)
    if not running:
        assert proc.returncode == 0, log.read_text()
    return running


def test_killed_runs_leave_the_old_or_the_new_release(tmp_path: Path) -> None:
    raw_a, raw_b = _two_raw_folders(tmp_path)
    known: dict[str, dict[str, bytes]] = {}
    ids = {}
    for raw in (raw_a, raw_b):
        ref = run_pipeline(raw, tmp_path / f"ref_{raw.name}")
        ids[raw] = ref.record.release_id
        known[ref.record.release_id] = release_bytes(tmp_path / f"ref_{raw.name}")
    assert len(known) == 2
    log = tmp_path / "run.log"

    # one undisturbed run of each kind, to spread the kills over their work; a warm-up first,
    # so that compiling freshly edited modules does not stretch the measured run
    warm = subprocess.run(cli_cmd(raw_a, tmp_path / "warm_up"), cwd=REPO, timeout=300)
    assert warm.returncode == 0
    proc = start_run(_runner_cmd(raw_a, tmp_path / "measure"), log)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "start"
    t0 = time.perf_counter()
    assert proc.wait(timeout=300) == 0, log.read_text()
    work = time.perf_counter() - t0
    t0 = time.perf_counter()
    done = subprocess.run(cli_cmd(raw_b, tmp_path / "measure_cli"), cwd=REPO, timeout=300)
    cli_run = time.perf_counter() - t0
    assert done.returncode == 0
    assert _published(tmp_path / "measure_cli", known) == ids[raw_b]  # the CLI agrees

    out = tmp_path / "out"
    outcomes: Counter[str] = Counter()

    def kill(make_cmd, raw: Path, delay: float, marker: bool) -> str | None:  # noqa: ANN001
        killed = _kill_at(make_cmd(raw, out), delay, log, marker)
        state = _published(out, known)  # one complete known release, or none yet
        outcomes["killed" if killed else "finished"] += 1
        outcomes["no release yet" if state is None else "a complete release"] += 1
        if not killed:
            assert state == ids[raw]
        return state

    # the very first run killed: no release, or a complete one
    for k in range(3):
        shutil.rmtree(out, ignore_errors=True)
        kill(_runner_cmd, raw_a, work * (0.2 + 0.35 * k), True)
    assert run_pipeline(raw_b, out).record.release_id == ids[raw_b]
    # then runs that replace a release: the old one or the new one stays, never none or a mix
    plan = [(_runner_cmd, 1.5 * work * k / (KILLS - 1), True) for k in range(KILLS)]
    plan += [(cli_cmd, cli_run * (k + 1) / (CLI_KILLS + 1), False) for k in range(CLI_KILLS)]
    for i, (make_cmd, delay, marker) in enumerate(plan):
        if i % 3 == 0:  # now and then from a cold cache, so kills land in extraction too
            shutil.rmtree(out / ".cache", ignore_errors=True)
        assert kill(make_cmd, (raw_a, raw_b)[i % 2], delay, marker) in ids.values()
    assert outcomes["killed"] >= (KILLS + 3) // 3, outcomes
    print(f"\nkills: {dict(outcomes)}")

    # the next run repairs the rest: same bytes as a clean run, no leftovers
    final = run_pipeline(raw_a, out)
    assert _published(out, known) == ids[raw_a] == final.record.release_id
    assert leftovers(out) == []
    assert len(list((out / "releases").iterdir())) <= 2
    runs = pq.read_table(out / "runs.parquet").to_pandas()
    assert runs["run_id"].is_unique and runs.iloc[-1]["release_id"] == ids[raw_a]


def _reader_script(db: Path) -> str:
    return f"""
import sys, duckdb
con = duckdb.connect({str(db)!r}, read_only=True)
def count():
    return con.execute("select count(*) from documents").fetchone()[0]
print("ready", count(), flush=True)
for line in sys.stdin:
    if line.strip() == "count":
        print(count(), con.execute("select max(title) from documents").fetchone()[0], flush=True)
"""


def _extra_page(n: int) -> str:
    entries = [
        SeedEntry(
            f"March {d + 1}, 1953",
            f"Report No. {n}{d} on the Funeral Arrangements",
            f"The commission reports on arrangements, part {n}{d}.",
        )
        for d in range(3)
    ]
    return new_search_page(entries)


def test_open_duckdb_connection_survives_new_releases(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw)
    out = tmp_path / "out"
    first = run_pipeline(raw, out)
    reader = subprocess.Popen(
        [sys.executable, "-c", _reader_script(out / "archive.duckdb")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdin is not None and reader.stdout is not None
        ready, n_before = reader.stdout.readline().split()
        assert (ready, int(n_before)) == ("ready", first.record.documents)
        old_answer = None
        for n in (1, 2):  # the second run prunes the reader's release from the folder
            (raw / f"extra_{n}.txt").write_text(_extra_page(n), encoding="utf-8")
            result = run_pipeline(raw, out)
            assert result.record.release_changed
            reader.stdin.write("count\n")
            reader.stdin.flush()
            answer = reader.stdout.readline().split(maxsplit=1)
            assert int(answer[0]) == first.record.documents  # still its old data
            assert old_answer is None or answer == old_answer
            old_answer = answer
            con = duckdb.connect(str(out / "archive.duckdb"), read_only=True)
            now = con.execute("select count(*) from documents").fetchone()[0]
            con.close()
            assert now == result.record.documents == first.record.documents + 3 * n
        assert not (out / "releases" / first.record.release_id).exists()  # pruned, yet read
    finally:
        reader.kill()
        reader.wait(timeout=30)


def test_rerun_republishes_nothing(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw)
    out = tmp_path / "out"
    first = run_pipeline(raw, out)
    before = release_bytes(out)
    mtimes = {p.name: p.stat().st_mtime_ns for p in (out / "current").iterdir()}
    again = run_pipeline(raw, out)
    assert first.record.release_changed is True
    assert again.record.release_changed is False
    assert again.record.release_id == first.record.release_id
    assert release_bytes(out) == before
    assert {p.name: p.stat().st_mtime_ns for p in (out / "current").iterdir()} == mtimes
    assert [p.name for p in (out / "releases").iterdir()] == [first.record.release_id]
    runs = pq.read_table(out / "runs.parquet").to_pandas()
    assert list(runs["release_changed"]) == [True, False]


def test_tables_written_side_by_side_give_the_release_bytes_and_a_failure_leaves_nothing(
    seed_outputs: Path, tmp_path: Path
) -> None:
    """stage_release writes two tables at once (WRITER_THREADS): each file is the bytes the
    published release holds; one table that cannot be written removes the whole staging folder."""
    import pandas as pd

    from pipeline.publish.release import stage_release

    release = (seed_outputs / "current").resolve()
    tables = {t: pd.read_parquet(release / f"{t}.parquet") for t in TABLES}
    staging = stage_release(tables, tmp_path / "out")
    for table in TABLES:
        name = f"{table}.parquet"
        assert (staging / name).read_bytes() == (release / name).read_bytes(), table
    tables["documents"] = tables["documents"].assign(n_entries="many")  # not an int64
    with pytest.raises(Exception, match="n_entries|int"):
        stage_release(tables, tmp_path / "again")
    assert list((tmp_path / "again" / "releases").iterdir()) == []


def test_a_staged_release_belongs_to_the_process_that_outlives_the_run(tmp_path: Path) -> None:
    """A step started as a multiprocessing child (Dagster's multiprocess executor) stages under
    its run's orchestrating process; the folder being published is kept whoever staged it, and
    the staging of a dead run goes."""
    import multiprocessing

    from pipeline.processes import run_owner_pid
    from pipeline.publish.release import clean_leftovers

    assert run_owner_pid() == os.getpid()
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=lambda: queue.put(run_owner_pid()))
    child.start()
    assert queue.get(timeout=30) == os.getpid()
    child.join(timeout=30)

    releases = tmp_path / "releases"
    dead = child.pid  # joined: no process has this pid now (until reused)
    mine, abandoned, live = (
        releases / f".staging-{dead}-aaaa",
        releases / f".staging-{dead}-bbbb",
        releases / f".staging-{os.getpid()}-cccc",
    )
    for folder in (mine, abandoned, live):
        folder.mkdir(parents=True)
    assert clean_leftovers(tmp_path, keep=Path(os.path.relpath(mine))) == [abandoned.name]
    assert sorted(p.name for p in releases.iterdir()) == sorted([mine.name, live.name])
