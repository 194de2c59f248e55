"""Smoke tests for bench/: the generator stays deterministic and parseable, and `bench.run`
still reaches its final line. No timing assertions: timings belong to `make bench`, not CI.
"""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # bench/ is not an installed package; make it importable
    sys.path.insert(0, str(REPO))

from bench.generate import generate, generate_increment  # noqa: E402

SMALL = 0.002  # ~44 pages: enough for every page kind, fast enough to run twice
BENCH_LINE = re.compile(
    r"^bench: pages=\d+ entries=\d+ seconds=\d+\.\d\d floor_seconds=\d+\.\d\d "
    r"ratio=(?:\d+\.\d\d|inf) peak_rss_mb=\d+\.\d baseline_seconds=(?:\d+\.\d\d|nan)$"
)


def tree_digest(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def truth_pages(out: Path) -> list[dict[str, str]]:
    with (out / "truth_pages.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("corpus")
    generate(out, scale=0.01, seed=7)
    return out


def test_same_arguments_give_the_same_bytes(tmp_path: Path) -> None:
    a = generate(tmp_path / "a", scale=SMALL, seed=3)
    b = generate(tmp_path / "b", scale=SMALL, seed=3)
    assert a.pages == b.pages and a.bytes == b.bytes
    assert tree_digest(tmp_path / "a") == tree_digest(tmp_path / "b")
    generate(tmp_path / "c", scale=SMALL, seed=4)
    assert tree_digest(tmp_path / "c") != tree_digest(tmp_path / "a")


def test_counts_kinds_and_layout(corpus: Path) -> None:
    truth = json.loads((corpus / "truth.json").read_text())
    rows = truth_pages(corpus)
    raw = corpus / "raw"
    snapshots = [p for p in raw.rglob("*") if p.is_file() and not p.name.endswith(".meta.json")]
    assert len(snapshots) == len(rows) == truth["pages"] == 220  # 2,000 + 20,000 at scale 1
    assert sum(p.stat().st_size for p in raw.rglob("*") if p.is_file()) == truth["bytes"]
    kinds = Counter(r["kind"] for r in rows)
    assert kinds["document_detail"] > 150 and kinds["search_listing"] > 5
    assert kinds["collection_listing"] > 3 and kinds["unknown"] >= 1
    formats = Counter((r["kind"], r["format"], r["site"]) for r in rows)
    for needed in [
        ("search_listing", "text", "new"),
        ("collection_listing", "text", "old"),
        ("document_detail", "text", "new"),
        ("document_detail", "html", "new"),
        ("document_detail", "text", "old"),
    ]:
        assert formats[needed] > 0, needed
    assert truth["truncated_pages"] >= 1 and truth["bad_pages"] >= 1
    assert truth["near_miss_documents"] >= 1
    assert sum(int(r["entries"]) for r in rows) == truth["entries"] > 300
    for folder in {p.parent for p in raw.rglob("*") if p.is_file()}:
        assert len(list(folder.iterdir())) <= 1000, folder
    html_details = [
        raw / r["path"]
        for r in rows
        if r["kind"] == "document_detail" and r["format"] == "html" and r["truncated"] == "0"
    ]
    assert all(600_000 < p.stat().st_size < 800_000 for p in html_details)  # ~700 KB, as real
    sidecar = next(raw.rglob("*.meta.json"))
    assert set(json.loads(sidecar.read_text())) == {"url", "fetched_at"}


def test_printing_variants_and_undated_entries_are_present(corpus: Path) -> None:
    text = "\n".join(
        p.read_text(encoding="utf-8") for p in (corpus / "raw").rglob("*.txt") if p.stat().st_size
    )
    assert re.search(r"^  • [A-Z][a-z]+ 0\d, \d{4}$", text, re.M)  # old site: "November 01"
    assert re.search(r"^[A-Z][a-z]+ \d, \d{4}$", text, re.M)  # new site: "November 1"
    assert re.search(r"^  • [A-Z][a-z]+, \d{4}$", text, re.M)  # old site: "August, 1949"
    assert "\u00a0" in text and "Cde. " in text and "Comrade " in text


def test_text_listing_pages_parse_to_the_generated_entry_counts(corpus: Path) -> None:
    from pipeline.extract.classify import parse_text

    checked = 0
    for row in truth_pages(corpus):
        if row["kind"] == "document_detail" or row["format"] != "text" or row["bad"]:
            continue
        text = (corpus / "raw" / row["path"]).read_text(encoding="utf-8")
        result = parse_text(text, row["url"] or None)
        assert result.listing is not None, (row["path"], result.problem)
        assert len(result.listing.entries) == int(row["entries"]), row["path"]
        checked += 1
    assert checked > 10


def test_increment_adds_about_one_percent(corpus: Path, tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    stats = generate_increment(raw, scale=0.01, seed=7, fraction=0.05, tag="inc")
    assert 0 < stats.pages <= 0.1 * 220
    assert all(p.is_relative_to(raw / "inc") for p in raw.rglob("*") if p.is_file())


@pytest.mark.skipif(
    importlib.util.find_spec("pipeline.runner") is None, reason="pipeline.runner not there yet"
)
def test_bench_run_prints_the_bench_line(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.run",
            "--scale",
            "0.01",
            "--skip-baseline",
            "--work",
            str(tmp_path),
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    lines = proc.stdout.strip().splitlines()
    assert BENCH_LINE.match(lines[-1]), lines[-1]
    assert any(line.startswith("bench: incremental ") for line in lines)
    assert any(line.startswith("bench: noop ") for line in lines)
    assert not (tmp_path / "corpus-s0.01-seed7-v1" / "raw" / "zz-increment").exists()


def test_dedup_against_the_generator_truth(tmp_path: Path) -> None:
    """On a small generated archive (cross-listed documents, printing variants, near-misses),
    no two true documents share a document_id and no true document is split."""
    from bench.generate import generate
    from bench.score_dedup import score
    from pipeline.runner import run_pipeline

    generate(tmp_path / "corpus", scale=0.01, seed=11)
    run_pipeline(tmp_path / "corpus" / "raw", tmp_path / "out")
    figures = score(tmp_path / "corpus", tmp_path / "out" / "current")
    assert figures["rows_scored"] > 500
    assert figures["false_merges"] == 0
    assert figures["false_splits"] == 0
