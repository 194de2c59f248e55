"""Bad input that needs a run of its own (the shared folder is in test_bad_input.py): a 50 MB
page never held in memory, a file without read permission, a named pipe that must not block,
the same junk in two files across reruns, a linked folder outside the raw folder."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pipeline.runner import run_pipeline
from tests.conftest import RAW, REPO, SEED_SEARCH_1, SEED_SEARCH_4, seed_text
from tests.helpers.pages import raw_file_paths
from tests.helpers.refused import BIG_BYTES, quarantined, raw_page

_PEAK_RSS = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from pipeline.runner import run_pipeline
    run_pipeline(Path(sys.argv[1]), Path(sys.argv[2]))
    # VmHWM: peak RSS of this process image (ru_maxrss would carry the forking parent's peak)
    status = Path("/proc/self/status").read_text()
    print(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")))
    """
)


def _peak_rss_kib(raw: Path, out: Path) -> int:
    done = subprocess.run(
        [sys.executable, "-c", _PEAK_RSS, str(raw), str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return int(done.stdout.split()[-1])


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc (Linux)")
def test_50mb_page_is_never_held_in_memory(tmp_path: Path) -> None:
    """Peak RSS of a run with a 50 MB page vs the same run with a small page instead: reading
    the page whole (bytes + decoded text) would add 100 MB; streaming its hash adds ~1 MB."""
    small, big = tmp_path / "small", tmp_path / "big"
    for raw in (small, big):
        raw.mkdir()
        shutil.copy(RAW / SEED_SEARCH_1, raw / SEED_SEARCH_1)
    text = seed_text(SEED_SEARCH_4)
    (small / "page.txt").write_text(text, encoding="utf-8")
    (big / "page.txt").write_bytes((text * (BIG_BYTES // len(text) + 1)).encode()[:BIG_BYTES])
    grew_mib = (_peak_rss_kib(big, tmp_path / "o1") - _peak_rss_kib(small, tmp_path / "o2")) / 1024
    assert grew_mib < 30, f"peak memory grew by {grew_mib:.0f} MiB for a 50 MB page"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a chmod 000 file anyway")
def test_unreadable_file_permissions(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(RAW / SEED_SEARCH_4, raw / "locked.txt")
    (raw / "locked.txt").chmod(0)
    try:
        run = run_pipeline(raw, tmp_path / "out")
        quarantined(run, "locked.txt", "cannot read file", "Permission denied")
    finally:
        (raw / "locked.txt").chmod(0o644)
    # a permission problem is not cached: fixed without touching the file, it is read next run
    again = run_pipeline(raw, tmp_path / "out")
    assert raw_page(again, "locked.txt")["status"] == "parsed"


def test_named_pipe_is_refused_without_blocking(tmp_path: Path) -> None:
    """A FIFO in the raw folder would block a plain read forever; the run must go on."""
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(RAW / SEED_SEARCH_4, raw / SEED_SEARCH_4)
    os.mkfifo(raw / "pipe.txt")
    script = (
        "import sys; from pathlib import Path; from pipeline.runner import run_pipeline; "
        "r = run_pipeline(Path(sys.argv[1]), Path(sys.argv[2])); "
        "print(r.tables['raw_pages'][['path', 'status', 'reason']].to_json(orient='records'))"
    )
    try:
        done = subprocess.run(
            [sys.executable, "-c", script, str(raw), str(tmp_path / "out")],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=120,  # a hang guard, not a speed check
        )
    except subprocess.TimeoutExpired:
        pytest.fail("the run blocked reading a named pipe")
    assert done.returncode == 0, done.stderr
    rows = {r["path"]: r for r in json.loads(done.stdout.strip().splitlines()[-1])}
    assert rows[SEED_SEARCH_4]["status"] == "parsed"
    assert rows["pipe.txt"]["status"] == "quarantined"
    assert rows["pipe.txt"]["reason"].startswith("pipe.txt: ")
    assert "not a regular file" in rows["pipe.txt"]["reason"]


def test_same_junk_saved_twice_each_reason_names_its_own_file(tmp_path: Path) -> None:
    """Two files with the same refused bytes: each reason names its own file, on every run
    (the per-page cache is keyed by content and must not carry one file's name to the other)."""
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(RAW / SEED_SEARCH_4, raw / SEED_SEARCH_4)
    for name in ("a_export.csv", "b_export.csv", "c_empty.txt", "d_empty.txt"):
        (raw / name).write_text("id,title\n1,Karsky\n" if name.endswith(".csv") else "")
    reasons = []
    for _ in range(3):
        run = run_pipeline(raw, tmp_path / "out")
        raw_pages = run.tables["raw_pages"].set_index("path")
        for path in ("a_export.csv", "b_export.csv", "c_empty.txt", "d_empty.txt"):
            reason = raw_pages.loc[path, "reason"]
            assert raw_pages.loc[path, "status"] == "quarantined"
            assert reason.startswith(f"{path}: "), reason
            other = {"a": "b", "b": "a", "c": "d", "d": "c"}[path[0]]
            assert f"{other}_" not in reason.split(": ", 1)[1] or "same bytes as" in reason
        q = run.tables["quarantine"]
        assert set(q["path"]) == {"a_export.csv", "b_export.csv", "c_empty.txt", "d_empty.txt"}
        assert all(r.startswith(f"{p}: ") for p, r in zip(q["path"], q["reason"], strict=True))
        reasons.append(list(raw_pages["reason"].fillna("")))
    assert reasons[0] == reasons[1] == reasons[2]


def test_symlinked_folder_out_of_the_raw_folder_is_accounted(tmp_path: Path) -> None:
    """A link to a folder elsewhere is not followed, but it is not silently skipped either."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copy(RAW / SEED_SEARCH_1, elsewhere / "page.txt")
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(RAW / SEED_SEARCH_4, raw / SEED_SEARCH_4)
    os.symlink(elsewhere, raw / "more_pages")
    run = run_pipeline(raw, tmp_path / "out")
    raw_pages = run.tables["raw_pages"]
    assert sorted(raw_pages["path"]) == [SEED_SEARCH_4, "more_pages"] == raw_file_paths(raw)
    quarantined(run, "more_pages", "symlink pointing outside the raw folder")
    assert len(run.tables["listing_entries"]) == 10
