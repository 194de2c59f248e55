"""Detail pages' full texts travel packed from extraction to the Parquet file, and come out
as the very text the page printed."""

from __future__ import annotations

import pickle
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from pipeline.extract import batch_store
from pipeline.extract.classify import parse_text
from pipeline.extract.pages import extract_bucket
from pipeline.extract.rows_memo import RowsMemo
from pipeline.packed_text import PackedText, SpooledText, unpacked
from pipeline.runner import stage_extract
from pipeline.validate import validate_table
from tests.helpers.frames import detail_pages_frame

REPO = Path(__file__).resolve().parents[1]
SEED_DETAIL = REPO / "raw" / "001_e6ba8d6b4194133d.txt"


def test_packing_keeps_the_text_and_shrinks_it() -> None:
    text = "Comrade Mao Zedong! Кому: тов. Ковалеву — “urgent”.\n\n" * 200
    packed = PackedText.pack(text)
    assert isinstance(packed, bytes) and len(packed) < len(text.encode()) / 10
    assert str(packed) == text and unpacked(packed) == text
    assert packed.utf8() == text.encode("utf-8")
    assert packed == PackedText.pack("".join(list(text)))  # equal texts, equal bytes
    assert pickle.loads(pickle.dumps(packed)) == packed
    assert type(pickle.loads(pickle.dumps(packed))) is PackedText
    assert PackedText.pack(None) is None and unpacked(None) is None and unpacked("x") == "x"
    assert repr(packed).startswith("PackedText(")
    assert str(PackedText.pack("")) == ""


def test_a_damaged_packed_text_fails_loudly() -> None:
    """A cut text (a damaged memo batch or spool) raises; it never reads as a shorter text."""
    packed = PackedText.pack("Cable from Filippov [Stalin] to Mao Zedong. " * 100)
    assert packed is not None
    with pytest.raises(OSError, match="Lz4"):
        PackedText(packed[:-5]).utf8()
    with pytest.raises(Exception, match="buffer"):
        PackedText(packed[:3]).utf8()


def test_the_seed_detail_body_is_packed_in_the_rows_and_plain_in_parquet(
    tmp_path: Path, seed_outputs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Parsed now, the body is spooled (pipeline/extract/text_spool.py) and the rows memo keeps
    it packed; taken from the memo on the rerun, spooled again; without a cache folder, packed."""
    printed = parse_text(SEED_DETAIL.read_text("utf-8"), None).detail.body
    assert printed.startswith("CABLE N\u00ba 59442")
    (spooled,) = stage_extract(REPO / "raw", tmp_path / "out").details
    assert isinstance(spooled["body"], SpooledText) and str(spooled["body"]) == printed
    memo = RowsMemo(tmp_path / "out" / ".cache", "0-of-1").stored.values()
    (memo_detail,) = [detail for _, _, rows in memo for detail in rows[3]]
    assert isinstance(memo_detail["body"], PackedText) and str(memo_detail["body"]) == printed
    monkeypatch.setattr(batch_store, "COMPACT_SLACK", -100)  # the rerun rewrites the memo
    batches = sorted((tmp_path / "out" / ".cache" / "rows-0-of-1").iterdir())
    rerun = stage_extract(REPO / "raw", tmp_path / "out")
    assert sorted((tmp_path / "out" / ".cache" / "rows-0-of-1").iterdir()) != batches
    assert (rerun.parsed_now, rerun.reused) == (0, 5)
    (remembered,) = rerun.details
    assert isinstance(remembered["body"], SpooledText) and str(remembered["body"]) == printed
    assert remembered["body"].path != spooled["body"].path
    # spooled in place in the loaded memo, never in the memo's files (rewritten just now)
    memo = RowsMemo(tmp_path / "out" / ".cache", "0-of-1").stored.values()
    (memo_detail,) = [detail for _, _, rows in memo for detail in rows[3]]
    assert isinstance(memo_detail["body"], PackedText) and str(memo_detail["body"]) == printed
    (uncached,) = extract_bucket(REPO / "raw").details
    assert isinstance(uncached["body"], PackedText) and str(uncached["body"]) == printed
    (published,) = pq.read_table(seed_outputs / "document_pages.parquet").column("body")
    assert published.as_py() == printed


def test_a_body_must_be_text_packed_or_not() -> None:
    frame = detail_pages_frame([PackedText.pack("Comrade Filippov!"), "a plain text", None, 42])
    valid, quarantined = validate_table("document_pages", frame)
    assert len(valid) == 3 and [str(b) for b in valid["body"].dropna()] == [
        "Comrade Filippov!",
        "a plain text",
    ]
    (row,) = quarantined
    assert row["rule"] == "text_or_packed_text" and row["row_key"] == f"{3:064x}"
    assert row["value"] == "42"
