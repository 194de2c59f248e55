"""Every kind of bad file a raw folder can hold, each through `run_pipeline`: the page is read
right (odd encodings, line ends, BOMs, cuts) or refused with a reason naming the file — never
lost, never a crash, never wrong rows.

One raw folder holds one file of each kind (plus the seeds), run once; each test checks its
file's `raw_pages` row and rows. Cases that need a run of their own (a FIFO, a permission
problem, the memory ceiling) build their own folder.
"""

from __future__ import annotations

import codecs
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from pipeline.extract.classify import parse_text
from pipeline.runner import RunResult, run_pipeline
from pipeline.validate import cross_table_problems
from tests.conftest import (
    RAW,
    REPO,
    SEED_SEARCH_1,
    SEED_SEARCH_4,
    SEED_SINO_SOVIET,
    SEED_XINJIANG,
    seed_text,
)
from tests.helpers.pages import PNG_BYTES, raw_file_paths

BIG_BYTES = 50 * 1024 * 1024
ACCENTED_TITLE = "Karsky to Cde. Miklashevsky (réponse)"
LATIN1_TITLE = "Letter to the Soviet Ambassador in Chongqing (Légation)"


def _latin1_page() -> str:
    return seed_text(SEED_SEARCH_4).replace(
        "Letter to the Soviet Ambassador in Chongqing", LATIN1_TITLE
    )


def _cp1252_page() -> str:
    return seed_text(SEED_XINJIANG).replace("Karsky to Cde. Miklashevsky", ACCENTED_TITLE)


