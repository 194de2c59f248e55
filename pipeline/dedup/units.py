"""Dedup's independent units: the rows that can only ever be clustered with each other.

Every rule in cluster.py compares rows of one date block (the same normalised date key), and a
detail page reaches across dates only through its archive id, which it shares with the other
detail pages of the same record. Document ids come from record ids, node ids or the (date,
title) key. So date blocks linked by a record id or a node id form a *unit*: dedup within each
unit gives exactly what dedup over everything gives, and a unit whose rows did not change gives
the same documents, links and audit as last run (see `unit_fingerprint` and dedup/unit_store.py).
At archive scale there are some 10,000 units of a median 6 rows; a 1% increment touches ~6%.
"""

from __future__ import annotations

import hashlib
import operator
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from pipeline.dates import parse_date
from pipeline.extract.row_types import DetailRow, EntryRow

# The fields of an entry and a detail page that dedup reads (resolve.py, cluster.py): a unit's
# fingerprint covers them, so a change to any of them re-resolves its unit. A listing entry
# also reads its listing page's title (the document's collections).
ENTRY_FIELDS = (  # page_sha256 first: the listing title is looked up by it
    "page_sha256",
    "position",
    "date_raw",
    "title",
    "summary",
    "is_truncated",
    "listing_id",
)
DETAIL_FIELDS = (
    "page_sha256",
    "date_raw",
    "title",
    "summary",
    "is_truncated",
    "record_id",
    "node_id",
    "url",
    "authors",
)


def _reader(fields: tuple[str, ...], record: type) -> Callable[[Mapping], tuple]:
    """The (two or more) fields' values of a row as a tuple: by one C call for the
    extraction's records (80,000 rows at archive scale; `Record.get` per field took 0.6 s),
    by key for a dict."""
    by_attribute = operator.attrgetter(*fields)

    def read(row: Mapping) -> tuple:
        if type(row) is record:
            return by_attribute(row)
        return tuple(row.get(name) for name in fields)

    return read


_entry_values = _reader(ENTRY_FIELDS, EntryRow)
_detail_values = _reader(DETAIL_FIELDS, DetailRow)
_entry_ref = _reader(("page_sha256", "position"), EntryRow)


def _entry_date(entry: Mapping) -> str | None:
    return entry.date_raw if type(entry) is EntryRow else entry.get("date_raw")


def _page_ref(detail: Mapping) -> str:
    return detail.page_sha256 if type(detail) is DetailRow else detail["page_sha256"]


_DETAIL_DATE, _RECORD, _NODE = (
    DETAIL_FIELDS.index(n) for n in ("date_raw", "record_id", "node_id")
)


def date_key(date_raw: str | None) -> str:
    """The date block a printed date falls in (unreadable dates block by their own text)."""
    parsed = parse_date(date_raw)
    return parsed.key if parsed else f"raw:{(date_raw or '').strip().lower()}"


@dataclass(slots=True)
class Unit:
    """The entries and detail pages of one unit, named by its first date key."""

    name: str
    entries: list = field(default_factory=list)
    details: list = field(default_factory=list)
    _refs: tuple[list[tuple[str, int]], list[str]] | None = None

    def refs(self) -> tuple[list[tuple[str, int]], list[str]]:
        """The entries' (page sha256, position) and the detail pages' sha256, each sorted:
        the order a unit's results list its rows' documents in (resolve.UnitPart)."""
        if self._refs is None:
            entry_refs = sorted((sha, int(pos)) for sha, pos in map(_entry_ref, self.entries))
            self._refs = (entry_refs, sorted(map(_page_ref, self.details)))
        return self._refs


def split_units(entries: Sequence[Mapping], details: Sequence[Mapping]) -> list[Unit]:
    """The rows by unit, units in name order; within a unit, rows by date block (in the order
    blocks first appear), each block's rows in their given order."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        root = parent.setdefault(x, x)
        while root != parent[root]:
            parent[root] = parent[parent[root]]
            root = parent[root]
        return root

    def union(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    # rows grouped by date key first, so the union-find runs once per date block, not per row
    entry_blocks: dict[str, list] = defaultdict(list)
    for e in entries:
        entry_blocks[date_key(_entry_date(e))].append(e)
    detail_blocks: dict[str, list] = defaultdict(list)
    for d in details:
        values = _detail_values(d)
        key = date_key(values[_DETAIL_DATE])
        detail_blocks[key].append(d)
        find(key)
        # links are named with "~", which sorts after every date key: a unit takes the name
        # of its smallest date key
        for link, value in (("record", values[_RECORD]), ("node", values[_NODE])):
            if value:
                union(key, f"~{link}:{value}")
    units: dict[str, Unit] = {}
    for blocks, side in ((entry_blocks, "entries"), (detail_blocks, "details")):
        for key, rows in blocks.items():
            root = find(key)
            if root not in units:
                units[root] = Unit(root)
            getattr(units[root], side).extend(rows)
    return [units[name] for name in sorted(units)]


def unit_fingerprint(unit: Unit, listing_titles: Mapping[str, str | None]) -> str:
    """A digest of everything dedup reads from the unit's rows, whatever their order.

    `listing_titles`: listing page sha256 → its title. Each row's fields are hashed by their
    repr (stable for the str, int, bool, None and lists of str they hold), then the sorted row
    digests together."""
    digests = []
    blake2b = hashlib.blake2b
    for e in unit.entries:
        values = _entry_values(e)
        text = repr((values, listing_titles.get(values[0])))
        digests.append(blake2b(text.encode(), digest_size=16).digest())
    for d in unit.details:
        text = repr(("detail", _detail_values(d)))
        digests.append(blake2b(text.encode(), digest_size=16).digest())
    digests.sort()
    return hashlib.blake2b(b"".join(digests), digest_size=20).hexdigest()
