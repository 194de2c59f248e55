"""Memoised one-argument functions whose answers a run can hand to the next one.

Dedup normalises every printed title, summary and date of the archive (a title on each of its
~4 listings): memoised, each distinct value costs once per run. A rerun that adds 1% of pages
still paid for all of them again, about a second at archive scale. A `RunMemo` answers from its
own table, computes on a miss, and can be given the previous run's answers (`warm`): a miss
takes the warm answer when there is one. Only what this run asked for is kept (`answers`), so a
carried table never grows with values the archive no longer prints.

Calling a memo is a dict lookup in C: as fast as `functools.cache` on a hit.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable
from typing import Any

_NOTHING = object()


class RunMemo(dict):
    """`memo(x)`: fn(x), computed once per run (see module doc); `cache_clear()` ends the run."""

    __call__ = dict.__getitem__

    def __init__(self, fn: Callable[[Any], Any]) -> None:
        super().__init__()
        self.fn = fn
        self.warm: dict = {}
        functools.update_wrapper(self, fn)  # name and docstring of the function

    def __missing__(self, key: Hashable) -> Any:  # noqa: ANN401 - what fn returns
        value = self.warm.pop(key, _NOTHING)
        if value is _NOTHING:
            value = self.fn(key)
        self[key] = value
        return value

    def __repr__(self) -> str:
        return f"<RunMemo {self.__name__}: {len(self)} answers, {len(self.warm)} warm>"

    def answers(self) -> dict:
        """This run's answers (what a next run may start warm with)."""
        return dict(self)

    def cache_clear(self) -> None:
        """Forget this run's answers and the warm ones (a long-lived process keeps neither)."""
        self.clear()
        self.warm = {}


def run_memo(fn: Callable[[Any], Any]) -> RunMemo:
    """Decorator: `fn` memoised for one run (see RunMemo)."""
    return RunMemo(fn)
