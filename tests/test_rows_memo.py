"""The rows memo (pipeline/extract/rows_memo.py): an unchanged page's finished rows reused
without reading its sidecar or decoding its cached result, and the memo's batch files kept
honest (damaged, stale, removed pages, compaction)."""

from __future__ import annotations

import json
import pickle
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

import pipeline.extract.batch_store as batch_store
import pipeline.extract.pages as pages
import pipeline.extract.rows_memo as rows_memo
from pipeline.extract.snapshot import SIDECAR_SUFFIX
from pipeline.runner import run_pipeline
from tests.conftest import (
    SEED_DETAIL,
    SEED_SEARCH_1,
    SEED_SEARCH_4,
    SEED_SINO_SOVIET,
    SEED_XINJIANG,
)
from tests.helpers.incremental import (
    N_SEEDS,
    cached_results,
    clean_run_bytes,
    release_bytes,
)
from tests.helpers.pages import ARCHIVE, new_search_page, seed_entries


@pytest.fixture()
def row_building(monkeypatch: pytest.MonkeyPatch) -> Counter:
    """Counts of sidecar reads and cached-result decodes: the work the rows memo spares."""
    import pipeline.extract.cache as cache

    calls: Counter = Counter()
    sidecar, decode = pages.read_sidecar, cache.PageResult.from_json

    def counting_sidecar(path, *args, **kwargs):  # noqa: ANN001, ANN202
        calls["sidecar"] += 1
        return sidecar(path, *args, **kwargs)

    def counting_decode(data):  # noqa: ANN001, ANN202
        calls["decode"] += 1
        return decode(data)

    monkeypatch.setattr(pages, "read_sidecar", counting_sidecar)
    monkeypatch.setattr(cache.PageResult, "from_json", staticmethod(counting_decode))
    return calls


def test_unchanged_pages_take_their_rows_from_the_memo(
    raw_copy: Path, tmp_path: Path, row_building: Counter
) -> None:
    out = tmp_path / "out"
    first = run_pipeline(raw_copy, out)
    assert row_building["sidecar"] == N_SEEDS
    row_building.clear()
    again = run_pipeline(raw_copy, out)
    assert row_building == Counter()  # no sidecar read, no cached result decoded
    assert (again.record.pages_parsed, again.record.pages_reused) == (0, N_SEEDS)
    for table, frame in first.tables.items():
        pd.testing.assert_frame_equal(again.tables[table], frame, obj=table)
    assert cached_results(out) == N_SEEDS  # results reused through the memo stay cached


def test_sidecar_change_rebuilds_that_page_only(
    raw_copy: Path, tmp_path: Path, row_building: Counter, counted: Counter
) -> None:
    out = tmp_path / "out"
    run_pipeline(raw_copy, out)
    url = f"{ARCHIVE}/document/121234"
    sidecar = raw_copy / f"{SEED_DETAIL}{SIDECAR_SUFFIX}"
    sidecar.write_text(json.dumps({"url": url, "fetched_at": "2026-11-20T10:00:00Z"}))
    row_building.clear()
    counted.clear()
    run = run_pipeline(raw_copy, out)
    # the URL is an input of the parse (listing ids, page numbers): that page alone is redone
    assert (row_building["sidecar"], counted["read"], counted["parse"]) == (1, 1, 1)
    assert run.tables["raw_pages"].set_index("path").loc[SEED_DETAIL, "url"] == url
    assert release_bytes(out) == clean_run_bytes(raw_copy, tmp_path / "clean")


