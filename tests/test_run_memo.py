"""Dedup's normalisations memoised per run, their answers handed to the next run: a rerun
asks the normalisers nothing they answered before, and resolves exactly as a cold run."""

from __future__ import annotations

import operator
import pickle
from pathlib import Path

import pytest

from pipeline.dedup import normalize
from pipeline.dedup.memo_file import load_memos, save_memos
from pipeline.dedup.resolve import resolve
from pipeline.publish.body_words import wait_for_count
from pipeline.run_memo import run_memo
from pipeline.runner import body_words_file, dedup_memo_file, stage_extract, stage_resolve

REPO = Path(__file__).resolve().parents[1]


def test_a_memo_computes_once_and_starts_warm() -> None:
    calls: list[str | None] = []

    @run_memo
    def shout(text: str | None) -> str:
        """Upper case."""
        calls.append(text)
        return (text or "").upper()

    assert shout("mao") == "MAO" and shout("mao") == "MAO" and shout(None) == ""
    assert calls == ["mao", None]
    assert shout.__name__ == "shout" and shout.__doc__ == "Upper case."

    answers = shout.answers()
    shout.cache_clear()
    shout.warm = {**answers, "stalin": "STALIN", "kim": "KIM"}
    assert shout("stalin") == "STALIN" and shout("zhou") == "ZHOU"
    assert calls == ["mao", None, "zhou"]  # the warm answer was taken, not computed
    assert shout.answers() == {"stalin": "STALIN", "zhou": "ZHOU"}  # only what was asked
    shout.cache_clear()
    assert len(shout) == 0 and shout.warm == {}


def test_the_memo_file_keeps_answers_for_the_same_code_only(tmp_path: Path) -> None:
    path = tmp_path / "memos.pickle"
    assert load_memos(path) == {}  # no file yet: a cold start
    memos = {"normalize_title": {"Cable No. 58986": "cable no 58986"}}
    save_memos(path, memos)
    assert load_memos(path) == memos

    stale = {"version": "1\0another code", "memos": memos}
    path.write_bytes(pickle.dumps(stale))
    assert load_memos(path) == {}
    path.write_bytes(b"\x80\x05 cut short")
    assert load_memos(path) == {}
    path.write_bytes(pickle.dumps(_FailsToLoad()))  # any error while loading: a cold start
    assert load_memos(path) == {}


class _FailsToLoad:
    def __reduce__(self) -> tuple:
        return (operator.getitem, (5, 0))  # TypeError when unpickled


@pytest.fixture(scope="module")
def seed_extraction(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    return stage_extract(REPO / "raw", tmp_path_factory.mktemp("memo") / "out")


def test_warm_answers_resolve_as_a_cold_run(seed_extraction) -> None:  # noqa: ANN001
    ext = seed_extraction
    memos: dict[str, dict] = {}
    cold = resolve(ext.entries, ext.details, ext.listings, memos)
    titles = {e["title"] for e in ext.entries if e["title"]}
    assert titles <= set(memos["normalize_title"])  # this run's answers were handed back
    assert memos["normalize_title"]["Karsky to Cde. Miklashevsky"] == (
        "karsky to comrade miklashevsky"
    )

    memos["normalize_title"]["A title no page prints"] = "a title no page prints"
    warm = resolve(ext.entries, ext.details, ext.listings, memos)
    assert warm.documents == cold.documents
    assert warm.document_people == cold.document_people
    assert warm.document_matches.data == cold.document_matches.data
    assert warm.entry_document == cold.entry_document
    assert "A title no page prints" not in memos["normalize_title"]  # not carried on


def test_a_rerun_asks_the_normalisers_nothing_answered_before(
    seed_extraction,  # noqa: ANN001
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked: list[str | None] = []
    compute = normalize.normalize_title.fn

    def counted(title: str | None) -> str:
        asked.append(title)
        return compute(title)

    monkeypatch.setattr(normalize.normalize_title, "fn", counted)
    out = tmp_path / "out"
    first = stage_resolve(seed_extraction, out)
    wait_for_count(body_words_file(out))  # the word count it started beside dedup
    assert dedup_memo_file(out).is_file()
    assert len(asked) >= 10  # a cold run computes every distinct title

    asked.clear()
    again = stage_resolve(seed_extraction, out)
    wait_for_count(body_words_file(out))
    assert asked == []
    assert again.documents == first.documents
