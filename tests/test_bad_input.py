"""Every kind of bad file a raw folder can hold, each through `run_pipeline`: the page is read
right (odd encodings, line ends, BOMs, cuts) or refused with a reason naming the file — never
lost, never a crash, never wrong rows.

One raw folder holds one file of each kind (plus the seeds), run once; each test checks its
file's `raw_pages` row and rows. Cases that need a run of their own (a FIFO, a permission
problem, the memory ceiling) are in test_bad_input_own_runs.py.
"""

from __future__ import annotations

import codecs
import json
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from pipeline.extract.classify import parse_text
from pipeline.runner import RunResult, run_pipeline
from pipeline.validate import cross_table_problems
from tests.conftest import (
    RAW,
    SEED_SEARCH_1,
    SEED_SEARCH_4,
    SEED_SINO_SOVIET,
    SEED_XINJIANG,
    seed_text,
)
from tests.helpers.pages import PNG_BYTES, raw_file_paths
from tests.helpers.refused import BIG_BYTES, quarantined, raw_page

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


def _entries(run: RunResult, path: str) -> list[tuple]:
    sha = raw_page(run, path)["page_sha256"]
    e = run.tables["listing_entries"]
    e = e[e["page_sha256"] == sha].sort_values("position")
    return list(e[["position", "date_raw", "title", "summary"]].itertuples(index=False, name=None))


def _expected_entries(text: str) -> list[tuple]:
    listing = parse_text(text).listing
    assert listing is not None
    return [(e.position, e.date_raw, e.title, e.summary) for e in listing.entries]


def test_empty_file(bad_run: tuple[Path, RunResult]) -> None:
    _, run = bad_run
    quarantined(run, "empty.txt", "empty file")
    quarantined(run, "blank.txt", "empty file")
    assert raw_page(run, "empty.txt")["bytes"] == 0


def test_binary_file(bad_run: tuple[Path, RunResult]) -> None:
    _, run = bad_run
    page = quarantined(run, "picture.txt", "binary")
    assert page["bytes"] == len(PNG_BYTES)


def test_latin1_page_is_parsed_with_its_accents(bad_run: tuple[Path, RunResult]) -> None:
    _, run = bad_run
    page = raw_page(run, "latin1.txt")
    assert page["status"] == "parsed" and page["kind"] == "search_listing"
    # Latin-1 bytes are read as Windows-1252 (its superset for every printable character)
    assert page["encoding"] in {"cp1252", "latin-1", "iso-8859-1"}
    assert _entries(run, "latin1.txt") == _expected_entries(_latin1_page())
    assert LATIN1_TITLE in {t for _, _, t, _ in _entries(run, "latin1.txt")}


def test_cp1252_page_with_bullets_is_parsed(bad_run: tuple[Path, RunResult]) -> None:
    _, run = bad_run
    page = raw_page(run, "cp1252.txt")
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
    page = raw_page(run, path)
    assert (page["status"], page["encoding"], page["reason"]) == ("parsed", encoding, None)
    assert _entries(run, path) == _expected_entries(seed_text(seed))


@pytest.mark.parametrize(
    ("path", "seed"), [("crlf.txt", SEED_SEARCH_1), ("cr_only.txt", SEED_SEARCH_4)]
)
def test_crlf_line_ends_parse_like_lf(
    bad_run: tuple[Path, RunResult], path: str, seed: str
) -> None:
    _, run = bad_run
    assert raw_page(run, path)["status"] == "parsed"
    lf_sha = raw_page(run, seed)["page_sha256"]
    got = _entries(run, path)
    assert got == _entries(run, seed) == _expected_entries(seed_text(seed))
    assert len(got) == 10
    listings = run.tables["listings"].set_index("page_sha256")
    mine = listings.loc[raw_page(run, path)["page_sha256"]]
    theirs = listings.loc[lf_sha]
    for col in ("range_first", "range_last", "range_total", "is_truncated", "n_entries"):
        assert mine[col] == theirs[col], col


def test_page_cut_midway_is_flagged_truncated(bad_run: tuple[Path, RunResult]) -> None:
    _, run = bad_run
    page = raw_page(run, "cut.txt")
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
    page = quarantined(run, "huge.txt", "over the 16 MB page cap", "50.0 MB")
    assert page["bytes"] == BIG_BYTES
    assert len(page["page_sha256"]) == 64


@pytest.mark.parametrize("path", ["export.csv", "export.json"])
def test_file_that_is_not_a_page_is_unknown_layout(
    bad_run: tuple[Path, RunResult], path: str
) -> None:
    _, run = bad_run
    page = quarantined(run, path, "unknown layout")
    assert page["kind"] == "unknown"


def test_symlink_out_of_the_raw_folder_is_not_read(bad_run: tuple[Path, RunResult]) -> None:
    _, run = bad_run
    quarantined(run, "outside_link.txt", "symlink pointing outside the raw folder", "not read")


def test_same_page_saved_twice_yields_its_entries_once(bad_run: tuple[Path, RunResult]) -> None:
    _, run = bad_run
    first = raw_page(run, "a_sino_soviet.txt")
    assert first["status"] == "parsed"
    quarantined(run, "b_sino_soviet_again.txt", "same bytes as a_sino_soviet.txt", "duplicate")
    second = raw_page(run, "b_sino_soviet_again.txt")
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
    quarantined(run, "dangling_link.txt", "cannot read file")


def test_broken_sidecar_page_still_parsed(bad_run: tuple[Path, RunResult]) -> None:
    _, run = bad_run
    page = raw_page(run, "with_sidecar.txt")
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


def test_reasons_are_plain_text(bad_run: tuple[Path, RunResult]) -> None:
    """Reasons are one line each (they are read in terminals and spreadsheets)."""
    _, run = bad_run
    reasons = pd.concat([run.tables["raw_pages"]["reason"], run.tables["quarantine"]["reason"]])
    for reason in reasons.dropna():
        assert "\n" not in reason and len(reason) < 400, reason