def test_code_change_drops_the_memo_but_not_the_results(
    raw_copy: Path,
    tmp_path: Path,
    row_building: Counter,
    counted: Counter,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = tmp_path / "out"
    first = run_pipeline(raw_copy, out)
    monkeypatch.setattr(
        rows_memo, "code_fingerprint", lambda *_modules: "another version of the code"
    )
    row_building.clear()
    counted.clear()
    again = run_pipeline(raw_copy, out)
    assert (row_building["sidecar"], row_building["decode"]) == (N_SEEDS, N_SEEDS)
    assert (counted["read"], counted["parse"]) == (0, 0)
    assert again.record.release_id == first.record.release_id
    row_building.clear()
    run_pipeline(raw_copy, out)  # rewritten for the new code: used again
    assert row_building == Counter()


def test_a_change_to_code_the_rows_never_ran_keeps_the_memo(
    raw_copy: Path, tmp_path: Path, row_building: Counter, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The memo is keyed on the code that makes a page's rows (fingerprint.ROWS_CODE), and
    dedup's unit store on the code that resolves units: an upgrade of the tables' code keeps
    both; of a dedup rule, the memo alone; of a parser, neither."""
    from pipeline.runner import stage_extract, stage_resolve
    from tests.helpers.code_copy import code_copy, touch_module

    out = tmp_path / "out"
    run_pipeline(raw_copy, out)
    with code_copy(tmp_path, monkeypatch) as code:

        def rerun() -> tuple[int, int, int]:
            row_building.clear()
            resolution = stage_resolve(stage_extract(raw_copy, out), out)
            return row_building["sidecar"], resolution.units_reused, resolution.units

        touch_module(code, "pipeline/tables.py")
        sidecars, reused, units = rerun()
        assert (sidecars, reused) == (0, units) and units > 0
        touch_module(code, "pipeline/dedup/cluster.py")
        assert rerun() == (0, 0, units)
        touch_module(code, "pipeline/extract/page_rows.py")
        assert rerun() == (N_SEEDS, 0, units)


def _memo_batches(out: Path) -> list[Path]:
    return sorted((out / ".cache").glob("rows-*/*.pickle"))


def _memo(out: Path) -> rows_memo.RowsMemo:
    return rows_memo.RowsMemo(out / ".cache", "0-of-1")  # run_pipeline extracts in one bucket


@pytest.mark.parametrize("damage", [b"", b"not a pickle", b"\x80\x05truncated"])
def test_damaged_memo_costs_only_the_slower_path(
    raw_copy: Path, tmp_path: Path, row_building: Counter, counted: Counter, damage: bytes
) -> None:
    out = tmp_path / "out"
    first = run_pipeline(raw_copy, out)
    (batch,) = _memo_batches(out)
    batch.write_bytes(damage)
    row_building.clear()
    counted.clear()
    again = run_pipeline(raw_copy, out)
    assert (row_building["decode"], counted["parse"]) == (N_SEEDS, 0)
    assert again.record.release_id == first.record.release_id
    assert batch not in _memo_batches(out)  # the damaged batch is gone, a new one written
    assert sorted(_memo(out).stored) == sorted(p.name for p in raw_copy.iterdir())


def test_memo_grows_by_batches_and_is_compacted(
    raw_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    run_pipeline(raw_copy, out)
    assert len(_memo_batches(out)) == 1
    (raw_copy / "sub").mkdir()
    (raw_copy / "sub" / "new.txt").write_text(new_search_page(list(seed_entries()[-3:])))
    run_pipeline(raw_copy, out)
    (_, added) = _memo_batches(out)  # the new page's rows alone, in a batch of their own
    assert list(pickle.loads(added.read_bytes())[1]) == ["sub/new.txt"]
    (raw_copy / SEED_SEARCH_4).unlink()
    run_pipeline(raw_copy, out)
    assert len(_memo_batches(out)) == 3  # the third batch forgets the removed page
    assert SEED_SEARCH_4 not in _memo(out).stored
    monkeypatch.setattr(batch_store, "COMPACT_SLACK", 0)
    for name in (SEED_SEARCH_1, SEED_DETAIL):
        (raw_copy / name).unlink()
    run_pipeline(raw_copy, out)  # 7 records for 3 pages: rewritten as one batch
    (batch,) = _memo_batches(out)
    version, stored = pickle.loads(batch.read_bytes())
    assert version == rows_memo.memo_version()
    assert sorted(stored) == [SEED_SINO_SOVIET, SEED_XINJIANG, "sub/new.txt"]
