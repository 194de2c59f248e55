"""The collector setting the entry points apply (its effect on speed is measured by the bench)."""

from __future__ import annotations

import gc
import subprocess
import sys
from collections.abc import Iterator

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
