"""Which code each cache is keyed on (pipeline/extract/fingerprint.py): the release and the
no-op check on all of it, the rows memo on the code that makes a page's rows, dedup's caches on
the code that resolves units. A change elsewhere keeps a cache warm."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.extract.fingerprint import (
    DEDUP_CODE,
    ROWS_CODE,
    WORDS_CODE,
    code_closure,
    code_fingerprint,
)
from tests.helpers.code_copy import REPO, code_copy, touch_module


def _names(modules: tuple[str, ...]) -> set[str]:
    return {path.relative_to(REPO).as_posix() for path in code_closure(modules)}


def test_each_cache_follows_the_imports_of_the_code_that_makes_its_values() -> None:
    rows, dedup = _names(ROWS_CODE), _names(DEDUP_CODE)
    # what builds a page's rows: the parsers, the HTML renderer (imported inside a function),
    # the date parser and the row types
    for module in ("page_rows", "html", "listing", "detail", "row_types", "snapshot"):
        assert f"pipeline/extract/{module}.py" in rows
    assert "pipeline/dates.py" in rows
    assert {"pipeline/dedup/cluster.py", "pipeline/dedup/people.py"} <= dedup
    assert rows < dedup  # dedup reads rows through the extraction's record types
    never = {
        "pipeline/tables.py",
        "pipeline/validate.py",
        "pipeline/runner.py",
        "pipeline/cli.py",
        "pipeline/dagster_run.py",
        "pipeline/assets/extract.py",
        "pipeline/publish/release.py",
        "pipeline/publish/parquet.py",
        "pipeline/fetch/fetcher.py",
    }
    assert not never & dedup
    assert "pipeline/dedup/cluster.py" not in rows
    # an import only type checkers follow (unit_store.py's of resolve.py) is no dependency
    assert "pipeline/dedup/resolve.py" not in _names(("pipeline.dedup.unit_store",))


def test_a_change_invalidates_the_caches_of_the_code_it_touches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = ((), ROWS_CODE, DEDUP_CODE, WORDS_CODE)
    with code_copy(tmp_path, monkeypatch) as code:
        before = [code_fingerprint(*k) for k in keys]
        touch_module(code, "pipeline/tables.py")
        after_tables = [code_fingerprint(*k) for k in keys]
        touch_module(code, "pipeline/dedup/cluster.py")
        after_dedup = [code_fingerprint(*k) for k in keys]
        touch_module(code, "pipeline/extract/page_rows.py")
        after_rows = [code_fingerprint(*k) for k in keys]
        touch_module(code, "pipeline/data/people_aliases.csv")
        after_data = [code_fingerprint(*k) for k in keys]
    changed = [
        [old != new for old, new in zip(a, b, strict=True)]
        for a, b in ((before, after_tables), (after_tables, after_dedup), (after_dedup, after_rows))
    ]
    assert changed[0] == [True, False, False, False]  # the tables' code: the release alone
    assert changed[1] == [True, False, True, False]  # a dedup rule: dedup's caches too
    assert changed[2] == [True, True, True, True]  # a page's rows: everything made from them
    assert all(old != new for old, new in zip(after_rows, after_data, strict=True))
