"""The project modules a piece of code can run, found from its import statements alone.

A cache keyed on the bytes of these files (extract/fingerprint.py) survives an upgrade of code
its values never ran. The rule errs wide, never narrow:

- a module that is imported, or whose names are (`from m import f`), can run all of its code:
  every import in it counts, inside a function too, except under `if TYPE_CHECKING:`;
- a package passed through on the way to one of its modules (`from a.b.c import f` runs `a`
  and `a.b` first) runs its top level only: imports inside its functions count only if the
  package itself is imported, or if its top level uses one of its own functions.
  `pipeline/__init__.py` imports the DuckDB module inside `connect()`, which no stage calls;
  counted, it put the search index and every schema module into the extraction's closure;
- `import a.b.c` binds `a`, so `a`, `a.b` and `a.b.c` can all run in full.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path

_TOP_LEVEL, _WHOLE = 1, 2  # how much of a module may run


def code_closure(modules: Iterable[str], repo: Path, packages: Iterable[str]) -> list[Path]:
    """Source files under `repo` of `modules` and of every module of `packages` (top-level
    names: "pipeline", "schemas") they can run, at any depth."""
    own = frozenset(packages)
    runs: dict[str, int] = {}
    files: dict[str, Path] = {}
    todo = [(name, _WHOLE) for name in modules]
    while todo:
        name, extent = todo.pop()
        if runs.get(name, 0) >= extent:
            continue
        path = _module_file(name, repo, own)
        if path is None:
            continue
        if path.name != "__init__.py":
            extent = _WHOLE  # a plain module is never passed through: it is what was imported
        runs[name], files[name] = extent, path
        parts = name.split(".")
        todo.extend((".".join(parts[:depth]), _TOP_LEVEL) for depth in range(1, len(parts)))
        todo.extend((imported, _WHOLE) for imported in _imports_of(path, extent == _WHOLE))
    return sorted(files.values())


def _module_file(name: str, repo: Path, packages: frozenset[str]) -> Path | None:
    """A project module's source file; None for a module from elsewhere or a name that is not
    a module (`from pipeline.extract.records import Entry` also names `...records.Entry`)."""
    if name.split(".")[0] not in packages:
        return None
    base = repo.joinpath(*name.split("."))
    for path in (base / "__init__.py", base.with_suffix(".py")):
        if path.is_file():
            return path
    return None


@lru_cache(maxsize=1024)
def _imports_of(path: Path, in_functions: bool) -> frozenset[str]:
    """Modules a file's code can run through its imports (absolute imports only: the project
    has no relative ones); with `in_functions` False, those its top level runs: the imports
    outside functions, unless the top level calls or decorates with one of the file's own
    functions (then every import counts)."""
    tree = ast.parse(path.read_bytes(), filename=str(path))
    everywhere, top_level = _imports(tree, True), _imports(tree, False)
    if in_functions or _runs_own_functions(tree):
        return frozenset(everywhere)
    return frozenset(top_level)


def _imports(tree: ast.Module, in_functions: bool) -> set[str]:
    names: set[str] = set()
    for node in _nodes(tree, in_functions):
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                bound = 1 if alias.asname is None else len(parts)  # `import a.b` binds `a`
                names.update(".".join(parts[:depth]) for depth in range(bound, len(parts) + 1))
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _runs_own_functions(tree: ast.Module) -> bool:
    """Whether the top level calls, or decorates with, a function the file defines."""
    own = {
        node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    }
    return any(
        isinstance(node, ast.Name) and node.id in own and isinstance(node.ctx, ast.Load)
        for node in _nodes(tree, False)
    )


def _nodes(tree: ast.Module, in_functions: bool) -> Iterator[ast.AST]:
    """Every node that can run (none under `if TYPE_CHECKING:`); without `in_functions`, none
    of a function's body either (its decorators and defaults run where it is defined)."""
    todo: list[ast.AST] = [tree]
    while todo:
        node = todo.pop()
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            todo.extend(node.orelse)
            continue
        yield node
        if not in_functions and isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            todo.extend(node.decorator_list)
            todo.extend(node.args.defaults)
            todo.extend(d for d in node.args.kw_defaults if d is not None)
            continue
        if not in_functions and isinstance(node, ast.Lambda):
            todo.extend(node.args.defaults)
            continue
        todo.extend(ast.iter_child_nodes(node))


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def forget() -> None:
    """Drop the parsed imports (a test that edits the code it reads calls this)."""
    _imports_of.cache_clear()
