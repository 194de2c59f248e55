"""Shared fixtures: the seed pages in raw/ and one full Dagster run over them."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest

# The fetcher tests' local stand-in archive and its fixtures (`archive`, `fake_time`).
pytest_plugins = ["tests.helpers.fake_archive"]

REPO = Path(__file__).resolve().parents[1]
RAW = REPO / "raw"
SEED_SEARCH_1 = "000_b8627c3e629c314f.txt"
SEED_DETAIL = "001_e6ba8d6b4194133d.txt"
SEED_SINO_SOVIET = "002_ae57e85c11130f12.txt"
SEED_XINJIANG = "003_748643c9043377ee.txt"
SEED_SEARCH_4 = "004_bb0ea68de193cbd1.txt"


def seed_text(name: str) -> str:
    return (RAW / name).read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def seed_outputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Outputs of `python -m pipeline run` (Dagster, in process) over the bundled raw/."""
    from pipeline.cli import main

    out = tmp_path_factory.mktemp("seed_outputs")
    assert main(["run", "--raw", str(RAW), "--out", str(out), "--quiet"]) == 0
    return out


@pytest.fixture()
def raw_copy(tmp_path: Path) -> Path:
    """A private copy of raw/ a test may change."""
    dst = tmp_path / "raw"
    shutil.copytree(RAW, dst)
    return dst


@pytest.fixture()
def counted(monkeypatch: pytest.MonkeyPatch) -> Counter:
    """Counts of files read and pages parsed by the extract stage (see count_reads_and_parses)."""
    from tests.helpers.incremental import count_reads_and_parses

    return count_reads_and_parses(monkeypatch)
