"""Dedup by units (dedup/units.py) and the unit store (dedup/unit_store.py): a rerun reads back
the units whose rows did not change and gives exactly what a dedup over everything gives."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from pipeline.dedup import unit_store
from pipeline.dedup.resolve import Resolution, resolve
from pipeline.dedup.unit_store import UnitStore
from pipeline.dedup.units import (
    DETAIL_FIELDS,
    ENTRY_FIELDS,
    split_units,
    unit_fingerprint,
)
from pipeline.extract import batch_store
from pipeline.extract.pages import Extraction
from pipeline.extract.row_types import DetailRow, EntryRow
from pipeline.runner import stage_extract

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # bench/ is not an installed package
    sys.path.insert(0, str(REPO))

from bench.generate import generate, generate_increment  # noqa: E402


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Extraction, Extraction]:
    """A generated archive (cross-listed documents, near misses, undated and month-only dates)
    extracted before and after an increment of new pages."""
    root = tmp_path_factory.mktemp("units")
    generate(root / "corpus", scale=0.01, seed=11)
    raw = root / "corpus" / "raw"
    before = stage_extract(raw, root / "out")
    generate_increment(raw, scale=0.01, seed=11, fraction=0.05, tag="new")
    after = stage_extract(raw, root / "out")
    return before, after


def tables(res: Resolution) -> dict:
    """Everything a Resolution publishes, in an order that does not depend on the units'."""

    def rows(columns: dict[str, list]) -> list[tuple]:
        return sorted(zip(*columns.values(), strict=True), key=repr)

    return {
        "documents": sorted(res.documents, key=lambda d: d["document_id"]),
        "listings": rows(res.document_listings.data),
        "matches": rows(res.document_matches.data),
        "people": sorted(res.document_people, key=repr),
        "entry_document": res.entry_document,
        "page_document": res.page_document,
    }


def resolved(ex: Extraction, store: UnitStore | None = None) -> Resolution:
    return resolve(ex.entries, ex.details, ex.listings, None, store)


def entry(date: str, title: str, page: str, **extra: object) -> dict:
    row = {"page_sha256": page, "position": 1, "date_raw": date, "title": title}
    return {**row, "summary": None, "is_truncated": False, "listing_id": "search:x", **extra}


def detail(date: str, title: str, page: str, **extra: object) -> dict:
    row = {"page_sha256": page, "date_raw": date, "title": title, "summary": None}
    return {**row, "is_truncated": False, "record_id": None, "node_id": None, **extra}


def test_a_unit_is_a_date_block_joined_by_record_and_node_ids() -> None:
    entries = [
        entry("August 1949", "Karsky to Cde. Miklashevsky", "a" * 64),
        entry("August, 1949", "Karsky to Miklashevsky", "b" * 64),
        entry("October 12, 1949", "Telegram from Kovalev", "c" * 64),
        entry("November 1, 1951", "Cable No. 25465", "d" * 64),
        entry("n.d.", "Undated note", "e" * 64),
    ]
    details = [
        detail("October 12, 1949", "Telegram from Kovalev", "f" * 64, record_id="1"),
        detail("October 13, 1949", "Telegram from Kovalev", "g" * 64, record_id="1"),
        detail("November 2, 1951", "Cable", "h" * 64, node_id="7"),
        detail("November 1, 1951", "Cable", "i" * 64, node_id="7"),
    ]
    units = split_units(entries, details)
    by_name = {u.name: ({e["page_sha256"][0] for e in u.entries + u.details}) for u in units}
    assert by_name == {
        "month:1949-08-01": {"a", "b"},  # "August 1949" and "August, 1949" are one block
        "day:1949-10-12": {"c", "f", "g"},  # the 13th joins through record id 1
        "day:1951-11-01": {"d", "h", "i"},  # the 2nd joins through node id 7
        "undated": {"e"},
    }
    assert [u.name for u in units] == sorted(by_name)


