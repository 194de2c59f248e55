"""Running this interpreter and the pipeline CLI in subprocesses, for tests that check what a
person sees (exit code, stderr lines)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO


def run_python(
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


def run_cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return run_python(["-m", "pipeline", *args], timeout=timeout)


def assert_one_error_line(proc: subprocess.CompletedProcess, *expected: str) -> str:
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
