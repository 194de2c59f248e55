"""Rows of a table kept as one list per column (for the tall tables the stages build)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence, Set
from itertools import chain


class Columns:
    """A table's rows as one list per column instead of one dict per row.

    A dict per row weighs 184-464 bytes on top of its values; a column list costs 8 bytes a
    value. The dedup audit alone is 64,000 rows of 18 values at archive scale (30 MB of dicts,
    300 MB at 10x), all held until the tables are built. Rows go in whole (every column at
    once, a list per column), so the lists stay aligned.
    """

    __slots__ = ("data",)

    def __init__(self, names: Iterable[str]) -> None:
        self.data: dict[str, list] = {name: [] for name in names}

    def extend(self, data: dict[str, list]) -> None:
        """Add many rows at once, given as one list per column (checked once, not per row)."""
        self._check(data)
        for name, values in data.items():
            self.data[name].extend(values)

    def take_parts(self, parts: Sequence[dict[str, list]]) -> None:
        """`extend` by many small parts at once, a column at a time (dedup's 10,000 units: a
        call per part took 0.24 s at archive scale). The parts are emptied as their columns
        are taken, so their lists and these are never all held twice. Checked first: a bad
        part adds nothing."""
        for part in parts:
            self._check(part)
        for name, values in self.data.items():
            values.extend(chain.from_iterable([part.pop(name) for part in parts]))

    def _check(self, data: dict[str, list]) -> None:
        """Rows go in whole: every column, each list as long as the others."""
        if data.keys() != self.data.keys():
            check_columns("rows", self.data.keys(), data.keys())
        if len(set(map(len, data.values()))) > 1:
            raise ValueError("column lists of different lengths")

    def __len__(self) -> int:
        return len(next(iter(self.data.values()), []))

    def column(self, name: str) -> list:
        return self.data[name]

    def clear(self) -> None:
        for values in self.data.values():
            values.clear()


def check_columns(what: str, expected: Set[str], given: Set[str]) -> None:
    """Raise KeyError naming the missing and extra columns unless `given` is `expected`."""
    if given != expected:
        missing, extra = sorted(expected - given), sorted(given - expected)
        raise KeyError(f"{what} does not match the columns: missing {missing}, extra {extra}")
