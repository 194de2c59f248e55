"""Two runs on one output folder: the second waits for the output lock and then publishes in
turn, or, with `--lock-timeout 0`, stops at once with a message and leaves nothing behind."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from pipeline.runner import run_pipeline
from pipeline.runs import OutputLocked, output_lock
from tests.conftest import RAW, REPO
from tests.helpers.incremental import leftovers, release_bytes
from tests.helpers.processes import cli_cmd, start_run

# The CLI, with a line printed when the run asks for the output lock (to know when it waits).
_ANNOUNCING_CLI = """
import sys
from contextlib import contextmanager
import pipeline.runner as runner
from pipeline.cli import main
from pipeline.runs import output_lock

@contextmanager
def announced(out_dir, timeout):
    print("waiting for the lock", flush=True)
    with output_lock(out_dir, timeout):
        print("holding the lock", flush=True)
        yield

runner.output_lock = announced
sys.exit(main(sys.argv[1:]))
"""


def test_two_runs_at_once_both_end_well(tmp_path: Path) -> None:
    """Both runs reach the lock while the test holds it; released, both publish in turn."""
    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw)
    out = tmp_path / "out"
    procs = []
    with output_lock(out, timeout=5):
        for i in range(2):
            cmd = [sys.executable, "-c", _ANNOUNCING_CLI, *cli_cmd(raw, out)[3:]]
            procs.append(start_run([*cmd, "--lock-timeout", "300"], tmp_path / f"{i}.log"))
        for i, p in enumerate(procs):
            assert p.stdout is not None
            line = p.stdout.readline().strip()
            assert line == "waiting for the lock", (tmp_path / f"{i}.log").read_text()
        assert all(p.poll() is None for p in procs)
        assert not (out / "current").exists()  # nothing published while the lock is held
    for i, p in enumerate(procs):
        assert p.stdout is not None
        assert p.stdout.readline().strip() == "holding the lock"
        assert p.wait(timeout=300) == 0, (tmp_path / f"{i}.log").read_text()
    runs = pq.read_table(out / "runs.parquet").to_pandas()
    assert len(runs) == 2 and runs["release_id"].nunique() == 1
    assert sorted(runs["release_changed"]) == [False, True]  # the second found it published
    ref = run_pipeline(RAW, tmp_path / "ref")
    assert release_bytes(out) == release_bytes(tmp_path / "ref")
    assert ref.record.release_id == runs.iloc[0]["release_id"]
    assert leftovers(out) == []


def test_second_run_with_lock_timeout_zero_stops_with_a_message(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw)
    out = tmp_path / "out"
    with output_lock(out, timeout=5):
        done = subprocess.run(
            cli_cmd(raw, out, "--lock-timeout", "0"),
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=300,
        )
        locked = pytest.raises(OutputLocked, match="another pipeline run is publishing")
        with locked, output_lock(out, timeout=0):
            pass
    assert done.returncode == 1
    assert done.stderr.strip() == (
        f"error: another pipeline run is publishing to {out.resolve()} "
        f"(lock {out.resolve() / '.pipeline.lock'}); waited 0s. "
        "Wait for it to finish or raise --lock-timeout."
    )
    assert not (out / "current").exists() and not (out / "runs.parquet").exists()
    assert leftovers(out) == []
    # once the other run is gone, the same command publishes
    again = subprocess.run(cli_cmd(raw, out, "--lock-timeout", "0"), cwd=REPO, timeout=300)
    assert again.returncode == 0 and (out / "current").is_symlink()
