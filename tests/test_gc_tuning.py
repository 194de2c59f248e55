"""The collector setting the entry points apply (its effect on speed is measured by the bench)."""

from __future__ import annotations

import gc
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.gc_tuning import GC_GEN0_THRESHOLD, collections_paused, tune_gc


@pytest.fixture()
def saved_threshold() -> Iterator[None]:
    before = gc.get_threshold()
    yield
    gc.set_threshold(*before)


def test_raises_a_low_first_generation_threshold_only(saved_threshold: None) -> None:
    gc.set_threshold(700, 10, 10)
    tune_gc()
    assert gc.get_threshold() == (GC_GEN0_THRESHOLD, 10, 10)
    gc.set_threshold(GC_GEN0_THRESHOLD * 3, 5, 5)
    tune_gc()  # a caller that chose a higher threshold keeps it
    assert gc.get_threshold() == (GC_GEN0_THRESHOLD * 3, 5, 5)


def test_dagster_processes_apply_it_on_loading_the_definitions() -> None:
    code = "import gc, pipeline.definitions; print(gc.get_threshold()[0])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert int(out.stdout) == GC_GEN0_THRESHOLD


def test_collections_are_paused_in_the_block_and_restored_after_it() -> None:
    assert gc.isenabled()
    with collections_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(ValueError), collections_paused():
        raise ValueError("a failing stage")
    assert gc.isenabled()
    gc.disable()
    try:
        with collections_paused():
            pass
        assert not gc.isenabled()  # a caller that had turned it off keeps it off
    finally:
        gc.enable()


def test_no_table_frame_is_alive_when_the_duckdb_file_is_built(
    tmp_path: Path, raw_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Dagster holds the tables step's outputs in a reference cycle after the step (a caught
    exception's traceback): publishing frees them before DuckDB stacks its memory on top."""
    import pandas as pd

    import pipeline.runner as runner
    from pipeline.cli import main

    finish_release = runner.finish_release
    alive: list[int] = []

    def counting(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        alive.append(
            sum(isinstance(o, pd.DataFrame) and "page_sha256" in o for o in gc.get_objects())
        )
        return finish_release(*args, **kwargs)

    monkeypatch.setattr(runner, "finish_release", counting)
    assert main(["run", "--raw", str(raw_copy), "--out", str(tmp_path / "out"), "--quiet"]) == 0
    assert alive == [0]
