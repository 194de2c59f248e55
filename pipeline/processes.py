"""Whether a process still runs: work files named after their writer's pid are removed only
once that writer is gone."""

from __future__ import annotations

import multiprocessing
import os


def process_alive(pid: int) -> bool:
    """True for this process, a running one, or one we may not signal (it exists)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def run_owner_pid() -> int:
    """The process that lives as long as this run: for a step that Dagster's multiprocess
    executor started (a multiprocessing child), the run's orchestrating process, which outlives
    the step and the steps after it; otherwise this process.

    A file a step leaves for a later step of the same run (the staged release) is named after
    this pid: named after the step's own process, it looked abandoned once that step ended.
    """
    parent = multiprocessing.parent_process()
    return parent.pid if parent is not None and parent.pid is not None else os.getpid()