def _build(raw: Path, outside: Path) -> None:
    """One file of each kind (names say what they are)."""
    raw.mkdir(parents=True)
    for name in (SEED_SEARCH_1, SEED_SEARCH_4, SEED_XINJIANG):
        shutil.copy(RAW / name, raw / name)
    s0, s4 = seed_text(SEED_SEARCH_1), seed_text(SEED_SEARCH_4)
    (raw / "empty.txt").write_bytes(b"")
    (raw / "blank.txt").write_bytes(b"  \n\n\t\r\n ")
    (raw / "picture.txt").write_bytes(PNG_BYTES)
    (raw / "latin1.txt").write_bytes(_latin1_page().encode("latin-1"))
    (raw / "cp1252.txt").write_bytes(_cp1252_page().encode("cp1252"))
    (raw / "utf16_bom.txt").write_bytes(s0.encode("utf-16"))  # BOM + native order
    (raw / "utf16_le_no_bom.txt").write_bytes(s0.encode("utf-16-le"))
    (raw / "utf16_be_no_bom.txt").write_bytes(s4.encode("utf-16-be"))
    (raw / "utf8_bom.txt").write_bytes(codecs.BOM_UTF8 + s4.encode("utf-8"))
    (raw / "crlf.txt").write_bytes(s0.replace("\n", "\r\n").encode("utf-8"))
    (raw / "cr_only.txt").write_bytes(s4.replace("\n", "\r").encode("utf-8"))
    cut_at = s0.index("Cable, Mao Zedong to Comrade Filippov") + 10
    (raw / "cut.txt").write_text(s0[:cut_at], encoding="utf-8")
    big = (s4 * (BIG_BYTES // len(s4) + 1)).encode("utf-8")[:BIG_BYTES]
    (raw / "huge.txt").write_bytes(big)
    (raw / "export.csv").write_text("id,title,date\n1,Karsky,1949-08-01\n2,Liu,1949-08-02\n")
    (raw / "export.json").write_text(json.dumps({"documents": [{"id": 1, "title": "Karsky"}]}))
    os.symlink(outside, raw / "outside_link.txt")
    os.symlink(raw / "does-not-exist.txt", raw / "dangling_link.txt")
    shutil.copy(RAW / SEED_SINO_SOVIET, raw / "a_sino_soviet.txt")
    shutil.copy(RAW / SEED_SINO_SOVIET, raw / "b_sino_soviet_again.txt")
    (raw / "with_sidecar.txt").write_text(s4.replace("Hokkaido", "Hokkaidō"), encoding="utf-8")
    (raw / "with_sidecar.txt.meta.json").write_text('{"url": "https://digitalarchive')


@pytest.fixture(scope="module")
def bad_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, RunResult]:
    root = tmp_path_factory.mktemp("bad_input")
    outside = root / "outside.txt"
    outside.write_text(seed_text(SEED_SEARCH_1), encoding="utf-8")
    raw = root / "raw"
    _build(raw, outside)
    return raw, run_pipeline(raw, root / "out")


def _page(run: RunResult, path: str) -> dict:
    raw = run.tables["raw_pages"]
    rows = raw[raw["path"] == path].to_dict("records")
    assert len(rows) == 1, f"{path}: {len(rows)} raw_pages rows"
    return rows[0]


def _entries(run: RunResult, path: str) -> list[tuple]:
    sha = _page(run, path)["page_sha256"]
    e = run.tables["listing_entries"]
    e = e[e["page_sha256"] == sha].sort_values("position")
    return list(e[["position", "date_raw", "title", "summary"]].itertuples(index=False, name=None))


def _expected_entries(text: str) -> list[tuple]:
    listing = parse_text(text).listing
    assert listing is not None
    return [(e.position, e.date_raw, e.title, e.summary) for e in listing.entries]


def _quarantined(run: RunResult, path: str, *words: str) -> dict:
    page = _page(run, path)
    assert page["status"] == "quarantined", page
    assert page["reason"].startswith(f"{path}: "), page["reason"]
    for word in words:
        assert word in page["reason"], page["reason"]
    q = run.tables["quarantine"]
    rows = q[(q["path"] == path) & (q["table_name"] == "raw_pages")]
    assert list(rows["reason"]) == [page["reason"]]
    assert list(rows["stage"]) == ["extract"]
    # a refused page yields no rows anywhere
    sha = page["page_sha256"]
    for table in ("listings", "listing_entries", "document_pages"):
        frame = run.tables[table]
        owned = frame[frame["page_sha256"] == sha]
        assert owned.empty or _owner_is_other_file(run, sha, path), (table, path)
    return page


def _owner_is_other_file(run: RunResult, sha: str, path: str) -> bool:
    raw = run.tables["raw_pages"]
    same = raw[(raw["page_sha256"] == sha) & (raw["status"] == "parsed")]
    return list(same["path"]) != [path] and len(same) == 1


def test_empty_file(bad_run: tuple[Path, RunResult]) -> None:
    _, run = bad_run
    _quarantined(run, "empty.txt", "empty file")
    _quarantined(run, "blank.txt", "empty file")
    assert _page(run, "empty.txt")["bytes"] == 0


def test_binary_file(bad_run: tuple[Path, RunResult]) -> None:
    _, run = bad_run
    page = _quarantined(run, "picture.txt", "binary")
    assert page["bytes"] == len(PNG_BYTES)


def test_latin1_page_is_parsed_with_its_accents(bad_run: tuple[Path, RunResult]) -> None:
    _, run = bad_run
    page = _page(run, "latin1.txt")
    assert page["status"] == "parsed" and page["kind"] == "search_listing"
    # Latin-1 bytes are read as Windows-1252 (its superset for every printable character)
    assert page["encoding"] in {"cp1252", "latin-1", "iso-8859-1"}
    assert _entries(run, "latin1.txt") == _expected_entries(_latin1_page())
    assert LATIN1_TITLE in {t for _, _, t, _ in _entries(run, "latin1.txt")}


def test_cp1252_page_with_bullets_is_parsed(bad_run: tuple[Path, RunResult]) -> None:
    _, run = bad_run
    page = _page(run, "cp1252.txt")
    assert (page["status"], page["kind"], page["encoding"]) == (
        "parsed",
        "collection_listing",
        "cp1252",
    )
    got = _entries(run, "cp1252.txt")
    assert got == _expected_entries(_cp1252_page())
    assert got[0][2] == ACCENTED_TITLE


@pytest.mark.parametrize(
    ("path", "encoding", "seed"),
    [
        ("utf16_bom.txt", "utf-16", SEED_SEARCH_1),
        ("utf16_le_no_bom.txt", "utf-16-le", SEED_SEARCH_1),
        ("utf16_be_no_bom.txt", "utf-16-be", SEED_SEARCH_4),
        ("utf8_bom.txt", "utf-8-sig", SEED_SEARCH_4),
    ],
)
def test_utf16_and_bom_pages_read_like_the_utf8_seed(
    bad_run: tuple[Path, RunResult], path: str, encoding: str, seed: str
) -> None:
    _, run = bad_run
    page = _page(run, path)
    assert (page["status"], page["encoding"], page["reason"]) == ("parsed", encoding, None)
    assert _entries(run, path) == _expected_entries(seed_text(seed))


@pytest.mark.parametrize(
    ("path", "seed"), [("crlf.txt", SEED_SEARCH_1), ("cr_only.txt", SEED_SEARCH_4)]
)
def test_crlf_line_ends_parse_like_lf(
    bad_run: tuple[Path, RunResult], path: str, seed: str
) -> None:
    _, run = bad_run
    assert _page(run, path)["status"] == "parsed"
    lf_sha = _page(run, seed)["page_sha256"]
    got = _entries(run, path)
    assert got == _entries(run, seed) == _expected_entries(seed_text(seed))
    assert len(got) == 10
    listings = run.tables["listings"].set_index("page_sha256")
    mine = listings.loc[_page(run, path)["page_sha256"]]
    theirs = listings.loc[lf_sha]
    for col in ("range_first", "range_last", "range_total", "is_truncated", "n_entries"):
        assert mine[col] == theirs[col], col


def test_page_cut_midway_is_flagged_truncated(bad_run: tuple[Path, RunResult]) -> None:
    _, run = bad_run
    page = _page(run, "cut.txt")
    assert page["status"] == "parsed"
    listing = run.tables["listings"].set_index("page_sha256").loc[page["page_sha256"]]
    assert bool(listing["is_truncated"]) is True
    got = _entries(run, "cut.txt")
    whole = _expected_entries(seed_text(SEED_SEARCH_1))
    # the six entries before the cut are read whole; the cut one ("Cable, Mao Z") is flagged
    assert got[:6] == whole[:6]
    assert len(got) == 7 and got[6][2] == "Cable, Mao"
    e = run.tables["listing_entries"]
    flags = e[e["page_sha256"] == page["page_sha256"]].sort_values("position")["is_truncated"]
    assert list(flags) == [False] * 6 + [True]


def test_50mb_page_is_refused_over_the_cap(bad_run: tuple[Path, RunResult]) -> None:
    _, run = bad_run
    page = _quarantined(run, "huge.txt", "over the 16 MB page cap", "50.0 MB")
    assert page["bytes"] == BIG_BYTES
    assert len(page["page_sha256"]) == 64


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


@pytest.mark.parametrize("path", ["export.csv", "export.json"])
def test_file_that_is_not_a_page_is_unknown_layout(
    bad_run: tuple[Path, RunResult], path: str
) -> None:
    _, run = bad_run
    page = _quarantined(run, path, "unknown layout")
    assert page["kind"] == "unknown"


def test_symlink_out_of_the_raw_folder_is_not_read(bad_run: tuple[Path, RunResult]) -> None:
    _, run = bad_run
    _quarantined(run, "outside_link.txt", "symlink pointing outside the raw folder", "not read")


def test_same_page_saved_twice_yields_its_entries_once(bad_run: tuple[Path, RunResult]) -> None:
    _, run = bad_run
    first = _page(run, "a_sino_soviet.txt")
    assert first["status"] == "parsed"
    _quarantined(run, "b_sino_soviet_again.txt", "same bytes as a_sino_soviet.txt", "duplicate")
    second = _page(run, "b_sino_soviet_again.txt")
    assert second["page_sha256"] == first["page_sha256"]
    listings = run.tables["listings"]
    assert list(listings.loc[listings["page_sha256"] == first["page_sha256"], "path"]) == [
        "a_sino_soviet.txt"
    ]
    entries = _entries(run, "a_sino_soviet.txt")
    assert entries == _expected_entries(seed_text(SEED_SINO_SOVIET)) and len(entries) == 20
    # each of its documents lists this collection once, not twice
    dl = run.tables["document_listings"]
    assert not dl.duplicated(["document_id", "listing_id"]).any()


def test_unreadable_file_dangling_link(bad_run: tuple[Path, RunResult]) -> None:
    """A directory entry that cannot be opened (here a link to nothing: honest as root too)."""
    _, run = bad_run
    _quarantined(run, "dangling_link.txt", "cannot read file")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a chmod 000 file anyway")
def test_unreadable_file_permissions(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(RAW / SEED_SEARCH_4, raw / "locked.txt")
    (raw / "locked.txt").chmod(0)
    try:
        run = run_pipeline(raw, tmp_path / "out")
        _quarantined(run, "locked.txt", "cannot read file", "Permission denied")
    finally:
        (raw / "locked.txt").chmod(0o644)
    # a permission problem is not cached: fixed without touching the file, it is read next run
    again = run_pipeline(raw, tmp_path / "out")
    assert _page(again, "locked.txt")["status"] == "parsed"


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


def test_broken_sidecar_page_still_parsed(bad_run: tuple[Path, RunResult]) -> None:
    _, run = bad_run
    page = _page(run, "with_sidecar.txt")
    assert (page["status"], page["url"], page["reason"]) == ("parsed", None, None)
    assert len(_entries(run, "with_sidecar.txt")) == 10
    q = run.tables["quarantine"]
    rows = q[q["table_name"] == "sidecar"]
    assert list(rows["path"]) == ["with_sidecar.txt"]
    assert rows.iloc[0]["reason"].startswith("with_sidecar.txt: sidecar with_sidecar.txt.meta.json")
    assert "not valid JSON" in rows.iloc[0]["reason"]


def test_every_raw_file_is_accounted_for(bad_run: tuple[Path, RunResult]) -> None:
    raw_dir, run = bad_run
    raw = run.tables["raw_pages"]
    files = raw_file_paths(raw_dir)
    assert len(files) == 23
    assert sorted(raw["path"]) == files
    assert not raw["path"].duplicated().any()
    parsed = int((raw["status"] == "parsed").sum())
    quarantined = int((raw["status"] == "quarantined").sum())
    assert parsed + quarantined == len(raw) == len(files)
    assert (parsed, quarantined) == (14, 9)
    q = run.tables["quarantine"]
    for row in raw[raw["status"] == "quarantined"].itertuples():
        assert row.reason.startswith(f"{row.path}: "), row.reason
        assert ((q["path"] == row.path) & (q["reason"] == row.reason)).any(), row.path
    assert raw.loc[raw["status"] == "parsed", "reason"].isna().all()
    assert cross_table_problems(run.tables) == {}
    record = run.record
    assert (record.pages_seen, record.pages_quarantined) == (23, 9)


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
    _quarantined(run, "more_pages", "symlink pointing outside the raw folder")
    assert len(run.tables["listing_entries"]) == 10


def test_reasons_are_plain_text(bad_run: tuple[Path, RunResult]) -> None:
    """Reasons are one line each (they are read in terminals and spreadsheets)."""
    _, run = bad_run
    reasons = pd.concat([run.tables["raw_pages"]["reason"], run.tables["quarantine"]["reason"]])
    for reason in reasons.dropna():
        assert "\n" not in reason and len(reason) < 400, reason
