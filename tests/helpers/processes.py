"""Processes for tests: a pid that is gone (files named after a process are removed once it
is gone), and pipeline runs started as commands."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO


def dead_pid() -> int:
    """The pid of a process that has exited (a short-lived child)."""
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(done.stdout.strip())


def cli_cmd(raw: Path, out: Path, *extra: str) -> list[str]:
    """`python -m pipeline run` over `raw` into `out`, quiet, with `extra` options."""
    run = ["run", "--raw", str(raw), "--out", str(out), "--quiet", *extra]
    return [sys.executable, "-m", "pipeline", *run]


def start_run(cmd: list[str], log: Path) -> subprocess.Popen:
    """A run in its own process group (so a kill reaches any worker it starts)."""
    with log.open("wb") as err:
        return subprocess.Popen(
            cmd,
            cwd=REPO,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
            start_new_session=True,
        )
