"""Body words counted ahead (pipeline/publish/body_words.py) while dedup runs: the search index
built from them is the index built without them, row for row; the file keeps what it counted
from run to run and counts only texts it has not seen."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from pipeline.extract.pages import Extraction
from pipeline.packed_text import PackedText
from pipeline.publish import body_words
from pipeline.publish.body_words import (
    BodyWordsInBackground,
    count_body_words,
    wait_for_count,
)
from pipeline.publish.duckdb_db import build_database
from pipeline.publish.parquet import write_parquet
from pipeline.runner import body_words_file, run_pipeline, stage_extract, stage_resolve
from tests.conftest import RAW
from tests.helpers.processes import dead_pid
from tests.helpers.search import extension_scores, search_db

TEXT = {"capture_output": True, "text": True, "check": True}
INDEX_TABLES = {
    "search_terms": "term, document_id",
    "search_docs": "document_id",
    "search_dict": "term",
    "search_stats": "num_docs",
}
# Accents (stripped), a Greek question mark (canonically ";", a separator once stripped), a
# combining accent after a space, digits, capitals, Cyrillic, and an empty body.
TRICKY_BODIES = [
    "Zhou Enlai’s CAFÉ memo; café in Zanzibar. Ｆｕｌｌ width 1950-02-14",
    "Kovalev\u037eZanzibar \u0301harbour, naïve coöperation — Москва ТЕЛЕГРАММА",
    "",
]


def _release(seed_outputs: Path, dst: Path) -> Path:
    """The seed release's Parquet files plus three detail pages of tricky text, one of them a
    second page with the same body as an existing one."""
    shutil.copytree(seed_outputs / "current", dst, ignore=shutil.ignore_patterns("*.duckdb"))
    pages = pd.read_parquet(dst / "document_pages.parquet")
    extra = pd.concat([pages.iloc[[0]]] * 4, ignore_index=True)
    extra["page_sha256"] = [c * 64 for c in "cdef"]
    extra["body"] = [*TRICKY_BODIES, pages["body"].iloc[0]]
    both = pd.concat([pages, extra]).sort_values("page_sha256").reset_index(drop=True)
    write_parquet("document_pages", both, dst / "document_pages.parquet")
    return dst


def _index(db: Path) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {
            table: con.sql(f"SELECT * FROM store.{table} ORDER BY {order}").fetchall()
            for table, order in INDEX_TABLES.items()
        }
    finally:
        con.close()


def _bodies(release: Path) -> list[str]:
    return pd.read_parquet(release / "document_pages.parquet")["body"].tolist()


@pytest.mark.parametrize("share", [1.0, 0.5])
def test_words_counted_ahead_give_the_same_index(
    seed_outputs: Path, tmp_path: Path, share: float
) -> None:
    """All bodies counted ahead, or half of them (the build tokenizes the others)."""
    plain = _release(seed_outputs, tmp_path / "plain")
    build_database(plain / "archive.duckdb", plain)
    ahead = _release(seed_outputs, tmp_path / "ahead")
    bodies = _bodies(ahead)
    counted = bodies[: int(len(bodies) * share)]
    # (page, body) as extraction holds them: some bodies packed
    pages = [(f"{i:064x}", PackedText.pack(b) if i % 2 else b) for i, b in enumerate(counted)]
    words = tmp_path / "words.duckdb"
    assert count_body_words(pages, words) == len(set(counted) - {None})
    build_database(ahead / "archive.duckdb", ahead, ahead=words)
    expected = _index(plain / "archive.duckdb")
    assert _index(ahead / "archive.duckdb") == expected
    terms = {row[0] for row in expected["search_terms"]}
    assert {"cafe", "naiv", "москва", "zanzibar"} <= terms  # the tricky text was indexed
    assert not {"enlai’s", "café"} & terms


@pytest.mark.parametrize("query", ["café", "naive cooperation", "Москва", "Ｆｕｌｌ", "harbour"])
def test_the_tricky_text_scores_as_the_extension_does(
    seed_outputs: Path, tmp_path: Path, query: str
) -> None:
    """Counting splits at the separators before normalising each word: the extension's own
    index of the same text ranks and scores the same."""
    release = _release(seed_outputs, tmp_path / "release")
    db = release / "archive.duckdb"
    build_database(db, release)
    mine, theirs = search_db(db, query), extension_scores(db, query)
    assert mine and [d for d, _ in mine] == [d for d, _ in theirs]
    assert [s for _, s in mine] == pytest.approx([s for _, s in theirs], rel=1e-12)


def test_the_build_reads_the_words_counted_ahead(seed_outputs: Path, tmp_path: Path) -> None:
    """A word only the file has (counted from a body the release also holds) is found by the
    search; a file of another index version is ignored."""
    release = _release(seed_outputs, tmp_path / "release")
    words = tmp_path / "words.duckdb"
    count_body_words([("a" * 64, _bodies(release)[0])], words)
    con = duckdb.connect(str(words))
    con.execute("INSERT INTO body_words VALUES (1, 'qqqzzz', 3)")
    con.close()
    build_database(release / "archive.duckdb", release, ahead=words)
    con = duckdb.connect(str(release / "archive.duckdb"), read_only=True)
    found = con.sql("SELECT count(*) FROM store.search_terms WHERE term = 'qqqzzz'").fetchone()
    con.close()
    assert found == (1,)

    stale = _release(seed_outputs, tmp_path / "stale")
    con = duckdb.connect(str(words))
    con.execute("UPDATE version SET index_version = 'another'")
    con.close()
    build_database(stale / "archive.duckdb", stale, ahead=words)
    plain = _release(seed_outputs, tmp_path / "plain")
    build_database(plain / "archive.duckdb", plain)
    assert _index(stale / "archive.duckdb") == _index(plain / "archive.duckdb")


def test_a_failed_count_is_reported_and_the_run_goes_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    taken = tmp_path / "words.duckdb"
    taken.mkdir()  # a folder where the file should be: the counting process fails
    job = BodyWordsInBackground([("a" * 64, "Zanzibar")], taken).start()
    assert job.finish() is None
    err = capsys.readouterr().err
    assert "counting the page texts' words ahead failed (exit code 1)" in err
    # no todo file left (the lock file stays: removing it could split a waiter from a counter)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["words.duckdb", "words.duckdb.counting"]


def _words(db_path: Path) -> dict[str, dict[str, int]]:
    """{body md5: {word: count}} as the file holds them."""
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        rows = con.sql(
            "SELECT body_md5, w, n FROM bodies JOIN body_words USING (body_no)"
        ).fetchall()
    finally:
        con.close()
    out: dict[str, dict[str, int]] = {}
    for md5, word, n in rows:
        out.setdefault(md5, {})[word] = n
    return out


def test_the_file_keeps_what_it_counted_and_drops_texts_no_longer_given(tmp_path: Path) -> None:
    words = tmp_path / "words.duckdb"
    kept, dropped, added = "Stalin to Mao, Stalin", "Kovalev memorandum", "Zanzibar harbour"
    first = [("a" * 64, kept), ("b" * 64, dropped), ("c" * 64, kept)]  # c: a copy of a
    assert count_body_words(first, words, "v1") == 2
    assert sorted(_words(words).values(), key=len) == [
        {"kovalev": 1, "memorandum": 1},
        {"stalin": 2, "to": 1, "mao": 1},
    ]
    con = duckdb.connect(str(words))
    con.execute("UPDATE body_words SET n = 99 WHERE w = 'stalin'")  # marks a row as not redone
    con.close()
    second = [("d" * 64, PackedText.pack(added)), ("a" * 64, kept)]
    assert count_body_words(second, words, "v1") == 2
    held = _words(words)
    assert {"zanzibar": 1, "harbour": 1} in held.values()
    assert {"stalin": 99, "to": 1, "mao": 1} in held.values()  # counted once, kept
    assert {"kovalev": 1, "memorandum": 1} not in held.values()  # no page has it any more


def test_page_links_hold_only_for_the_code_that_made_them(tmp_path: Path) -> None:
    """Under the same code a page seen before is not read again; new code re-reads it (its
    body may have changed) while the counts per body stay."""
    words = tmp_path / "words.duckdb"
    count_body_words([("a" * 64, "Stalin to Mao")], words, "v1")
    count_body_words([("a" * 64, "Kovalev memorandum")], words, "v1")
    assert list(_words(words).values()) == [{"stalin": 1, "to": 1, "mao": 1}]
    count_body_words([("a" * 64, "Kovalev memorandum")], words, "v2")
    assert list(_words(words).values()) == [{"kovalev": 1, "memorandum": 1}]


def test_a_broken_or_outdated_file_starts_afresh(tmp_path: Path) -> None:
    words = tmp_path / "words.duckdb"
    words.write_bytes(b"not a database")
    assert count_body_words([("a" * 64, "Peng Dehuai")], words) == 1
    con = duckdb.connect(str(words))
    con.execute("UPDATE version SET index_version = 'another'")
    con.execute("UPDATE body_words SET n = 99")
    con.close()
    assert count_body_words([("a" * 64, "Peng Dehuai")], words) == 1
    assert list(_words(words).values()) == [{"peng": 1, "dehuai": 1}]


def test_dedup_counts_the_words_and_the_run_publishes_the_same_index(tmp_path: Path) -> None:
    out = tmp_path / "out"
    extraction: Extraction = stage_extract(RAW, out)
    stage_resolve(extraction)  # no output folder: nothing counted ahead
    assert not body_words_file(out).exists()
    stage_resolve(extraction, out)
    wait_for_count(body_words_file(out))  # dedup leaves the count running: publishing waits
    assert len(_words(body_words_file(out))) == len(extraction.details) == 1

    run = run_pipeline(RAW, out)
    assert [p.name for p in (out / "releases").iterdir()] == [run.record.release_id]
    assert sorted(p.name for p in (out / "current").iterdir()) == sorted(
        [f"{t}.parquet" for t in run.tables] + ["archive.duckdb"]
    )
    plain = tmp_path / "plain"
    shutil.copytree(out / "current", plain, ignore=shutil.ignore_patterns("*.duckdb"))
    build_database(plain / "archive.duckdb", plain)
    assert _index(out / "archive.duckdb") == _index(plain / "archive.duckdb")


def test_todo_files_of_dead_runs_go_and_a_cancelled_count_leaves_none(tmp_path: Path) -> None:
    words = tmp_path / "words.duckdb"
    stale = tmp_path / f"words.duckdb.todo-{dead_pid()}"
    stale.write_bytes(b"left by a killed run")
    alive = tmp_path / f"words.duckdb.todo-{os.getppid()}"  # a running process's
    alive.write_bytes(b"still in use")
    pages = [(f"{i:064x}", f"Telegram {i} from Stalin to Mao about Xinjiang") for i in range(500)]
    job = BodyWordsInBackground(pages, words).start()
    assert not stale.exists() and alive.exists()
    job.cancel()
    assert sorted(p.name for p in tmp_path.iterdir() if "todo" in p.name) == [alive.name]
    assert count_body_words(pages[:1], words) == 1  # whatever the kill left, it is usable


def test_a_file_another_run_is_writing_is_left_to_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two runs on one output folder: the second count cannot open the file (DuckDB allows one
    writer), fails without touching it, and that run's index counts the words itself."""
    words = tmp_path / "words.duckdb"
    count_body_words([("a" * 64, "Stalin to Mao")], words)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time, duckdb; con = duckdb.connect(sys.argv[1]); print('held', "
            "flush=True); time.sleep(60)",
            str(words),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        job = BodyWordsInBackground([("b" * 64, "Kovalev memorandum")], words).start()
        assert job.finish() is None
        assert "counting the page texts' words ahead failed" in capsys.readouterr().err
    finally:
        holder.kill()
        holder.wait()
    assert list(_words(words).values()) == [{"stalin": 1, "to": 1, "mao": 1}]  # untouched


def _telegrams(n: int) -> list[tuple[str, str]]:
    """(page sha256, body) pairs long enough that counting them outlasts starting a process."""
    return [(f"{i:064x}", f"Telegram {i} from Filippov to Mao Zedong " * 40) for i in range(n)]


def test_a_detached_count_is_waited_for_by_whoever_publishes(tmp_path: Path) -> None:
    """Dedup leaves the count running; publishing, in this process or in another Dagster step's
    (which has no handle on the counting process, only its lock), waits for every word."""
    pages = _telegrams(3000)
    for handle_kept in (True, False):
        words = tmp_path / f"words-{handle_kept}.duckdb"
        BodyWordsInBackground(pages, words).start().detach()
        orphans = [] if handle_kept else body_words._DETACHED.pop(words)  # only the lock left
        wait_for_count(words)
        assert len(_words(words)) == len(pages)
        assert not list(tmp_path.glob("*.todo-*"))  # the count removed its todo file
        assert all(process.wait() == 0 for process in orphans)
    assert not body_words._DETACHED
    wait_for_count(tmp_path / "never-counted.duckdb")  # nothing to wait for


def test_a_second_count_on_a_file_being_counted_says_so_and_leaves_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    words = tmp_path / "words.duckdb"
    pages = _telegrams(3000)
    BodyWordsInBackground(pages, words).start().detach()
    second = BodyWordsInBackground([("c" * 64, "Apresov to Molotov")], words).start()
    assert f"another run is counting into {words}" in capsys.readouterr().err
    second.detach()  # nothing started: nothing to wait for
    wait_for_count(words)
    assert len(_words(words)) == len(pages)  # the first count, whole


@pytest.mark.parametrize("version", ["v1", "v2", None])
def test_page_links_spare_hashing_the_bodies_only_for_the_code_that_made_them(
    seed_outputs: Path, tmp_path: Path, version: str | None
) -> None:
    """The build takes a page's body hash from the file's link when the file was counted by
    the code the build names (`pages_version`): a link bent to another body then shows in the
    index, which proves it was read. Under another code, or none named, the links are ignored
    and every body is hashed: the index is the one built without the file."""
    release = _release(seed_outputs, tmp_path / "release")
    pages = pd.read_parquet(release / "document_pages.parquet")
    words = tmp_path / "words.duckdb"
    count_body_words(list(zip(pages["page_sha256"], pages["body"], strict=True)), words, "v1")
    bent = pages.loc[pages["body"] == TRICKY_BODIES[0], "page_sha256"].iloc[0]
    con = duckdb.connect(str(words))
    tricky_no = con.sql(
        "SELECT body_no FROM bodies WHERE body_md5 = md5($b)", params={"b": TRICKY_BODIES[1]}
    ).fetchone()[0]
    con.execute("UPDATE pages SET body_no = $n WHERE page_sha256 = $p", {"n": tricky_no, "p": bent})
    con.close()
    build_database(release / "archive.duckdb", release, ahead=words, pages_version=version)
    plain = _release(seed_outputs, tmp_path / "plain")
    build_database(plain / "archive.duckdb", plain)
    index, expected = _index(release / "archive.duckdb"), _index(plain / "archive.duckdb")
    if version != "v1":
        assert index == expected
        return
    doc = pages.loc[pages["page_sha256"] == bent, "document_id"].iloc[0]

    def tf(rows: list[tuple], term: str) -> int:
        return sum(n for t, d, n in rows if (t, d) == (term, doc))

    # the page counts as the body its link was bent to: "Москва" twice, "café" no more
    assert tf(index["search_terms"], "москва") == tf(expected["search_terms"], "москва") + 1
    assert tf(index["search_terms"], "cafe") == 0 < tf(expected["search_terms"], "cafe")
