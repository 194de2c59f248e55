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
