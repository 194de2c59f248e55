"""Which code each cache is keyed on (pipeline/extract/fingerprint.py): the release and the
no-op check on all of it, the rows memo on the code that makes a page's rows, dedup's caches on
the code that resolves units. A change elsewhere keeps a cache warm."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.code_closure import code_closure
from pipeline.extract.fingerprint import DEDUP_CODE, ROWS_CODE, WORDS_CODE, code_fingerprint
from tests.helpers.code_copy import REPO, code_copy, touch_module

PROJECT = ("pipeline", "schemas")


def _names(modules: tuple[str, ...], repo: Path = REPO, packages: tuple = PROJECT) -> set[str]:
    found = code_closure(modules, repo, packages)
    return {path.relative_to(repo).as_posix() for path in found}


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
        "schemas/documents.py",  # the contract of the tables, not of the rows
        "pipeline/publish/duckdb_db.py",  # imported inside pipeline.connect(), for analysts
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


@pytest.mark.parametrize(
    ("changed_file", "invalidated"),
    [
        # (the release and no-op check, the rows memo, dedup's caches, the counted words)
        ("pipeline/tables.py", [True, False, False, False]),
        ("pipeline/cli.py", [True, False, False, False]),
        ("schemas/documents.py", [True, False, False, True]),  # the words: through duckdb_db
        ("pipeline/publish/duckdb_db.py", [True, False, False, True]),
        ("pipeline/dedup/cluster.py", [True, False, True, False]),
        ("pipeline/extract/page_rows.py", [True, True, True, True]),
        ("pipeline/dates.py", [True, True, True, True]),
        ("pipeline/data/people_aliases.csv", [True, True, True, True]),
    ],
)
def test_a_change_invalidates_the_caches_of_the_code_it_touches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, changed_file: str, invalidated: list[bool]
) -> None:
    keys = ((), ROWS_CODE, DEDUP_CODE, WORDS_CODE)
    with code_copy(tmp_path, monkeypatch) as code:
        before = [code_fingerprint(*key) for key in keys]
        touch_module(code, changed_file)
        after = [code_fingerprint(*key) for key in keys]
    assert [old != new for old, new in zip(before, after, strict=True)] == invalidated


def test_a_package_passed_through_runs_its_top_level_only(tmp_path: Path) -> None:
    """`from pkg.sub.mod import f` runs `pkg` and `pkg.sub` first, but only their top level:
    an import inside a package's function counts once the package itself is imported, or bound
    by `import pkg.sub.mod`, or called by the package's top level; a module's own
    function-level imports always count, and imports under `if TYPE_CHECKING:` never do."""
    files = {
        "pkg/__init__.py": "def connect():\n    from pkg.heavy import engine\n",
        "pkg/heavy.py": "engine = 1\n",
        "pkg/sub/__init__.py": "from pkg.sub import base\n",
        "pkg/sub/base.py": "",
        "pkg/sub/mod.py": "from pkg.sub.other import f\n",
        "pkg/sub/other.py": "def f():\n    from pkg.sub.lazy import g\n",
        "pkg/sub/lazy.py": "",
        "pkg/user.py": "from pkg import connect\n",
        "pkg/eager/__init__.py": "def setup():\n    from pkg.heavy import engine\n\nsetup()\n",
        "pkg/eager/mod.py": "",
        "pkg/decorated/__init__.py": (
            "def register(f):\n    from pkg.heavy import engine\n    return f\n\n"
            "@register\ndef handler():\n    pass\n"
        ),
        "pkg/decorated/mod.py": "",
        "pkg/klass/__init__.py": "class Engine:\n    from pkg.heavy import engine\n",
        "pkg/klass/mod.py": "",
        "pkg/binder.py": "import pkg.sub.other\n",
        "pkg/aliased.py": "import pkg.sub.other as other\n",
        "pkg/typed.py": (
            "from typing import TYPE_CHECKING\n"
            "if TYPE_CHECKING:\n    from pkg.heavy import engine\n"
        ),
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)

    def closure(module: str) -> set[str]:
        return _names((module,), tmp_path, ("pkg",))

    passed_through = {"pkg/__init__.py", "pkg/sub/__init__.py", "pkg/sub/base.py"}
    other = {"pkg/sub/other.py", "pkg/sub/lazy.py"}
    assert closure("pkg.sub.mod") == {*passed_through, "pkg/sub/mod.py", *other}
    assert closure("pkg.aliased") == {*passed_through, "pkg/aliased.py", *other}
    assert closure("pkg.typed") == {"pkg/__init__.py", "pkg/typed.py"}
    assert "pkg/heavy.py" in closure("pkg.user")  # the package's function is imported
    assert "pkg/heavy.py" in closure("pkg.binder")  # `pkg` is bound: pkg.connect() can run
    assert "pkg/heavy.py" in closure("pkg.eager.mod")  # its package runs setup() on import
    assert "pkg/heavy.py" in closure("pkg.decorated.mod")  # a decorator runs on import
    assert "pkg/heavy.py" in closure("pkg.klass.mod")  # so does a class body
