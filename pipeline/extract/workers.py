"""Extraction's forked workers: a bucket's files dealt to n processes in tasks, each task
handing back its pages' rows, so the parent takes rows in as they come.

Workers are forked, not spawned: they inherit the loaded parsers, caches and the file list
(`_INHERITED`), so only a task's slice bounds cross the pool's pipe. Nothing here knows what a
task reads: pages.py gives the function.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

# What forked workers inherit instead of receiving it through the pool's pipe (the result cache
# alone was ~110 MB of JSON text at archive scale, and was pickled once per worker): set by
# `in_workers` around the pool's life, read by `_worker_part` in the child.
_INHERITED: tuple[Callable[[Sequence], Any], Sequence] | None = None
# Files a worker reads per task. A worker used to take every n-th file of the bucket in one task
# and hold all their rows, parse results and the pickles of both to its end (the 10x run's
# extraction peak was 3.9 GB, 2.3 GB with tasks); per task it holds one task's worth, and the
# parent takes rows in task by task.
WORKER_CHUNK = 1_000


def worker_tasks(files: int, processes: int) -> list[tuple[int, int, int]]:
    """(start, stop, step) slices of the file list, one per task: blocks of `processes` x
    WORKER_CHUNK consecutive files, each block dealt to the workers every n-th file, so the
    workers read neighbouring files at the same time (reading two distant halves was slower on
    a folder larger than the page cache). A small increment is one block: a task per worker."""
    block = processes * WORKER_CHUNK
    return [
        (start + k, min(start + block, files), processes)
        for start in range(0, files, block)
        for k in range(processes)
        if start + k < min(start + block, files)
    ]


def in_workers(task: Callable[[Sequence], Any], todo: Sequence, processes: int) -> list | None:
    """`task` over slices of `todo` (`worker_tasks`) in n forked workers: what each task
    returned, in task order; None when a worker died (killed, out of memory), which fails the
    pool loudly instead of hanging it: the caller then reads the files itself."""
    global _INHERITED
    ctx = multiprocessing.get_context("fork")
    _INHERITED = (task, todo)
    try:
        with ProcessPoolExecutor(processes, mp_context=ctx) as pool:
            futures = [
                pool.submit(_worker_part, start, stop, step)
                for start, stop, step in worker_tasks(len(todo), processes)
            ]
            return [f.result() for f in futures]
    except BrokenProcessPool:
        return None
    finally:
        _INHERITED = None


def _worker_part(start: int, stop: int, step: int) -> Any:  # noqa: ANN401 - the task's result
    """In a forked worker: the task over todo[start:stop:step] of the inherited list."""
    assert _INHERITED is not None, "only called in a worker forked by in_workers"
    task, todo = _INHERITED
    return task(todo[start:stop:step])
