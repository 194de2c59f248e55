"""The batch-file store behind the result cache and the rows memo: later batches win, None
forgets, unusable batches are dropped, and the folder is compacted when dead records dominate."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

import pipeline.extract.batch_store as batch_store
from pipeline.extract.batch_store import BatchStore, write_batch


def _files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.pickle"))


def test_later_batches_override_and_none_forgets(tmp_path: Path) -> None:
    write_batch(tmp_path, "v1", {"a": 1, "b": 2, "c": date(1949, 8, 1)})
    write_batch(tmp_path, "v1", {"b": 20, "c": None})
    store = BatchStore(tmp_path, "v1")
    assert store.stored == {"a": 1, "b": 20}
    assert store.records == 5 and store.unusable == []


def test_nothing_to_write_writes_no_file(tmp_path: Path) -> None:
    assert write_batch(tmp_path, "v1", {}) == 0
    assert write_batch(None, "v1", {"a": 1}) == 0
    assert _files(tmp_path) == []


@pytest.mark.parametrize("content", [b"", b"junk", None])
def test_unusable_batches_are_ignored_then_deleted(tmp_path: Path, content: bytes | None) -> None:
    write_batch(tmp_path, "v1", {"a": 1})
    if content is None:
        write_batch(tmp_path, "v0", {"b": 2})  # written by other code
    else:
        (tmp_path / "99999999999999999999-1.pickle").write_bytes(content)
    store = BatchStore(tmp_path, "v1")
    assert store.stored == {"a": 1} and len(store.unusable) == 1
    store.finish({"a"}, written=0)
    assert len(_files(tmp_path)) == 1 and BatchStore(tmp_path, "v1").unusable == []


def test_finish_forgets_unused_keys_with_a_tombstone_batch(tmp_path: Path) -> None:
    write_batch(tmp_path, "v1", {"a": 1, "b": 2})
    BatchStore(tmp_path, "v1").finish({"a"}, written=0)
    assert len(_files(tmp_path)) == 2
    assert BatchStore(tmp_path, "v1").stored == {"a": 1}


def test_finish_compacts_when_dead_records_outnumber_live_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(batch_store, "COMPACT_SLACK", 1)
    write_batch(tmp_path, "v1", {"a": 1, "b": 2, "c": 3})
    store = BatchStore(tmp_path, "v1")
    written = write_batch(tmp_path, "v1", {"a": 10})  # a run rewrote one entry...
    store.finish({"a"}, written)  # ...and used only it: 4 records, 1 live
    (only,) = _files(tmp_path)
    again = BatchStore(tmp_path, "v1")
    assert again.stored == {"a": 10} and again.records == 1


def test_a_few_dead_records_do_not_cost_a_rewrite(tmp_path: Path) -> None:
    write_batch(tmp_path, "v1", {f"k{i}": i for i in range(10)})
    first = _files(tmp_path)
    BatchStore(tmp_path, "v1").finish({f"k{i}" for i in range(9)}, written=0)
    assert _files(tmp_path)[: len(first)] == first  # the big batch is untouched


def _indexed(folder: Path, entries: dict) -> int:
    return write_batch(folder, "v1", entries, indexed=True)


def test_an_indexed_store_reads_values_on_demand(tmp_path: Path) -> None:
    _indexed(tmp_path, {"a": b"alpha", "b": b"beta", "c": b"gamma"})
    _indexed(tmp_path, {"b": b"BETA", "c": None})
    store = BatchStore(tmp_path, "v1", indexed=True)
    assert sorted(store.stored) == ["a", "b"] and store.records == 5
    assert (store.read("a"), store.read("b"), store.read("c")) == (b"alpha", b"BETA", None)


def test_an_indexed_value_cut_short_reads_as_absent(tmp_path: Path) -> None:
    _indexed(tmp_path, {"a": b"alpha", "b": b"beta"})
    (batch,) = _files(tmp_path)
    batch.write_bytes(batch.read_bytes()[:-2])  # "beta" loses its end
    store = BatchStore(tmp_path, "v1", indexed=True)
    assert (store.read("a"), store.read("b")) == (b"alpha", None)
    assert store.unusable == []  # the index is whole: the batch still serves "a"


@pytest.mark.parametrize("damage", ["plain", "cut_index", "other_version"])
def test_unusable_indexed_batches_are_ignored_then_deleted(tmp_path: Path, damage: str) -> None:
    _indexed(tmp_path, {"a": b"alpha"})
    if damage == "plain":  # the earlier layout: one pickle of every value
        write_batch(tmp_path, "v1", {"b": b"beta"})
    elif damage == "cut_index":
        _indexed(tmp_path, {"b": b"beta"})
        cut = _files(tmp_path)[-1]
        cut.write_bytes(cut.read_bytes()[:20])
    else:
        write_batch(tmp_path, "v0", {"b": b"beta"}, indexed=True)
    store = BatchStore(tmp_path, "v1", indexed=True)
    assert sorted(store.stored) == ["a"] and len(store.unusable) == 1
    store.finish({"a"}, written=0)
    again = BatchStore(tmp_path, "v1", indexed=True)
    assert again.unusable == [] and again.read("a") == b"alpha"


def test_indexed_compaction_copies_live_values_and_drops_lost_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(batch_store, "COMPACT_SLACK", 0)
    _indexed(tmp_path, {"a": b"alpha", "b": b"beta", "c": b"gamma", "d": b"delta"})
    store = BatchStore(tmp_path, "v1", indexed=True)
    written = _indexed(tmp_path, {"e": b"epsilon", "f": b"phi"})  # a worker's batch this run
    newest = _files(tmp_path)[-1]
    newest.write_bytes(newest.read_bytes()[:-1])  # "f" lost its last byte
    store.finish({"a", "e", "f"}, written)
    (only,) = _files(tmp_path)
    again = BatchStore(tmp_path, "v1", indexed=True)
    assert sorted(again.stored) == ["a", "e"] and again.records == 2
    assert (again.read("a"), again.read("e")) == (b"alpha", b"epsilon")
