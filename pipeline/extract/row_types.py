"""Page rows as slotted records that read like the dicts they replace.

Every page-level row lives from extraction to the tables step (and in the rows memo's files).
As dicts they weighed 464 bytes (entries, raw pages) to 832 bytes (detail pages) each before
their values: 38 MB of the 150 MB of page rows at archive scale. A record keeps one slot per
column (8 bytes each) and still answers `row["title"]`, `row.get(...)`, `dict(row)`, `{**row}`
and `==` against a dict, so the stages read rows either way. It pickles as a tuple of values
(a fifth smaller than a dict, which refers to each of its keys again for every row).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import fields

from pipeline.columns import check_columns
from pipeline.extract.records import Detail, Entry


class Record(Mapping):
    """A row with a fixed set of columns (FIELDS), all of them always present."""

    __slots__ = ()
    FIELDS: tuple[str, ...] = ()
    FIELD_SET: frozenset[str] = frozenset()

    def __init__(self, values: Mapping[str, object]) -> None:
        check_columns(type(self).__name__, self.FIELD_SET, values.keys())
        self._fill(values)  # type: ignore[attr-defined] - generated per record type

    def __getitem__(self, key: str) -> object:
        if key in self.FIELD_SET:
            return getattr(self, key)
        raise KeyError(key)

    def get(self, key: str, default: object = None) -> object:
        return getattr(self, key) if key in self.FIELD_SET else default

    def __setitem__(self, key: str, value: object) -> None:
        if key not in self.FIELD_SET:
            raise KeyError(f"{type(self).__name__} has no column {key!r}")
        setattr(self, key, value)

    def __iter__(self) -> Iterator[str]:
        return iter(self.FIELDS)

    def __len__(self) -> int:
        return len(self.FIELDS)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({dict(self)!r})"

    def __reduce__(self) -> tuple:
        return _rebuild, (type(self), tuple(getattr(self, name) for name in self.FIELDS))


def _rebuild(cls: type[Record], values: tuple) -> Record:
    return cls._from_values(values)  # type: ignore[attr-defined]


def _from_values_of(cls: type[Record]) -> Callable[[tuple], Record]:
    """`values` → a row of `cls`, by one unpacking assignment to its slots (as namedtuple builds
    its methods): unpickling the rows memo assigned each slot with a `setattr` call in a loop,
    0.25 s per 5,500 pages; this takes 0.16 s. A wrong number of values raises ValueError."""
    targets = ", ".join(f"row.{name}" for name in cls.FIELDS)
    source = (
        f"def from_values(values):\n    row = new(cls)\n    {targets}, = values\n    return row\n"
    )
    namespace: dict = {"new": object.__new__, "cls": cls}
    exec(source, namespace)  # noqa: S102 - the names are the class's own slot names
    return namespace["from_values"]


def _fill_of(cls: type[Record]) -> Callable[[Record, Mapping[str, object]], None]:
    """`row._fill(values)`: every slot from the mapping by one generated assignment. A row is
    built per listing entry and detail page (82,000 in a cold archive-scale run); the `setattr`
    loop this replaces took 2.6 µs an entry row and 5.4 a detail row, this 0.95 and 2.4."""
    targets = ", ".join(f"row.{name}" for name in cls.FIELDS)
    sources = ", ".join(f"values[{name!r}]" for name in cls.FIELDS)
    source = f"def fill(row, values):\n    {targets}, = {sources},\n"
    namespace: dict = {}
    exec(source, namespace)  # noqa: S102 - the names are the class's own slot names
    return namespace["fill"]


def _record_type(name: str, columns: tuple[str, ...]) -> type[Record]:
    namespace = {"__slots__": columns, "FIELDS": columns, "FIELD_SET": frozenset(columns)}
    namespace["__module__"] = __name__
    cls = type(name, (Record,), namespace)
    cls._from_values = staticmethod(_from_values_of(cls))  # type: ignore[attr-defined]
    cls._fill = _fill_of(cls)  # type: ignore[attr-defined]
    return cls


def _of(dataclass: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(dataclass))


_DATES = ("date_start", "date_end", "date_precision")
EntryRow = _record_type("EntryRow", (*_of(Entry), "page_sha256", "listing_id", *_DATES))
DetailRow = _record_type("DetailRow", (*_of(Detail), "page_sha256", "path", "url", *_DATES))
RawPageRow = _record_type(
    "RawPageRow",
    (
        "page_sha256",
        "path",
        "bytes",
        "format",
        "encoding",
        "url",
        "fetched_at",
        "kind",
        "layout",
        "status",
        "reason",
    ),
)