def test_the_fingerprint_covers_every_field_dedup_reads() -> None:
    row = entry("August 1949", "Karsky to Cde. Miklashevsky", "a" * 64, summary="On fuel.")
    page = detail("August 1949", "Karsky", "b" * 64, url="u", authors=["A"], record_id="3")
    titles = {"a" * 64: "Xinjiang, 1949"}

    def fingerprint(e: dict, d: dict, listing_titles: dict) -> str:
        return unit_fingerprint(split_units([e], [d])[0], listing_titles)

    base = fingerprint(row, page, titles)
    assert fingerprint(dict(reversed(row.items())), page, titles) == base  # values, not order
    for name in ENTRY_FIELDS:
        assert fingerprint({**row, name: "changed"}, page, titles) != base, name
    for name in DETAIL_FIELDS:
        assert fingerprint(row, {**page, name: "changed"}, titles) != base, name
    assert fingerprint(row, page, {"a" * 64: "Korean War"}) != base  # the collection's title


def test_fields_outside_the_fingerprint_do_not_change_dedup(
    corpus: tuple[Extraction, Extraction],
) -> None:
    """The guard for the fingerprint's field lists: every other column of an entry or detail
    row may change without changing dedup's output, so a unit keyed by them is safe to reuse."""
    ex, _ = corpus
    expected = tables(resolved(ex))
    for record, rows, read in (
        (EntryRow, ex.entries, ENTRY_FIELDS),
        (DetailRow, ex.details, DETAIL_FIELDS),
    ):
        others = [name for name in record.FIELDS if name not in read]
        assert others  # dates as parsed, layout, body, places, ...
        changed = [{**row, **{name: "changed" for name in others}} for row in rows]
        bent = Extraction(**{**vars(ex), "entries" if record is EntryRow else "details": changed})
        assert tables(resolved(bent)) == expected, record.__name__


def test_a_rerun_reads_unchanged_units_and_equals_a_full_dedup(
    corpus: tuple[Extraction, Extraction], tmp_path: Path
) -> None:
    before, after = corpus
    folder = tmp_path / "units"
    first_store = UnitStore(folder)
    first = resolved(before, first_store)
    first_store.finish()
    assert first.units_reused == 0
    assert tables(first) == tables(resolved(before))

    store = UnitStore(folder)
    again = resolved(after, store)
    store.finish()
    assert tables(again) == tables(resolved(after))
    # the increment lists old documents beside its new ones: it touches some units, not all
    old = {u.name: u for u in split_units(before.entries, before.details)}
    titles = {lst["page_sha256"]: lst.get("title") for lst in after.listings}
    first_titles = {lst["page_sha256"]: lst.get("title") for lst in before.listings}
    unchanged = sum(
        u.name in old and unit_fingerprint(u, titles) == unit_fingerprint(old[u.name], first_titles)
        for u in split_units(after.entries, after.details)
    )
    assert 0 < unchanged < again.units
    assert again.units_reused == unchanged  # and the other units were resolved again

    # the pages go again: the units they had changed were forgotten, and are resolved again
    back = resolved(before, UnitStore(folder))
    assert tables(back) == tables(first)
    assert (back.units, back.units_reused) == (first.units, unchanged)


def test_a_damaged_or_foreign_part_is_resolved_again(
    corpus: tuple[Extraction, Extraction], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ex, _ = corpus
    folder = tmp_path / "units"
    store = UnitStore(folder)
    expected = tables(resolved(ex, store))
    store.finish()
    (batch,) = sorted(folder.glob("*.pickle"))
    data = bytearray(batch.read_bytes())
    data[-200:] = bytes(200)  # the last part or two no longer unpickle
    batch.write_bytes(bytes(data))
    index = batch_store._read_index(batch, store.version, 0)
    assert index is not None
    damaged = sum(offset + size > len(data) - 200 for _, offset, size in index.values())
    again = resolved(ex, UnitStore(folder))
    assert tables(again) == expected
    assert damaged >= 1 and again.units - again.units_reused == damaged
    assert again.units_reused == len(split_units(ex.entries, ex.details)) - damaged

    monkeypatch.setattr(unit_store, "code_fingerprint", lambda *_modules: "other code")
    foreign = resolved(ex, UnitStore(folder))
    assert tables(foreign) == expected
    assert foreign.units_reused == 0
