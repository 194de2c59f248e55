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
from collections.abc import Iterable
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


def _imports_of(path: Path, in_functions: bool) -> frozenset[str]:
    """Modules a file's code can run through its imports (absolute imports only: the project
    has no relative ones); with `in_functions` False, those its top level runs: the imports
    outside functions, unless the top level calls or decorates with one of the file's own
    functions (then every import counts)."""
    everywhere, top_level, uses_own_functions = _import_facts(path)
    return everywhere if in_functions or uses_own_functions else top_level


_STATEMENT_LISTS = ("body", "orelse", "finalbody", "handlers", "cases")


@lru_cache(maxsize=1024)
def _import_facts(path: Path) -> tuple[frozenset[str], frozenset[str], bool]:
    """(the imports anywhere in the file, those outside its functions, whether code outside
    its functions names one of the file's own functions). Only statements are walked (an
    import is one), and expressions only outside functions: a module of 400 lines in about a
    millisecond."""
    tree = ast.parse(path.read_bytes(), filename=str(path))
    own = {
        node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    }
    everywhere: set[str] = set()
    top_level: set[str] = set()
    uses_own = False
    todo: list[tuple[ast.AST, bool]] = [(node, True) for node in tree.body]
    while todo:
        node, at_top = todo.pop()
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            todo.extend((child, at_top) for child in node.orelse)
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = _imported(node)
            everywhere |= names
            if at_top:
                top_level |= names
            continue
        if at_top and not uses_own:
            uses_own = _names_any(own, _expressions(node))
        inside = at_top and not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        for field in _STATEMENT_LISTS:
            todo.extend((child, inside) for child in getattr(node, field, ()))
    return frozenset(everywhere), frozenset(top_level), uses_own


def _imported(node: ast.Import | ast.ImportFrom) -> set[str]:
    if isinstance(node, ast.Import):
        names = set()
        for alias in node.names:
            parts = alias.name.split(".")
            bound = 1 if alias.asname is None else len(parts)  # `import a.b` binds `a`
            names.update(".".join(parts[:depth]) for depth in range(bound, len(parts) + 1))
        return names
    if not node.module or node.level:
        return set()
    return {node.module, *(f"{node.module}.{alias.name}" for alias in node.names)}


def _expressions(node: ast.AST) -> list[ast.AST]:
    """A statement's own parts that run with it: a function's decorators and defaults, a
    class's bases, a loop's iterable (not the statements nested in its body)."""
    function = isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    parts: list[ast.AST] = []
    for field, value in ast.iter_fields(node):
        if field in _STATEMENT_LISTS or (function and field == "args"):
            continue
        parts.extend(v for v in (value if isinstance(value, list) else [value]) if v)
    if function:
        parts.extend(node.args.defaults)
        parts.extend(d for d in node.args.kw_defaults if d is not None)
    return [part for part in parts if isinstance(part, ast.AST)]


def _names_any(names: set[str], nodes: list[ast.AST]) -> bool:
    return any(
        isinstance(sub, ast.Name) and sub.id in names and isinstance(sub.ctx, ast.Load)
        for node in nodes
        for sub in ast.walk(node)
    )


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def forget() -> None:
    """Drop the parsed imports (a test that edits the code it reads calls this)."""
    _import_facts.cache_clear()
