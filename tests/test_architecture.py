"""The pure core never imports Dagster; the Dagster definitions load with every check."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PURE = [
    "pipeline/extract",
    "pipeline/dedup",
    "pipeline/publish",
    "pipeline/columns.py",
    "pipeline/packed_text.py",
    "pipeline/code_closure.py",
    "pipeline/processes.py",
    "pipeline/dates.py",
    "pipeline/tables.py",
    "pipeline/validate.py",
    "pipeline/runner.py",
    "pipeline/runs.py",
    "pipeline/up_to_date.py",
    "schemas",
]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_pure_core_never_imports_dagster() -> None:
    files = []
    for entry in PURE:
        p = REPO / entry
        files.extend(sorted(p.rglob("*.py")) if p.is_dir() else [p])
    assert len(files) > 10
    offenders = [
        str(f.relative_to(REPO))
        for f in files
        if "dagster" in _imports(f) or "dagster_pandera" in _imports(f)
    ]
    assert offenders == []


def test_definitions_load_with_checks_schedule_sensor() -> None:
    from pipeline.definitions import defs

    job = defs.resolve_job_def("archive_pipeline")
    assert job is not None
    keys = {k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys()}
    for table in [
        "raw_pages",
        "listings",
        "listing_entries",
        "document_pages",
        "documents",
        "document_listings",
        "document_matches",
        "document_people",
        "quarantine",
    ]:
        assert table in keys
    checks = defs.resolve_asset_graph().asset_check_keys
    assert len(checks) >= 10
    assert defs.resolve_schedule_def("daily_archive_pipeline").cron_schedule == "0 3 * * *"
    assert defs.resolve_sensor_def("raw_folder_sensor") is not None


def test_the_no_op_check_loads_none_of_the_stages() -> None:
    """A scheduled rerun with nothing new imports only the no-op path (pipeline/up_to_date.py):
    the stages' libraries took 1.1 of its 1.2 s. Fails when a heavy import creeps into it."""
    heavy = ["dagster", "pandera", "duckdb", "selectolax", "rapidfuzz", "pipeline.runner"]
    probe = (
        "import sys, pipeline.cli, pipeline.up_to_date; "
        f"print([m for m in {heavy!r} if m in sys.modules])"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=REPO
    )
    assert out.stdout.strip() == "[]"
