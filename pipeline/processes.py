"""Processes: whether one still runs (work files named after their writer's pid are removed
only once that writer is gone), which one owns a run, and how many a run may use."""

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


def in_step_process() -> bool:
    """True in a process that Dagster's multiprocess executor started for one step (a
    multiprocessing child); False in a run's own process (the CLI, a run worker)."""
    return multiprocessing.parent_process() is not None


def usable_cpus() -> int:
    """The cores this process may run on (a container's or taskset's share, not the host's)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # no affinity outside Linux
        return os.cpu_count() or 1


def default_extract_workers() -> int:
    """Forked parsing workers per extraction bucket when none are configured: one per usable
    core in a run's own process, one inside a step's process (the multiprocess executor
    already runs buckets side by side, one per core)."""
    return 1 if in_step_process() else usable_cpus()


def run_owner_pid() -> int:
    """The process that lives as long as this run: for a step that Dagster's multiprocess
    executor started (a multiprocessing child), the run's orchestrating process, which outlives
    the step and the steps after it; otherwise this process.

    A file a step leaves for a later step of the same run (the staged release) is named after
    this pid: named after the step's own process, it looked abandoned once that step ended.
    """
    parent = multiprocessing.parent_process()
    return parent.pid if parent is not None and parent.pid is not None else os.getpid()
